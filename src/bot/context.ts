import type { Db } from '../store/db.ts'
import type { Platform } from '../model/index.ts'
import type { Logger } from '../log.ts'
import type { Rules } from '../services/rules.ts'
import { loadRules, settingsState } from '../services/rules.ts'
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

/** What the context derives from the settings table and the calendar overrides, as of one state of both. Shared: never mutate it. */
interface FromSettings {
  version: number
  overrides: string
  rules: Rules
  calendar: WorkdayCalendar
  demo: boolean
}

const fromSettings = new WeakMap<Db, FromSettings>()

/**
 * The context of one event. The rules (with the county's names), the demo flag and the working-day calendar
 * are built once per state of the settings rather than on every event: one read gives the settings version,
 * bumped by every settings write, and the calendar's override rows (that table has no writer here that could
 * bump anything: an admin edits it by hand), so a change by `diaodu config` or to the overrides (this process or
 * another) holds from the next event on. The version is read before the settings, so what is kept is never
 * older than its version.
 */
export async function createBotContext(db: Db, now: Date, platforms: Platform[], logger: Logger): Promise<BotContext> {
  const state = await settingsState(db)
  let kept = fromSettings.get(db)
  if (kept?.version !== state.version || kept.overrides !== state.overrides) {
    const [rules, demo] = await Promise.all([loadRules(db), getSetting(db, 'demo')])
    kept = { version: state.version, overrides: state.overrides, rules, calendar: state.calendar(), demo: Boolean(demo) }
    fromSettings.set(db, kept)
  }
  return { db, now, platforms, logger, rules: kept.rules, calendar: kept.calendar, demo: kept.demo }
}
