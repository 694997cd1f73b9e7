/**
 * The county's settings without SQL: show, set and presets over the `rules` (rules.ts rulesSchema) and
 * `dispatch` (domain/dispatch.ts dispatchSchema) settings. A key is a dotted path (`rules.colour`,
 * `rules.monthlyOpenDay`, `dispatch.monthly.openDay`, `dispatch.quietHours`); a value is JSON or plain text.
 * Every value is validated before it is stored, and a bad one is refused in plain Chinese naming the key.
 * A dry run says what the change does to the open period: how many projects change colour, when the
 * monthly round opens and closes.
 */
import type { z } from 'zod'
import type { Db } from '../store/db.ts'
import { getSetting, setSetting } from '../store/repos/settings.ts'
import { recordAudit } from '../store/repos/audit.ts'
import { DEFAULT_RULES, loadCalendar, loadDispatchCalendar, loadRules, rulesSchema, type Rules } from './rules.ts'
import { DEFAULT_DISPATCH, dispatchSchema, monthlyWindow } from '../domain/dispatch.ts'
import { COLOUR_LABELS, COLOUR_PRESETS, type Colour } from '../domain/colours.ts'
import { DEFAULT_INDICATORS } from '../domain/scoring.ts'
import { START_PRESETS } from '../domain/starts.ts'
import { statisticalMonth } from '../domain/periods.ts'
import { localDate, localDateTime } from '../domain/time.ts'
import { projectMonths, viewOf } from './monthly.ts'
import { decisionMonth } from './urges.ts'
import { latestPublishedPeriod } from './boards.ts'

export type Transact = <T>(fn: () => Promise<T>) => Promise<T>

/** A setting refused: the message names the key, in Chinese. */
export class SettingError extends Error {
  override name = 'SettingError'
}

const SECTIONS = { rules: rulesSchema, dispatch: dispatchSchema } as const
type Section = keyof typeof SECTIONS

const DEFAULTS: Record<Section, unknown> = {
  rules: { schedule: DEFAULT_RULES.schedule, colour: 'lingchuan2021', indicators: DEFAULT_INDICATORS, monthlyOpenDay: DEFAULT_RULES.monthlyOpenDay },
  dispatch: DEFAULT_DISPATCH,
}

/** What each key means, for `config show` and the error naming an unknown key. */
export const SETTING_HELP: Record<string, string> = {
  'rules.schedule': '序时进度：monthLinear 按月 / dayLinear 按日 / planCurve 按项目月度计划',
  'rules.colour': '三色规则：预设名（lingchuan2021 / pointBands / shareOfSchedule）或完整的 JSON 对象',
  'rules.indicators': '赛马指标：[{key,label,weight,cap}, …]',
  'rules.monthlyOpenDay': '月度调度开始日（1–28）：当月此日起的填报计入当月',
  'dispatch.quietHours': '免打扰时段 {"start":"22:00","end":"07:30"}，null 为不设',
  'dispatch.monthly.openDay': '月度调度开启日',
  'dispatch.monthly.deadlineDay': '月度填报截止日',
  'dispatch.monthly.openTime': '月度调度开启时间 HH:MM',
  'dispatch.monthly.deadlineTime': '月度填报截止时间 HH:MM',
  'dispatch.monthly.holidays': '遇节假日：next 顺延 / previous 提前 / ignore 不调整',
  'dispatch.weekly.enabled': '是否开展周调度 true/false',
  'dispatch.escalation.everyWorkdays': '逾期督办每隔几个工作日通报一次',
  'dispatch.escalation.decideWorkdays': '复函提交后几个工作日未办结或退回，提醒交办领导审核',
  'dispatch.starts.enabled': '每季度末（该季度最后一次月度调度截止后）是否通报开复工检查 true/false',
  'dispatch.starts.targets': '开复工目标：预设 lingchuan2025 / county2023，或 [{month,scope:new|continuing|all,percent,label}, …]',
  'dispatch.cadence.supervision': '新督办的时限：default 挂牌督办（3个工作日复函）/ 13710（3日反馈）',
  'dispatch.cadence.problems': '交办问题的时限：default 按工作日 / 13710（一般7日、重大1个月）',
  'dispatch.cadence.majorWorkdays': '重大问题默认办结时限（工作日）',
  'dispatch.cadence.ordinaryWorkdays': '一般问题默认办结时限（工作日）',
}

