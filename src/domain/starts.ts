/**
 * The 开复工台账 and its targets: which projects have started (新建 开工) or resumed (续建 复工) by a date, against
 * the county's targets, quarter by quarter.
 *
 * ```ts
 * const check = checkStarts(START_PRESETS.lingchuan2025.targets, rows, { year: 2026, month: 3, asOf: '2026-03-31' })
 * // [{ target: { label: '一季度续建项目全部复工', … }, due: true, done: 7, total: 9, met: false, behind: [...] }, …]
 * ```
 */
import { z } from 'zod'
import { ratio, compare, formatPercent, type Ratio } from './ratio.ts'

/** Whose start a target counts: 新建 projects' 开工, 续建 projects' 复工, or every project's either. */
export type StartScope = 'new' | 'continuing' | 'all'

export interface StartTarget {
  /** The month by whose end it is due (3 = 一季度, 6 = 上半年, 9 = 三季度, 12 = 全年). */
  month: number
  scope: StartScope
  /** The share that must have started, in whole percent (100 = 全部). */
  percent: number
  label: string
}

/**
 * The targets counties set (rules as data, with their sources). A county picks one by name in the
 * `dispatch.starts.targets` setting, or writes its own list.
 */
export const START_PRESETS = {
  /** lingchuan-2025 「建立开复工台账…一季度，续建项目全部复工，新建项目开工50%以上，上半年开工90%以上，三季度全部开工」. */
  lingchuan2025: {
    source: '陵川县2025年项目建设年度计划：一季度续建项目全部复工、新建项目开工50%以上，上半年开工90%以上，三季度全部开工',
    targets: [
      { month: 3, scope: 'continuing', percent: 100, label: '一季度续建项目全部复工' },
      { month: 3, scope: 'new', percent: 50, label: '一季度新建项目开工50%以上' },
      { month: 6, scope: 'new', percent: 90, label: '上半年新建项目开工90%以上' },
      { month: 9, scope: 'new', percent: 100, label: '三季度新建项目全部开工' },
    ],
  },
  /** county-2023 「27个县重点工程开工率要到达83%以上」 (the year's target). */
  county2023: {
    source: '加强重点项目建设实施意见（2023）：县重点工程开工率要到达83%以上',
    targets: [{ month: 12, scope: 'all', percent: 83, label: '全年重点工程开工率83%以上' }],
  },
} as const satisfies Record<string, { source: string; targets: readonly StartTarget[] }>

export type StartPreset = keyof typeof START_PRESETS
export const START_PRESET_NAMES = Object.keys(START_PRESETS) as StartPreset[]

export const startTargetSchema = z
  .object({
    month: z.number().int().min(1).max(12),
    scope: z.enum(['new', 'continuing', 'all']),
    percent: z.number().int().min(1).max(100),
    label: z.string().min(1).max(60),
  })
  .strict()

/** A preset's targets, or the list itself. */
export function targetsOf(setting: StartPreset | readonly StartTarget[]): readonly StartTarget[] {
  return typeof setting === 'string' ? START_PRESETS[setting].targets : setting
}

/** One project of the 台账. Dates are 'YYYY-MM-DD'. */
export interface StartRow {
  id: number
  name: string
  unit: string
  /** 计划新开工 (新建) this year, else 续建. */
  isNew: boolean
  plannedStart: string | null
  startedOn: string | null
  resumedOn: string | null
}

/**
 * When a project counts as started in `year` by `asOf`: a 新建 one by its 开工; a 续建 one by its 复工 in that year
 * (a continuing project resumes after the winter stop each year); for 'all', either (a 续建 one started long ago
 * counts: the county-2023 开工率 is of projects under construction).
 */
export function startedBy(row: StartRow, scope: StartScope, year: number, asOf: string): string | null {
  const on = (d: string | null) => (d !== null && d <= asOf ? d : null)
  const resumed = row.resumedOn?.startsWith(String(year)) ? on(row.resumedOn) : null
  if (scope === 'new') return on(row.startedOn)
  if (scope === 'continuing') return resumed
  return on(row.startedOn) ?? on(row.resumedOn)
}

export const inScope = (row: StartRow, scope: StartScope) => scope === 'all' || (scope === 'new') === row.isNew

export interface TargetCheck {
  target: StartTarget
  /** Its month has ended (as of the check). */
  due: boolean
  done: number
  total: number
  share: Ratio | null
  met: boolean
  /** Projects in scope not yet started, planned start first. */
  behind: StartRow[]
}

/** Every target against the 台账 as of `asOf` (a date of `year`); a target with no project in scope is met. */
export function checkStarts(
  targets: readonly StartTarget[],
  rows: readonly StartRow[],
  at: { year: number; month: number; asOf: string },
): TargetCheck[] {
  return targets.map((target) => {
    const scoped = rows.filter((r) => inScope(r, target.scope))
    const started = scoped.filter((r) => startedBy(r, target.scope, at.year, at.asOf) !== null)
    const share = scoped.length ? ratio(started.length, scoped.length) : null
    const met = share === null || compare(share, ratio(target.percent, 100)) >= 0
    const behind = scoped
      .filter((r) => startedBy(r, target.scope, at.year, at.asOf) === null)
      .sort((a, b) => (a.plannedStart ?? '9999').localeCompare(b.plannedStart ?? '9999') || a.id - b.id)
    return { target, due: target.month <= at.month, done: started.length, total: scoped.length, share, met, behind }
  })
}

/** 「一季度新建项目开工50%以上：已开工 3/8（37.5%），未达标」 */
export function describeCheck(c: TargetCheck): string {
  const verb = c.target.scope === 'continuing' ? '已复工' : '已开工'
  const share = c.share ? `（${formatPercent(c.share)}）` : ''
  const state = c.total === 0 ? '无此类项目' : c.met ? '已达标' : c.due ? '未达标' : '进行中'
  return `${c.target.label}：${verb} ${c.done}/${c.total}${share}，${state}`
}
