/**
 * The Feishu webhook routes over real HTTP on 127.0.0.1: real signatures and AES, real SQLite with the demo
 * county, the real bot. What a forged, stale, malformed or repeated request does, and what a good one does.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { eq } from 'drizzle-orm'
import { openNodeDatabase, type NodeDatabase } from '../../../src/runtime/node/sqlite.ts'
import { loadDemoCounty } from '../../../src/demo/county.ts'
import { shanghaiTime } from '../../../src/domain/time.ts'
import { createApp } from '../../../src/http/app.ts'
import { silentLogger, type Logger } from '../../../src/log.ts'
import { groups, inboundLog, outbox, people, units } from '../../../src/store/schema.ts'
import { bindIdentity } from '../../../src/store/repos/directory.ts'
import type { BotResult, MessageBody } from '../../../src/model/index.ts'
import { feishuNodeRoutes, nodeServer } from '../../../src/runtime/node/http.ts'
import {
  createFeishuReceiver,
  feishuRoutes,
  feishuWebhookHandler,
  FEISHU_CARDS_PATH,
  FEISHU_EVENTS_PATH,
  MAX_BODY_BYTES,
  type FeishuRouteDeps,
} from '../../../src/channels/feishu/routes.ts'
import { classify } from '../../../src/channels/feishu/events.ts'
import { recordInbound } from '../../../src/store/repos/inbound.ts'
import { feishuWsDispatcher } from '../../../src/runtime/node/feishu-ws.ts'
import { encrypt, sha256Hex, type AesCbc } from '../../../src/channels/feishu/crypto.ts'
import { nodeAes } from '../../../src/runtime/node/aes.ts'
import { createSdkSender } from '../../../src/channels/feishu/sdk.ts'
import {
  botAddedEvent,
  botRemovedEvent,
  cardActionEvent,
  p2pChatCreateEvent,
  startFakeFeishu,
  textMessageEvent,
  v2Event,
  webhookRequest,
} from '../../fakes/feishu.ts'

const ENCRYPT_KEY = 'test encrypt key 中'
const TOKEN = 'vtoken'
const BOT = 'ou_bot_diaodu'
const NOW = shanghaiTime(2026, 11, 26, 10)
const nowSeconds = () => String(Math.floor(NOW.getTime() / 1000))

interface Logged {
  level: string
  msg: string
  data?: Record<string, unknown>
}

let database: NodeDatabase
let server: Server
let base: string
let logs: Logged[]
let receiver: ReturnType<typeof createFeishuReceiver>
let viaHono = false

function recordingLogger(): Logger {
  const at = (level: string) => (msg: string, data?: Record<string, unknown>) => void logs.push({ level, msg, ...(data && { data }) })
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
}

async function start(over: Partial<FeishuRouteDeps> = {}) {
  const logger = recordingLogger()
  const deps = {
    db: database.db,
    logger,
    now: () => NOW,
    botOpenId: () => BOT,
    secrets: { encryptKey: ENCRYPT_KEY, verificationToken: TOKEN, maxAgeSeconds: 300 },
    ...over,
  }
  receiver = over.receiver ?? createFeishuReceiver(deps)
  // As npm start serves them (src/runtime/node/http.ts): the webhook paths straight from node:http, with the
  // handler the Hono routes use; `viaHono` sends them through the Hono routes instead (as on Workers).
  const handler = feishuWebhookHandler({ ...deps, receiver })
  const app = createApp({ db: database.db, schemaVersion: 1, logger: silentLogger, now: () => NOW, channels: [] })
  app.route('/', feishuRoutes({ ...deps, receiver, handler }))
  server = nodeServer(app.fetch, new Map(viaHono ? [] : feishuNodeRoutes(handler, logger)))
  server.listen(0, '127.0.0.1')
  await new Promise<void>((resolve) => server.once('listening', () => resolve()))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

beforeEach(async () => {
  logs = []
  database = openNodeDatabase(':memory:')
  await loadDemoCounty(database.db, shanghaiTime(2026, 11, 22, 10))
})

afterEach(async () => {
  await receiver?.idle()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  database.close()
})

/** POSTs what Feishu would send for `body` (encrypted and signed unless told otherwise). */
async function post(
  body: unknown,
  o: {
    path?: string
    timestamp?: string
    encryptKey?: string | null
    tamper?: (r: { rawBody: string; headers: Record<string, string> }) => void
  } = {},
) {
  const req = await webhookRequest(body, {
    ...(o.encryptKey !== null && { encryptKey: o.encryptKey ?? ENCRYPT_KEY }),
    timestamp: o.timestamp ?? nowSeconds(),
  })
  o.tamper?.(req)
  const res = await fetch(base + (o.path ?? FEISHU_EVENTS_PATH), { method: 'POST', headers: req.headers, body: req.rawBody })
  const text = await res.text()
  await receiver.idle()
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined }
}

