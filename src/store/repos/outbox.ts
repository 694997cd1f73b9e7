/**
 * The outbox as the sender sees it: rows are claimed atomically (pending → sending with a lease), then marked
 * sent, rescheduled or failed. A row left 'sending' by a crashed process is claimable again once its lease has
 * run out; the idempotency key it is sent with keeps the platform from delivering it twice.
 */
import { and, asc, eq, inArray, lte, or, sql } from 'drizzle-orm'
import type { Db } from '../db.ts'
import { groups, identities, outbox, people } from '../schema.ts'

export type OutboxRow = typeof outbox.$inferSelect

/**
 * Takes up to `limit` due rows for this process, oldest due first: pending rows whose time has come, and
 * 'sending' rows whose lease has expired. One UPDATE … RETURNING, so two processes never get the same row.
 */
export async function claimDue(db: Db, now: number, leaseMs: number, limit: number, platforms?: string[]): Promise<OutboxRow[]> {
  if (limit <= 0) return []
  const due = or(and(eq(outbox.status, 'pending'), lte(outbox.nextAttemptAt, now)), and(eq(outbox.status, 'sending'), lte(outbox.lockedUntil, now)))
  const ids = db
    .select({ id: outbox.id })
    .from(outbox)
    .where(platforms ? and(due, inArray(outbox.platform, platforms)) : due)
    .orderBy(asc(outbox.nextAttemptAt), asc(outbox.id))
    .limit(limit)
  const rows = await db
    .update(outbox)
    .set({ status: 'sending', lockedUntil: now + leaseMs, attempts: sql`${outbox.attempts} + 1` })
    .where(inArray(outbox.id, ids))
    .returning()
  return rows.sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.id - b.id)
}

/** Keeps claimed rows ours for another lease. */
export async function extendLeases(db: Db, ids: number[], until: number): Promise<void> {
  for (let i = 0; i < ids.length; i += 90)
    await db
      .update(outbox)
      .set({ lockedUntil: until })
      .where(and(inArray(outbox.id, ids.slice(i, i + 90)), eq(outbox.status, 'sending')))
}

export async function markSent(db: Db, id: number, at: number, messageId: string): Promise<void> {
  await db
    .update(outbox)
    .set({ status: 'sent', sentAt: at, messageId, lockedUntil: null, lastError: null })
    .where(and(eq(outbox.id, id), sql`${outbox.status} != 'sent'`))
}

/**
 * Puts a row back in the queue for `nextAttemptAt`. `countAttempt: false` (rate limits, a row handed back
 * unsent) gives back the attempt its claim counted.
 */
export async function reschedule(db: Db, id: number, nextAttemptAt: number, error: string | null, countAttempt = true): Promise<void> {
  await db
    .update(outbox)
    .set({
      status: 'pending',
      nextAttemptAt,
      lockedUntil: null,
      ...(error !== null && { lastError: error }),
      ...(!countAttempt && { attempts: sql`max(${outbox.attempts} - 1, 0)` }),
    })
    .where(and(eq(outbox.id, id), eq(outbox.status, 'sending')))
}

/** Hands claimed rows back unsent (shutting down): due again at once, their claims not counted. */
export async function release(db: Db, ids: number[], now: number): Promise<void> {
  for (let i = 0; i < ids.length; i += 90)
    await db
      .update(outbox)
      .set({ status: 'pending', lockedUntil: null, nextAttemptAt: now, attempts: sql`max(${outbox.attempts} - 1, 0)` })
      .where(and(inArray(outbox.id, ids.slice(i, i + 90)), eq(outbox.status, 'sending')))
}

export async function markFailed(db: Db, id: number, reason: string): Promise<void> {
  await db
    .update(outbox)
    .set({ status: 'failed', lastError: reason, lockedUntil: null })
    .where(and(eq(outbox.id, id), eq(outbox.status, 'sending')))
}

/** The earliest time any unsent row becomes claimable, or null when nothing is waiting. */
export async function nextDueAt(db: Db, platforms?: string[]): Promise<number | null> {
  const filter = platforms
    ? sql` and platform in (${sql.join(
        platforms.map((p) => sql`${p}`),
        sql`, `,
      )})`
    : sql``
  const row = await db.get<{ t: number | null }>(sql`select min(t) as t from (
      select min(next_attempt_at) as t from outbox where status = 'pending'${filter}
      union all select min(locked_until) as t from outbox where status = 'sending'${filter})`)
  return row?.t ?? null
}

/** Row counts by status (for reports, benches and the dashboard). */
export async function outboxCounts(db: Db): Promise<Record<'pending' | 'sending' | 'sent' | 'failed', number>> {
  const rows = await db.all<{ status: string; n: number }>(sql`select status, count(*) as n from outbox group by status`)
  const out = { pending: 0, sending: 0, sent: 0, failed: 0 }
  for (const r of rows) out[r.status as keyof typeof out] = r.n
  return out
}

/** Which of these keys are already in the outbox. */
export async function existingKeys(db: Db, keys: string[]): Promise<Set<string>> {
  const out = new Set<string>()
  for (let i = 0; i < keys.length; i += 90) {
    const rows = await db
      .select({ key: outbox.key })
      .from(outbox)
      .where(inArray(outbox.key, keys.slice(i, i + 90)))
      .all()
    for (const r of rows) out.add(r.key)
  }
  return out
}

export const outboxByKey = (db: Db, key: string) => db.select().from(outbox).where(eq(outbox.key, key)).get()

/** Whom a platform address belongs to, for people to read: a person's name, a group's name, or null. */
export async function addressOwner(db: Db, row: Pick<OutboxRow, 'platform' | 'address' | 'addressKind'>): Promise<string | null> {
  const local = /^(person|group):(\d+)$/.exec(row.address)
  if (row.platform === 'local' && local) {
    const id = Number(local[2])
    const r =
      local[1] === 'person'
        ? await db.select({ name: people.name }).from(people).where(eq(people.id, id)).get()
        : await db.select({ name: groups.name }).from(groups).where(eq(groups.id, id)).get()
    return r?.name ?? null
  }
  if (row.addressKind === 'chat') {
    const g = await db
      .select({ name: groups.name })
      .from(groups)
      .where(and(eq(groups.platform, row.platform as 'feishu'), eq(groups.chatId, row.address)))
      .get()
    if (g) return g.name || null
  }
  const p = await db
    .select({ name: people.name })
    .from(identities)
    .innerJoin(people, eq(people.id, identities.personId))
    .where(and(eq(identities.platform, row.platform as 'feishu'), eq(identities.userId, row.address)))
    .get()
  return p?.name ?? null
}
