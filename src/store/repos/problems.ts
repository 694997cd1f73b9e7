/**
 * The 问题台账: problems raised in reports or by leaders, their state and their history (problem_events).
 * Every state change writes its history row in the same statement batch.
 */
import { and, eq, inArray, ne, sql } from 'drizzle-orm'
import { atomic, type Db } from '../db.ts'
import { inChunks } from '../bulk.ts'
import { people, problemEvents, problems, projects, units, type DispatchLevel, type ProblemState } from '../schema.ts'

export type Problem = typeof problems.$inferSelect

export const problemById = (db: Db, id: number) => db.select().from(problems).where(eq(problems.id, id)).get()

/** A project's problems not yet closed, oldest first. */
export const openProblemsOfProject = (db: Db, projectId: number) =>
  db
    .select()
    .from(problems)
    .where(and(eq(problems.projectId, projectId), ne(problems.state, 'closed')))
    .orderBy(problems.id)
    .all()

/** Open (not closed) ledger problems per project, for the prompt card. */
export async function openProblemsByProject(db: Db, projectIds: number[]): Promise<Map<number, { id: number; description: string }[]>> {
  const out = new Map<number, { id: number; description: string }[]>()
  const rows = await inChunks(projectIds, (slice) =>
    db
      .select({ id: problems.id, projectId: problems.projectId, description: problems.description })
      .from(problems)
      .where(and(inArray(problems.projectId, slice), sql`${problems.state} != 'closed'`))
      .orderBy(problems.id)
      .all(),
  )
  for (const r of rows) out.set(r.projectId, [...(out.get(r.projectId) ?? []), { id: r.id, description: r.description }])
  return out
}

/** Every open problem with its project's name and unit and the assignee unit's name (the ledger's list). */
export const openProblemsWithNames = (db: Db) =>
  db
    .select({ p: problems, projectName: projects.name, projectUnit: projects.unitId, unitName: units.name })
    .from(problems)
    .innerJoin(projects, eq(projects.id, problems.projectId))
    .leftJoin(units, eq(units.id, problems.assigneeUnitId))
    .where(ne(problems.state, 'closed'))
    .orderBy(problems.id)
    .all()

/**
 * A new 新增 problem with its first history row, in one statement batch. `id` is the one it gets (`nextId`):
 * the history row needs it, and asking the database for it (RETURNING) would split a D1 unit of work.
 */
export async function raiseProblem(
  db: Db,
  p: {
    id: number
    projectId: number
    reportId: number | null
    description: string
    reporterPersonId: number
    leaderPersonId: number | null
    at: number
    note: string
  },
): Promise<Problem> {
  const row: Problem = {
    id: p.id,
    projectId: p.projectId,
    reportId: p.reportId,
    description: p.description,
    severity: 'ordinary',
    state: 'new',
    reporterPersonId: p.reporterPersonId,
    assigneeUnitId: null,
    assigneePersonId: null,
    leaderPersonId: p.leaderPersonId,
    plan: null,
    dueOn: null,
    noticeCount: 0,
    level: 'office',
    levelSince: null,
    createdAt: p.at,
    closedAt: null,
  }
  await atomic(db, [
    db.insert(problems).values(row),
    db.insert(problemEvents).values({ problemId: p.id, at: p.at, personId: p.reporterPersonId, toState: 'new', note: p.note }),
  ])
  return row
}

/** Moves a problem to a new state (and sets `set`), with its history row, all-or-nothing. Returns the moved problem. */
export async function moveProblem(
  db: Db,
  p: Problem,
  to: ProblemState,
  by: { personId: number; at: number; note: string },
  set: Partial<Problem> = {},
): Promise<Problem> {
  const changes = { ...set, state: to, ...(to === 'closed' ? { closedAt: by.at } : {}) }
  await atomic(db, [
    db.update(problems).set(changes).where(eq(problems.id, p.id)),
    db.insert(problemEvents).values({ problemId: p.id, at: by.at, personId: by.personId, fromState: p.state, toState: to, note: by.note }),
  ])
  return { ...p, ...changes }
}

/**
 * Ledger problems due before `today`, still being worked on (交办 / 推进中; one waiting for the reporter's
 * 销号 confirmation is the office's move, not the unit's), with fewer than `maxNotices` 通报.
 */
export const overdueProblems = (db: Db, today: string, maxNotices: number) =>
  db
    .select()
    .from(problems)
    .where(
      and(
        inArray(problems.state, ['assigned', 'in_progress']),
        sql`${problems.dueOn} is not null and ${problems.dueOn} < ${today}`,
        sql`${problems.noticeCount} < ${maxNotices}`,
      ),
    )
    .orderBy(problems.id)
    .all()

/** Counts a 通报 if nobody has yet (compare-and-set): a re-run of the same notice changes nothing. */
export async function countProblemNotice(db: Db, id: number, from: number): Promise<void> {
  await db
    .update(problems)
    .set({ noticeCount: from + 1 })
    .where(and(eq(problems.id, id), eq(problems.noticeCount, from)))
}

/** Open problems at these 调度 levels with their project's name, sector and 包联 leader, longest at the level first. */
export const openProblemsAtLevels = (db: Db, levels: DispatchLevel[]) =>
  levels.length === 0
    ? Promise.resolve([])
    : db
        .select({
          p: problems,
          projectName: projects.name,
          sector: projects.sector,
          projectLeader: projects.leaderPersonId,
          unitName: units.name,
        })
        .from(problems)
        .innerJoin(projects, eq(projects.id, problems.projectId))
        .leftJoin(units, eq(units.id, problems.assigneeUnitId))
        .where(and(ne(problems.state, 'closed'), inArray(problems.level, levels)))
        .orderBy(sql`coalesce(${problems.levelSince}, ${problems.createdAt})`, problems.id)
        .all()

/** A problem's history, oldest first, with who made each change. */
export const problemHistory = (db: Db, problemId: number) =>
  db
    .select({ at: problemEvents.at, note: problemEvents.note, toState: problemEvents.toState, person: people.name })
    .from(problemEvents)
    .leftJoin(people, eq(people.id, problemEvents.personId))
    .where(eq(problemEvents.problemId, problemId))
    .orderBy(problemEvents.id)
    .all()
