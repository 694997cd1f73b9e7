/**
 * The one receiver every channel uses, Bolt-style: store the verified event, acknowledge, then work.
 *
 * A channel verifies and decodes a delivery (payload → InboundEvent) and hands it to `accept` with the
 * payload to keep and its dedupe key. The intake
 * 1. stores it in the inbound log under (platform, dedupe key), several deliveries of one event-loop turn in
 *    one statement; a repeat delivery stops here;
 * 2. runs the bot on it after the acknowledgement, in order per sender (their pending conversation is per
 *    person), at most `concurrency` at once and started between acknowledgements rather than during them;
 * 3. queues the replies in the outbox (keys from the event id) and marks the row — the bot's writes, the
 *    outbox rows and the mark in one transaction where the runtime has them (`transact`).
 *
 * A delivery that must be answered with the bot's result (a card click) passes `waitMs`: the answer comes
 * within that time, or `late` carries the result for the channel's delayed update.
 *
 * Rows are leased to the process that works on them: `resume` (at start-up) takes only rows whose lease
 * has run out, so two processes on one database never run each other's events; `retry` (`diaodu inbound
 * --retry ID`) runs one failed row again through its channel's decoder.
 *
 * Runtime-agnostic: the runtime hands in the transaction and nothing else differs.
 *
 * @example
 *   const intake = createIntake({ db, logger, now, platforms: ['feishu'], decoders: { feishu: decodeFeishu } })
 *   const r = await intake.accept({ platform: 'feishu', dedupeKey: hook.id, raw, event })
 */
import type { Db } from '../store/db.ts'
import type { Logger } from '../log.ts'
import type { BotResult, InboundEvent, OutboundMessage, Platform } from '../model/index.ts'
import { createBotContext } from '../bot/context.ts'
import { handleEvent } from '../bot/handle.ts'
import { enqueue, refreshCards } from '../outbox/enqueue.ts'
import { cardUpdateKey, pushKey, replyKey } from '../outbox/keys.ts'
import { coalesce } from '../store/coalesce.ts'
import {
  INBOUND_BATCH,
  claimInbound,
  expiredInbound,
  inboundById,
  markInbound,
  recordInboundMany,
  type InboundRow,
  type InboundStatus,
} from '../store/repos/inbound.ts'

/**
 * Runs `fn` so that its writes land together or not at all (better-sqlite3: one transaction). A runtime whose
 * unit of work is not the connection's (D1: one batch, src/runtime/workers/d1.ts) hands `fn` the handle to
 * write through; without one, `fn` uses its own.
 */
export type Transact = <T>(fn: (db?: Db) => Promise<T>) => Promise<T>

/** Turns a stored payload back into its event (resume, retry); null when there is nothing to do. */
export type Decoder = (raw: string, receivedAt: Date) => Promise<InboundEvent | null>

export interface IntakeDeps {
  db: Db
  logger: Logger
  now: () => Date
  /** Platforms the outbox may deliver replies on, in order of preference. */
  platforms: Platform[]
  /** Each platform's decoder of stored payloads (the channel registry's). */
  decoders: Partial<Record<string, Decoder>>
  /** The bot (default `handleEvent`); tests put a slower or failing one here. */
  bot?: typeof handleEvent
  /** The runtime's transaction; without one (D1) each statement commits alone. */
  transact?: Transact
  /**
   * Bot runs started together (default 16). On SQLite they run one after another, and those started together
   * commit as one group: one commit for up to this many events.
   */
  concurrency?: number
  /** This process's name on the rows it works on (default a random id). */
  owner?: string
  /** How long a row stays this process's once taken (default 60 s): after that another process may resume it. */
  leaseMs?: number
}

/** A verified delivery: what to keep, under which key, and the event (null: stored and marked ignored). */
export interface Delivery {
  platform: Platform
  dedupeKey: string
  raw: string
  event: InboundEvent | null
  /** Why there is nothing to do, for the log row (default 'nothing to do'). */
  ignoredBecause?: string
}

