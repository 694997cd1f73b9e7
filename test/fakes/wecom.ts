/**
 * A fake WeCom API on 127.0.0.1 that behaves like the documented one (research/wecom.md §4–5), plus builders
 * for the signed, encrypted callbacks WeCom sends us.
 *
 * @example
 *   const fake = await startFakeWecom({ corpId: 'ww_test', secret: 's', agentId: 1000002 })
 *   const client = createWecomClient({ corpId: 'ww_test', secret: 's', agentId: 1000002, apiBase: fake.url })
 *   await client.send('zhangsan', { msgtype: 'text', text: { content: '你好' } })
 *   expect(fake.sent).toHaveLength(1)
 *
 * Endpoints: `GET /cgi-bin/gettoken?corpid&corpsecret` (40013 wrong corp, 40001 wrong secret, expires_in
 * 7200; repeated calls inside the window return the same token), `POST /cgi-bin/message/send?access_token`
 * (41001 missing token, 40014 unknown, 42001 expired; checks agentid 40056, touser, msgtype and its body:
 * text/markdown ≤ 2,048 bytes (45002), template_card button_interaction with task_id (unique: 42014),
 * main_title, ≤ 6 buttons with unique keys; a member outside the visibility → 81013; per member 30/min →
 * 45009), `POST /cgi-bin/message/update_template_card` (a response_code — from the send, or from a click,
 * `clickCode` — is good for one call within 72 h; a second use, an unknown or expired one answers 60140
 * 无效的response_code, as the global code list /90313 says; a `template_card` must keep the card's task_id and
 * pass the same checks as a send), `POST /cgi-bin/appchat/create` and `appchat/send` (the 86xxx codes of /90313). `cards` holds what each member's card shows now. `failNext`
 * injects an answer (e.g. 60020), `expireTokens` makes every token expire.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { encryptWecom, wecomKeys, wecomSignature } from '../../src/channels/wecom/crypto.ts'

export interface FakeWecomOptions {
  corpId: string
  secret: string
  agentId: number
  /** Members outside the app's visibility (81013). */
  invisible?: string[]
  /** Messages per member per minute (WeCom: 30; beyond it WeCom drops silently, the fake answers 45009). */
  perMemberPerMinute?: number
  tokenTtlSeconds?: number
  now?: () => number
  /** Group robot webhook keys that exist (`POST /cgi-bin/webhook/send?key=`). */
  robotKeys?: string[]
}

export interface WecomSent {
  at: number
  touser: string
  msgtype: string
  body: Record<string, unknown>
  msgid: string
  responseCode?: string
}

export interface FakeWecom {
  url: string
  close(): Promise<void>
  sent: WecomSent[]
  updates: { at: number; body: Record<string, unknown> }[]
  /** What each card shows each member now, by task_id then userid (template_card, or `{replacedBy}` after a button update). */
  cards: Map<string, Map<string, Record<string, unknown>>>
  /** 应用群聊 the app created (chatid → name, owner, members) and what it posted to them. */
  appChats: Map<string, { name: string; owner: string; userlist: string[] }>
  appChatSent: { chatid: string; msgtype: string; body: Record<string, unknown> }[]
  /** What group robots posted (`/cgi-bin/webhook/send`), with an image's decoded bytes. */
  robotSent: { key: string; msgtype: string; body: Record<string, unknown>; png?: Uint8Array }[]
  /** The fresh ResponseCode WeCom puts in the callback of a member's click on a card (single-use, 72 h). */
  clickCode(taskId: string): string
  requests: { at: number; path: string; errcode: number }[]
  tokenRequests: number
  invisible: Set<string>
  /** Every token issued so far expires now (the next call gets 42001). */
  expireTokens(): void
  /** Forgets every token (the next call gets 40014). */
  revokeTokens(): void
  /** The next `count` API calls (not gettoken) answer this errcode. */
  failNext(errcode: number, errmsg?: string, count?: number): void
}

const TEXT_MAX = 2048
const MSGTYPES = new Set(['text', 'markdown', 'template_card', 'image', 'voice', 'video', 'file', 'textcard', 'news', 'mpnews', 'miniprogram_notice'])
const TASK_ID = /^[0-9a-zA-Z_\-@]{1,128}$/

