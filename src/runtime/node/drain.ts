/**
 * The outbox drain loop every Node channel runs: one drain at a time, the next one `everyMs` after the last
 * ended (0 = no loop; call `drainOnce` yourself), quiet hours read from the county's calendar on each drain.
 */
import type { Db } from '../../store/db.ts'
import type { Logger } from '../../log.ts'
import type { Platform } from '../../model/index.ts'
import { drainOutbox, type Senders } from '../../outbox/sender.ts'
import { quietHoursHold } from '../../outbox/quiet.ts'
import { loadDispatchCalendar } from '../../services/rules.ts'

export interface DrainLoop {
  drainOnce(): Promise<void>
  /** Stops the loop, aborts a drain under way and waits for it. */
  stop(): Promise<void>
}

export function startDrainLoop(o: { db: Db; senders: Senders; platform: Platform; now: () => Date; logger: Logger; everyMs?: number }): DrainLoop {
  const abort = new AbortController()
  const drainOnce = async () => {
    const hold = quietHoursHold(await loadDispatchCalendar(o.db))
    await drainOutbox(o.db, o.senders, o.now(), { platforms: [o.platform], signal: abort.signal, holdUntil: hold, logger: o.logger })
  }
  let stopped = false
  let timer: ReturnType<typeof setTimeout> | undefined
  let draining: Promise<void> | undefined
  const every = o.everyMs ?? 1000
  const loop = () => {
    if (stopped) return
    draining = drainOnce()
      .catch((e: unknown) => o.logger.error(`${o.platform} outbox drain failed`, { error: e instanceof Error ? e.message : String(e) }))
      .finally(() => {
        draining = undefined
        if (!stopped) timer = setTimeout(loop, every)
      })
  }
  if (every > 0) loop()
  return {
    drainOnce,
    async stop() {
      stopped = true
      abort.abort()
      clearTimeout(timer)
      await draining
    },
  }
}
