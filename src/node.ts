/**
 * Node entry: `npm start`. Embedded SQLite, the local channel and the demo county when no platform is
 * configured, Hono on PORT.
 */
import { serve } from '@hono/node-server'
import { ConfigError, describeConfig, loadConfig } from './config.ts'
import { createLogger } from './log.ts'
import { openNodeDatabase } from './store/sqlite-node.ts'
import { isEmpty, loadDemoCounty } from './demo/county.ts'
import { createApp } from './http/app.ts'

async function main() {
  let config
  try {
    config = loadConfig(process.env)
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message)
      process.exit(2)
    }
    throw e
  }
  const logger = createLogger(config.LOG_LEVEL)
  logger.info('starting diaodu', describeConfig(config))
  const database = openNodeDatabase(config.DATABASE_PATH)
  const now = () => new Date()

  const wantDemo = config.DEMO === 'on' || (config.DEMO === 'auto' && !config.feishuEnabled)
  if (wantDemo && (await isEmpty(database.db))) {
    const { info } = await loadDemoCounty(database.db, now())
    logger.info('loaded the demo county (演示数据)', { ...info })
  }

  const channels = config.feishuEnabled ? ['feishu'] : ['local']
  const app = createApp({ db: database.db, schemaVersion: database.schemaVersion, logger, now, channels })
  const server = serve({ fetch: app.fetch, port: config.PORT }, (info) =>
    logger.info(`listening on http://localhost:${info.port}`, { port: info.port }),
  )
  const stop = () => {
    server.close()
    database.close()
    process.exit(0)
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack : e)
  process.exit(1)
})
