/** Rounds, who reports in them, their reports (every version) and the reminders sent for them. */
import { and, desc, eq, inArray, isNull, lt, lte, sql } from 'drizzle-orm'
import type { Db } from '../db.ts'
import { atomic } from '../db.ts'
import { inChunks } from '../bulk.ts'
import { auditLog, people, problems, projectContacts, projects, reminders, reports, rounds } from '../schema.ts'
import type { Project } from './projects.ts'
import type { Person } from './directory.ts'

export type Round = typeof rounds.$inferSelect
export type Report = typeof reports.$inferSelect
export type RoundKind = Round['kind']

export const roundByKey = (db: Db, kind: RoundKind, period: string) =>
  db
    .select()
    .from(rounds)
    .where(and(eq(rounds.kind, kind), eq(rounds.period, period)))
    .get()

export const roundById = (db: Db, id: number) => db.select().from(rounds).where(eq(rounds.id, id)).get()

/** Creates the round if it does not exist yet; returns the stored one either way. */
export async function ensureRound(
  db: Db,
  r: { kind: RoundKind; period: string; opensAt: number; deadlineAt: number; closedAt?: number | null },
): Promise<Round> {
  await db.insert(rounds).values(r).onConflictDoNothing()
  return (await roundByKey(db, r.kind, r.period))!
}

/** Rounds open at an instant: opened, not yet closed. */
export const openRounds = (db: Db, at: number) =>
  db
    .select()
    .from(rounds)
    .where(and(lte(rounds.opensAt, at), isNull(rounds.closedAt)))
    .orderBy(rounds.id)
    .all()

export async function closeRound(db: Db, id: number, at: number) {
  await db
    .update(rounds)
    .set({ closedAt: at })
    .where(and(eq(rounds.id, id), isNull(rounds.closedAt)))
}

export const currentReport = (db: Db, roundId: number, projectId: number) =>
  db
    .select()
    .from(reports)
    .where(and(eq(reports.roundId, roundId), eq(reports.projectId, projectId), eq(reports.current, true)))
    .get()

export const reportVersions = (db: Db, roundId: number, projectId: number) =>
  db
    .select()
    .from(reports)
    .where(and(eq(reports.roundId, roundId), eq(reports.projectId, projectId)))
    .orderBy(reports.version)
    .all()

/**
 * The latest current report of a project in a monthly round before `beforePeriod` (last period's figures), or
 * in any monthly round when none is given, with that round's period.
 */
export async function previousMonthlyReport(
  db: Db,
  projectId: number,
  beforePeriod?: string,
): Promise<{ report: Report; period: string } | undefined> {
  return db
    .select({ report: reports, period: rounds.period })
    .from(reports)
    .innerJoin(rounds, eq(rounds.id, reports.roundId))
    .where(
      and(
        eq(reports.projectId, projectId),
        eq(reports.current, true),
        eq(rounds.kind, 'monthly'),
        beforePeriod === undefined ? undefined : lt(rounds.period, beforePeriod),
      ),
    )
    .orderBy(desc(rounds.period))
    .get()
}

export type ReportInput = Omit<typeof reports.$inferInsert, 'id' | 'version' | 'current' | 'firstSubmittedAt'>

/**
 * The id the next row of `table` gets. The stored row is built in code with it instead of read back (a read of
 * a table just written, or RETURNING, would split a D1 unit of work into batches: src/runtime/workers/d1.ts).
 * Rows of these tables are never deleted, so max + 1 is what AUTOINCREMENT gives; a second writer that took
 * the id first makes the insert (and with it the whole batch) fail, never write twice.
 */
export async function nextId(db: Db, table: typeof reports | typeof problems): Promise<number> {
  const row = await db
    .select({ n: sql<number>`coalesce(max(${table.id}), 0) + 1` })
    .from(table)
    .get()
  return row!.n
}

/**
 * Stores a submission as a new version and makes it the current one; the previous version stays, and the
 * change is written to the audit trail in the same transaction. Returns the stored row, built in code (all reads
 * come before the writes).
 */
export async function submitReport(db: Db, input: ReportInput): Promise<Report> {
  const versions = await reportVersions(db, input.roundId, input.projectId)
  const previous = versions.find((v) => v.current)
  const version = (versions.at(-1)?.version ?? 0) + 1
  const stored: Report = {
    progressText: '',
    problemsText: '',
    coordination: '',
    nextSteps: '',
    periodInvestment: null,
    progressPercent: null,
    startStatus: null,
    startedOn: null,
    statsOn: null,
    correctionReason: null,
    submittedBy: null,
    ...input,
    id: await nextId(db, reports),
    version,
    current: true,
    firstSubmittedAt: versions[0]?.submittedAt ?? input.submittedAt,
  }
  await atomic(db, [
    db
      .update(reports)
      .set({ current: false })
      .where(and(eq(reports.roundId, input.roundId), eq(reports.projectId, input.projectId), eq(reports.current, true))),
    db.insert(reports).values(stored),
    db.insert(auditLog).values({
      at: input.submittedAt,
      actorPersonId: input.submittedBy ?? null,
      entity: 'report',
      entityId: input.projectId,
      action: previous ? 'edit' : 'submit',
      before: previous ?? null,
      after: { ...input, version },
    }),
  ])
  return stored
}

