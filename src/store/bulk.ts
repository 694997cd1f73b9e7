import { getTableColumns } from 'drizzle-orm'
import type { SQLiteTable } from 'drizzle-orm/sqlite-core'
import type { Db } from './db.ts'

/** D1 refuses a statement that binds more than 100 values. */
const MAX_BOUND_PARAMETERS = 100

/**
 * How many rows of `table` one INSERT may carry under D1's 100 bound values. drizzle binds a value for every
 * column a row sets and for every column with a JS default, so a row binds at most the table's column count:
 * counting the keys a row sets undercounts, and D1 then refuses the statement.
 */
export function rowsPerInsert(table: SQLiteTable): number {
  return Math.max(1, Math.floor(MAX_BOUND_PARAMETERS / Object.keys(getTableColumns(table)).length))
}

/**
 * Inserts many rows in chunks small enough for D1 (see `rowsPerInsert`), and fast on better-sqlite3, where one
 * multi-row insert beats a loop of single inserts.
 */
export async function insertMany<T extends SQLiteTable>(db: Db, table: T, rows: T['$inferInsert'][]) {
  if (rows.length === 0) return
  const size = rowsPerInsert(table)
  for (let i = 0; i < rows.length; i += size) {
    await db.insert(table).values(rows.slice(i, i + size) as never)
  }
}
