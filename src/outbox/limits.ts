/**
 * Per-platform send limits as token buckets, and what a platform's rate-limit answer means.
 *
 * Platforms count in sliding windows ("50 in any second, 1000 in any minute"); a token bucket of capacity c
 * refilling at r never lets through more than c + r·W in a window W, so each limit `count / W` becomes a
 * bucket with a small burst (c = 5 % of count, at least 1) refilling at (count − c) × 98 % per (W + 100 ms,
 * for sends that arrive bunched up by network jitter). Sustained throughput is then ≈ 93 % of the binding
 * limit (Feishu's 1000/min), and the platform never has to say no.
 *
 * | platform | app (all sends)             | per user             | per chat (group)        |
 * |----------|-----------------------------|----------------------|-------------------------|
 * | feishu   | 50/s, 1000/min              | 5/s                  | 5/s (shared by all bots) |
 * | wecom    | 10,000/min, 150,000/h (corp)| 30/min, 1000/h       | 20/min (group robot)    |
 *
 * Sources: Feishu message/create 使用限制 and frequency-control docs; WeCom 发送应用消息 频率限制
 * (https://developer.work.weixin.qq.com/document/path/90236). Buckets live in one process; run one sender per app
 * (a second one shares the platform's quota, and its rate-limit answers are honoured with backoff).
 */

/** At most `count` sends in any `windowMs`. */
export interface Rate {
  count: number
  windowMs: number
}

export interface PlatformLimits {
  /** All sends of the app (tenant / corp). */
  app: Rate[]
  /** Sends to one user. */
  user: Rate[]
  /** Sends to one chat (group, or group robot). */
  chat: Rate[]
}

const SECOND = 1000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE

export const PLATFORM_LIMITS: Readonly<Record<string, PlatformLimits>> = {
  feishu: {
    app: [
      { count: 50, windowMs: SECOND },
      { count: 1000, windowMs: MINUTE },
    ],
    user: [{ count: 5, windowMs: SECOND }],
    chat: [{ count: 5, windowMs: SECOND }],
  },
  wecom: {
    app: [
      { count: 10_000, windowMs: MINUTE },
      { count: 150_000, windowMs: HOUR },
    ],
    user: [
      { count: 30, windowMs: MINUTE },
      { count: 1000, windowMs: HOUR },
    ],
    chat: [{ count: 20, windowMs: MINUTE }],
  },
  local: { app: [], user: [], chat: [] },
}

/** What a rate-limit answer pauses, and for how long when the platform does not say. */
export interface RateLimitRule {
  scope: 'app' | 'recipient'
  waitMs: number
}

/**
 * Rate-limit codes by platform: Feishu 99991400 (app quota; `x-ogw-ratelimit-reset` says how long), 230020
 * (5 QPS per user / chat), 11232; WeCom 45009 (frequency; minute blocks last 60 s), 45033 (concurrency).
 */
export const RATE_LIMIT_CODES: Readonly<Record<string, Readonly<Record<number, RateLimitRule>>>> = {
  feishu: {
    99991400: { scope: 'app', waitMs: SECOND },
    230020: { scope: 'recipient', waitMs: SECOND },
    11232: { scope: 'app', waitMs: SECOND },
  },
  wecom: {
    45009: { scope: 'app', waitMs: MINUTE },
    45033: { scope: 'app', waitMs: 2 * SECOND },
  },
}

export interface BucketOptions {
  /** Burst as a share of the limit (default 0.05). */
  burst?: number
  /** Safety margin on the refill rate (default 0.02). */
  margin?: number
  /**
   * How unevenly sends may arrive compared with when they left (network latency varies), ms (default 100):
   * the refill is spread over window + jitter, so bunched arrivals still fit the platform's window.
   */
  jitterMs?: number
}

/**
 * Bucket shape for a limit: capacity c = 5 % of the count (≥ 1), refill (count − c) × 98 % per (window +
 * jitter). `bucketFor({ count: 1000, windowMs: 60_000 })` → capacity 50, ≈ 15.5/s; 50/s → 2 + ≈ 42.8/s.
 */
export function bucketFor(rate: Rate, o: BucketOptions = {}): { capacity: number; perMs: number } {
  const burst = o.burst ?? 0.05
  const margin = o.margin ?? 0.02
  const span = rate.windowMs + (o.jitterMs ?? 100)
  if (rate.count <= 1) return { capacity: 1, perMs: (1 - margin) / span }
  const capacity = Math.min(rate.count - 1, Math.max(1, Math.floor(rate.count * burst)))
  return { capacity, perMs: ((rate.count - capacity) * (1 - margin)) / span }
}

