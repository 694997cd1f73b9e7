/** The durable inbound log: raw payloads stored before processing, and the dedupe key that makes a retry a no-op. */
import { eq } from 'drizzle-orm'
import type { Db } from '../db.ts'
import { inboundLog } from '../schema.ts'

/** Stores a raw inbound payload. Returns its row id, or null when this delivery was already recorded. */
export async function recordInbound(db: Db, platform: string, dedupeKey: string, raw: string, at: number): Promise<number | null> {
  const [id] = await recordInboundMany(db, [{ platform, dedupeKey, raw, receivedAt: at }])
  return id!
}

export interface InboundRow {
  platform: string
  dedupeKey: string
  raw: string
  receivedAt: number
}

/** Rows per statement: four bound values each, under D1's 100 per statement. */
export const INBOUND_BATCH = 24

/**
 * Stores up to INBOUND_BATCH payloads in one statement (one commit). For each row: its new id, or null when
 * the delivery was already recorded, earlier or in this same batch (the first copy wins).
 */
export async function recordInboundMany(db: Db, rows: InboundRow[]): Promise<(number | null)[]> {
  if (rows.length === 0) return []
  if (rows.length > INBOUND_BATCH) throw new RangeError(`at most ${INBOUND_BATCH} inbound rows per statement`)
  const stored = await db
    .insert(inboundLog)
    .values(rows)
    .onConflictDoNothing({ target: [inboundLog.platform, inboundLog.dedupeKey] })
    .returning({ id: inboundLog.id, platform: inboundLog.platform, dedupeKey: inboundLog.dedupeKey })
  const key = (r: { platform: string; dedupeKey: string }) => `${r.platform}\n${r.dedupeKey}`
  const ids = new Map(stored.map((r) => [key(r), r.id]))
  return rows.map((r) => {
    const id = ids.get(key(r))
    ids.delete(key(r))
    return id ?? null
  })
}

export async function markInbound(db: Db, id: number, status: 'processed' | 'failed' | 'ignored', error?: string) {
  await db.update(inboundLog).set({ status, error: error ?? null }).where(eq(inboundLog.id, id))
}
