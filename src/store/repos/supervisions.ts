/** 督办 items (挂牌督办): issued by a leader on a project, answered within N working days, escalated when overdue. */
import { and, desc, eq, inArray, sql } from 'drizzle-orm'
import type { Db } from '../db.ts'
import { supervisions } from '../schema.ts'
import { inChunks } from '../bulk.ts'
import { recordAudit } from './audit.ts'

export type Supervision = typeof supervisions.$inferSelect

export const supervisionById = (db: Db, id: number) => db.select().from(supervisions).where(eq(supervisions.id, id)).get()

/** A new 督办 item, with its audit row. */
export async function issueSupervision(
  db: Db,
  s: { projectId: number; matter: string; issuedBy: number; issuedAt: number; dueOn: string },
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

/** Open 督办 items due before `today` with fewer than `maxNotices` 通报. */
export const overdueSupervisions = (db: Db, today: string, maxNotices: number) =>
  db
    .select()
    .from(supervisions)
    .where(and(eq(supervisions.state, 'open'), sql`${supervisions.dueOn} < ${today}`, sql`${supervisions.noticeCount} < ${maxNotices}`))
    .orderBy(supervisions.id)
    .all()

/** Counts a 通报 if nobody has yet (compare-and-set): a re-run of the same notice changes nothing. */
export async function countSupervisionNotice(db: Db, id: number, from: number): Promise<void> {
  await db
    .update(supervisions)
    .set({ noticeCount: from + 1 })
    .where(and(eq(supervisions.id, id), eq(supervisions.noticeCount, from)))
}
