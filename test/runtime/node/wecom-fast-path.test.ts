/**
 * The WeCom callback served straight from node:http (src/runtime/node/http.ts `wecomNodeRoute`), as npm start
 * serves it: the server listens with a route map, startWecom puts the callback POST in it, everything else goes
 * through Hono. Over real HTTP on 127.0.0.1, with real SQLite (the demo county), the real bot and the shared
 * intake: a signed, encrypted callback is stored, answered 200 and its reply queued. The same callbacks sent to
 * a second server without the fast route (through the Hono route, as BENCH_HONO_ONLY and Workers do) get the
 * same status, headers and body: a good message, a forged signature, a stale timestamp, no query at all, a
 * malformed body, bodies over the limit (by Content-Length and chunked), a repeated delivery, and a card click
 * answered with a passive reply. A Feishu webhook path with a query string still goes to Hono.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { request, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { and, eq } from 'drizzle-orm'
import type { NodeDatabase } from '../../../src/runtime/node/sqlite.ts'
import { shanghaiTime } from '../../../src/domain/time.ts'
import { createApp } from '../../../src/http/app.ts'
import { createIntake } from '../../../src/intake/index.ts'
import { decoders } from '../../../src/channels/index.ts'
import type { Logger } from '../../../src/log.ts'
import { bindRequests, inboundLog, outbox, people } from '../../../src/store/schema.ts'
import { bindIdentity } from '../../../src/store/repos/directory.ts'
import { peopleWithRole } from '../../../src/store/repos/people.ts'
import { decryptWecom, wecomKeys, wecomSignature } from '../../../src/channels/wecom/crypto.ts'
import { parseFlatXml } from '../../../src/channels/wecom/events.ts'
import { MAX_BODY_BYTES, WECOM_CALLBACK_PATH } from '../../../src/channels/wecom/routes.ts'
import { FEISHU_EVENTS_PATH, feishuWebhookHandler } from '../../../src/channels/feishu/routes.ts'
import { feishuNodeRoutes, nodeServer, type NodeRoute } from '../../../src/runtime/node/http.ts'
import { startWecom, type WecomChannel } from '../../../src/runtime/node/wecom.ts'
import { callbackRequest, cardClickXml, textXml, verificationQuery, type WecomApp } from '../../fakes/wecom.ts'
import { wecomConfig } from '../../channels/wecom/helpers.ts'
import { demoDatabase } from '../../demo-image.ts'

const APP: WecomApp = { corpId: 'ww_fast_corp', agentId: 1000007, token: 'FastT0ken', aesKey: 'FastKey0123456789abcdefghijklmnopqrstuvwxyz' }
const SECRET = 'fast-app-secret'
const NOW = shanghaiTime(2026, 11, 26, 10)
const TS = String(Math.floor(NOW.getTime() / 1000))

interface Answer {
  status: number
  headers: IncomingHttpHeaders
  body: string
}

/** One server as npm start runs it (`fast`), or the same without the fast route (every request through Hono). */
interface World {
  fast: boolean
  database: NodeDatabase
  channel: WecomChannel
  server: Server
  base: string
  /** Paths of the requests Hono's fetch saw. */
  viaHono: string[]
  logs: { level: string; msg: string }[]
}

let worlds: World[]

async function world(fast: boolean): Promise<World> {
  const database = await demoDatabase(shanghaiTime(2026, 11, 22, 10))
  const logs: World['logs'] = []
  const at = (level: string) => (msg: string) => void logs.push({ level, msg })
  const logger: Logger = { debug: () => {}, info: at('info'), warn: at('warn'), error: at('error') }
  const config = wecomConfig(APP, SECRET, 'http://127.0.0.1:9')
  const now = () => NOW
  const viaHono: string[] = []
  // main.ts's order: the port first, the app's fetch and the channels' routes once started.
  let fetchApp: (req: Request) => Response | Promise<Response> = () => new Response('starting', { status: 503 })
  const routes = new Map<string, NodeRoute>()
  const server = nodeServer((req) => {
    viaHono.push(new URL(req.url).pathname)
    return fetchApp(req)
  }, routes)
  server.listen(0, '127.0.0.1')
  await new Promise<void>((resolve) => server.once('listening', () => resolve()))
  const intake = createIntake({
    db: database.db,
    logger,
    now,
    platforms: config.channels,
    decoders: decoders(database.db),
    transact: database.transact,
  })
  const app = createApp({ db: database.db, schemaVersion: database.schemaVersion, logger, now, channels: config.channels, intake })
  const started = new Map<string, NodeRoute>()
  const channel = startWecom({ config, db: database.db, logger, app, now, intake, drainEveryMs: 0, nodeRoutes: started })
  // A Feishu webhook route too (not mounted on Hono): a request it answers never reaches Hono's 404.
  const feishu = feishuWebhookHandler({
    db: database.db,
    logger,
    now,
    botOpenId: () => 'ou_bot',
    secrets: { encryptKey: 'feishu-key', maxAgeSeconds: 300 },
  })
  for (const [path, route] of feishuNodeRoutes(feishu, logger)) started.set(path, route)
  fetchApp = app.fetch
  if (fast) for (const [path, route] of started) routes.set(path, route)
  return { fast, database, channel, server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, viaHono, logs }
}