export async function recordReminder(db: Db, r: typeof reminders.$inferInsert) {
  await db.insert(reminders).values(r)
}

// ---------------------------------------------------------------------------------------------------------
// Rounds and who reports in them

/** Rounds not closed yet (any open time), oldest first. */
export const unclosedRounds = (db: Db) => db.select().from(rounds).where(isNull(rounds.closedAt)).orderBy(rounds.opensAt).all()

/** Rounds closed at or after `since`. */
export const roundsClosedSince = (db: Db, since: number) =>
  db
    .select()
    .from(rounds)
    .where(sql`${rounds.closedAt} is not null and ${rounds.closedAt} >= ${since}`)
    .orderBy(rounds.opensAt)
    .all()

/** Creates a round unless it exists; says whether this call created it. */
export async function createRound(
  db: Db,
  r: { kind: Round['kind']; period: string; opensAt: number; deadlineAt: number },
): Promise<{ round: Round; created: boolean }> {
  const inserted = await db.insert(rounds).values(r).onConflictDoNothing().returning()
  if (inserted[0]) return { round: inserted[0], created: true }
  return { round: (await roundByKey(db, r.kind, r.period))!, created: false }
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
  const rows = await inChunks(ids, (slice) =>
    db
      .select({ projectId: projectContacts.projectId, id: people.id, name: people.name })
      .from(projectContacts)
      .innerJoin(people, eq(people.id, projectContacts.personId))
      .where(inArray(projectContacts.projectId, slice))
      .orderBy(projectContacts.projectId, people.id)
      .all(),
  )
  for (const r of rows) contacts.set(r.projectId, [...(contacts.get(r.projectId) ?? []), { id: r.id, name: r.name }])
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
  const rows = await db
    .select()
    .from(reports)
    .where(and(eq(reports.roundId, roundId), eq(reports.current, true)))
    .all()
  return new Map(rows.map((r) => [r.projectId, r]))
}

/**
 * Each project's latest current report from a round that opened before `before` (of `kind` when given):
 * what a new round's card is prefilled with.
 */
export async function latestReportsBefore(db: Db, projectIds: number[], before: number, kind?: Round['kind']): Promise<Map<number, Report>> {
  const out = new Map<number, Report>()
  const rows = await inChunks(projectIds, (slice) =>
    db
      .select({ report: reports })
      .from(reports)
      .innerJoin(rounds, eq(rounds.id, reports.roundId))
      .where(
        and(
          inArray(reports.projectId, slice),
          eq(reports.current, true),
          sql`${rounds.opensAt} < ${before}`,
          kind ? eq(rounds.kind, kind) : sql`1 = 1`,
        ),
      )
      .orderBy(sql`${rounds.opensAt} desc`)
      .all(),
  )
  for (const r of rows) if (!out.has(r.report.projectId)) out.set(r.report.projectId, r.report)
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
// Rounds open to a report, and 补报 (a closed round reopened for one project, once)

/** Rounds taking reports at an instant: opened, and not closed yet (closedAt null or still ahead). */
export const roundsTakingReports = (db: Db, at: number) =>
  db
    .select()
    .from(rounds)
    .where(and(lte(rounds.opensAt, at), sql`(${rounds.closedAt} is null or ${rounds.closedAt} > ${at})`))
    .orderBy(rounds.id)
    .all()

/** 补报: the office reopens a closed round for one project; audited, used by the next report into it. */
export async function grantReopen(db: Db, g: { roundId: number; projectId: number; by: number; at: number }): Promise<void> {
  await db
    .insert(auditLog)
    .values({ at: g.at, actorPersonId: g.by, entity: 'reopen', entityId: g.projectId, action: 'reopen', before: null, after: { roundId: g.roundId } })
}

/** The closed rounds reopened for a project and not used yet (each grant takes one report). */
export async function reopenedRounds(db: Db, projectId: number): Promise<Round[]> {
  const rows = await db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.entity, 'reopen'), eq(auditLog.entityId, projectId)))
    .orderBy(auditLog.id)
    .all()
  const open = new Map<number, number>()
  for (const r of rows) {
    const roundId = Number((r.after as { roundId?: number } | null)?.roundId)
    if (!roundId) continue
    open.set(roundId, (open.get(roundId) ?? 0) + (r.action === 'reopen' ? 1 : r.action === 'used' ? -1 : 0))
  }
  const ids = [...open].filter(([, n]) => n > 0).map(([id]) => id)
  if (!ids.length) return []
  return db.select().from(rounds).where(inArray(rounds.id, ids)).orderBy(rounds.id).all()
}

/** Marks a reopened round used by the report just stored. */
export async function useReopen(db: Db, u: { roundId: number; projectId: number; by: number; at: number }): Promise<void> {
  await db
    .insert(auditLog)
    .values({ at: u.at, actorPersonId: u.by, entity: 'reopen', entityId: u.projectId, action: 'used', before: null, after: { roundId: u.roundId } })
}
