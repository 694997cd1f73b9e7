/**
 * Refreshing sent WeCom cards (cards.ts, outbox.ts) against the fake API on loopback: a card queued and sent
 * through the outbox keeps the response_code message/send answered; when its item changes by another route
 * (refreshCards, what the intake runs after a turn) the card is replaced once with that code; a second change
 * finds no code left and is skipped — nothing sent, no failure, no notice to the office; a code WeCom refuses
 * (60140) is skipped the same way; a card older than the code's 72 h gets no update row at all.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { eq, isNotNull } from 'drizzle-orm'
import { openNodeDatabase, type NodeDatabase } from '../../../src/runtime/node/sqlite.ts'
import { createWecomClient } from '../../../src/channels/wecom/send.ts'
import { OUTDATED_LABEL, SKIPPED_PREFIX, wecomOutboxSender } from '../../../src/channels/wecom/outbox.ts'
import { RESPONSE_CODE_TTL_MS } from '../../../src/channels/wecom/cards.ts'
import { enqueue, refreshCards } from '../../../src/outbox/enqueue.ts'
import { drainOutbox } from '../../../src/outbox/sender.ts'
import { outbox, wecomCardCodes } from '../../../src/store/schema.ts'
import { shanghaiTime } from '../../../src/domain/time.ts'
import type { Card } from '../../../src/model/index.ts'
import { startFakeWecom, type FakeWecom } from '../../fakes/wecom.ts'

const CORP = 'ww_cards_test'
const SECRET = 'cards-secret'
const AGENT = 1000007
const SUBJECT = 'problem:7'

let database: NodeDatabase
let fake: FakeWecom
let at = shanghaiTime(2026, 11, 26, 10).getTime()

const card = (title: string, buttons = true): Card => ({
  template: 'problem',
  colour: 'orange',
  title,
  subject: SUBJECT,
  elements: [
    { kind: 'fields', fields: [{ label: '状态', value: title }] },
    ...(buttons ? [{ kind: 'actions' as const, buttons: [{ label: '交办', command: 'assign' }] }] : []),
  ],
})

beforeEach(async () => {
  at = shanghaiTime(2026, 11, 26, 10).getTime()
  database = openNodeDatabase(':memory:')
  fake = await startFakeWecom({ corpId: CORP, secret: SECRET, agentId: AGENT, now: () => at })
})

afterEach(async () => {
  await fake.close()
  database.close()
})

const sender = () =>
  wecomOutboxSender(createWecomClient({ corpId: CORP, secret: SECRET, agentId: AGENT, apiBase: fake.url, now: () => at }), database.db, () => at)
const drain = () => drainOutbox(database.db, { wecom: sender() }, new Date(at), { notifyOffice: true })
let turn = 0
const refresh = (next: Card) =>
  refreshCards(database.db, [{ subject: SUBJECT, card: () => next }], at, { key: (rowId) => `upd:${(turn += 1)}:${rowId}` })

async function sendCard() {
  await enqueue(
    database.db,
    { platforms: ['wecom'] },
    [{ to: { kind: 'chat', chat: { platform: 'wecom', chatId: 'zhangsan', kind: 'direct' } }, body: { kind: 'card', card: card('新问题待交办') } }],
    at,
    () => 'push:1',
  )
  await drain()
  const sent = fake.sent.at(-1)!
  expect(sent.msgtype).toBe('template_card')
  return sent
}

describe('refreshing sent WeCom cards', () => {
  it("replaces a sent card once with its send's response_code, then skips: nothing sent, nothing failed", async () => {
    const sent = await sendCard()
    const taskId = (sent.body.template_card as { task_id: string }).task_id
    expect(await database.db.select().from(wecomCardCodes).all()).toEqual([
      { code: sent.responseCode, taskId, userId: 'zhangsan', issuedAt: at, spentAt: null },
    ])

    at += 3600_000
    expect(await refresh(card('已交办 县能源局'))).toBe(1)
    await drain()
    expect(fake.updates).toHaveLength(1)
    expect(fake.updates[0]!.body).toMatchObject({ response_code: sent.responseCode, userids: ['zhangsan'], agentid: AGENT })
    expect((fake.cards.get(taskId)!.get('zhangsan') as { main_title: { title: string } }).main_title.title).toBe('已交办 县能源局')

    // The second change: no code left. The card stays as the first refresh left it; the row is settled.
    at += 3600_000
    expect(await refresh(card('办理中'))).toBe(1)
    await drain()
    expect(fake.updates).toHaveLength(1)
    const rows = await database.db.select().from(outbox).where(isNotNull(outbox.updatesId)).all()
    expect(rows.map((r) => [r.status, r.messageId])).toEqual([
      ['sent', taskId],
      ['sent', `${SKIPPED_PREFIX}${taskId}`],
    ])
    // Nothing failed, so the office was told nothing.
    expect(await database.db.select().from(outbox).where(eq(outbox.status, 'failed')).all()).toEqual([])
    expect((await database.db.select().from(outbox).all()).length).toBe(3)
  })

  it('a state without buttons greys the old ones out; a code WeCom refuses (60140) is skipped the same way', async () => {
    const sent = await sendCard()
    const taskId = (sent.body.template_card as { task_id: string }).task_id
    fake.failNext(60140, 'invalid response_code')
    await refresh(card('已办结', false))
    await drain()
    expect(fake.updates).toHaveLength(0)
    const [row] = await database.db.select().from(outbox).where(isNotNull(outbox.updatesId)).all()
    expect(row).toMatchObject({ status: 'sent', messageId: `${SKIPPED_PREFIX}${taskId}` })

    // Another card of the item, sent later, is greyed out with its own code.
    await enqueue(
      database.db,
      { platforms: ['wecom'] },
      [{ to: { kind: 'chat', chat: { platform: 'wecom', chatId: 'lisi', kind: 'direct' } }, body: { kind: 'card', card: card('新问题待交办') } }],
      at,
      () => 'push:2',
    )
    await drain()
    at += 60_000
    await refresh(card('已销号', false))
    await drain()
    expect(fake.updates.map((u) => u.body)).toEqual([expect.objectContaining({ userids: ['lisi'], button: { replace_name: OUTDATED_LABEL } })])
  })

  it('a card older than 72 h gets no update row: its code can no longer be used', async () => {
    await sendCard()
    at += RESPONSE_CODE_TTL_MS + 60_000
    expect(await refresh(card('已交办'))).toBe(0)
    await drain()
    expect(fake.updates).toHaveLength(0)
  })
})
