import { describe, expect, it } from 'vitest'
import { equals, ratio } from '../../src/domain/ratio.ts'
import {
  completionRate,
  dayLinear,
  describeGap,
  gapPoints,
  halfwayCheck,
  monthLinear,
  planCurve,
  scheduleProgress,
} from '../../src/domain/schedule.ts'

const WAN = 10_000

describe('month-linear 序时', () => {
  it.each([
    [1, 1, 12],
    [6, 1, 2],
    [10, 5, 6],
    [12, 1, 1],
  ])('statistical month %i is %i/%i of the year', (month, num, den) => {
    expect(equals(monthLinear(month), ratio(num, den))).toBe(true)
  })

  it.each([0, 13, 2.5])('rejects month %s', (month) => {
    expect(() => monthLinear(month)).toThrow(RangeError)
  })
})

describe('day-linear 序时', () => {
  it.each([
    ['2026-01-01', 1, 365],
    ['2026-07-01', 182, 365],
    ['2026-12-31', 365, 365],
    ['2028-12-31', 366, 366],
    ['2028-03-01', 61, 366],
  ])('%s is %i/%i', (date, num, den) => {
    expect(dayLinear(date)).toEqual(ratio(num, den))
  })
})

describe('plan-curve 序时', () => {
  const curve = [0, 0, 100, 200, 300, 500, 600, 700, 800, 900, 950, 1000].map((w) => w * WAN)

  it('reads the cumulative plan of month N against the annual plan', () => {
    expect(equals(planCurve(curve, 3)!, ratio(1, 10))).toBe(true)
    expect(equals(planCurve(curve, 6)!, ratio(1, 2))).toBe(true)
    expect(equals(planCurve(curve, 12)!, ratio(1))).toBe(true)
    expect(equals(planCurve(curve, 1)!, ratio(0))).toBe(true)
  })

  it('measures against a larger revised annual plan when given', () => {
    expect(equals(planCurve(curve, 12, 2000 * WAN)!, ratio(1, 2))).toBe(true)
  })

  it('is null when nothing is planned', () => {
    expect(planCurve(new Array(12).fill(0), 6)).toBeNull()
  })

  it.each([
    ['a decreasing curve', [...curve.slice(0, 11), 1]],
    ['too few months', curve.slice(0, 11)],
    ['a fractional amount', [...curve.slice(0, 11), 1000.5]],
    ['a negative amount', [-1, ...curve.slice(1)]],
  ])('rejects %s', (_, bad) => {
    expect(() => planCurve(bad, 6)).toThrow(RangeError)
  })

  it('rejects a curve above the annual plan', () => {
    expect(() => planCurve(curve, 6, 999 * WAN)).toThrow(/超过年度计划/)
  })

  it('is chosen by mode', () => {
    expect(equals(scheduleProgress('monthLinear', { month: 10 })!, ratio(5, 6))).toBe(true)
    expect(equals(scheduleProgress('dayLinear', { asOf: '2026-12-31' })!, ratio(1))).toBe(true)
    expect(equals(scheduleProgress('planCurve', { month: 6, planCumulative: curve })!, ratio(1, 2))).toBe(true)
    expect(() => scheduleProgress('planCurve', { month: 6 })).toThrow(/needs/)
    expect(() => scheduleProgress('dayLinear', { month: 6 })).toThrow(/needs/)
  })
})

describe('完成率', () => {
  it('is year-to-date over the annual plan, exactly', () => {
    expect(completionRate(972 * WAN, 1000 * WAN)).toEqual(ratio(972 * WAN, 1000 * WAN))
  })

  it('is null without a plan', () => {
    expect(completionRate(100, 0)).toBeNull()
  })

  it.each([
    [-1, 100],
    [1.5, 100],
    [100, -5],
  ])('rejects %s of %s', (ytd, plan) => {
    expect(() => completionRate(ytd, plan)).toThrow(RangeError)
  })
})

describe('gap to 序时', () => {
  it.each([
    // The public check: 1–10月 97.2 % vs 10/12 → +13.87 points.
    { ytd: 9720, plan: 10_000, month: 10, sign: 1, points: 13.87, text: '超序时 13.87 个百分点' },
    { ytd: 7000, plan: 10_000, month: 10, sign: -1, points: -13.33, text: '落后序时 13.33 个百分点' },
    { ytd: 5000, plan: 10_000, month: 6, sign: 0, points: 0, text: '与序时持平' },
    // 1 元 behind on a 1.2 亿 plan: displays as 0.00 but is behind, and says so.
    { ytd: 59_999_999, plan: 120_000_000, month: 6, sign: -1, points: 0, text: '落后序时 0.00 个百分点' },
  ])('$ytd of $plan at month $month is $points points', ({ ytd, plan, month, sign, points, text }) => {
    const gap = gapPoints(completionRate(ytd, plan)!, monthLinear(month))
    expect(gap.sign).toBe(sign)
    expect(gap.points).toBe(points)
    expect(describeGap(gap)).toBe(text)
  })

  it('keeps two decimals in the text', () => {
    expect(gapPoints(ratio(1, 2), ratio(2, 5)).pointsText).toBe('10.00')
    expect(gapPoints(ratio(0), ratio(1, 3)).pointsText).toBe('-33.33')
  })

  it('handles plan curves whose annual plan differs from the project plan (denominators near 10^10)', () => {
    const completion = completionRate(4_000_000_001, 9_000_000_001)!
    const schedule = ratio(4_000_000_000, 9_000_000_003)
    const gap = gapPoints(completion, schedule)
    expect(gap.sign).toBe(1)
    expect(gap.basisPoints).toBe(0)
  })
})

describe('双过半', () => {
  it.each([
    { ytd: 500, plan: 1000, met: true, shortfall: 0 },
    { ytd: 499, plan: 1000, met: false, shortfall: 1 },
    { ytd: 500, plan: 1001, met: false, shortfall: 1 }, // half of 1001 is 500.5: 501 needed
    { ytd: 623, plan: 1000, met: true, shortfall: 0 },
    { ytd: 0, plan: 1, met: false, shortfall: 1 },
  ])('$ytd of $plan by end of June: met=$met', ({ ytd, plan, met, shortfall }) => {
    const r = halfwayCheck(ytd, plan)!
    expect(r.met).toBe(met)
    expect(r.shortfall).toBe(shortfall)
  })

  it('has no verdict without a plan', () => {
    expect(halfwayCheck(100, 0)).toBeNull()
  })
})
