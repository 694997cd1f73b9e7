/**
 * Checking a progress report before it is stored. Errors block (nothing is stored); a question asks the
 * person which of two conflicting figures is right; warnings are shown but do not block.
 */
import type { Project } from '../store/repos/projects.ts'
import type { Report, Round } from '../store/repos/rounds.ts'
import { amountProblem, formatWan } from '../domain/money.ts'
import { PERCENT_RANGE_REASON } from '../domain/parse/numbers.ts'

/**
 * 本年累计 (or 本期) above this many times the project's 总投资 is refused, not warned about: a year's investment
 * can pass the total when the total was revised late, but three times over is a unit slip (元 typed as 万元).
 */
export const TOTAL_INVESTMENT_FACTOR = 3

/** A report's values as a person gives them (amounts in whole 元), before checks. */
export interface ReportValues {
  periodInvestment: number | null
  ytdInvestment: number | null
  progressPercent: number | null
  progressText: string
  problems: string[]
  coordination: string
  nextSteps: string
  correctionReason: string
}

export interface ReportCheck {
  errors: string[]
  /** 本月 and the rise in 累计 disagree: which one is right? */
  mismatch: { period: number; rise: number } | null
  warnings: string[]
}

/** Same-year previous figure only: January starts the year at zero. */
export function checkReport(
  values: ReportValues,
  project: Project,
  round: Round,
  previous: { report: Report; period: string } | undefined,
): ReportCheck {
  const errors: string[] = []
  const warnings: string[] = []
  const w = (y: number) => `${formatWan(y)} 万元`
  if (values.ytdInvestment === null) errors.push('缺少本年累计完成投资')
  // Each figure must be whole 元, not negative, within MAX_AMOUNT_YUAN and within 3× the project's 总投资; a value
  // that fails is refused here with its reason, so nothing past these bounds is ever stored for the board to sum.
  const bad = new Set<string>()
  for (const [label, v] of [
    ['本期完成投资', values.periodInvestment],
    ['本年累计', values.ytdInvestment],
  ] as const) {
    if (v === null) continue
    const problem = amountProblem(label, v)
    if (problem) {
      errors.push(problem)
      bad.add(label)
    } else if (project.totalInvestment > 0 && v > TOTAL_INVESTMENT_FACTOR * project.totalInvestment) {
      errors.push(`${label} ${w(v)} 超过项目总投资 ${w(project.totalInvestment)} 的 ${TOTAL_INVESTMENT_FACTOR} 倍，请核实单位是否为万元`)
      bad.add(label)
    }
  }
  if (values.progressPercent !== null && !(values.progressPercent >= 0 && values.progressPercent <= 100)) errors.push(PERCENT_RANGE_REASON)
  const sameYear = previous && previous.period.slice(0, 4) === round.period.slice(0, 4)
  const prevYtd = sameYear ? previous.report.ytdInvestment : 0
  let mismatch: ReportCheck['mismatch'] = null
  if (values.ytdInvestment !== null && !bad.has('本年累计')) {
    if (sameYear && values.ytdInvestment < prevYtd && !values.correctionReason.trim())
      errors.push(`本年累计 ${w(values.ytdInvestment)} 低于上期的 ${w(prevYtd)}。如确需更正，请在「更正说明」中写明原因`)
    if (values.ytdInvestment > project.totalInvestment)
      warnings.push(`本年累计 ${w(values.ytdInvestment)} 超过项目总投资 ${w(project.totalInvestment)}，请核实`)
    if (round.kind === 'monthly' && values.periodInvestment !== null && !bad.has('本期完成投资')) {
      const rise = values.ytdInvestment - prevYtd
      // 100 元 of slack: people round 万元 figures, and a few hundred 元 is not a disagreement worth asking about.
      if (Math.abs(values.periodInvestment - rise) > 100 && values.ytdInvestment >= prevYtd) mismatch = { period: values.periodInvestment, rise }
    }
  }
  return { errors, mismatch, warnings }
}

/** Resolves a mismatch the way the person chose: keep 本月 (累计 follows) or keep 累计 (本月 follows). */
export function applyTrust(values: ReportValues, trust: 'period' | 'ytd', prevYtd: number): ReportValues {
  if (trust === 'period' && values.periodInvestment !== null) return { ...values, ytdInvestment: prevYtd + values.periodInvestment }
  if (trust === 'ytd' && values.ytdInvestment !== null) return { ...values, periodInvestment: values.ytdInvestment - prevYtd }
  return values
}
