/**
 * Draining the outbox: claim due rows atomically, send each through its platform within the platform's
 * limits, and record what happened.
 *
 * - Claims: pending → sending with a lease (one UPDATE … RETURNING), so two processes never take the same
 *   row; a row left 'sending' by a crashed process is taken again when its lease runs out, and because every
 *   send carries the row's key as the platform's idempotency key (Feishu `uuid`), it is not delivered twice.
 * - Limits: token buckets per app, per user and per chat (limits.ts); rows whose recipient must wait stay
 *   queued while others go.
 * - Answers: sent → 'sent' with the message id; a rate limit (Feishu 99991400 with `x-ogw-ratelimit-reset`,
 *   230020; WeCom 45009, 45033) pauses the app or the recipient and retries after the reset without counting
 *   an attempt; other retryable errors back off exponentially up to `maxAttempts`; permanent ones (user outside
 *   the app's range, bot not in the group, user stopped the bot…) are marked 'failed' with the reason, and the
 *   office is told once per reason per day.
 * - Configuration errors (an answer with `config: true`, or a code in CONFIG_ERROR_CODES: wrong App Secret,
 *   App ID, scopes…) are not the message's fault: the row goes back to pending with its attempt not counted,
 *   the platform is paused (no claims) for `configRetryMs`, the office is told once per platform per day
 *   through another platform or the local inbox, and the next pass after the pause probes again; the first
 *   send that succeeds lifts the pause and everything queued goes, once (pause.ts).
 *
 * Runtime-agnostic: time comes from the clock given (a `Date` means real time from that instant).
 *
 * @example
 *   // one pass (what a 1-second loop calls): returns when nothing is due any more
 *   await drainOutbox(db, { feishu: feishuOutboxSender(sender, db), local: localOutboxSender() }, new Date(), {})
 */
import type { Db } from '../store/db.ts'
import type { MessageBody, OutboundMessage, Platform } from '../model/index.ts'
import {
  addressOwner,
  claimDue,
  existingKeys,
  extendLeases,
  markFailed,
  markSent,
  nextDueAt,
  release,
  reschedule,
  type OutboxRow,
} from '../store/repos/outbox.ts'
import { peopleWithRole } from '../store/repos/people.ts'
import { outboxKeys } from './keys.ts'
import { localDate } from '../domain/time.ts'
import { enqueue } from './enqueue.ts'
import { fnv1a64 } from './keys.ts'
import { clockFrom, type Clock } from './clock.ts'
import { createLimiter, RATE_LIMIT_CODES, type Limiter, type RateLimitRule } from './limits.ts'
import { CONFIG_RETRY_MS, isConfigError, pausesFor, type Pauses } from './pause.ts'

export type { OutboxRow }

/** What a platform said about one row. `code` (the platform's error code) lets rate limits pause the right scope. */
export type SendOutcome =
  | { ok: true; messageId: string }
  | {
      ok: false
      retryable: boolean
      retryAfterMs?: number
      reason: string
      code?: number | string
      /** The platform's configuration is wrong (credentials, scopes): pause the platform, not fail the row. */
      config?: boolean
    }

/** Sends one outbox row on one platform. Must not throw (a throw is treated as a retryable failure). */
export interface PlatformSender {
  send(row: OutboxRow): Promise<SendOutcome>
}

/** A sender object, or just its send function (`localOutboxSender()` is one). */
export type SenderLike = PlatformSender | ((row: OutboxRow) => Promise<SendOutcome>)

/** Senders by platform name. 'local' needs none: a local row is delivered when queued and is just marked sent. */
export type Senders = Partial<Record<Platform | (string & {}), SenderLike>>

