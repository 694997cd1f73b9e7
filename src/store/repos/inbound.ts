/** The durable inbound log: raw payloads stored before processing, and the dedupe key that makes a retry a no-op. */
import { eq } from 'drizzle-orm'
import type { Db } from '../db.ts'
import { inboundLog } from '../schema.ts'

/** Stores a raw inbound payload. Returns its row id, or null when this delivery was already recorded. */
export async function recordInbound(db: Db, platform: string, dedupeKey: string, raw: string, at: number): Promise<number | null> {
  const rows = await db
    .insert(inboundLog)
    .values({ platform, dedupeKey, raw, receivedAt: at })
    .onConflictDoNothing({ target: [inboundLog.platform, inboundLog.dedupeKey] })
    .returning({ id: inboundLog.id })
  return rows[0]?.id ?? null
}

export async function markInbound(db: Db, id: number, status: 'processed' | 'failed' | 'ignored', error?: string) {
  await db.update(inboundLog).set({ status, error: error ?? null }).where(eq(inboundLog.id, id))
}
