/**
 * The database handle shared by both runtimes. Repositories always `await` query builders, which works for
 * better-sqlite3 (synchronous underneath) and D1 alike; nothing here may use the sync-only `.all()/.get()`.
 */
import { sql } from 'drizzle-orm'
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
 * `prepared` for multi-row inserts: one query per row count up to `max`, each built on first use. Rows bind
 * as named parameters `${column}${i}` (see `rowParams`).
 */
export function preparedBySize<Q>(max: number, build: (db: Db, rows: number) => Q): (db: Db, rows: number) => Q {
  const sizes = Array.from({ length: max + 1 }, (_, n) => prepared((db) => build(db, n)))
  return (db, rows) => {
    const query = sizes[rows]
    if (!query || rows === 0) throw new RangeError(`between 1 and ${max} rows per statement, not ${rows}`)
    return query(db)
  }
}

/** Placeholder rows for a prepared insert of `n` rows: `{ key: sql.placeholder('key0'), … }`. */
export function placeholderRows<K extends string>(columns: readonly K[], n: number): Record<K, ReturnType<typeof sql.placeholder>>[] {
  return Array.from(
    { length: n },
    (_, i) => Object.fromEntries(columns.map((c) => [c, sql.placeholder(`${c}${i}`)])) as Record<K, ReturnType<typeof sql.placeholder>>,
  )
}

/** The named parameters for `placeholderRows`. */
export function rowParams<K extends string>(columns: readonly K[], rows: readonly Record<K, unknown>[]): Record<string, unknown> {
  const params: Record<string, unknown> = {}
  rows.forEach((r, i) => {
    for (const c of columns) params[`${c}${i}`] = r[c]
  })
  return params
}
