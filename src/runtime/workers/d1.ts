/**
 * The D1 database of one county and the intake's unit of work on it.
 *
 * D1 has no interactive transaction (`BEGIN` fails); its all-or-nothing unit is one `batch`. So a unit of
 * work (the bot's run on one event, its outbox rows, the mark on its inbound row) runs on a second drizzle
 * handle over a recording binding: writes that return nothing (INSERT / UPDATE / DELETE without RETURNING —
 * the bot's writes, `enqueue`'s outbox rows, `refreshCards`, `markInbound`) are not sent but kept, and reads go
 * to D1. When the unit ends the kept writes go as one batch: they land together or not at all, and a unit that
 * throws sends none of them (the rollback).
 *
 * Two things cannot wait for the end, and send what is kept so far first (a flush, one batch):
 * - a read of a table a kept write touches (a turn that reads its own write back): without the flush it would
 *   read the old row; `month_figures` (triggers) and its view count as touched by a write to any table they
 *   are made from;
 * - a write whose answer is needed now (RETURNING).
 * The bot avoids both where it matters: a report's 确认 reads first and builds what it stores in code (the new
 * version, a new problem with its id from `nextId`), so it is one batch and a crash cannot store half of it.
 * A unit with a flush is then two or more batches; the last one always holds the outbox rows and the mark, so a
 * reply is never queued without its row marked, nor the row marked without its replies. `stats` says how many
 * batches each unit took (test/runtime/workers.test.ts measures the common turns).
 *
 * Units run one at a time per county and isolate (as `serialTransactions` on Node): the recording handle is
 * used only inside a unit, so no other request's statement can join its batch. Units in two isolates can choose
 * the same new id; the one whose batch comes second fails on it, and a unit that sent nothing before that batch
 * runs again (at most three times; `onUnit` hears of each run).
 */
import { drizzle } from 'drizzle-orm/d1'
import type { Db } from '../../store/db.ts'
import * as schema from '../../store/schema.ts'
import type { Transact } from '../../intake/index.ts'

/** The parts of Cloudflare's D1 binding used here (`D1Database`). */
export interface D1Binding {
  prepare(sql: string): D1Statement
  batch(statements: D1Statement[]): Promise<unknown[]>
}

export interface D1Statement {
  bind(...values: unknown[]): D1Statement
  all(): Promise<unknown>
  raw(options?: { columnNames?: boolean }): Promise<unknown[]>
  first(column?: string): Promise<unknown>
  run(): Promise<unknown>
}

export interface UnitStats {
  /** Batches the unit sent (1 for a unit that never read its own writes back; 0 when it wrote nothing). */
  batches: number
  /** Statements in those batches. */
  statements: number
  /** Why each flush before the last batch happened ('read people', 'returning problems'…). */
  flushes: string[]
}

export interface CountyDatabase {
  db: Db
  /** The intake's unit of work: the writes of `fn` in one D1 batch (see the module comment). */
  transact: Transact
}

/** What the database derives itself (month_figures by triggers, its view), and the tables it derives them from. */
const DERIVED = ['month_figures', 'month_figures_source']
const FEEDS = new Set(['projects', 'reports', 'rounds', 'reminders', 'urges', 'project_colours'])

/** A unique key the unit chose from its reads (`nextId`, a report's next version) and another isolate took first. */
const TAKEN = /UNIQUE constraint failed/i
const MAX_ATTEMPTS = 3

const WRITE = /^\s*(insert|update|delete|replace)\b/i
const RETURNING = /\breturning\b/i
const TARGET = /^\s*(?:insert\s+(?:or\s+\w+\s+)?into|replace\s+into|update(?:\s+or\s+\w+)?|delete\s+from)\s+"?([\w]+)"?/i

/** The quoted identifiers of a statement (drizzle quotes every table and column name). */
function identifiers(sql: string): Set<string> {
  const out = new Set<string>()
  for (const m of sql.matchAll(/"([^"]+)"/g)) out.add(m[1]!)
  for (const m of sql.matchAll(/\b(?:from|join|into|update)\s+([a-z_][\w]*)/gi)) out.add(m[1]!)
  return out
}

