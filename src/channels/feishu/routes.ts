/**
 * Feishu webhooks, Bolt-style: verify, store, acknowledge, then work.
 *
 *   POST /webhooks/feishu/events   im.message.receive_v1, bot added/removed, p2p_chat_create… (+ url_verification)
 *   POST /webhooks/feishu/cards    card.action.trigger (+ url_verification)
 *
 * Each request: raw body (at most MAX_BODY_BYTES, else 413) → `openWebhook` (signature over the raw bytes and
 * timestamp window before anything is decoded, decryption with the runtime's AES — `secrets.aes`, node:crypto
 * on Node —, verification token) → `toInboundEvent` (shape check) → the decrypted payload is stored in the
 * inbound log under its event id (a repeat delivery stops here with `200 {}`) → then
 * - events are answered `200 {}` at once and processed after the response (`defer`: on Workers
 *   `c.executionCtx.waitUntil`, on Node a promise that logs and marks the row failed if it throws);
 * - card callbacks are processed within `cardBudgetMs` (2.5 s; Feishu gives 3 s and never re-pushes) and
 *   answered with `{toast, card}`.
 * Forged or stale input gets 401, malformed input 400; neither stores anything. Events with nothing for the
 * bot to do (unknown types, group messages without @, images…) are stored and marked `ignored`.
 *
 * Both routes accept both kinds, since the Feishu console lets either URL carry either.
 * `createFeishuReceiver` is the transport-free core, shared with the long-connection client (ws.ts).
 * Runtime-agnostic: no `node:*`.
 *
 * @example
 *   app.route('/', feishuRoutes({ db, logger, now: () => new Date(), secrets, botOpenId: () => bot.openId }))
 */
