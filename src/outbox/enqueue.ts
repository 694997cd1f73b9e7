/**
 * Putting messages in the durable outbox. The bot addresses our people and groups; here each recipient is
 * resolved to a platform address, once, at enqueue time, and every row gets an idempotency key: a key that
 * is already in the outbox is never queued twice, so a repeated tick or a retried webhook sends nothing new.
 */
import { inArray } from 'drizzle-orm'
import { placeholderRows, preparedBySize, rowParams, type Db } from '../store/db.ts'
import { rowsPerInsert } from '../store/bulk.ts'
import { groups, identities, outbox } from '../store/schema.ts'
import type { OutboundMessage, Platform } from '../model/index.ts'

export interface Delivery {
  /** Platforms that can send now, in order of preference for a person bound on several. */
  platforms: Platform[]
}

export type OutboxRow = typeof outbox.$inferSelect

export interface EnqueueResult {
  queued: number
  /** Recipients with no account on any enabled platform: the caller tells the office. */
  unreachable: OutboundMessage[]
}

/** Resolves and queues messages. Messages without a key get one from `fallbackKey(i)`. */
export async function enqueue(
  db: Db,
  delivery: Delivery,
  messages: OutboundMessage[],
  at: number,
  fallbackKey: (i: number) => string,
): Promise<EnqueueResult> {
  const personIds = [...new Set(messages.flatMap((m) => (m.to.kind === 'person' ? [m.to.personId] : [])))]
  const groupIds = [...new Set(messages.flatMap((m) => (m.to.kind === 'group' ? [m.to.groupId] : [])))]
  const ids = personIds.length ? await db.select().from(identities).where(inArray(identities.personId, personIds)).all() : []
  const grs = groupIds.length ? await db.select().from(groups).where(inArray(groups.id, groupIds)).all() : []

  const rows: (typeof outbox.$inferInsert)[] = []
  const unreachable: OutboundMessage[] = []
  messages.forEach((m, i) => {
    const key = m.key ?? fallbackKey(i)
    let target: { platform: Platform; address: string; addressKind: 'user' | 'chat' } | undefined
    if (m.to.kind === 'person') {
      const { personId } = m.to
      for (const p of delivery.platforms) {
        if (p === 'local') target = { platform: 'local', address: `person:${personId}`, addressKind: 'user' }
        else {
          const id = ids.find((x) => x.personId === personId && x.platform === p)
          if (id) target = { platform: p, address: id.userId, addressKind: 'user' }
        }
        if (target) break
      }
    } else if (m.to.kind === 'group') {
      const { groupId } = m.to
      const g = grs.find((x) => x.id === groupId && x.active && delivery.platforms.includes(x.platform))
      if (g) target = { platform: g.platform, address: g.platform === 'local' ? `group:${g.id}` : g.chatId, addressKind: 'chat' }
    } else {
      const { chat } = m.to
      target = { platform: chat.platform, address: chat.chatId, addressKind: chat.kind === 'group' ? 'chat' : 'user' }
    }
    if (!target) return void unreachable.push(m)
    rows.push({ key, ...target, body: m.body, status: 'pending', nextAttemptAt: at, createdAt: at })
  })
  const before = rows.length
  // Duplicate keys are dropped by the unique index: the first one queued wins, forever.
  await insertManyIgnoringDuplicates(db, rows)
  return { queued: before, unreachable }
}

const OUTBOX_COLUMNS = ['key', 'platform', 'address', 'addressKind', 'body', 'status', 'nextAttemptAt', 'createdAt'] as const
const OUTBOX_BATCH = rowsPerInsert(outbox)

// Every reply goes through here: prepared, since building the insert costs more than running it.
const insertRows = preparedBySize(OUTBOX_BATCH, (db, n) =>
  db.insert(outbox).values(placeholderRows(OUTBOX_COLUMNS, n) as never).onConflictDoNothing({ target: outbox.key }).prepare(),
)

async function insertManyIgnoringDuplicates(db: Db, rows: (typeof outbox.$inferInsert)[]) {
  for (let i = 0; i < rows.length; i += OUTBOX_BATCH) {
    // drizzle encodes placeholder values through the column (the body stays a JSON column).
    const chunk = rows.slice(i, i + OUTBOX_BATCH)
    await insertRows(db, chunk.length).run(rowParams(OUTBOX_COLUMNS, chunk as Record<(typeof OUTBOX_COLUMNS)[number], unknown>[]))
  }
}