/** A raw body signed correctly (so only its content can be wrong). */
async function postSignedRaw(rawBody: string) {
  const timestamp = nowSeconds()
  const nonce = 'n0nce'
  const headers = {
    'content-type': 'application/json',
    'x-lark-request-timestamp': timestamp,
    'x-lark-request-nonce': nonce,
    'x-lark-signature': await sha256Hex(timestamp + nonce + ENCRYPT_KEY + rawBody),
  }
  const res = await fetch(base + FEISHU_EVENTS_PATH, { method: 'POST', headers, body: rawBody })
  await receiver.idle()
  return { status: res.status, json: (await res.json()) as Record<string, unknown> }
}

const inbound = () => database.db.select().from(inboundLog).all()
const queued = () => database.db.select().from(outbox).orderBy(outbox.id).all()
const bodyText = (b: unknown) => {
  const m = b as MessageBody
  return m.kind === 'text' ? m.text : m.card.title
}

async function contactPerson() {
  const unit = (await database.db.select().from(units).where(eq(units.name, '县住建局')).get())!
  const all = await database.db.select().from(people).all()
  return all.find((p) => p.unitId === unit.id && p.roles.includes('contact'))!
}

async function leaderPerson() {
  const all = await database.db.select().from(people).all()
  return all.find((p) => p.roles.includes('leader') && p.title === '县长')!
}

describe('url_verification', () => {
  beforeEach(() => start())

  it('echoes the challenge when the token matches', async () => {
    const r = await post({ type: 'url_verification', challenge: 'ch-123', token: TOKEN })
    expect(r).toEqual({ status: 200, json: { challenge: 'ch-123' } })
    const plain = await post({ type: 'url_verification', challenge: 'ch-456', token: TOKEN }, { encryptKey: null, path: FEISHU_CARDS_PATH })
    expect(plain).toEqual({ status: 200, json: { challenge: 'ch-456' } })
    expect(await inbound()).toHaveLength(0)
  })

  it('refuses a wrong token with 401 and no challenge', async () => {
    const r = await post({ type: 'url_verification', challenge: 'ch-123', token: 'not-the-token' })
    expect(r.status).toBe(401)
    expect(r.json).not.toHaveProperty('challenge')
    const plain = await post({ type: 'url_verification', challenge: 'ch-123', token: 'nope' }, { encryptKey: null })
    expect(plain.status).toBe(401)
  })
})

