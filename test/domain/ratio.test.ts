import { describe, expect, it } from 'vitest'
import {
  add,
  compare,
  compareDifference,
  compareDifferences,
  compareQuotient,
  differenceToFixedPoint,
  equals,
  formatPercent,
  formatScaled,
  fromDecimal,
  fromPoints,
  max,
  min,
  multiply,
  ratio,
  subtract,
  toBasisPoints,
  toFixedPoint,
  toPercent,
} from '../../src/domain/ratio.ts'

describe('ratio construction', () => {
  it.each([
    [-1, 1],
    [1.5, 2],
    [1, 0],
    [1, -3],
    [Number.MAX_SAFE_INTEGER + 2, 1],
  ])('rejects %s/%s', (num, den) => {
    expect(() => ratio(num, den)).toThrow(RangeError)
  })

  it.each([
    [1.2, 6, 5],
    [12.5, 25, 2],
    [0, 0, 1],
    [100, 100, 1],
    [0.000001, 1, 1_000_000],
  ])('reads the decimal %s exactly as %s/%s', (value, num, den) => {
    expect(fromDecimal(value)).toEqual({ num, den })
  })

  it('refuses a decimal with more than 6 places instead of approximating it', () => {
    expect(() => fromDecimal(0.3333333)).toThrow(/6 decimals/)
    expect(() => fromDecimal(-1)).toThrow(RangeError)
  })

  it('turns percentage points into a fraction of 1', () => {
    expect(equals(fromPoints(10), ratio(1, 10))).toBe(true)
    expect(equals(fromPoints(2.5), ratio(1, 40))).toBe(true)
  })
})

describe('exact comparison', () => {
  it.each([
    { a: [1, 3], b: [2, 6], want: 0 },
    { a: [97, 100], b: [10, 12], want: 1 },
    { a: [5, 12], b: [5, 12], want: 0 },
    { a: [499_999, 1_000_000], b: [1, 2], want: -1 },
    { a: [0, 7], b: [0, 9], want: 0 },
  ])('compares $a with $b as $want', ({ a, b, want }) => {
    expect(compare(ratio(a[0]!, a[1]!), ratio(b[0]!, b[1]!))).toBe(want)
    expect(compare(ratio(b[0]!, b[1]!), ratio(a[0]!, a[1]!))).toBe(-want || 0)
  })

  it('stays exact when cross products pass 2^53 (plans of hundreds of 亿元)', () => {
    const plan = 900_719_925_474_099 // 9.0e14 元
    const a = ratio(plan - 1, plan)
    const b = ratio(plan - 2, plan - 1)
    expect(a.num / a.den).toBe(b.num / b.den) // floats cannot tell these apart
    expect(compare(a, b)).toBe(1)
    expect(compare(b, a)).toBe(-1)
    expect(compare(ratio(plan, plan - 1), ratio(plan, plan - 1))).toBe(0)
  })

  it('picks the smaller with min (a cap) and the larger with max', () => {
    const cap = fromDecimal(1.2)
    expect(min(ratio(150, 100), cap)).toBe(cap)
    expect(min(ratio(90, 100), cap)).toEqual(ratio(90, 100))
    expect(max(ratio(1, 3), ratio(1, 2))).toEqual(ratio(1, 2))
  })
})

