/**
 * Pausing a platform whose configuration is wrong. A wrong App Secret (Feishu 10014), App ID (10003), bot
 * capability turned off (230006) or a missing scope (99991672) is not a per-message failure: every send
 * fails the same way until someone fixes the app, and then every one of them should go. So the outbox does
 * not mark such rows failed: it hands the row back (pending, its attempt not counted), stops claiming that
 * platform's rows for `retryMs` (one minute), tells the office once a day, and then lets one pass probe
 * again. When a send succeeds the pause is lifted and everything queued goes, once.
 *
 * Where the state lives: in this process, per database handle (like the rate limiter's buckets), not in a
 * settings row. What must survive is already durable: the queued rows stay pending in the outbox and the
 * office notice is deduplicated by its outbox key (per platform and day), so a second process or a restart
 * finds the error with one probe of its own and tells nobody twice. A restart is how a fixed secret takes
 * effect (the environment is read at start-up), and a pause kept in the database would hold the fixed
 * process back for up to a minute; kept in memory, the first pass after the restart sends.
 *
 * A platform's sender marks such an answer `config: true` (Feishu: classifyFeishuError in
 * src/channels/feishu/send.ts). `CONFIG_ERROR_CODES` reads the same codes from the answer's code for senders
 * that pass only the code on, as RATE_LIMIT_CODES does for rate limits.
 *
 * @example
 *   const pauses = pausesFor(db)
 *   pauses.remaining('feishu', Date.now()) // 0 → claim and send; > 0 → wait that long
 */
import type { Db } from '../store/db.ts'

export const CONFIG_RETRY_MS = 60_000

/** Codes that mean "the app is configured wrong", by platform (Feishu: FEISHU_CONFIG_ERROR_CODES). */
export const CONFIG_ERROR_CODES: Readonly<Record<string, ReadonlySet<number>>> = {
  feishu: new Set([10003, 10014, 230006, 99991672]),
}

/** What a platform said, as far as this module reads it. */
export interface ConfigAnswer {
  ok: false
  config?: boolean
  code?: number | string
  reason: string
}

/** Whether a failed send says the platform's configuration is wrong (not this message). */
export function isConfigError(platform: string, o: ConfigAnswer, code: number | string | undefined = o.code): boolean {
  if (o.config === true) return true
  return typeof code === 'number' && (CONFIG_ERROR_CODES[platform]?.has(code) ?? false)
}

export interface PlatformPause {
  platform: string
  /** When this process first saw the error (kept across re-pauses until a send succeeds). */
  since: number
  /** No claims for the platform before this; the first pass after it probes. */
  until: number
  reason: string
  code?: number | string
}

export interface Pauses {
  /** ms before the platform's rows may be claimed again (0 = not paused). */
  remaining(platform: string, now: number): number
  /** The pause in force or expired but not yet lifted by a successful send. */
  get(platform: string): PlatformPause | undefined
  /** Pauses (or re-pauses) the platform until `until`; returns true when it was not paused before. */
  pause(platform: string, at: number, until: number, reason: string, code?: number | string): boolean
  /** Lifts the pause after a successful send; returns the pause that ended, if any. */
  lift(platform: string): PlatformPause | undefined
}

export function createPauses(): Pauses {
  const byPlatform = new Map<string, PlatformPause>()
  return {
    remaining(platform, now) {
      const p = byPlatform.get(platform)
      return p ? Math.max(0, p.until - now) : 0
    },
    get: (platform) => byPlatform.get(platform),
    pause(platform, at, until, reason, code) {
      const before = byPlatform.get(platform)
      byPlatform.set(platform, {
        platform,
        since: before?.since ?? at,
        until: Math.max(until, before?.until ?? 0),
        reason,
        ...(code !== undefined && { code }),
      })
      return !before
    },
    lift(platform) {
      const p = byPlatform.get(platform)
      byPlatform.delete(platform)
      return p
    },
  }
}

const pausesByDb = new WeakMap<object, Pauses>()

/** The pauses a database handle's passes share unless one is given. */
export function pausesFor(db: Db): Pauses {
  let p = pausesByDb.get(db)
  if (!p) pausesByDb.set(db, (p = createPauses()))
  return p
}
