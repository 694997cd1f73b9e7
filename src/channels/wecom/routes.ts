/**
 * The WeCom 自建应用 callback, Bolt-style: verify, store, acknowledge, then work.
 *
 *   GET  /webhooks/wecom   URL verification: signature over echostr, decrypt, answer the bare plaintext (≤ 1 s)
 *   POST /webhooks/wecom   messages and events: XML (or JSON) envelope → `openCallback` (signature and
 *                          timestamp before decryption, receiveid = WECOM_CORP_ID, AgentID) → `toDelivery`
 *                          → the intake (stored under its dedupe key; a repeat stops there) → 200 with an
 *                          empty body at once; the bot runs after the answer, its replies go through the
 *                          outbox (`message/send`).
 *
 * Forged, stale or foreign callbacks get 401, malformed ones 400, bodies over MAX_BODY_BYTES 413; none is
 * stored. A button click waits up to `passiveReplyMs` (PASSIVE_REPLY_MS, 3 s of WeCom's 5) for the bot: a new
 * card (`updateCard`) that came in time is the callback's encrypted response (passive.ts; the click's
 * ResponseCode stays unspent, kept for a later refresh). Past the budget the answer is 200, empty, and the
 * clicked card shows its new state through the outbox: an update row of the card's row carrying the click's
 * single-use ResponseCode, which the sender spends on `update_template_card` (outbox.ts). A new card with a
 * form goes that way too when form pages are on (its 填报 link is made by the sender). A click on a card we
 * cannot find (or without a ResponseCode) gets the new card as a new message; a result with only a toast, the
 * toast as text unless the bot already answered in the chat.
 *
 * The POST is `wecomCallbackHandler`, transport-free (raw body and query in, status and body out): the Hono
 * route wraps it, and on Node the callback path is served with it straight from node:http
 * (src/runtime/node/http.ts `wecomNodeRoute`), so both answer alike. Runtime-agnostic: no `node:*`.
 *
 * @example
 *   app.route('/', wecomRoutes({ db, logger, now, secrets: { token, keys: wecomKeys(aesKey), corpId, agentId } }))
 */