import { Hono } from 'hono'
import type { Context, MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { and, eq } from 'drizzle-orm'
import type { Db } from '../../store/db.ts'
import type { Logger } from '../../log.ts'
import type { BotResult, InboundEvent, Platform, PlatformUser } from '../../model/index.ts'
import { groups } from '../../store/schema.ts'
import { getSetting } from '../../store/repos/settings.ts'
import type { InboundStatus } from '../../store/repos/inbound.ts'
import { channelIntake, type Decoder, type Intake, type IntakeDeps } from '../../intake/index.ts'
import { WebhookAuthError } from './crypto.ts'
import { WebhookPayloadError, classify, openWebhook, toInboundEvent, type FeishuWebhook, type WebhookRequest, type WebhookSecrets } from './events.ts'
import { cardCallbackResponse, renderCard } from './render.ts'
import { mentionResolver } from './outbox.ts'
import { deferWork } from '../../intake/defer.ts'

export const FEISHU_EVENTS_PATH = '/webhooks/feishu/events'
export const FEISHU_CARDS_PATH = '/webhooks/feishu/cards'

/** The setting that keeps the bot's identity as Feishu last reported it ({openId, name}), for processes that cannot ask. */
export const FEISHU_BOT_SETTING = 'feishuBot'

/**
 * The largest body accepted (413 beyond it), as sent: `{"encrypt": base64(…)}`, i.e. 4/3 of the JSON plus ~60
 * bytes. Feishu's events are 1–3 KB (a text message with mentions ~1.5 KB encrypted); a card callback carries
 * the clicked button's value and the form's fields, a few KB and at most tens of KB for a long form; the
 * biggest thing that could come in is a received message near Feishu's 150 KB limit for a text or post
 * message, ~200 KB once encrypted. 256 KiB takes all of that and keeps what one forged request can make us
 * read, hash and hold in memory a quarter of what it was (1 MiB before).
 */
export const MAX_BODY_BYTES = 256 * 1024

export interface FeishuReceiverDeps {
  db: Db
  logger: Logger
  now: () => Date
  /**
   * The bot's own open_id (from GET bot info), to recognise its @-mention in groups. Until it is known,
   * group messages cannot be told apart and are ignored; direct messages work.
   */
  botOpenId: () => string | undefined
  /** Platforms the outbox may deliver on (default `['feishu']`). */
  platforms?: Platform[]
  /** Time a card callback may take before we answer without the updated card (default 2500 ms). */
  cardBudgetMs?: number
  /** The shared intake; by default one of its own over these deps. */
  intake?: Intake
  /** For the intake it makes: the bot (tests), the runtime's transaction, bot runs in flight at once. */
  bot?: IntakeDeps['bot']
  transact?: IntakeDeps['transact']
  concurrency?: number
  /**
   * Looks up an account nobody is bound to in the platform directory before its event goes to the intake
   * (network I/O must happen here, outside the bot's transaction): `firstContactResolver` of src/bot/identity.ts.
   */
  recognise?: (sender: PlatformUser) => Promise<unknown>
  /**
   * Replaces a clicked card after its callback was answered (the sender's `updateCardByToken`): how a bot
   * run that overran `cardBudgetMs` still shows its card. Without it the person gets the toast and messages.
   */
  updateCardLater?: (token: string, card: Record<string, unknown>) => Promise<{ ok: true } | { ok: false; reason: string }>
}

/** What to do with one verified webhook. */
export type Receipt =
  | { kind: 'challenge'; challenge: string }
  /** Already seen (a retry): answer `{}` and do nothing. */
  | { kind: 'duplicate' }
  /** Stored and marked ignored (nothing for the bot to do): answer `{}`. */
  | { kind: 'ignored' }
  /**
   * Stored; answer `{}` now. `work` (the bot run) is queued and starts on a later macrotask, i.e. after the
   * response has gone out; it never rejects. Hand it to `waitUntil` where the runtime needs that.
   */
  | { kind: 'accepted'; inboundId: number; work: Promise<void> }
  /** Answer a card callback with `response`; `late` (if any) is work that overran the budget. */
  | { kind: 'card'; response: Record<string, unknown>; late?: Promise<void> }

/** The Feishu side of the intake: webhooks and long-connection frames in, callback answers out. */
export interface FeishuReceiver {
  /**
   * Dedupes, stores and (for cards) processes a verified webhook.
   * @throws WebhookPayloadError when a known event type is malformed (nothing is stored then).
   */
  accept(hook: FeishuWebhook): Promise<Receipt>
  /** Resolves when every event accepted so far has been processed (tests, graceful shutdown). */
  idle(): Promise<void>
  /** Runs Feishu events whose processing lease ran out (the process stopped between ack and work). */
  resume(): Promise<number>
  /** Runs one stored event again after its cause is fixed (`diaodu inbound --retry ID`). */
  retry(inboundId: number): Promise<InboundStatus>
  /** Wrap each request's verification and acknowledgement in it (see Intake.intake). */
  intake<T>(fn: () => Promise<T>): Promise<T>
}

const nextMacrotask: (f: () => void) => void =
  typeof globalThis.setImmediate === 'function' ? (f) => void globalThis.setImmediate(f) : (f) => void setTimeout(f, 0)

/** Card callbacks do not say whether their chat is a group: a chat we know as a group is one. */
async function chatKindOf(db: Db, hook: FeishuWebhook): Promise<((chatId: string) => 'direct' | 'group') | undefined> {
  if (hook.kind !== 'card') return undefined
  const context = hook.event.context as { open_chat_id?: unknown } | undefined
  const chatId = typeof context?.open_chat_id === 'string' ? context.open_chat_id : undefined
  if (!chatId) return undefined
  const known = await db
    .select({ id: groups.id })
    .from(groups)
    .where(and(eq(groups.platform, 'feishu'), eq(groups.chatId, chatId)))
    .get()
  return () => (known ? 'group' : 'direct')
}

/** The neutral event for a webhook; null when there is nothing for the bot to do. */
async function eventOf(
  db: Db,
  hook: FeishuWebhook & { kind: 'event' | 'card' },
  receivedAt: Date,
  botOpenId: string | undefined,
): Promise<InboundEvent | null> {
  const chatKind = await chatKindOf(db, hook)
  return toInboundEvent(hook, { botOpenId: botOpenId ?? '', receivedAt, ...(chatKind && { chatKind }) })
}

/**
 * Stored Feishu payloads back into events, for resume and retry: the bot's open_id from what the live
 * process last learnt (the FEISHU_BOT_SETTING setting).
 */
export function feishuDecoder(db: Db, botOpenId?: () => string | undefined): Decoder {
  return async (raw, receivedAt) => {
    const known = botOpenId?.() ?? (await getSetting<{ openId: string }>(db, FEISHU_BOT_SETTING))?.openId
    return eventOf(db, storedHook(raw), receivedAt, known)
  }
}

export function createFeishuReceiver(deps: FeishuReceiverDeps): FeishuReceiver {
  const budget = deps.cardBudgetMs ?? 2500
  const intake = channelIntake(deps, deps.platforms ?? ['feishu'], { feishu: feishuDecoder(deps.db, deps.botOpenId) })

  // Delayed card updates still on their way (idle() waits for them too).
  const updating = new Set<Promise<void>>()
  const track = (p: Promise<void>) => {
    updating.add(p)
    void p.finally(() => updating.delete(p))
    return p
  }

  async function accept(hook: FeishuWebhook): Promise<Receipt> {
    if (hook.kind === 'url_verification') return { kind: 'challenge', challenge: hook.challenge }
    const receivedAt = deps.now()
    const event = await eventOf(deps.db, hook, receivedAt, deps.botOpenId())
    if (event && 'sender' in event && deps.recognise) await deps.recognise(event.sender).catch(() => undefined)
    const r = await intake.accept(
      { platform: 'feishu', dedupeKey: hook.id, raw: storedPayload(hook), event, ignoredBecause: `nothing to do for ${hook.type}` },
      hook.kind === 'card' ? { waitMs: budget } : {},
    )
    switch (r.kind) {
      case 'duplicate':
        deps.logger.debug('feishu duplicate delivery ignored', { eventId: hook.id, type: hook.type })
        return { kind: 'duplicate' }
      case 'ignored':
        return hook.kind === 'card' ? { kind: 'card', response: {} } : { kind: 'ignored' }
      case 'queued':
        return { kind: 'accepted', inboundId: r.inboundId, work: r.work }
      case 'answered': {
        if (r.late) {
          deps.logger.warn('feishu card callback overran its budget; the card follows by delayed update', { eventId: hook.id, budgetMs: budget })
          return {
            kind: 'card',
            response: { toast: { type: 'info', content: '已收到，正在处理，稍后更新' } },
            late: track(r.late.then((late) => updateLater(hook as FeishuWebhook & { kind: 'card' }, late))),
          }
        }
        if (!r.result) return { kind: 'card', response: { toast: { type: 'error', content: '处理失败，请稍后重试' } } }
        const resolveMention = await mentionResolver(deps.db, r.result.updateCard ? [{ kind: 'card', card: r.result.updateCard }] : [])
        return { kind: 'card', response: cardCallbackResponse(r.result, { resolveMention }) }
      }
    }
  }

  /**
   * The card of a bot run that overran the callback, through the delayed-update token. Feishu requires the
   * callback to have been answered first: by the time the bot is done it has, and one more turn makes sure.
   */
  async function updateLater(hook: FeishuWebhook & { kind: 'card' }, result: BotResult | undefined): Promise<void> {
    const token = hook.event.token
    if (!result?.updateCard || typeof token !== 'string' || !deps.updateCardLater) return
    const resolveMention = await mentionResolver(deps.db, [{ kind: 'card', card: result.updateCard }])
    const card = renderCard(result.updateCard, { resolveMention })
    await new Promise<void>((resolve) => nextMacrotask(resolve))
    const sent = await deps.updateCardLater(token, card).catch((e: unknown) => ({ ok: false as const, reason: errorText(e) }))
    if (!sent.ok) deps.logger.error('feishu delayed card update failed', { eventId: hook.id, reason: sent.reason })
  }

  return {
    accept,
    resume: () => intake.resume('feishu'),
    retry: (id) => intake.retry(id),
    intake: (fn) => intake.intake(fn),
    async idle() {
      await intake.idle()
      while (updating.size) await Promise.allSettled([...updating])
    },
  }
}

/** The webhook back from what `storedPayload` kept: Feishu's own JSON, or (rows stored before) our re-serialised one. */
function storedHook(raw: string): FeishuWebhook & { kind: 'event' | 'card' } {
  const s = JSON.parse(raw) as { kind?: unknown; id: string; type: string; createdAt?: string; event: Record<string, unknown> }
  if (s.kind === undefined) {
    const hook = classify(s)
    if (hook.kind === 'url_verification') throw new WebhookPayloadError('stored payload is not a Feishu event')
    return hook
  }
  if ((s.kind !== 'event' && s.kind !== 'card') || typeof s.id !== 'string' || typeof s.event !== 'object')
    throw new WebhookPayloadError('stored payload is not a Feishu event')
  const createdAt = s.createdAt ? new Date(s.createdAt) : undefined
  const common = { id: s.id, event: s.event, ...(createdAt && { createdAt }) }
  return s.kind === 'card' ? { kind: 'card', type: 'card.action.trigger', ...common } : { kind: 'event', type: s.type, ...common }
}

/**
 * What the inbound log keeps: the decrypted payload (readable later without the Encrypt Key), without the
 * verification token. As received where the hook has its text and the token appears in it once, as Feishu
 * writes it (`"token":"…"`, blanked in place): no second serialisation per webhook. Otherwise re-serialised.
 */
function storedPayload(hook: FeishuWebhook & { kind: 'event' | 'card' }): string {
  const text = hook.text
  if (text !== undefined) {
    if (hook.token === undefined) return text
    const field = `"token":${JSON.stringify(hook.token)}`
    const at = text.indexOf(field)
    if (at >= 0 && text.indexOf(field, at + field.length) < 0) return `${text.slice(0, at)}"token":""${text.slice(at + field.length)}`
  }
  return JSON.stringify({
    kind: hook.kind,
    id: hook.id,
    type: hook.type,
    ...(hook.createdAt && { createdAt: hook.createdAt.toISOString() }),
    event: hook.event,
  })
}

// ---------------------------------------------------------------------------------------------------------
// HTTP

export interface FeishuRouteDeps extends FeishuReceiverDeps {
  /**
   * FEISHU_ENCRYPT_KEY, FEISHU_VERIFICATION_TOKEN and WEBHOOK_MAX_AGE_SECONDS (0 = no age check); `aes`, the
   * runtime's AES-256-CBC (default WebCrypto; on Node startFeishu passes node:crypto's, src/runtime/node/aes.ts).
   */
  secrets: Omit<WebhookSecrets, 'now'>
  /**
   * Keeps work running after the response. Default: `c.executionCtx.waitUntil(work)` where there is an
   * execution context (Workers), otherwise nothing (Node keeps running promises anyway; `work` never rejects).
   */
  defer?: (c: Context, work: Promise<void>) => void
  /** Use an existing receiver (e.g. to share it with the long-connection client). */
  receiver?: FeishuReceiver
}

/** A webhook request as any transport hands it over: the raw body, its headers (lower-case names) and its path. */
export interface FeishuWebhookRequest extends WebhookRequest {
  path: string
}

/** The answer to one webhook: status and JSON body, and work to keep running after the response (`defer`). */
export interface FeishuWebhookAnswer {
  status: 200 | 400 | 401
  body: Record<string, unknown>
  work?: Promise<void>
}

/**
 * One webhook from raw body to answer, transport-free: the Hono routes below wrap it, and the Node runtime
 * serves the two webhook paths with it straight from node:http (src/runtime/node/http.ts), without building a
 * Web Request and Response per webhook.
 */
export function feishuWebhookHandler(deps: FeishuRouteDeps): (req: FeishuWebhookRequest) => Promise<FeishuWebhookAnswer> {
  const receiver = deps.receiver ?? createFeishuReceiver(deps)
  const secrets: WebhookSecrets = { ...deps.secrets, now: deps.now }

  const refuse = (path: string, e: unknown): FeishuWebhookAnswer => {
    if (e instanceof WebhookAuthError) {
      deps.logger.warn('feishu webhook refused', { path, reason: e.message })
      return { status: 401, body: { error: 'unauthorized' } }
    }
    if (e instanceof WebhookPayloadError) {
      deps.logger.warn('feishu webhook malformed', { path, reason: e.message })
      return { status: 400, body: { error: 'bad request' } }
    }
    throw e
  }

  const answer = async (req: FeishuWebhookRequest): Promise<FeishuWebhookAnswer> => {
    let receipt: Receipt
    try {
      const hook = await openWebhook(req, secrets)
      receipt = await receiver.accept(hook)
    } catch (e) {
      return refuse(req.path, e)
    }
    switch (receipt.kind) {
      case 'challenge':
        return { status: 200, body: { challenge: receipt.challenge } }
      case 'duplicate':
      case 'ignored':
        return { status: 200, body: {} }
      case 'accepted':
        return { status: 200, body: {}, work: receipt.work }
      case 'card':
        return { status: 200, body: receipt.response, ...(receipt.late && { work: receipt.late }) }
    }
  }
  return (req) => receiver.intake(() => answer(req))
}

/** The Hono sub-app with both webhook routes; mount with `app.route('/', feishuRoutes(deps))`. */
export function feishuRoutes(deps: FeishuRouteDeps & { handler?: ReturnType<typeof feishuWebhookHandler> }) {
  const handler = deps.handler ?? feishuWebhookHandler(deps)
  const defer = deps.defer ?? deferWork
  const app = new Hono()

  const tooLarge = (c: Context) => {
    deps.logger.warn('feishu webhook too large', { path: c.req.path })
    return c.json({ error: 'payload too large' }, 413)
  }
  const streamedLimit = bodyLimit({ maxSize: MAX_BODY_BYTES, onError: tooLarge })
  // Feishu always sends Content-Length: judge by it without opening the body stream, which on Node costs a
  // whole Web Request copy per webhook (~60 µs). Chunked bodies are counted as they stream.
  const limit: MiddlewareHandler = (c, next) => {
    const length = c.req.header('content-length')
    if (length === undefined || c.req.header('transfer-encoding') !== undefined) return streamedLimit(c, next)
    return Number(length) > MAX_BODY_BYTES ? Promise.resolve(tooLarge(c)) : next()
  }

  const handle = async (c: Context) => {
    const a = await handler({ rawBody: await c.req.text(), headers: c.req.raw.headers, path: c.req.path })
    if (a.work) defer(c, a.work)
    return c.json(a.body, a.status)
  }

  app.post(FEISHU_EVENTS_PATH, limit, handle)
  app.post(FEISHU_CARDS_PATH, limit, handle)
  return app
}

function errorText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e)
}
