/**
 * Working days under China's holiday schedule, with 调休 (Saturdays or Sundays worked to make up for a long
 * holiday), for deadlines such as "复函 within 3 working days" (挂牌督办).
 *
 * The State Council's schedule comes from chinese-days' published data file; an admin-edited override list
 * wins over it (a county-specific day off, or next year's schedule before the package catches up). We read the
 * data file rather than calling the package's functions because those parse dates with the host's local time
 * zone and give the neighbouring day's answer on a machine west of UTC.
 */
import holidayData from 'chinese-days/dist/chinese-days.json' with { type: 'json' }
import { addDays, formatDate, parseLocalDate, weekdayOf } from './time.ts'
import type { LocalDate } from './time.ts'

/** One admin-entered exception: `{ date: '2026-10-09', kind: 'holiday', note: '县庆' }`. */
export interface CalendarOverride {
  date: LocalDate
  kind: 'workday' | 'holiday'
  note?: string
}

/** Why a day is or is not worked, for showing people ("10月1日 国庆节，休"). */
export interface DayInfo {
  date: LocalDate
  workday: boolean
  /** 'override' (admin list), 'schedule' (State Council holiday or 调休 make-up day), or 'weekend' rule. */
  source: 'override' | 'schedule' | 'weekend'
  /** Holiday name in Chinese ('国庆节'), the override's note, or null for an ordinary day. */
  name: string | null
}

export interface WorkdayCalendar {
  /** `isWorkday('2026-10-10')` → true (a Saturday 调休 make-up day). */
  isWorkday(date: LocalDate): boolean
  describe(date: LocalDate): DayInfo
  /**
   * The date `n` working days after `from`, not counting `from` itself; negative `n` counts back.
   * `addWorkdays('2026-09-30', 3)` → '2026-10-10'. `n = 0` returns `from` unchanged.
   */
  addWorkdays(from: LocalDate, n: number): LocalDate
  /** Working days in (a, b]; negative when b is before a. `workdaysBetween(a, addWorkdays(a, n)) === n`. */
  workdaysBetween(a: LocalDate, b: LocalDate): number
  /** The first working day strictly after `date`. */
  nextWorkday(date: LocalDate): LocalDate
  /** The last working day strictly before `date`. */
  previousWorkday(date: LocalDate): LocalDate
  /** `date` if it is a working day, else the next one: moves a deadline off a holiday. */
  onOrAfter(date: LocalDate): LocalDate
  /** `date` if it is a working day, else the previous one: moves a reminder before a holiday. */
  onOrBefore(date: LocalDate): LocalDate
  /**
   * null when the year's holiday schedule is known (built-in data or an admin override for 1 January),
   * otherwise a Chinese warning for the admin page and the logs.
   */
  coverage(year: number): string | null
}

/** The shape of chinese-days' data file: date → "English,中文,days" for holidays and make-up working days. */
export interface ScheduleData {
  holidays: Record<string, string>
  workdays: Record<string, string>
}

const BUILT_IN = holidayData as ScheduleData

/** The years the built-in data covers, e.g. { first: 2004, last: 2026 } for chinese-days 1.5.7. */
export const BUILT_IN_YEARS: { first: number; last: number } = (() => {
  const years = Object.keys(BUILT_IN.holidays).map((d) => Number(d.slice(0, 4)))
  return { first: Math.min(...years), last: Math.max(...years) }
})()

// A safety stop: no real calendar has a year without working days, but a bad override list could.
const MAX_SCAN_DAYS = 400

/**
 * A calendar from the built-in schedule plus overrides (later entries for the same date win):
 * `createWorkdayCalendar([{ date: '2026-10-09', kind: 'holiday', note: '县庆' }])`.
 */
export function createWorkdayCalendar(overrides: readonly CalendarOverride[] = [], data: ScheduleData = BUILT_IN): WorkdayCalendar {
  const byDate = new Map<LocalDate, CalendarOverride>()
  for (const o of overrides) {
    parseLocalDate(o.date)
    if (o.kind !== 'workday' && o.kind !== 'holiday') throw new RangeError(`override kind must be workday or holiday: ${o.kind}`)
    byDate.set(o.date, o)
  }

  const describe = (date: LocalDate): DayInfo => {
    const o = byDate.get(date)
    if (o) return { date, workday: o.kind === 'workday', source: 'override', name: o.note ?? null }
    const made = data.workdays[date]
    if (made !== undefined) return { date, workday: true, source: 'schedule', name: `${chineseName(made)}调休上班` }
    const off = data.holidays[date]
    if (off !== undefined) return { date, workday: false, source: 'schedule', name: chineseName(off) }
    return { date, workday: weekdayOf(date) <= 5, source: 'weekend', name: null }
  }

  const isWorkday = (date: LocalDate): boolean => {
    const o = byDate.get(date)
    if (o) return o.kind === 'workday'
    if (data.workdays[date] !== undefined) return true
    if (data.holidays[date] !== undefined) return false
    return weekdayOf(date) <= 5
  }

  const step = (from: LocalDate, dir: 1 | -1): LocalDate => {
    let d = from
    for (let i = 0; i < MAX_SCAN_DAYS; i++) {
      d = addDays(d, dir)
      if (isWorkday(d)) return d
    }
    throw new RangeError(`no working day within ${MAX_SCAN_DAYS} days of ${from}; check the calendar overrides`)
  }

  const addWorkdays = (from: LocalDate, n: number): LocalDate => {
    parseLocalDate(from)
    if (!Number.isSafeInteger(n)) throw new RangeError(`working-day count must be a whole number: ${n}`)
    let d = from
    const dir = n < 0 ? -1 : 1
    for (let left = Math.abs(n); left > 0; left--) d = step(d, dir)
    return d
  }

  const workdaysBetween = (a: LocalDate, b: LocalDate): number => {
    parseLocalDate(a)
    parseLocalDate(b)
    if (b < a) return -workdaysBetween(b, a)
    let count = 0
    for (let d = addDays(a, 1); d <= b; d = addDays(d, 1)) if (isWorkday(d)) count++
    return count
  }

  const coverage = (year: number): string | null => {
    if (!Number.isInteger(year)) throw new RangeError(`not a year: ${year}`)
    const jan1 = formatDate(year, 1, 1)
    // New Year's Day is always a holiday, so its absence means the year's schedule is missing. A Saturday 1 January
    // (2028) is off by the weekend rule too, which is why we look for the entry rather than ask isWorkday.
    if (data.holidays[jan1] !== undefined || byDate.get(jan1)?.kind === 'holiday') return null
    return (
      `${year}年的法定节假日和调休安排尚未收录（内置日历数据覆盖 ${BUILT_IN_YEARS.first}–${BUILT_IN_YEARS.last} 年），` +
      `工作日暂按周一至周五计算，截止时间可能有误。请在管理后台按国务院办公厅通知补录${year}年的放假和调休日期（含1月1日）。`
    )
  }

  return {
    isWorkday: (date) => {
      parseLocalDate(date)
      return isWorkday(date)
    },
    describe: (date) => {
      parseLocalDate(date)
      return describe(date)
    },
    addWorkdays,
    workdaysBetween,
    nextWorkday: (date) => step(date, 1),
    previousWorkday: (date) => step(date, -1),
    onOrAfter: (date) => (isWorkday(date) ? date : step(date, 1)),
    onOrBefore: (date) => (isWorkday(date) ? date : step(date, -1)),
    coverage,
  }
}

/** chinese-days names look like "National Day,国庆节,3"; people want the middle part. */
function chineseName(raw: string): string {
  return raw.split(',')[1] ?? raw
}
