/**
 * Deadlines and escalation for 督办 items and ledger problems.
 *
 * - 挂牌督办 (zhangzi-2020 §13): the addressee replies within 3 working days of the notice.
 * - 山西 13710 (lingchuan-2021 names it only as 「运用13710系统」; the steps are the Shanxi system's): deploy within 1 day, report back within 3, ordinary problems solved within 7, major ones within
 *   1 month (or a dated plan), every item followed to 销号. Calendar days by default (the 1/3/7/10-working-day
 *   reading found in some blogs is wrong), but each step says which kind of day it counts.
 * - 一通报两约谈 (county-2023): an item still unfinished after its deadline is 通报ed; once it has been 通报ed
 *   twice the county's 分管领导 talks to the unit head (约谈), once three times the 主要领导 does.
 *
 * Presets are data; a county edits the numbers, not the code. Problem-ledger deadlines use `deadlinesFor` and
 * `deadlineState` exactly like 督办 items, so an overdue problem escalates the same way.
 */
import { addDays, parseLocalDate } from './time.ts'
import type { LocalDate } from './time.ts'
import { addMonths, daysBetween } from './periods.ts'
import type { WorkdayCalendar } from './workdays.ts'

export type Severity = 'ordinary' | 'major'
export type DayKind = 'calendar' | 'working'

/** How long a step may take; `null` means no deadline, the step lasts until the item is closed. */
export type Within = { days: number } | { months: number } | null

/** One step of a cadence: `{ key: 'report', label: '反馈进展', within: { days: 3 }, dayKind: 'calendar' }`. */
export interface CadenceStep {
  key: string
  label: string
  within: Within
  /**
   * 'working' counts working days (start day not counted; for months, a due date on a day off moves to the next
   * working day); 'calendar' counts plain days.
   */
  dayKind: DayKind
  /** Only for items of this severity; absent = all items. */
  severity?: Severity
}

export interface CadencePreset {
  name: string
  label: string
  steps: readonly CadenceStep[]
}

/** 山西 13710 (2016): 1 day to deploy, 3 to report, 7 to solve, 1 month for major problems, 0 left open. */
export const SHANXI_13710: CadencePreset = {
  name: 'shanxi13710',
  label: '13710 工作制度',
  steps: [
    { key: 'deploy', label: '研究部署', within: { days: 1 }, dayKind: 'calendar' },
    { key: 'report', label: '反馈进展', within: { days: 3 }, dayKind: 'calendar' },
    { key: 'solve', label: '一般问题办结', within: { days: 7 }, dayKind: 'calendar', severity: 'ordinary' },
    {
      key: 'solve',
      label: '重大复杂问题办结（确难解决的须明确时间节点和解决计划）',
      within: { months: 1 },
      dayKind: 'calendar',
      severity: 'major',
    },
    { key: 'close', label: '跟踪到底、销号清零', within: null, dayKind: 'calendar' },
  ],
}

/** 挂牌督办 (长子 2020): 复函 within 3 working days, then followed to 销号. */
export const ZHANGZI_2020_SUPERVISION: CadencePreset = {
  name: 'zhangzi2020',
  label: '挂牌督办',
  steps: [
    {
      key: 'reply',
      label: '复函（落实解决办法、责任单位、责任领导、责任人、解决时限）',
      within: { days: 3 },
      dayKind: 'working',
    },
    { key: 'close', label: '逐项落实销号', within: null, dayKind: 'calendar' },
  ],
}

export const CADENCE_PRESETS = { shanxi13710: SHANXI_13710, zhangzi2020: ZHANGZI_2020_SUPERVISION } as const

export interface Deadline {
  key: string
  label: string
  /** Last allowed local date (the whole day counts); null for open-ended steps such as 销号. */
  due: LocalDate | null
  dayKind: DayKind
}

/**
 * The due date of every step that applies to an item issued on `issuedOn`:
 * `deadlinesFor(SHANXI_13710, '2026-09-30', 'ordinary', cal)` → deploy 10-01, report 10-03, solve 10-07, close null.
 */