describe('refusals', () => {
  beforeEach(() => start())

  it('a forged signature gets 401 and stores nothing', async () => {
    const event = textMessageEvent({ text: '填报' })
    const forged = await post(event, { tamper: (r) => void (r.headers['x-lark-signature'] = 'f'.repeat(64)) })
    expect(forged.status).toBe(401)
    const wrongKey = await post(event, { encryptKey: 'somebody else’s key' })
    expect(wrongKey.status).toBe(401)
    const swapped = await post(event, {
      tamper: (r) => void (r.rawBody = r.rawBody.replace(/"encrypt":"(.)/, (_, c: string) => `"encrypt":"${c === 'A' ? 'B' : 'A'}`)),
    })
    expect(swapped.status).toBe(401)
    const unsigned = await post(event, { tamper: (r) => void delete r.headers['x-lark-signature'] })
    expect(unsigned.status).toBe(401)
    expect(await inbound()).toHaveLength(0)
    expect(await queued()).toHaveLength(0)
    expect(logs.filter((l) => l.msg === 'feishu webhook refused')).toHaveLength(4)
  })

  it('a wrong verification token inside a well-signed body gets 401', async () => {
    const r = await post(textMessageEvent({ text: '填报', token: 'stolen' }))
    expect(r.status).toBe(401)
    expect(await inbound()).toHaveLength(0)
  })

  it('a stale (or future) timestamp gets 401', async () => {
    const old = await post(textMessageEvent({ text: '填报' }), { timestamp: String(Number(nowSeconds()) - 301) })
    expect(old.status).toBe(401)
    const future = await post(textMessageEvent({ text: '填报' }), { timestamp: String(Number(nowSeconds()) + 301) })
    expect(future.status).toBe(401)
    expect(await inbound()).toHaveLength(0)
  })

  it('malformed JSON and malformed events get 400, are logged, and store nothing', async () => {
    expect((await postSignedRaw('{"schema":"2.0", oops')).status).toBe(400)
    const noMessage = v2Event('im.message.receive_v1', { sender: { sender_id: { open_id: 'ou_x' } } })
    expect((await post(noMessage)).status).toBe(400)
    expect((await post({ hello: 'world' })).status).toBe(400)
    expect(await inbound()).toHaveLength(0)
    expect(logs.filter((l) => l.msg === 'feishu webhook malformed')).toHaveLength(3)
  })
})

describe('size limit', () => {
  beforeEach(() => start())

  it(`refuses a body over MAX_BODY_BYTES (256 KiB) with 413 and stores nothing`, async () => {
    expect(MAX_BODY_BYTES).toBe(256 * 1024)
    const res = await fetch(base + FEISHU_EVENTS_PATH, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"encrypt":"${'A'.repeat(MAX_BODY_BYTES)}"}`,
    })
    expect(res.status).toBe(413)
    expect(await inbound()).toHaveLength(0)
  })

  it('takes a message near Feishu’s 150 KB text limit, encrypted (~200 KB)', async () => {
    const text = '本月完成投资1200万元，本年累计8600万元。'.repeat(2200) // ~150 KB of UTF-8
    const r = await post(textMessageEvent({ text, senderOpenId: 'ou_long', eventId: 'ev_long' }))
    expect(r.status).toBe(200)
    expect(await inbound()).toHaveLength(1)
  })

  it('counts a chunked body (no Content-Length) as it streams and refuses it past the limit', async () => {
    const chunk = new TextEncoder().encode('A'.repeat(64 * 1024))
    let sent = 0
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 5) controller.enqueue(chunk)
        else controller.close()
      },
    })
    const res = await fetch(base + FEISHU_EVENTS_PATH, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit)
    expect(res.status).toBe(413)
    expect(await inbound()).toHaveLength(0)
  })
})

describe('the Hono routes (Workers; on Node a path with a query string)', () => {
  beforeEach(async () => {
    viaHono = true
    await start()
  })
  afterEach(() => {
    viaHono = false
  })

  it('answer as the node:http paths do: challenge, event once, 401, 413', async () => {
    expect(await post({ type: 'url_verification', challenge: 'ch-h', token: TOKEN })).toEqual({ status: 200, json: { challenge: 'ch-h' } })
    const event = textMessageEvent({ text: '帮助', senderOpenId: 'ou_hono', chatId: 'oc_hono', eventId: 'ev_hono' })
    expect([await post(event), await post(event)]).toEqual([
      { status: 200, json: {} },
      { status: 200, json: {} },
    ])
    expect((await inbound()).map((r) => [r.dedupeKey, r.status])).toEqual([['ev_hono', 'processed']])
    const forged = await post(textMessageEvent({ text: '帮助', eventId: 'ev_forged_h' }), {
      tamper: (r) => void (r.headers['x-lark-signature'] = '0'.repeat(64)),
    })
    expect(forged.status).toBe(401)
    const big = await fetch(base + FEISHU_EVENTS_PATH, { method: 'POST', body: `{"encrypt":"${'A'.repeat(MAX_BODY_BYTES)}"}` })
    expect(big.status).toBe(413)
    expect(await inbound()).toHaveLength(1)
  })
})

describe('node:http paths', () => {
  beforeEach(() => start())

  it('leave a webhook path with a query string to the Hono routes, which answer it alike', async () => {
    const r = await webhookRequest(textMessageEvent({ text: '帮助', senderOpenId: 'ou_q', chatId: 'oc_q', eventId: 'ev_query' }), {
      encryptKey: ENCRYPT_KEY,
      timestamp: nowSeconds(),
    })
    const res = await fetch(`${base}${FEISHU_EVENTS_PATH}?from=console`, { method: 'POST', headers: r.headers, body: r.rawBody })
    expect([res.status, await res.json()]).toEqual([200, {}])
    await receiver.idle()
    expect((await inbound()).map((row) => [row.dedupeKey, row.status])).toEqual([['ev_query', 'processed']])
  })
})

