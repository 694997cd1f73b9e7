/**
 * The dispatch calendar (调度日历) as domain data: when each round opens and closes, when reminders go out,
 * when boards, 通报, awards and the 双过半 check are posted, what a holiday does to a date, and the quiet hours
 * in which nothing is pushed. A county changes these numbers in the `dispatch` setting (JSON, validated with
 * zod, merged section by section over `DEFAULT_DISPATCH`), never the code.
 *
 * Everything here is pure: instants come in as parameters and dates are Shanghai local dates.
 *
 * @example
 *   const w = monthlyWindow(DEFAULT_DISPATCH, calendar, '2026-11')
 *   // 25 Nov (Wed) 09:00 → 28 Nov is a Saturday, so with holidays 'next' the deadline is 30 Nov (Mon) 18:00
 */
import { z } from 'zod'
import { addDays, daysInMonth, formatDate, parseLocalDate, shanghaiParts, shanghaiTime, weekdayOf } from './time.ts'
import type { LocalDate } from './time.ts'
import { parsePeriod, range } from './periods.ts'
import type { WorkdayCalendar } from './workdays.ts'
import { CADENCES, type Cadence } from './escalation.ts'
import { START_PRESET_NAMES, startTargetSchema, type StartPreset, type StartTarget } from './starts.ts'

/** 'HH:MM', 24-hour, Shanghai wall clock. */
export type ClockTime = string

/**
 * What a date that is not a working day does: 'next' = 顺延 to the next working day, 'previous' = 提前 to the
 * last working day before it, 'ignore' = keep it (weekends and holidays included).
 */
export type HolidayPolicy = 'next' | 'previous' | 'ignore'

/** A reminder to non-responders, `daysBefore` calendar days before the deadline's date, at `time`. */
export interface ReminderSpec {
  /** Names the reminder in job names and outbox keys ('before', 'deadline', 'eve'…); unique per round kind. */
  key: string
  /** 'before' = a courtesy note, 'deadline' = "today is the deadline" (neither counts as a 催办). */
  kind: 'before' | 'deadline'
  daysBefore: number
  time: ClockTime
}

interface RoundCommon {
  enabled: boolean
  openTime: ClockTime
  deadlineTime: ClockTime
  /** Applied to the open date, the deadline date and reminder dates (reminders always move earlier). */
  holidays: HolidayPolicy
  reminders: ReminderSpec[]
  /** Minutes after the deadline when the overdue 催办 goes to contacts and their unit head. */
  overdueAfterMinutes: number
  /** Minutes after the deadline when the round closes (late reports are still taken until then). */
  closeAfterMinutes: number
}

export interface MonthlyRoundConfig extends RoundCommon {
  /** Day of month the round opens (clamped to the month's last day). */
  openDay: number
  /** Day of month of the deadline (clamped to the month's last day). */
  deadlineDay: number
}

export interface WeeklyRoundConfig extends RoundCommon {
  /** ISO weekday, 1 = Monday … 7 = Sunday. */
  openWeekday: number
  deadlineWeekday: number
}

