/** One project at a glance: figures, 序时, colour, the latest report and open problems. */
import { and, desc, eq, lte, ne } from 'drizzle-orm'
import type { Db } from '../store/db.ts'
import { problems, projectColours, reports, rounds } from '../store/schema.ts'
import type { Rules } from './rules.ts'
import { projectMonths, viewOf, type MonthView, type ProjectMonth, type SkippedFigures } from './monthly.ts'
import { projectByCode, type Project } from '../store/repos/projects.ts'
import { unitById } from '../store/repos/directory.ts'
import { previousMonthlyReport, type Report } from '../store/repos/rounds.ts'
import { publishedSnapshot } from '../store/repos/boards.ts'
import { rulesAsPublished } from './boards.ts'
import type { Colour } from '../domain/colours.ts'
import type { BoardSnapshot } from '../domain/scoring.ts'
import { next as nextPeriod } from '../domain/periods.ts'

export interface ProjectStatus {
  project: Project
  unit: string
  period: string
  view: MonthView & ProjectMonth
  latest: Report | null
  openProblems: (typeof problems.$inferSelect)[]
  /** Set when the month was published: the figures and colour are the ones frozen then (later corrections count from the next month). */
  published?: { at: string }
}

export class NotFound extends Error {}

export async function projectStatus(db: Db, rules: Rules, projectOrCode: Project | string, period: string): Promise<ProjectStatus> {
  const project = typeof projectOrCode === 'string' ? await projectByCode(db, projectOrCode) : projectOrCode
  if (!project) throw new NotFound(`没有编号为 ${String(projectOrCode)} 的项目 (no such project)`)
  const skipped: SkippedFigures[] = []
  const [month] = await projectMonths(db, period, { projectId: project.id, detail: true, skipped })
  if (!month)
    throw new NotFound(
      skipped[0]
        ? `${project.name} ${period} 的数据有误，无法计算：${skipped[0].reason}`
        : `${project.name} 不在 ${period.slice(0, 4)} 年的项目清单中`,
    )
  const openProblems = await db
    .select()
    .from(problems)
    .where(and(eq(problems.projectId, project.id), ne(problems.state, 'closed')))
    .all()
  const unit = (await unitById(db, project.unitId))?.name ?? ''
  const frozen = await frozenMonth(db, project.id, period)
  if (frozen) {
    // The month as published: its frozen 累计, 催办 count and colour, and the report that was current then.
    const latest = frozen.report ?? (await previousMonthlyReport(db, project.id, period))?.report ?? null
    const figures = { ...month, ytd: frozen.ytd, urges: frozen.urges, missingUrges: 0, reported: frozen.report !== null }
    // Under the rule the month was published under: a later rule change does not re-word it.
    const view = viewOf(await rulesAsPublished(db, rules, period), figures, period)
    return {
      project,
      unit,
      period,
      view: { ...view, verdict: { ...view.verdict, colour: frozen.colour } },
      latest,
      openProblems,
      published: { at: frozen.at },
    }
  }
  const latest = (await previousMonthlyReport(db, project.id, nextPeriod(period)))?.report ?? null
  return { project, unit, period, view: viewOf(rules, month, period), latest, openProblems }
}

/** A published month of a project as frozen: 累计, counted 催办 and colour, and the month's report as it stood then. */
async function frozenMonth(db: Db, projectId: number, period: string) {
  const snapshot = await publishedSnapshot<BoardSnapshot>(db, 'monthly', period)
  if (!snapshot) return undefined
  const colour = await db
    .select()
    .from(projectColours)
    .where(and(eq(projectColours.projectId, projectId), eq(projectColours.period, period)))
    .get()
  if (!colour) return undefined
  const at = new Date(snapshot.publishedAt).getTime()
  const report = await db
    .select({ report: reports })
    .from(reports)
    .innerJoin(rounds, eq(rounds.id, reports.roundId))
    .where(and(eq(reports.projectId, projectId), eq(rounds.kind, 'monthly'), eq(rounds.period, period), lte(reports.submittedAt, at)))
    .orderBy(desc(reports.version))
    .get()
  return {
    ytd: colour.ytdInvestment,
    urges: colour.urgeCount,
    colour: colour.colour as Colour,
    at: snapshot.publishedAt,
    report: report?.report ?? null,
  }
}
