/**
 * What the dispatch clock reads and records: job claims (job_runs, unique job + period), who has to report in
 * a round, who has, and idempotent records of reminders and 通报. Every write here is safe to repeat: a
 * crashed tick is taken over and re-run without doing anything twice.
 */
import { and, eq, inArray, isNull, lte, sql } from 'drizzle-orm'
import type { Db } from '../db.ts'
import { jobRuns, people, problems, projectContacts, projects, reports, rounds, supervisions, units } from '../schema.ts'
import type { Project } from './projects.ts'
import type { Person } from './directory.ts'
import type { Report, Round } from './rounds.ts'

export type JobRun = typeof jobRuns.$inferSelect

export type ClaimResult = 'claimed' | 'retaken' | 'busy' | 'done'

/**
 * Claims job × period before any work (insert … on conflict do nothing … returning). A claim left unfinished
 * for `leaseMs` (a crashed process) is taken over. 'busy' = another tick is on it now, 'done' = finished.
 */
export async function claimJob(db: Db, job: string, period: string, at: number, leaseMs: number): Promise<ClaimResult> {
  const inserted = await db
    .insert(jobRuns)
    .values({ job, period, claimedAt: at })
    .onConflictDoNothing({ target: [jobRuns.job, jobRuns.period] })
    .returning({ id: jobRuns.id })
  if (inserted.length) return 'claimed'
  const retaken = await db
    .update(jobRuns)
    .set({ claimedAt: at })
    .where(and(eq(jobRuns.job, job), eq(jobRuns.period, period), isNull(jobRuns.finishedAt), lte(jobRuns.claimedAt, at - leaseMs)))
    .returning({ id: jobRuns.id })
  if (retaken.length) return 'retaken'
  const row = await db.select({ finishedAt: jobRuns.finishedAt }).from(jobRuns).where(and(eq(jobRuns.job, job), eq(jobRuns.period, period))).get()
  return row?.finishedAt != null ? 'done' : 'busy'
}

export async function finishJob(db: Db, job: string, period: string, at: number, result: unknown): Promise<void> {
  await db.update(jobRuns).set({ finishedAt: at, result: result as never }).where(and(eq(jobRuns.job, job), eq(jobRuns.period, period)))
}

/** The stored runs of these job × period pairs, keyed `job|period`. */
export async function jobRunsFor(db: Db, keys: { job: string; period: string }[]): Promise<Map<string, JobRun>> {
  const out = new Map<string, JobRun>()
  if (!keys.length) return out
  const jobs = [...new Set(keys.map((k) => k.job))]
  const periods = [...new Set(keys.map((k) => k.period))]
  for (let i = 0; i < periods.length; i += 80) {
    const rows = await db
      .select()
      .from(jobRuns)
      .where(and(inArray(jobRuns.job, jobs), inArray(jobRuns.period, periods.slice(i, i + 80))))
      .all()
    for (const r of rows) out.set(`${r.job}|${r.period}`, r)
  }
  return out
}

// ---------------------------------------------------------------------------------------------------------
// Rounds and who reports in them

/** Rounds not closed yet (any open time), oldest first. */
export const unclosedRounds = (db: Db) => db.select().from(rounds).where(isNull(rounds.closedAt)).orderBy(rounds.opensAt).all()

/** Rounds closed at or after `since`. */
export const roundsClosedSince = (db: Db, since: number) =>
  db.select().from(rounds).where(sql`${rounds.closedAt} is not null and ${rounds.closedAt} >= ${since}`).orderBy(rounds.opensAt).all()

export const roundByPeriod = (db: Db, kind: Round['kind'], period: string) =>
  db.select().from(rounds).where(and(eq(rounds.kind, kind), eq(rounds.period, period))).get()

/** Creates a round unless it exists; says whether this call created it. */
export async function createRound(db: Db, r: { kind: Round['kind']; period: string; opensAt: number; deadlineAt: number }): Promise<{ round: Round; created: boolean }> {
  const inserted = await db.insert(rounds).values(r).onConflictDoNothing().returning()
  if (inserted[0]) return { round: inserted[0], created: true }
  return { round: (await roundByPeriod(db, r.kind, r.period))!, created: false }
}

export type ContactRef = Pick<Person, 'id' | 'name'>

/** A project that reports in a round, with its contacts (填报人) in person-id order. */
export interface RoundProject {
  project: Project
  contacts: ContactRef[]
}

/**
 * The projects that report in a round of `kind` for `year`: every active project of the year for monthly
 * rounds, the key projects (`weekly`) for weekly and 旬 rounds.
 */
export async function roundProjects(db: Db, kind: Round['kind'], year: number): Promise<RoundProject[]> {
  const list = await db
    .select()
    .from(projects)
    .where(and(eq(projects.active, true), eq(projects.year, year), kind === 'monthly' ? sql`1 = 1` : eq(projects.weekly, true)))
    .orderBy(projects.id)
    .all()
  const ids = list.map((p) => p.id)
  const contacts = new Map<number, ContactRef[]>()
  for (let i = 0; i < ids.length; i += 90) {
    const rows = await db
      .select({ projectId: projectContacts.projectId, id: people.id, name: people.name })
      .from(projectContacts)
      .innerJoin(people, eq(people.id, projectContacts.personId))
      .where(inArray(projectContacts.projectId, ids.slice(i, i + 90)))
      .orderBy(projectContacts.projectId, people.id)
      .all()
    for (const r of rows) contacts.set(r.projectId, [...(contacts.get(r.projectId) ?? []), { id: r.id, name: r.name }])
  }
  return list.map((project) => ({ project, contacts: contacts.get(project.id) ?? [] }))
}

