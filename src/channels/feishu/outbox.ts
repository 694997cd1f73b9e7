/**
 * The outbox's Feishu sender: one outbox row (platform 'feishu') → one `im/v1/messages` call.
 *
 * - The MessageBody is rendered with `renderBody`; @-mentions of our people become `<at>` tags with their
 *   Feishu open_id (from the identities table), or `@名字` when they have not bound Feishu.
 * - The address is a user's open_id (`ou_…`) or a chat_id (`oc_…`, groups and direct chats alike).
 * - The outbox key is sent as Feishu's `uuid` (at most one message per uuid per hour), so a send retried
 *   after a crash or a timeout is delivered once. Keys over 50 characters are hashed (`feishuUuid`).
 * - An update row (`updatesId`: its item changed) is sent as a PATCH of the message its target row delivered
 *   (`patchCard`; our cards carry `update_multi: true`), once that row is sent; the patched message keeps its id.
 * - Results are values: `{ok: true, messageId}` or `{ok: false, retryable, retryAfterMs?, reason}`.
 *
 * Runtime-agnostic (WebCrypto for the uuid hash).
 *
 * @example
 *   await drainOutbox(db, { feishu: feishuOutboxSender(createSdkSender(opts), db) }, now, {})
 */
import { and, eq, inArray } from 'drizzle-orm'
import type { Db } from '../../store/db.ts'
import type { Card, MessageBody } from '../../model/index.ts'
import { identities, outbox } from '../../store/schema.ts'
import { renderBody, renderCard, type ResolveMention } from './render.ts'
import type { FeishuSender, FeishuTarget } from './send.ts'
import type { PlatformSender, SendOutcome } from '../../outbox/sender.ts'
import { messageOf, refusal, type SenderRow } from '../../outbox/rows.ts'

/** The outbox row fields the sender reads. */
export type FeishuOutboxRow = SenderRow

/** Feishu's limit for `uuid`. */
export const FEISHU_UUID_MAX = 50

const PRINTABLE_ASCII = /^[\x21-\x7e]*$/

/**
 * The Feishu `uuid` for an outbox key: the key itself when it is ≤ 50 printable ASCII characters,
 * otherwise a readable 25-character prefix, `~`, and 24 hex digits of SHA-256 over the whole key
 * (deterministic, so a retry sends the same uuid).
 *
 * @example await feishuUuid('in:feishu:ev_1:0') // 'in:feishu:ev_1:0'
 */
export async function feishuUuid(key: string): Promise<string> {
  if (key.length <= FEISHU_UUID_MAX && PRINTABLE_ASCII.test(key)) return key
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(key)))
  let hex = ''
  for (const b of digest.subarray(0, 12)) hex += b.toString(16).padStart(2, '0')
  const prefix = Array.from(key)
    .slice(0, 25)
    .map((ch) => (PRINTABLE_ASCII.test(ch) && ch !== '~' ? ch : '_'))
    .join('')
  return `${prefix}~${hex}`
}

/** Where a row goes: chats (and direct chats, which we address by their oc_ chat_id) by chat_id, users by open_id. */
export function targetOfRow(row: Pick<FeishuOutboxRow, 'address' | 'addressKind'>): FeishuTarget {
  if (row.addressKind === 'chat' || row.address.startsWith('oc_')) return { chatId: row.address }
  return { openId: row.address }
}

/** Our person ids mentioned in message bodies (text mentions and card `mentions` elements). */
export function mentionedPersonIds(bodies: MessageBody[]): number[] {
  const ids = new Set<number>()
  for (const b of bodies) {
    if (b.kind === 'text') for (const m of b.mentions ?? []) ids.add(m.personId)
    else for (const id of cardMentions(b.card)) ids.add(id)
  }
  return [...ids]
}

function cardMentions(card: Card): number[] {
  return card.elements.flatMap((e) => (e.kind === 'mentions' ? e.people.map((p) => p.personId) : []))
}

/** A synchronous personId → open_id lookup for the people mentioned in `bodies` (one query). */
export async function mentionResolver(db: Db, bodies: MessageBody[]): Promise<ResolveMention> {
  const ids = mentionedPersonIds(bodies)
  if (ids.length === 0) return () => undefined
  const rows = await db
    .select({ personId: identities.personId, userId: identities.userId })
    .from(identities)
    .where(and(eq(identities.platform, 'feishu'), inArray(identities.personId, ids)))
    .all()
  const map = new Map(rows.map((r) => [r.personId, r.userId]))
  return (personId) => map.get(personId)
}

/**
 * The outbox's PlatformSender for 'feishu' over any FeishuSender (the SDK one on Node, a fetch one
 * elsewhere). A row that cannot be rendered fails permanently; Feishu's own errors keep their
 * retryable / permanent classification (send.ts).
 */
export function feishuOutboxSender(sender: FeishuSender, db: Db): PlatformSender & { send(row: FeishuOutboxRow): Promise<SendOutcome> } {
  return {
    async send(row: FeishuOutboxRow): Promise<SendOutcome> {
      if (row.platform !== 'feishu') return { ok: false, retryable: false, reason: `不是飞书消息（${row.platform}）` }
      const body = messageOf(row)
      if (!body) return { ok: false, retryable: false, reason: '消息内容格式无效，无法发送' }
      if (row.updatesId != null) return patch(row.updatesId, body)
      let content
      try {
        content = renderBody(body, { resolveMention: await mentionResolver(db, [body]) })
      } catch (e) {
        return { ok: false, retryable: false, reason: `消息无法生成飞书格式（${e instanceof Error ? e.message : String(e)}）` }
      }
      return outcome(await sender.send(targetOfRow(row), content, { uuid: await feishuUuid(row.key) }))
    },
  }

  /** The card of an update row onto the message its target row delivered. */
  async function patch(targetId: number, body: MessageBody): Promise<SendOutcome> {
    if (body.kind !== 'card') return { ok: false, retryable: false, reason: '只能更新卡片消息' }
    const target = await db.select({ status: outbox.status, messageId: outbox.messageId }).from(outbox).where(eq(outbox.id, targetId)).get()
    if (!target || target.status === 'failed') return { ok: false, retryable: false, reason: '原卡片没有发出，无需更新' }
    // Queued behind its card (claimed after it, in id order): retried with the usual backoff. No retryAfterMs:
    // that would read as a rate limit and pause the whole app.
    if (target.status !== 'sent' || !target.messageId) return { ok: false, retryable: true, reason: '原卡片尚未发出，稍后更新' }
    let card
    try {
      card = renderCard(body.card, { resolveMention: await mentionResolver(db, [body]) })
    } catch (e) {
      return { ok: false, retryable: false, reason: `卡片无法生成飞书格式（${e instanceof Error ? e.message : String(e)}）` }
    }
    const r = outcome(await sender.patchCard(target.messageId, card as unknown as Record<string, unknown>))
    // The message keeps its id; the update row records which one it changed.
    return r.ok ? { ok: true, messageId: target.messageId } : r
  }

  function outcome(r: Awaited<ReturnType<FeishuSender['send']>>): SendOutcome {
    return r.ok ? { ok: true, messageId: r.messageId } : refusal(r)
  }
}
