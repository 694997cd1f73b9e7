import type { Db } from '../store/db.ts'
import type { Platform } from '../model/index.ts'
import type { Logger } from '../log.ts'
import type { Rules } from '../services/rules.ts'
import { loadCalendar, loadRules } from '../services/rules.ts'
import type { WorkdayCalendar } from '../domain/workdays.ts'
import { getSetting, settingsVersion } from '../store/repos/settings.ts'

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

/** What the context derives from the settings table, as of one settings version. Shared: never mutate it. */
interface FromSettings {
  version: number
  rules: Rules
  demo: boolean
}

const fromSettings = new WeakMap<Db, FromSettings>()

/**
 * The context of one event. The rules (with the county's names) and the demo flag are parsed once per
 * settings version rather than on every event: one read of the version, bumped by every settings write,
 * tells whether they are still current, so a change by `diaodu config` (this process or another) holds from
 * the next event on. The version is read before the settings, so what is kept is never older than its
 * version. The working-day calendar is read every time (the holiday_overrides table has no writer that
 * could tell).
 */
export async function createBotContext(db: Db, now: Date, platforms: Platform[], logger: Logger): Promise<BotContext> {
  const [version, calendar] = await Promise.all([settingsVersion(db), loadCalendar(db)])
  let kept = fromSettings.get(db)
  if (kept?.version !== version) {
    const [rules, demo] = await Promise.all([loadRules(db), getSetting(db, 'demo')])
    kept = { version, rules, demo: Boolean(demo) }
    fromSettings.set(db, kept)
  }
  return { db, now, platforms, logger, rules: kept.rules, calendar, demo: kept.demo }
}
