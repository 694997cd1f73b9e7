/**
 * The WeCom callback routes through the real Hono app, real SQLite with the demo county and the real bot:
 * the official vectors A, B (XML) and C (JSON) of research/wecom.md §2 — URL verification and POST —, a
 * payload whose padding is above 16, and what forged, foreign, stale, truncated, oversized, malformed or
 * repeated callbacks do (401/413/400, nothing stored).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { openNodeDatabase, type NodeDatabase } from '../../../src/runtime/node/sqlite.ts'
import { loadDemoCounty } from '../../../src/demo/county.ts'
import { shanghaiTime } from '../../../src/domain/time.ts'
import { createApp } from '../../../src/http/app.ts'
import { silentLogger } from '../../../src/log.ts'
import { inboundLog, outbox, people } from '../../../src/store/schema.ts'
import { bindIdentity } from '../../../src/store/repos/directory.ts'
import { wecomKeys } from '../../../src/channels/wecom/crypto.ts'
import {
  createWecomReceiver,
  MAX_BODY_BYTES,
  WECOM_CALLBACK_PATH,
  wecomDecoder,
  wecomRoutes,
  type WecomReceiver,
} from '../../../src/channels/wecom/routes.ts'
import { nodeWecomAes } from '../../../src/runtime/node/wecom.ts'
import type { MessageBody } from '../../../src/model/index.ts'
import { callbackRequest, cardClickXml, enterAgentXml, textXml, verificationQuery, type WecomApp } from '../../fakes/wecom.ts'
import { A, B, C, envelopeA, envelopeB, envelopeC } from './vectors.ts'

let database: NodeDatabase
let receiver: WecomReceiver
let app: ReturnType<typeof createApp>
let now: Date

const OUR: WecomApp = { corpId: 'ww_county_test', agentId: 1000002, token: 'T0ken4Test', aesKey: 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ' }

function mount(v: { token: string; aesKey: string; corpId: string }, at: Date, o: { agentId?: string; maxAgeSeconds?: number; aes?: 'node' } = {}) {
  now = at
  receiver = createWecomReceiver({ db: database.db, logger: silentLogger, now: () => now })
  app = createApp({ db: database.db, schemaVersion: 1, logger: silentLogger, now: () => now, channels: [] })
  app.route(
    '/',
    wecomRoutes({
      db: database.db,
      logger: silentLogger,
      now: () => now,
      receiver,
      secrets: {
        token: v.token,
        keys: wecomKeys(v.aesKey),
        corpId: v.corpId,
        maxAgeSeconds: o.maxAgeSeconds ?? 300,
        ...(o.agentId && { agentId: o.agentId }),
        ...(o.aes && { aes: nodeWecomAes }),
      },
    }),
  )
}

const atSeconds = (ts: string) => new Date((Number(ts) + 5) * 1000)
/** Our own app's callbacks are made at a fixed time (Thursday 26 November 2026, 10:00 in Shanghai), never the wall clock. */
const AT = shanghaiTime(2026, 11, 26, 10)
const seconds = () => String(Math.floor(now.getTime() / 1000))
const signedAt = (app: WecomApp, plain: string, o: Parameters<typeof callbackRequest>[2] = {}) =>
  callbackRequest(app, plain, { timestamp: seconds(), ...o })
const textAt = (app: WecomApp, user: string, text: string) => textXml(app, user, text, { createTime: Number(seconds()) })

beforeEach(async () => {
  database = openNodeDatabase(':memory:')
  await loadDemoCounty(database.db, shanghaiTime(2026, 11, 22, 10))
})

afterEach(async () => {
  await receiver?.idle()
  database.close()
})

async function get(query: string) {
  const res = await app.request(`${WECOM_CALLBACK_PATH}?${query}`)
  return { status: res.status, text: await res.text() }
}

async function post(query: string, body: string, contentType = 'text/xml') {
  const res = await app.request(`${WECOM_CALLBACK_PATH}?${query}`, { method: 'POST', headers: { 'content-type': contentType }, body })
  const text = await res.text()
  await receiver.idle()
  return { status: res.status, text }
}

const inbound = async () => await database.db.select().from(inboundLog).all()
const queued = async () => await database.db.select().from(outbox).orderBy(outbox.id).all()
const postQuery = (p: { signature: string; timestamp: string; nonce: string }) =>
  `msg_signature=${p.signature}&timestamp=${p.timestamp}&nonce=${p.nonce}`