beforeEach(async () => {
  worlds = [await world(true), await world(false)]
})

afterEach(async () => {
  for (const w of worlds) {
    await w.channel.stop()
    await new Promise<void>((resolve) => w.server.close(() => resolve()))
    w.database.close()
  }
})

/** A request over node:http: with Content-Length, or `chunked` (no length, the body in 16 KiB pieces). */
function send(w: World, path: string, body: string, o: { chunked?: boolean; method?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, w.base)
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: o.method ?? 'POST',
        headers: { 'content-type': 'text/xml', ...(!o.chunked && { 'content-length': Buffer.byteLength(body) }) },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }))
      },
    )
    req.on('error', reject)
    if (o.method === 'GET') req.end()
    else if (o.chunked) {
      for (let i = 0; i < body.length; i += 16 * 1024) req.write(body.slice(i, i + 16 * 1024))
      req.end()
    } else req.end(body)
  })
}

/** What a client sees of an answer: status, body and the headers (the date aside). */
const seen = (a: Answer) => {
  const { date: _date, ...headers } = a.headers
  return { status: a.status, headers, body: a.body }
}

/** POSTs the same request to both servers, waits for the bots, and expects the same answer; returns it. */
async function both(path: string, body: string, o: { chunked?: boolean } = {}): Promise<Answer> {
  const answers: Answer[] = []
  for (const w of worlds) {
    answers.push(await send(w, path, body, o))
    await w.channel.receiver.idle()
  }
  expect(seen(answers[0]!)).toEqual(seen(answers[1]!))
  return answers[0]!
}

const callbackPath = (query: string) => `${WECOM_CALLBACK_PATH}?${query}`
const signed = async (plain: string, o: { timestamp?: string } = {}) => {
  const r = await callbackRequest(APP, plain, { timestamp: o.timestamp ?? TS, nonce: '271828' })
  return { ...r, path: callbackPath(r.query) }
}
const text = (from: string, content: string, msgId: string) => textXml(APP, from, content, { msgId, createTime: Number(TS) })

const inbound = (w: World) => w.database.db.select().from(inboundLog).orderBy(inboundLog.id).all()
const queued = (w: World) => w.database.db.select().from(outbox).orderBy(outbox.id).all()
const [fastWorld, honoWorld] = [() => worlds[0]!, () => worlds[1]!]

/** The requests to the callback path each server sent to Hono. */
const honoCallbacks = (w: World) => w.viaHono.filter((p) => p === WECOM_CALLBACK_PATH)

