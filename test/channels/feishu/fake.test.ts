/**
 * The fake Feishu open API behaves like the documented one (so tests that use it mean something).
 * Plain fetch, no SDK.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { renderBody } from '../../../src/channels/feishu/render.ts'
import { startFakeFeishu, type FakeFeishu, type FakeFeishuOptions } from '../../fakes/feishu.ts'

const APP = { appId: 'cli_test', appSecret: 'secret' }
let fake: FakeFeishu | undefined
afterEach(async () => {
  await fake?.close()
  fake = undefined
})

async function start(o: Partial<FakeFeishuOptions> = {}) {
  fake = await startFakeFeishu({ ...APP, ...o })
  return fake
}

async function call(f: FakeFeishu, method: string, path: string, body?: unknown, token?: string) {
  const res = await fetch(f.url + path, {
    method,
    headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  })
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, any> }
}

async function token(f: FakeFeishu, secret = APP.appSecret) {
  return call(f, 'POST', '/open-apis/auth/v3/tenant_access_token/internal', { app_id: APP.appId, app_secret: secret })
}

const textMsg = (receive_id: string, extra: Record<string, unknown> = {}) => ({
  receive_id,
  msg_type: 'text',
  content: JSON.stringify({ text: 'hi' }),
  ...extra,
})

describe('fake Feishu: tokens', () => {
  it('issues a 2 h token, reuses it while ≥ 30 min remain, then mints a new one', async () => {
    let now = 1_000_000
    const f = await start({ now: () => now })
    const a = await token(f)
    expect(a.body).toMatchObject({ code: 0, expire: 7200 })
    expect(a.body.tenant_access_token).toMatch(/^t-/)
    now += 60 * 60_000
    const b = await token(f)
    expect(b.body.tenant_access_token).toBe(a.body.tenant_access_token)
    expect(b.body.expire).toBe(3600)
    now += 45 * 60_000
    const c = await token(f)
    expect(c.body.tenant_access_token).not.toBe(a.body.tenant_access_token)
    expect([f.tokenRequests, f.tokensIssued]).toEqual([3, 2])
  })

  it('refuses a wrong secret (10014) and a missing or invalid token (99991661 / 99991663)', async () => {
    const f = await start()
    expect((await token(f, 'nope')).body.code).toBe(10014)
    expect((await call(f, 'POST', '/open-apis/im/v1/messages?receive_id_type=chat_id', textMsg('oc_1'))).body.code).toBe(99991661)
    const bad = await call(f, 'POST', '/open-apis/im/v1/messages?receive_id_type=chat_id', textMsg('oc_1'), 't-forged')
    expect(bad.body.code).toBe(99991663)
    expect(f.sent).toHaveLength(0)
  })

  it('expires tokens after their lifetime', async () => {
    let now = 0
    const f = await start({ now: () => now, tokenTtlSeconds: 60 })
    const t = (await token(f)).body.tenant_access_token as string
    expect((await call(f, 'GET', '/open-apis/bot/v3/info', undefined, t)).body.code).toBe(0)
    now += 61_000
    expect((await call(f, 'GET', '/open-apis/bot/v3/info', undefined, t)).body.code).toBe(99991663)
  })
})

describe('fake Feishu: messages', () => {
  it('validates receive_id_type, msg_type and that content is a JSON string', async () => {
    const f = await start()
    const t = (await token(f)).body.tenant_access_token as string
    const send = (q: string, body: unknown) => call(f, 'POST', `/open-apis/im/v1/messages${q}`, body, t)
    expect((await send('', textMsg('oc_1'))).body.code).toBe(230001)
    expect((await send('?receive_id_type=phone', textMsg('oc_1'))).body.code).toBe(230001)
    expect((await send('?receive_id_type=chat_id', textMsg('oc_1', { msg_type: 'markdown' }))).body.code).toBe(230001)
    expect((await send('?receive_id_type=chat_id', textMsg('oc_1', { content: { text: 'hi' } }))).body.code).toBe(230001)
    expect((await send('?receive_id_type=chat_id', textMsg('oc_1', { content: 'hi' }))).body.code).toBe(230001)
    const ok = await send('?receive_id_type=chat_id', textMsg('oc_1'))
    expect(ok.status).toBe(200)
    expect(ok.body).toMatchObject({ code: 0, data: { chat_id: 'oc_1', msg_type: 'text' } })
    expect(ok.body.data.message_id).toMatch(/^om_/)
  })

  it('runs validateCard on cards (230099) and limits size (230025)', async () => {
    const f = await start()
    const t = (await token(f)).body.tenant_access_token as string
    const send = (body: unknown) => call(f, 'POST', '/open-apis/im/v1/messages?receive_id_type=chat_id', body, t)
    const badCard = { schema: '2.0', body: { elements: [{ tag: 'form', name: 'f', elements: [] }] } }
    const r = await send({ receive_id: 'oc_1', msg_type: 'interactive', content: JSON.stringify(badCard) })
    expect(r.status).toBe(400)
    expect(r.body.code).toBe(230099)
    expect(r.body.msg).toContain('submit')
    const huge = { schema: '2.0', body: { elements: [{ tag: 'markdown', content: 'x'.repeat(40_000) }] } }
    expect((await send({ receive_id: 'oc_1', msg_type: 'interactive', content: JSON.stringify(huge) })).body.code).toBe(230025)
    const card = renderBody({ kind: 'card', card: { template: 't', colour: 'blue', title: 't', elements: [{ kind: 'divider' }] } })
    expect((await send({ receive_id: 'oc_1', ...card })).body.code).toBe(0)
  })

  it('dedupes uuid for one hour, then sends again', async () => {
    let now = 0
    const f = await start({ now: () => now, tokenTtlSeconds: 7200 * 2 })
    const t = (await token(f)).body.tenant_access_token as string
    const send = () => call(f, 'POST', '/open-apis/im/v1/messages?receive_id_type=open_id', textMsg('ou_1', { uuid: 'k1' }), t)
    const a = await send()
    now += 59 * 60_000
    const b = await send()
    expect(b.body.data.message_id).toBe(a.body.data.message_id)
    expect(f.sent).toHaveLength(1)
    now += 2 * 60_000
    const c = await send()
    expect(c.body.data.message_id).not.toBe(a.body.data.message_id)
    expect(f.sent).toHaveLength(2)
  })

  it('answers the app limit with HTTP 429, 99991400 and x-ogw-ratelimit-reset; the window slides', async () => {
    let now = 10_000
    const f = await start({ now: () => now, limits: { appPerSecond: 3 } })
    const t = (await token(f)).body.tenant_access_token as string
    const send = (id: string) => call(f, 'POST', '/open-apis/im/v1/messages?receive_id_type=open_id', textMsg(id), t)
    for (const id of ['ou_1', 'ou_2', 'ou_3']) expect((await send(id)).status).toBe(200)
    const limited = await send('ou_4')
    expect(limited.status).toBe(429)
    expect(limited.body).toEqual({ code: 99991400, msg: 'request trigger frequency limit' })
    expect(limited.headers.get('x-ogw-ratelimit-reset')).toBe('1')
    expect(limited.headers.get('x-ogw-ratelimit-limit')).toBe('3')
    now += 1001
    expect((await send('ou_4')).status).toBe(200)
    expect(f.sent).toHaveLength(4)
  })

  it('limits each receiver to 5 per second with HTTP 400 + 230020', async () => {
    let now = 0
    const f = await start({ now: () => now })
    const t = (await token(f)).body.tenant_access_token as string
    const send = (id: string) => call(f, 'POST', '/open-apis/im/v1/messages?receive_id_type=chat_id', textMsg(id), t)
    for (let i = 0; i < 5; i++) expect((await send('oc_a')).body.code).toBe(0)
    const r = await send('oc_a')
    expect([r.status, r.body.code]).toEqual([400, 230020])
    expect((await send('oc_b')).body.code).toBe(0)
    now += 1000
    expect((await send('oc_a')).body.code).toBe(0)
  })

  it('limits card PATCH to 5 per second per message and refuses to patch non-cards', async () => {
    const f = await start()
    const t = (await token(f)).body.tenant_access_token as string
    const card = renderBody({ kind: 'card', card: { template: 't', colour: 'blue', title: 'v1', elements: [] } })
    const sent = await call(f, 'POST', '/open-apis/im/v1/messages?receive_id_type=chat_id', { receive_id: 'oc_1', ...card }, t)
    const id = sent.body.data.message_id as string
    const patch = (mid: string) => call(f, 'PATCH', `/open-apis/im/v1/messages/${mid}`, { content: card.content }, t)
    for (let i = 0; i < 5; i++) expect((await patch(id)).body.code).toBe(0)
    expect((await patch(id)).body.code).toBe(230020)
    const txt = await call(f, 'POST', '/open-apis/im/v1/messages?receive_id_type=chat_id', textMsg('oc_1'), t)
    expect((await patch(txt.body.data.message_id)).body.code).toBe(230001)
    expect((await patch('om_unknown')).body.code).toBe(230001)
  })

  it('refuses receivers outside the range, chats without the bot and users who stopped it', async () => {
    const f = await start({ outOfRange: ['ou_far'], botNotInGroup: ['oc_x'], stoppedBot: ['ou_q'] })
    const t = (await token(f)).body.tenant_access_token as string
    const send = (type: string, id: string) => call(f, 'POST', `/open-apis/im/v1/messages?receive_id_type=${type}`, textMsg(id), t)
    expect((await send('open_id', 'ou_far')).body.code).toBe(230013)
    expect((await send('chat_id', 'oc_x')).body.code).toBe(230002)
    expect((await send('open_id', 'ou_q')).body.code).toBe(230053)
    f.outOfRange.delete('ou_far')
    expect((await send('open_id', 'ou_far')).body.code).toBe(0)
  })

  it('records timestamps and serves bot info', async () => {
    const f = await start({ now: () => 42, botOpenId: 'ou_me' })
    const t = (await token(f)).body.tenant_access_token as string
    await call(f, 'POST', '/open-apis/im/v1/messages?receive_id_type=chat_id', textMsg('oc_1'), t)
    expect(f.sent[0]).toMatchObject({ at: 42, kind: 'send', chatId: 'oc_1', msgType: 'text' })
    const info = await call(f, 'GET', '/open-apis/bot/v3/info', undefined, t)
    expect(info.body).toMatchObject({ code: 0, bot: { open_id: 'ou_me' } })
  })
})
