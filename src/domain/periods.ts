/**
 * Period keys for 调度 rounds, boards and awards, as plain strings that sort and read well in a database and a
 * chat message:
 *
 * | kind    | key            | covers                                   |
 * |---------|----------------|------------------------------------------|
 * | month   | `2026-10`      | the calendar month                       |
 * | week    | `2026-W44`     | the ISO week (Monday–Sunday, ISO year)   |
 * | xun (旬) | `2026-10-上旬` | days 1–10; 中旬 11–20; 下旬 21–month end  |
 * | quarter | `2026-Q4`      | three calendar months                    |
 *
 * All dates are Shanghai local dates ('YYYY-MM-DD', see time.ts).
 */
import { addDays, daysInMonth, formatDate, parseLocalDate, weekdayOf } from './time.ts'
import type { LocalDate } from './time.ts'

export type PeriodKind = 'month' | 'week' | 'xun' | 'quarter'
export type PeriodKey = string
export type Xun = '上旬' | '中旬' | '下旬'

export const XUNS: readonly Xun[] = ['上旬', '中旬', '下旬']

/** A parsed key. `index` is the month (1–12), ISO week (1–53), or quarter (1–4); `xun` is set for 旬 keys. */
export interface ParsedPeriod {
  kind: PeriodKind
  year: number
  index: number
  xun?: Xun
}

export interface DateRange {
  start: LocalDate
  end: LocalDate // inclusive
}

const MONTH = /^(\d{4})-(\d{2})$/
const WEEK = /^(\d{4})-W(\d{2})$/
const XUN = /^(\d{4})-(\d{2})-(上旬|中旬|下旬)$/
const QUARTER = /^(\d{4})-Q(\d)$/

/**
 * Reads a key and says what is wrong with a bad one: `parsePeriod('2026-13')` throws
 * `RangeError: invalid period "2026-13": month must be 01–12`.
 */
export function parsePeriod(key: string): ParsedPeriod {
  const bad = (why: string): never => {
    throw new RangeError(`invalid period "${key}": ${why}`)
  }
  let m: RegExpExecArray | null
  if ((m = MONTH.exec(key))) {
    const month = Number(m[2])
    if (month < 1 || month > 12) bad('month must be 01–12')
    return { kind: 'month', year: Number(m[1]), index: month }
  }
  if ((m = WEEK.exec(key))) {
    const year = Number(m[1])
    const week = Number(m[2])
    const weeks = isoWeeksInYear(year)
    if (week < 1 || week > weeks) bad(`ISO week must be 01–${weeks} in ${year}`)
    return { kind: 'week', year, index: week }
  }
  if ((m = XUN.exec(key))) {
    const month = Number(m[2])
    if (month < 1 || month > 12) bad('month must be 01–12')
    return { kind: 'xun', year: Number(m[1]), index: month, xun: m[3] as Xun }
  }
  if ((m = QUARTER.exec(key))) {
    const q = Number(m[2])
    if (q < 1 || q > 4) bad('quarter must be Q1–Q4')
    return { kind: 'quarter', year: Number(m[1]), index: q }
  }
  return bad('expected YYYY-MM, YYYY-Www, YYYY-MM-上旬|中旬|下旬 or YYYY-Qn')
}

export function isPeriodKey(key: string): boolean {
  try {
    parsePeriod(key)
    return true
  } catch {
    return false
  }
}

/** The kind of a key: `kindOf('2026-W44')` → 'week'. Throws on a bad key. */
export function kindOf(key: PeriodKey): PeriodKind {
  return parsePeriod(key).kind
}

/** The period of the given kind containing a date: `periodOf('xun', '2026-10-21')` → '2026-10-下旬'. */
export function periodOf(kind: PeriodKind, date: LocalDate): PeriodKey {
  const { year, month, day } = parseLocalDate(date)
  switch (kind) {
    case 'month':
      return monthKey(year, month)
    case 'xun':
      return `${monthKey(year, month)}-${day <= 10 ? '上旬' : day <= 20 ? '中旬' : '下旬'}`
    case 'quarter':
      return `${year}-Q${Math.ceil(month / 3)}`
    case 'week': {
      // The ISO week belongs to the year of its Thursday.
      const thursday = addDays(date, 4 - weekdayOf(date))
      return weekKey(parseLocalDate(thursday).year, Math.floor((dayOfYear(thursday) - 1) / 7) + 1)
    }
  }
}

/** First and last local date of a period: `range('2026-W01')` → { start: '2025-12-29', end: '2026-01-04' }. */
export function range(key: PeriodKey): DateRange {
  const p = parsePeriod(key)
  switch (p.kind) {
    case 'month':
      return { start: formatDate(p.year, p.index, 1), end: formatDate(p.year, p.index, daysInMonth(p.year, p.index)) }
    case 'xun': {
      const [from, to] = p.xun === '上旬' ? [1, 10] : p.xun === '中旬' ? [11, 20] : [21, daysInMonth(p.year, p.index)]
      return { start: formatDate(p.year, p.index, from), end: formatDate(p.year, p.index, to) }
    }
    case 'quarter': {
      const last = p.index * 3
      return { start: formatDate(p.year, last - 2, 1), end: formatDate(p.year, last, daysInMonth(p.year, last)) }
    }
    case 'week': {
      const start = addDays(isoWeek1Monday(p.year), (p.index - 1) * 7)
      return { start, end: addDays(start, 6) }
    }
  }
}

