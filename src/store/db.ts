/**
 * The database handle shared by both runtimes. Repositories always `await` query builders, which works for
 * better-sqlite3 (synchronous underneath) and D1 alike; nothing here may use the sync-only `.all()/.get()`.
 */
import { getTableColumns, getTableName } from 'drizzle-orm'
import type { BaseSQLiteDatabase, SQLiteTable } from 'drizzle-orm/sqlite-core'
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

/**
 * A query built once per database and reused: drizzle spends ~15 µs building the SQL of every query, more
 * than SQLite takes to run a small one, so the queries every webhook runs are prepared with placeholders.
 *
 * @example
 *   const byKey = prepared((db) => db.select().from(settings).where(eq(settings.key, sql.placeholder('key'))).prepare())
 *   await byKey(db).get({ key: 'rules' })
 */
export function prepared<Q>(build: (db: Db) => Q): (db: Db) => Q {
  const cache = new WeakMap<Db, Q>()
  return (db) => {
    let query = cache.get(db)
    if (query === undefined) {
      query = build(db)
      cache.set(db, query)
    }
    return query
  }
}

/**
 * How many rows an INSERT stored and the last id it gave, from either driver's run result (better-sqlite3:
 * `changes`, `lastInsertRowid`; D1: `meta.changes`, `meta.last_row_id`).
 */
export function insertedRows(result: unknown): { changes: number; lastId: number } {
  const r = result as { changes?: number; lastInsertRowid?: number | bigint; meta?: { changes?: number; last_row_id?: number } }
  if (r.meta) return { changes: r.meta.changes ?? 0, lastId: r.meta.last_row_id ?? 0 }
  return { changes: r.changes ?? 0, lastId: Number(r.lastInsertRowid ?? 0) }
}

/** The connection beneath drizzle: better-sqlite3's Database or D1's binding (the unit's recording one inside `transact`). */
interface Connection {
  prepare(text: string): { run(...params: unknown[]): unknown; bind(...params: unknown[]): { run(): Promise<unknown> } }
  batch?: unknown
}

/**
 * Runs one write with positional `?` parameters on the connection beneath drizzle. For the two inserts every
 * webhook makes (its inbound row, its reply): drizzle's placeholder filling checks and maps every bound value
 * through its column, about as much CPU as SQLite takes to store the row. Values go as given: JSON columns
 * stringified by the caller.
 */
export async function runWrite(db: Db, text: string, params: readonly unknown[]): Promise<{ changes: number; lastId: number }> {
  const connection = (db as unknown as { $client?: Connection }).$client
  if (!connection) throw new TypeError('runWrite needs a database handle made by drizzle() (it has $client)')
  if (connection.batch)
    return insertedRows(
      await connection
        .prepare(text)
        .bind(...params)
        .run(),
    )
  return insertedRows(connection.prepare(text).run(...params))
}

/**
 * `insert into "t" ("a", "b") values (?, ?), (?, ?) on conflict ("a") do nothing` for `rows` rows of `columns`
 * (property names of `table`), and their parameters in that order (`runWrite`): a column a row leaves out is
 * bound as NULL (no drizzle default is applied, so list only columns every row sets or may leave empty).
 */
export function insertIgnoring<T extends SQLiteTable, K extends keyof T['$inferInsert'] & string>(
  table: T,
  columns: readonly K[],
  conflict: readonly K[],
): { sql(rows: number): string; params(rows: readonly Partial<Record<K, unknown>>[]): unknown[] } {
  const byKey = getTableColumns(table)
  const name = (k: K) => `"${byKey[k]!.name}"`
  const row = `(${columns.map(() => '?').join(', ')})`
  const head = `insert into "${getTableName(table)}" (${columns.map(name).join(', ')}) values `
  const tail = ` on conflict (${conflict.map(name).join(', ')}) do nothing`
  const texts = new Map<number, string>()
  return {
    sql(rows) {
      let text = texts.get(rows)
      if (text === undefined) texts.set(rows, (text = head + Array.from({ length: rows }, () => row).join(', ') + tail))
      return text
    },
    params(rows) {
      const out: unknown[] = []
      for (const r of rows) for (const c of columns) out.push(r[c] ?? null)
      return out
    },
  }
}