export interface DrainOptions {
  /** Only rows of these platforms (default: the platforms in `senders`, plus 'local'). */
  platforms?: string[]
  /** Token buckets; default one per database handle, kept across passes. */
  limiter?: Limiter
  /** How long a claim holds a row (default 60 s). */
  leaseMs?: number
  /** Sends in flight at once (default 8). */
  concurrency?: number
  /** Rows kept in memory (default: ~4 s at the platforms' rate, 50–2000). */
  queueSize?: number
  /** Failed attempts (not counting rate limits) before a row is marked failed (default 8). */
  maxAttempts?: number
  /** Backoff before retry n (1-based), ms. Default 1 s, 2 s, 4 s … up to 10 min. */
  backoff?: (attempt: number) => number
  /**
   * When nothing is due, wait for the next row if it becomes due within this long (a retry after a rate
   * limit, another process's lease running out); otherwise return. Default 0: return at once.
   */
  waitMs?: number
  /** Stops the pass: queued rows are handed back, sends in flight finish. */
  signal?: AbortSignal
  /** Tell the office about permanent failures (default true). */
  notifyOffice?: boolean
  /** Platforms the office notice may go through (default: the drained platforms, then 'local'). */
  officePlatforms?: Platform[]
  /** Called after every platform answer (benches, logs). */
  onResult?: (row: OutboxRow, outcome: SendOutcome, at: number) => void
  /**
   * The earliest a row may leave, given the time (default: now). A row held past now goes back unsent, with
   * no attempt counted: how the quiet hours keep a retried 催办 from going out at 22:00 (`quietHoursHold`).
   */
  holdUntil?: (row: OutboxRow, now: number) => number
  /** Platforms paused by a configuration error; default one per database handle, kept across passes. */
  pauses?: Pauses
  /** How long a configuration error pauses its platform before the next probe (default 60 s). */
  configRetryMs?: number
  /** Where a pause and its end are logged (the office is told through the outbox as well). */
  logger?: { info(msg: string, fields?: Record<string, unknown>): void; warn(msg: string, fields?: Record<string, unknown>): void }
}

export interface DrainStats {
  claimed: number
  sent: number
  /** Retryable failures rescheduled with backoff. */
  retried: number
  /** Rate-limit answers (rescheduled after the platform's reset). */
  rateLimited: number
  failed: number
  /** Rows handed back unsent (abort, or a recipient that must wait longer than a lease). */
  released: number
  /** Rows held back by `holdUntil` (the quiet hours). */
  held: number
  /** Rows handed back because their platform answered a configuration error (not failed, attempt not counted). */
  paused: number
  officeNotices: number
  elapsedMs: number
}

const defaultBackoff = (attempt: number) => Math.min(600_000, 1000 * 2 ** Math.max(0, attempt - 1))
const limiters = new WeakMap<object, Limiter>()

/** The limiter a database handle's passes share unless one is given. */
export function limiterFor(db: Db): Limiter {
  let l = limiters.get(db)
  if (!l) limiters.set(db, (l = createLimiter()))
  return l
}

const asSender = (s: SenderLike): PlatformSender => (typeof s === 'function' ? { send: s } : s)
const localSender: PlatformSender = { send: async (row) => ({ ok: true, messageId: `local:${row.key}` }) }

/** The platform's error code: given, or read from the reason text ("…（230013: …）"). */
export function codeOf(o: Extract<SendOutcome, { ok: false }>): number | string | undefined {
  if (o.code !== undefined) return o.code
  const m = /[（(](\d{4,})[:：）)]/.exec(o.reason)
  return m ? Number(m[1]) : undefined
}

/** Whether an answer is a rate limit, and what it pauses. A retryable answer with a reset time counts as one. */
export function rateLimitOf(platform: string, o: Extract<SendOutcome, { ok: false }>): RateLimitRule | null {
  if (!o.retryable) return null
  const code = codeOf(o)
  const rule = typeof code === 'number' ? RATE_LIMIT_CODES[platform]?.[code] : undefined
  if (rule) return rule
  return o.retryAfterMs !== undefined ? { scope: 'app', waitMs: o.retryAfterMs } : null
}

/**
 * One pass over the outbox: sends everything due, within the limits, and returns when nothing is due (or,
 * with `waitMs`, nothing becomes due within that long). See the module comment.
 */
