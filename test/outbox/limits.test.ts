import { describe, expect, it } from 'vitest'
import { PLATFORM_LIMITS, bucketFor, createLimiter, scaleAppLimits, sustainedPerSecond, type Rate } from '../../src/outbox/limits.ts'

/** The most sends in any window of `windowMs` (half-open, as the platforms count). */
function maxInWindow(times: number[], windowMs: number): number {
  let best = 0
  let lo = 0
  for (let hi = 0; hi < times.length; hi++) {
    while (times[lo]! <= times[hi]! - windowMs) lo++
    best = Math.max(best, hi - lo + 1)
  }
  return best
}

/**
 * Sends as fast as the limiter allows for `durationMs`, checking every millisecond: rows in turn, each
 * millisecond until one has to wait (a row blocked by its own recipient lets the next one try).
 */
function greedy(
  limiter: ReturnType<typeof createLimiter>,
  rows: { platform: string; address: string; addressKind: 'user' | 'chat' }[],
  durationMs: number,
) {
  const sent: { t: number; address: string }[] = []
  let i = 0
  for (let t = 0; t < durationMs; t++) {
    let blocked = 0
    while (blocked < Math.min(rows.length, 4)) {
      const row = rows[i % rows.length]!
      i++
      if (limiter.delay(row, t) === 0) {
        limiter.take(row, t)
        sent.push({ t, address: row.address })
        blocked = 0
      } else blocked++
    }
  }
  return sent
}

describe('token buckets for sliding-window limits', () => {
  it('shapes each documented limit as a small burst and a refill under the limit', () => {
    expect(bucketFor({ count: 50, windowMs: 1000 })).toEqual({ capacity: 2, perMs: (48 * 0.98) / 1100 })
    expect(bucketFor({ count: 1000, windowMs: 60_000 })).toEqual({ capacity: 50, perMs: (950 * 0.98) / 60_100 })
    expect(bucketFor({ count: 50, windowMs: 1000 }, { jitterMs: 0 }).perMs).toBe((48 * 0.98) / 1000)
    expect(bucketFor({ count: 5, windowMs: 1000 }).capacity).toBe(1)
    expect(bucketFor({ count: 1, windowMs: 1000 }).capacity).toBe(1)
    expect(sustainedPerSecond(PLATFORM_LIMITS.feishu!)).toBeCloseTo(1000 / 60)
  })

  it('never exceeds Feishu 50/s and 1000/min, and reaches ≥ 90 % of the binding limit', () => {
    const limiter = createLimiter()
    const rows = Array.from({ length: 400 }, (_, i) => ({ platform: 'feishu', address: `ou_${i}`, addressKind: 'user' as const }))
    const sent = greedy(limiter, rows, 180_000)
    const times = sent.map((s) => s.t)
    expect(maxInWindow(times, 1000)).toBeLessThanOrEqual(50)
    expect(maxInWindow(times, 60_000)).toBeLessThanOrEqual(1000)
    expect(sent.length / 3000).toBeGreaterThanOrEqual(0.9) // 3 minutes × 1000
  })

  it('never exceeds 5/s to one user or one group', () => {
    const limiter = createLimiter()
    const rows = [
      { platform: 'feishu', address: 'ou_a', addressKind: 'user' as const },
      { platform: 'feishu', address: 'oc_g', addressKind: 'chat' as const },
    ]
    const sent = greedy(limiter, rows, 10_000)
    for (const a of ['ou_a', 'oc_g']) {
      const times = sent.filter((s) => s.address === a).map((s) => s.t)
      expect(maxInWindow(times, 1000)).toBeLessThanOrEqual(5)
      expect(times.length).toBeGreaterThanOrEqual(35) // ≈ 3.6/s for 10 s
    }
  })

  it('keeps WeCom to 30/min and 1000/h per member and 20/min per group robot', () => {
    const limiter = createLimiter()
    const user = { platform: 'wecom', address: 'zhangsan', addressKind: 'user' as const }
    const robot = { platform: 'wecom', address: 'robot-key', addressKind: 'chat' as const }
    const sent = greedy(limiter, [user, robot], 3 * 60_000)
    const u = sent.filter((s) => s.address === 'zhangsan').map((s) => s.t)
    const r = sent.filter((s) => s.address === 'robot-key').map((s) => s.t)
    expect(maxInWindow(u, 60_000)).toBeLessThanOrEqual(30)
    expect(maxInWindow(r, 60_000)).toBeLessThanOrEqual(20)
    expect(u.length).toBeGreaterThanOrEqual(80)
  })

  it('pauses the app or one recipient until a rate limit resets, then refills from empty', () => {
    const limiter = createLimiter()
    const a = { platform: 'feishu', address: 'ou_a', addressKind: 'user' as const }
    const b = { platform: 'feishu', address: 'ou_b', addressKind: 'user' as const }
    limiter.pause(a, 'recipient', 2000)
    expect(limiter.delay(a, 0)).toBe(2000)
    expect(limiter.delay(b, 0)).toBe(0)
    limiter.pause(b, 'app', 5000)
    expect(limiter.delay(b, 1000)).toBe(4000)
    expect(limiter.delay(a, 3000)).toBe(2000)
    // After the reset the app bucket starts empty: the first token comes a refill interval later.
    expect(limiter.delay(b, 5000)).toBeGreaterThan(0)
    expect(limiter.delay(b, 5100)).toBe(0)
  })

  it('scales an app limit for benches', () => {
    const scaled = scaleAppLimits(PLATFORM_LIMITS.feishu!, 10)
    expect(scaled.app).toEqual<Rate[]>([
      { count: 500, windowMs: 1000 },
      { count: 10_000, windowMs: 60_000 },
    ])
    expect(scaled.user).toEqual(PLATFORM_LIMITS.feishu!.user)
  })
})
