/**
 * The Node-only database driver: better-sqlite3 with WAL and foreign keys, migrations from ./drizzle applied
 * at open. Everything else talks to the `Db` type and never imports this file's dependencies.
 */
import { mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
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

export interface OpenOptions {
  /**
   * Checkpoint the WAL from a thread of its own (`backgroundCheckpoints`) instead of in the commit that crosses
   * SQLite's 1,000-page mark: npm start, whose commits are the webhooks' acknowledgements.
   */
  backgroundCheckpoint?: boolean
  /** An in-memory database made from this image (`sqlite.serialize()` of another): the tests' copy of a loaded county. */
  image?: Buffer
}

/** Opens (creating if needed) the SQLite file and applies pending migrations. ':memory:' works for tests. */
export function openNodeDatabase(path: string, opts: OpenOptions = {}): NodeDatabase {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const sqlite = opts.image ? new Database(opts.image) : new Database(path)
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('busy_timeout = 5000')
  sqlite.pragma('synchronous = NORMAL')
  cacheStatements(sqlite)
  const db = drizzle({ client: sqlite, schema })
  migrate(db, { migrationsFolder: MIGRATIONS })
  const row = sqlite.prepare('select count(*) as n from __drizzle_migrations').get() as { n: number }
  const checkpoints = opts.backgroundCheckpoint && path !== ':memory:' ? backgroundCheckpoints(path) : undefined
  if (checkpoints) sqlite.pragma('wal_autocheckpoint = 0')
  return {
    db: db as unknown as Db,
    sqlite,
    schemaVersion: row.n,
    transact: serialTransactions(sqlite),
    close: () => {
      checkpoints?.stop()
      sqlite.close()
    },
  }
}

const DRIVER = createRequire(import.meta.url).resolve('better-sqlite3')

/**
 * WAL checkpoints on a connection of their own in a worker thread, every `everyMs`. By default SQLite
 * checkpoints inside the commit that takes the WAL past 1,000 pages: that commit copies ~4 MB into the
 * database file and syncs it, on the thread that commits — under npm start the thread answering webhooks,
 * every few hundred events (measured: the inserts' mean 177 µs instead of 213, the worst 68 ms instead of
 * 396, on a loaded machine). A PASSIVE checkpoint takes no writer's lock, so the commits go on meanwhile; the WAL
 * restarts from its beginning once one has copied everything and a commit follows. Under writes that never
 * pause it could not, so past 2,000 pages (8 MB) the worker asks for a RESTART, which waits for the writer and
 * holds the next one back while it copies the last frames: the WAL stays a few MB. The worker is unref'd (it
 * keeps no process alive) and stopped with the database; on a crash the WAL is simply still there, as ever.
 */
export function backgroundCheckpoints(path: string, everyMs = 250): { stop(): void } {
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.driver)
const db = new Database(workerData.path)
db.pragma('busy_timeout = 1000')
const checkpoint = () => {
  try {
    const [done] = db.pragma('wal_checkpoint(PASSIVE)')
    if (done.log > workerData.restartPages) db.pragma('wal_checkpoint(RESTART)')
  } catch {}
}
const timer = setInterval(checkpoint, workerData.everyMs)
parentPort.on('message', () => { clearInterval(timer); db.close(); parentPort.close() })`,
    { eval: true, workerData: { driver: DRIVER, path, everyMs, restartPages: 2000 } },
  )
  worker.unref()
  return { stop: () => worker.postMessage('stop') }
}

/**
 * Transactions over one better-sqlite3 connection, with group commit. Every statement here completes
 * synchronously, so a unit of work that awaits nothing but statements runs start to end without another
 * macrotask in between: nothing else of the process can put a statement into its transaction. A unit that
 * awaits real I/O would share its transaction with whatever ran meanwhile, so that is refused (rolled back).
 *
 * Units asked for in the same event-loop turn (the intake starts the bot runs it has waiting together) share
 * one BEGIN … COMMIT, each inside its own SAVEPOINT: a unit that throws is rolled back to its savepoint alone
 * and rejects; the others keep their writes. One commit then writes the pages they share (the outbox's and
 * the inbound log's last leaves and indexes) once for the group instead of once per unit. No unit's promise
 * settles before the COMMIT, so nothing acts on a result that is not yet durable, and whatever runs after a
 * unit (marking a failed row) runs outside the transaction. When the COMMIT fails, or SQLite rolled the whole
 * transaction back (a full disk), every unit of the group rejects.
 */
export function serialTransactions(sqlite: Database.Database, opts: { maxGroup?: number } = {}): Transact {
  const maxGroup = opts.maxGroup ?? 64
  interface Unit {
    fn: () => Promise<unknown>
    resolve: (v: unknown) => void
    reject: (e: unknown) => void
  }
  let waiting: Unit[] = []
  let tail: Promise<void> = Promise.resolve()
  // Prepared once: exec() parses its SQL on every call, and a group runs two of these per unit.
  const statement = (text: string) => {
    const s = sqlite.prepare(text)
    return () => void s.run()
  }
  const begin = statement('BEGIN IMMEDIATE')
  const commit = statement('COMMIT')
  const savepoint = statement('SAVEPOINT unit')
  const release = statement('RELEASE unit')
  const rollbackUnit = statement('ROLLBACK TO unit')

  async function runGroup(units: Unit[]): Promise<void> {
    try {
      begin()
    } catch (e) {
      for (const u of units) u.reject(e)
      return
    }
    let crossed = false
    const watch = setImmediate(() => (crossed = true))
    const alone = units.length === 1
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = []
    let lost: unknown // why the whole transaction is gone
    try {
      for (const u of units) {
        if (!alone) savepoint()
        try {
          const value = await u.fn()
          if (crossed) throw new Error('a unit of work awaited I/O inside its transaction (rolled back)')
          if (!alone) release()
          outcomes.push({ ok: true, value })
        } catch (error) {
          outcomes.push({ ok: false, error })
          // Alone, the unit is the transaction. After real I/O other work may have written into the transaction:
          // none of it can be kept apart.
          if (alone || crossed || !sqlite.inTransaction) {
            lost = error
            break
          }
          rollbackUnit()
          release()
        }
      }
      if (lost === undefined) commit()
    } catch (e) {
      lost = e
    } finally {
      clearImmediate(watch)
    }
    if (lost !== undefined) {
      try {
        if (sqlite.inTransaction) sqlite.exec('ROLLBACK')
      } catch {
        // the connection is gone: its transaction with it
      }
      units.forEach((u, i) => {
        const o = outcomes[i]
        u.reject(o && !o.ok ? o.error : lost)
      })
      return
    }
    units.forEach((u, i) => {
      const o = outcomes[i]!
      if (o.ok) u.resolve(o.value)
      else u.reject(o.error)
    })
  }

  return <T>(fn: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (waiting.length === 0) {
        // Start after the turn that asked: the units asked for in it join this group.
        setImmediate(() => {
          const all = waiting
          waiting = []
          for (let i = 0; i < all.length; i += maxGroup) {
            const group = all.slice(i, i + maxGroup)
            tail = tail.then(() => runGroup(group)).catch((e: unknown) => group.forEach((u) => u.reject(e)))
          }
        })
      }
      waiting.push({ fn, resolve: resolve as (v: unknown) => void, reject })
    })
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
