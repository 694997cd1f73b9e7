/**
 * The database handle shared by both runtimes. Repositories always `await` query builders, which works for
 * better-sqlite3 (synchronous underneath) and D1 alike; nothing here may use the sync-only `.all()/.get()`.
 */
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core'
import type * as schema from './schema.ts'

export type Db = BaseSQLiteDatabase<'sync' | 'async', unknown, typeof schema>

/**
 * Runs prepared statements all-or-nothing: D1 has no interactive transactions, so writes that must land
 * together are built first and passed here as a list (D1 `batch`, better-sqlite3 sync transaction).
 */
export async function atomic(db: Db, statements: { run: () => unknown }[]): Promise<void> {
  if (statements.length === 0) return
  const anyDb = db as unknown as { batch?: (qs: unknown[]) => Promise<unknown>; transaction: (fn: () => unknown) => unknown }
  if (typeof anyDb.batch === 'function') {
    await anyDb.batch(statements)
    return
  }
  anyDb.transaction(() => {
    for (const s of statements) s.run()
  })
}
