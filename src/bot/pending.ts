/**
 * A conversation waiting for the person's next word: confirm a parsed reply, or pick one of several
 * projects. One pending action per person; it expires after 30 minutes.
 */
import type { Db } from '../store/db.ts'
import { dropPending, keepPending, pendingOf } from '../store/repos/pending.ts'
import type { CommandName } from '../model/index.ts'
import type { ReportValues } from '../services/reporting.ts'

export const PENDING_TTL_MS = 30 * 60_000

export type Pending =
  | { kind: 'confirmReport'; projectId: number; roundId: number; values: ReportValues }
  | { kind: 'chooseProject'; options: number[]; values: ReportValues; missing: string[]; roundKind: 'monthly' | 'weekly' }
  | { kind: 'choose'; command: CommandName; args: Record<string, unknown>; argName: string; options: { label: string; value: string }[] }

export async function getPending(db: Db, personId: number, now: Date): Promise<Pending | undefined> {
  return (await pendingOf(db, personId, now.getTime())) as Pending | undefined
}

export async function setPending(db: Db, personId: number, p: Pending, now: Date) {
  await keepPending(db, personId, p.kind, p, now.getTime() + PENDING_TTL_MS)
}

export async function clearPending(db: Db, personId: number) {
  await dropPending(db, personId)
}

/** "2", "第2个", "２" → 2 when within 1..n. */
export function choiceNumber(text: string, n: number): number | null {
  const m = /^\s*(?:第\s*)?([0-9０-９一二三四五六七八九])\s*(?:个|项)?\s*$/.exec(text)
  if (!m) return null
  const c = m[1]!
  const v = '一二三四五六七八九'.includes(c) ? '一二三四五六七八九'.indexOf(c) + 1 : Number(c.normalize('NFKC'))
  return v >= 1 && v <= n ? v : null
}
