/**
 * Checking a progress report before it is stored, and storing it (fileReport). Errors block (nothing is stored);
 * a question asks the person which of two conflicting figures is right; warnings are shown but do not block.
 */
import { and, asc, eq } from 'drizzle-orm'
import type { Db } from '../store/db.ts'
import { auditLog, problems, projects, reports } from '../store/schema.ts'
import type { Project } from '../store/repos/projects.ts'
import { nextId, previousMonthlyReport, reopenedRounds, submitReport, useReopen, type Report, type Round } from '../store/repos/rounds.ts'
import { openProblemsOfProject, raiseProblem, type Problem } from '../store/repos/problems.ts'
import { amountProblem, formatWan } from '../domain/money.ts'
import { PERCENT_RANGE_REASON } from '../domain/parse/numbers.ts'
import type { StartStatus } from '../domain/parse/starts.ts'
import { range } from '../domain/periods.ts'
import type { ProjectFigures } from './monthly.ts'

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
  /** 开工 / 复工 stated in this version, with its date ('YYYY-MM-DD'; null when the date written does not exist). */
  startStatus?: StartStatus | null
  startedOn?: string | null
  /** 入库纳统 stated in this version: its date; null when not. */
  statsOn?: string | null
  /** What a typed reply said outright, so a correction can take a field back (未开工, 未入库, 无问题). */
  said?: { start?: boolean; stats?: boolean; noProblems?: boolean }
  /** 入库 stated with a date that does not exist: refused by the check. */
  statsUnknownDate?: boolean
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
  errors.push(...startProblems(values, round))
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

const START_LABELS: Record<StartStatus, string> = { started: '开工', resumed: '复工' }
export const startLabel = (s: StartStatus) => START_LABELS[s]

/** 开工 / 入库 dates must exist and not lie after the round's period (a start is reported once it happened). */
function startProblems(v: ReportValues, round: Round): string[] {
  const out: string[] = []
  const last = range(round.period).end
  if (v.startStatus) {
    const label = START_LABELS[v.startStatus]
    if (!v.startedOn) out.push(`没有识别出${label}日期，请写明如「3月15日${label}」`)
    else if (v.startedOn > last) out.push(`${label}日期 ${v.startedOn} 晚于本期，尚未${label}的项目请不要填写${label}`)
  }
  if (v.statsUnknownDate) out.push('没有识别出入库纳统日期，请写明如「10月20日入库纳统」或「本月已入库」')
  else if (v.statsOn && v.statsOn > last) out.push(`入库纳统日期 ${v.statsOn} 晚于本期`)
  return out
}

/** A project's 开工 / 复工 / 入库 as the board reads them. */
export interface ProjectStarts {
  startedOn: string | null
  resumedOn: string | null
  inStats: boolean
  statsOn: string | null
}

type StartsOfReport = Pick<Report, 'startStatus' | 'startedOn' | 'statsOn'>

/**
 * What a project's 开工 / 复工 / 入库 are, given the value it had before any report spoke of them (`base`: the
 * project list's) and its accepted reports (current versions): the earliest 开工 and 入库 reported, the latest
 * 复工, else the base. A correction that takes a statement back thus reverts to what was there before it.
 */
export function projectStarts(base: ProjectStarts, list: readonly StartsOfReport[]): ProjectStarts {
  const dates = (f: (r: StartsOfReport) => string | null) =>
    list
      .map(f)
      .filter((d): d is string => Boolean(d))
      .sort()
  const started = dates((r) => (r.startStatus === 'started' ? r.startedOn : null))
  const resumed = dates((r) => (r.startStatus === 'resumed' ? r.startedOn : null))
  const stats = dates((r) => r.statsOn)
  return {
    startedOn: started[0] ?? base.startedOn,
    resumedOn: resumed.at(-1) ?? base.resumedOn,
    inStats: stats.length > 0 || base.inStats,
    statsOn: stats[0] ?? (stats.length ? null : base.statsOn),
  }
}

const startsOf = (p: Pick<Project, 'startedOn' | 'resumedOn' | 'inStats' | 'statsOn'>): ProjectStarts => ({
  startedOn: p.startedOn,
  resumedOn: p.resumedOn,
  inStats: p.inStats,
  statsOn: p.statsOn,
})

/** A change of a project's 开工 / 复工 / 入库, worked out before it is written. */
export interface StartsChange {
  projectId: number
  before: ProjectStarts
  after: ProjectStarts
}

