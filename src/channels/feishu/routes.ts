/**
 * Feishu webhooks, Bolt-style: verify, store, acknowledge, then work.
 *
 *   POST /webhooks/feishu/events   im.message.receive_v1, bot added/removed, p2p_chat_create… (+ url_verification)
 *   POST /webhooks/feishu/cards    card.action.trigger (+ url_verification)
 *
 * Each request: raw body → `openWebhook` (signature over the raw bytes, WebCrypto decryption, verification
 * token, timestamp window) → `toInboundEvent` (shape check) → the decrypted payload is stored in the
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
import type { BotResult, InboundEvent, Platform } from '../../model/index.ts'
import { createBotContext, type BotContext } from '../../bot/context.ts'
import { processEvent } from '../../bot/process.ts'
import { groups } from '../../store/schema.ts'
import { INBOUND_BATCH, inboundById, markInbound, recordInboundMany, unprocessedInbound, type InboundRow, type InboundStatus } from '../../store/repos/inbound.ts'
import { coalesce } from '../../store/coalesce.ts'
import { WebhookAuthError } from './crypto.ts'
import { WebhookPayloadError, openWebhook, toInboundEvent, type FeishuWebhook, type WebhookSecrets } from './events.ts'
import { cardCallbackResponse, renderCard } from './render.ts'
import { mentionResolver } from './outbox.ts'

export const FEISHU_EVENTS_PATH = '/webhooks/feishu/events'
export const FEISHU_CARDS_PATH = '/webhooks/feishu/cards'

/** The setting that keeps the bot's identity as Feishu last reported it ({openId, name}), for processes that cannot ask. */
export const FEISHU_BOT_SETTING = 'feishuBot'

/** Feishu bodies are small; anything bigger is not from Feishu. */
const MAX_BODY_BYTES = 1024 * 1024

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
  /** The bot, replaceable in tests (default `processEvent`). */
  process?: (ctx: BotContext, event: InboundEvent) => Promise<BotResult>
  /** Bot runs for acknowledged events in flight at once (default 4; with SQLite they run one at a time anyway). */
  concurrency?: number
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

export interface FeishuReceiver {
  /**
   * Dedupes, stores and (for cards) processes a verified webhook.
   * @throws WebhookPayloadError when a known event type is malformed (nothing is stored then).
   */
  accept(hook: FeishuWebhook): Promise<Receipt>
  /** Resolves when every event accepted so far has been processed (tests, graceful shutdown). */
  idle(): Promise<void>
  /**
   * Runs the bot on events stored and acknowledged before this receiver started but never processed (the
   * process stopped between the ack and the end of the bot run), oldest first. A run that had already queued
   * its replies queues nothing twice (their outbox keys come from the event id). Returns how many it resumed.
   */
  resume(): Promise<number>
  /**
   * Runs the bot again on one stored event that failed (or was never processed), after the cause is fixed:
   * `diaodu inbound --retry ID`. Returns the row's status afterwards.
   * @throws RangeError when there is no such Feishu row or it was already processed or ignored.
   */
  retry(inboundId: number): Promise<InboundStatus>
  /**
   * Runs a request's verification and acknowledgement; queued bot runs wait (briefly) while any is in
   * progress, so acks are not delayed by them. Transports wrap each request in it.
   */
  intake<T>(fn: () => Promise<T>): Promise<T>
}

const TIMEOUT = Symbol('timeout')

const nextMacrotask: (f: () => void) => void =
  typeof globalThis.setImmediate === 'function' ? (f) => void globalThis.setImmediate(f) : (f) => void setTimeout(f, 0)

/** How long a queued bot run may be held back while requests are being read and acknowledged. */
const MAX_DEFER_MS = 50

/**
 * Background work in arrival order, started at most one per macrotask, and held back (up to MAX_DEFER_MS)
 * while `busy()` says requests are being acknowledged. A bot run on SQLite is synchronous underneath (one
 * ~1 ms block); started between acks instead of during them, it does not add to their latency.
 */
