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

/**
 * A stored figure the rules cannot use (a negative 本年累计, a plan curve that goes down, a value past 2^53): thrown
 * by the functions here with the field and the value, so a board built over many projects can catch it per row,
 * leave that row out and say which value of which project is wrong, instead of failing for the whole county.
 * `message` is the sentence for people, in Chinese.
 */
export class FigureError extends RangeError {
  override readonly name = 'FigureError'
  /** Which figure: '本年累计', '年度计划', '计划曲线第3月'… */
  readonly field: string
  readonly value: unknown
  constructor(field: string, value: unknown, message: string) {
    super(message)
    this.field = field
    this.value = value
  }
}

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
  if (!Array.isArray(planCumulative) || planCumulative.length !== 12)
    throw new FigureError('计划曲线', planCumulative?.length, `计划曲线应有 12 个月的累计计划，实有 ${planCumulative?.length ?? 0} 个`)
  let prev = 0
  for (const [i, v] of planCumulative.entries()) {
    checkAmount(v, `计划曲线第${i + 1}月`)
    if (v < prev) throw new FigureError(`计划曲线第${i + 1}月`, v, `计划曲线第${i + 1}月累计 ${v} 元低于上月的 ${prev} 元：累计计划不能减少`)
    prev = v
  }
  const annual = annualPlan ?? prev
  checkAmount(annual, '年度计划')
  if (prev > annual) throw new FigureError('计划曲线', prev, `计划曲线累计到 ${prev} 元，超过年度计划 ${annual} 元`)
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
  checkAmount(ytd, '本年累计')
  checkAmount(annualPlan, '年度计划')
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
  const sign = compare(completion, schedule)
  let bp: number
  try {
    bp = Math.max(-GAP_LIMIT_BP, Math.min(GAP_LIMIT_BP, differenceToFixedPoint(completion, schedule, 10_000)))
  } catch {
    // A 完成率 of 10^12 % (a plan of 1 元 against real figures) has no fixed-point gap; show the limit, keep the
    // exact sign, so one project's odd plan cannot stop a whole board being drawn.
    bp = sign * GAP_LIMIT_BP
  }
  return { completion, schedule, sign, basisPoints: bp, points: bp / 100, pointsText: formatScaled(bp, 2) }
}

/**
 * The largest gap shown, ±10^6 percentage points (in basis points): far beyond any real 完成率 (3× the total is
 * already refused), and small enough that every derived number stays exact.
 */
export const GAP_LIMIT_BP = 100_000_000

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
  if (!Number.isInteger(month) || month < 1 || month > 12) throw new FigureError('统计月份', month, `统计月份应为 1–12：${month}`)
}

function checkAmount(v: number, what: string): void {
  if (!Number.isSafeInteger(v) || v < 0) throw new FigureError(what, v, `${what}应为不小于 0 的整元金额，实为 ${String(v)}`)
}

/** One stored figure the rules cannot use, as `figureProblems` reports it. */
export interface FigureProblem {
  field: string
  value: unknown
  reason: string
}

/**
 * Every figure of one project's month that would make the functions here throw, without throwing: an empty list
 * means `completionRate` and `scheduleProgress` will take them. For boards that check rows before computing.
 */
export function figureProblems(f: { ytd: number; annualPlan: number; planCumulative?: readonly number[] | null; month?: number }): FigureProblem[] {
  const out: FigureProblem[] = []
  const attempt = (fn: () => unknown) => {
    try {
      fn()
    } catch (e) {
      if (e instanceof FigureError) out.push({ field: e.field, value: e.value, reason: e.message })
      else out.push({ field: '未知', value: undefined, reason: e instanceof Error ? e.message : String(e) })
    }
  }
  attempt(() => checkAmount(f.ytd, '本年累计'))
  attempt(() => checkAmount(f.annualPlan, '年度计划'))
  if (f.planCumulative) attempt(() => planCurve(f.planCumulative!, f.month ?? 12, f.annualPlan))
  return out
}