/**
 * What `settleStarts` would change, read now. With `incoming` (the version about to be stored in its round) the
 * change is the one the project gets once it is stored: the reads come before the report's writes, so a D1 unit
 * of work stays one batch (src/runtime/workers/d1.ts).
 */
export async function planStarts(db: Db, projectId: number, incoming?: StartsOfReport & { roundId: number }): Promise<StartsChange | null> {
  const project = await db.select().from(projects).where(eq(projects.id, projectId)).get()
  if (!project) return null
  const first = await db
    .select({ before: auditLog.before })
    .from(auditLog)
    .where(and(eq(auditLog.entity, 'project'), eq(auditLog.entityId, projectId), eq(auditLog.action, 'starts')))
    .orderBy(asc(auditLog.id))
    .get()
  const before = startsOf(project)
  const base = (first?.before as ProjectStarts | undefined) ?? before
  const stored = await db
    .select({ roundId: reports.roundId, startStatus: reports.startStatus, startedOn: reports.startedOn, statsOn: reports.statsOn })
    .from(reports)
    .where(and(eq(reports.projectId, projectId), eq(reports.current, true)))
    .all()
  const list = incoming ? [...stored.filter((r) => r.roundId !== incoming.roundId), incoming] : stored
  const after = projectStarts(base, list)
  if (JSON.stringify(after) === JSON.stringify(before)) return null
  return { projectId, before, after }
}

/** Writes a change `planStarts` worked out, with its audit row (action 'starts'). */
export async function applyStarts(db: Db, change: StartsChange | null, at: number, by: number | null): Promise<StartsChange | null> {
  if (!change) return null
  const { projectId, before, after } = change
  await db.update(projects).set(after).where(eq(projects.id, projectId))
  await db.insert(auditLog).values({ at, actorPersonId: by, entity: 'project', entityId: projectId, action: 'starts', before, after })
  return change
}

/**
 * Brings a project's 开工 / 复工 / 入库 in line with its accepted reports (after a report is stored). The value the
 * project had before reports first changed it is kept in the audit trail (action 'starts'), so taking a statement
 * back restores it. Returns the change, or null when nothing changed.
 */
export async function settleStarts(db: Db, projectId: number, at: number, by: number | null): Promise<StartsChange | null> {
  return applyStarts(db, await planStarts(db, projectId), at, by)
}

/**
 * A project's month figures as month_figures will hold them once `report` is stored and its starts are changed
 * by `starts` (the view month_figures_source, drizzle/0008_urge_occasions.sql): the receipt reads the figures
 * before the report's writes, so a D1 unit of work stays one batch.
 */
export function figuresAfterReport(f: ProjectFigures, period: string, round: Round, report: Report, starts: StartsChange | null): ProjectFigures {
  const end = `${period}-31`
  const out = { ...f }
  if (round.kind === 'monthly' && round.period === period) {
    out.ytd = report.ytdInvestment
    out.reported = true
    out.onTime = report.firstSubmittedAt <= round.deadlineAt
  }
  if (starts) {
    const a = starts.after
    out.started = Boolean((a.startedOn && a.startedOn <= end) || (a.resumedOn && a.resumedOn <= end))
    out.inStats = a.inStats && (a.statsOn === null || a.statsOn <= end)
  }
  return out
}

/** A project's latest report of an earlier monthly round, with that round's period (previousMonthlyReport). */
export type PreviousReport = { report: Report; period: string }

/** A report as a contact files it: the values the 调度 card's form or a confirmed reply gives, at `at`. */
export interface Filing {
  project: Project
  round: Round
  values: ReportValues
  by: number
  at: number
  source: 'card' | 'text'
  /** 本月 and 累计 disagreed and the person said which is right (本月数正确 / 累计数正确). */
  trust?: 'period' | 'ytd'
  /**
   * The project's previous monthly report as previousMonthlyReport reads it (null: none); read when left out. The
   * demo files month after month and hands it over instead of reading it back each time.
   */
  previous?: PreviousReport | null
  /** The project's open problems, when the caller has read them (the bot, for its prompt card); else read if needed. */
  openProblems?: Problem[]
  /**
   * The caller knows only what this version states can change the project's 开工 / 复工 / 入库 (no earlier version in
   * the round stated any, and the project's values are those its reports gave): planStarts, three reads, is left out
   * when it states none. The demo county's history says so (each version is its round's first or repeats it); the
   * bot never does, since a correction may take a start back.
   */
  onlyStatedStarts?: boolean
}

