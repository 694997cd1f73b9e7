/**
 * The contract every Feishu sender keeps (the SDK-backed one on Node, the fetch one on Workers), run against
 * the fake Feishu open API over real HTTP.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { Card } from '../../../src/model/index.ts'
import { renderBody, renderCard } from '../../../src/channels/feishu/render.ts'
import type { FeishuSender } from '../../../src/channels/feishu/send.ts'
import { startFakeFeishu, type FakeFeishu, type FakeFeishuOptions } from '../../fakes/feishu.ts'

export type CreateSender = (o: { appId: string; appSecret: string; domain: string; timeoutMs?: number }) => FeishuSender

export function describeFeishuSender(name: string, create: CreateSender): void {
  describe(name, () => {
    const APP = { appId: 'cli_test', appSecret: 'secret' }
    const card: Card = {
      template: 'remind',
      colour: 'yellow',
      title: '填报提醒',
      elements: [
        { kind: 'markdown', text: '请填报 **城南污水厂** 本周进展' },
        { kind: 'actions', buttons: [{ label: '去填报', command: 'report', args: { projectId: 3 } }] },
      ],
    }
    const text = (t: string) => renderBody({ kind: 'text', text: t })

    let fake: FakeFeishu | undefined
    afterEach(async () => {
      await fake?.close()
      fake = undefined
    })

    async function setup(o: Partial<FakeFeishuOptions> = {}) {
      fake = await startFakeFeishu({ ...APP, ...o })
      const sender = create({ ...APP, domain: fake.url, timeoutMs: 5000 })
      return { fake, sender }
    }

    it('sends text to a user and a card to a chat, fetching the token once and reusing it', async () => {
      const { fake, sender } = await setup()
      const a = await sender.send({ openId: 'ou_zhang' }, text('你好'))
      const b = await sender.send({ chatId: 'oc_group' }, renderBody({ kind: 'card', card }))
      const c = await sender.send({ chatId: 'oc_group' }, text('第三条'))
      expect([a.ok, b.ok, c.ok]).toEqual([true, true, true])
      expect(fake.tokenRequests).toBe(1)
      expect(fake.sent.map((s) => [s.receiveIdType, s.receiveId, s.msgType])).toEqual([
        ['open_id', 'ou_zhang', 'text'],
        ['chat_id', 'oc_group', 'interactive'],
        ['chat_id', 'oc_group', 'text'],
      ])
      expect(fake.sent[0]!.parsed).toEqual({ text: '你好' })
      expect(fake.sent[1]!.parsed).toEqual(renderCard(card))
      expect(a.ok && a.messageId).toBe(fake.sent[0]!.messageId)
    })

    it('passes uuid so a retried send is delivered once', async () => {
      const { fake, sender } = await setup()
      const first = await sender.send({ chatId: 'oc_g' }, text('提醒'), { uuid: 'remind:7:2026-11-20' })
      const again = await sender.send({ chatId: 'oc_g' }, text('提醒'), { uuid: 'remind:7:2026-11-20' })
      expect(first).toEqual(again)
      expect(fake.sent).toHaveLength(1)
      expect(fake.sent[0]!.uuid).toBe('remind:7:2026-11-20')
      const other = await sender.send({ chatId: 'oc_g' }, text('提醒'), { uuid: 'remind:7:2026-11-21' })
      expect(other.ok && other.messageId).not.toBe(first.ok && first.messageId)
      expect(fake.sent).toHaveLength(2)
    })

    it('replies to a message and patches a card it sent', async () => {
      const { fake, sender } = await setup()
      fake.addMessage('om_user1', 'oc_g')
      const reply = await sender.reply('om_user1', text('收到'), { inThread: true })
      expect(reply.ok).toBe(true)
      expect(fake.sent[0]).toMatchObject({ kind: 'reply', replyTo: 'om_user1', chatId: 'oc_g', replyInThread: true })

      const sent = await sender.send({ chatId: 'oc_g' }, renderBody({ kind: 'card', card }))
      if (!sent.ok) throw new Error(sent.reason)
      const updated = renderCard({ ...card, colour: 'green', title: '已填报' })
      expect(await sender.patchCard(sent.messageId, updated)).toEqual({ ok: true, messageId: sent.messageId })
      expect(fake.messageContent(sent.messageId)).toEqual(updated)
      expect(fake.sent.at(-1)).toMatchObject({ kind: 'patch', messageId: sent.messageId })
    })

    it('reads the bot open_id', async () => {
      const { sender } = await setup({ botOpenId: 'ou_bot_1', botName: '调度助手' })
      expect(await sender.botInfo()).toEqual({ ok: true, openId: 'ou_bot_1', name: '调度助手' })
    })

    it('classifies the app rate limit (HTTP 429, 99991400) as retryable after x-ogw-ratelimit-reset', async () => {
      const { fake, sender } = await setup({ limits: { appPerMinute: 3 } })
      for (let i = 0; i < 3; i++) expect((await sender.send({ openId: `ou_${i}` }, text('x'))).ok).toBe(true)
      const r = await sender.send({ openId: 'ou_9' }, text('x'))
      expect(r).toMatchObject({ ok: false, retryable: true, code: 99991400 })
      if (r.ok) throw new Error('expected failure')
      // The minute window started just now: Feishu says wait ~60 s.
      expect(r.retryAfterMs).toBeGreaterThanOrEqual(59_000)
      expect(r.retryAfterMs).toBeLessThanOrEqual(60_000)
      expect(fake.requests.at(-1)).toMatchObject({ status: 429, code: 99991400 })
      expect(fake.sent).toHaveLength(3)
    })

    it('classifies the per-chat 5 QPS limit (230020) as retryable', async () => {
      const { fake, sender } = await setup()
      const results = []
      for (let i = 0; i < 6; i++) results.push(await sender.send({ chatId: 'oc_busy' }, text(`第${i}条`)))
      expect(results.slice(0, 5).every((r) => r.ok)).toBe(true)
      expect(results[5]).toMatchObject({ ok: false, retryable: true, code: 230020, retryAfterMs: 1000 })
      expect(fake.sent).toHaveLength(5)
    })

    it.each([
      ['outOfRange', 'ou_far', 230013, '可用范围'],
      ['stoppedBot', 'ou_quiet', 230053, '停用'],
      ['botNotInGroup', 'oc_other', 230002, '不在该群'],
    ] as const)('classifies %s (%s) as permanent %i with a Chinese reason', async (set, id, code, words) => {
      const { sender } = await setup({ [set]: [id] })
      const to = id.startsWith('oc_') ? { chatId: id } : { openId: id }
      const r = await sender.send(to, text('x'))
      expect(r).toMatchObject({ ok: false, retryable: false, code })
      expect(!r.ok && r.reason).toContain(words)
    })

    it('classifies an invalid card (230099) and invalid params (230001) as permanent', async () => {
      const { sender } = await setup()
      const badCard = JSON.stringify({ schema: '2.0', body: { elements: [{ tag: 'table', page_size: 50 }] } })
      expect(await sender.send({ chatId: 'oc_g' }, { msg_type: 'interactive', content: badCard })).toMatchObject({
        ok: false,
        retryable: false,
        code: 230099,
      })
      expect(await sender.send({ chatId: 'oc_g' }, { msg_type: 'text', content: '{"txt":1}' })).toMatchObject({
        ok: false,
        retryable: false,
        code: 230001,
      })
    })

    it('refetches a revoked token once and succeeds', async () => {
      const { fake, sender } = await setup()
      expect((await sender.send({ chatId: 'oc_g' }, text('1'))).ok).toBe(true)
      fake.revokeTokens()
      expect((await sender.send({ chatId: 'oc_g' }, text('2'))).ok).toBe(true)
      expect(fake.tokenRequests).toBe(2)
      expect(fake.requests.filter((r) => r.code === 99991663)).toHaveLength(1)
    })

    it('a wrong app secret is permanent', async () => {
      fake = await startFakeFeishu(APP)
      const sender = create({ appId: APP.appId, appSecret: 'wrong', domain: fake.url })
      const r = await sender.send({ chatId: 'oc_g' }, text('x'))
      expect(r).toMatchObject({ ok: false, retryable: false, code: 10014 })
      expect(!r.ok && r.reason).toContain('App Secret')
    })

    it('server errors (HTTP 5xx) and network errors are retryable', async () => {
      const { fake: server, sender } = await setup()
      server.failNext({ status: 503, msg: 'service unavailable' })
      expect(await sender.send({ chatId: 'oc_g' }, text('x'))).toMatchObject({ ok: false, retryable: true, code: 'http' })
      server.failNext({ status: 500, code: 1500, msg: 'internal' })
      expect(await sender.send({ chatId: 'oc_g' }, text('x'))).toMatchObject({ ok: false, retryable: true, code: 1500 })
      expect((await sender.send({ chatId: 'oc_g' }, text('x'))).ok).toBe(true)

      const url = server.url
      await server.close()
      fake = undefined
      const offline = create({ ...APP, domain: url, timeoutMs: 2000 })
      expect(await offline.send({ chatId: 'oc_g' }, text('x'))).toMatchObject({ ok: false, retryable: true, code: 'network' })
    })

    it('keeps tokens per sender, so two senders against two fakes do not mix tokens', async () => {
      const one = await startFakeFeishu(APP)
      const two = await startFakeFeishu(APP)
      try {
        const a = create({ ...APP, domain: one.url })
        const b = create({ ...APP, domain: two.url })
        expect((await a.send({ chatId: 'oc_1' }, text('a'))).ok).toBe(true)
        expect((await b.send({ chatId: 'oc_1' }, text('b'))).ok).toBe(true)
        expect([one.tokenRequests, two.tokenRequests]).toEqual([1, 1])
        expect([...one.requests, ...two.requests].some((r) => r.code === 99991663)).toBe(false)
      } finally {
        await one.close()
        await two.close()
      }
    })
  })
}