describe('verify before decoding', () => {
  let aes: { calls: number } & AesCbc
  beforeEach(async () => {
    aes = {
      calls: 0,
      decrypt(key, iv, data) {
        aes.calls++
        return nodeAes.decrypt(key, iv, data)
      },
    }
    await start({ secrets: { encryptKey: ENCRYPT_KEY, verificationToken: TOKEN, maxAgeSeconds: 300, aes } })
  })

  it('refuses an unsigned large encrypted body with 401 without decrypting it; a signed one is decrypted once', async () => {
    const event = textMessageEvent({ text: '帮助'.repeat(2000), senderOpenId: 'ou_big' })
    const unsigned = await post(event, { tamper: (r) => void delete r.headers['x-lark-signature'] })
    expect(unsigned.status).toBe(401)
    expect(aes.calls).toBe(0)
    expect(logs.find((l) => l.msg === 'feishu webhook refused')?.data).toMatchObject({ reason: 'missing signature' })
    expect((await post(event)).status).toBe(200)
    expect(aes.calls).toBe(1)
    expect(await inbound()).toHaveLength(1)
  })

  it('still answers an unsigned url_verification (small: decrypted, then checked to be one)', async () => {
    const r = await post({ type: 'url_verification', challenge: 'ch-9', token: TOKEN }, { tamper: (q) => void delete q.headers['x-lark-signature'] })
    expect(r).toEqual({ status: 200, json: { challenge: 'ch-9' } })
    expect(aes.calls).toBe(1)
  })
})

describe('malformed nesting', () => {
  beforeEach(() => start())

  it('gives a correctly signed body of 100,000 nested arrays 400, not 500', async () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000)
    expect((await postSignedRaw(deep)).status).toBe(400)
    const inEvent = `{"schema":"2.0","header":{"event_id":"e1","event_type":"im.message.receive_v1","token":"${TOKEN}"},"event":{"x":${deep}}}`
    expect((await postSignedRaw(inEvent)).status).toBe(400)
  })

  it('gives an encrypted, signed event nested 50,000 deep 400 and stores nothing', async () => {
    const plain = `{"schema":"2.0","header":{"event_id":"e2","event_type":"card.action.trigger","token":"${TOKEN}"},"event":{"operator":{"open_id":"ou_x"},"action":{"value":${'['.repeat(50_000) + ']'.repeat(50_000)}}}}`
    const r = await postSignedRaw(JSON.stringify({ encrypt: await encrypt(ENCRYPT_KEY, plain) }))
    expect(r.status).toBe(400)
    expect(await inbound()).toHaveLength(0)
    expect(logs.filter((l) => l.msg === 'feishu webhook malformed')).toHaveLength(1)
  })
})

describe('with the age check off (WEBHOOK_MAX_AGE_SECONDS=0)', () => {
  beforeEach(() => start({ secrets: { encryptKey: ENCRYPT_KEY, verificationToken: TOKEN, maxAgeSeconds: 0 } }))

  it('accepts an old but correctly signed event', async () => {
    const r = await post(textMessageEvent({ text: '帮助', senderOpenId: 'ou_someone' }), { timestamp: '1600000000' })
    expect(r.status).toBe(200)
    expect(await inbound()).toHaveLength(1)
  })
})