/** What filing a report came to. Only 'stored' wrote anything. */
export type FilingOutcome =
  /** The round has closed and was not reopened for this project (补报). */
  | { kind: 'closed' }
  | { kind: 'notOpen' }
  | { kind: 'refused'; errors: string[] }
  /** 本月 and the rise in 累计 disagree: the person is asked which is right (`values` with the trust applied). */
  | { kind: 'mismatch'; values: ReportValues; mismatch: { period: number; rise: number }; prevYtd: number }
  | {
      kind: 'stored'
      values: ReportValues
      report: Report
      previous: PreviousReport | undefined
      /** The project's 开工 / 复工 / 入库 change the report made, or null. */
      starts: StartsChange | null
      warnings: string[]
      /** The problems it put in the 问题台账 (those not already open on the project). */
      raised: Problem[]
    }

/**
 * Files a report the one way 「确认」 and the 调度 card's 提交 do (the bot, src/bot/commands/reporting.ts) and the
 * demo county's history (src/demo/history.ts): the round must take it (open, or reopened for the project: 补报,
 * used up here); checkReport's errors and the 本月/累计 question store nothing; else its 开工 / 复工 / 入库 are worked
 * out (planStarts), the new version stored (submitReport), the starts written (applyStarts), a 补报 used up, and
 * its problems not yet open on the project put in the 问题台账 (raiseProblem, ids from nextId). It reads no table
 * after writing to it (the stored rows are built in code), so on D1 it stays one batch (src/runtime/workers/d1.ts).
 */
export async function fileReport(db: Db, f: Filing): Promise<FilingOutcome> {
  const { project, round, at, by } = f
  const closed = round.closedAt !== null && round.closedAt <= at
  const reopened = closed && (await reopenedRounds(db, project.id)).some((r) => r.id === round.id)
  if (closed && !reopened) return { kind: 'closed' }
  if (round.opensAt > at) return { kind: 'notOpen' }
  const previous = f.previous === undefined ? await previousMonthlyReport(db, project.id, round.period) : (f.previous ?? undefined)
  const prevYtd = previous && previous.period.slice(0, 4) === round.period.slice(0, 4) ? previous.report.ytdInvestment : 0
  const values = f.trust ? applyTrust(f.values, f.trust, prevYtd) : f.values
  const check = checkReport(values, project, round, previous)
  if (check.errors.length) return { kind: 'refused', errors: check.errors }
  if (check.mismatch) return { kind: 'mismatch', values, mismatch: check.mismatch, prevYtd }
  const startStatus = values.startStatus ?? null
  const startedOn = startStatus ? (values.startedOn ?? null) : null
  const statsOn = values.statsOn ?? null
  const starts =
    f.onlyStatedStarts && !startStatus && !statsOn ? null : await planStarts(db, project.id, { roundId: round.id, startStatus, startedOn, statsOn })
  const report = await submitReport(db, {
    roundId: round.id,
    projectId: project.id,
    periodInvestment: values.periodInvestment,
    ytdInvestment: values.ytdInvestment!,
    progressPercent: values.progressPercent === null ? null : Math.round(values.progressPercent),
    progressText: values.progressText,
    problemsText: values.problems.join('；'),
    coordination: values.coordination,
    nextSteps: values.nextSteps,
    correctionReason: values.correctionReason || null,
    startStatus,
    startedOn,
    statsOn,
    source: f.source,
    submittedBy: by,
    submittedAt: at,
  })
  await applyStarts(db, starts, at, by)
  if (reopened) await useReopen(db, { roundId: round.id, projectId: project.id, by, at })
  const open = f.openProblems ?? (values.problems.length ? await openProblemsOfProject(db, project.id) : [])
  const fresh = values.problems.filter((d) => !open.some((o) => o.description === d))
  const first = fresh.length ? await nextId(db, problems) : 0
  const raised: Problem[] = []
  for (const [i, description] of fresh.entries())
    raised.push(
      await raiseProblem(db, {
        id: first + i,
        projectId: project.id,
        reportId: report.id,
        description,
        reporterPersonId: by,
        leaderPersonId: project.leaderPersonId,
        at,
        note: '由调度填报提出',
      }),
    )
  return { kind: 'stored', values, report, previous, starts, warnings: check.warnings, raised }
}