import { Hono } from 'hono'
import type { Context, MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { Db } from '../../store/db.ts'
import type { Logger } from '../../log.ts'
import type { BotResult, Card, InboundEvent, OutboundMessage, Platform } from '../../model/index.ts'
import type { InboundStatus } from '../../store/repos/inbound.ts'
import { channelIntake, type ChannelIntakeDeps, type Decoder, type Intake } from '../../intake/index.ts'
import { and, eq, isNull } from 'drizzle-orm'
import { enqueue } from '../../outbox/enqueue.ts'
import { cardUpdateKey, replyKey } from '../../outbox/keys.ts'
import { outbox } from '../../store/schema.ts'
import type { WecomUpdateBody } from './outbox.ts'
import { keepResponseCode } from './cards.ts'
import { encryptedReply, passiveCardXml } from './passive.ts'
import { decodeStoredBot } from './bot.ts'
import { decodeStoredForm } from '../../forms/routes.ts'
import { WebhookAuthError } from './crypto.ts'
import { WebhookPayloadError, openCallback, openVerification, toDelivery, type WecomFields, type WecomSecrets } from './events.ts'
import { deferWork } from '../../intake/defer.ts'

export const WECOM_CALLBACK_PATH = '/webhooks/wecom'

/**
 * The largest callback body accepted (413 beyond it). WeCom's envelopes are small: a text message holds at
 * most 2,048 bytes of content, ~3.5 KB once encrypted and wrapped; a card click with selections a few KB.
 */
export const MAX_BODY_BYTES = 64 * 1024

/** The reply index of the click echo (after any the bot queued itself). */
const CLICK_ECHO = 999

export interface WecomReceiverDeps extends ChannelIntakeDeps {
  /** Platforms the outbox may deliver on (default `['wecom']`). */
  platforms?: Platform[]
  /**
   * How long a click waits for the bot's answer to put the new card in the callback's response (passive.ts;
   * default PASSIVE_REPLY_MS); past it, or 0, the card is updated through update_template_card.
   */
  passiveReplyMs?: number
  /** Form pages are on (PUBLIC_URL): a new card with a form goes through the outbox, which makes its link. */
  formPages?: boolean
}

/**
 * The default budget for a passive reply: WeCom waits 5 s for the response (and retries after); 3 s for the bot
 * leaves the rest for the network and the encryption.
 */
export const PASSIVE_REPLY_MS = 3000

/** A clicked card to replace in the callback's response: the new card, for whom, and the clicked task_id. */
export interface PassiveCard {
  card: Card
  to: string
  taskId: string
}

export type WecomReceipt = { kind: 'duplicate' } | { kind: 'ignored' } | { kind: 'accepted'; work: Promise<void>; passive?: PassiveCard }

export interface WecomReceiver {
  /** The intake it feeds (the shared one when given): the form pages feed it too. */
  readonly core: Intake
  /** Dedupes and stores a verified callback; the bot's work runs after (never rejects). */
  accept(fields: WecomFields): Promise<WecomReceipt>
  idle(): Promise<void>
  resume(): Promise<number>
  retry(inboundId: number): Promise<InboundStatus>
  intake<T>(fn: () => Promise<T>): Promise<T>
}

/** Whether a card renders as a template card (buttons or a form) rather than markdown (render.ts). */
const hasButtons = (card: Card) => card.elements.some((e) => (e.kind === 'actions' && e.buttons.length > 0) || e.kind === 'form')

/** What the inbound log keeps: the decrypted fields (readable later without the EncodingAESKey). */
const storedPayload = (fields: WecomFields) => JSON.stringify({ fields })

/** Stored WeCom payloads back into events, for resume and `diaodu inbound --retry`. */
export const wecomDecoder: Decoder = async (raw, receivedAt) => {
  const s = JSON.parse(raw) as { fields?: unknown; bot?: unknown }
  // A frame of the 智能机器人 long connection (WECOM_MODE=bot) is kept as its body.
  const frame = decodeStoredBot(s, receivedAt)
  if (frame !== undefined) return frame
  // A submission of a form page (src/forms) sent to a WeCom member.
  const form = decodeStoredForm(s as { form?: unknown }, receivedAt)
  if (form !== undefined) return form
  if (typeof s.fields !== 'object' || s.fields === null) throw new WebhookPayloadError('stored payload is not a WeCom callback')
  return toDelivery(s.fields as WecomFields, receivedAt).event
}

export function createWecomReceiver(deps: WecomReceiverDeps): WecomReceiver {
  const platforms = deps.platforms ?? ['wecom']
  const intake: Intake = channelIntake(deps, platforms, { wecom: wecomDecoder })
  const echoes = new Set<Promise<void>>()

  /**
   * The clicked card's new state as an update row of the card's own row (the sender spends the click's
   * ResponseCode on it); false when there is no such row or no code.
   */
  async function updateClicked(
    event: Extract<InboundEvent, { type: 'card_action' }>,
    card: Card,
    responseCode: string | undefined,
  ): Promise<boolean> {
    if (!responseCode || !event.messageId) return false
    const target = await deps.db
      .select()
      .from(outbox)
      .where(
        and(
          eq(outbox.platform, 'wecom'),
          eq(outbox.messageId, event.messageId),
          eq(outbox.address, event.sender.userId),
          isNull(outbox.updatesId),
          eq(outbox.status, 'sent'),
        ),
      )
      .get()
    if (!target) return false
    const at = event.receivedAt.getTime()
    const body: WecomUpdateBody = { kind: 'card', card, responseCode, clickedAt: at }
    await deps.db
      .insert(outbox)
      .values({
        key: cardUpdateKey('wecom', event.id, target.id),
        platform: 'wecom',
        address: target.address,
        addressKind: target.addressKind,
        body,
        status: 'pending',
        nextAttemptAt: at,
        createdAt: at,
        subject: null,
        updatesId: target.id,
      })
      .onConflictDoNothing({ target: outbox.key })
    return true
  }

  /**
   * The clicked card's replacement (an update of it, else a message), or its toast, to the clicker. A new card
   * without buttons cannot be a template card: the clicked one is greyed out and the new one comes as a message.
   */
  async function echo(
    event: Extract<InboundEvent, { type: 'card_action' }>,
    result: BotResult | undefined,
    responseCode?: string,
    passive = false,
  ): Promise<void> {
    // Passive: the callback's response replaces the clicked card; only a card without buttons follows as a message.
    let queued = passive
    try {
      if (!passive) queued = !!result?.updateCard && (await updateClicked(event, result.updateCard, responseCode))
      // A code the click's answer did not need is kept for a later refresh of the card (cards.ts).
      if ((passive || !queued) && responseCode && event.messageId)
        await keepResponseCode(deps.db, {
          code: responseCode,
          taskId: event.messageId,
          userId: event.sender.userId,
          issuedAt: event.receivedAt.getTime(),
        })
    } catch (e) {
      deps.logger.error('wecom card update not queued', { eventId: event.id, error: e instanceof Error ? e.message : String(e) })
    }
    if (!result || (queued && hasButtons(result.updateCard!))) return
    const toClicker = result.messages.some((m) => m.to.kind === 'chat' && m.to.chat.chatId === event.chat.chatId)
    let message: OutboundMessage | undefined
    if (result.updateCard) message = { to: { kind: 'chat', chat: event.chat }, body: { kind: 'card', card: result.updateCard } }
    else if (result.toast && !toClicker) message = { to: { kind: 'chat', chat: event.chat }, body: { kind: 'text', text: result.toast.text } }
    if (!message) return
    try {
      await enqueue(deps.db, { platforms }, [message], event.receivedAt.getTime(), () => replyKey('wecom', event.id, CLICK_ECHO))
    } catch (e) {
      deps.logger.error('wecom click echo not queued', { eventId: event.id, error: e instanceof Error ? e.message : String(e) })
    }
  }

  const passiveMs = deps.passiveReplyMs ?? PASSIVE_REPLY_MS
  const hasForm = (card: Card) => card.elements.some((e) => e.kind === 'form')

  return {
    core: intake,
    async accept(fields) {
      const d = toDelivery(fields, deps.now())
      const event = d.event
      const isClick = event?.type === 'card_action'
      const r = await intake.accept(
        {
          platform: 'wecom',
          dedupeKey: d.dedupeKey,
          raw: storedPayload(fields),
          event,
          ...(d.ignoredBecause && { ignoredBecause: d.ignoredBecause }),
        },
        isClick ? { waitMs: passiveMs } : {},
      )
      switch (r.kind) {
        case 'duplicate':
          return { kind: 'duplicate' }
        case 'ignored':
          return { kind: 'ignored' }
        case 'queued':
          return { kind: 'accepted', work: r.work }
        case 'answered': {
          const click = event as Extract<InboundEvent, { type: 'card_action' }>
          const code = fields.ResponseCode?.trim() || undefined
          const card = r.late ? undefined : r.result?.updateCard
          if (passiveMs > 0 && card && click.messageId && !(deps.formPages && hasForm(card))) {
            const work = echo(click, r.result, code, true).catch(() => undefined)
            echoes.add(work)
            void work.finally(() => echoes.delete(work))
            return { kind: 'accepted', work, passive: { card, to: click.sender.userId, taskId: click.messageId } }
          }
          const work = (r.late ? r.late.then((res) => echo(click, res, code)) : echo(click, r.result, code)).catch(() => undefined)
          echoes.add(work)
          void work.finally(() => echoes.delete(work))
          return { kind: 'accepted', work }
        }
      }
    },
    resume: () => intake.resume('wecom'),
    retry: (id) => intake.retry(id),
    intake: (fn) => intake.intake(fn),
    async idle() {
      await intake.idle()
      while (echoes.size) await Promise.allSettled([...echoes])
    },
  }
}

// ---------------------------------------------------------------------------------------------------------
// HTTP

export interface WecomRouteDeps extends WecomReceiverDeps {
  /** WECOM_TOKEN, the keys of WECOM_ENCODING_AES_KEY, WECOM_CORP_ID, WECOM_AGENT_ID, WEBHOOK_MAX_AGE_SECONDS, the runtime's AES. */
  secrets: Omit<WecomSecrets, 'now'>
  /** Use an existing receiver. */
  receiver?: WecomReceiver
  /** Keeps work running after the response (default: `c.executionCtx.waitUntil` where there is one). */
  defer?: (c: Context, work: Promise<void>) => void
}

/** The signed parameters of a callback's query string, as Hono's `c.req.query` reads them. */
export interface WecomCallbackQuery {
  msg_signature?: string | undefined
  timestamp?: string | undefined
  nonce?: string | undefined
}

/** A callback POST as any transport hands it over: the raw body and the query's parameters. */
export interface WecomCallbackRequest {
  rawBody: string
  query: WecomCallbackQuery
}

/**
 * The answer to one callback: status, body (null: none at all) and its content type, and work to keep running
 * after the response (`defer`).
 */
export interface WecomCallbackAnswer {
  status: 200 | 400 | 401
  body: string | null
  contentType?: string
  work?: Promise<void>
}

/** What Hono's `c.text` sends: the fast path (src/runtime/node/http.ts) answers with the same header. */
export const TEXT_CONTENT_TYPE = 'text/plain; charset=UTF-8'
/** The passive reply's content type. */
export const XML_CONTENT_TYPE = 'application/xml; charset=utf-8'

/**
 * One callback POST from raw body to answer, transport-free: the Hono POST route below wraps it, and the Node
 * runtime serves the callback path with it straight from node:http (src/runtime/node/http.ts), without
 * building a Web Request and Response per callback.
 */
export function wecomCallbackHandler(deps: WecomRouteDeps): (req: WecomCallbackRequest) => Promise<WecomCallbackAnswer> {
  const receiver = deps.receiver ?? createWecomReceiver(deps)
  const secrets: WecomSecrets = { ...deps.secrets, now: deps.now }

  const answer = async ({ rawBody, query }: WecomCallbackRequest): Promise<WecomCallbackAnswer> => {
    let receipt: WecomReceipt
    try {
      const cb = await openCallback({ query, rawBody }, secrets)
      receipt = await receiver.accept(cb.fields)
    } catch (e) {
      return refusal(deps.logger, 'POST', e)
    }
    if (receipt.kind !== 'accepted') return { status: 200, body: null }
    if (receipt.passive) {
      // The clicked card's new state in the response (passive.ts), signed over the request's timestamp and nonce.
      const { card, to, taskId } = receipt.passive
      const plain = passiveCardXml(card, { to, corpId: secrets.corpId, at: deps.now(), taskId })
      const body = await encryptedReply(plain, {
        token: secrets.token,
        keys: secrets.keys,
        corpId: secrets.corpId,
        timestamp: query.timestamp ?? '',
        nonce: query.nonce ?? '',
      })
      return { status: 200, body, contentType: XML_CONTENT_TYPE, work: receipt.work }
    }
    // 200 with an empty body: WeCom takes it as "received, no passive reply".
    return { status: 200, body: null, work: receipt.work }
  }
  return (req) => receiver.intake(() => answer(req))
}

/** 401 for a forged, stale or foreign callback, 400 for a malformed one (logged); anything else is rethrown. */
function refusal(logger: Logger, method: string, e: unknown): { status: 400 | 401; body: string; contentType: string } {
  if (e instanceof WebhookAuthError) {
    logger.warn('wecom callback refused', { method, reason: e.message })
    return { status: 401, body: 'unauthorized', contentType: TEXT_CONTENT_TYPE }
  }
  if (e instanceof WebhookPayloadError) {
    logger.warn('wecom callback malformed', { method, reason: e.message })
    return { status: 400, body: 'bad request', contentType: TEXT_CONTENT_TYPE }
  }
  throw e
}

/**
 * The Hono sub-app with the callback's GET and POST; mount with `app.route('/', wecomRoutes(deps))`. The POST
 * is `handler` (default `wecomCallbackHandler(deps)`), the one the Node runtime also serves from node:http.
 */
export function wecomRoutes(deps: WecomRouteDeps & { handler?: ReturnType<typeof wecomCallbackHandler> }) {
  const handler = deps.handler ?? wecomCallbackHandler(deps)
  const defer = deps.defer ?? deferWork
  const secrets: WecomSecrets = { ...deps.secrets, now: deps.now }
  const app = new Hono()

  const query = (c: Context) => ({
    msg_signature: c.req.query('msg_signature'),
    timestamp: c.req.query('timestamp'),
    nonce: c.req.query('nonce'),
  })

  app.get(WECOM_CALLBACK_PATH, async (c) => {
    try {
      const plain = await openVerification({ ...query(c), echostr: c.req.query('echostr') }, secrets)
      return c.text(plain, 200)
    } catch (e) {
      const r = refusal(deps.logger, 'GET', e)
      return c.text(r.body, r.status)
    }
  })

  const tooLarge = (c: Context) => {
    deps.logger.warn('wecom callback too large', {})
    return c.text('payload too large', 413)
  }
  const streamedLimit = bodyLimit({ maxSize: MAX_BODY_BYTES, onError: tooLarge })
  const limit: MiddlewareHandler = (c, next) => {
    const length = c.req.header('content-length')
    if (length === undefined || c.req.header('transfer-encoding') !== undefined) return streamedLimit(c, next)
    return Number(length) > MAX_BODY_BYTES ? Promise.resolve(tooLarge(c)) : next()
  }

  app.post(WECOM_CALLBACK_PATH, limit, async (c) => {
    const a = await handler({ rawBody: await c.req.text(), query: query(c) })
    if (a.work) defer(c, a.work)
    if (a.body === null) return c.body(null, a.status)
    return c.body(a.body, a.status, { 'content-type': a.contentType ?? TEXT_CONTENT_TYPE })
  })
  return app
}