export type Accepted =
  /** Already seen (a platform's retry): do nothing. */
  | { kind: 'duplicate' }
  /** Stored and marked ignored. */
  | { kind: 'ignored'; inboundId: number }
  /**
   * Stored and queued: `work` runs after the acknowledgement and never rejects; hand it to `waitUntil`
   * where the runtime needs that.
   */
  | { kind: 'queued'; inboundId: number; work: Promise<void> }
  /**
   * Processed within `waitMs`: the result (undefined when the bot failed; the row is marked failed), or, when
   * the budget ran out, `late`, which resolves with the result once the bot is done.
   */
  | { kind: 'answered'; inboundId: number; result: BotResult | undefined; late?: Promise<BotResult | undefined> }

export interface Intake {
  accept(delivery: Delivery, opts?: { waitMs?: number }): Promise<Accepted>
  /** Runs the rows whose lease has run out (a process stopped between the ack and the end of its work). */
  resume(platform?: string): Promise<number>
  /**
   * Runs one stored row again after its cause is fixed. Returns the row's status afterwards.
   * @throws RangeError when there is no such row, it was processed or ignored, or another process holds it.
   */
  retry(inboundId: number): Promise<InboundStatus>
  /** Wrap each request's verification and acknowledgement in it: queued bot runs wait while one is going on. */
  intake<T>(fn: () => Promise<T>): Promise<T>
  /** Resolves when every event accepted so far has been processed (tests, graceful shutdown). */
  idle(): Promise<void>
}

const TIMEOUT = Symbol('timeout')
const DEFAULT_LEASE_MS = 60_000

const nextMacrotask: (f: () => void) => void =
  typeof globalThis.setImmediate === 'function' ? (f) => void globalThis.setImmediate(f) : (f) => void setTimeout(f, 0)

/** How long a queued bot run may be held back while requests are being read and acknowledged. */
const MAX_DEFER_MS = 50

/**
 * Background work in arrival order, up to `concurrency` started together in one macrotask, and held back (up
 * to MAX_DEFER_MS) while `busy()` says requests are being acknowledged. A bot run on SQLite is synchronous
 * underneath (one block of a few hundred µs); started between acks instead of during them, it does not add
 * to their latency.
 */