function workQueue(concurrency: number, busy: () => boolean) {
  const waiting: { start: () => void; since: number }[] = []
  let running = 0
  let scheduled = false
  const schedule = (delayMs = 0) => {
    if (scheduled || waiting.length === 0 || running >= concurrency) return
    scheduled = true
    if (delayMs > 0) setTimeout(pump, delayMs)
    else nextMacrotask(pump)
  }
  const pump = () => {
    scheduled = false
    const next = waiting[0]
    if (!next || running >= concurrency) return
    if (busy() && Date.now() - next.since < MAX_DEFER_MS) return schedule(1)
    waiting.shift()
    next.start()
    schedule()
  }
  return <T>(fn: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      waiting.push({
        since: Date.now(),
        start: () => {
          running++
          fn()
            .then(resolve, reject)
            .finally(() => {
              running--
              schedule()
            })
        },
      })
      schedule()
    })
}

export function createFeishuReceiver(deps: FeishuReceiverDeps): FeishuReceiver {
  const run = deps.process ?? processEvent
  const platforms = deps.platforms ?? ['feishu']
  const budget = deps.cardBudgetMs ?? 2500
  const startedAt = deps.now().getTime()
  const inFlight = new Set<Promise<unknown>>()
  const chains = new Map<string, Promise<void>>()
  let intake = 0
  // Webhooks verified in the same turn are stored with one statement: one commit instead of one each.
  const record = coalesce((rows: InboundRow[]) => recordInboundMany(deps.db, rows), INBOUND_BATCH)
  const later = workQueue(deps.concurrency ?? 4, () => intake > 0)

  /** Runs `fn` after the previous work for the same person or chat (their pending state is per person). */
  function serial<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = chains.get(key) ?? Promise.resolve()
    const next = prev.then(fn)
    const tail = next.then(
      () => undefined,
      () => undefined,
    )
    chains.set(key, tail)
    void tail.then(() => {
      if (chains.get(key) === tail) chains.delete(key)
    })
    return track(next)
  }

  function track<T>(p: Promise<T>): Promise<T> {
    inFlight.add(p)
    void p.then(
      () => inFlight.delete(p),
      () => inFlight.delete(p),
    )
    return p
  }

  /** Runs the bot on a stored event and marks the row; errors are logged and marked, never thrown. */
  async function processStored(inboundId: number, hook: FeishuWebhook & { kind: 'event' | 'card' }, event: InboundEvent) {
    try {
      const ctx = await createBotContext(deps.db, deps.now(), platforms, deps.logger)
      const result = await run(ctx, event)
      await markInbound(deps.db, inboundId, 'processed')
      return result
    } catch (e) {
      deps.logger.error('feishu event failed', { eventId: hook.id, type: hook.type, inboundId, error: errorText(e) })
      await markInbound(deps.db, inboundId, 'failed', errorText(e)).catch((e2: unknown) =>
        deps.logger.error('could not mark inbound row failed', { inboundId, error: errorText(e2) }),
      )
      return undefined
    }
  }

  /** Card callbacks do not say whether their chat is a group: a chat we know as a group is one. */
  async function chatKindOf(hook: FeishuWebhook): Promise<((chatId: string) => 'direct' | 'group') | undefined> {
    if (hook.kind !== 'card') return undefined
    const context = hook.event.context as { open_chat_id?: unknown } | undefined
    const chatId = typeof context?.open_chat_id === 'string' ? context.open_chat_id : undefined
    if (!chatId) return undefined
    const known = await deps.db
      .select({ id: groups.id })
      .from(groups)
      .where(and(eq(groups.platform, 'feishu'), eq(groups.chatId, chatId)))
      .get()
    return () => (known ? 'group' : 'direct')
  }

  /** The neutral event for a webhook; null when there is nothing for the bot to do. */
  async function inboundEventOf(hook: FeishuWebhook & { kind: 'event' | 'card' }, receivedAt: Date): Promise<InboundEvent | null> {
    const chatKind = await chatKindOf(hook)
    return toInboundEvent(hook, { botOpenId: deps.botOpenId() ?? '', receivedAt, ...(chatKind && { chatKind }) })
  }

  async function accept(hook: FeishuWebhook): Promise<Receipt> {
    if (hook.kind === 'url_verification') return { kind: 'challenge', challenge: hook.challenge }
    const receivedAt = deps.now()
    const event = await inboundEventOf(hook, receivedAt)
    const inboundId = await record({ platform: 'feishu', dedupeKey: hook.id, raw: storedPayload(hook), receivedAt: receivedAt.getTime() })
    if (inboundId === null) {
      deps.logger.debug('feishu duplicate delivery ignored', { eventId: hook.id, type: hook.type })
      return { kind: 'duplicate' }
    }
    if (!event) {
      await markInbound(deps.db, inboundId, 'ignored', `nothing to do for ${hook.type}`)
      return hook.kind === 'card' ? { kind: 'card', response: {} } : { kind: 'ignored' }
    }
    const key = keyOf(event)

    if (hook.kind === 'event') {
      const work = track(later(() => serial(key, () => processStored(inboundId, hook, event)))).then(() => undefined)
      return { kind: 'accepted', inboundId, work }
    }

    const work = serial(key, () => processStored(inboundId, hook, event))
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<typeof TIMEOUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMEOUT), budget)
    })
    const result = await Promise.race([work, timeout])
    clearTimeout(timer)
    if (result === TIMEOUT) {
      deps.logger.warn('feishu card callback overran its budget; the card follows by delayed update', { eventId: hook.id, budgetMs: budget })
      return {
        kind: 'card',
        response: { toast: { type: 'info', content: '已收到，正在处理，稍后更新' } },
        late: track(work.then((late) => updateLater(hook, late))),
      }
    }
    if (!result) return { kind: 'card', response: { toast: { type: 'error', content: '处理失败，请稍后重试' } } }
    const resolveMention = await mentionResolver(deps.db, result.updateCard ? [{ kind: 'card', card: result.updateCard }] : [])
    return { kind: 'card', response: cardCallbackResponse(result, { resolveMention }) }
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

  /** Turns a stored row back into its event and runs the bot on it; an unreadable row is marked failed. */
  async function processRow(row: { id: number; raw: string; receivedAt: number }): Promise<void> {
    let hook: FeishuWebhook & { kind: 'event' | 'card' }
    let event: InboundEvent | null
    try {
      hook = storedHook(row.raw)
      event = await inboundEventOf(hook, new Date(row.receivedAt))
    } catch (e) {
      await markInbound(deps.db, row.id, 'failed', `cannot resume: ${errorText(e)}`)
      return
    }
    if (!event) return markInbound(deps.db, row.id, 'ignored', `nothing to do for ${hook.type}`)
    await serial(keyOf(event), () => processStored(row.id, hook, event))
  }

  async function resume(): Promise<number> {
    const rows = await unprocessedInbound(deps.db, 'feishu', startedAt)
    for (const row of rows) await processRow(row)
    if (rows.length) deps.logger.info('feishu events resumed after a restart', { count: rows.length })
    return rows.length
  }

  async function retry(inboundId: number): Promise<InboundStatus> {
    const row = await inboundById(deps.db, inboundId)
    if (!row || row.platform !== 'feishu') throw new RangeError(`没有编号为 ${inboundId} 的飞书消息记录 (no such Feishu inbound row)`)
    if (row.status === 'processed' || row.status === 'ignored') {
      throw new RangeError(`#${inboundId} 已${row.status === 'processed' ? '处理' : '忽略'}，无需重试 (already ${row.status})`)
    }
    await processRow(row)
    return (await inboundById(deps.db, inboundId))!.status
  }

  return {
    accept,
    resume,
    retry,
    async intake(fn) {
      intake++
      try {
        return await fn()
      } finally {
        intake--
      }
    },
    async idle() {
      while (inFlight.size) await Promise.allSettled([...inFlight])
    },
  }
}