describe('events', () => {
  beforeEach(() => start())

  it('handles the same event delivered three times once: one row, one reply queued', async () => {
    const event = textMessageEvent({ text: '帮助', senderOpenId: 'ou_stranger', chatId: 'oc_dm_stranger', eventId: 'ev_repeat_1' })
    const answers = [await post(event), await post(event), await post(event)]
    expect(answers).toEqual([
      { status: 200, json: {} },
      { status: 200, json: {} },
      { status: 200, json: {} },
    ])
    const rows = await inbound()
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ platform: 'feishu', dedupeKey: 'ev_repeat_1', status: 'processed' })
    // Feishu's own payload, decrypted, as received but for the verification token.
    expect(JSON.parse(rows[0]!.raw)).toMatchObject({
      schema: '2.0',
      header: { event_id: 'ev_repeat_1', event_type: 'im.message.receive_v1', token: '' },
      event: { message: { chat_id: 'oc_dm_stranger' } },
    })
    expect(rows[0]!.raw).not.toContain(TOKEN)
    const out = await queued()
    expect(out).toHaveLength(1)
    expect(out[0]).toMatchObject({ platform: 'feishu', address: 'oc_dm_stranger', key: 'in:feishu:ev_repeat_1:0' })
    expect(bodyText(out[0]!.body)).toContain('绑定')
  })

  it('stores a burst of deliveries together: a repeat inside the burst is handled once, the rest each once', async () => {
    const repeated = textMessageEvent({ text: '帮助', senderOpenId: 'ou_burst_0', chatId: 'oc_burst_0', eventId: 'ev_burst_repeat' })
    const others = Array.from({ length: 29 }, (_, i) =>
      textMessageEvent({ text: '帮助', senderOpenId: `ou_burst_${i + 1}`, chatId: `oc_burst_${i + 1}`, eventId: `ev_burst_${i}` }),
    )
    // All in flight at once: their rows go to SQLite in the same statements.
    const requests = await Promise.all([repeated, ...others, repeated, repeated].map((e) => asFetch(e)))
    const answers = await Promise.all(requests.map((r) => fetch(base + FEISHU_EVENTS_PATH, { method: 'POST', ...r }).then((res) => res.status)))
    await receiver.idle()
    expect(answers).toEqual(Array(32).fill(200))
    const rows = await inbound()
    expect(rows.map((r) => r.dedupeKey).sort()).toEqual(['ev_burst_repeat', ...others.map((_, i) => `ev_burst_${i}`)].sort())
    expect(rows.every((r) => r.status === 'processed')).toBe(true)
    const out = await queued()
    expect(out).toHaveLength(30)
    expect(out.filter((m) => m.address === 'oc_burst_0')).toHaveLength(1)
  })

  it('acknowledges before the bot runs', async () => {
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    await new Promise<void>((resolve) => server.close(() => resolve()))
    await start({
      bot: async () => {
        await gate
        return { messages: [] } satisfies BotResult
      },
    })
    const res = await fetch(base + FEISHU_EVENTS_PATH, { method: 'POST', ...(await asFetch(textMessageEvent({ text: '帮助' }))) })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({})
    expect((await inbound())[0]!.status).toBe('received')
    release()
    await receiver.idle()
    expect((await inbound())[0]!.status).toBe('processed')
  })

  it('after a restart, answers the events the stopped process had acknowledged but not processed, once', async () => {
    // The first process acknowledges a 帮助 (and an event it has nothing to do for), then stops before its bot run finishes.
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    await new Promise<void>((resolve) => server.close(() => resolve()))
    await start({ bot: async () => (await gate, { messages: [] }) })
    await fetch(base + FEISHU_EVENTS_PATH, {
      method: 'POST',
      ...(await asFetch(textMessageEvent({ text: '帮助', senderOpenId: 'ou_waiting', chatId: 'oc_waiting', eventId: 'ev_waiting' }))),
    })
    await fetch(base + FEISHU_EVENTS_PATH, {
      method: 'POST',
      ...(await asFetch(v2Event('im.message.message_read_v1', { reader: {} }, { eventId: 'ev_read' }))),
    })
    expect((await inbound()).map((r) => r.status)).toEqual(['received', 'ignored'])
    const stopped = receiver

    // The next process, two minutes later (the stopped one's lease on the row has run out), with the real bot.
    const later = createFeishuReceiver({
      db: database.db,
      logger: recordingLogger(),
      now: () => new Date(NOW.getTime() + 120_000),
      botOpenId: () => BOT,
    })
    expect(await later.resume()).toBe(1)
    await later.idle()
    const [waiting] = await inbound()
    expect(waiting).toMatchObject({ dedupeKey: 'ev_waiting', status: 'processed' })
    const replies = (await queued()).filter((m) => m.address === 'oc_waiting')
    expect(replies).toHaveLength(1)
    expect(bodyText(replies[0]!.body)).toContain('绑定')
    // Resuming again, or the old run finishing late, sends nothing twice.
    expect(await later.resume()).toBe(0)
    release()
    await stopped.idle()
    expect((await queued()).filter((m) => m.address === 'oc_waiting')).toHaveLength(1)
  })

  it('marks a stored payload it cannot read as failed and resumes the rest', async () => {
    const old = NOW.getTime() - 60_000
    await recordInbound(database.db, 'feishu', 'ev_garbled', '{"kind":"event","id":', old)
    const good = textMessageEvent({ text: '帮助', senderOpenId: 'ou_after_garbled', chatId: 'oc_after_garbled', eventId: 'ev_good' })
    const hook = classify(good)
    await recordInbound(
      database.db,
      'feishu',
      'ev_good',
      JSON.stringify({ kind: 'event', id: 'ev_good', type: 'im.message.receive_v1', event: (hook as { event: unknown }).event }),
      old,
    )
    expect(await receiver.resume()).toBe(2)
    await receiver.idle()
    const rows = await inbound()
    expect(rows.map((r) => [r.dedupeKey, r.status])).toEqual([
      ['ev_garbled', 'failed'],
      ['ev_good', 'processed'],
    ])
    expect(rows[0]!.error).toContain('cannot resume')
    expect((await queued()).filter((m) => m.address === 'oc_after_garbled')).toHaveLength(1)
  })

  it('does not resume what arrived after it started: those are its own events, already in hand', async () => {
    expect((await post(textMessageEvent({ text: '帮助', eventId: 'ev_mine' }))).status).toBe(200)
    await database.db.update(inboundLog).set({ status: 'received' }).where(eq(inboundLog.dedupeKey, 'ev_mine'))
    expect(await receiver.resume()).toBe(0)
  })

  it('logs a failing bot run and marks the row failed; the server keeps answering', async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()))
    await start({ bot: async () => Promise.reject(new Error('database on fire')) })
    expect((await post(textMessageEvent({ text: '帮助' }))).status).toBe(200)
    const [row] = await inbound()
    expect(row).toMatchObject({ status: 'failed' })
    expect(row!.error).toContain('database on fire')
    expect(logs.some((l) => l.level === 'error' && l.msg === 'inbound event failed')).toBe(true)
    expect((await post(textMessageEvent({ text: '帮助' }))).status).toBe(200)
  })

  it('decrypts Chinese text intact at every AES block alignment', async () => {
    const texts: string[] = []
    let straddlesLast = 0
    for (let k = 0; k < 16; k++) {
      const text = `${'x'.repeat(k)}已完成`
      const event = textMessageEvent({ text, senderOpenId: 'ou_cn', chatId: 'oc_cn', messageId: 'om_cn', eventId: `ev_cn_${k}` })
      // Where 完 (3 UTF-8 bytes) sits in the plaintext: count the alignments that cut it at the last block.
      const plain = new TextEncoder().encode(JSON.stringify(event))
      const at = byteIndexOf(plain, new TextEncoder().encode('完'))
      const lastBlock = Math.floor(plain.length / 16) * 16
      if (at < lastBlock && at + 3 > lastBlock) straddlesLast++
      expect((await post(event)).status).toBe(200)
      texts.push(text)
    }
    const rows = await inbound()
    expect(rows.map((r) => (JSON.parse(r.raw) as { event: { message: { content: string } } }).event.message.content)).toEqual(
      texts.map((t) => JSON.stringify({ text: t })),
    )
    expect(straddlesLast).toBe(2) // the alignments that broke the SDK on Workers (feishu.md §0.2)
  })

  it('ignores a group message without @, answers one with @ in the group', async () => {
    const leader = await leaderPerson()
    await bindIdentity(database.db, leader.id, 'feishu', 'ou_leader', NOW.getTime())
    const quiet = await post(textMessageEvent({ text: '本月排名', chatType: 'group', chatId: 'oc_group', senderOpenId: 'ou_leader' }))
    expect(quiet).toEqual({ status: 200, json: {} })
    expect((await inbound())[0]!.status).toBe('ignored')
    expect(await queued()).toHaveLength(0)

    const other = await post(
      textMessageEvent({
        text: '@_user_1 本月排名',
        chatType: 'group',
        chatId: 'oc_group',
        senderOpenId: 'ou_leader',
        mentions: [{ openId: 'ou_someone_else', name: '张三' }],
      }),
    )
    expect(other.status).toBe(200)
    expect(await queued()).toHaveLength(0)

    const asked = await post(
      textMessageEvent({
        text: '@_user_1 本月排名',
        chatType: 'group',
        chatId: 'oc_group',
        senderOpenId: 'ou_leader',
        mentions: [{ openId: BOT, name: '调度助手' }],
      }),
    )
    expect(asked.status).toBe(200)
    const out = await queued()
    expect(out).toHaveLength(1)
    expect(out[0]).toMatchObject({ address: 'oc_group', addressKind: 'chat' })
    expect((out[0]!.body as MessageBody).kind).toBe('card')
    expect((await inbound()).map((r) => r.status)).toEqual(['ignored', 'ignored', 'processed'])
  })

  it('stores an unknown event type, marks it ignored and answers {}', async () => {
    const r = await post(v2Event('im.message.reaction.created_v1', { message_id: 'om_1', reaction_type: { emoji_type: 'OK' } }))
    expect(r).toEqual({ status: 200, json: {} })
    const [row] = await inbound()
    expect(row).toMatchObject({ status: 'ignored', dedupeKey: expect.any(String) })
    expect(await queued()).toHaveLength(0)
  })

  it('keeps the groups table in step with bot added / removed', async () => {
    await post(botAddedEvent('oc_county'))
    let [g] = await database.db.select().from(groups).where(eq(groups.chatId, 'oc_county')).all()
    expect(g).toMatchObject({ platform: 'feishu', active: true, name: '重点项目调度群' })
    // The welcome, then the latest published board and 通报: a group starts with what the county last published.
    const out = await queued()
    expect(out.map((o) => o.address)).toEqual(['oc_county', 'oc_county', 'oc_county'])
    expect(
      out.map((o) => {
        const b = o.body as MessageBody
        return b.kind === 'card' ? b.card.template : b.kind
      }),
    ).toEqual(['text', 'leaderboard', 'bulletin'])
    await post(botRemovedEvent('oc_county'))
    ;[g] = await database.db.select().from(groups).where(eq(groups.chatId, 'oc_county')).all()
    expect(g!.active).toBe(false)
  })

  it('welcomes on p2p_chat_create: a stranger is asked to bind, a bound person is greeted', async () => {
    await post(p2pChatCreateEvent({ openId: 'ou_new', chatId: 'oc_p2p_new' }))
    const contact = await contactPerson()
    await bindIdentity(database.db, contact.id, 'feishu', 'ou_known', NOW.getTime())
    await post(p2pChatCreateEvent({ openId: 'ou_known', chatId: 'oc_p2p_known' }))
    const out = await queued()
    expect(out.map((o) => o.address)).toEqual(['oc_p2p_new', 'oc_p2p_known'])
    expect(bodyText(out[0]!.body)).toContain('绑定 手机号')
    expect(bodyText(out[1]!.body)).toContain(`${contact.name}您好`)
  })
})