export interface DispatchCalendar {
  /** No pushes between start and end (wrapping midnight); due work waits until `end`. null = none. */
  quietHours: { start: ClockTime; end: ClockTime } | null
  /** Work found more than this late is collapsed into one catch-up message per recipient (OneCamp: 2 h). */
  lateAfterMinutes: number
  /** A claimed job not finished after this long is taken over by another tick (crashed process). */
  leaseMinutes: number
  /** Boards, 通报, awards and checks not posted within this many days of their time are skipped. */
  expireAfterDays: number
  monthly: MonthlyRoundConfig
  /** Key projects (`projects.weekly`). */
  weekly: WeeklyRoundConfig
  weeklyBoard: { enabled: boolean; weekday: number; time: ClockTime; holidays: HolidayPolicy }
  /** The monthly 赛马 board goes to every board group when the monthly round closes. */
  monthlyBoard: { enabled: boolean }
  /** The monthly 通报 to leaders, this many minutes after the monthly round closes. */
  bulletin: { enabled: boolean; afterCloseMinutes: number }
  /** 羚羊奖 / 蜗牛奖 after the quarter's last monthly round closes. */
  awards: { enabled: boolean; winners: number; metric: 'gap' | 'completion' }
  /** The 双过半 check after this month's round closes (6 = June). */
  halfway: { enabled: boolean; month: number }
  /** The 开复工 check after each quarter's last monthly round closes, against these targets (a preset of domain/starts.ts or a list). */
  starts: { enabled: boolean; targets: StartPreset | StartTarget[] }
  /**
   * 一通报两约谈 for overdue 督办 items and ledger problems: the first 通报 on the first working day after the
   * due date at `time`, then one every `everyWorkdays` working days while unfinished, at most `maxNotices`.
   * The 2nd goes to the 分管领导 too, the 3rd to the 主要领导 (the leader titled `principalTitle`).
   * A 复函 left undecided (neither 办结 nor 退回) reminds its issuer `decideWorkdays` working days after it came in, and
   * again every `everyWorkdays`, at most `maxNotices` times.
   */
  escalation: { enabled: boolean; time: ClockTime; everyWorkdays: number; maxNotices: number; principalTitle: string; decideWorkdays: number }
  /**
   * The deadlines new 督办 items and 交办 problems follow (domain/escalation.ts CADENCES): 'default' (挂牌督办,
   * zhangzi-2020) or '13710' (lingchuan-2021 「运用13710系统」); problems of the default cadence are due in
   * `ordinaryWorkdays`, 重大 ones in `majorWorkdays`, unless the 交办 names its own time limit.
   */
  cadence: { supervision: Cadence; problems: Cadence; ordinaryWorkdays: number; majorWorkdays: number }
}

export const DEFAULT_DISPATCH: DispatchCalendar = {
  quietHours: { start: '22:00', end: '07:30' },
  lateAfterMinutes: 120,
  leaseMinutes: 10,
  expireAfterDays: 7,
  monthly: {
    enabled: true,
    openDay: 25,
    openTime: '09:00',
    deadlineDay: 28,
    deadlineTime: '18:00',
    holidays: 'next',
    reminders: [
      { key: 'before', kind: 'before', daysBefore: 1, time: '09:00' },
      { key: 'deadline', kind: 'deadline', daysBefore: 0, time: '09:00' },
    ],
    overdueAfterMinutes: 60,
    closeAfterMinutes: 24 * 60,
  },
  weekly: {
    enabled: true,
    openWeekday: 1,
    openTime: '09:00',
    deadlineWeekday: 2,
    deadlineTime: '12:00',
    holidays: 'next',
    reminders: [{ key: 'deadline', kind: 'deadline', daysBefore: 0, time: '09:00' }],
    overdueAfterMinutes: 60,
    closeAfterMinutes: 3 * 24 * 60,
  },
  weeklyBoard: { enabled: true, weekday: 5, time: '17:00', holidays: 'previous' },
  monthlyBoard: { enabled: true },
  bulletin: { enabled: true, afterCloseMinutes: 0 },
  awards: { enabled: true, winners: 3, metric: 'gap' },
  halfway: { enabled: true, month: 6 },
  starts: { enabled: true, targets: 'lingchuan2025' },
  escalation: { enabled: true, time: '09:00', everyWorkdays: 5, maxNotices: 3, principalTitle: '县长', decideWorkdays: 2 },
  cadence: { supervision: 'default', problems: 'default', ordinaryWorkdays: 7, majorWorkdays: 20 },
}

// ---------------------------------------------------------------------------------------------------------
// Validation

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, '时间应为 HH:MM（24 小时制），例如 09:00')
const policy = z.enum(['next', 'previous', 'ignore'])
const weekday = z.number().int().min(1).max(7)
const minutes = z
  .number()
  .int()
  .min(0)
  .max(60 * 24 * 31)
