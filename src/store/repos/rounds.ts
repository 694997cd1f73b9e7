import { and, desc, eq, isNull, lte } from 'drizzle-orm'
import type { Db } from '../db.ts'
import { atomic } from '../db.ts'
import { auditLog, reminders, reports, rounds } from '../schema.ts'

export type Round = typeof rounds.$inferSelect
export type Report = typeof reports.$inferSelect
export type RoundKind = Round['kind']

export const roundByKey = (db: Db, kind: RoundKind, period: string) =>
  db.select().from(rounds).where(and(eq(rounds.kind, kind), eq(rounds.period, period))).get()

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
  db.select().from(rounds).where(and(lte(rounds.opensAt, at), isNull(rounds.closedAt))).orderBy(rounds.id).all()

export async function closeRound(db: Db, id: number, at: number) {
  await db.update(rounds).set({ closedAt: at }).where(and(eq(rounds.id, id), isNull(rounds.closedAt)))
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

/** The latest current report of a project in an earlier monthly round (last period's figures). */
export async function previousMonthlyReport(db: Db, projectId: number, beforePeriod: string) {
  const row = await db
    .select({ report: reports, period: rounds.period })
    .from(reports)
    .innerJoin(rounds, eq(rounds.id, reports.roundId))
    .where(and(eq(reports.projectId, projectId), eq(reports.current, true), eq(rounds.kind, 'monthly')))
    .orderBy(desc(rounds.period))
    .all()
  return row.find((r) => r.period < beforePeriod)
}

export type ReportInput = Omit<typeof reports.$inferInsert, 'id' | 'version' | 'current' | 'firstSubmittedAt'>

/**
 * Stores a submission as a new version and makes it the current one; the previous version stays, and the
 * change is written to the audit trail in the same transaction.
 */
export async function submitReport(db: Db, input: ReportInput): Promise<Report> {
  const versions = await reportVersions(db, input.roundId, input.projectId)
  const previous = versions.find((v) => v.current)
  const version = (versions.at(-1)?.version ?? 0) + 1
  await atomic(db, [
    db
      .update(reports)
      .set({ current: false })
      .where(and(eq(reports.roundId, input.roundId), eq(reports.projectId, input.projectId), eq(reports.current, true))),
    db.insert(reports).values({ ...input, version, current: true, firstSubmittedAt: versions[0]?.submittedAt ?? input.submittedAt }),
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
  return (await currentReport(db, input.roundId, input.projectId))!
}

export async function recordReminder(db: Db, r: typeof reminders.$inferInsert) {
  await db.insert(reminders).values(r)
}
