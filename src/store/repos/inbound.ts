/** The durable inbound log: raw payloads stored before processing, and the dedupe key that makes a retry a no-op. */
import { and, desc, eq, isNull, lt, lte, or, sql } from 'drizzle-orm'
import { insertIgnoring, prepared, runWrite, type Db } from '../db.ts'
import { inboundLog } from '../schema.ts'
import { rowsPerInsert } from '../bulk.ts'

export interface InboundRow {
  platform: string
  dedupeKey: string
  raw: string
  receivedAt: number
  /** The process that stores the row works on it until `leaseUntil` (none: any process may resume it). */
  leaseOwner?: string | null
  leaseUntil?: number | null
}

/** Stores one raw inbound payload (no lease). Returns its row id, or null when this delivery was already recorded. */
export async function recordInbound(db: Db, platform: string, dedupeKey: string, raw: string, at: number): Promise<number | null> {
  const [id] = await recordInboundMany(db, [{ platform, dedupeKey, raw, receivedAt: at }])
  return id!
}

/** Rows per statement: within D1's 100 bound values (the status default is bound too). */
export const INBOUND_BATCH = rowsPerInsert(inboundLog)

const INBOUND_COLUMNS = ['platform', 'dedupeKey', 'raw', 'receivedAt', 'leaseOwner', 'leaseUntil'] as const

const insertRows = insertIgnoring(inboundLog, INBOUND_COLUMNS, ['platform', 'dedupeKey'])

/** The `n` rows with the highest ids up to `lastId`: those one insert statement just stored (ids grow, one writer at a time). */
const newestRows = prepared((db) =>
  db
    .select({ id: inboundLog.id, platform: inboundLog.platform, dedupeKey: inboundLog.dedupeKey })
    .from(inboundLog)
    .where(lte(inboundLog.id, sql.placeholder('lastId')))
    .orderBy(desc(inboundLog.id))
    .limit(sql.placeholder('n'))
    .prepare(),
)

/**
 * Stores up to INBOUND_BATCH payloads in one statement (one commit). For each row: its new id, or null when
 * the delivery was already recorded, earlier or in this same batch (the first copy wins).
 *
 * Without RETURNING, which costs SQLite a result row per stored row (measured: 12.5 → 5.5 µs a row in batches of 30):
 * when every row was stored, one multi-row INSERT under AUTOINCREMENT gives them consecutive ids in order, ending at
 * the last insert id. When some were repeats, the rows stored are the `changes` newest up to that id.
 */
export async function recordInboundMany(db: Db, rows: InboundRow[]): Promise<(number | null)[]> {
  if (rows.length === 0) return []
  if (rows.length > INBOUND_BATCH) throw new RangeError(`at most ${INBOUND_BATCH} inbound rows per statement`)
  const { changes, lastId } = await runWrite(db, insertRows.sql(rows.length), insertRows.params(rows))
  if (changes === rows.length) return rows.map((_, i) => lastId - rows.length + 1 + i)
  if (changes === 0) return rows.map(() => null)
  const stored = await newestRows(db).all({ lastId, n: changes })
  const key = (r: { platform: string; dedupeKey: string }) => `${r.platform}\n${r.dedupeKey}`
  const ids = new Map(stored.map((r) => [key(r), r.id]))
  return rows.map((r) => {
    const id = ids.get(key(r))
    ids.delete(key(r))
    return id ?? null
  })
}

export async function markInbound(db: Db, id: number, status: 'processed' | 'failed' | 'ignored', error?: string) {
  await runWrite(db, 'update "inbound_log" set "status" = ?, "error" = ? where "id" = ?', [status, error ?? null, id])
}

/**
 * Rows stored and acknowledged but never processed whose lease has run out (the process working on them
 * stopped), oldest first: what `resume` takes over.
 */
export async function expiredInbound(db: Db, now: number, platform?: string) {
  return db
    .select({ id: inboundLog.id, platform: inboundLog.platform, raw: inboundLog.raw, receivedAt: inboundLog.receivedAt })
    .from(inboundLog)
    .where(
      and(
        eq(inboundLog.status, 'received'),
        or(isNull(inboundLog.leaseUntil), lt(inboundLog.leaseUntil, now)),
        platform === undefined ? sql`1 = 1` : eq(inboundLog.platform, platform),
      ),
    )
    .orderBy(inboundLog.id)
    .all()
}

/**
 * Takes a received row for `owner` until `until` when no live lease holds it (compare-and-set: of two
 * processes asking at once, one gets it). `evenFailed` also takes a failed row (a retry by hand).
 */
export async function claimInbound(
  db: Db,
  id: number,
  owner: string,
  now: number,
  until: number,
  opts: { evenFailed?: boolean } = {},
): Promise<boolean> {
  const taken = await (opts.evenFailed ? claimAnyRow : claimRow)(db).all({ id, owner, now, until })
  return taken.length > 0
}

// Every event is claimed once more inside its transaction: prepared, since building the update costs more than running it.
const claim = (evenFailed: boolean) =>
  prepared((db) =>
    db
      .update(inboundLog)
      .set({ leaseOwner: sql.placeholder('owner'), leaseUntil: sql.placeholder('until'), status: 'received' } as never)
      .where(
        evenFailed
          ? sql`${inboundLog.id} = ${sql.placeholder('id')} and ${inboundLog.status} in ('received', 'failed') and (${inboundLog.status} = 'failed' or ${inboundLog.leaseUntil} is null or ${inboundLog.leaseUntil} < ${sql.placeholder('now')} or ${inboundLog.leaseOwner} = ${sql.placeholder('owner')})`
          : sql`${inboundLog.id} = ${sql.placeholder('id')} and ${inboundLog.status} = 'received' and (${inboundLog.leaseUntil} is null or ${inboundLog.leaseUntil} < ${sql.placeholder('now')} or ${inboundLog.leaseOwner} = ${sql.placeholder('owner')})`,
      )
      .returning({ id: inboundLog.id })
      .prepare(),
  )
const claimRow = claim(false)
const claimAnyRow = claim(true)

export type InboundStatus = 'received' | 'processed' | 'failed' | 'ignored'

/** Rows of one status, newest first (the office's view of what went wrong). */
export async function inboundByStatus(db: Db, status: InboundStatus, limit = 50) {
  return db.select().from(inboundLog).where(eq(inboundLog.status, status)).orderBy(desc(inboundLog.id)).limit(limit).all()
}

export const inboundById = (db: Db, id: number) => db.select().from(inboundLog).where(eq(inboundLog.id, id)).get()
