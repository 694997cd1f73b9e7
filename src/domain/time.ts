/**
 * Shanghai local time without a clock. China has kept UTC+8 with no daylight saving since 1991, so a fixed
 * offset is exact; we avoid Intl here because it is the slowest thing on the hot path of a tick.
 *
 * Every rule takes `now: Date` (an instant) and converts with these helpers; nothing here reads the clock.
 */

const OFFSET_MS = 8 * 3600_000

/** A calendar date in Shanghai, as 'YYYY-MM-DD'. Sorts and compares as a string. */
export type LocalDate = string

export interface LocalParts {
  year: number
  month: number // 1-12
  day: number
  hour: number
  minute: number
  weekday: number // 1 = Monday … 7 = Sunday (ISO)
}

export function shanghaiParts(at: Date): LocalParts {
  const d = new Date(at.getTime() + OFFSET_MS)
  const dow = d.getUTCDay()
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    weekday: dow === 0 ? 7 : dow,
  }
}

/** The Shanghai calendar date of an instant. */
export function localDate(at: Date): LocalDate {
  const p = shanghaiParts(at)
  return formatDate(p.year, p.month, p.day)
}

/** The Shanghai wall-clock time of an instant, to the minute: '2026-11-26 10:00'. */
export function localDateTime(at: Date): string {
  const p = shanghaiParts(at)
  return `${formatDate(p.year, p.month, p.day)} ${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`
}

export function formatDate(year: number, month: number, day: number): LocalDate {
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`
}

/** The instant of a Shanghai wall-clock time. Month and day may overflow (Date.UTC normalises them). */
export function shanghaiTime(year: number, month: number, day: number, hour = 0, minute = 0): Date {
  return new Date(Date.UTC(year, month - 1, day, hour, minute) - OFFSET_MS)
}

/** '2026-03-01' → its parts; throws on anything that is not a real date. */
export function parseLocalDate(s: string): { year: number; month: number; day: number } {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s)
  if (!m) throw new RangeError(`not a date: ${s}`)
  const year = Number(m[1]),
    month = Number(m[2]),
    day = Number(m[3])
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) throw new RangeError(`not a date: ${s}`)
  return { year, month, day }
}

export function addDays(date: LocalDate, n: number): LocalDate {
  const { year, month, day } = parseLocalDate(date)
  const d = new Date(Date.UTC(year, month - 1, day + n))
  return formatDate(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate())
}

/** ISO weekday of a local date: 1 = Monday … 7 = Sunday. */
export function weekdayOf(date: LocalDate): number {
  const { year, month, day } = parseLocalDate(date)
  const dow = new Date(Date.UTC(year, month - 1, day)).getUTCDay()
  return dow === 0 ? 7 : dow
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate()
}

/** Start of the Shanghai day containing `at`, as an instant. */
export function startOfLocalDay(at: Date): Date {
  const p = shanghaiParts(at)
  return shanghaiTime(p.year, p.month, p.day)
}