export async function startFakeWecom(o: FakeWecomOptions): Promise<FakeWecom> {
  const now = o.now ?? (() => Date.now())
  const ttl = (o.tokenTtlSeconds ?? 7200) * 1000
  const tokens = new Map<string, number>()
  let current: { token: string; expiresAt: number } | undefined
  const windows = new Map<string, number[]>()
  const taskIds = new Set<string>()
  const responseCodes = new Map<string, { at: number; used: boolean; taskId: string }>()
  const failures: { errcode: number; errmsg: string }[] = []
  let seq = 0

  const fake: FakeWecom = {
    url: '',
    close: async () => {},
    sent: [],
    updates: [],
    robotSent: [],
    appChats: new Map(),
    appChatSent: [],
    cards: new Map(),
    clickCode(taskId) {
      const code = `rc_click_${randomBytes(8).toString('hex')}`
      responseCodes.set(code, { at: now(), used: false, taskId })
      return code
    },
    requests: [],
    tokenRequests: 0,
    invisible: new Set(o.invisible),
    expireTokens() {
      for (const k of tokens.keys()) tokens.set(k, 0)
      if (current) current.expiresAt = 0
    },
    revokeTokens() {
      tokens.clear()
      current = undefined
    },
    failNext(errcode, errmsg = 'injected', count = 1) {
      for (let i = 0; i < count; i++) failures.push({ errcode, errmsg })
    },
  }

  type Answer = Record<string, unknown> & { errcode: number; errmsg: string }
  const ok = (extra: Record<string, unknown> = {}): Answer => ({ errcode: 0, errmsg: 'ok', ...extra })
  const err = (errcode: number, errmsg: string): Answer => ({ errcode, errmsg })

  function authorize(url: URL): Answer | undefined {
    const t = url.searchParams.get('access_token')
    if (!t) return err(41001, 'access_token missing')
    const exp = tokens.get(t)
    if (exp === undefined) return err(40014, 'invalid access_token')
    if (exp <= now()) return err(42001, 'access_token expired')
    return undefined
  }

  function take(key: string, max: number, windowMs: number): boolean {
    const t = now()
    const list = (windows.get(key) ?? []).filter((x) => x > t - windowMs)
    windows.set(key, list)
    if (list.length >= max) return false
    list.push(t)
    return true
  }

  function checkMessage(body: Record<string, unknown>, update = false): Answer | undefined {
    const msgtype = body.msgtype
    if (typeof msgtype !== 'string' || !MSGTYPES.has(msgtype)) return err(40008, `invalid message type ${String(msgtype)}`)
    const inner = body[msgtype]
    if (typeof inner !== 'object' || inner === null) return err(41011, `missing ${msgtype}`)
    const x = inner as Record<string, unknown>
    if (msgtype === 'text' || msgtype === 'markdown') {
      if (typeof x.content !== 'string' || !x.content) return err(41016, 'content missing')
      if (Buffer.byteLength(x.content) > TEXT_MAX) return err(45002, 'content size out of limit')
    }
    if (msgtype === 'template_card') {
      if (x.card_type !== 'button_interaction' && x.card_type !== 'text_notice') return err(40058, 'card_type invalid')
      if (typeof x.task_id !== 'string' || !TASK_ID.test(x.task_id)) return err(40058, 'task_id invalid')
      if (taskIds.has(x.task_id) && !update) return err(42014, 'task_id duplicated')
      const title = x.main_title as { title?: unknown } | undefined
      if (!title || typeof title.title !== 'string' || !title.title) return err(40058, 'main_title.title missing')
      if (Array.from(title.title).length > 36) return err(40058, 'main_title.title too long')
      if (x.card_type === 'button_interaction') {
        const buttons = x.button_list
        if (!Array.isArray(buttons) || buttons.length < 1 || buttons.length > 6) return err(40058, 'button_list must hold 1..6 buttons')
        const keys = new Set<string>()
        for (const b of buttons as Record<string, unknown>[]) {
          if (typeof b.text !== 'string' || !b.text || Array.from(b.text).length > 10) return err(40058, 'button text invalid')
          if (b.type === 1 && (typeof b.url !== 'string' || !/^https?:\/\//.test(b.url))) return err(40058, 'button url invalid')
          if ((b.type ?? 0) === 0) {
            if (typeof b.key !== 'string' || !b.key || Buffer.byteLength(b.key) > 1024) return err(40058, 'button key invalid')
            if (keys.has(b.key)) return err(40058, 'button key duplicated')
            keys.add(b.key)
          }
        }
      }
      const list = x.horizontal_content_list
      if (list !== undefined && (!Array.isArray(list) || list.length > 6)) return err(40058, 'horizontal_content_list holds at most 6')
      if (typeof x.sub_title_text === 'string' && Array.from(x.sub_title_text).length > 160) return err(40058, 'sub_title_text too long')
    }
    return undefined
  }

  /** A group robot's webhook (doc /91770): 20 messages a minute per robot, counted even when refused. */
  function robot(url: URL, body: Record<string, unknown>): Answer {
    const key = url.searchParams.get('key') ?? ''
    if (!(o.robotKeys ?? []).includes(key)) return err(93000, 'invalid webhook url')
    if (!take(`robot:${key}`, 20, 60_000)) return err(45009, 'api freq out of limit')
    const msgtype = String(body.msgtype)
    const inner = (body[msgtype] ?? {}) as Record<string, unknown>
    if (msgtype === 'text' || msgtype === 'markdown') {
      const max = msgtype === 'text' ? 2048 : 4096
      if (typeof inner.content !== 'string' || !inner.content) return err(41016, 'content missing')
      if (Buffer.byteLength(inner.content) > max) return err(45002, 'content size out of limit')
      fake.robotSent.push({ key, msgtype, body })
      return ok()
    }
    if (msgtype === 'image') {
      const bytes = typeof inner.base64 === 'string' ? Buffer.from(inner.base64, 'base64') : Buffer.alloc(0)
      if (!bytes.length || bytes.length > 2 * 1024 * 1024) return err(40009, 'invalid image size')
      if (createHash('md5').update(bytes).digest('hex') !== inner.md5) return err(40058, 'md5 mismatch')
      fake.robotSent.push({ key, msgtype, body, png: new Uint8Array(bytes) })
      return ok()
    }
    return err(40008, `invalid message type ${msgtype}`)
  }

  function handle(method: string, url: URL, raw: string): Answer {
    const path = url.pathname
    if (method === 'GET' && path === '/cgi-bin/gettoken') {
      if (url.searchParams.get('corpid') !== o.corpId) return err(40013, 'invalid corpid')
      if (url.searchParams.get('corpsecret') !== o.secret) return err(40001, 'invalid credential')
      const t = now()
      if (!current || current.expiresAt <= t) {
        current = { token: `tok_${randomUUID().replaceAll('-', '')}`, expiresAt: t + ttl }
        tokens.set(current.token, current.expiresAt)
      }
      fake.tokenRequests++
      return ok({ access_token: current.token, expires_in: Math.floor((current.expiresAt - t) / 1000) })
    }
    let body: Record<string, unknown> = {}
    if (raw) {
      try {
        const v: unknown = JSON.parse(raw)
        if (v && typeof v === 'object' && !Array.isArray(v)) body = v as Record<string, unknown>
        else return err(47001, 'data format error')
      } catch {
        return err(47001, 'data format error')
      }
    }
    if (method === 'POST' && path === '/cgi-bin/webhook/send') return robot(url, body)
    const denied = authorize(url)
    if (denied) return denied
    const injected = failures.shift()
    if (injected) return err(injected.errcode, injected.errmsg)

    if (method === 'POST' && path === '/cgi-bin/message/send') {
      if (body.agentid !== o.agentId) return err(40056, 'invalid agentid')
      const touser = body.touser
      if (typeof touser !== 'string' || !touser) return err(40003, 'invalid userid')
      const bad = checkMessage(body)
      if (bad) return bad
      const users = touser.split('|')
      if (users.every((u) => fake.invisible.has(u))) return err(81013, 'user & party & tag all invalid')
      for (const u of users) if (!take(`member:${u}`, o.perMemberPerMinute ?? 30, 60_000)) return err(45009, 'api freq out of limit')
      const msgtype = body.msgtype as string
      const msgid = `msg_${(seq += 1)}_${randomBytes(4).toString('hex')}`
      let responseCode: string | undefined
      if (msgtype === 'template_card') {
        const card = body.template_card as Record<string, unknown> & { task_id: string }
        taskIds.add(card.task_id)
        responseCode = `rc_${randomBytes(8).toString('hex')}`
        responseCodes.set(responseCode, { at: now(), used: false, taskId: card.task_id })
        fake.cards.set(card.task_id, new Map(users.map((u) => [u, card])))
      }
      fake.sent.push({ at: now(), touser, msgtype, body, msgid, ...(responseCode && { responseCode }) })
      return ok({ invaliduser: '', msgid, ...(responseCode && { response_code: responseCode }) })
    }

    if (method === 'POST' && path === '/cgi-bin/appchat/create') {
      const { name, owner, userlist, chatid } = body as { name?: unknown; owner?: unknown; userlist?: unknown; chatid?: unknown }
      // The codes of the global list (/90313): 86004 群名不合法, 86006 群成员数过多或过少, 86207 群主不在群成员列表,
      // 86216 存在非法会话成员ID, 86001 chatid 不合法, 86215 会话ID已经存在.
      if (typeof name !== 'string' || !name || Array.from(name).length > 50) return err(86004, 'invalid chat name')
      if (!Array.isArray(userlist) || userlist.length < 2 || userlist.length > 2000) return err(86006, 'invalid userlist size')
      if (typeof owner !== 'string' || !userlist.includes(owner)) return err(86207, 'owner not in userlist')
      if (userlist.some((u) => fake.invisible.has(String(u)))) return err(86216, 'invalid chat member')
      const id = typeof chatid === 'string' && chatid ? chatid : `wr${randomBytes(8).toString('hex')}`
      if (!/^[0-9a-zA-Z]{1,32}$/.test(id)) return err(86001, 'invalid chatid')
      if (fake.appChats.has(id)) return err(86215, 'chatid exists')
      fake.appChats.set(id, { name, owner, userlist: userlist.map(String) })
      return ok({ chatid: id })
    }

    if (method === 'POST' && path === '/cgi-bin/appchat/send') {
      const chatid = String(body.chatid ?? '')
      if (!fake.appChats.has(chatid)) return err(86003, 'chat not exist')
      const msgtype = String(body.msgtype)
      if (!['text', 'markdown', 'image', 'voice', 'video', 'file', 'textcard', 'news', 'mpnews'].includes(msgtype))
        return err(40008, `invalid message type ${msgtype}`)
      const bad = checkMessage(body)
      if (bad) return bad
      fake.appChatSent.push({ chatid, msgtype, body })
      return ok({ msgid: `msg_${(seq += 1)}` })
    }

    if (method === 'POST' && path === '/cgi-bin/message/update_template_card') {
      if (body.agentid !== o.agentId) return err(40056, 'invalid agentid')
      const code = typeof body.response_code === 'string' ? responseCodes.get(body.response_code) : undefined
      if (!code || code.used || now() - code.at > 72 * 3600_000) return err(60140, 'invalid response_code')
      const userids = body.userids
      if (!Array.isArray(userids) || userids.length === 0 || userids.length > 1000) return err(40058, 'userids invalid')
      const shown = fake.cards.get(code.taskId) ?? new Map<string, Record<string, unknown>>()
      let next: Record<string, unknown>
      if (body.template_card) {
        const bad = checkMessage({ msgtype: 'template_card', template_card: body.template_card }, true)
        if (bad) return bad
        if ((body.template_card as { task_id?: unknown }).task_id !== code.taskId) return err(40058, 'task_id does not match the response_code')
        next = body.template_card as Record<string, unknown>
      } else if (body.button && typeof (body.button as { replace_name?: unknown }).replace_name === 'string') {
        next = { replacedBy: (body.button as { replace_name: string }).replace_name }
      } else return err(40058, 'button or template_card required')
      code.used = true
      const invalid = (userids as string[]).filter((u) => !shown.has(u))
      for (const u of userids as string[]) if (shown.has(u)) shown.set(u, next)
      fake.updates.push({ at: now(), body })
      return ok({ invaliduser: invalid })
    }
    return err(404, `no route ${method} ${path}`)
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake')
      const answer = handle(req.method ?? 'GET', url, Buffer.concat(chunks).toString('utf8'))
      fake.requests.push({ at: now(), path: url.pathname, errcode: answer.errcode })
      // WeCom answers HTTP 200 with the errcode in the body, errors included.
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' })
      res.end(JSON.stringify(answer))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  fake.close = () =>
    new Promise<void>((resolve, reject) => {
      server.closeAllConnections()
      server.close((e) => (e ? reject(e) : resolve()))
    })
  return fake
}

// ---------------------------------------------------------------------------------------------------------
// What WeCom sends us

export interface WecomApp {
  corpId: string
  agentId: number
  token: string
  aesKey: string
}

const cdata = (s: string) => `<![CDATA[${s.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`

/** The decrypted XML of a callback from flat fields (strings in CDATA, numbers bare). */
export function callbackXml(fields: Record<string, string | number>): string {
  return `<xml>${Object.entries(fields)
    .map(([k, v]) => `<${k}>${typeof v === 'number' ? v : cdata(v)}</${k}>`)
    .join('')}</xml>`
}

let msgSeq = 0

/** A text message from a member, as decrypted XML. */
export function textXml(app: WecomApp, from: string, content: string, o: { msgId?: string; createTime?: number } = {}) {
  return callbackXml({
    ToUserName: app.corpId,
    FromUserName: from,
    CreateTime: o.createTime ?? Math.floor(Date.now() / 1000),
    MsgType: 'text',
    Content: content,
    MsgId: o.msgId ?? `7${String(Date.now()).slice(-9)}${String((msgSeq += 1)).padStart(9, '0')}`,
    AgentID: app.agentId,
  })
}

/** A template card button click (`template_card_event`) as decrypted XML. */
export function cardClickXml(app: WecomApp, from: string, eventKey: string, taskId: string, o: { createTime?: number; responseCode?: string } = {}) {
  return callbackXml({
    ToUserName: app.corpId,
    FromUserName: from,
    CreateTime: o.createTime ?? Math.floor(Date.now() / 1000),
    MsgType: 'event',
    Event: 'template_card_event',
    EventKey: eventKey,
    TaskId: taskId,
    CardType: 'button_interaction',
    ResponseCode: o.responseCode ?? 'rc_fake',
    AgentID: app.agentId,
  })
}

/** `enter_agent` (the member opened the app) as decrypted XML. */
export function enterAgentXml(app: WecomApp, from: string, o: { createTime?: number } = {}) {
  return callbackXml({
    ToUserName: app.corpId,
    FromUserName: from,
    CreateTime: o.createTime ?? Math.floor(Date.now() / 1000),
    MsgType: 'event',
    Event: 'enter_agent',
    EventKey: '',
    AgentID: app.agentId,
  })
}

export interface CallbackOptions {
  /** Seconds; default now. */
  timestamp?: string
  nonce?: string
  /** The receiveid inside the plaintext (default the app's corp id). */
  receiveId?: string
  /** `json`: the JSON envelope (console set to JSON). */
  format?: 'xml' | 'json'
}

/** The query string and body WeCom would POST for a decrypted callback `plain`. */
export async function callbackRequest(app: WecomApp, plain: string, o: CallbackOptions = {}) {
  const timestamp = o.timestamp ?? String(Math.floor(Date.now() / 1000))
  const nonce = o.nonce ?? String(Math.floor(Math.random() * 1e9))
  const encrypt = await encryptWecom(wecomKeys(app.aesKey), plain, o.receiveId ?? app.corpId)
  const signature = wecomSignature(app.token, timestamp, nonce, encrypt)
  const body =
    o.format === 'json'
      ? JSON.stringify({ tousername: app.corpId, encrypt, agentid: String(app.agentId) })
      : `<xml><ToUserName>${cdata(app.corpId)}</ToUserName><Encrypt>${cdata(encrypt)}</Encrypt><AgentID>${cdata(String(app.agentId))}</AgentID></xml>`
  const query = new URLSearchParams({ msg_signature: signature, timestamp, nonce }).toString()
  return { query, body, encrypt, signature, timestamp, nonce }
}

/** The query of a URL verification GET for `echo` (what the admin console sends when the URL is saved). */
export async function verificationQuery(app: WecomApp, echo: string, o: { timestamp?: string; nonce?: string } = {}) {
  const timestamp = o.timestamp ?? String(Math.floor(Date.now() / 1000))
  const nonce = o.nonce ?? '263014780'
  const echostr = await encryptWecom(wecomKeys(app.aesKey), echo, app.corpId)
  return new URLSearchParams({ msg_signature: wecomSignature(app.token, timestamp, nonce, echostr), timestamp, nonce, echostr }).toString()
}
