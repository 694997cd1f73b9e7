/**
 * Node entry: `npm start`. Embedded SQLite, the local channel and the demo county when no platform is
 * configured, Hono on PORT, the dispatch clock every minute.
 *
 * The port is taken before the database is opened: a second process that cannot serve (EADDRINUSE) stops
 * without touching the database, instead of resuming and draining the first one's work.
 */
import './preload.ts' // first (npm start also loads it with --import, before the rest is resolved)
import cron from 'node-cron'
import { ConfigError, describeConfig, listenHost, loadConfig, type Config } from '../../config.ts'
import { clockOf } from './clock.ts'
import { createLogger } from '../../log.ts'
import { openNodeDatabase } from './sqlite.ts'
import { isEmpty, loadDemoCounty } from '../../demo/county.ts'
import { calendarWarnings, createApp } from '../../http/app.ts'
import { createIntake } from '../../intake/index.ts'
import { decoders } from '../../channels/index.ts'
import { localChannelRefusal } from '../../channels/local/index.ts'
import { startFeishu } from './feishu.ts'
import { reclaimer } from './reclaim.ts'
import { nodeServer, type NodeRoute } from './http.ts'
import { startRobots, startWecom } from './wecom.ts'
import { startWecomBot } from './wecom-bot.ts'
import { runTick } from '../../jobs/tick.ts'
import { drainOutbox } from '../../outbox/sender.ts'
import { quietHoursHold } from '../../outbox/quiet.ts'
import { loadDispatchCalendar } from '../../services/rules.ts'

async function main() {
  let config: Config
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
  const now = clockOf(config)
  if (config.DIAODU_NOW) logger.warn('DIAODU_NOW is set: the clock starts at that instant and runs on', { now: now().toISOString() })

  // The port first: requests wait (503) until the app is built.
  let handle: (req: Request) => Response | Promise<Response> = () => new Response('starting', { status: 503 })
  // Loopback unless HOST says otherwise while the local channel (anyone may act as any official) is on.
  const hostname = listenHost(config)
  // The Feishu webhooks and WeCom callbacks are answered straight from node:http (src/runtime/node/http.ts), from when `handle` is set.
  const nodeRoutes = new Map<string, NodeRoute>()
  const server = nodeServer((req) => handle(req), nodeRoutes, hostname === undefined ? {} : { hostname })
  server.listen(config.PORT, hostname)
  await new Promise<void>((resolve) => {
    server.once('listening', resolve)
    server.once('error', (e: NodeJS.ErrnoException) => {
      console.error(e.code === 'EADDRINUSE' ? `端口 ${config.PORT} 已被占用（另一个调度助手在运行？）(port ${config.PORT} is in use)` : String(e))
      process.exit(1)
    })
  })

  // The WAL checkpointed off the thread that answers webhooks (src/runtime/node/sqlite.ts).
  const database = openNodeDatabase(config.DATABASE_PATH, { backgroundCheckpoint: true })
  const { channels } = config
  const wantDemo = config.DEMO === 'on' || (config.DEMO === 'auto' && channels.includes('local'))
  if (wantDemo && (await isEmpty(database.db))) {
    const { info } = await loadDemoCounty(database.db, now())
    logger.info('loaded the demo county (演示数据)', { ...info })
  }
  // The local channel never serves a real county unless asked to (LOCAL_CHANNEL=on).
  const refusal = channels.includes('local') ? await localChannelRefusal(database.db, config) : undefined
  if (refusal) {
    console.error(refusal)
    database.close()
    process.exit(2)
  }
  for (const warning of await calendarWarnings(database.db, now())) logger.warn(warning)

  const intake = createIntake({ db: database.db, logger, now, platforms: channels, decoders: decoders(database.db), transact: database.transact })
  const allowedHosts = [...config.LOCAL_HOST, ...(config.PUBLIC_URL ? [new URL(config.PUBLIC_URL).hostname] : [])]
  // the admin API's import and export: the runtime's transaction, and a collection once a workbook is parsed (reclaim.ts)
  const app = createApp({
    db: database.db,
    schemaVersion: database.schemaVersion,
    logger,
    now,
    channels,
    intake,
    allowedHosts,
    transact: database.transact,
    reclaim: reclaimer(),
  })
  // Webhook routes (or the long connection), the bot's identity, and the outbox drain every second.
  const startedRoutes = new Map<string, NodeRoute>()
  const feishu = channels.includes('feishu')
    ? await startFeishu({ config, db: database.db, logger, app, now, intake, transact: database.transact, nodeRoutes: startedRoutes })
    : undefined
  // The WeCom callback (GET/POST /webhooks/wecom), or with WECOM_MODE=bot the 智能机器人 long connection; its outbox drain every second.
  const robots = channels.includes('wecom') ? await startRobots({ config, db: database.db, logger, now }) : undefined
  const wecom = !channels.includes('wecom')
    ? undefined
    : config.WECOM_MODE === 'bot'
      ? await startWecomBot({ config, db: database.db, logger, now, intake, robots })
      : startWecom({ config, db: database.db, logger, app, now, intake, robots, nodeRoutes: startedRoutes })
  handle = app.fetch
  for (const [path, route] of startedRoutes) nodeRoutes.set(path, route)
  logger.info(`listening on http://localhost:${config.PORT}`, { port: config.PORT })
  if (channels.includes('local')) logger.info(`local channel: open http://localhost:${config.PORT}/chat to act as any official`)
  // Events a stopped process acknowledged but did not finish: their people are waiting.
  void intake.resume().catch((e: unknown) => logger.error('could not resume unprocessed events', { error: String(e) }))

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
  // The quiet hours hold them as they hold every platform's pushes (replies and urgent ones go at once).
  let localDraining = false
  const localDrain = setInterval(() => {
    if (localDraining) return
    localDraining = true
    loadDispatchCalendar(database.db)
      .then((d) => drainOutbox(database.db, {}, now(), { platforms: ['local'], holdUntil: quietHoursHold(d) }))
      .catch((e) => logger.error('local drain failed', { error: String(e) }))
      .finally(() => (localDraining = false))
  }, 1000)
  let stopping = false
  const stop = async () => {
    if (stopping) return
    stopping = true
    clock.stop()
    clearInterval(localDrain)
    server.close()
    await feishu?.stop()
    await wecom?.stop()
    await intake.idle()
    database.close()
    process.exit(0)
  }
  process.on('SIGINT', () => void stop())
  process.on('SIGTERM', () => void stop())
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack : e)
  process.exit(1)
})
