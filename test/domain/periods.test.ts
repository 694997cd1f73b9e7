import { describe, expect, it } from 'vitest'
import {
  addMonths,
  contains,
  dayOfYear,
  daysBetween,
  isPeriodKey,
  kindOf,
  monthsOfQuarter,
  next,
  parsePeriod,
  periodOf,
  previous,
  quarterOf,
  range,
  statisticalMonth,
} from '../../src/domain/periods.ts'
import type { PeriodKind } from '../../src/domain/periods.ts'

describe('periodOf', () => {
  it.each<[PeriodKind, string, string]>([
    ['month', '2026-10-31', '2026-10'],
    ['xun', '2026-10-01', '2026-10-上旬'],
    ['xun', '2026-10-10', '2026-10-上旬'],
    ['xun', '2026-10-11', '2026-10-中旬'],
    ['xun', '2026-10-20', '2026-10-中旬'],
    ['xun', '2026-10-21', '2026-10-下旬'],
    ['xun', '2026-02-28', '2026-02-下旬'],
    ['week', '2026-10-26', '2026-W44'], // Monday
    ['week', '2026-11-01', '2026-W44'], // Sunday of the same week
    ['week', '2026-01-01', '2026-W01'], // Thursday 1 January starts week 1
    ['week', '2025-12-29', '2026-W01'], // late December in next year's week 1
    ['week', '2027-01-01', '2026-W53'], // 2026 has 53 ISO weeks
    ['week', '2021-01-03', '2020-W53'],
    ['quarter', '2026-11-15', '2026-Q4'],
    ['quarter', '2026-03-31', '2026-Q1'],
  ])('puts %s %s in %s', (kind, date, key) => {
    expect(periodOf(kind, date)).toBe(key)
  })
})

describe('range', () => {
  it.each([
    ['2026-10', '2026-10-01', '2026-10-31'],
    ['2028-02', '2028-02-01', '2028-02-29'],
    ['2026-10-上旬', '2026-10-01', '2026-10-10'],
    ['2026-10-中旬', '2026-10-11', '2026-10-20'],
    ['2026-10-下旬', '2026-10-21', '2026-10-31'],
    ['2026-02-下旬', '2026-02-21', '2026-02-28'],
    ['2026-W01', '2025-12-29', '2026-01-04'],
    ['2026-W44', '2026-10-26', '2026-11-01'],
    ['2026-W53', '2026-12-28', '2027-01-03'],
    ['2026-Q4', '2026-10-01', '2026-12-31'],
  ])('%s runs from %s to %s', (key, start, end) => {
    expect(range(key)).toEqual({ start, end })
    expect(contains(key, start)).toBe(true)
    expect(contains(key, end)).toBe(true)
  })

  it('every day of a range maps back to its key', () => {
    for (const key of ['2026-W10', '2026-02-下旬', '2026-12', '2026-Q1']) {
      const { start, end } = range(key)
      for (let d = start; d <= end; d = addDaysForTest(d)) expect(periodOf(kindOf(key), d)).toBe(key)
    }
  })
})

describe('previous and next', () => {
  it.each([
    ['2026-01', '2025-12'],
    ['2026-10-上旬', '2026-09-下旬'],
    ['2026-10-下旬', '2026-10-中旬'],
    ['2026-W01', '2025-W52'],
    ['2027-W01', '2026-W53'],
    ['2026-Q1', '2025-Q4'],
  ])('before %s comes %s', (key, before) => {
    expect(previous(key)).toBe(before)
    expect(next(before)).toBe(key)
  })
})

