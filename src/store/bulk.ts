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

/** Values bound per `IN (…)` list: D1's 100 bound values less room for the query's other parameters. */
export const IN_LIST_MAX = 90

/**
 * Runs `query` over `values` in slices that fit D1's bound values and returns all rows, in slice order:
 * every `inArray` over a list that may be long goes through here.
 *
 * @example const rows = await inChunks(ids, (slice) => db.select().from(people).where(inArray(people.id, slice)).all())
 */
export async function inChunks<V, R>(values: readonly V[], query: (slice: V[]) => R[] | Promise<R[]>): Promise<R[]> {
  const out: R[] = []
  for (let i = 0; i < values.length; i += IN_LIST_MAX) out.push(...(await query(values.slice(i, i + IN_LIST_MAX))))
  return out
}
