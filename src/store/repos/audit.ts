/** The audit trail: who changed what, with the row before and after. */
import type { Db } from '../db.ts'
import { auditLog } from '../schema.ts'

export async function recordAudit(db: Db, entry: typeof auditLog.$inferInsert): Promise<void> {
  await db.insert(auditLog).values(entry)
}