describe('URL verification (GET)', () => {
  it('answers vector A with the bare plaintext, as sent on the wire', async () => {
    mount(A, atSeconds(A.verify.timestamp))
    expect(await get(A.verify.query)).toEqual({ status: 200, text: A.verify.reply })
  })

  it('survives a raw + in echostr (Hono reads it as a space)', async () => {
    mount(A, atSeconds(A.verify.timestamp))
    const raw = `msg_signature=${A.verify.signature}&timestamp=${A.verify.timestamp}&nonce=${A.verify.nonce}&echostr=${A.verify.echostr.replace(/\//g, '%2F').replace(/=/g, '%3D')}`
    expect(raw).toContain('+')
    expect(await get(raw)).toEqual({ status: 200, text: A.verify.reply })
  })

  it('answers vector B (another corp and key)', async () => {
    mount(B, atSeconds(B.verify.timestamp), { aes: 'node' })
    const q = new URLSearchParams({
      msg_signature: B.verify.signature,
      timestamp: B.verify.timestamp,
      nonce: B.verify.nonce,
      echostr: B.verify.echostr,
    })
    expect(await get(q.toString())).toEqual({ status: 200, text: B.verify.reply })
  })

  it('refuses a forged signature, a missing echostr and another corp with 401', async () => {
    mount(A, atSeconds(A.verify.timestamp))
    expect((await get(A.verify.query.replace('5c45ff', '5c45fe'))).status).toBe(401)
    expect((await get(`msg_signature=${A.verify.signature}&timestamp=1&nonce=2`)).status).toBe(401)
    mount({ ...A, corpId: 'ww_not_this_corp' }, atSeconds(A.verify.timestamp))
    expect((await get(A.verify.query)).status).toBe(401)
  })

  it('answers what the console sends for our own app', async () => {
    mount(OUR, AT)
    expect(await get(await verificationQuery(OUR, '8675309123456789', { timestamp: seconds() }))).toEqual({ status: 200, text: '8675309123456789' })
  })
})