/** Work for one person (or, for chat events, one chat) runs in order. */
function keyOf(event: InboundEvent): string {
  return 'sender' in event ? `u:${event.sender.userId}` : `c:${event.chat.chatId}`
}

/** The webhook back from what `storedPayload` kept. */
function storedHook(raw: string): FeishuWebhook & { kind: 'event' | 'card' } {
  const s = JSON.parse(raw) as { kind: 'event' | 'card'; id: string; type: string; createdAt?: string; event: Record<string, unknown> }
  if ((s.kind !== 'event' && s.kind !== 'card') || typeof s.id !== 'string' || typeof s.event !== 'object') throw new WebhookPayloadError('stored payload is not a Feishu event')
  const createdAt = s.createdAt ? new Date(s.createdAt) : undefined
  const common = { id: s.id, event: s.event, ...(createdAt && { createdAt }) }
  return s.kind === 'card' ? { kind: 'card', type: 'card.action.trigger', ...common } : { kind: 'event', type: s.type, ...common }
}

/**
 * What the inbound log keeps: the decrypted payload (readable later without the Encrypt Key), without the
 * verification token.
 */
function storedPayload(hook: FeishuWebhook & { kind: 'event' | 'card' }): string {
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
  /** FEISHU_ENCRYPT_KEY, FEISHU_VERIFICATION_TOKEN and WEBHOOK_MAX_AGE_SECONDS (0 = no age check). */
  secrets: Omit<WebhookSecrets, 'now'>
  /**
   * Keeps work running after the response. Default: `c.executionCtx.waitUntil(work)` where there is an
   * execution context (Workers), otherwise nothing (Node keeps running promises anyway; `work` never rejects).
   */
  defer?: (c: Context, work: Promise<void>) => void
  /** Use an existing receiver (e.g. to share it with the long-connection client). */
  receiver?: FeishuReceiver
}

