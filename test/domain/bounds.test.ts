/**
 * Amount bounds (issue 11): one figure fits exact integer arithmetic with room, and the 序时 functions name the
 * stored value that is wrong instead of breaking a whole board with an anonymous RangeError.
 */
import { describe, expect, it } from 'vitest'
import { MAX_AMOUNT_YUAN, amountProblem, sumYuan } from '../../src/domain/money.ts'
import { FigureError, GAP_LIMIT_BP, completionRate, figureProblems, gapPoints, monthLinear, planCurve } from '../../src/domain/schedule.ts'
import { ratio } from '../../src/domain/ratio.ts'

describe('MAX_AMOUNT_YUAN', () => {
  it('is 900 亿元, and 100,000 projects at the bound still sum exactly below 2^53', () => {
    expect(MAX_AMOUNT_YUAN).toBe(900 * 100_000_000)
    expect(100_000 * MAX_AMOUNT_YUAN).toBeLessThan(2 ** 53)
    expect(sumYuan(Array.from({ length: 100_000 }, () => MAX_AMOUNT_YUAN))).toBe(9e15)
  })

  const cases: Array<[number, string | null]> = [
    [0, null],
    [MAX_AMOUNT_YUAN, null],
    [MAX_AMOUNT_YUAN + 1, '本年累计超过单项金额上限 9,000,000 万元（900 亿元），请核实单位是否为万元'],
    [-1, '本年累计不能为负数'],
    [0.5, '本年累计不是整元金额'],
    [Number.NaN, '本年累计不是有效的金额'],
    [Number.POSITIVE_INFINITY, '本年累计超过单项金额上限 9,000,000 万元（900 亿元），请核实单位是否为万元'],
  ]
  it.each(cases)('amountProblem(%s)', (v, want) => expect(amountProblem('本年累计', v)).toBe(want))
})

describe('schedule functions on stored data past the bounds', () => {
  it('throw FigureError naming the field and the value', () => {
    const e = (() => {
      try {
        completionRate(-5, 1000)
      } catch (err) {
        return err
      }
    })()
    expect(e).toBeInstanceOf(FigureError)
    expect(e).toBeInstanceOf(RangeError) // callers that caught RangeError still do
    expect(e).toMatchObject({ field: '本年累计', value: -5 })
    expect(() => completionRate(10, 2 ** 53)).toThrow(/年度计划应为不小于 0 的整元金额/)
    expect(() => planCurve([0, 5, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3], 4)).toThrow(FigureError)
  })

  it('figureProblems lists every bad figure of a row without throwing', () => {
    expect(figureProblems({ ytd: 100, annualPlan: 1000 })).toEqual([])
    expect(figureProblems({ ytd: -1, annualPlan: 0.5, planCumulative: [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], month: 3 }).map((p) => p.field)).toEqual([
      '本年累计',
      '年度计划',
      '计划曲线第2月', // the curve goes down before the annual plan is looked at
    ])
    expect(figureProblems({ ytd: 1, annualPlan: 10, planCumulative: [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] })[0]).toMatchObject({
      field: '计划曲线第2月',
      value: 0,
    })
  })

  it('gapPoints never throws: an absurd 完成率 shows the limit with the exact sign', () => {
    const g = gapPoints(ratio(Number.MAX_SAFE_INTEGER, 1), monthLinear(10))
    expect(g).toMatchObject({ sign: 1, basisPoints: GAP_LIMIT_BP, pointsText: '1000000.00' })
    expect(gapPoints(ratio(0, 1), monthLinear(10)).pointsText).toBe('-83.33')
  })
})