function workQueue(concurrency: number, busy: () => boolean) {
  // A queue read from `head` on: under a burst thousands wait, and Array#shift would copy them all each time.
  let waiting: { start: () => void; since: number }[] = []
  let head = 0
  let running = 0
  let scheduled = false
  const schedule = (delayMs = 0) => {
    if (scheduled || head === waiting.length || running >= concurrency) return
    scheduled = true
    if (delayMs > 0) setTimeout(pump, delayMs)
    else nextMacrotask(pump)
  }
  // Everything that may start now starts in this one macrotask: on SQLite their transactions then commit as one
  // group (serialTransactions), one commit for several events instead of one each.
  const pump = () => {
    scheduled = false
    while (head < waiting.length && running < concurrency) {
      if (busy() && Date.now() - waiting[head]!.since < MAX_DEFER_MS) return schedule(1)
      waiting[head++]!.start()
    }
    if (head === waiting.length) {
      waiting = []
      head = 0
    } else if (head > 1024 && head * 2 > waiting.length) {
      waiting = waiting.slice(head)
      head = 0
    }
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

export function createIntake(deps: IntakeDeps): Intake {
  const bot = deps.bot ?? handleEvent
  const transact: Transact = deps.transact ?? ((fn) => fn())
  const owner = deps.owner ?? crypto.randomUUID()
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS
  const inFlight = new Set<Promise<unknown>>()
  const chains = new Map<string, Promise<void>>()
  let acking = 0
  // Deliveries verified in the same turn are stored with one statement: one commit instead of one each.
  const record = coalesce((rows: InboundRow[]) => recordInboundMany(deps.db, rows), INBOUND_BATCH)
  const later = workQueue(deps.concurrency ?? 16, () => acking > 0)

  /** Runs `fn` after the previous work for the same person or chat. */
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

  /**
   * The bot on one stored event: its writes, its replies in the outbox and the row marked processed, in one
   * transaction. The turn's `now` is when the event arrived, so a resumed or retried event is the same turn.
   * Errors are logged and the row marked failed (after the rollback), never thrown.
   */
  async function processStored(inboundId: number, event: InboundEvent, leasedUntil?: number): Promise<BotResult | undefined> {
    try {
      return await transact(async (tx = deps.db) => {
        // Still ours (a row queued here longer than its lease may have been resumed by another process)? A row
        // this process stored, well inside the lease it was stored with, is: no other process takes a row
        // before its lease runs out, so the claim (an UPDATE per event) is only needed past half the lease.
        const at = deps.now().getTime()
        const surelyOurs = leasedUntil !== undefined && at < leasedUntil - leaseMs / 2
        if (!surelyOurs && !(await claimInbound(deps.db, inboundId, owner, at, at + leaseMs))) {
          deps.logger.info('inbound event taken over by another process', { inboundId, eventId: event.id })
          return undefined
        }
        const ctx = await createBotContext(tx, event.receivedAt, deps.platforms, deps.logger)
        const result = await bot(ctx, event)
        // Earlier cards about what changed first, so this turn's own new cards (already current) stay as made.
        if (result.refresh?.length)
          await refreshCards(tx, result.refresh, event.receivedAt.getTime(), {
            key: (rowId) => cardUpdateKey(event.platform, event.id, rowId),
            ...(event.type === 'card_action' &&
              event.messageId !== undefined &&
              result.updateCard && { exclude: { platform: event.platform, messageId: event.messageId } }),
          })
        // A message into the chat the event came from is a reply (it goes at once, quiet hours or not); one to
        // anyone else is a push, even though a person's command sent it.
        const { unreachable } = await enqueue(tx, { platforms: deps.platforms }, result.messages, event.receivedAt.getTime(), (i) =>
          isReplyTo(result.messages[i]!, event) ? replyKey(event.platform, event.id, i) : pushKey(event.platform, event.id, i),
        )
        if (unreachable.length) deps.logger.warn('recipients not reachable on any enabled platform', { count: unreachable.length })
        await markInbound(tx, inboundId, 'processed')
        return result
      })
    } catch (e) {
      deps.logger.error('inbound event failed', { platform: event.platform, eventId: event.id, type: event.type, inboundId, error: errorText(e) })
      await markInbound(deps.db, inboundId, 'failed', errorText(e)).catch((e2: unknown) =>
        deps.logger.error('could not mark inbound row failed', { inboundId, error: errorText(e2) }),
      )
      return undefined
    }
  }

  async function accept(d: Delivery, opts: { waitMs?: number } = {}): Promise<Accepted> {
    const receivedAt = d.event?.receivedAt ?? deps.now()
    const leasedUntil = receivedAt.getTime() + leaseMs
    const inboundId = await record({
      platform: d.platform,
      dedupeKey: d.dedupeKey,
      raw: d.raw,
      receivedAt: receivedAt.getTime(),
      leaseOwner: owner,
      leaseUntil: leasedUntil,
    })
    if (inboundId === null) {
      deps.logger.debug('duplicate delivery ignored', { platform: d.platform, dedupeKey: d.dedupeKey })
      return { kind: 'duplicate' }
    }
    const event = d.event
    if (!event) {
      await markInbound(deps.db, inboundId, 'ignored', d.ignoredBecause ?? 'nothing to do')
      return { kind: 'ignored', inboundId }
    }
    if (opts.waitMs === undefined) {
      const work = track(later(() => serial(keyOf(event), () => processStored(inboundId, event, leasedUntil)))).then(() => undefined)
      return { kind: 'queued', inboundId, work }
    }
    const work = serial(keyOf(event), () => processStored(inboundId, event, leasedUntil))
    if (!Number.isFinite(opts.waitMs)) return { kind: 'answered', inboundId, result: await work }
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<typeof TIMEOUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMEOUT), opts.waitMs)
    })
    const result = await Promise.race([work, timeout])
    clearTimeout(timer)
    if (result === TIMEOUT) return { kind: 'answered', inboundId, result: undefined, late: work }
    return { kind: 'answered', inboundId, result }
  }

  /** Turns a stored row back into its event and runs the bot on it; an unreadable row is marked failed. */
  async function processRow(row: { id: number; platform: string; raw: string; receivedAt: number }): Promise<void> {
    const decode = deps.decoders[row.platform]
    let event: InboundEvent | null
    try {
      if (!decode) throw new Error(`no channel decodes ${row.platform} payloads`)
      event = await decode(row.raw, new Date(row.receivedAt))
    } catch (e) {
      await markInbound(deps.db, row.id, 'failed', `cannot resume: ${errorText(e)}`)
      return
    }
    if (!event) return markInbound(deps.db, row.id, 'ignored', 'nothing to do')
    await serial(keyOf(event), () => processStored(row.id, event))
  }

  async function resume(platform?: string): Promise<number> {
    const at = deps.now().getTime()
    let resumed = 0
    for (const row of await expiredInbound(deps.db, at, platform)) {
      // Taken by compare-and-set: a second process resuming at the same time gets nothing.
      if (!(await claimInbound(deps.db, row.id, owner, at, at + leaseMs))) continue
      await processRow(row)
      resumed++
    }
    if (resumed) deps.logger.info('inbound events resumed after a restart', { count: resumed })
    return resumed
  }

  async function retry(inboundId: number): Promise<InboundStatus> {
    const row = await inboundById(deps.db, inboundId)
    if (!row) throw new RangeError(`没有编号为 ${inboundId} 的消息记录 (no such inbound row)`)
    if (row.status === 'processed' || row.status === 'ignored') {
      throw new RangeError(`#${inboundId} 已${row.status === 'processed' ? '处理' : '忽略'}，无需重试 (already ${row.status})`)
    }
    const at = deps.now().getTime()
    if (!(await claimInbound(deps.db, row.id, owner, at, at + leaseMs, { evenFailed: true })))
      throw new RangeError(`#${inboundId} 正由另一个进程处理，请稍后再试 (another process holds it)`)
    await processRow(row)
    return (await inboundById(deps.db, inboundId))!.status
  }

  return {
    accept,
    resume,
    retry,
    async intake(fn) {
      acking++
      try {
        return await fn()
      } finally {
        acking--
      }
    },
    async idle() {
      while (inFlight.size) await Promise.allSettled([...inFlight])
    },
  }
}