const reminder = z.object({
  key: z.string().regex(/^[a-z][a-z0-9-]{0,15}$/, '提醒的 key 应为小写英文字母开头，最多 16 个字符'),
  kind: z.enum(['before', 'deadline']),
  daysBefore: z.number().int().min(0).max(27),
  time: clockTime,
})
const reminders = z
  .array(reminder)
  .max(6)
  .refine((rs) => new Set(rs.map((r) => r.key)).size === rs.length, '提醒的 key 不能重复')
const roundCommon = {
  enabled: z.boolean(),
  openTime: clockTime,
  deadlineTime: clockTime,
  holidays: policy,
  reminders,
  overdueAfterMinutes: minutes,
  closeAfterMinutes: minutes,
}

// 「config set dispatch.cadence.problems 13710」 reads 13710 as a number: it is the preset's name.
const cadence = z.preprocess((v) => (v === 13710 ? '13710' : v), z.enum(CADENCES))

/** The stored `dispatch` setting: every section and field optional, merged over the defaults. */
export const dispatchSchema = z
  .object({
    quietHours: z.union([z.object({ start: clockTime, end: clockTime }), z.null()]),
    lateAfterMinutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60),
    leaseMinutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60),
    expireAfterDays: z.number().int().min(1).max(60),
    monthly: z
      .object({ ...roundCommon, openDay: z.number().int().min(1).max(28), deadlineDay: z.number().int().min(1).max(31) })
      .partial()
      .strict(),
    weekly: z
      .object({ ...roundCommon, openWeekday: weekday, deadlineWeekday: weekday })
      .partial()
      .strict(),
    weeklyBoard: z.object({ enabled: z.boolean(), weekday, time: clockTime, holidays: policy }).partial().strict(),
    monthlyBoard: z.object({ enabled: z.boolean() }).partial().strict(),
    bulletin: z.object({ enabled: z.boolean(), afterCloseMinutes: minutes }).partial().strict(),
    awards: z
      .object({ enabled: z.boolean(), winners: z.number().int().min(1).max(10), metric: z.enum(['gap', 'completion']) })
      .partial()
      .strict(),
    halfway: z
      .object({ enabled: z.boolean(), month: z.number().int().min(1).max(12) })
      .partial()
      .strict(),
    starts: z
      .object({
        enabled: z.boolean(),
        targets: z.union([z.enum(START_PRESET_NAMES as [StartPreset, ...StartPreset[]]), z.array(startTargetSchema).min(1).max(12)]),
      })
      .partial()
      .strict(),
    escalation: z
      .object({
        enabled: z.boolean(),
        time: clockTime,
        everyWorkdays: z.number().int().min(1).max(60),
        maxNotices: z.number().int().min(1).max(10),
        principalTitle: z.string().min(1),
        decideWorkdays: z.number().int().min(1).max(30),
      })
      .partial()
      .strict(),
    cadence: z
      .object({
        supervision: cadence,
        problems: cadence,
        ordinaryWorkdays: z.number().int().min(1).max(120),
        majorWorkdays: z.number().int().min(1).max(120),
      })
      .partial()
      .strict(),
  })
  .partial()
  .strict()

export type DispatchOverrides = z.infer<typeof dispatchSchema>

/** An invalid `dispatch` setting: the message names each bad field in Chinese. */
export class DispatchConfigError extends Error {
  override name = 'DispatchConfigError'
}

/**
 * The defaults with `overrides` merged in, section by section. Throws DispatchConfigError naming the bad
 * fields: `resolveDispatch({ monthly: { openTime: '9点' } })` → "dispatch.monthly.openTime: 时间应为 HH:MM…".
 */
