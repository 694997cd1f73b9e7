/** One project at a glance: figures, 序时, colour, the latest report and open problems. */
import { and, eq, ne } from 'drizzle-orm'
import type { Db } from '../store/db.ts'
import { problems } from '../store/schema.ts'
import type { Rules } from './rules.ts'
import { projectMonths, viewOf, type MonthView, type ProjectMonth, type SkippedFigures } from './monthly.ts'
import { projectByCode, type Project } from '../store/repos/projects.ts'
import { unitById } from '../store/repos/directory.ts'
import { previousMonthlyReport, type Report } from '../store/repos/rounds.ts'
import { next as nextPeriod } from '../domain/periods.ts'

export interface ProjectStatus {
  project: Project
  unit: string
  period: string
  view: MonthView & ProjectMonth
  latest: Report | null
  openProblems: (typeof problems.$inferSelect)[]
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
  const latest = (await previousMonthlyReport(db, project.id, nextPeriod(period)))?.report ?? null
  const openProblems = await db
    .select()
    .from(problems)
    .where(and(eq(problems.projectId, project.id), ne(problems.state, 'closed')))
    .all()
  const unit = (await unitById(db, project.unitId))?.name ?? ''
  return { project, unit, period, view: viewOf(rules, month, period), latest, openProblems }
}
