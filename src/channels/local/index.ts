/**
 * The local channel: talk to the bot in a browser, as any person of the county, with no chat platform.
 * Mounted by createApp when `channels` includes 'local'; see routes.ts for the endpoints.
 *
 * @example app.route('/', localChannelRoutes({ db, logger, now, channels: ['local'] }))
 */
export { localChannelRoutes, inbox, ensureCountyGroup, COUNTY_GROUP_NAME, BOT_MENTION } from './routes.ts'
export type { LocalChannelDeps, InboxMessage } from './routes.ts'
export { renderBody, renderCard, renderElement, renderMarkdown, escapeHtml, COLOURS } from './render.ts'
export { CHAT_HTML, CHAT_CSS, CHAT_JS } from './page.ts'
export { localOutboxSender } from './outbox.ts'
export type { LocalOutboxRow, LocalSendResult } from './outbox.ts'