export function resolveDispatch(overrides: unknown = {}): DispatchCalendar {
  const parsed = dispatchSchema.safeParse(overrides ?? {})
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `dispatch.${i.path.join('.') || '(root)'}: ${i.message}`)
    throw new DispatchConfigError(`调度日历设置有误：\n${lines.join('\n')}`)
  }
  const o = parsed.data
  const d = DEFAULT_DISPATCH
  const out: DispatchCalendar = {
    quietHours: o.quietHours === undefined ? d.quietHours : o.quietHours,
    lateAfterMinutes: o.lateAfterMinutes ?? d.lateAfterMinutes,
    leaseMinutes: o.leaseMinutes ?? d.leaseMinutes,
    expireAfterDays: o.expireAfterDays ?? d.expireAfterDays,
    monthly: { ...d.monthly, ...o.monthly },
    weekly: { ...d.weekly, ...o.weekly },
    weeklyBoard: { ...d.weeklyBoard, ...o.weeklyBoard },
    monthlyBoard: { ...d.monthlyBoard, ...o.monthlyBoard },
    bulletin: { ...d.bulletin, ...o.bulletin },
    awards: { ...d.awards, ...o.awards },
    halfway: { ...d.halfway, ...o.halfway },
    starts: { ...d.starts, ...o.starts },
    escalation: { ...d.escalation, ...o.escalation },
    cadence: { ...d.cadence, ...o.cadence },
  }
  if (out.monthly.deadlineDay < out.monthly.openDay)
    throw new DispatchConfigError(
      `调度日历设置有误：\ndispatch.monthly.deadlineDay: 截止日（${out.monthly.deadlineDay}日）不能早于开始日（${out.monthly.openDay}日）`,
    )
  return out
}

// ---------------------------------------------------------------------------------------------------------
// Times

const MINUTE = 60_000

/** Minutes since midnight of 'HH:MM'. */
export function clockMinutes(t: ClockTime): number {
  const [h, m] = t.split(':').map(Number)
  return (h ?? 0) * 60 + (m ?? 0)
}

/** The instant of a Shanghai date at 'HH:MM'. */
export function at(date: LocalDate, time: ClockTime): number {
  const { year, month, day } = parseLocalDate(date)
  const m = clockMinutes(time)
  return shanghaiTime(year, month, day, Math.floor(m / 60), m % 60).getTime()
}

/** Moves a date off a non-working day as the policy says. */
export function applyHolidayPolicy(date: LocalDate, policy: HolidayPolicy, cal: WorkdayCalendar): LocalDate {
  if (policy === 'ignore') return date
  return policy === 'next' ? cal.onOrAfter(date) : cal.onOrBefore(date)
}

/** Whether an instant falls in the quiet hours. */
export function inQuietHours(d: Pick<DispatchCalendar, 'quietHours'>, ms: number): boolean {
  const q = d.quietHours
  if (!q) return false
  const p = shanghaiParts(new Date(ms))
  const m = p.hour * 60 + p.minute
  const s = clockMinutes(q.start)
  const e = clockMinutes(q.end)
  if (s === e) return false
  return s < e ? m >= s && m < e : m >= s || m < e
}

/** The instant itself, or the end of the quiet hours it falls in: a 23:00 job is due at 07:30. */
export function outOfQuietHours(d: Pick<DispatchCalendar, 'quietHours'>, ms: number): number {
  if (!d.quietHours || !inQuietHours(d, ms)) return ms
  const p = shanghaiParts(new Date(ms))
  const today = formatDate(p.year, p.month, p.day)
  const end = at(today, d.quietHours.end)
  return end > ms ? end : at(addDays(today, 1), d.quietHours.end)
}

/** When a round of one period opens and closes. */
export interface RoundWindow {
  kind: 'monthly' | 'weekly'
  period: string
  opensAt: number
  deadlineAt: number
  /** When the round closes (deadline + closeAfterMinutes). */
  closesAt: number
}

/**
 * The monthly round of `period` ('2026-11'): open day and deadline day of that month, moved off holidays by
 * the policy. null when the round is disabled or the moved dates leave no window.
 */
