/**
 * 序时进度 (where a project "should" be by now) and 完成率 (where it is), as exact fractions.
 *
 * Reports are cumulative "1–N月", so 序时 follows the statistical month N of the data, not today's date: a
 * 1–10月 report is measured against 10/12 = 83.33 % even when it is filed on 3 November.
 */
import { compare, differenceToFixedPoint, formatScaled, ratio } from './ratio.ts'
import type { Ratio } from './ratio.ts'
import type { Yuan } from './money.ts'
import { dayOfYear } from './periods.ts'
import { parseLocalDate } from './time.ts'
import type { LocalDate } from './time.ts'

/** How 序时 is measured. `monthLinear` is the county default. */
export type ScheduleMode = 'monthLinear' | 'dayLinear' | 'planCurve'

/** What a 序时 calculation needs; each mode reads only its own fields. */
export interface ScheduleInput {
  /** Statistical month N (1–12) of the data: monthLinear and planCurve. */
  month?: number
  /** Local date the data runs to: dayLinear. */
  asOf?: LocalDate
  /** planCurve: 12 cumulative planned amounts in 元 (Jan, Jan–Feb, …, Jan–Dec), non-decreasing. */
  planCumulative?: readonly Yuan[]
  /** planCurve: the annual plan; defaults to the curve's December value. */
  annualPlan?: Yuan
}

/**
 * 序时 for month N: N/12. `monthLinear(10)` → 10/12 (83.33 %).
 */
export function monthLinear(month: number): Ratio {
  checkMonth(month)
  return ratio(month, 12)
}

/**
 * 序时 by elapsed days, counting the `asOf` day as done: `dayLinear('2026-07-01')` → 182/365. For weekly or 旬
 * 调度 where a month is too coarse.
 */
export function dayLinear(asOf: LocalDate): Ratio {
  const { year } = parseLocalDate(asOf)
  return ratio(dayOfYear(asOf), dayOfYear(`${year}-12-31`))
}

/**
 * 序时 from a project's own monthly plan: planned 1–N月 cumulative ÷ annual plan. null when the annual plan is 0
 * (nothing planned: callers show "无计划"). `planCurve([0, 0, 100, …, 1000], 3)` → 100/1000.
 */
export function planCurve(planCumulative: readonly Yuan[], month: number, annualPlan?: Yuan): Ratio | null {
  checkMonth(month)
  if (planCumulative.length !== 12) throw new RangeError(`plan curve needs 12 monthly cumulative amounts, got ${planCumulative.length}`)
  let prev = 0
  for (const [i, v] of planCumulative.entries()) {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`plan curve month ${i + 1} is not whole 元 ≥ 0: ${v}`)
    if (v < prev) throw new RangeError(`plan curve decreases in month ${i + 1}: cumulative amounts must not go down`)
    prev = v
  }
  const annual = annualPlan ?? prev
  checkAmount(annual, 'annual plan')
  if (prev > annual) throw new RangeError(`plan curve reaches ${prev} 元, more than the annual plan of ${annual} 元`)
  if (annual === 0) return null
  return ratio(planCumulative[month - 1] as number, annual)
}

/**
 * 序时 in the configured mode: `scheduleProgress('monthLinear', { month: 10 })` → 10/12. null only for a
 * planCurve with no annual plan.
 */
export function scheduleProgress(mode: ScheduleMode, input: ScheduleInput): Ratio | null {
  switch (mode) {
    case 'monthLinear':
      if (input.month === undefined) throw new RangeError('monthLinear 序时 needs the statistical month')
      return monthLinear(input.month)
    case 'dayLinear':
      if (input.asOf === undefined) throw new RangeError('dayLinear 序时 needs the as-of date')
      return dayLinear(input.asOf)
    case 'planCurve':
      if (input.month === undefined || input.planCumulative === undefined) {
        throw new RangeError('planCurve 序时 needs the statistical month and the monthly plan')
      }
      return planCurve(input.planCumulative, input.month, input.annualPlan)
  }
}

/**
 * 完成率 = 本年累计 ÷ 年度计划, exact: `completionRate(972, 1000)` → 972/1000. null when the plan is 0
 * (no plan: no rate, no colour; callers decide how to show it).
 */
export function completionRate(ytd: Yuan, annualPlan: Yuan): Ratio | null {
  checkAmount(ytd, 'year-to-date investment')
  checkAmount(annualPlan, 'annual plan')
  return annualPlan === 0 ? null : ratio(ytd, annualPlan)
}

/**
 * 完成率 − 序时. Decisions use the exact `completion` and `schedule` (see ratio.ts `compareDifference`);
 * `points` and `pointsText` are for display only.
 */
export interface Gap {
  completion: Ratio
  schedule: Ratio
  /** 1 ahead of 序时, 0 exactly on it, −1 behind. Decided on the exact fractions. */
  sign: -1 | 0 | 1
  /** The gap in basis points (0.01 percentage point), rounded half away from zero: −3.333… points → −333. */
  basisPoints: number
  /** Percentage points rounded to 0.01: 13.87, −3.33. */
  points: number
  /** The same with two decimals always: '13.87', '-3.33', '0.00'. */
  pointsText: string
}

/**
 * How far ahead of (+) or behind (−) 序时 a project is, in percentage points:
 * `gapPoints(ratio(972, 1000), monthLinear(10))` → { sign: 1, points: 13.87, pointsText: '13.87', … }.
 */
export function gapPoints(completion: Ratio, schedule: Ratio): Gap {
  const bp = differenceToFixedPoint(completion, schedule, 10_000)
  return {
    completion,
    schedule,
    sign: compare(completion, schedule),
    basisPoints: bp,
    points: bp / 100,
    pointsText: formatScaled(bp, 2),
  }
}

/**
 * The gap in the words a 通报 uses: '超序时 13.87 个百分点', '落后序时 3.33 个百分点', '与序时持平'. A gap
 * that rounds to 0.00 but is not zero still says ahead or behind, because the colour was decided on the exact value.
 */
export function describeGap(gap: Gap): string {
  if (gap.sign === 0) return '与序时持平'
  const abs = gap.pointsText.replace('-', '')
  return gap.sign > 0 ? `超序时 ${abs} 个百分点` : `落后序时 ${abs} 个百分点`
}

/** The 双过半 verdict for a project or a unit at end of June. */
export interface HalfwayResult {
  /** 完成率 ≥ 50 %. */
  met: boolean
  completion: Ratio
  /** 元 still needed to reach half the annual plan; 0 when met. */
  shortfall: Yuan
}

/**
 * 双过半 (时间过半、任务过半): at least half the annual plan done by the end of June. Pass the 1–6月 cumulative.
 * `halfwayCheck(500, 1000)` → met; `halfwayCheck(499, 1000)` → not met, shortfall 1 元. null when there is no plan.
 */
export function halfwayCheck(ytdThroughJune: Yuan, annualPlan: Yuan): HalfwayResult | null {
  const completion = completionRate(ytdThroughJune, annualPlan)
  if (completion === null) return null
  const met = ytdThroughJune * 2 >= annualPlan
  return { met, completion, shortfall: met ? 0 : Math.ceil(annualPlan / 2) - ytdThroughJune }
}

function checkMonth(month: number): void {
  if (!Number.isInteger(month) || month < 1 || month > 12) throw new RangeError(`statistical month must be 1–12: ${month}`)
}

function checkAmount(v: number, what: string): void {
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${what} must be whole 元 ≥ 0: ${v}`)
}
