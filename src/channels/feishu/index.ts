/**
 * The Feishu channel, runtime-agnostic part: verify + decrypt webhooks, turn them into InboundEvents,
 * render neutral messages into Feishu content, and the sender interface with its error rules.
 * the webhook routes, and the outbox sender. The SDK-backed sender and the Node start-up (Node only) are
 * imported separately from `./sdk.ts` and `./start.ts`.
 */
export { WebhookAuthError, decrypt, encrypt, sha256Hex, timingSafeEqual, verifySignature } from './crypto.ts'
export type { SignatureInput } from './crypto.ts'
export {
  WebhookPayloadError,
  checkToken,
  classify,
  formStrings,
  openWebhook,
  toInboundEvent,
} from './events.ts'
export type { FeishuWebhook, InboundContext, WebhookRequest, WebhookSecrets } from './events.ts'
export {
  CARD_MAX_BYTES,
  cardCallbackResponse,
  escapeMd,
  renderBody,
  renderCard,
  renderText,
  validateCard,
} from './render.ts'
export type { FeishuCard, FeishuContent, RenderOptions, ResolveMention } from './render.ts'
export { FEISHU_ERROR_REASONS, classifyFeishuError, receiveIdOf, targetOfChat } from './send.ts'
export type { FeishuFailure, FeishuSender, FeishuTarget, SendOptions, SendResult } from './send.ts'
export { FEISHU_CARDS_PATH, FEISHU_EVENTS_PATH, createFeishuReceiver, feishuRoutes } from './routes.ts'
export type { FeishuReceiver, FeishuReceiverDeps, FeishuRouteDeps, Receipt } from './routes.ts'
export { FEISHU_UUID_MAX, feishuOutboxSender, feishuUuid, mentionResolver, targetOfRow } from './outbox.ts'
