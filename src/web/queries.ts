/**
 * What the pages read that no service reads yet: a project's history (every report version, 催办, frozen
 * colours, problems and 督办) and the open 督办 / problems with their names. Reads only; the figures and the
 * rules come from src/services.
 */
import { and, asc, desc, eq, inArray, ne, sql, type AnyColumn } from 'drizzle-orm'
import type { Db } from '../store/db.ts'
import {
  auditLog,
  people,
  problems,
  projectColours,
  projectContacts,
  projects,
  reports,
  rounds,
  supervisions,
  units,
  urges,
} from '../store/schema.ts'

export const reportsOfProject = (db: Db, projectId: number) =>
  db
    .select({ r: reports, period: rounds.period, kind: rounds.kind, deadlineAt: rounds.deadlineAt, by: people.name })
    .from(reports)
    .innerJoin(rounds, eq(rounds.id, reports.roundId))
    .leftJoin(people, eq(people.id, reports.submittedBy))
    .where(eq(reports.projectId, projectId))
    .orderBy(desc(rounds.period), desc(reports.version))
    .all()

export const urgesOfProject = (db: Db, projectId: number) =>
  db
    .select({ u: urges, by: people.name })
    .from(urges)
    .leftJoin(people, eq(people.id, urges.byPersonId))
    .where(eq(urges.projectId, projectId))
    .orderBy(desc(urges.at))
    .all()

export const coloursOfProject = (db: Db, projectId: number) =>
  db.select().from(projectColours).where(eq(projectColours.projectId, projectId)).orderBy(asc(projectColours.period)).all()

export const problemsOfProject = (db: Db, projectId: number) =>
  db
    .select({ p: problems, unitName: units.name })
    .from(problems)
    .leftJoin(units, eq(units.id, problems.assigneeUnitId))
    .where(eq(problems.projectId, projectId))
    .orderBy(desc(problems.id))
    .all()

export const supervisionsOfProject = (db: Db, projectId: number) =>
  db
    .select({ s: supervisions, issuer: people.name })
    .from(supervisions)
    .leftJoin(people, eq(people.id, supervisions.issuedBy))
    .where(eq(supervisions.projectId, projectId))
    .orderBy(desc(supervisions.id))
    .all()

/** A person's name by id, looked up per row: a problem names up to three people (assignee, leader, reporter). */
const nameOf = (personId: AnyColumn) => sql<string | null>`(select name from people where id = ${personId})`

/** Problems with their project and the names of the assignee unit, person, leader and reporter; callers pick which and the order. */
const problemsNamed = (db: Db) =>
  db
    .select({
      p: problems,
      projectName: projects.name,
      projectUnit: projects.unitId,
      sector: projects.sector,
      leaderOfProject: projects.leaderPersonId,
      unitName: units.name,
      assignee: nameOf(problems.assigneePersonId),
      leader: nameOf(problems.leaderPersonId),
      reporter: nameOf(problems.reporterPersonId),
    })
    .from(problems)
    .innerJoin(projects, eq(projects.id, problems.projectId))
    .leftJoin(units, eq(units.id, problems.assigneeUnitId))

/** Every problem (open ones unless `all`), with its project and its names. */
export async function problemsWithNames(db: Db, opts: { all?: boolean } = {}) {
  return problemsNamed(db)
    .where(opts.all ? undefined : ne(problems.state, 'closed'))
    .orderBy(problems.id)
    .all()
}

/** 督办 with their project, its unit and who issued it; callers pick which and the order. */
const supervisionsNamed = (db: Db) =>
  db
    .select({
      s: supervisions,
      projectName: projects.name,
      projectUnit: projects.unitId,
      sector: projects.sector,
      leaderOfProject: projects.leaderPersonId,
      unitName: units.name,
      issuer: people.name,
    })
    .from(supervisions)
    .innerJoin(projects, eq(projects.id, supervisions.projectId))
    .innerJoin(units, eq(units.id, projects.unitId))
    .leftJoin(people, eq(people.id, supervisions.issuedBy))

/** Every 督办 (open ones unless `all`), with its project and who issued it. */
export async function supervisionsWithNames(db: Db, opts: { all?: boolean } = {}) {
  return supervisionsNamed(db)
    .where(opts.all ? undefined : ne(supervisions.state, 'closed'))
    .orderBy(supervisions.id)
    .all()
}

/** The months whose monthly board was published, newest first. */
export async function publishedPeriods(db: Db): Promise<string[]> {
  const rows = await db.all<{ period: string }>(sql`select distinct period from board_snapshots where kind = 'monthly' order by period desc`)
  return rows.map((r) => r.period)
}

/** Contacts of projects, by project (the 未报 list names them). */
export async function contactNames(db: Db, projectIds: number[]): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>()
  for (let i = 0; i < projectIds.length; i += 500) {
    const slice = projectIds.slice(i, i + 500)
    const rows = await db
      .select({ projectId: projectContacts.projectId, name: people.name })
      .from(projectContacts)
      .innerJoin(people, eq(people.id, projectContacts.personId))
      .where(inArray(projectContacts.projectId, slice))
      .all()
    for (const r of rows) out.set(r.projectId, [...(out.get(r.projectId) ?? []), r.name])
  }
  return out
}

/** One problem with its names (the 台账 row), or undefined. */
export async function problemWithNames(db: Db, id: number) {
  return problemsNamed(db).where(eq(problems.id, id)).get()
}

/** One 督办 with its names, or undefined. */
export async function supervisionWithNames(db: Db, id: number) {
  return supervisionsNamed(db).where(eq(supervisions.id, id)).get()
}

/** A 督办's history from the audit log (issued, 已阅, 复函, 办结, 退回), oldest first. */
export const supervisionHistory = (db: Db, id: number) =>
  db
    .select({ a: auditLog, by: people.name })
    .from(auditLog)
    .leftJoin(people, eq(people.id, auditLog.actorPersonId))
    .where(and(eq(auditLog.entity, 'supervision'), eq(auditLog.entityId, id)))
    .orderBy(asc(auditLog.id))
    .all()