export async function drainOutbox(db: Db, senders: Senders, clock: Clock | Date, opts: DrainOptions = {}): Promise<DrainStats> {
  const c: Clock = clock instanceof Date ? clockFrom(clock) : clock
  const start = c.now()
  const platforms = opts.platforms ?? [...new Set([...Object.keys(senders), 'local'])]
  const limiter = opts.limiter ?? limiterFor(db)
  const leaseMs = opts.leaseMs ?? 60_000
  const concurrency = Math.max(1, opts.concurrency ?? 8)
  const maxAttempts = opts.maxAttempts ?? 8
  const backoff = opts.backoff ?? defaultBackoff
  const waitMs = opts.waitMs ?? 0
  const queueSize = opts.queueSize ?? queueSizeFor(limiter, platforms)
  const pauses = opts.pauses ?? pausesFor(db)
  const configRetryMs = opts.configRetryMs ?? CONFIG_RETRY_MS
  const stats: DrainStats = {
    claimed: 0,
    sent: 0,
    retried: 0,
    rateLimited: 0,
    failed: 0,
    released: 0,
    held: 0,
    paused: 0,
    officeNotices: 0,
    elapsedMs: 0,
  }
  const office = officeNotifier(db, opts, platforms, stats)
  const pausedNotice = pauseNotifier(db, opts, platforms, pauses, stats)
  /** ms before this row may go: its buckets, and its platform's pause. */
  const delayOf = (row: OutboxRow, now: number) => Math.max(limiter.delay(row, now), pauses.remaining(row.platform, now))

  const queue: OutboxRow[] = []
  const inflight = new Set<Promise<void>>()
  const inflightIds = new Set<number>()
  let exhausted = false
  let lastClaim = -Infinity
  let lastExtend = start

  const senderOf = (platform: string): PlatformSender | undefined => {
    const s = senders[platform]
    if (s) return asSender(s)
    return platform === 'local' ? localSender : undefined
  }

  async function deliver(row: OutboxRow): Promise<void> {
    const now = c.now()
    const release = opts.holdUntil?.(row, now) ?? now
    if (release > now) {
      await reschedule(db, row.id, release, null, false)
      stats.held++
      return
    }
    const sender = senderOf(row.platform)
    let out: SendOutcome
    try {
      out = sender ? await sender.send(row) : { ok: false, retryable: true, reason: `没有 ${row.platform} 的发送通道` }
    } catch (e) {
      out = { ok: false, retryable: true, reason: `发送出错（${e instanceof Error ? e.message : String(e)}）` }
    }
    const t = c.now()
    opts.onResult?.(row, out, t)
    if (out.ok) {
      await markSent(db, row.id, t, out.messageId)
      stats.sent++
      const ended = pauses.get(row.platform) && pauses.lift(row.platform)
      if (ended)
        opts.logger?.info(`${row.platform} sends resumed: its configuration works again`, {
          platform: row.platform,
          pausedSince: new Date(ended.since).toISOString(),
        })
      return
    }
    const rl = rateLimitOf(row.platform, out)
    if (isConfigError(row.platform, out, codeOf(out))) {
      // The app is set up wrong, not this message: back to the queue, its attempt not counted, and the
      // platform waits; the first pass after the pause probes with one of its rows.
      const until = t + configRetryMs
      const first = pauses.pause(row.platform, t, until, out.reason, codeOf(out))
      await reschedule(db, row.id, until, out.reason, false)
      stats.paused++
      if (first)
        opts.logger?.warn(`${row.platform} sends paused: configuration error`, {
          platform: row.platform,
          code: codeOf(out),
          reason: out.reason,
          retryInMs: configRetryMs,
        })
      await pausedNotice(row, out, t)
    } else if (rl) {
      const until = t + (out.retryAfterMs ?? rl.waitMs)
      limiter.pause(row, rl.scope, until)
      await reschedule(db, row.id, until, out.reason, false)
      stats.rateLimited++
    } else if (out.retryable && row.attempts < maxAttempts) {
      await reschedule(db, row.id, t + Math.max(out.retryAfterMs ?? 0, backoff(row.attempts)), out.reason)
      stats.retried++
    } else {
      const reason = out.retryable ? `重试 ${row.attempts} 次仍未成功：${out.reason}` : out.reason
      await markFailed(db, row.id, reason)
      stats.failed++
      await office(row, out, reason, t)
    }
  }

  function launch(row: OutboxRow) {
    inflightIds.add(row.id)
    const p: Promise<void> = deliver(row)
      .catch(() => {
        // The database write failed: the row stays 'sending' and is taken again when its lease ends.
      })
      .finally(() => {
        inflight.delete(p)
        inflightIds.delete(row.id)
      })
    inflight.add(p)
  }

  const settleOne = () => Promise.race(inflight)

  /**
   * When a row of a running platform may next be claimed. A paused platform's rows are not waited for: the
   * pass returns, and the first pass after the pause (the caller's loop, every second) probes.
   */
  async function nextDue(now: number): Promise<number | null> {
    const active = platforms.filter((p) => pauses.remaining(p, now) === 0)
    return active.length ? nextDueAt(db, active) : null
  }

  while (!opts.signal?.aborted) {
    let now = c.now()
    if (now - lastExtend > leaseMs / 3 && (queue.length || inflightIds.size)) {
      await extendLeases(db, [...queue.map((r) => r.id), ...inflightIds], now + leaseMs)
      lastExtend = now
    }
    // Top up the in-memory queue; after an empty claim, look again only once things have moved on.
    if (queue.length < queueSize / 2 && (!exhausted || now - lastClaim >= 250)) {
      const want = queueSize - queue.length
      const active = platforms.filter((p) => pauses.remaining(p, now) === 0)
      const rows = active.length ? await claimDue(db, now, leaseMs, want, active) : []
      lastClaim = now
      exhausted = rows.length < want
      stats.claimed += rows.length
      queue.push(...rows)
    }
    if (queue.length === 0) {
      if (inflight.size) {
        await settleOne()
        continue
      }
      const next = await nextDue(now)
      if (next === null) break
      now = c.now()
      if (next <= now) {
        exhausted = false
        continue
      }
      if (next - now > waitMs) break
      await c.sleep(next - now)
      exhausted = false
      continue
    }
    if (inflight.size >= concurrency) {
      await settleOne()
      continue
    }
    now = c.now()
    let pick = -1
    let soonest = Infinity
    for (let i = 0; i < queue.length; i++) {
      const d = delayOf(queue[i]!, now)
      if (d === 0) {
        pick = i
        break
      }
      soonest = Math.min(soonest, d)
    }
    if (pick >= 0) {
      const [row] = queue.splice(pick, 1)
      limiter.take(row!, now)
      launch(row!)
      continue
    }
    // Nothing may go yet. Rows that would outwait their lease go back to the table for later.
    if (soonest > leaseMs / 2) {
      for (let i = queue.length - 1; i >= 0; i--) {
        const d = delayOf(queue[i]!, now)
        if (d > leaseMs / 2) {
          const [row] = queue.splice(i, 1)
          await reschedule(db, row!.id, now + d, null, false)
          stats.released++
        }
      }
      continue
    }
    await (inflight.size ? Promise.race([settleOne(), c.sleep(soonest)]) : c.sleep(soonest))
  }
  await Promise.all(inflight)
  if (queue.length) {
    await release(
      db,
      queue.map((r) => r.id),
      c.now(),
    )
    stats.released += queue.length
  }
  stats.elapsedMs = c.now() - start
  return stats
}

