/**
 * Our WeCom client and the outbox sender against the fake API on loopback: the token (single-flight, refetched
 * once on 40014/42001), what each answer means (rate limit, configuration, permanent), long texts, duplicate
 * task ids, and rows this part does not send yet.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createWecomClient, classifyWecomError, RESPONSE_CODE_INVALID, type WecomClient } from '../../../src/channels/wecom/send.ts'
import { taskIdOfKey, wecomOutboxSender } from '../../../src/channels/wecom/outbox.ts'
import { RATE_LIMIT_CODES } from '../../../src/outbox/limits.ts'
import type { MessageBody } from '../../../src/model/index.ts'
import { startFakeWecom, type FakeWecom } from '../../fakes/wecom.ts'

const CORP = 'ww_send_test'
const SECRET = 'send-secret'
const AGENT = 1000002

let fake: FakeWecom
let client: WecomClient

beforeEach(async () => {
  fake = await startFakeWecom({ corpId: CORP, secret: SECRET, agentId: AGENT, invisible: ['outsider'], perMemberPerMinute: 30 })
  client = createWecomClient({ corpId: CORP, secret: SECRET, agentId: AGENT, apiBase: fake.url })
})

afterEach(async () => {
  await fake.close()
})

const text = (content: string) => ({ msgtype: 'text' as const, text: { content } })
const row = (body: MessageBody, over: Record<string, unknown> = {}) => ({
  platform: 'wecom',
  address: 'zhangsan',
  addressKind: 'user' as const,
  body,
  key: 'in:wecom:msg:1:0',
  ...over,
})

describe('the client', () => {
  it('fetches one token for many concurrent sends and reuses it', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => client.send(`u${i}`, text('你好'))))
    expect(results.every((r) => r.ok)).toBe(true)
    expect(fake.tokenRequests).toBe(1)
    expect(client.tokenFetches).toBe(1)
    await client.send('u9', text('again'))
    expect(fake.tokenRequests).toBe(1)
    expect(fake.sent.map((s) => s.body.agentid)).toEqual(Array(9).fill(AGENT))
  })

  it('drops a revoked (40014) or expired (42001) token, refetches once and retries once', async () => {
    await client.send('a', text('1'))
    fake.revokeTokens()
    expect((await client.send('a', text('2'))).ok).toBe(true)
    fake.expireTokens()
    expect((await client.send('a', text('3'))).ok).toBe(true)
    expect(fake.tokenRequests).toBe(3)
    expect(fake.requests.map((r) => r.errcode).filter(Boolean)).toEqual([40014, 42001])
    // Refused twice in a row: one retry only, then a retryable failure for the outbox's backoff.
    fake.failNext(42001, 'expired', 2)
    const r = await client.send('a', text('4'))
    expect(r).toMatchObject({ ok: false, retryable: true, code: 42001 })
  })

  it('a wrong secret is a configuration error naming WECOM_SECRET', async () => {
    const bad = createWecomClient({ corpId: CORP, secret: 'wrong', agentId: AGENT, apiBase: fake.url })
    const r = await bad.send('a', text('x'))
    expect(r).toMatchObject({ ok: false, retryable: false, config: true, code: 40001 })
    expect(!r.ok && r.reason).toContain('WECOM_SECRET')
  })

  it('60020 (caller IP not trusted) says what to configure; 45009/45033 are rate limits; 81013 is permanent', async () => {
    fake.failNext(60020, 'not allow to access from your ip')
    const ip = await client.send('a', text('x'))
    expect(ip).toMatchObject({ ok: false, retryable: false, config: true, code: 60020 })
    expect(!ip.ok && ip.reason).toContain('企业可信IP')
    fake.failNext(45033, 'api concurrent out of limit')
    expect(await client.send('a', text('x'))).toMatchObject({ ok: false, retryable: true, retryAfterMs: 2000, code: 45033 })
    expect(await client.send('outsider', text('x'))).toMatchObject({ ok: false, retryable: false, code: 81013 })
    expect(RATE_LIMIT_CODES.wecom?.[45009]).toBeDefined()
    expect(RATE_LIMIT_CODES.wecom?.[45033]).toBeDefined()
  })

  it('the per-member limit answers 45009, retried after a minute', async () => {
    const small = await startFakeWecom({ corpId: CORP, secret: SECRET, agentId: AGENT, perMemberPerMinute: 2 })
    const c = createWecomClient({ corpId: CORP, secret: SECRET, agentId: AGENT, apiBase: small.url })
    await c.send('a', text('1'))
    await c.send('a', text('2'))
    expect(await c.send('a', text('3'))).toMatchObject({ ok: false, retryable: true, retryAfterMs: 60_000, code: 45009 })
    expect((await c.send('b', text('3'))).ok).toBe(true)
    await small.close()
  })

  it('network trouble is retryable', async () => {
    const down = createWecomClient({ corpId: CORP, secret: SECRET, agentId: AGENT, apiBase: 'http://127.0.0.1:1', timeoutMs: 2000 })
    expect(await down.send('a', text('x'))).toMatchObject({ ok: false, retryable: true, code: 'network' })
    expect(classifyWecomError({ status: 502 })).toMatchObject({ retryable: true, code: 'http' })
    expect(classifyWecomError({ errcode: -1, errmsg: 'system busy' })).toMatchObject({ retryable: true, code: -1 })
  })

  it("update_template_card takes a send's response_code once", async () => {
    const sent = await client.send('a', {
      msgtype: 'template_card',
      template_card: {
        card_type: 'button_interaction',
        task_id: 'dd_t1',
        main_title: { title: '卡片' },
        button_list: [{ type: 0, text: '已阅', style: 1, key: '{"cmd":"ack"}' }],
      },
    })
    expect(sent.ok && sent.responseCode).toBeTruthy()
    const code = sent.ok ? sent.responseCode! : ''
    expect((await client.updateTemplateCard(['a'], code, { button: { replace_name: '已处理' } })).ok).toBe(true)
    // A second use is 60140 无效的response_code (doc /90313), permanent: the card stays as the first update left it.
    const again = await client.updateTemplateCard(['a'], code, { button: { replace_name: '已处理' } })
    expect(again).toMatchObject({ ok: false, retryable: false, code: RESPONSE_CODE_INVALID })
    expect(RESPONSE_CODE_INVALID).toBe(60140)
    expect(fake.updates).toHaveLength(1)
  })
})

describe('the outbox sender', () => {
  it('sends a long text as parts of at most 2,048 bytes', async () => {
    const sender = wecomOutboxSender(client)
    const long = Array.from({ length: 200 }, (_, i) => `第${i + 1}行：城关镇重点项目调度情况`).join('\n')
    const r = await sender.send(row({ kind: 'text', text: long }))
    expect(r.ok).toBe(true)
    const parts = fake.sent.map((s) => (s.body.text as { content: string }).content)
    expect(parts.length).toBeGreaterThan(1)
    expect(parts.every((p) => Buffer.byteLength(p) <= 2048)).toBe(true)
    expect(parts.join('\n')).toBe(long)
  })

  it('a card retried after WeCom took it (42014, duplicate task_id) counts as delivered', async () => {
    const sender = wecomOutboxSender(client)
    const card: MessageBody = {
      kind: 'card',
      card: { template: 't', colour: 'blue', title: '督办', elements: [{ kind: 'actions', buttons: [{ label: '已阅', command: 'ack' }] }] },
    }
    const first = await sender.send(row(card))
    const again = await sender.send(row(card))
    expect(first).toEqual({ ok: true, messageId: taskIdOfKey('in:wecom:msg:1:0') })
    expect(again).toEqual(first)
    expect(fake.sent).toHaveLength(1)
  })

  it('passes a configuration error on as such (the outbox pauses WeCom instead of failing the row)', async () => {
    fake.failNext(60020, 'not allow to access from your ip')
    const r = await wecomOutboxSender(client).send(row({ kind: 'text', text: 'x' }))
    expect(r).toMatchObject({ ok: false, retryable: false, config: true, code: 60020 })
  })

  it('a 应用群聊 the app created gets its board as markdown; one it did not create is refused', async () => {
    const made = await client.createAppChat({ name: '重点项目调度群', owner: 'zhangsan', userlist: ['zhangsan', 'lisi'], chatid: 'ddboard1' })
    expect(made).toEqual({ ok: true, chatid: 'ddboard1' })
    const sender = wecomOutboxSender(client)
    const card: MessageBody = {
      kind: 'card',
      card: {
        template: 'leaderboard',
        colour: 'purple',
        title: '赛马比拼',
        elements: [{ kind: 'actions', buttons: [{ label: '查看', command: 'board' }] }],
      },
    }
    expect(await sender.send(row(card, { addressKind: 'chat', address: 'ddboard1' }))).toMatchObject({ ok: true })
    expect(fake.appChatSent.map((s) => s.msgtype)).toEqual(['markdown'])
    expect(JSON.stringify(fake.appChatSent[0]!.body)).toContain('赛马比拼')
    expect(await sender.send(row(card, { addressKind: 'chat', address: 'nochat' }))).toMatchObject({ ok: false, retryable: false, code: 86003 })
  })

  it('refuses rows it cannot send: card updates without a code, other platforms, bad bodies', async () => {
    const sender = wecomOutboxSender(client)
    expect(await sender.send(row({ kind: 'text', text: 'x' }, { updatesId: 3 }))).toMatchObject({ ok: false, retryable: false })
    expect(await sender.send(row({ kind: 'text', text: 'x' }, { platform: 'feishu' }))).toMatchObject({ ok: false, retryable: false })
    expect(await sender.send(row({ kind: 'nope' } as unknown as MessageBody))).toMatchObject({ ok: false, retryable: false })
    expect(fake.sent).toEqual([])
  })
})