/** The period just before: `previous('2026-01')` → '2025-12'; `previous('2026-10-上旬')` → '2026-09-下旬'. */
export function previous(key: PeriodKey): PeriodKey {
  return periodOf(parsePeriod(key).kind, addDays(range(key).start, -1))
}

/** The period just after: `next('2026-W53')` → '2027-W01'. */
export function next(key: PeriodKey): PeriodKey {
  return periodOf(parsePeriod(key).kind, addDays(range(key).end, 1))
}

/** Whether a date falls inside a period (both ends inclusive). */
export function contains(key: PeriodKey, date: LocalDate): boolean {
  parseLocalDate(date)
  const r = range(key)
  return date >= r.start && date <= r.end
}

/** The quarter of a month key: `quarterOf('2026-11')` → '2026-Q4'. */
export function quarterOf(month: PeriodKey): PeriodKey {
  const p = expectKind(month, 'month')
  return `${p.year}-Q${Math.ceil(p.index / 3)}`
}

/** The three month keys of a quarter, in order: `monthsOfQuarter('2026-Q1')` → ['2026-01', '2026-02', '2026-03']. */
export function monthsOfQuarter(quarter: PeriodKey): [PeriodKey, PeriodKey, PeriodKey] {
  const p = expectKind(quarter, 'quarter')
  const first = p.index * 3 - 2
  return [monthKey(p.year, first), monthKey(p.year, first + 1), monthKey(p.year, first + 2)]
}

/** The month number (1–12) of a month key: `monthNumber('2026-10')` → 10. */
export function monthNumber(month: PeriodKey): number {
  return expectKind(month, 'month').index
}

export interface StatisticalMonthOptions {
  /** Day of the month on which that month's 调度 round opens (default 25). Clamped to the month's last day. */
  openDay?: number
}

/**
 * The month whose 调度 data (1–N月累计) a report filed on `date` belongs to. From the open day of month N on it
 * is N; before it, N−1, because early in a month people are still reporting the previous month:
 * `statisticalMonth('2026-11-03')` → '2026-10'; `statisticalMonth('2026-10-25')` → '2026-10';
 * `statisticalMonth('2027-01-05')` → '2026-12'.
 */
export function statisticalMonth(date: LocalDate, options: StatisticalMonthOptions = {}): PeriodKey {
  const openDay = options.openDay ?? 25
  if (!Number.isInteger(openDay) || openDay < 1 || openDay > 31) {
    throw new RangeError(`openDay must be a whole day 1–31: ${openDay}`)
  }
  const { year, month, day } = parseLocalDate(date)
  if (day >= Math.min(openDay, daysInMonth(year, month))) return monthKey(year, month)
  return month === 1 ? monthKey(year - 1, 12) : monthKey(year, month - 1)
}

/**
 * The same day `n` calendar months later, clamped to the month's end: `addMonths('2026-01-31', 1)` → '2026-02-28'.
 * For "within 1 month" deadlines.
 */
export function addMonths(date: LocalDate, n: number): LocalDate {
  if (!Number.isSafeInteger(n)) throw new RangeError(`month count must be a whole number: ${n}`)
  const { year, month, day } = parseLocalDate(date)
  const total = year * 12 + (month - 1) + n
  const y = Math.floor(total / 12)
  const m = (total % 12) + 1
  return formatDate(y, m, Math.min(day, daysInMonth(y, m)))
}

/** 1 for 1 January … 365 or 366 for 31 December. */
export function dayOfYear(date: LocalDate): number {
  return daysBetween(formatDate(parseLocalDate(date).year, 1, 1), date) + 1
}

/** Calendar days from `a` to `b`: `daysBetween('2026-09-30', '2026-10-10')` → 10; negative when b is earlier. */
export function daysBetween(a: LocalDate, b: LocalDate): number {
  const x = parseLocalDate(a)
  const y = parseLocalDate(b)
  return (Date.UTC(y.year, y.month - 1, y.day) - Date.UTC(x.year, x.month - 1, x.day)) / 86_400_000
}

export function monthKey(year: number, month: number): PeriodKey {
  return `${year}-${String(month).padStart(2, '0')}`
}

// ---------------------------------------------------------------------------------------------------------

function weekKey(year: number, week: number): PeriodKey {
  return `${year}-W${String(week).padStart(2, '0')}`
}

function expectKind(key: PeriodKey, kind: PeriodKind): ParsedPeriod {
  const p = parsePeriod(key)
  if (p.kind !== kind) throw new RangeError(`invalid period "${key}": expected a ${kind} key`)
  return p
}

/** Monday of ISO week 1: the week containing 4 January. */
function isoWeek1Monday(year: number): LocalDate {
  const jan4 = formatDate(year, 1, 4)
  return addDays(jan4, 1 - weekdayOf(jan4))
}

/** 52 or 53: 28 December always lies in the year's last ISO week. */
function isoWeeksInYear(year: number): number {
  return Math.floor(daysBetween(isoWeek1Monday(year), formatDate(year, 12, 28)) / 7) + 1
}