/**
 * ~4 s of sends at the drained platforms' sustained rate (50–2000 rows): enough distinct recipients that
 * while some wait for their per-user bucket, others can go.
 */
function queueSizeFor(limiter: Limiter, platforms: string[]): number {
  let perSecond = 0
  for (const p of platforms) {
    const app = limiter.limits[p]?.app ?? []
    if (app.length) perSecond += Math.min(...app.map((r) => (r.count * 1000) / r.windowMs))
  }
  return Math.max(50, Math.min(2000, Math.ceil(perSecond * 4)))
}

const PLATFORM_NAMES: Record<string, string> = { feishu: '飞书', wecom: '企业微信', local: '本地' }

/**
 * Tells the people with role office about a permanent failure, once per platform, reason and day (keys make
 * a second failure of the same kind the same day queue nothing).
 */
function officeNotifier(db: Db, opts: DrainOptions, platforms: string[], stats: DrainStats) {
  let officeIds: number[] | undefined
  return async (row: OutboxRow, out: Extract<SendOutcome, { ok: false }>, reason: string, at: number) => {
    if (opts.notifyOffice === false) return
    officeIds ??= (await peopleWithRole(db, 'office')).map((p) => p.id)
    if (!officeIds.length) return
    const code = codeOf(out)
    const kind = code !== undefined ? String(code) : fnv1a64(out.reason.replace(/\d+/g, '#')).slice(0, 10)
    const day = localDate(new Date(at))
    const who = await addressOwner(db, row)
    const platform = PLATFORM_NAMES[row.platform] ?? row.platform
    const text =
      `【消息发送失败】${platform}：${reason}\n` +
      `收件${row.addressKind === 'chat' ? '群' : '人'}：${who ?? '未知'}（${row.address}）\n` +
      `消息：${describe(row.body as MessageBody)}（${row.key}）\n` +
      `今天同类失败不再逐条提醒，全部失败消息可在管理后台的发送记录中查看。`
    const messages: OutboundMessage[] = officeIds.map((id) => ({
      to: { kind: 'person', personId: id },
      key: outboxKeys.deliveryFailed(day, row.platform, kind, id),
      body: { kind: 'text', text },
    }))
    const keys = messages.map((m) => m.key!)
    const before = await existingKeys(db, keys)
    if (before.size === keys.length) return
    const via = opts.officePlatforms ?? ([...new Set([...platforms, 'local'])] as Platform[])
    await enqueue(db, { platforms: via }, messages, at, (i) => keys[i]!)
    stats.officeNotices += keys.length - before.size
  }
}

