/**
 * The county's rule set: which 序时 mode, which colour preset, which 赛马 indicators. Stored as the `rules`
 * setting (JSON, validated with zod) and merged over the defaults, so a county changes numbers, not code.
 */
import { sql } from 'drizzle-orm'
import { z } from 'zod'
import { prepared, type Db } from '../store/db.ts'
import { getSetting, SETTINGS_VERSION_KEY } from '../store/repos/settings.ts'
import { COLOUR_PRESETS, DEFAULT_COLOUR_RULE, type ColourRule } from '../domain/colours.ts'
import { DEFAULT_SCORING, type ScoringConfig } from '../domain/scoring.ts'
import type { ScheduleMode } from '../domain/schedule.ts'
import { createWorkdayCalendar, type CalendarOverride, type WorkdayCalendar } from '../domain/workdays.ts'
import { resolveDispatch, type DispatchCalendar } from '../domain/dispatch.ts'

/**
 * What the county and its dispatch office are called, the same on every card, job message and page: the
 * `county` setting `{ "name": "示例县", "office": "县重点项目建设指挥部办公室" }`, merged over the defaults.
 */
export interface CountyNames {
  /** '示例县'; a county that has not set it reads as 本县. */
  name: string
  /** The office that runs the dispatch (指挥部办公室), as cards name it. */
  office: string
}

export const DEFAULT_COUNTY: CountyNames = { name: '本县', office: '县重点项目建设指挥部办公室' }

export const countySchema = z.object({ name: z.string().trim().min(1).max(20), office: z.string().trim().min(1).max(30) }).partial()

/** The stored county names merged over the defaults. A stored value that fails validation is an error. */
export async function loadCounty(db: Db): Promise<CountyNames> {
  const stored = countySchema.parse((await getSetting(db, 'county')) ?? {})
  return { name: stored.name ?? DEFAULT_COUNTY.name, office: stored.office ?? DEFAULT_COUNTY.office }
}

export interface Rules {
  schedule: ScheduleMode
  colour: ColourRule
  scoring: ScoringConfig
  /** Reports filed on or after this day of month N belong to month N (the monthly round opens then). */
  monthlyOpenDay: number
  /** The county's and the office's names (the `county` setting), loaded with the rules for every card. */
  county: CountyNames
}

export const DEFAULT_RULES: Rules = {
  schedule: 'monthLinear',
  colour: DEFAULT_COLOUR_RULE,
  scoring: DEFAULT_SCORING,
  monthlyOpenDay: 25,
  county: DEFAULT_COUNTY,
}

const common = {
  urgesBeforeCard: z.number().int().min(0),
  redAfterRepeatYellow: z.boolean(),
  countMissingUrges: z.boolean().optional(),
  interviewWithinDays: z.number().int().min(1).max(90).optional(),
}
const colourSchema = z.union([
  z.enum(Object.keys(COLOUR_PRESETS) as [keyof typeof COLOUR_PRESETS]),
  z.object({ kind: z.literal('lingchuan2021'), ...common }),
  z.object({ kind: z.literal('pointBands'), yellowFrom: z.number().min(0), redFrom: z.number().min(0), ...common }),
  z.object({
    kind: z.literal('shareOfSchedule'),
    yellowFromPercent: z.number().min(0).max(100),
    redFromPercent: z.number().min(0).max(100),
    ...common,
  }),
])

export const rulesSchema = z
  .object({
    schedule: z.enum(['monthLinear', 'dayLinear', 'planCurve']),
    colour: colourSchema,
    indicators: z
      .array(z.object({ key: z.string().min(1), label: z.string().min(1), weight: z.number().positive(), cap: z.number().positive() }))
      .min(1),
    monthlyOpenDay: z.number().int().min(1).max(28),
  })
  .partial()

/** The stored rules merged over the defaults. A stored value that fails validation is an error, not ignored. */
export async function loadRules(db: Db): Promise<Rules> {
  const [raw, county] = await Promise.all([getSetting(db, 'rules'), loadCounty(db)])
  const stored = rulesSchema.parse(raw ?? {})
  const colour =
    stored.colour === undefined ? DEFAULT_RULES.colour : typeof stored.colour === 'string' ? COLOUR_PRESETS[stored.colour] : stored.colour
  return {
    schedule: stored.schedule ?? DEFAULT_RULES.schedule,
    colour,
    scoring: stored.indicators ? { ...DEFAULT_SCORING, indicators: stored.indicators } : DEFAULT_SCORING,
    monthlyOpenDay: stored.monthlyOpenDay ?? DEFAULT_RULES.monthlyOpenDay,
    county,
  }
}

/** The working-day calendar: chinese-days plus the admin's override table. */
export async function loadCalendar(db: Db): Promise<WorkdayCalendar> {
  return (await settingsState(db)).calendar()
}

// The settings version and the override rows (as one JSON text), in one statement.
const versionAndOverrides = prepared((db) =>
  db
    .select({
      version: sql<string | number | null>`(select value from settings where key = ${SETTINGS_VERSION_KEY})`,
      overrides: sql<string>`(select json_group_array(json_object('date', date, 'kind', kind, 'note', note)) from (select * from holiday_overrides order by date))`,
    })
    .from(sql`(select 1)`)
    .prepare(),
)

/**
 * What tells whether settings read earlier are still current: the settings version (bumped by every settings
 * write) and the calendar's override rows, read in one statement. `calendar()` builds the working-day calendar
 * from exactly those rows.
 */
export async function settingsState(db: Db): Promise<{ version: number; overrides: string; calendar: () => WorkdayCalendar }> {
  const row = (await versionAndOverrides(db).get())!
  const overrides = row.overrides ?? '[]'
  return {
    // A JSON column: the text '1' as first written, an integer once SQL has bumped it.
    version: row.version === null ? 0 : Number(typeof row.version === 'string' ? JSON.parse(row.version) : row.version),
    overrides,
    calendar: () => createWorkdayCalendar(JSON.parse(overrides) as CalendarOverride[]),
  }
}

/** The county's dispatch calendar from the `dispatch` setting. A bad stored value is an error, not ignored. */
export async function loadDispatchCalendar(db: Db): Promise<DispatchCalendar> {
  return resolveDispatch((await getSetting(db, 'dispatch')) ?? {})
}
