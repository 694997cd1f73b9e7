import type { SQLiteTable } from 'drizzle-orm/sqlite-core'
import type { Db } from './db.ts'

/**
 * Inserts many rows in chunks small enough for D1's 100 bound parameters per statement (and fast on
 * better-sqlite3, where one multi-row insert beats a loop of single inserts).
 */
export async function insertMany<T extends SQLiteTable>(db: Db, table: T, rows: T['$inferInsert'][], maxParams = 99) {
  if (rows.length === 0) return
  const columns = Object.keys(rows[0] as object).length || 1
  const size = Math.max(1, Math.floor(maxParams / columns))
  for (let i = 0; i < rows.length; i += size) {
    await db.insert(table).values(rows.slice(i, i + size) as never)
  }
}
