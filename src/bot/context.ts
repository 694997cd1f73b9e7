import type { Db } from '../store/db.ts'
import type { Platform } from '../model/index.ts'
import type { Logger } from '../log.ts'
import type { Rules } from '../services/rules.ts'
import { loadCalendar, loadRules } from '../services/rules.ts'
import type { WorkdayCalendar } from '../domain/workdays.ts'
import { getSetting } from '../store/repos/settings.ts'

/** Everything a handler may use. `now` is fixed for the whole handling of one event. */
export interface BotContext {
  db: Db
  now: Date
  /** Platforms that can deliver messages now (outbox resolution order). */
  platforms: Platform[]
  logger: Logger
  rules: Rules
  calendar: WorkdayCalendar
  /** The database holds the demo county: cards say so. */
  demo: boolean
}

export async function createBotContext(db: Db, now: Date, platforms: Platform[], logger: Logger): Promise<BotContext> {
  const [rules, calendar, demo] = await Promise.all([loadRules(db), loadCalendar(db), getSetting(db, 'demo')])
  return { db, now, platforms, logger, rules, calendar, demo: Boolean(demo) }
}
