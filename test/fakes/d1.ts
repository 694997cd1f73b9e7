/**
 * A fake of Cloudflare D1's binding (`D1Database`) over a real better-sqlite3 connection, for running the
 * runtime-agnostic core on drizzle's D1 driver without Workers: what `drizzle-orm/d1` calls (`prepare`,
 * `bind`, `all`, `raw`, `first`, `run`, `batch`) behaves as documented, including what differs from
 * better-sqlite3 — everything is async, `bind` returns a new statement, booleans bind as 1/0, `all()` works on
 * statements that return no rows, `batch()` is one all-or-nothing transaction, and a statement may bind at
 * most 100 parameters ("Maximum bound parameters per query: 100", D1 limits).
 */
import type Database from 'better-sqlite3'

export const D1_MAX_BOUND_PARAMETERS = 100

type Value = string | number | bigint | Uint8Array | null

interface D1Result<T = unknown> {
  results: T[]
  success: true
  meta: { changes: number; last_row_id: number; rows_read: number; rows_written: number; duration: number }
}

export interface FakeD1 {
  prepare(sql: string): FakeD1Statement
  batch(statements: FakeD1Statement[]): Promise<D1Result[]>
  exec(sql: string): Promise<{ count: number; duration: number }>
  /** Statements run so far (batches count each statement). */
  statements: number
  /** The largest number of parameters any statement bound. */
  maxBound: number
}

export interface FakeD1Statement {
  bind(...values: unknown[]): FakeD1Statement
  all<T = Record<string, unknown>>(): Promise<D1Result<T>>
  raw<T = unknown[]>(options?: { columnNames?: boolean }): Promise<T[]>
  first<T = Record<string, unknown>>(column?: string): Promise<T | null>
  run(): Promise<D1Result>
}

export function fakeD1(sqlite: Database.Database): FakeD1 {
  const d1: FakeD1 = {
    statements: 0,
    maxBound: 0,
    prepare: (sql) => statement(sql, []),
    async batch(statements) {
      return sqlite.transaction(() => statements.map((s) => (s as Stmt).execute()))()
    },
    async exec(sql) {
      sqlite.exec(sql)
      return { count: 1, duration: 0 }
    },
  }

  interface Stmt extends FakeD1Statement {
    execute(): D1Result
  }

  function statement(sql: string, params: Value[]): Stmt {
    const prepared = () => sqlite.prepare(sql)
    const execute = (): D1Result => {
      d1.statements += 1
      const s = prepared()
      if (s.reader) {
        const results = s.all(...params) as unknown[]
        return { results, success: true, meta: { changes: 0, last_row_id: 0, rows_read: results.length, rows_written: 0, duration: 0 } }
      }
      const r = s.run(...params)
      return {
        results: [],
        success: true,
        meta: { changes: r.changes, last_row_id: Number(r.lastInsertRowid), rows_read: 0, rows_written: r.changes, duration: 0 },
      }
    }
    return {
      execute,
      bind(...values) {
        if (values.length > D1_MAX_BOUND_PARAMETERS) {
          throw new Error(`D1_ERROR: too many SQL variables: ${values.length} bound, at most ${D1_MAX_BOUND_PARAMETERS} (SQLITE_ERROR)`)
        }
        d1.maxBound = Math.max(d1.maxBound, values.length)
        return statement(sql, values.map(toD1Value))
      },
      async all<T>() {
        return execute() as D1Result<T>
      },
      async raw<T>(options?: { columnNames?: boolean }) {
        d1.statements += 1
        const s = prepared()
        if (!s.reader) {
          s.run(...params)
          return [] as T[]
        }
        const rows = s.raw(true).all(...params) as T[]
        s.raw(false)
        return options?.columnNames ? [s.columns().map((c) => c.name) as T, ...rows] : rows
      },
      async first<T>(column?: string) {
        const [row] = execute().results as Record<string, unknown>[]
        if (!row) return null
        return (column === undefined ? row : row[column]) as T
      },
      async run() {
        return execute()
      },
    }
  }
  return d1
}

/** D1 binds JS values the way Workers do: booleans as 1/0, undefined refused. */
function toD1Value(v: unknown): Value {
  if (typeof v === 'boolean') return v ? 1 : 0
  if (v === undefined) throw new Error("D1_TYPE_ERROR: Type 'undefined' not supported for value 'undefined'")
  return v as Value
}
