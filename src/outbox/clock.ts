/**
 * Time for the outbox sender, injected so tests and benches control it. `now()` is epoch ms; `sleep(ms)`
 * waits. The manual clock's sleep moves its time forward at once, so a test of a minute of rate limiting
 * runs in milliseconds while a fake platform (sharing the clock) sees the minute pass.
 */

export interface Clock {
  now(): number
  sleep(ms: number): Promise<void>
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)))

/** The system clock. */
export const systemClock: Clock = { now: () => Date.now(), sleep: realSleep }

/** Real elapsed time, starting at `start` (a pass called with a `Date` runs on this). */
export function clockFrom(start: Date): Clock {
  const offset = start.getTime() - Date.now()
  return { now: () => Date.now() + offset, sleep: realSleep }
}

export interface ManualClock extends Clock {
  /** Moves time forward (never back). */
  advance(ms: number): void
  /** Everything the clock was asked to sleep, in total (ms). */
  slept: number
}

/**
 * A clock that only moves when told or when someone sleeps on it. `sleep(ms)` yields to the event loop once
 * (so I/O in flight progresses) and returns with the time at least `ms` later than when it was called.
 *
 * @example const clock = manualClock(shanghaiTime(2026, 11, 25, 9).getTime())
 */
export function manualClock(start: number): ManualClock {
  let t = start
  const clock: ManualClock = {
    slept: 0,
    now: () => t,
    advance(ms) {
      if (ms > 0) t += ms
    },
    async sleep(ms) {
      // Wakes at (time of the call + ms): overlapping sleeps share the timeline instead of adding up.
      const target = t + Math.max(0, ms)
      await realSleep(0)
      if (target > t) {
        clock.slept += target - t
        t = target
      }
    },
  }
  return clock
}
