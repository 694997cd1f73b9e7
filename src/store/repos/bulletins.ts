/**
 * Published 通报: what was sent is what is kept. One frozen copy per month, beside the month's board in
 * board_snapshots (kind 'monthly', league '通报'), so a later correction or a problem closed later never changes it.
 */
import { and, eq } from 'drizzle-orm'
import type { Db } from '../db.ts'
import { boardSnapshots } from '../schema.ts'

const LEAGUE = '通报'

export async function frozenBulletin<T>(db: Db, period: string): Promise<T | undefined> {
  const row = await db
    .select({ data: boardSnapshots.data })
    .from(boardSnapshots)
    .where(and(eq(boardSnapshots.kind, 'monthly'), eq(boardSnapshots.period, period), eq(boardSnapshots.league, LEAGUE)))
    .get()
  return row?.data as T | undefined
}

/** Keeps the first copy frozen for a month; later calls change nothing. */
export async function freezeBulletin(db: Db, period: string, data: unknown, at: number): Promise<void> {
  await db.insert(boardSnapshots).values({ kind: 'monthly', period, league: LEAGUE, publishedAt: at, data }).onConflictDoNothing()
}