/** The value a person typed: JSON when it is JSON (26, true, null, {…}, "x"), else the text itself (pointBands, 09:00). */
export function parseValue(text: string): unknown {
  const t = text.trim()
  try {
    return JSON.parse(t)
  } catch {
    return t
  }
}

function splitKey(key: string): { section: Section; path: string[] } {
  const [section, ...path] = key.split('.')
  if (section !== 'rules' && section !== 'dispatch')
    throw new SettingError(
      `没有设置项「${key}」：键应以 rules. 或 dispatch. 开头，例如 rules.colour、dispatch.monthly.openDay（diaodu config show 列出全部）`,
    )
  if (path.length === 0 || path.some((p) => p === ''))
    throw new SettingError(`设置项「${key}」不完整，例如 ${section === 'rules' ? 'rules.colour' : 'dispatch.monthly.openDay'}`)
  return { section, path }
}

/** Whether `path` names a field of the section's schema (unknown keys are refused, not stored). */
function knownPath(section: Section, path: string[]): boolean {
  let value: unknown = DEFAULTS[section]
  for (const p of path) {
    if (value === null || typeof value !== 'object' || Array.isArray(value) || !(p in (value as object))) {
      // colour fields of the other presets (rules.colour.yellowFrom)
      if (section === 'rules' && path[0] === 'colour' && path.length === 2) return Object.values(COLOUR_PRESETS).some((c) => path[1]! in c)
      return false
    }
    value = (value as Record<string, unknown>)[p]
  }
  return true
}

