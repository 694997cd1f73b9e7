/**
 * The local channel: talk to the bot in a browser, as any person of the county, with no chat platform.
 * Mounted by createApp when `channels` includes 'local'; see routes.ts for the endpoints and their guard.
 *
 * @example app.route('/', localChannelRoutes({ db, logger, now, channels: ['local'] }))
 */
import { count } from 'drizzle-orm'
import type { Db } from '../../store/db.ts'
import { units } from '../../store/schema.ts'
import { getSetting } from '../../store/repos/settings.ts'

export { localChannelRoutes, localGuard, LOOPBACK_HOSTS, inbox, ensureCountyGroup, COUNTY_GROUP_NAME, BOT_MENTION } from './routes.ts'
export type { LocalChannelDeps, InboxMessage } from './routes.ts'
export { renderBody, renderCard, renderElement, renderMarkdown, escapeHtml, COLOURS } from './render.ts'
export { CHAT_HTML, CHAT_CSS, CHAT_JS } from './page.ts'
export { localOutboxSender } from './outbox.ts'
export type { LocalOutboxRow, LocalSendResult } from './outbox.ts'

/** What `npm start` prints (one line) when the local channel would serve a real county. */
export const REAL_COUNTY_REFUSAL =
  '数据库中是真实县的数据，本地对话页面（任何人都能冒充任何干部）不会用它启动：请设置飞书凭据 FEISHU_APP_ID、FEISHU_APP_SECRET，' +
  '或设置 LOCAL_CHANNEL=on 在本机提供真实数据 (this database holds a real county and the local channel lets anyone act as any ' +
  'official: set FEISHU_APP_ID and FEISHU_APP_SECRET, or LOCAL_CHANNEL=on to serve real data locally)'

/**
 * Whether the local channel may serve this database: the refusal to print, or undefined. A database with
 * units but without the `demo` setting holds a real county; the local channel runs on it only with
 * LOCAL_CHANNEL=on. An empty database (DEMO=off, nothing imported yet) and the demo county are fine.
 */
export async function localChannelRefusal(db: Db, env: { LOCAL_CHANNEL?: string }): Promise<string | undefined> {
  if (env.LOCAL_CHANNEL === 'on') return undefined
  if ((await getSetting(db, 'demo')) !== undefined) return undefined
  const row = await db.select({ n: count() }).from(units).get()
  return (row?.n ?? 0) > 0 ? REAL_COUNTY_REFUSAL : undefined
}