/**
 * The county's database: `db` for everything outside a unit, `transact` for the intake.
 *
 * @example
 *   const { db, transact } = openCountyDatabase(env.DB_QINSHUI)
 *   createIntake({ db, transact, … })
 */
export function openCountyDatabase(binding: D1Binding, onUnit?: (stats: UnitStats) => void): CountyDatabase {
  const db = drizzle(binding as never, { schema }) as unknown as Db
  let unit: { kept: D1Statement[]; touched: Set<string>; stats: UnitStats } | undefined

  const flush = async (why?: string) => {
    if (!unit || unit.kept.length === 0) return
    const statements = unit.kept.splice(0)
    unit.touched.clear()
    unit.stats.batches++
    unit.stats.statements += statements.length
    if (why) unit.stats.flushes.push(why)
    await binding.batch(statements)
  }

  /** Whether a statement may wait for the end of the unit; flushes first when what it reads was just written. */
  async function before(sql: string): Promise<'keep' | 'send'> {
    if (!unit) return 'send'
    if (WRITE.test(sql) && !RETURNING.test(sql)) {
      const table = TARGET.exec(sql)?.[1]
      if (table) unit.touched.add(table)
      return 'keep'
    }
    if (unit.kept.length) {
      if (WRITE.test(sql)) await flush(`returning ${TARGET.exec(sql)?.[1] ?? '?'}`)
      else {
        const ids = identifiers(sql)
        const derived = [...unit.touched].some((t) => FEEDS.has(t)) ? DERIVED : []
        const hit = [...unit.touched, ...derived].find((t) => ids.has(t))
        if (hit) await flush(`read ${hit}`)
      }
    }
    return 'send'
  }

  const kept = { success: true, results: [], meta: { changes: 0, last_row_id: 0, rows_read: 0, rows_written: 0, duration: 0 } }
  function wrap(sql: string, inner: D1Statement): D1Statement & { inner: D1Statement; sql: string } {
    const keepOr = async <T>(send: () => Promise<T>, keptAnswer: unknown): Promise<T> => {
      if ((await before(sql)) === 'keep') {
        unit!.kept.push(inner)
        return keptAnswer as T
      }
      return send()
    }
    return {
      inner,
      sql,
      bind: (...values) => wrap(sql, inner.bind(...values)),
      all: () => keepOr(() => inner.all(), kept),
      raw: (o) => keepOr(() => inner.raw(o), []),
      first: (c) => keepOr(() => inner.first(c), null),
      run: () => keepOr(() => inner.run(), kept),
    }
  }
  const recording: D1Binding = {
    prepare: (sql) => wrap(sql, binding.prepare(sql)),
    async batch(statements) {
      const wrapped = statements as (D1Statement & { inner: D1Statement; sql: string })[]
      // An `atomic()` list of plain writes joins the unit's batch; anything else goes now, after what is kept.
      if (unit && wrapped.every((s) => WRITE.test(s.sql) && !RETURNING.test(s.sql))) {
        for (const s of wrapped) await before(s.sql)
        unit.kept.push(...wrapped.map((s) => s.inner))
        return wrapped.map(() => kept)
      }
      await flush('batch with reads')
      return binding.batch(wrapped.map((s) => s.inner))
    },
  }
  const unitDb = drizzle(recording as never, { schema }) as unknown as Db

  let tail: Promise<unknown> = Promise.resolve()
  const transact: Transact = <T>(fn: (db?: Db) => Promise<T>): Promise<T> => {
    const run = tail.then(async () => {
      for (let attempt = 1; ; attempt++) {
        unit = { kept: [], touched: new Set(), stats: { batches: 0, statements: 0, flushes: [] } }
        const stats = unit.stats
        try {
          const out = await fn(unitDb)
          try {
            await flush()
          } catch (e) {
            // Another isolate took an id (or a report version) this unit read as free: when nothing of the unit
            // was sent before, it is as if it never ran, so it runs again on fresh reads.
            if (attempt < MAX_ATTEMPTS && stats.batches === 1 && TAKEN.test(String(e))) continue
            throw e
          }
          return out
        } finally {
          unit = undefined // a unit that threw: what it kept is dropped, never sent
          onUnit?.(stats)
        }
      }
    })
    tail = run.catch(() => undefined)
    return run
  }
  return { db, transact }
}