describe('parsing keys', () => {
  it.each([
    ['2026-13', /month must be 01–12/],
    ['2026-00', /month must be 01–12/],
    ['2026-1', /expected YYYY-MM/],
    ['2025-W53', /ISO week must be 01–52 in 2025/],
    ['2026-W00', /ISO week/],
    ['2026-10-末旬', /expected/],
    ['2026-Q5', /quarter must be Q1–Q4/],
    ['', /expected/],
  ])('rejects %s with a clear message', (key, message) => {
    expect(() => parsePeriod(key)).toThrow(RangeError)
    expect(() => parsePeriod(key)).toThrow(message)
    expect(isPeriodKey(key)).toBe(false)
  })

  it('names the bad key in the message', () => {
    expect(() => parsePeriod('2026-13')).toThrow('invalid period "2026-13": month must be 01–12')
  })

  it('reads each kind', () => {
    expect(parsePeriod('2026-10-中旬')).toEqual({ kind: 'xun', year: 2026, index: 10, xun: '中旬' })
    expect(parsePeriod('2026-W53')).toEqual({ kind: 'week', year: 2026, index: 53 })
    expect(parsePeriod('2026-Q2')).toEqual({ kind: 'quarter', year: 2026, index: 2 })
  })
})

describe('quarters', () => {
  it.each([
    ['2026-01', '2026-Q1'],
    ['2026-03', '2026-Q1'],
    ['2026-04', '2026-Q2'],
    ['2026-09', '2026-Q3'],
    ['2026-12', '2026-Q4'],
  ])('%s is in %s', (month, quarter) => {
    expect(quarterOf(month)).toBe(quarter)
    expect(monthsOfQuarter(quarter)).toContain(month)
  })

  it('lists the months of a quarter in order', () => {
    expect(monthsOfQuarter('2026-Q4')).toEqual(['2026-10', '2026-11', '2026-12'])
  })

  it('refuses the wrong kind of key', () => {
    expect(() => quarterOf('2026-Q4')).toThrow(/expected a month key/)
    expect(() => monthsOfQuarter('2026-10')).toThrow(/expected a quarter key/)
  })
})

describe('statisticalMonth', () => {
  it.each([
    ['2026-10-25', {}, '2026-10'], // the open day itself
    ['2026-10-31', {}, '2026-10'],
    ['2026-11-03', {}, '2026-10'], // late report for October
    ['2026-11-24', {}, '2026-10'],
    ['2026-10-24', {}, '2026-09'],
    ['2027-01-05', {}, '2026-12'], // January before the open day → previous December
    ['2026-01-25', {}, '2026-01'],
    ['2026-11-01', { openDay: 1 }, '2026-11'],
    ['2026-11-03', { openDay: 5 }, '2026-10'],
    ['2026-02-28', { openDay: 30 }, '2026-02'], // open day past month end means the last day
    ['2026-02-27', { openDay: 30 }, '2026-01'],
  ])('a report filed on %s (%o) is for %s', (date, options, month) => {
    expect(statisticalMonth(date, options)).toBe(month)
  })

  it('rejects a nonsense open day and a bad date', () => {
    expect(() => statisticalMonth('2026-10-01', { openDay: 0 })).toThrow(RangeError)
    expect(() => statisticalMonth('2026-10-01', { openDay: 32 })).toThrow(RangeError)
    expect(() => statisticalMonth('2026-02-30')).toThrow(RangeError)
  })
})

describe('date helpers', () => {
  it.each([
    ['2026-01-31', 1, '2026-02-28'],
    ['2028-01-31', 1, '2028-02-29'],
    ['2026-09-30', 1, '2026-10-30'],
    ['2026-12-15', 1, '2027-01-15'],
    ['2026-03-31', -1, '2026-02-28'],
  ])('%s plus %i month is %s', (date, n, want) => {
    expect(addMonths(date, n)).toBe(want)
  })

  it('counts days of the year and between dates', () => {
    expect(dayOfYear('2026-01-01')).toBe(1)
    expect(dayOfYear('2026-12-31')).toBe(365)
    expect(dayOfYear('2028-12-31')).toBe(366)
    expect(daysBetween('2026-09-30', '2026-10-10')).toBe(10)
    expect(daysBetween('2026-10-10', '2026-09-30')).toBe(-10)
  })
})

function addDaysForTest(d: string): string {
  const t = new Date(`${d}T00:00:00Z`)
  t.setUTCDate(t.getUTCDate() + 1)
  return t.toISOString().slice(0, 10)
}