/** A zod issue in words a county officer reads. */
function explain(key: string, issue: z.core.$ZodIssue): string {
  const at = [key, ...issue.path.map(String)].join('.')
  const i = issue as z.core.$ZodIssue & {
    expected?: string
    minimum?: number | bigint
    maximum?: number | bigint
    values?: unknown[]
    keys?: string[]
    inclusive?: boolean
    origin?: string
  }
  const custom = /[\u4e00-\u9fff]/.test(issue.message) ? issue.message : null
  switch (issue.code) {
    case 'invalid_type':
      return `${at}：应为${TYPE_WORDS[i.expected ?? ''] ?? i.expected}`
    case 'too_small':
      return custom
        ? `${at}：${custom}`
        : i.origin === 'array'
          ? `${at}：至少 ${i.minimum} 项`
          : `${at}：不能小于 ${i.minimum}${i.inclusive === false ? '（且须大于）' : ''}`
    case 'too_big':
      return custom ? `${at}：${custom}` : i.origin === 'array' ? `${at}：最多 ${i.maximum} 项` : `${at}：不能大于 ${i.maximum}`
    case 'invalid_value':
      return `${at}：应为 ${(i.values ?? []).map(String).join(' / ')} 之一`
    case 'unrecognized_keys':
      return `${at}：没有这些设置项 ${(i.keys ?? []).join('、')}`
    case 'invalid_union':
      // only the colour rules are a union of presets and objects; other unions say what the key takes
      if (at === 'rules.colour' || at.startsWith('rules.colour.'))
        return `${at}：应为 ${Object.keys(COLOUR_PRESETS).join(' / ')}，或含 kind 的完整规则对象（diaodu config presets 查看）`
      return `${at}：取值无效${SETTING_HELP[at] ? `，${SETTING_HELP[at]}` : '（diaodu config show 查看当前值）'}`
    default:
      return `${at}：${custom ?? '取值无效'}`
  }
}
const TYPE_WORDS: Record<string, string> = {
  number: '数字',
  string: '文字',
  boolean: 'true 或 false',
  object: 'JSON 对象',
  array: 'JSON 数组',
  int: '整数',
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> {
  const out = structuredClone(target)
  let node: Record<string, unknown> = out
  for (const p of path.slice(0, -1)) {
    const next = node[p]
    node[p] = next !== null && typeof next === 'object' && !Array.isArray(next) ? next : {}
    node = node[p] as Record<string, unknown>
  }
  node[path.at(-1)!] = value
  return out
}

export interface ConfigView {
  rules: { stored: unknown; effective: Rules }
  dispatch: { stored: unknown; effective: typeof DEFAULT_DISPATCH }
}

/** What is stored and what is in force (the defaults with the stored values merged). */
export async function showConfig(db: Db): Promise<ConfigView> {
  return {
    rules: { stored: (await getSetting(db, 'rules')) ?? {}, effective: await loadRules(db) },
    dispatch: { stored: (await getSetting(db, 'dispatch')) ?? {}, effective: await loadDispatchCalendar(db) },
  }
}

export interface SetResult {
  key: string
  before: unknown
  after: unknown
  written: boolean
  /** What the change does to the open period, in lines. */
  effect: string[]
  period: string
  colourChanges?: { projects: number; from: Partial<Record<Colour, number>>; to: Partial<Record<Colour, number>>; moves: Record<string, number> }
}

class Rollback extends Error {}

/**
 * Validates and (unless `dryRun`) stores `key = value`, audited. Throws SettingError naming the key. The effect
 * on the open period is computed with the new value in place inside the transaction (then rolled back on a
 * dry run).
 */
export async function setConfig(
  db: Db,
  transact: Transact,
  key: string,
  valueText: string,
  opts: { now: Date; dryRun?: boolean; actorPersonId?: number | null },
): Promise<SetResult> {
  const { section, path } = splitKey(key)
  if (!knownPath(section, path)) {
    const keys = Object.keys(SETTING_HELP)
      .filter((k) => k.startsWith(`${section}.`))
      .join('、')
    throw new SettingError(`没有设置项「${key}」。可用的例如：${keys}（diaodu config show 列出全部）`)
  }
  const value = parseValue(valueText)
  const stored = ((await getSetting<Record<string, unknown>>(db, section)) ?? {}) as Record<string, unknown>
  let base = stored
  // rules.colour.yellowFrom on a preset: the preset becomes an object first
  if (section === 'rules' && path[0] === 'colour' && path.length > 1) {
    const current = stored.colour ?? 'lingchuan2021'
    const obj = typeof current === 'string' ? { ...(COLOUR_PRESETS as Record<string, object>)[current] } : current
    base = { ...stored, colour: obj }
    const kind = (obj as { kind?: string }).kind ?? ''
    const fields = Object.keys((COLOUR_PRESETS as Record<string, object>)[kind] ?? obj)
    if (path.length === 2 && !fields.includes(path[1]!))
      throw new SettingError(
        `当前三色规则 ${kind} 没有「${path[1]}」这一项（可设：${fields.filter((f) => f !== 'kind').join('、')}）；先用 diaodu config set rules.colour 换预设`,
      )
  }
  const next = setPath(base, path, value)
  const parsed = SECTIONS[section].safeParse(next)
  if (!parsed.success) {
    const issue = parsed.error.issues.find((i) => i.path.join('.').startsWith(path.join('.'))) ?? parsed.error.issues[0]!
    const rel = { ...issue, path: issue.path.slice(0) }
    throw new SettingError(`设置无效 ${explain(section, rel)}`)
  }
  const before = path.reduce<unknown>((v, p) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[p] : undefined), stored)
  // A rules change counts from the open month (the one the next colour decision sets): a published month stays as published.
  const current = section === 'rules' ? await loadRules(db) : undefined
  const month = statisticalMonth(localDate(opts.now), current ? { openDay: current.monthlyOpenDay } : {})
  const period = current ? await decisionMonth(db, current, opts.now) : month
  const published = current ? await latestPublishedPeriod(db, period) : undefined
  const result: SetResult = { key, before: before ?? null, after: value, written: false, effect: [], period }
  try {
    await transact(async () => {
      const oldRules = await loadRules(db)
      const oldDispatch = await loadDispatchCalendar(db)
      await setSetting(db, section, next)
      const newRules = await loadRules(db)
      const newDispatch = await loadDispatchCalendar(db)
      if (section === 'rules') {
        const months = await projectMonths(db, period, { planCurve: true })
        const from: Partial<Record<Colour, number>> = {}
        const to: Partial<Record<Colour, number>> = {}
        const moves: Record<string, number> = {}
        let changed = 0
        for (const p of months) {
          const a = viewOf(oldRules, p, period).verdict.colour
          const b = viewOf(newRules, p, period).verdict.colour
          if (a === b) continue
          changed++
          from[a] = (from[a] ?? 0) + 1
          to[b] = (to[b] ?? 0) + 1
          const k = `${COLOUR_LABELS[a]}→${COLOUR_LABELS[b]}`
          moves[k] = (moves[k] ?? 0) + 1
        }
        result.colourChanges = { projects: changed, from, to, moves }
        result.effect.push(
          changed === 0
            ? `${period}：${months.length} 个项目的色牌都不变`
            : `${period}：${months.length} 个项目中 ${changed} 个色牌改变（${Object.entries(moves)
                .map(([k, n]) => `${k} ${n} 个`)
                .join('，')}）`,
        )
        if (published) result.effect.push(`已发布的 ${published} 及以前不变（排名、名次变化、色牌和通报按发布时保存），新规则自 ${period} 起执行`)
        if (newRules.monthlyOpenDay !== oldRules.monthlyOpenDay)
          result.effect.push(`当月填报的起算日由 ${oldRules.monthlyOpenDay} 日改为 ${newRules.monthlyOpenDay} 日`)
      } else {
        const calendar = await loadCalendar(db)
        const w0 = monthlyWindow(oldDispatch, calendar, period)
        const w1 = monthlyWindow(newDispatch, calendar, period)
        const when = (w: typeof w0) =>
          w
            ? `${localDateTime(new Date(w.opensAt))} 开启，${localDateTime(new Date(w.deadlineAt))} 截止，${localDateTime(new Date(w.closesAt))} 关闭`
            : '不开展'
        if (JSON.stringify(w0) !== JSON.stringify(w1)) result.effect.push(`${period} 月度调度：由 ${when(w0)} 改为 ${when(w1)}`)
        else result.effect.push(`${period} 月度调度时间不变（${when(w0)}）`)
        if (JSON.stringify(oldDispatch.quietHours) !== JSON.stringify(newDispatch.quietHours))
          result.effect.push(`免打扰时段：${qh(oldDispatch.quietHours)} → ${qh(newDispatch.quietHours)}`)
      }
      if (opts.dryRun) throw new Rollback()
      await recordAudit(db, {
        at: opts.now.getTime(),
        actorPersonId: opts.actorPersonId ?? null,
        entity: 'setting',
        entityId: 0,
        action: `config.set ${key}`,
        before: stored,
        after: next,
      })
    })
    result.written = true
  } catch (e) {
    if (!(e instanceof Rollback)) throw e
  }
  return result
}