describe('card callbacks', () => {
  it('answers a foreign card with {} and a slow one with a toast, finishing the work after', async () => {
    let slow = false
    await start({
      cardBudgetMs: 100,
      bot: async (_ctx, event) => {
        if (slow) await new Promise((r) => setTimeout(r, 300))
        return { messages: [], toast: { kind: 'success', text: `ok ${event.type}` } }
      },
    })
    const foreign = await post(cardActionEvent({ value: { action: 'somebody else’s card' } }), { path: FEISHU_CARDS_PATH })
    expect(foreign).toEqual({ status: 200, json: {} })
    const fast = await post(cardActionEvent({ value: { cmd: 'help' } }), { path: FEISHU_CARDS_PATH })
    expect(fast.json).toEqual({ toast: { type: 'success', content: 'ok card_action' } })
    slow = true
    const started = Date.now()
    const late = await post(cardActionEvent({ value: { cmd: 'help' } }), { path: FEISHU_CARDS_PATH })
    expect(late.json).toMatchObject({ toast: { type: 'info' } })
    expect(Date.now() - started).toBeLessThan(2000)
    expect((await inbound()).map((r) => r.status)).toEqual(['ignored', 'processed', 'processed'])
  })

  it('shows the card of a slow run by delayed update, after the toast, through the open API', async () => {
    const fake = await startFakeFeishu({ appId: 'cli_late', appSecret: 'late-secret' })
    const sender = createSdkSender({ appId: 'cli_late', appSecret: 'late-secret', domain: fake.url })
    try {
      await start({
        cardBudgetMs: 50,
        updateCardLater: (token, card) => sender.updateCardByToken(token, card),
        bot: async () => {
          await new Promise((r) => setTimeout(r, 200))
          return {
            messages: [],
            updateCard: {
              template: 'receipt',
              title: '填报已收到',
              colour: 'green',
              elements: [{ kind: 'markdown', text: '本年累计 **1,234.00 万元**' }],
            },
          }
        },
      })
      const answer = await post(cardActionEvent({ value: { cmd: 'help' } }), { path: FEISHU_CARDS_PATH })
      expect(answer.json).toEqual({ toast: { type: 'info', content: '已收到，正在处理，稍后更新' } })
      expect(fake.delayedUpdates).toHaveLength(1)
      const [update] = fake.delayedUpdates
      expect(update!.token).toBe('c-fake-update-token')
      expect(JSON.stringify(update!.card)).toContain('填报已收到')
      expect(JSON.stringify(update!.card)).toContain('1,234.00 万元')
      expect((await inbound())[0]!.status).toBe('processed')
    } finally {
      await fake.close()
    }
  })

  it('logs a delayed update Feishu refuses (the token used up); the run itself stands', async () => {
    const fake = await startFakeFeishu({ appId: 'cli_late', appSecret: 'late-secret' })
    const sender = createSdkSender({ appId: 'cli_late', appSecret: 'late-secret', domain: fake.url })
    try {
      await start({
        cardBudgetMs: 20,
        updateCardLater: (token, card) => sender.updateCardByToken(token, card),
        bot: async () => {
          await new Promise((r) => setTimeout(r, 60))
          return { messages: [], updateCard: { template: 'receipt', title: '已处理', colour: 'blue', elements: [] } }
        },
      })
      for (let i = 0; i < 3; i++) await post(cardActionEvent({ value: { cmd: 'help' } }), { path: FEISHU_CARDS_PATH })
      expect(fake.delayedUpdates).toHaveLength(2)
      const failed = logs.filter((l) => l.msg === 'feishu delayed card update failed')
      expect(failed).toHaveLength(1)
      expect(String(failed[0]!.data!.reason)).toContain('used up')
      expect((await inbound()).map((r) => r.status)).toEqual(['processed', 'processed', 'processed'])
    } finally {
      await fake.close()
    }
  })

  it('a repeated callback is answered {} and not run again', async () => {
    let runs = 0
    await start({
      bot: async () => {
        runs++
        return { messages: [], toast: { kind: 'success', text: 'done' } }
      },
    })
    const event = cardActionEvent({ value: { cmd: 'help' }, eventId: 'ev_card_once' })
    expect((await post(event, { path: FEISHU_CARDS_PATH })).json).toEqual({ toast: { type: 'success', content: 'done' } })
    expect((await post(event, { path: FEISHU_CARDS_PATH })).json).toEqual({})
    expect(runs).toBe(1)
  })
})

describe('long connection dispatcher', () => {
  beforeEach(() => start())

  it('feeds plain events through the same dedupe and bot', async () => {
    const dispatcher = feishuWsDispatcher(receiver, silentLogger)
    const event = textMessageEvent({ text: '帮助', senderOpenId: 'ou_ws', chatId: 'oc_ws', eventId: 'ev_ws_1' })
    expect(await dispatcher.invoke(event, { needCheck: false })).toBeUndefined()
    expect(await dispatcher.invoke(event, { needCheck: false })).toBeUndefined()
    expect(await dispatcher.invoke({ nonsense: true })).toBeUndefined()
    await receiver.idle()
    expect((await inbound()).map((r) => [r.dedupeKey, r.status])).toEqual([['ev_ws_1', 'processed']])
    expect((await queued()).map((o) => o.address)).toEqual(['oc_ws'])
  })
})

async function asFetch(body: unknown) {
  const r = await webhookRequest(body, { encryptKey: ENCRYPT_KEY, timestamp: nowSeconds() })
  return { headers: r.headers, body: r.rawBody }
}

function byteIndexOf(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer
    return i
  }
  return -1
}