/**
 * Tells the people with role office that a platform is paused by a configuration error: once per platform
 * per day (the key), through another platform that is not paused, or the local inbox.
 */
function pauseNotifier(db: Db, opts: DrainOptions, platforms: string[], pauses: Pauses, stats: DrainStats) {
  let officeIds: number[] | undefined
  // Sends in flight answer at once: one notice per platform and day from this pass, whatever their order.
  const told = new Set<string>()
  return async (row: OutboxRow, out: Extract<SendOutcome, { ok: false }>, at: number) => {
    if (opts.notifyOffice === false) return
    const day = localDate(new Date(at))
    if (told.has(`${day}:${row.platform}`)) return
    told.add(`${day}:${row.platform}`)
    officeIds ??= (await peopleWithRole(db, 'office')).map((p) => p.id)
    if (!officeIds.length) return
    const keys = officeIds.map((id) => outboxKeys.deliveryPaused(day, row.platform, id))
    const before = await existingKeys(db, keys)
    if (before.size === keys.length) return
    const platform = PLATFORM_NAMES[row.platform] ?? row.platform
    const minutes = Math.max(1, Math.round((opts.configRetryMs ?? CONFIG_RETRY_MS) / 60_000))
    const text =
      `【${platform}消息暂停发送】${out.reason}\n` +
      `这是应用配置的问题（如 App ID、App Secret 或权限），不是某条消息的问题：待发的${platform}消息都留在队列里，不会标记为失败。` +
      `请在开发者后台或环境变量中改正后重启服务；系统每 ${minutes} 分钟重试一次，恢复后每条消息补发一次。今天不再重复提醒。`
    const messages: OutboundMessage[] = officeIds.map((id, i) => ({
      to: { kind: 'person', personId: id },
      key: keys[i]!,
      body: { kind: 'text', text },
    }))
    const candidates = opts.officePlatforms ?? ([...new Set([...platforms, 'local'])] as Platform[])
    const via = [...new Set([...candidates.filter((p) => p !== row.platform && pauses.remaining(p, at) === 0), 'local' as const])]
    await enqueue(db, { platforms: via }, messages, at, (i) => keys[i]!)
    stats.officeNotices += keys.length - before.size
  }
}

function describe(body: MessageBody | undefined): string {
  if (!body) return '—'
  if (body.kind === 'text') return body.text.length > 30 ? `${body.text.slice(0, 30)}…` : body.text
  return `卡片「${body.card.title}」`
}
