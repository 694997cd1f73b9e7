/** The 开复工台账 of a year as of a date, with the county's targets checked (domain/starts.ts). */
import { and, eq } from 'drizzle-orm'
import type { Db } from '../store/db.ts'
import { projects, units } from '../store/schema.ts'
import { checkStarts, targetsOf, type StartPreset, type StartRow, type StartTarget, type TargetCheck } from '../domain/starts.ts'

export interface StartsOverview {
  year: number
  /** The month the check is as of (its end, or `asOf` inside it). */
  month: number
  asOf: string
  rows: StartRow[]
  checks: TargetCheck[]
}

/** The active projects of `year` as 台账 rows, optionally of one unit, in unit then project order. */
export async function startRows(db: Db, year: number, unitId?: number): Promise<StartRow[]> {
  const list = await db
    .select({
      id: projects.id,
      name: projects.name,
      unit: units.name,
      isNew: projects.plannedNewStart,
      plannedStart: projects.plannedStart,
      startedOn: projects.startedOn,
      resumedOn: projects.resumedOn,
    })
    .from(projects)
    .innerJoin(units, eq(units.id, projects.unitId))
    .where(and(eq(projects.active, true), eq(projects.year, year), unitId === undefined ? undefined : eq(projects.unitId, unitId)))
    .orderBy(projects.unitId, projects.id)
    .all()
  return list
}

/** The 台账 and the targets as of `asOf` ('YYYY-MM-DD'). */
export async function startsOverview(db: Db, targets: StartPreset | readonly StartTarget[], asOf: string, unitId?: number): Promise<StartsOverview> {
  const year = Number(asOf.slice(0, 4))
  const month = Number(asOf.slice(5, 7))
  const rows = await startRows(db, year, unitId)
  return { year, month, asOf, rows, checks: checkStarts(targetsOf(targets), rows, { year, month, asOf }) }
}