class Bucket {
  tokens: number
  last: number
  pausedUntil = 0
  readonly capacity: number
  readonly perMs: number
  constructor(capacity: number, perMs: number, now: number) {
    this.capacity = capacity
    this.perMs = perMs
    this.tokens = capacity
    this.last = now
  }
  private refill(now: number) {
    if (now > this.last) {
      this.tokens = Math.min(this.capacity, this.tokens + (now - this.last) * this.perMs)
      this.last = now
    }
  }
  /** ms until a token is there (0 = now). */
  delay(now: number): number {
    this.refill(now)
    const paused = Math.max(0, this.pausedUntil - now)
    const short = this.tokens >= 1 ? 0 : Math.ceil((1 - this.tokens) / this.perMs)
    return Math.max(paused, short)
  }
  take(now: number) {
    this.refill(now)
    this.tokens -= 1
  }
  full(now: number) {
    this.refill(now)
    return this.tokens >= this.capacity && this.pausedUntil <= now
  }
}

/** The fields of an outbox row the limiter reads. */
export interface Addressed {
  platform: string
  address: string
  addressKind: 'user' | 'chat'
}

export interface Limiter {
  /** ms before this row may be sent (0 = now). */
  delay(row: Addressed, now: number): number
  /** Spends the row's tokens (call only when `delay` is 0). */
  take(row: Addressed, now: number): void
  /** Honours a rate-limit answer: nothing goes to the app (or this recipient) before `until`. */
  pause(row: Addressed, scope: 'app' | 'recipient', until: number): void
  /** The limits in force, for logs and benches. */
  limits: Readonly<Record<string, PlatformLimits>>
}

export interface LimiterOptions extends BucketOptions {
  /** Per-platform limits (default PLATFORM_LIMITS); a platform missing here is not limited. */
  limits?: Readonly<Record<string, PlatformLimits>>
}

/**
 * Token buckets per platform (app), per user and per chat.
 *
 * @example
 *   const limiter = createLimiter()
 *   const wait = limiter.delay(row, clock.now())   // 0 → send now, after limiter.take(row, now)
 */
export function createLimiter(o: LimiterOptions = {}): Limiter {
  const limits = o.limits ?? PLATFORM_LIMITS
  const buckets = new Map<string, Bucket[]>()
  let takes = 0

  function scopes(row: Addressed): { key: string; rates: Rate[] }[] {
    const l = limits[row.platform]
    if (!l) return []
    return [
      { key: `${row.platform}:app`, rates: l.app },
      { key: `${row.platform}:${row.addressKind}:${row.address}`, rates: row.addressKind === 'chat' ? l.chat : l.user },
    ]
  }
  function bucketsOf(key: string, rates: Rate[], now: number): Bucket[] {
    let list = buckets.get(key)
    if (!list) {
      list = rates.map((r) => {
        const b = bucketFor(r, o)
        return new Bucket(b.capacity, b.perMs, now)
      })
      buckets.set(key, list)
    }
    return list
  }
  function prune(now: number) {
    for (const [key, list] of buckets) if (!key.endsWith(':app') && list.every((b) => b.full(now))) buckets.delete(key)
  }

  return {
    limits,
    delay(row, now) {
      let wait = 0
      for (const s of scopes(row)) for (const b of bucketsOf(s.key, s.rates, now)) wait = Math.max(wait, b.delay(now))
      return wait
    },
    take(row, now) {
      for (const s of scopes(row)) for (const b of bucketsOf(s.key, s.rates, now)) b.take(now)
      if (++takes % 5000 === 0) prune(now)
    },
    pause(row, scope, until) {
      const s = scopes(row)[scope === 'app' ? 0 : 1]
      if (!s) return
      for (const b of bucketsOf(s.key, s.rates, until)) {
        b.pausedUntil = Math.max(b.pausedUntil, until)
        // A paused window is spent: refill from empty once the pause ends, not with a burst.
        b.tokens = Math.min(b.tokens, 0)
        b.last = Math.max(b.last, until)
      }
    },
  }
}

/** The binding sustained rate of a platform's app limits, per second (feishu: 1000/min ≈ 16.7/s). */
export function sustainedPerSecond(l: PlatformLimits): number {
  return Math.min(...l.app.map((r) => (r.count * 1000) / r.windowMs))
}

/** Multiplies a platform's app-wide limits (benches that would take too long at the real quota). */
export function scaleAppLimits(l: PlatformLimits, factor: number): PlatformLimits {
  return { ...l, app: l.app.map((r) => ({ count: Math.round(r.count * factor), windowMs: r.windowMs })) }
}
