/**
 * Quarterly 羚羊奖 (fastest) and 蜗牛奖 (slowest) projects, lingchuan-2021: "每季度各分指挥部评选出'最优''最差'
 * 项目各1个，由指挥部最终确定'最优''最差'项目各3个".
 *
 * 1. Projects without an annual plan are left out (no 完成率, nothing to compare).
 * 2. In each sector (分指挥部) the best and the worst project by the metric; a sector with one eligible project
 *    names only its best, so no project is ever both.
 * 3. Overall, the best `winners` of the sector bests get 羚羊奖 and the worst `winners` of the sector worsts get
 *    蜗牛奖.
 *
 * Order is total and deterministic: metric, then the larger annual plan (a big project's result matters more,
 * for praise and for blame), then project code ascending.
 */
import { compare, compareDifferences } from './ratio.ts'
import type { Ratio } from './ratio.ts'
import { monthNumber, monthsOfQuarter } from './periods.ts'
import type { PeriodKey } from './periods.ts'
import { completionRate, gapPoints, monthLinear } from './schedule.ts'
import type { Gap } from './schedule.ts'
import type { Yuan } from './money.ts'

/** The 7 分指挥部 of the 陵川 command centre, in their usual order. */
export const LINGCHUAN_SECTORS: readonly string[] = ['工业', '数字经济', '能源', '文旅康养', '乡村振兴', '现代服务业', '基础设施']

/** What ranks projects: 'gap' (完成率 − 序时, default) or plain 'completion' (完成率). */
export type AwardMetric = 'gap' | 'completion'

export interface AwardCandidate {
  code: string
  name?: string
  sector: string
  annualPlan: Yuan
  /** 本年累计 through the quarter's last month. */
  ytd: Yuan
  /** 序时 at the quarter's last month if not month-linear (e.g. from the project's plan curve). */
  schedule?: Ratio
}

export interface AwardOptions {
  metric?: AwardMetric
  /** Awards of each kind overall (default 3). */
  winners?: number
  /** Sector order for the output; sectors not listed follow in name order. Default LINGCHUAN_SECTORS. */
  sectorOrder?: readonly string[]
}

export interface AwardPick {
  code: string
  name?: string
  sector: string
  annualPlan: Yuan
  completion: Ratio
  schedule: Ratio
  gap: Gap
}

export interface SectorPicks {
  sector: string
  /** Eligible projects in the sector. */
  eligible: number
  best: AwardPick
  /** null when the sector has a single eligible project. */
  worst: AwardPick | null
}

export interface QuarterlyAwards {
  quarter: PeriodKey
  metric: AwardMetric
  sectors: SectorPicks[]
  /** 羚羊奖, best first. */
  antelope: AwardPick[]
  /** 蜗牛奖, worst first. */
  snail: AwardPick[]
}

/**
 * The quarter's awards: `quarterlyAwards('2026-Q3', projects)` measures each project's 1–9月 completion against
 * 序时 9/12 (unless the candidate brings its own `schedule`).
 */
export function quarterlyAwards(quarter: PeriodKey, candidates: readonly AwardCandidate[], options: AwardOptions = {}): QuarterlyAwards {
  const metric = options.metric ?? 'gap'
  const winners = options.winners ?? 3
  if (!Number.isInteger(winners) || winners < 0) throw new RangeError(`winners must be a whole number ≥ 0: ${winners}`)
  const lastMonth = monthNumber(monthsOfQuarter(quarter)[2])
  const defaultSchedule = monthLinear(lastMonth)

  const seen = new Set<string>()
  const bySector = new Map<string, AwardPick[]>()
  for (const c of candidates) {
    if (seen.has(c.code)) throw new RangeError(`project ${c.code} appears twice`)
    seen.add(c.code)
    const completion = completionRate(c.ytd, c.annualPlan)
    if (completion === null) continue
    const schedule = c.schedule ?? defaultSchedule
    const gap = gapPoints(completion, schedule)
    const pick: AwardPick = { code: c.code, sector: c.sector, annualPlan: c.annualPlan, completion, schedule, gap }
    if (c.name !== undefined) pick.name = c.name
    const list = bySector.get(c.sector) ?? []
    list.push(pick)
    bySector.set(c.sector, list)
  }

  // Higher is better for both metrics; compared exactly on the fractions.
  const byMetric = (a: AwardPick, b: AwardPick): number =>
    metric === 'gap' ? compareDifferences(a.completion, a.schedule, b.completion, b.schedule) : compare(a.completion, b.completion)
  const bestFirst = (a: AwardPick, b: AwardPick): number => byMetric(b, a) || tieBreak(a, b)
  const worstFirst = (a: AwardPick, b: AwardPick): number => byMetric(a, b) || tieBreak(a, b)

  const order = options.sectorOrder ?? LINGCHUAN_SECTORS
  const sectorNames = [...bySector.keys()].sort((a, b) => {
    const ia = order.indexOf(a)
    const ib = order.indexOf(b)
    if (ia !== ib) return (ia < 0 ? Infinity : ia) - (ib < 0 ? Infinity : ib)
    return a < b ? -1 : a > b ? 1 : 0
  })

  const sectors: SectorPicks[] = []
  const bests: AwardPick[] = []
  const worsts: AwardPick[] = []
  for (const sector of sectorNames) {
    const list = (bySector.get(sector) as AwardPick[]).slice().sort(bestFirst)
    const best = list[0] as AwardPick
    // The worst is chosen among the others, so a project never gets both.
    const rest = list.slice(1).sort(worstFirst)
    const worst = rest[0] ?? null
    bests.push(best)
    if (worst) worsts.push(worst)
    sectors.push({ sector, eligible: list.length, best, worst })
  }

  return {
    quarter,
    metric,
    sectors,
    antelope: bests.sort(bestFirst).slice(0, winners),
    snail: worsts.sort(worstFirst).slice(0, winners),
  }
}

function tieBreak(a: AwardPick, b: AwardPick): number {
  if (a.annualPlan !== b.annualPlan) return b.annualPlan - a.annualPlan
  return a.code < b.code ? -1 : a.code > b.code ? 1 : 0
}