describe('arithmetic', () => {
  it('subtracts to a signed, reduced fraction', () => {
    expect(subtract(ratio(70, 100), ratio(10, 12))).toEqual({ num: -2, den: 15 })
    expect(subtract(ratio(3, 5), ratio(1, 5))).toEqual({ num: 2, den: 5 })
    expect(add(ratio(1, 3), ratio(1, 6))).toEqual({ num: 1, den: 2 })
    expect(multiply(ratio(10, 12), ratio(1, 2))).toEqual({ num: 5, den: 12 })
  })

  it('compares and rounds differences of unrelated large fractions without overflowing', () => {
    // Two plans near 10^10 元: the exact difference has a denominator near 10^20, which subtract cannot hold.
    const a = ratio(3_000_000_000, 7_000_000_001)
    const b = ratio(3_000_000_000, 7_000_000_003)
    expect(() => subtract(a, b)).toThrow(/too large/)
    expect(compareDifference(a, b, ratio(0))).toBe(1)
    expect(compareDifference(b, a, ratio(0))).toBe(-1)
    expect(differenceToFixedPoint(a, b, 10_000)).toBe(0)
    expect(compareDifferences(a, b, b, a)).toBe(1)
    expect(compareDifferences(a, b, a, b)).toBe(0)
  })

  it.each([
    { a: [7, 10], b: [10, 12], t: [-2, 15], want: 0 },
    { a: [7, 10], b: [10, 12], t: [-1, 10], want: -1 },
    { a: [10, 12], b: [7, 10], t: [1, 10], want: 1 },
  ])('compares $a − $b with $t', ({ a, b, t, want }) => {
    const r = (x: number[]) => ({ num: x[0]!, den: x[1]! })
    expect(compareDifference(r(a), r(b), r(t))).toBe(want)
  })

  it('rounds a difference to fixed point half away from zero', () => {
    expect(differenceToFixedPoint(ratio(7, 10), ratio(10, 12), 10_000)).toBe(-1333)
    expect(differenceToFixedPoint(ratio(972, 1000), ratio(10, 12), 10_000)).toBe(1387)
    expect(differenceToFixedPoint(ratio(0), ratio(1, 20_000), 10_000)).toBe(-1)
  })

  it('compares a quotient with a bound: 完成率 ÷ 序时 against one half', () => {
    expect(compareQuotient(ratio(40, 100), ratio(80, 100), ratio(1, 2))).toBe(0)
    expect(compareQuotient(ratio(39, 100), ratio(80, 100), ratio(1, 2))).toBe(-1)
    expect(() => compareQuotient(ratio(1, 2), ratio(0), ratio(1))).toThrow(RangeError)
  })
})

describe('rounding for display', () => {
  it.each([
    { r: [10, 12], bp: 8333, pct: '83.33%' },
    { r: [1, 8], bp: 1250, pct: '12.50%' },
    { r: [1, 3], bp: 3333, pct: '33.33%' },
    { r: [2, 3], bp: 6667, pct: '66.67%' },
    { r: [1, 20_000], bp: 1, pct: '0.01%' }, // exactly half a basis point rounds up (away from zero)
    { r: [1, 20_001], bp: 0, pct: '0.00%' },
    { r: [972, 1000], bp: 9720, pct: '97.20%' },
    { r: [3, 2], bp: 15000, pct: '150.00%' },
  ])('shows $r as $pct', ({ r, bp, pct }) => {
    const x = ratio(r[0]!, r[1]!)
    expect(toBasisPoints(x)).toBe(bp)
    expect(formatPercent(x)).toBe(pct)
    expect(toPercent(x)).toBe(bp / 100)
  })

  it('rounds negative gaps half away from zero', () => {
    expect(toBasisPoints({ num: -1, den: 20_000 })).toBe(-1)
    expect(toBasisPoints({ num: -2, den: 15 })).toBe(-1333)
    expect(formatScaled(-1333, 2)).toBe('-13.33')
    expect(formatScaled(-5, 2)).toBe('-0.05')
    expect(formatScaled(0, 2)).toBe('0.00')
  })

  it('converts to fixed point deterministically, also past 2^53', () => {
    expect(toFixedPoint(ratio(2, 3), 10_000)).toBe(6667)
    expect(toFixedPoint(ratio(1_000_000_000_000_001, 300_000_000_000), 10_000)).toBe(33_333_333)
    expect(toFixedPoint(ratio(1_000_000_000_000_000, 200_000_000_000_000), 3)).toBe(15) // 15 exactly, no float drift
    expect(() => toFixedPoint(ratio(Number.MAX_SAFE_INTEGER, 1), 10)).toThrow(/out of range/)
  })
})
