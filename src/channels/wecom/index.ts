/**
 * The WeCom (企业微信) channel's face: a 自建应用 with its callback URL. Verify + decrypt + decode (crypto.ts,
 * events.ts), render (render.ts), our fetch client (send.ts), the outbox sender (outbox.ts) and the callback
 * routes (routes.ts) with the passive card reply (passive.ts) and the kept response codes (cards.ts) stay
 * inside; src/runtime/node/wecom.ts wires them. The 智能机器人 long connection (WECOM_MODE=bot) is bot.ts, wired
 * by src/runtime/node/wecom-bot.ts.
 */
export { createWecomReceiver, wecomDecoder, wecomRoutes, WECOM_CALLBACK_PATH } from './routes.ts'
export type { WecomReceiver, WecomRouteDeps } from './routes.ts'
export { WebhookAuthError, wecomKeys, type RawAesCbc } from './crypto.ts'
export { wecomOutboxSender } from './outbox.ts'
export { createWecomClient, type WecomClient } from './send.ts'
export { describeWecom, wecomConfigProblems, wecomConfigured, wecomEnv, type WecomEnv } from './config.ts'
