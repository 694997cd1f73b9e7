/**
 * Published 通报: what was sent is what is kept. One frozen copy per month, beside the month's board in
 * board_snapshots (kind 'monthly', league '通报'), so a later correction or a problem closed later never changes it.
 * Beside them, the colour rule a month was published under (league '规则'): a later rule change never re-words it.
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

const RULES = '规则'

/** The rule a month was published under (what settle froze), if it was kept. */
export async function frozenRules<T>(db: Db, period: string): Promise<T | undefined> {
  const row = await db
    .select({ data: boardSnapshots.data })
    .from(boardSnapshots)
    .where(and(eq(boardSnapshots.kind, 'monthly'), eq(boardSnapshots.period, period), eq(boardSnapshots.league, RULES)))
    .get()
  return row?.data as T | undefined
}

/** Keeps the rule of a month's first publication; later calls change nothing. */
export async function freezeRules(db: Db, period: string, data: unknown, at: number): Promise<void> {
  await db.insert(boardSnapshots).values({ kind: 'monthly', period, league: RULES, publishedAt: at, data }).onConflictDoNothing()
}