export function monthlyWindow(d: DispatchCalendar, cal: WorkdayCalendar, period: string): RoundWindow | null {
  const c = d.monthly
  if (!c.enabled) return null
  const p = parsePeriod(period)
  if (p.kind !== 'month') throw new RangeError(`not a month: ${period}`)
  const dim = daysInMonth(p.year, p.index)
  const openDate = applyHolidayPolicy(formatDate(p.year, p.index, Math.min(c.openDay, dim)), c.holidays, cal)
  const deadlineDate = applyHolidayPolicy(formatDate(p.year, p.index, Math.min(c.deadlineDay, dim)), c.holidays, cal)
  const opensAt = at(openDate, c.openTime)
  const deadlineAt = at(deadlineDate, c.deadlineTime)
  if (deadlineAt <= opensAt) return null
  return { kind: 'monthly', period, opensAt, deadlineAt, closesAt: deadlineAt + c.closeAfterMinutes * MINUTE }
}

/**
 * The weekly round of ISO week `period` ('2026-W48'). A week whose open day moves out of the week (a whole
 * week of holiday, e.g. 国庆) has no round: null.
 */
export function weeklyWindow(d: DispatchCalendar, cal: WorkdayCalendar, period: string): RoundWindow | null {
  const c = d.weekly
  if (!c.enabled) return null
  const { start, end } = range(period)
  if (parsePeriod(period).kind !== 'week') throw new RangeError(`not a week: ${period}`)
  const openDate = applyHolidayPolicy(addDays(start, c.openWeekday - 1), c.holidays, cal)
  const deadlineDate = applyHolidayPolicy(addDays(start, c.deadlineWeekday - 1), c.holidays, cal)
  if (openDate < start || openDate > end) return null
  const opensAt = at(openDate, c.openTime)
  const deadlineAt = at(deadlineDate, c.deadlineTime)
  if (deadlineAt <= opensAt) return null
  return { kind: 'weekly', period, opensAt, deadlineAt, closesAt: deadlineAt + c.closeAfterMinutes * MINUTE }
}

/** Config of a round kind ('xun' rounds, opened by hand, follow the weekly settings). */
export function roundConfig(d: DispatchCalendar, kind: 'monthly' | 'weekly' | 'xun'): RoundCommon {
  return kind === 'monthly' ? d.monthly : d.weekly
}

/**
 * When a reminder goes out for a round with this open time and deadline: `daysBefore` days before the
 * deadline's date at `time`, moved back to a working day unless the policy is 'ignore'. null when that is
 * not strictly between the opening and the deadline.
 */
export function reminderTime(
  spec: ReminderSpec,
  round: { opensAt: number; deadlineAt: number },
  policy: HolidayPolicy,
  cal: WorkdayCalendar,
): number | null {
  const p = shanghaiParts(new Date(round.deadlineAt))
  let date = addDays(formatDate(p.year, p.month, p.day), -spec.daysBefore)
  if (policy !== 'ignore') date = cal.onOrBefore(date)
  const t = at(date, spec.time)
  return t > round.opensAt && t < round.deadlineAt ? t : null
}

/** When the weekly board of ISO week `period` is posted, or null (disabled, or no working day left in the week). */
export function weeklyBoardTime(d: DispatchCalendar, cal: WorkdayCalendar, period: string): number | null {
  const c = d.weeklyBoard
  if (!c.enabled) return null
  const { start, end } = range(period)
  const date = applyHolidayPolicy(addDays(start, c.weekday - 1), c.holidays, cal)
  if (date < start || date > end) return null
  return at(date, c.time)
}

/** The local date of an instant ('YYYY-MM-DD'). */
export function dateOf(ms: number): LocalDate {
  const p = shanghaiParts(new Date(ms))
  return formatDate(p.year, p.month, p.day)
}

/** ISO weekday of an instant's local date. */
export function weekdayAt(ms: number): number {
  return weekdayOf(dateOf(ms))
}
