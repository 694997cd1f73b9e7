/**
 * 督办 items (挂牌督办): issued by a leader on a project, answered (复函, the five 落实) within N working days of
 * receipt, then 办结 or 退回 by the issuer; escalated while unanswered past the reply date. Every change is an
 * audit row.
 */
import { and, desc, eq, inArray, ne, sql } from 'drizzle-orm'
import type { Db } from '../db.ts'
import { supervisions, type SupervisionState } from '../schema.ts'
import { inChunks } from '../bulk.ts'
import { recordAudit } from './audit.ts'

export type Supervision = typeof supervisions.$inferSelect

export const supervisionById = (db: Db, id: number) => db.select().from(supervisions).where(eq(supervisions.id, id)).get()

/** A new 督办 item, with its audit row. */
export async function issueSupervision(
  db: Db,
  s: {
    projectId: number
    matter: string
    issuedBy: number
    issuedAt: number
    dueOn: string
    receivedAt: number
    replyDueOn: string
    cadence: string
  },
): Promise<Supervision> {
  const [row] = await db.insert(supervisions).values(s).returning()
  await recordAudit(db, {
    at: s.issuedAt,
    actorPersonId: s.issuedBy,
    entity: 'supervision',
    entityId: row!.id,
    action: 'issue',
    before: null,
    after: row,
  })
  return row!
}

/** The newest open 督办 on any of these projects. */
export async function latestOpenSupervisionOn(db: Db, projectIds: number[]): Promise<Supervision | undefined> {
  const newest = await inChunks(projectIds, (slice) =>
    db
      .select()
      .from(supervisions)
      .where(and(inArray(supervisions.projectId, slice), eq(supervisions.state, 'open')))
      .orderBy(desc(supervisions.id))
      .limit(1)
      .all(),
  )
  return newest.sort((a, b) => b.id - a.id)[0]
}

/** When the 复函 is due: the reply date of its receipt (or of its 退回), else the date it was issued with. */
export const replyDueOf = (s: Supervision) => s.replyDueOn ?? s.dueOn

/**
 * 督办 items still waiting for a complete 复函 (open, or 退回 to the unit) whose reply date is before `today`,
 * with fewer than `maxNotices` 通报. A 复函 stops them; 办结 ends them.
 */
export const overdueSupervisions = (db: Db, today: string, maxNotices: number) =>
  db
    .select()
    .from(supervisions)
    .where(
      and(
        inArray(supervisions.state, ['open', 'returned']),
        sql`coalesce(${supervisions.replyDueOn}, ${supervisions.dueOn}) < ${today}`,
        sql`${supervisions.noticeCount} < ${maxNotices}`,
      ),
    )
    .orderBy(supervisions.id)
    .all()

/**
 * Moves a 督办 from `s.state` to `to` with `set`, if nobody moved it first (compare-and-set on the state), with
 * its audit row. Returns the moved row, or undefined when it had already moved on.
 */
export async function moveSupervision(
  db: Db,
  s: Supervision,
  to: SupervisionState,
  by: { personId: number; at: number; action: string },
  set: Partial<Supervision> = {},
): Promise<Supervision | undefined> {
  const [row] = await db
    .update(supervisions)
    .set({ ...set, state: to })
    .where(and(eq(supervisions.id, s.id), eq(supervisions.state, s.state)))
    .returning()
  if (!row) return undefined
  await recordAudit(db, { at: by.at, actorPersonId: by.personId, entity: 'supervision', entityId: s.id, action: by.action, before: s, after: row })
  return row
}

/** 督办 items not yet 办结, oldest first: those a person issued, or (null) every one. */
export const unfinishedSupervisions = (db: Db, issuedBy: number | null) =>
  db
    .select()
    .from(supervisions)
    .where(issuedBy === null ? ne(supervisions.state, 'closed') : and(ne(supervisions.state, 'closed'), eq(supervisions.issuedBy, issuedBy)))
    .orderBy(supervisions.issuedAt, supervisions.id)
    .all()

/** Counts a 通报 if nobody has yet (compare-and-set): a re-run of the same notice changes nothing. */
export async function countSupervisionNotice(db: Db, id: number, from: number): Promise<void> {
  await db
    .update(supervisions)
    .set({ noticeCount: from + 1 })
    .where(and(eq(supervisions.id, id), eq(supervisions.noticeCount, from)))
}

/** 督办 items whose 复函 is in and still waits for its issuer's 办结 or 退回. */
export const undecidedSupervisions = (db: Db) =>
  db.select().from(supervisions).where(eq(supervisions.state, 'replied')).orderBy(supervisions.id).all()
