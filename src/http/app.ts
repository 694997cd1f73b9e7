/**
 * The Hono app: health, webhooks, API and pages. Runtime-free: each entry (src/runtime/node/main.ts; a Workers entry to come) builds
 * the dependencies and passes them in.
 */
import { Hono } from 'hono'
import type { Db } from '../store/db.ts'
import type { Logger } from '../log.ts'
import { loadCalendar } from '../services/rules.ts'
import { shanghaiParts } from '../domain/time.ts'
import { localChannelRoutes } from '../channels/local/index.ts'
import { feishuRoutes, type FeishuRouteDeps } from '../channels/feishu/routes.ts'
import type { Intake } from '../intake/index.ts'
import { adminRoutes } from './admin.ts'
import type { Transact } from '../services/workbook/index.ts'
import { webRoutes } from '../web/index.ts'

export interface AppDeps {
  db: Db
  schemaVersion: number
  logger: Logger
  /** The clock, injectable so tests can pin time. */
  now: () => Date
  channels: string[]
  /** The intake every channel feeds (by default each channel makes its own). */
  intake?: Intake
  /** Host names the local channel's page answers to besides loopback (LOCAL_HOST, PUBLIC_URL's host). */
  allowedHosts?: string[]
  /** Feishu webhook routes (Workers, tests); on Node `startFeishu` mounts them instead. */
  feishu?: FeishuRouteDeps
  /** The runtime's transaction, for the admin API's import and settings (src/http/admin.ts). */
  transact?: Transact
  /** A full garbage collection on demand (Node: runtime/node/reclaim.ts), run by the admin API's import and export. */
  reclaim?: () => void
}

export function createApp(deps: AppDeps) {
  const app = new Hono()
  app.get('/healthz', async (c) => {
    const now = deps.now()
    return c.json({
      ok: true,
      schemaVersion: deps.schemaVersion,
      channels: deps.channels,
      time: now.toISOString(),
      warnings: await calendarWarnings(deps.db, now),
    })
  })
  if (deps.channels.includes('local')) app.route('/', localChannelRoutes(deps))
  if (deps.feishu) app.route('/', feishuRoutes(deps.feishu))
  app.route('/', adminRoutes(deps)) // /api/*: only with DIAODU_ADMIN_TOKEN set (src/http/admin.ts)
  app.route('/', webRoutes(deps)) // 挂图作战: /, /projects, /board, /map, /problems, /supervisions, /login/:token (src/web)
  app.onError((err, c) => {
    deps.logger.error('unhandled error', { path: c.req.path, error: String(err) })
    return c.json({ ok: false, error: '服务器内部错误' }, 500)
  })
  app.notFound((c) => c.json({ ok: false, error: '未找到' }, 404))
  return app
}

/**
 * Working days past the holiday data silently fall back to plain weekends, so say so: this year, and from
 * October on (when the State Council publishes it) next year too.
 */
export async function calendarWarnings(db: Db, now: Date): Promise<string[]> {
  const calendar = await loadCalendar(db)
  const { year, month } = shanghaiParts(now)
  return [year, ...(month >= 10 ? [year + 1] : [])].flatMap((y) => calendar.coverage(y) ?? [])
}