describe('the WeCom callback straight from node:http', () => {
  it('a signed, encrypted message is stored, answered 200 with no body, and the bot’s reply queued — as through Hono', async () => {
    const r = await signed(text('zhangsan_new', '帮助', '7100000000000000001'))
    const a = await both(r.path, r.body)
    expect(a.status).toBe(200)
    expect(a.body).toBe('')
    expect(a.headers['content-type']).toBeUndefined()
    for (const w of worlds) {
      expect(await inbound(w)).toMatchObject([{ platform: 'wecom', dedupeKey: 'msg:7100000000000000001', status: 'processed' }])
      // Nobody of ours: the bot asks them to bind, in the direct chat.
      const out = await queued(w)
      expect(out).toHaveLength(1)
      expect(out[0]).toMatchObject({ platform: 'wecom', address: 'zhangsan_new', addressKind: 'user', status: 'pending' })
      expect(JSON.stringify(out[0]!.body)).toContain('绑定')
    }
    // The fast server answered it itself; the other one through Hono.
    expect(honoCallbacks(fastWorld())).toEqual([])
    expect(honoCallbacks(honoWorld())).toEqual([WECOM_CALLBACK_PATH])
  })

  it('a repeated delivery is answered alike and stored once', async () => {
    const r = await signed(text('lisi_new', '帮助', '7100000000000000002'))
    await both(r.path, r.body)
    const again = await both(r.path, r.body)
    expect(again).toMatchObject({ status: 200, body: '' })
    for (const w of worlds) {
      expect(await inbound(w)).toHaveLength(1)
      expect(await queued(w)).toHaveLength(1)
    }
  })

  it('forged, stale, unsigned and malformed callbacks get the same 401 and 400, and the same log lines; nothing is stored', async () => {
    const good = await signed(text('wangwu_new', '帮助', '7100000000000000003'))
    const forged = good.path.replace(
      `msg_signature=${good.signature}`,
      `msg_signature=${good.signature.replace(/^./, (c) => (c === '0' ? '1' : '0'))}`,
    )
    expect(forged).not.toBe(good.path)
    expect(await both(forged, good.body)).toMatchObject({ status: 401, body: 'unauthorized' })

    const stale = await signed(text('wangwu_new', '帮助', '7100000000000000004'), { timestamp: String(Number(TS) - 9 * 3600) })
    expect(await both(stale.path, stale.body)).toMatchObject({ status: 401, body: 'unauthorized' })

    // No query string at all: the fast route takes it too (WECOM_CALLBACK_PATH exactly) and refuses it alike.
    expect(await both(WECOM_CALLBACK_PATH, good.body)).toMatchObject({ status: 401 })

    // Signed correctly over an Encrypt that is not WeCom's (only the content is wrong), and no envelope at all.
    const bad = 'bm90IHdlY29t'
    const sig = wecomSignature(APP.token, TS, '271828', bad)
    const malformed = callbackPath(`msg_signature=${sig}&timestamp=${TS}&nonce=271828`)
    const notXml = await both(malformed, 'not xml')
    expect(notXml).toMatchObject({ status: 400, body: 'bad request' })
    expect(notXml.headers['content-type']).toBe('text/plain; charset=UTF-8')
    expect((await both(malformed, '<xml><ToUserName>x</ToUserName></xml>')).status).toBe(400)

    for (const w of worlds) expect(await inbound(w)).toEqual([])
    expect(fastWorld().logs).toEqual(honoWorld().logs)
    expect(fastWorld().logs.map((l) => l.msg)).toContain('wecom callback refused')
    expect(fastWorld().logs.map((l) => l.msg)).toContain('wecom callback malformed')
    expect(honoCallbacks(fastWorld())).toEqual([])
  })

  it('a body over the limit gets the same 413, judged by Content-Length and counted when chunked; nothing is stored', async () => {
    const r = await signed(text('zhaoliu_new', '帮助', '7100000000000000005'))
    const big = `<xml><Encrypt><![CDATA[${'A'.repeat(MAX_BODY_BYTES)}]]></Encrypt></xml>`
    const byLength = await both(r.path, big)
    expect(byLength).toMatchObject({ status: 413, body: 'payload too large' })
    expect(byLength.headers['content-type']).toBe('text/plain; charset=UTF-8')
    expect(await both(r.path, big, { chunked: true })).toMatchObject({ status: 413, body: 'payload too large' })
    // A chunked body within the limit is read whole.
    expect(await both(r.path, r.body, { chunked: true })).toMatchObject({ status: 200, body: '' })
    for (const w of worlds) expect((await inbound(w)).map((row) => row.dedupeKey)).toEqual(['msg:7100000000000000005'])
    expect(fastWorld().logs.filter((l) => l.msg === 'wecom callback too large')).toHaveLength(2)
    expect(fastWorld().logs).toEqual(honoWorld().logs)
    expect(honoCallbacks(fastWorld())).toEqual([])
  })

  it('a card click the bot answers in time gets the same passive reply: the new card, encrypted and signed in the response', async () => {
    // The office's 身份绑定申请 card: an unbound account asks to be bound as someone of the roster.
    const [office] = await Promise.all(worlds.map(async (w) => (await peopleWithRole(w.database.db, 'office'))[0]!))
    const roster = await fastWorld().database.db.select().from(people).all()
    const someone = roster.find((p) => p.mobile && !(p.roles as string[]).includes('office'))!
    for (const w of worlds) await bindIdentity(w.database.db, office!.id, 'wecom', 'office1', NOW.getTime())
    const ask = await signed(text('newcomer', `绑定 ${someone.mobile}`, '7100000000000000006'))
    expect((await both(ask.path, ask.body)).status).toBe(200)
    const requestIds = await Promise.all(
      worlds.map(
        async (w) =>
          (await w.database.db
            .select()
            .from(bindRequests)
            .where(and(eq(bindRequests.userId, 'newcomer'), eq(bindRequests.state, 'pending')))
            .get())!.id,
      ),
    )
    expect(requestIds[0]).toBe(requestIds[1])

    // 拒绝 on that card: its new state (decided, no buttons) comes back in the callback's response.
    const key = JSON.stringify({ requestId: requestIds[0], cmd: 'rejectBind' })
    const click = await signed(cardClickXml(APP, 'office1', key, 'task_bind_1', { createTime: Number(TS), responseCode: 'rc_click_1' }))
    const answers: Answer[] = []
    for (const w of worlds) {
      answers.push(await send(w, click.path, click.body))
      await w.channel.receiver.idle()
    }
    const plains: string[] = []
    for (const a of answers) {
      expect(a.status).toBe(200)
      expect(a.headers['content-type']).toBe('application/xml; charset=utf-8')
      const reply = parseFlatXml(a.body)
      expect(reply).toMatchObject({ TimeStamp: TS, Nonce: '271828' })
      expect(wecomSignature(APP.token, TS, '271828', reply.Encrypt!)).toBe(reply.MsgSignature)
      const { msg, receiveId } = await decryptWecom(wecomKeys(APP.aesKey), reply.Encrypt!, APP.corpId)
      expect(receiveId).toBe(APP.corpId)
      plains.push(msg)
    }
    // Both answers alike but for the encryption's random bytes (same length: same headers, Content-Length included).
    expect(plains[0]).toBe(plains[1])
    expect(parseFlatXml(plains[0]!)).toMatchObject({ ToUserName: 'office1', FromUserName: APP.corpId, MsgType: 'update_button' })
    const blank = (a: Answer) => ({ ...seen(a), body: a.body.replace(/<Encrypt>.*?<\/Encrypt><MsgSignature>.*?<\/MsgSignature>/, '') })
    expect(blank(answers[0]!)).toEqual(blank(answers[1]!))
    for (const w of worlds) {
      const row = await w.database.db.select().from(bindRequests).where(eq(bindRequests.id, requestIds[0]!)).get()
      expect(row?.state).toBe('rejected')
    }
    expect(honoCallbacks(fastWorld())).toEqual([])
  })

  it('a callback that cannot be stored gets the app’s 500 on both paths', async () => {
    // A real failure of the database, not of the callback: the inbound log refuses every row.
    for (const w of worlds) w.database.sqlite.exec(`CREATE TRIGGER no_room BEFORE INSERT ON inbound_log BEGIN SELECT RAISE(ABORT, 'disk full'); END`)
    const r = await signed(text('sunqi_new', '帮助', '7100000000000000007'))
    const a = await both(r.path, r.body)
    expect(a.status).toBe(500)
    expect(JSON.parse(a.body)).toEqual({ ok: false, error: '服务器内部错误' })
    for (const w of worlds) expect(w.logs.filter((l) => l.level === 'error').map((l) => l.msg)).toEqual(['unhandled error'])
    expect(honoCallbacks(fastWorld())).toEqual([])
  })

  it('the URL verification GET and other methods stay on Hono', async () => {
    const q = await verificationQuery(APP, '8675309123456789', { timestamp: TS })
    for (const w of worlds) {
      const a = await send(w, callbackPath(q), '', { method: 'GET' })
      expect(a).toMatchObject({ status: 200, body: '8675309123456789' })
    }
    expect(honoCallbacks(fastWorld())).toEqual([WECOM_CALLBACK_PATH])
  })

  it('a Feishu webhook path with a query string still goes to Hono; without one the fast route answers it', async () => {
    const w = fastWorld()
    // Not mounted on this app's Hono: Hono's 404 shows where it went.
    const withQuery = await send(w, `${FEISHU_EVENTS_PATH}?from=console`, '{}')
    expect(withQuery.status).toBe(404)
    expect(JSON.parse(withQuery.body)).toEqual({ ok: false, error: '未找到' })
    expect(w.viaHono).toEqual([FEISHU_EVENTS_PATH])
    // Not Feishu's: the fast route refuses it itself.
    const plain = await send(w, FEISHU_EVENTS_PATH, '{}')
    expect({ status: plain.status, body: JSON.parse(plain.body) as unknown }).toEqual({ status: 400, body: { error: 'bad request' } })
    expect(w.viaHono).toEqual([FEISHU_EVENTS_PATH])
  })
})
