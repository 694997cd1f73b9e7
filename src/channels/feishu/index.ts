/**
 * The Feishu channel's face: what a runtime needs to run it. Verify + decrypt + decode (events.ts, crypto.ts),
 * render (render.ts), send (send.ts; the SDK client in sdk.ts) and the webhook routes (routes.ts) stay inside;
 * the runtime wires them: routes or the long connection feed the receiver, the outbox drains through the
 * sender.
 */
export { createFeishuReceiver, feishuDecoder, feishuRoutes, FEISHU_BOT_SETTING } from './routes.ts'
export type { FeishuReceiver, FeishuRouteDeps } from './routes.ts'
export { WebhookAuthError, type AesCbc, type Sha256Hex } from './crypto.ts'
export { WebhookPayloadError, classify } from './events.ts'
export { feishuOutboxSender } from './outbox.ts'
export { createSdkSender } from './sdk.ts'
export type { FeishuSender } from './send.ts'