/** Projects with a current report in the round. */
export async function reportedProjectIds(db: Db, roundId: number): Promise<Set<number>> {
  const rows = await db
    .select({ projectId: reports.projectId })
    .from(reports)
    .where(and(eq(reports.roundId, roundId), eq(reports.current, true)))
    .all()
  return new Set(rows.map((r) => r.projectId))
}

/** Current reports of a round by project. */
export async function roundReports(db: Db, roundId: number): Promise<Map<number, Report>> {
  const rows = await db.select().from(reports).where(and(eq(reports.roundId, roundId), eq(reports.current, true))).all()
  return new Map(rows.map((r) => [r.projectId, r]))
}

/**
 * Each project's latest current report from a round that opened before `before` (of `kind` when given):
 * what a new round's card is prefilled with.
 */
export async function latestReportsBefore(db: Db, projectIds: number[], before: number, kind?: Round['kind']): Promise<Map<number, Report>> {
  const out = new Map<number, Report>()
  for (let i = 0; i < projectIds.length; i += 90) {
    const rows = await db
      .select({ report: reports })
      .from(reports)
      .innerJoin(rounds, eq(rounds.id, reports.roundId))
      .where(
        and(
          inArray(reports.projectId, projectIds.slice(i, i + 90)),
          eq(reports.current, true),
          sql`${rounds.opensAt} < ${before}`,
          kind ? eq(rounds.kind, kind) : sql`1 = 1`,
        ),
      )
      .orderBy(sql`${rounds.opensAt} desc`)
      .all()
    for (const r of rows) if (!out.has(r.report.projectId)) out.set(r.report.projectId, r.report)
  }
  return out
}

/** Open (not closed) ledger problems per project, for the prompt card. */
export async function openProblemsByProject(db: Db, projectIds: number[]): Promise<Map<number, { id: number; description: string }[]>> {
  const out = new Map<number, { id: number; description: string }[]>()
  for (let i = 0; i < projectIds.length; i += 90) {
    const rows = await db
      .select({ id: problems.id, projectId: problems.projectId, description: problems.description })
      .from(problems)
      .where(and(inArray(problems.projectId, projectIds.slice(i, i + 90)), sql`${problems.state} != 'closed'`))
      .orderBy(problems.id)
      .all()
    for (const r of rows) out.set(r.projectId, [...(out.get(r.projectId) ?? []), { id: r.id, description: r.description }])
  }
  return out
}

/**
 * Records a reminder once: a second call for the same round, project, kind and person adds nothing (one
 * statement, so two ticks racing still store one row).
 */
export async function recordReminderOnce(
  db: Db,
  r: { roundId: number; projectId: number; kind: 'before' | 'deadline' | 'overdue'; personId: number | null; sentAt: number },
): Promise<void> {
  await db.run(sql`insert into reminders (round_id, project_id, kind, person_id, sent_at)
    select ${r.roundId}, ${r.projectId}, ${r.kind}, ${r.personId}, ${r.sentAt}
    where not exists (select 1 from reminders where round_id = ${r.roundId} and project_id = ${r.projectId} and kind = ${r.kind}
      and person_id is ${r.personId})`)
}

// ---------------------------------------------------------------------------------------------------------
// People

export type UnitRow = typeof units.$inferSelect

export const allUnits = (db: Db) => db.select().from(units).orderBy(units.id).all()

export async function peopleWithRole(db: Db, role: string): Promise<Person[]> {
  const rows = await db.select().from(people).orderBy(people.id).all()
  return rows.filter((p) => (p.roles as string[]).includes(role))
}

export async function personWithTitle(db: Db, title: string): Promise<Person | undefined> {
  return db.select().from(people).where(eq(people.title, title)).orderBy(people.id).get()
}

export async function peopleById(db: Db, ids: number[]): Promise<Map<number, Person>> {
  const uniq = [...new Set(ids)]
  const out = new Map<number, Person>()
  for (let i = 0; i < uniq.length; i += 90) {
    for (const p of await db.select().from(people).where(inArray(people.id, uniq.slice(i, i + 90))).all()) out.set(p.id, p)
  }
  return out
}

// ---------------------------------------------------------------------------------------------------------
// 督办 and problems past their due date

export type Supervision = typeof supervisions.$inferSelect
export type Problem = typeof problems.$inferSelect

/** Open 督办 items due before `today` with fewer than `maxNotices` 通报. */
export const overdueSupervisions = (db: Db, today: string, maxNotices: number) =>
  db
    .select()
    .from(supervisions)
    .where(and(eq(supervisions.state, 'open'), sql`${supervisions.dueOn} < ${today}`, sql`${supervisions.noticeCount} < ${maxNotices}`))
    .orderBy(supervisions.id)
    .all()

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
export async function countNotice(db: Db, kind: 'supervision' | 'problem', id: number, from: number): Promise<void> {
  if (kind === 'supervision')
    await db.update(supervisions).set({ noticeCount: from + 1 }).where(and(eq(supervisions.id, id), eq(supervisions.noticeCount, from)))
  else await db.update(problems).set({ noticeCount: from + 1 }).where(and(eq(problems.id, id), eq(problems.noticeCount, from)))
}

export async function projectsById(db: Db, ids: number[]): Promise<Map<number, Project>> {
  const uniq = [...new Set(ids)]
  const out = new Map<number, Project>()
  for (let i = 0; i < uniq.length; i += 90) {
    for (const p of await db.select().from(projects).where(inArray(projects.id, uniq.slice(i, i + 90))).all()) out.set(p.id, p)
  }
  return out
}
