/**
 * The Node-only database driver: better-sqlite3 with WAL and foreign keys, migrations from ./drizzle applied
 * at open. Everything else talks to the `Db` type and never imports this file's dependencies.
 */
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import * as schema from '../../store/schema.ts'
import type { Db } from '../../store/db.ts'
import type { Transact } from '../../intake/index.ts'

const MIGRATIONS = fileURLToPath(new URL('../../../drizzle', import.meta.url))

export interface NodeDatabase {
  db: Db
  /** The raw connection, for benches and the few statements drizzle cannot express. */
  sqlite: Database.Database
  schemaVersion: number
  /** Runs `fn` in one transaction (the intake's unit of work): its writes land together or not at all. */
  transact: Transact
  close(): void
}

/** Opens (creating if needed) the SQLite file and applies pending migrations. ':memory:' works for tests. */
export function openNodeDatabase(path: string): NodeDatabase {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const sqlite = new Database(path)
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('busy_timeout = 5000')
  sqlite.pragma('synchronous = NORMAL')
  cacheStatements(sqlite)
  const db = drizzle({ client: sqlite, schema })
  migrate(db, { migrationsFolder: MIGRATIONS })
  const row = sqlite.prepare('select count(*) as n from __drizzle_migrations').get() as { n: number }
  return { db: db as unknown as Db, sqlite, schemaVersion: row.n, transact: serialTransactions(sqlite), close: () => sqlite.close() }
}

/**
 * Transactions over one better-sqlite3 connection, one at a time. Every statement here completes
 * synchronously, so a unit of work that awaits nothing but statements runs start to end without another
 * macrotask in between: nothing else of the process can put a statement into its transaction. A unit that
 * awaits real I/O would share its transaction with whatever ran meanwhile, so that is refused (rolled back).
 */
export function serialTransactions(sqlite: Database.Database): Transact {
  let tail: Promise<unknown> = Promise.resolve()
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(async () => {
      sqlite.exec('BEGIN IMMEDIATE')
      let crossed = false
      const watch = setImmediate(() => (crossed = true))
      try {
        const out = await fn()
        if (crossed) throw new Error('a unit of work awaited I/O inside its transaction (rolled back)')
        sqlite.exec('COMMIT')
        return out
      } catch (e) {
        if (sqlite.inTransaction) sqlite.exec('ROLLBACK')
        throw e
      } finally {
        clearImmediate(watch)
      }
    })
    tail = run.catch(() => undefined)
    return run
  }
}

/**
 * drizzle prepares every statement anew on each query; preparing is most of the cost of a small query, so keep
 * the statements by SQL text. drizzle may have switched a reused statement to raw (array) rows: switch it back.
 * Queries whose text varies (IN lists) stop being cached past a bound rather than growing the map forever.
 */
function cacheStatements(sqlite: Database.Database, max = 1000) {
  const prepare = sqlite.prepare.bind(sqlite)
  const cache = new Map<string, Database.Statement>()
  sqlite.prepare = ((source: string) => {
    const cached = cache.get(source)
    if (cached) {
      if (cached.reader) cached.raw(false)
      return cached
    }
    const statement = prepare(source)
    if (cache.size < max) cache.set(source, statement)
    return statement
  }) as typeof sqlite.prepare
}
