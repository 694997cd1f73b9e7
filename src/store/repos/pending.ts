/** A conversation waiting for a person's next word (one per person, with an expiry); its shape is the bot's. */
import { eq } from 'drizzle-orm'
import type { Db } from '../db.ts'
import { pendingActions } from '../schema.ts'

export async function pendingOf(db: Db, personId: number, now: number): Promise<unknown> {
  const row = await db.select().from(pendingActions).where(eq(pendingActions.personId, personId)).get()
  return row && row.expiresAt >= now ? row.data : undefined
}

export async function keepPending(db: Db, personId: number, kind: string, data: unknown, expiresAt: number): Promise<void> {
  await db
    .insert(pendingActions)
    .values({ personId, kind, data, expiresAt })
    .onConflictDoUpdate({ target: pendingActions.personId, set: { kind, data, expiresAt } })
}

export async function dropPending(db: Db, personId: number): Promise<void> {
  await db.delete(pendingActions).where(eq(pendingActions.personId, personId))
}