export function deadlinesFor(preset: CadencePreset, issuedOn: LocalDate, severity: Severity, calendar: WorkdayCalendar): Deadline[] {
  parseLocalDate(issuedOn)
  return preset.steps
    .filter((s) => s.severity === undefined || s.severity === severity)
    .map((s) => ({ key: s.key, label: s.label, due: dueDate(s, issuedOn, calendar), dayKind: s.dayKind }))
}

/**
 * 挂牌督办 reply date: `replyDueDate('2026-09-30', cal)` → '2026-10-10' (3 working days, across 国庆 and its
 * Saturday make-up day).
 */
export function replyDueDate(issuedOn: LocalDate, calendar: WorkdayCalendar, workdays = 3): LocalDate {
  return dueDate({ key: 'reply', label: '复函', within: { days: workdays }, dayKind: 'working' }, issuedOn, calendar) as LocalDate
}

/** Where an item stands against one deadline on `today`. */
export type DeadlineState = 'open' | 'dueToday' | 'overdue' | 'done' | 'doneLate'

export const DEADLINE_STATE_LABELS: Readonly<Record<DeadlineState, string>> = {
  open: '办理中',
  dueToday: '今日到期',
  overdue: '已逾期',
  done: '按期办结',
  doneLate: '逾期办结',
}

/**
 * `deadlineState('2026-10-10', '2026-10-12')` → 'overdue'; with `doneOn: '2026-10-09'` → 'done'. The due day
 * itself is still in time. An open-ended step (due null) is 'open' until done.
 */
export function deadlineState(due: LocalDate | null, today: LocalDate, doneOn: LocalDate | null = null): DeadlineState {
  parseLocalDate(today)
  if (due !== null) parseLocalDate(due)
  if (doneOn !== null) {
    parseLocalDate(doneOn)
    return due !== null && doneOn > due ? 'doneLate' : 'done'
  }
  if (due === null || today < due) return 'open'
  return today === due ? 'dueToday' : 'overdue'
}

/**
 * Days past the deadline on `today` (0 when not overdue). With a calendar, working days, as a 通报 says
 * "逾期 3 个工作日".
 */
export function overdueDays(due: LocalDate, today: LocalDate, calendar?: WorkdayCalendar): number {
  parseLocalDate(due)
  parseLocalDate(today)
  if (today <= due) return 0
  return calendar ? calendar.workdaysBetween(due, today) : daysBetween(due, today)
}

// ---------------------------------------------------------------------------------------------------------
// 一通报两约谈

export type EscalationLevel = 'notice' | 'deputyTalk' | 'principalTalk'

/** One rung of an escalation ladder, reached once an item has had `fromNotices` 通报 and is still unfinished. */
export interface EscalationRung {
  fromNotices: number
  level: EscalationLevel
  label: string
  /** Who holds the 约谈, or null for a 通报 alone. */
  talkBy: string | null
}

/**
 * county-2023 一通报两约谈. Every rung is published in the 通报 too, so each step adds one to the item's count:
 * 1st and 2nd overdue check → 通报; 3rd (two 通报 so far) → 分管领导约谈; 4th and later → 主要领导约谈.
 */
export const COUNTY_2023_LADDER: readonly EscalationRung[] = [
  { fromNotices: 0, level: 'notice', label: '通报', talkBy: null },
  {
    fromNotices: 2,
    level: 'deputyTalk',
    label: '通报，并由县政府分管领导约谈责任单位负责人',
    talkBy: '县政府分管领导',
  },
  {
    fromNotices: 3,
    level: 'principalTalk',
    label: '通报，并由县政府主要领导约谈责任单位负责人',
    talkBy: '县政府主要领导',
  },
]

/**
 * What to do now about an item found unfinished after its deadline, given how many times it has already been
 * 通报ed: `nextEscalation(2).label` → '通报，并由县政府分管领导约谈责任单位负责人'.
 */
