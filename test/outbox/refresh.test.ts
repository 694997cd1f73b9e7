/**
 * refreshCards on its own: what happens to each earlier card of an item when it changes, by where the card is
 * (queued, being sent, sent; Feishu, local, a platform that cannot update cards).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { harness } from '../harness.ts'
import { refreshCards } from '../../src/outbox/enqueue.ts'
import { cardUpdateKey } from '../../src/outbox/keys.ts'
import { outbox } from '../../src/store/schema.ts'
import type { Card, MessageBody } from '../../src/model/index.ts'

let h: Awaited<ReturnType<typeof harness>>
beforeEach(async () => {
  h = await harness()
})
afterEach(() => h.close())

const card = (title: string): Card => ({ template: 'problem', colour: 'orange', title, subject: 'problem:7', elements: [] })
const at = Date.UTC(2026, 10, 26, 2)

async function row(
  key: string,
  platform: string,
  status: 'pending' | 'sending' | 'sent' | 'failed',
  extra: Partial<typeof outbox.$inferInsert> = {},
) {
  const [r] = await h.db
    .insert(outbox)
    .values({
      key,
      platform,
      address: platform === 'local' ? 'person:1' : 'ou_x',
      addressKind: 'user',
      body: { kind: 'card', card: card('旧') },
      status,
      nextAttemptAt: at,
      createdAt: at,
      subject: 'problem:7',
      ...(status === 'sent' && { messageId: `om_${key}` }),
      ...extra,
    })
    .returning()
  return r!
}
const bodyOf = async (id: number) =>
  ((await h.db.select().from(outbox).where(eq(outbox.id, id)).get())!.body as MessageBody & { kind: 'card' }).card.title

describe('refreshCards', () => {
  it('rewrites queued and local cards, queues one update per sent Feishu card, none for platforms that cannot update, failed ones or Feishu cards past 14 days', async () => {
    const pending = await row('a', 'feishu', 'pending')
    const local = await row('b', 'local', 'sent')
    const sent = await row('c', 'feishu', 'sent')
    const sending = await row('d', 'feishu', 'sending')
    // WeCom updates a sent card within the 72 h of its response_code (channels/wecom/cards.ts): this one is older.
    const wecom = await row('e', 'wecom', 'sent', { sentAt: at - 73 * 3600_000 })
    const failed = await row('f', 'feishu', 'failed')
    const other = await row('g', 'feishu', 'sent', { subject: 'problem:8' })
    const old = await row('h', 'feishu', 'sent', { sentAt: at - 15 * 86_400_000 })
    const ev = { platform: 'local', id: 'ev1' }
    const n = await refreshCards(h.db, [{ subject: 'problem:7', card: () => card('新') }], at, { key: (id) => cardUpdateKey(ev.platform, ev.id, id) })
    expect(n).toBe(2)
    expect(await bodyOf(pending.id)).toBe('新')
    expect(await bodyOf(local.id)).toBe('新')
    expect(await bodyOf(sent.id)).toBe('旧')
    const updates = await h.db
      .select()
      .from(outbox)
      .where(eq(outbox.key, cardUpdateKey('local', 'ev1', sent.id)))
      .all()
    expect(updates).toMatchObject([{ updatesId: sent.id, status: 'pending', subject: null }])
    expect(await h.db.select().from(outbox).where(eq(outbox.updatesId, sending.id)).all()).toHaveLength(1)
    // A Feishu card older than 14 days cannot be patched: left as it is (its buttons still refuse when stale).
    for (const r of [wecom, failed, other, old]) {
      expect(await bodyOf(r.id)).toBe('旧')
      expect(await h.db.select().from(outbox).where(eq(outbox.updatesId, r.id)).all()).toHaveLength(0)
    }

    // A second change before the update went out: the waiting update gets the newer card, no second row races it.
    expect(
      await refreshCards(h.db, [{ subject: 'problem:7', card: () => card('更新') }], at, { key: (id) => cardUpdateKey('local', 'ev2', id) }),
    ).toBe(0)
    expect(await bodyOf(updates[0]!.id)).toBe('更新')
    expect(await h.db.select().from(outbox).where(eq(outbox.updatesId, sent.id)).all()).toHaveLength(1)
    // The same card again: nothing to do.
    expect(
      await refreshCards(h.db, [{ subject: 'problem:7', card: () => card('更新') }], at, { key: (id) => cardUpdateKey('local', 'ev3', id) }),
    ).toBe(0)
    // The clicked card is left to the click's answer.
    await refreshCards(h.db, [{ subject: 'problem:7', card: () => card('再次') }], at, {
      key: (id) => cardUpdateKey('local', 'ev4', id),
      exclude: { platform: 'local', messageId: String(local.id) },
    })
    expect(await bodyOf(local.id)).toBe('更新')
    expect(await bodyOf(pending.id)).toBe('再次')
  })
})
