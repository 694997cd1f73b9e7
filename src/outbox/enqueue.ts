/**
 * Putting messages in the durable outbox. The bot addresses our people and groups; here each recipient is
 * resolved to a platform address, once, at enqueue time, and every row gets an idempotency key: a key that
 * is already in the outbox is never queued twice, so a repeated tick or a retried webhook sends nothing new.
 */
import { and, eq, inArray, isNull, ne } from 'drizzle-orm'
import { insertIgnoring, runWrite, type Db } from '../store/db.ts'
import { inChunks, rowsPerInsert } from '../store/bulk.ts'
import { groups, identities, outbox } from '../store/schema.ts'
import type { Card, CardRefresh, MessageBody, OutboundMessage, Platform } from '../model/index.ts'

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
    const subject = m.body.kind === 'card' ? (m.body.card.subject ?? null) : null
    rows.push({ key, ...target, body: m.body, status: 'pending', nextAttemptAt: at, createdAt: at, subject })
  })
  for (const r of rows) r.updatesId ??= null
  const before = rows.length
  // Duplicate keys are dropped by the unique index: the first one queued wins, forever.
  await insertManyIgnoringDuplicates(db, rows)
  return { queued: before, unreachable }
}

const OUTBOX_COLUMNS = ['key', 'platform', 'address', 'addressKind', 'body', 'status', 'nextAttemptAt', 'createdAt', 'subject', 'updatesId'] as const
const OUTBOX_BATCH = rowsPerInsert(outbox)

// Every reply goes through here: straight to the connection (runWrite), the body stringified as its JSON column is.
const insertRows = insertIgnoring(outbox, OUTBOX_COLUMNS, ['key'])

async function insertManyIgnoringDuplicates(db: Db, rows: (typeof outbox.$inferInsert)[]) {
  for (let i = 0; i < rows.length; i += OUTBOX_BATCH) {
    const chunk = rows.slice(i, i + OUTBOX_BATCH).map((r) => ({ ...r, body: JSON.stringify(r.body) }))
    await runWrite(db, insertRows.sql(chunk.length), insertRows.params(chunk))
  }
}

/**
 * Platforms whose messages are read straight from their outbox rows (the local /chat page): a card there is
 * updated by rewriting its row, whatever the row's status, and needs no update row.
 */
const READ_FROM_OUTBOX: readonly string[] = ['local']

/**
 * Platforms whose outbox sender applies update rows (Feishu: PATCH of the message), and how old a message they
 * still update (Feishu: 14 days; an older one would only fail and alarm the office). A sender that does not know
 * update rows would post the new card as a second message, so other platforms get none: their outdated cards are
 * still refused when clicked. WeCom: 72 h, the life of the response_code a sent template card is replaced with
 * (channels/wecom/cards.ts; a card with none left is skipped, not posted again).
 */
const UPDATES_SENT: Readonly<Record<string, number>> = { feishu: 14 * 86_400_000, wecom: 72 * 3600_000 }

export interface RefreshOptions {
  /** The key of the update row for the sent card in outbox row `rowId` (keys.ts, from the event). */
  key: (rowId: number) => string
  /** The clicked card (its platform and message id): `updateCard` replaces it in the click's answer. */
  exclude?: { platform: string; messageId: string }
}

/**
 * Brings every card already queued or sent about each refreshed subject up to date, for the person it went to:
 * - a row still pending (or a local one, read from the outbox) gets the new card as its body;
 * - a row being sent or sent gets an update row (`updatesId` = that row; its platform's sender replaces the
 *   delivered message, Feishu by PATCH of its message_id) — or, when an update of it is still waiting, that
 *   one gets the new card, so one target never has two updates racing.
 * Rows that failed, and cards already showing the new card, are left alone. Returns the update rows queued.
 */
export async function refreshCards(db: Db, refresh: CardRefresh[], at: number, opts: RefreshOptions): Promise<number> {
  if (!refresh.length) return 0
  const bySubject = new Map(refresh.map((r) => [r.subject, r]))
  const cards = await db
    .select()
    .from(outbox)
    .where(and(inArray(outbox.subject, [...bySubject.keys()]), isNull(outbox.updatesId), ne(outbox.status, 'failed')))
    .orderBy(outbox.id)
    .all()
  if (!cards.length) return 0
  const persons = await personsOfAddresses(db, cards)
  // In chunks: a county's office and unit heads may hold more cards of one item than D1 binds in a statement.
  const waiting = await inChunks(
    cards.map((c) => c.id),
    (ids) =>
      db
        .select()
        .from(outbox)
        .where(and(inArray(outbox.updatesId, ids), eq(outbox.status, 'pending')))
        .orderBy(outbox.id)
        .all(),
  )
  const updates: (typeof outbox.$inferInsert)[] = []
  for (const row of cards) {
    const ex = opts.exclude
    if (
      ex &&
      row.platform === ex.platform &&
      (row.messageId === ex.messageId || (READ_FROM_OUTBOX.includes(row.platform) && String(row.id) === ex.messageId))
    )
      continue
    const card: Card = { ...bySubject.get(row.subject!)!.card(persons.get(row.id) ?? null), subject: row.subject! }
    const body: MessageBody = { kind: 'card', card }
    const latest = waiting.filter((w) => w.updatesId === row.id).at(-1)
    if (JSON.stringify((latest ?? row).body) === JSON.stringify(body)) continue
    if (row.status === 'pending' || READ_FROM_OUTBOX.includes(row.platform)) await db.update(outbox).set({ body }).where(eq(outbox.id, row.id))
    else if (latest) await db.update(outbox).set({ body }).where(eq(outbox.id, latest.id))
    else if (at - (row.sentAt ?? row.createdAt) < (UPDATES_SENT[row.platform] ?? -Infinity))
      updates.push({
        key: opts.key(row.id),
        platform: row.platform,
        address: row.address,
        addressKind: row.addressKind,
        body,
        status: 'pending',
        nextAttemptAt: at,
        createdAt: at,
        subject: null,
        updatesId: row.id,
      })
  }
  await insertManyIgnoringDuplicates(db, updates)
  return updates.length
}

/** Whose each card row is: a local `person:N`, or a platform account bound to one of our people; else null. */
async function personsOfAddresses(db: Db, rows: OutboxRow[]): Promise<Map<number, number>> {
  const out = new Map<number, number>()
  const accounts = rows.filter((r) => !READ_FROM_OUTBOX.includes(r.platform) && r.addressKind === 'user').map((r) => r.address)
  const ids = await inChunks([...new Set(accounts)], (slice) => db.select().from(identities).where(inArray(identities.userId, slice)).all())
  for (const r of rows) {
    const local = /^person:(\d+)$/.exec(r.address)
    if (r.platform === 'local') {
      if (local) out.set(r.id, Number(local[1]))
      continue
    }
    const id = ids.find((x) => x.platform === r.platform && x.userId === r.address)
    if (id) out.set(r.id, id.personId)
  }
  return out
}