/** Whether requests come with an ExecutionContext (Workers) — learnt from the first one, since asking throws. */
let hasExecutionCtx: boolean | undefined

function defaultDefer(c: Context, work: Promise<void>) {
  if (hasExecutionCtx === false) return // @hono/node-server: no ExecutionContext; the promise runs anyway
  try {
    c.executionCtx.waitUntil(work)
    hasExecutionCtx = true
  } catch {
    hasExecutionCtx = false
  }
}

/** The Hono sub-app with both webhook routes; mount with `app.route('/', feishuRoutes(deps))`. */
export function feishuRoutes(deps: FeishuRouteDeps) {
  const receiver = deps.receiver ?? createFeishuReceiver(deps)
  const defer = deps.defer ?? defaultDefer
  const secrets: WebhookSecrets = { ...deps.secrets, now: deps.now }
  const app = new Hono()

  const refuse = (c: Context, e: unknown) => {
    if (e instanceof WebhookAuthError) {
      deps.logger.warn('feishu webhook refused', { path: c.req.path, reason: e.message })
      return c.json({ error: 'unauthorized' }, 401)
    }
    if (e instanceof WebhookPayloadError) {
      deps.logger.warn('feishu webhook malformed', { path: c.req.path, reason: e.message })
      return c.json({ error: 'bad request' }, 400)
    }
    throw e
  }

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

  const handle = (c: Context) => receiver.intake(() => respond(c))
  const respond = async (c: Context) => {
    const rawBody = await c.req.text()
    let receipt: Receipt
    try {
      const hook = await openWebhook({ rawBody, headers: c.req.raw.headers }, secrets)
      receipt = await receiver.accept(hook)
    } catch (e) {
      return refuse(c, e)
    }
    switch (receipt.kind) {
      case 'challenge':
        return c.json({ challenge: receipt.challenge })
      case 'duplicate':
      case 'ignored':
        return c.json({})
      case 'accepted':
        defer(c, receipt.work)
        return c.json({})
      case 'card':
        if (receipt.late) defer(c, receipt.late)
        return c.json(receipt.response)
    }
  }

  app.post(FEISHU_EVENTS_PATH, limit, handle)
  app.post(FEISHU_CARDS_PATH, limit, handle)
  return app
}

function errorText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e)
}
