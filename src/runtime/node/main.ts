/**
 * Node entry: `npm start`. Embedded SQLite, the local channel and the demo county when no platform is
 * configured, Hono on PORT.
 */
import './preload.ts' // first (npm start also loads it with --import, before the rest is resolved)
import { serve } from '@hono/node-server'
import { ConfigError, describeConfig, loadConfig } from '../../config.ts'
import { createLogger } from '../../log.ts'
import { openNodeDatabase } from './sqlite.ts'
import { isEmpty, loadDemoCounty } from '../../demo/county.ts'
import { calendarWarnings, createApp } from '../../http/app.ts'
import { startFeishu } from './feishu.ts'
import cron from 'node-cron'
import { runTick } from '../../jobs/tick.ts'
import { drainOutbox } from '../../outbox/sender.ts'
import type { Platform } from '../../model/index.ts'

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

  for (const warning of await calendarWarnings(database.db, now())) logger.warn(warning)
  const channels: Platform[] = config.feishuEnabled ? ['feishu'] : ['local']
  const app = createApp({ db: database.db, schemaVersion: database.schemaVersion, logger, now, channels })
  if (config.feishuEnabled) {
    // Webhook routes (or the long connection), the bot's identity, and the outbox drain every second.
    const feishu = await startFeishu({ config, db: database.db, logger, app, now })
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void feishu.stop())
  }
  const server = serve({ fetch: app.fetch, port: config.PORT }, (info) => {
    logger.info(`listening on http://localhost:${info.port}`, { port: info.port })
    if (channels.includes('local')) logger.info(`local channel: open http://localhost:${info.port}/chat to act as any official`)
  })

  // The dispatch clock: every minute, whatever is due (rounds, reminders, 催办, boards, 通报, escalation).
  // Jobs claim their work in the database, so a second process or a repeated minute sends nothing twice.
  const clock = cron.schedule(
    '* * * * *',
    async () => {
      try {
        const report = await runTick(database.db, now(), false, channels)
        if (report.queued) logger.info('tick', { queued: report.queued, jobs: report.jobs.map((j) => `${j.job}:${j.period}`) })
        if (report.unreachable.length) logger.warn('recipients with no account on an enabled platform', { count: report.unreachable.length })
      } catch (e) {
        logger.error('tick failed', { error: String(e) })
      }
    },
    { timezone: 'Asia/Shanghai', noOverlap: true, name: 'dispatch-tick' },
  )
  // Local rows (the /chat inboxes and office notices nobody bound elsewhere) are delivered by being queued.
  const localDrain = setInterval(() => {
    drainOutbox(database.db, {}, now(), { platforms: ['local'] }).catch((e) => logger.error('local drain failed', { error: String(e) }))
  }, 1000)
  const stop = () => {
    clock.stop()
    clearInterval(localDrain)
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