const qh = (q: { start: string; end: string } | null) => (q ? `${q.start}–${q.end}` : '无')

/** The presets a county can pick by name, as lines. */
export function presets(): { key: string; value: string; meaning: string }[] {
  return [
    { key: 'rules.colour', value: 'lingchuan2021', meaning: '陵川 2021（默认）：落后序时且当月两次催办后黄牌，连续两月黄牌为红牌' },
    { key: 'rules.colour', value: 'pointBands', meaning: '银川：落后序时 10–30 个百分点黄牌，30 个百分点以上红牌' },
    { key: 'rules.colour', value: 'shareOfSchedule', meaning: '三亚：低于序时黄牌，低于序时的 50% 红牌' },
    { key: 'rules.schedule', value: 'monthLinear', meaning: '序时按月：N 月为 N/12（默认）' },
    { key: 'rules.schedule', value: 'dayLinear', meaning: '序时按日：截至当月末的天数占全年' },
    { key: 'rules.schedule', value: 'planCurve', meaning: '序时按项目的月度计划曲线' },
    { key: 'dispatch.quietHours', value: 'null', meaning: '不设免打扰时段（默认 22:00–07:30）' },
    { key: 'dispatch.cadence.supervision', value: 'default', meaning: '挂牌督办（长子 2020，默认）：收到后 3 个工作日内复函' },
    { key: 'dispatch.cadence.supervision', value: '13710', meaning: '13710 工作制度（陵川 2021「运用13710系统」）：1 日部署、3 日反馈' },
    { key: 'dispatch.cadence.problems', value: 'default', meaning: '交办问题（默认）：一般 7 个、重大 20 个工作日（majorWorkdays）' },
    { key: 'dispatch.cadence.problems', value: '13710', meaning: '13710 工作制度：一般问题 7 日、重大问题 1 个月内解决' },
    { key: 'dispatch.starts.targets', value: 'lingchuan2025', meaning: `陵川 2025（默认）：${START_PRESETS.lingchuan2025.source}` },
    { key: 'dispatch.starts.targets', value: 'county2023', meaning: `县重点工程 2023：${START_PRESETS.county2023.source}` },
  ]
}