describe('callbacks (POST)', () => {
  it("vector A (XML, pad 30 — above WebCrypto's 16): stored under its MsgId, answered 200 empty, the bot replies", async () => {
    mount(A, atSeconds(A.post.timestamp))
    expect(await post(postQuery(A.post), envelopeA)).toEqual({ status: 200, text: '' })
    const rows = await inbound()
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ platform: 'wecom', dedupeKey: 'msg:4561255354251345929', status: 'processed' })
    expect(JSON.parse(rows[0]!.raw).fields).toMatchObject({ FromUserName: 'mycreate', Content: 'hello', MsgId: '4561255354251345929' })
    // mycreate is nobody of ours: the bot asks them to bind, in the direct chat.
    const out = await queued()
    expect(out).toHaveLength(1)
    expect(out[0]).toMatchObject({ platform: 'wecom', address: 'mycreate', addressKind: 'user' })
    expect((out[0]!.body as MessageBody).kind).toBe('text')
    expect(JSON.stringify(out[0]!.body)).toContain('绑定')
  })

  it('a repeated delivery is stored and answered once', async () => {
    mount(A, atSeconds(A.post.timestamp))
    await post(postQuery(A.post), envelopeA)
    expect(await post(postQuery(A.post), envelopeA)).toEqual({ status: 200, text: '' })
    expect(await inbound()).toHaveLength(1)
    expect(await queued()).toHaveLength(1)
  })

  it('vector B (bare XML values, Chinese text) with node:crypto AES', async () => {
    mount(B, atSeconds(B.post.timestamp), { aes: 'node', agentId: '1000002' })
    expect((await post(postQuery(B.post), envelopeB)).status).toBe(200)
    const [row] = await inbound()
    expect(row).toMatchObject({ dedupeKey: 'msg:1456453720', status: 'processed' })
    const event = await wecomDecoder(row!.raw, new Date(row!.receivedAt))
    expect(event).toMatchObject({
      type: 'text',
      text: '你好',
      sender: { platform: 'wecom', userId: 'ChenJiaShun' },
      chat: { chatId: 'ChenJiaShun', kind: 'direct' },
    })
  })

  it('vector C (JSON envelope and plaintext): the 64-bit MsgId is kept exactly', async () => {
    mount(C, atSeconds(C.post.timestamp))
    expect((await post(postQuery(C.post), envelopeC, 'application/json')).status).toBe(200)
    expect((await inbound())[0]).toMatchObject({ dedupeKey: 'msg:4561255354251345929', status: 'processed' })
  })

  it('refuses a forged signature, another corp, a stale timestamp, truncated ciphertext and another app with 401 — nothing stored', async () => {
    mount(A, atSeconds(A.post.timestamp), { agentId: '218' })
    expect((await post(postQuery({ ...A.post, signature: A.post.signature.replace('4', '5') }), envelopeA)).status).toBe(401)
    expect((await post(postQuery({ ...A.post, timestamp: '1409659814' }), envelopeA)).status).toBe(401)

    mount(OUR, AT, { agentId: String(OUR.agentId) })
    const foreign = await signedAt(OUR, textAt(OUR, 'zhangsan', '帮助'), { receiveId: 'ww_someone_else' })
    expect((await post(foreign.query, foreign.body)).status).toBe(401)
    const stale = await signedAt(OUR, textAt(OUR, 'zhangsan', '帮助'), { timestamp: String(Math.floor(now.getTime() / 1000) - 301) })
    expect((await post(stale.query, stale.body)).status).toBe(401)
    const otherApp = await signedAt(OUR, textAt({ ...OUR, agentId: 1000099 }, 'zhangsan', '帮助'))
    expect((await post(otherApp.query, otherApp.body)).status).toBe(401)
    // Truncated: whole blocks, correctly signed, but cut short (the length field points past the end).
    const ok = await signedAt(OUR, textAt(OUR, 'zhangsan', '帮助'.repeat(20)))
    const cut = btoa(atob(ok.encrypt).slice(0, 64))
    const { wecomSignature } = await import('../../../src/channels/wecom/crypto.ts')
    const sig = wecomSignature(OUR.token, ok.timestamp, ok.nonce, cut)
    expect(
      (await post(`msg_signature=${sig}&timestamp=${ok.timestamp}&nonce=${ok.nonce}`, `<xml><Encrypt><![CDATA[${cut}]]></Encrypt></xml>`)).status,
    ).toBe(401)
    expect((await post(`timestamp=${ok.timestamp}&nonce=${ok.nonce}`, ok.body)).status).toBe(401) // no signature at all
    expect(await inbound()).toEqual([])
  })

  it('refuses an oversized body with 413 and a malformed one with 400 — nothing stored', async () => {
    mount(OUR, AT)
    const big = `<xml><Encrypt><![CDATA[${'A'.repeat(MAX_BODY_BYTES)}]]></Encrypt></xml>`
    expect((await post('msg_signature=x&timestamp=1&nonce=1', big)).status).toBe(413)
    expect((await post('msg_signature=x&timestamp=1&nonce=1', 'not xml')).status).toBe(400)
    expect((await post('msg_signature=x&timestamp=1&nonce=1', '<xml><ToUserName>x</ToUserName></xml>')).status).toBe(400)
    expect(await inbound()).toEqual([])
  })

  it('a text whose CDATA holds a closing tag is read whole', async () => {
    mount(OUR, AT)
    const r = await signedAt(OUR, textAt(OUR, 'zhangsan', '查 </Content><MsgId>1</MsgId> ]]> 城关镇'))
    expect((await post(r.query, r.body)).status).toBe(200)
    const event = await wecomDecoder((await inbound())[0]!.raw, now)
    expect(event).toMatchObject({ type: 'text', text: '查 </Content><MsgId>1</MsgId> ]]> 城关镇' })
  })

  it('enter_agent greets a bound person once a day; a click of a foreign button is stored and ignored', async () => {
    mount(OUR, AT)
    const person = (await database.db.select().from(people).all())[0]!
    await bindIdentity(database.db, person.id, 'wecom', 'zhangsan', now.getTime())
    const t = Math.floor(now.getTime() / 1000)
    for (const createTime of [t, t + 60]) {
      const r = await signedAt(OUR, enterAgentXml(OUR, 'zhangsan', { createTime }))
      expect((await post(r.query, r.body)).status).toBe(200)
    }
    expect(await inbound()).toHaveLength(1)
    const out = await queued()
    expect(out).toHaveLength(1)
    expect(JSON.stringify(out[0]!.body)).toContain(`${person.name}您好`)

    // Its CreateTime given: on a loaded machine the clock may have moved a second on since \`t\`.
    const click = await signedAt(OUR, cardClickXml(OUR, 'zhangsan', 'not-ours', 'task1', { createTime: t }))
    expect((await post(click.query, click.body)).status).toBe(200)
    const row = await database.db
      .select()
      .from(inboundLog)
      .where(eq(inboundLog.dedupeKey, `ev:zhangsan:${t}:template_card_event:task1`))
      .get()
    expect(row?.status).toBe('ignored')
  })

  it('the JSON envelope of our own app works too', async () => {
    mount(OUR, AT)
    const r = await signedAt(OUR, textAt(OUR, 'lisi', '帮助'), { format: 'json' })
    expect((await post(r.query, r.body, 'application/json')).status).toBe(200)
    expect((await inbound())[0]).toMatchObject({ status: 'processed' })
  })
})
