/**
 * Published 通报: what was sent is what is kept. One frozen copy per month, beside the month's board in
 * board_snapshots (kind 'monthly', league '通报'), so a later correction or a problem closed later never changes it.
 * Beside them, the colour rule a month was published under (league '规则'): a later rule change never re-words it.
 */
import { and, eq } from 'drizzle-orm'
import type { Db } from '../db.ts'
import { boardSnapshots } from '../schema.ts'

/** A month's frozen copy under `league` ('通报', '规则'), if one was kept. */
async function frozen<T>(db: Db, period: string, league: string): Promise<T | undefined> {
  const row = await db
    .select({ data: boardSnapshots.data })
    .from(boardSnapshots)
    .where(and(eq(boardSnapshots.kind, 'monthly'), eq(boardSnapshots.period, period), eq(boardSnapshots.league, league)))
    .get()
  return row?.data as T | undefined
}

/** Keeps the first copy under `league` for a month; later calls change nothing. */
async function freeze(db: Db, period: string, league: string, data: unknown, at: number): Promise<void> {
  await db.insert(boardSnapshots).values({ kind: 'monthly', period, league, publishedAt: at, data }).onConflictDoNothing()
}

export const frozenBulletin = <T>(db: Db, period: string) => frozen<T>(db, period, '通报')
export const freezeBulletin = (db: Db, period: string, data: unknown, at: number) => freeze(db, period, '通报', data, at)
/** The rule a month was published under (what settle froze), if it was kept. */
export const frozenRules = <T>(db: Db, period: string) => frozen<T>(db, period, '规则')
export const freezeRules = (db: Db, period: string, data: unknown, at: number) => freeze(db, period, '规则', data, at)
