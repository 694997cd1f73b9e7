import { describe, expect, it } from 'vitest'
import { localDate, localDateTime, shanghaiTime } from '../../src/domain/time.ts'

describe('Shanghai wall-clock time', () => {
  it.each([
    ['2026-11-25T16:05:00Z', '2026-11-26 00:05', '2026-11-26'], // after midnight in Shanghai, still the 25th in UTC
    ['2026-11-25T15:59:00Z', '2026-11-25 23:59', '2026-11-25'],
    ['2026-12-31T16:00:00Z', '2027-01-01 00:00', '2027-01-01'],
  ])('%s is %s', (iso, time, date) => {
    expect(localDateTime(new Date(iso))).toBe(time)
    expect(localDate(new Date(iso))).toBe(date)
  })

  it('round-trips shanghaiTime', () => {
    expect(localDateTime(shanghaiTime(2026, 11, 26, 7, 30))).toBe('2026-11-26 07:30')
  })
})
