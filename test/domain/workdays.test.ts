import { describe, expect, it } from 'vitest'
import { BUILT_IN_YEARS, createWorkdayCalendar } from '../../src/domain/workdays.ts'
import type { CalendarOverride } from '../../src/domain/workdays.ts'

const cal = createWorkdayCalendar()

describe('the 2026 State Council schedule', () => {
  it.each(['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'])(
    '%s is a 调休 make-up working day on a weekend',
    (date) => {
      expect(cal.isWorkday(date)).toBe(true)
      expect(cal.describe(date)).toMatchObject({ workday: true, source: 'schedule' })
    },
  )

  it.each(['2026-01-01', '2026-02-16', '2026-02-23', '2026-05-05', '2026-10-01', '2026-10-02', '2026-10-05', '2026-10-06', '2026-10-07'])(
    '%s is a holiday on a weekday',
    (date) => {
      expect(cal.isWorkday(date)).toBe(false)
    },
  )

  it('2026-10-08 is a working Thursday: the 2026 国庆 break is 1–7 October (unlike 2025’s 1–8)', () => {
    expect(cal.isWorkday('2026-10-08')).toBe(true)
    expect(cal.isWorkday('2025-10-08')).toBe(false)
  })

  it('plain weekends are off and plain weekdays are on', () => {
    expect(cal.isWorkday('2026-11-07')).toBe(false) // Saturday
    expect(cal.isWorkday('2026-11-08')).toBe(false) // Sunday
    expect(cal.isWorkday('2026-11-09')).toBe(true)
  })

  it('names days for people', () => {
    expect(cal.describe('2026-10-01')).toEqual({ date: '2026-10-01', workday: false, source: 'schedule', name: '国庆节' })
    expect(cal.describe('2026-10-10').name).toBe('国庆节调休上班')
    expect(cal.describe('2026-11-09')).toEqual({ date: '2026-11-09', workday: true, source: 'weekend', name: null })
  })
})

describe('addWorkdays', () => {
  it.each([
    ['2026-09-30', 3, '2026-10-10'], // across 国庆, landing on the Saturday make-up day
    ['2026-02-12', 3, '2026-02-24'], // across 春节: 13th, 14th (Saturday make-up), 24th
    ['2026-11-06', 1, '2026-11-09'], // Friday → Monday
    ['2026-11-09', 3, '2026-11-12'],
    ['2026-10-03', 1, '2026-10-08'], // issued on a holiday: the start day is not counted
    ['2026-11-09', 0, '2026-11-09'],
    ['2026-10-10', -1, '2026-10-09'],
    ['2026-10-08', -1, '2026-09-30'],
  ])('from %s, %i working days is %s', (from, n, want) => {
    expect(cal.addWorkdays(from, n)).toBe(want)
  })

  it('matches workdaysBetween in both directions', () => {
    for (const [from, n] of [
      ['2026-09-30', 3],
      ['2026-02-12', 10],
      ['2026-12-20', 15],
    ] as const) {
      const to = cal.addWorkdays(from, n)
      expect(cal.workdaysBetween(from, to)).toBe(n)
      expect(cal.workdaysBetween(to, from)).toBe(-n)
    }
  })

  it('counts working days in (a, b]', () => {
    expect(cal.workdaysBetween('2026-09-30', '2026-10-07')).toBe(0)
    expect(cal.workdaysBetween('2026-09-30', '2026-10-08')).toBe(1)
    expect(cal.workdaysBetween('2026-11-09', '2026-11-09')).toBe(0)
  })

  it('rejects fractional counts and bad dates', () => {
    expect(() => cal.addWorkdays('2026-09-30', 1.5)).toThrow(RangeError)
    expect(() => cal.addWorkdays('2026-09-31', 1)).toThrow(RangeError)
    expect(() => cal.isWorkday('2026/10/01')).toThrow(RangeError)
  })
})

describe('moving dates off days off', () => {
  it('finds the next and previous working day strictly around a date', () => {
    expect(cal.nextWorkday('2026-09-30')).toBe('2026-10-08')
    expect(cal.previousWorkday('2026-10-08')).toBe('2026-09-30')
    expect(cal.nextWorkday('2026-11-09')).toBe('2026-11-10')
  })

  it('keeps a working day and moves a holiday deadline forward or a reminder back', () => {
    expect(cal.onOrAfter('2026-11-09')).toBe('2026-11-09')
    expect(cal.onOrAfter('2026-10-03')).toBe('2026-10-08')
    expect(cal.onOrBefore('2026-10-03')).toBe('2026-09-30')
    expect(cal.onOrBefore('2026-10-10')).toBe('2026-10-10')
  })
})

