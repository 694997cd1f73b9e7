/**
 * The demo county's history goes through what the bot's commands run underneath, without the chat turn around
 * them: a report is checked (checkReport), stored as a new version (submitReport), its 开工 / 复工 / 入库 settled
 * (planStarts / applyStarts) and its problems put in the 问题台账 (raiseProblem), as 「填报」 and 「确认」 do
 * (src/bot/commands/reporting.ts); a problem is 交办, 更新, 申请销号 and 确认销号 through moveProblem with the
 * same 解决时限 (problemDue) as src/bot/commands/problems.ts. A figure the checks refuse is a bug in the demo:
 * it throws instead of storing what a person could not have stored.
 */
import type { Db } from '../store/db.ts'
import { problems } from '../store/schema.ts'
import { nextId, submitReport, type Report, type Round } from '../store/repos/rounds.ts'
import { moveProblem, openProblemsOfProject, raiseProblem, type Problem } from '../store/repos/problems.ts'
import type { Project } from '../store/repos/projects.ts'
import { applyStarts, checkReport, planStarts, type ReportValues } from '../services/reporting.ts'
import { problemDue } from '../domain/escalation.ts'
import { localDate } from '../domain/time.ts'
import { SEVERITY_LABELS } from '../domain/supervision.ts'
import { formatDay } from '../cards/conversation.ts'
import type { DispatchCalendar } from '../domain/dispatch.ts'
import type { WorkdayCalendar } from '../domain/workdays.ts'

/** A report as a contact files it: the values as the form or a typed reply gives them, at `at`. */
export interface Filing {
  project: Project
  round: Round
  values: ReportValues
  by: number
  at: number
  source: 'card' | 'text'
  /**
   * The project's latest report of an earlier month with that month, as previousMonthlyReport reads it: the demo
   * files month after month and hands it over instead of reading it back each time.
   */
  previous: { report: Report; period: string } | undefined
}

/** Checks and stores a report as 「确认」 does; returns the stored version and the problems it raised. */
export async function fileReport(db: Db, f: Filing): Promise<{ report: Report; raised: Problem[] }> {
  const { project, round, values } = f
  const previous = f.previous
  const check = checkReport(values, project, round, previous)
  if (check.errors.length || check.mismatch)
    throw new Error(`demo report refused for ${project.code} ${round.period}: ${check.errors.join('；') || 'mismatch'}`)
  if (round.closedAt !== null && round.closedAt <= f.at) throw new Error(`demo report after ${round.period} closed`)
  const startStatus = values.startStatus ?? null
  const startedOn = startStatus ? (values.startedOn ?? null) : null
  const statsOn = values.statsOn ?? null
  // Only a report that states a start or 入库 can change them (planStarts finds nothing to do otherwise).
  const starts = startStatus || statsOn ? await planStarts(db, project.id, { roundId: round.id, startStatus, startedOn, statsOn }) : null
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
    submittedBy: f.by,
    submittedAt: f.at,
  })
  await applyStarts(db, starts, f.at, f.by)
  const raised: Problem[] = []
  if (values.problems.length) {
    const open = await openProblemsOfProject(db, project.id)
    const fresh = values.problems.filter((d) => !open.some((o) => o.description === d))
    const first = fresh.length ? await nextId(db, problems) : 0
    for (const [i, description] of fresh.entries())
      raised.push(
        await raiseProblem(db, {
          id: first + i,
          projectId: project.id,
          reportId: report.id,
          description,
          reporterPersonId: f.by,
          leaderPersonId: project.leaderPersonId,
          at: f.at,
          note: '由调度填报提出',
        }),
      )
  }
  return { report, raised }
}

/** One step of a problem's way through the ledger, as a person takes it with a command. */
export type ProblemStep =
  | { kind: 'assign'; at: number; by: number; unit: { id: number; name: string; headPersonId: number | null }; severity: 'ordinary' | 'major' }
  | { kind: 'update'; at: number; by: number; note: string }
  | { kind: 'requestClose'; at: number; by: number; note: string }
  | { kind: 'confirmClose'; at: number; by: number }

/** Takes a step: 交办 (with the cadence's 解决时限), 更新, 申请销号, 确认销号 — the moves and notes the commands write. */
export async function takeStep(
  db: Db,
  p: Problem,
  step: ProblemStep,
  dispatch: DispatchCalendar,
  calendar: WorkdayCalendar,
  leaderOfProject: number | null,
): Promise<Problem> {
  const by = { personId: step.by, at: step.at }
  switch (step.kind) {
    case 'assign': {
      const dueOn = problemDue(dispatch.cadence.problems, step.severity, localDate(new Date(step.at)), calendar, dispatch.cadence)
      const limit = `${SEVERITY_LABELS[step.severity]}问题${dispatch.cadence.problems === '13710' ? '（13710）' : ''}`
      return moveProblem(
        db,
        p,
        'assigned',
        { ...by, note: `交办 ${step.unit.name}，${limit}，解决时限 ${formatDay(dueOn)}` },
        {
          assigneeUnitId: step.unit.id,
          assigneePersonId: step.unit.headPersonId,
          leaderPersonId: p.leaderPersonId ?? leaderOfProject,
          severity: step.severity,
          dueOn,
        },
      )
    }
    case 'update':
      return moveProblem(db, p, 'in_progress', { ...by, note: step.note })
    case 'requestClose':
      return moveProblem(db, p, 'close_requested', { ...by, note: step.note })
    case 'confirmClose':
      return moveProblem(db, p, 'closed', { ...by, note: '提出人确认已解决' })
  }
}
