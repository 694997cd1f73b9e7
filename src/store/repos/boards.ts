/** Published boards: what was published is what is kept (one frozen snapshot per kind, period and league). */
import { and, eq } from 'drizzle-orm'
import type { Db } from '../db.ts'
import { boardSnapshots } from '../schema.ts'

type Kind = (typeof boardSnapshots.$inferSelect)['kind']

/** The snapshot published for a period (league 'all'), if any. */
export async function publishedSnapshot<T>(db: Db, kind: Kind, period: string): Promise<T | undefined> {
  const row = await db
    .select({ data: boardSnapshots.data })
    .from(boardSnapshots)
    .where(and(eq(boardSnapshots.kind, kind), eq(boardSnapshots.period, period), eq(boardSnapshots.league, 'all')))
    .get()
  return row?.data as T | undefined
}

/** Stores a board as published; one already published for the period is kept as it was. True when this call stored it. */
export async function publishSnapshot(db: Db, kind: Kind, period: string, data: unknown, at: number): Promise<boolean> {
  const rows = await db
    .insert(boardSnapshots)
    .values({ kind, period, league: 'all', publishedAt: at, data })
    .onConflictDoNothing()
    .returning({ id: boardSnapshots.id })
  return rows.length > 0
}
