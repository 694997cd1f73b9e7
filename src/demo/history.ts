/**
 * The demo county's history goes through what the bot's commands run underneath, without the chat turn around
 * them: a report is filed by fileReport (src/services/reporting.ts) — checked, stored as a new version, its 开工 /
 * 复工 / 入库 settled and its problems put in the 问题台账 — the one function 「填报」 and 「确认」 end in
 * (src/bot/commands/reporting.ts); a problem is 交办, 更新, 申请销号 and 确认销号 through moveProblem with the
 * same 解决时限 (problemDue) as src/bot/commands/problems.ts. A figure the checks refuse is a bug in the demo:
 * it throws instead of storing what a person could not have stored.
 */
import type { Db } from '../store/db.ts'
import type { Report, Round } from '../store/repos/rounds.ts'
import { moveProblem, type Problem } from '../store/repos/problems.ts'
import type { Project } from '../store/repos/projects.ts'
import { fileReport as file, type Filing as ReportFiling, type PreviousReport } from '../services/reporting.ts'
import { problemDue } from '../domain/escalation.ts'
import { localDate } from '../domain/time.ts'
import { SEVERITY_LABELS } from '../domain/supervision.ts'
import { formatDay } from '../cards/conversation.ts'
import type { DispatchCalendar } from '../domain/dispatch.ts'
import type { WorkdayCalendar } from '../domain/workdays.ts'

/**
 * A report as a contact files it, with the project's latest report of an earlier month (as previousMonthlyReport
 * reads it): the demo files month after month and hands it over instead of reading it back each time.
 */
export type Filing = Omit<ReportFiling, 'trust' | 'previous'> & { previous: PreviousReport | undefined }

/** Checks and stores a report as 「确认」 does; returns the stored version and the problems it raised. */
export async function fileReport(db: Db, f: Filing): Promise<{ report: Report; raised: Problem[] }> {
  // Each version is its round's first or repeats the first's 开工 / 入库: only what it states can change them.
  const filed = await file(db, { ...f, previous: f.previous ?? null, onlyStatedStarts: true })
  if (filed.kind !== 'stored') {
    const why = filed.kind === 'refused' ? filed.errors.join('；') : filed.kind
    throw new Error(`demo report refused for ${f.project.code} ${f.round.period}: ${why}`)
  }
  return { report: filed.report, raised: filed.raised }
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