/** What a channel hands over to get an intake: the process's shared one, or the parts to make its own. */
export type ChannelIntakeDeps = Pick<IntakeDeps, 'db' | 'logger' | 'now' | 'bot' | 'transact' | 'concurrency'> & { intake?: Intake }

/** The intake a channel feeds: the shared one when given (npm start), else its own (tests, a channel alone). */
export function channelIntake(deps: ChannelIntakeDeps, platforms: Platform[], decoders: IntakeDeps['decoders']): Intake {
  if (deps.intake) return deps.intake
  const { db, logger, now, bot, transact, concurrency } = deps
  return createIntake({
    db,
    logger,
    now,
    platforms,
    decoders,
    ...(bot && { bot }),
    ...(transact && { transact }),
    ...(concurrency !== undefined && { concurrency }),
  })
}

/** Whether a message goes back into the chat the event came from. */
function isReplyTo(m: OutboundMessage, event: InboundEvent): boolean {
  return m.to.kind === 'chat' && m.to.chat.platform === event.platform && m.to.chat.chatId === event.chat.chatId
}

/** Work for one person (or, for chat events, one chat) runs in order. */
function keyOf(event: InboundEvent): string {
  return 'sender' in event ? `u:${event.platform}:${event.sender.userId}` : `c:${event.platform}:${event.chat.chatId}`
}

function errorText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e)
}