export function nextEscalation(noticesSoFar: number, ladder: readonly EscalationRung[] = COUNTY_2023_LADDER): EscalationRung {
  if (!Number.isInteger(noticesSoFar) || noticesSoFar < 0) {
    throw new RangeError(`notice count must be a whole number ≥ 0: ${noticesSoFar}`)
  }
  let found: EscalationRung | undefined
  for (const rung of ladder) if (rung.fromNotices <= noticesSoFar && (!found || rung.fromNotices >= found.fromNotices)) found = rung
  if (!found) throw new RangeError('escalation ladder has no rung for 0 notices')
  return found
}

// ---------------------------------------------------------------------------------------------------------

function dueDate(step: CadenceStep, issuedOn: LocalDate, calendar: WorkdayCalendar): LocalDate | null {
  const w = step.within
  if (w === null) return null
  if ('days' in w) {
    if (!Number.isInteger(w.days) || w.days < 0) throw new RangeError(`step ${step.key}: days must be a whole number ≥ 0`)
    return step.dayKind === 'working' ? calendar.addWorkdays(issuedOn, w.days) : addDays(issuedOn, w.days)
  }
  if (!Number.isInteger(w.months) || w.months < 0) throw new RangeError(`step ${step.key}: months must be a whole number ≥ 0`)
  const d = addMonths(issuedOn, w.months)
  return step.dayKind === 'working' ? calendar.onOrAfter(d) : d
}

// ---------------------------------------------------------------------------------------------------------
// Which cadence an item follows

/**
 * The cadences a county chooses between for new 督办 items and 交办 problems (`dispatch.cadence`; a 督办 keeps
 * its own in `supervisions.cadence`):
 * - 'default': 挂牌督办 复函 in 3 working days (zhangzi-2020 §13); problems in `ordinaryWorkdays` /
 *   `majorWorkdays` working days;
 * - '13710': lingchuan-2021 「运用13710系统」 (督办监督小组 and 监督考核机制) — the Shanxi 13710 system of
 *   SHANXI_13710: report back in 3 days, ordinary problems solved in 7, major ones in a month.
 */
export const CADENCES = ['default', '13710'] as const
export type Cadence = (typeof CADENCES)[number]

export const CADENCE_LABELS: Readonly<Record<Cadence, string>> = { default: '挂牌督办（3个工作日复函）', '13710': '13710 工作制度' }

/** Problem deadlines of the default cadence, in working days. */
export interface ProblemDays {
  ordinaryWorkdays: number
  majorWorkdays: number
}

/**
 * When a 督办's 复函 is due, counted from the day the unit received it (or the day it was 退回):
 * `supervisionReplyDue('default', '2026-09-30', cal)` → '2026-10-10'; with '13710' → '2026-10-03'. An
 * explicit `workdays` (「督办 … 5个工作日」) wins over the cadence.
 */
export function supervisionReplyDue(cadence: Cadence, receivedOn: LocalDate, calendar: WorkdayCalendar, workdays?: number): LocalDate {
  if (workdays !== undefined || cadence === 'default') return replyDueDate(receivedOn, calendar, workdays ?? 3)
  return deadlinesFor(SHANXI_13710, receivedOn, 'ordinary', calendar).find((d) => d.key === 'report')!.due!
}

/**
 * A 交办 problem's 解决时限: explicit working days when the office wrote them, else by cadence and severity —
 * `problemDue('default', 'major', '2026-12-01', cal, { ordinaryWorkdays: 7, majorWorkdays: 20 })`.
 */
export function problemDue(
  cadence: Cadence,
  severity: Severity,
  assignedOn: LocalDate,
  calendar: WorkdayCalendar,
  days: ProblemDays,
  workdays?: number,
): LocalDate {
  if (workdays !== undefined) return calendar.addWorkdays(assignedOn, workdays)
  if (cadence === 'default') return calendar.addWorkdays(assignedOn, severity === 'major' ? days.majorWorkdays : days.ordinaryWorkdays)
  return deadlinesFor(SHANXI_13710, assignedOn, severity, calendar).find((d) => d.key === 'solve')!.due!
}