describe('admin overrides', () => {
  it('an override that makes a working day a holiday shifts a deadline', () => {
    const county = createWorkdayCalendar([{ date: '2026-10-09', kind: 'holiday', note: '县庆' }])
    expect(cal.addWorkdays('2026-09-30', 3)).toBe('2026-10-10')
    expect(county.addWorkdays('2026-09-30', 3)).toBe('2026-10-12')
    expect(county.describe('2026-10-09')).toEqual({ date: '2026-10-09', workday: false, source: 'override', name: '县庆' })
  })

  it('an override can make a day off a working day, and it wins over the built-in schedule', () => {
    const county = createWorkdayCalendar([
      { date: '2026-11-07', kind: 'workday', note: '集中攻坚' },
      { date: '2026-10-10', kind: 'holiday' },
    ])
    expect(county.isWorkday('2026-11-07')).toBe(true)
    expect(county.isWorkday('2026-10-10')).toBe(false)
    expect(county.addWorkdays('2026-11-06', 1)).toBe('2026-11-07')
  })

  it('the last override for a date wins', () => {
    const county = createWorkdayCalendar([
      { date: '2026-11-09', kind: 'holiday' },
      { date: '2026-11-09', kind: 'workday' },
    ])
    expect(county.isWorkday('2026-11-09')).toBe(true)
  })

  it('rejects a malformed override', () => {
    expect(() => createWorkdayCalendar([{ date: '2026-02-30', kind: 'holiday' }])).toThrow(RangeError)
    expect(() => createWorkdayCalendar([{ date: '2026-02-03', kind: 'day off' as 'holiday' }])).toThrow(RangeError)
  })

  it('stops with a clear error instead of looping when overrides leave no working day', () => {
    const overrides: CalendarOverride[] = []
    for (let d = new Date(Date.UTC(2026, 10, 10)), i = 0; i < 500; i++, d.setUTCDate(d.getUTCDate() + 1)) {
      overrides.push({ date: d.toISOString().slice(0, 10), kind: 'holiday' })
    }
    expect(() => createWorkdayCalendar(overrides).addWorkdays('2026-11-09', 1)).toThrow(/no working day/)
  })
})

describe('coverage', () => {
  it('knows the years of the built-in data', () => {
    expect(BUILT_IN_YEARS.first).toBe(2004)
    expect(BUILT_IN_YEARS.last).toBeGreaterThanOrEqual(2026)
    expect(cal.coverage(2026)).toBeNull()
    expect(cal.coverage(2004)).toBeNull()
  })

  it.each([2003, 2099])('warns in Chinese for %i, which the data does not cover', (year) => {
    const warning = cal.coverage(year)
    expect(warning).toContain(`${year}年`)
    expect(warning).toContain('尚未收录')
  })

  it('warns for a year whose 1 January falls on a weekend too (2028 starts on a Saturday)', () => {
    if (BUILT_IN_YEARS.last >= 2028) return
    expect(cal.isWorkday('2028-01-01')).toBe(false)
    expect(cal.coverage(2028)).toMatch(/2028年/)
  })

  it('an admin override for 1 January marks the year as entered', () => {
    const year = BUILT_IN_YEARS.last + 1
    const county = createWorkdayCalendar([{ date: `${year}-01-01`, kind: 'holiday', note: '元旦' }])
    expect(cal.coverage(year)).not.toBeNull()
    expect(county.coverage(year)).toBeNull()
  })
})

describe('time zone independence', () => {
  it('does not depend on the host time zone (chinese-days’ own functions do)', () => {
    // The module reads the data file and computes weekdays in UTC, so the answer is the same for any TZ;
    // this guards against someone switching back to the library's date parsing.
    const original = process.env.TZ
    try {
      process.env.TZ = 'America/New_York'
      const ny = createWorkdayCalendar()
      expect(ny.isWorkday('2026-01-04')).toBe(true)
      expect(ny.isWorkday('2026-10-01')).toBe(false)
      expect(ny.addWorkdays('2026-09-30', 3)).toBe('2026-10-10')
    } finally {
      process.env.TZ = original
    }
  })
})
