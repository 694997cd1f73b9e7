/**
 * A fake Feishu open API on 127.0.0.1 that behaves like the documented one (feishu.md §3–4), plus builders
 * for the webhook bodies Feishu sends us (events, card callbacks, signed + encrypted requests).
 *
 * @example
 *   const fake = await startFakeFeishu({ appId: 'cli_test', appSecret: 'secret' })
 *   const sender = createSdkSender({ appId: 'cli_test', appSecret: 'secret', domain: fake.url })
 *   await sender.send({ chatId: 'oc_1' }, renderBody(body))
 *   expect(fake.sent).toHaveLength(1)
 *   await fake.close()
 *
 * Endpoints: tenant token, send (`POST /open-apis/im/v1/messages?receive_id_type=…`), reply, PATCH card,
 * bot info, the directory by mobile (`POST /open-apis/contact/v3/users/batch_get_id?user_id_type=…` with
 * `{"mobiles": […]}`: token required, ≤ 50 mobiles, one `user_list` entry per mobile, unknown ones without
 * `user_id`; 99991672 when the app lacks contact:user.id:readonly — `directoryDenied`). Errors: 10003/10014 (credentials), 99991661/99991663 (token), 99991400 + HTTP 429 +
 * `x-ogw-ratelimit-reset` (app 50/s, 1000/min), 230020 (5 QPS per receiver / per card patch), 230001
 * (bad params), 230002/230013/230053 (configurable receivers), 230025 (too long), 230099 (invalid card,
 * checked with our `validateCard`). `uuid` dedupes for 1 h.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { randomUUID } from 'node:crypto'
import { encrypt, sha256Hex } from '../../src/channels/feishu/crypto.ts'
import { CARD_MAX_BYTES, validateCard } from '../../src/channels/feishu/render.ts'

export interface FakeLimits {
  /** Send + reply calls per app per second (Feishu: 50). */
  appPerSecond: number
  /** Send + reply calls per app per minute (Feishu: 1000). */
  appPerMinute: number
  /** Messages per receiver (user or chat) per second (Feishu: 5). */
  perReceiverPerSecond: number
  /** PATCH calls per message per second (Feishu: 5). */
  perMessagePatchPerSecond: number
}

export const FEISHU_LIMITS: FakeLimits = {
  appPerSecond: 50,
  appPerMinute: 1000,
  perReceiverPerSecond: 5,
  perMessagePatchPerSecond: 5,
}

export interface FakeFeishuOptions {
  appId: string
  appSecret: string
  limits?: Partial<FakeLimits>
  botOpenId?: string
  botName?: string
  /** Receivers outside the app's availability range (230013). */
  outOfRange?: string[]
  /** Chats the bot is not in (230002). */
  botNotInGroup?: string[]
  /** Users who stopped the bot (230053). */
  stoppedBot?: string[]
  /** The tenant's directory: mobile → open_id (users in the app's availability range). */
  directory?: Record<string, string>
  /** The app was not granted contact:user.id:readonly (batch_get_id answers 99991672). */
  directoryDenied?: boolean
  /** Token lifetime in seconds (Feishu: 7200). */
  tokenTtlSeconds?: number
  /** Clock in ms (defaults to Date.now), for the uuid window, token expiry and rate windows. */
  now?: () => number
}

export interface SentRecord {
  /** Clock time (ms) when the fake accepted it. */
  at: number
  kind: 'send' | 'reply' | 'patch'
  messageId: string
  receiveIdType?: string
  receiveId?: string
  /** The chat the message is in (chat_id, or `p2p:<open_id>` for messages sent to a user). */
  chatId: string
  msgType: string
  /** The `content` string as received. */
  content: string
  /** `content` parsed (for cards: the card JSON). */
  parsed: unknown
  uuid?: string
  replyTo?: string
  replyInThread?: boolean
}

export interface RequestRecord {
  at: number
  method: string
  path: string
  status: number
  code: number
}

export interface InjectedFailure {
  status: number
  code?: number
  msg?: string
  headers?: Record<string, string>
  /** Only for paths starting with this (default: any API path except the token endpoint). */
  pathPrefix?: string
}

export interface FakeFeishu {
  url: string
  close(): Promise<void>
  /** Every accepted send, reply and patch, in order. */
  sent: SentRecord[]
  /** Every request with the status and Feishu code returned. */
  requests: RequestRecord[]
  /** Successful token requests. */
  tokenRequests: number
  /** Distinct tokens minted. */
  tokensIssued: number
  botOpenId: string
  outOfRange: Set<string>
  botNotInGroup: Set<string>
  stoppedBot: Set<string>
  limits: FakeLimits
  /** Invalidates every token (the next API call gets 99991663). */
  revokeTokens(): void
  /** The next `count` API calls fail with this response. */
  failNext(failure: InjectedFailure, count?: number): void
  /** Registers a message someone else sent (so replies know its chat). */
  addMessage(messageId: string, chatId: string): void
  /** The current content of a message (after patches). */
  messageContent(messageId: string): unknown
  /** mobile → open_id, editable by tests. */
  directory: Map<string, string>
  directoryDenied: boolean
  /** Every batch_get_id call's mobiles, in order. */
  directoryLookups: string[][]
  /** Accepted delayed card updates (`POST /open-apis/interactive/v1/card/update`), in order. */
  delayedUpdates: { at: number; token: string; card: Record<string, unknown> }[]
}

/** Delayed-update tokens (`c-…`, from a card callback's `event.token`) work this many times, for 30 min. */
const DELAYED_UPDATE_USES = 2

interface StoredMessage {
  chatId: string
  msgType: string
  content: string
  fromApp: boolean
  createdAt: number
}

const MSG_TYPES = new Set(['text', 'post', 'image', 'file', 'audio', 'media', 'sticker', 'interactive', 'share_chat', 'share_user', 'system'])
const RECEIVE_ID_TYPES = new Set(['open_id', 'union_id', 'user_id', 'email', 'chat_id'])
const TEXT_MAX_BYTES = 150 * 1024
const UUID_WINDOW_MS = 3600_000

export async function startFakeFeishu(options: FakeFeishuOptions): Promise<FakeFeishu> {
  const now = options.now ?? (() => Date.now())
  const limits: FakeLimits = { ...FEISHU_LIMITS, ...options.limits }
  const tokens = new Map<string, number>() // token → expiresAt
  let current: { token: string; expiresAt: number } | undefined
  const ttl = (options.tokenTtlSeconds ?? 7200) * 1000
  const messages = new Map<string, StoredMessage>()
  const uuids = new Map<string, { messageId: string; at: number; response: unknown }>()
  const windows = new Map<string, number[]>()
  const failures: InjectedFailure[] = []
  let seq = 0

  const fake: FakeFeishu = {
    url: '',
    close: async () => {},
    sent: [],
    requests: [],
    tokenRequests: 0,
    tokensIssued: 0,
    botOpenId: options.botOpenId ?? 'ou_bot_fake',
    outOfRange: new Set(options.outOfRange),
    botNotInGroup: new Set(options.botNotInGroup),
    stoppedBot: new Set(options.stoppedBot),
    limits,
    revokeTokens() {
      tokens.clear()
      current = undefined
    },
    failNext(failure, count = 1) {
      for (let i = 0; i < count; i++) failures.push(failure)
    },
    addMessage(messageId, chatId) {
      messages.set(messageId, { chatId, msgType: 'text', content: '{}', fromApp: false, createdAt: now() })
    },
    delayedUpdates: [],
    directory: new Map(Object.entries(options.directory ?? {})),
    directoryDenied: options.directoryDenied ?? false,
    directoryLookups: [],
    messageContent(messageId) {
      const m = messages.get(messageId)
      return m ? JSON.parse(m.content) : undefined
    },
  }

  /** Sliding-window limiter: true (and counted) when under `max` calls in the last `windowMs`. */
  function take(key: string, max: number, windowMs: number): { ok: true } | { ok: false; resetSeconds: number } {
    const t = now()
    const list = (windows.get(key) ?? []).filter((x) => x > t - windowMs)
    windows.set(key, list)
    if (list.length >= max) {
      const oldest = list[0] ?? t
      return { ok: false, resetSeconds: Math.max(1, Math.ceil((oldest + windowMs - t) / 1000)) }
    }
    list.push(t)
    return { ok: true }
  }
  function peek(key: string, max: number, windowMs: number) {
    const t = now()
    const list = (windows.get(key) ?? []).filter((x) => x > t - windowMs)
    windows.set(key, list)
    return list.length < max
  }

  type Reply = { status: number; body: Record<string, unknown>; headers?: Record<string, string> }
  const ok = (body: Record<string, unknown>): Reply => ({ status: 200, body: { code: 0, msg: 'success', ...body } })
  const err = (status: number, code: number, msg: string, headers?: Record<string, string>): Reply => ({
    status,
    body: { code, msg },
    ...(headers && { headers }),
  })

  function authorize(req: IncomingMessage): Reply | undefined {
    const auth = req.headers.authorization
    if (!auth) return err(400, 99991661, 'Missing access token for authorization. Please make a request with token attached.')
    const token = /^Bearer (.+)$/.exec(auth)?.[1]
    const exp = token ? tokens.get(token) : undefined
    if (!exp || exp <= now()) return err(400, 99991663, 'Invalid access token for authorization. Please make a request with token attached.')
    return undefined
  }

  function appLimit(): Reply | undefined {
    const perSecond = peek('app:s', limits.appPerSecond, 1000)
    const perMinute = peek('app:m', limits.appPerMinute, 60_000)
    if (perSecond && perMinute) {
      take('app:s', limits.appPerSecond, 1000)
      take('app:m', limits.appPerMinute, 60_000)
      return undefined
    }
    const r = perSecond ? take('app:m', limits.appPerMinute, 60_000) : take('app:s', limits.appPerSecond, 1000)
    const reset = r.ok ? 1 : r.resetSeconds
    return err(429, 99991400, 'request trigger frequency limit', {
      'x-ogw-ratelimit-limit': String(perSecond ? limits.appPerMinute : limits.appPerSecond),
      'x-ogw-ratelimit-reset': String(reset),
    })
  }

  /** Checks msg_type + content; returns the parsed content or an error reply. */
  function checkContent(msgType: unknown, content: unknown): { parsed: unknown } | Reply {
    if (typeof msgType !== 'string' || !MSG_TYPES.has(msgType)) return err(400, 230001, `invalid msg_type: ${String(msgType)}`)
    if (typeof content !== 'string') return err(400, 230001, 'content must be a JSON string')
    let parsed: unknown
    try {
      parsed = JSON.parse(content)
    } catch {
      return err(400, 230001, 'content is not valid JSON')
    }
    if (typeof parsed !== 'object' || parsed === null) return err(400, 230001, 'content must be a JSON object')
    const bytes = Buffer.byteLength(content)
    if (msgType === 'text') {
      if (typeof (parsed as { text?: unknown }).text !== 'string') return err(400, 230001, 'text content needs "text"')
      if (bytes > TEXT_MAX_BYTES) return err(400, 230025, 'The message content is too long')
    }
    if (msgType === 'interactive') {
      if (bytes > CARD_MAX_BYTES) return err(400, 230025, 'The card content is too long')
      const problems = validateCard(parsed)
      if (problems.length) return err(400, 230099, `Failed to create card content, ext=ErrCode: 200621; ${problems.join('; ')}`)
    }
    return { parsed }
  }

  function receiverProblem(id: string): Reply | undefined {
    if (fake.outOfRange.has(id)) return err(400, 230013, 'Bot has NO availability to this user.')
    if (fake.stoppedBot.has(id)) return err(400, 230053, 'The user has stopped the bot from sending messages.')
    if (fake.botNotInGroup.has(id)) return err(400, 230002, 'Bot/User can NOT be out of the chat.')
    return undefined
  }

  function newMessageId(): string {
    seq += 1
    return `om_fake${String(seq).padStart(8, '0')}`
  }

  function messageData(id: string, m: StoredMessage, extra: Record<string, unknown> = {}) {
    return {
      message_id: id,
      msg_type: m.msgType,
      create_time: String(m.createdAt),
      update_time: String(now()),
      deleted: false,
      updated: false,
      chat_id: m.chatId,
      sender: { id: options.appId, id_type: 'app_id', sender_type: 'app', tenant_key: 'fake_tenant' },
      body: { content: m.content },
      ...extra,
    }
  }

  /** Shared by send and reply after their own checks. */
  function deliver(
    kind: 'send' | 'reply',
    chatId: string,
    msgType: string,
    content: string,
    parsed: unknown,
    extra: Partial<SentRecord>,
    uuid: string | undefined,
  ): Reply {
    const t = now()
    if (uuid) {
      const hit = uuids.get(`${kind}:${uuid}`)
      if (hit && t - hit.at < UUID_WINDOW_MS) return ok({ data: hit.response })
    }
    const limit = take(`recv:${chatId}`, limits.perReceiverPerSecond, 1000)
    if (!limit.ok) return err(400, 230020, 'This operation triggers the frequency limit.')
    const id = newMessageId()
    const stored: StoredMessage = { chatId, msgType, content, fromApp: true, createdAt: t }
    messages.set(id, stored)
    const data = messageData(id, stored, extra.replyTo ? { parent_id: extra.replyTo, root_id: extra.replyTo } : {})
    if (uuid) uuids.set(`${kind}:${uuid}`, { messageId: id, at: t, response: data })
    fake.sent.push({ at: t, kind, messageId: id, chatId, msgType, content, parsed, ...(uuid && { uuid }), ...extra })
    return ok({ data })
  }

  async function handle(req: IncomingMessage, raw: string): Promise<Reply> {
    const url = new URL(req.url ?? '/', 'http://fake')
    const path = url.pathname
    const method = req.method ?? 'GET'
    let body: Record<string, unknown> = {}
    if (raw) {
      try {
        const parsed: unknown = JSON.parse(raw)
        if (typeof parsed === 'object' && parsed !== null) body = parsed as Record<string, unknown>
      } catch {
        return err(400, 9499, 'Bad Request: body is not JSON')
      }
    }

    if (method === 'POST' && path === '/open-apis/auth/v3/tenant_access_token/internal') {
      if (body.app_id !== options.appId) return err(400, 10003, 'invalid param')
      if (body.app_secret !== options.appSecret) return err(400, 10014, 'app secret invalid')
      const t = now()
      if (!current || current.expiresAt - t < 30 * 60_000) {
        current = { token: `t-${randomUUID().replaceAll('-', '')}`, expiresAt: t + ttl }
        tokens.set(current.token, current.expiresAt)
        fake.tokensIssued += 1
      }
      fake.tokenRequests += 1
      return {
        status: 200,
        body: { code: 0, msg: 'ok', tenant_access_token: current.token, expire: Math.floor((current.expiresAt - t) / 1000) },
      }
    }

    const injected = failures[0]
    if (injected && (!injected.pathPrefix || path.startsWith(injected.pathPrefix))) {
      failures.shift()
      return err(injected.status, injected.code ?? 0, injected.msg ?? 'injected failure', injected.headers)
    }

    const denied = authorize(req)

    if (method === 'GET' && path === '/open-apis/bot/v3/info') {
      if (denied) return denied
      return {
        status: 200,
        body: {
          code: 0,
          msg: 'ok',
          bot: {
            activate_status: 2,
            app_name: options.botName ?? '调度助手',
            avatar_url: '',
            ip_white_list: [],
            open_id: fake.botOpenId,
          },
        },
      }
    }

    if (method === 'POST' && path === '/open-apis/contact/v3/users/batch_get_id') {
      if (denied) return denied
      if (fake.directoryDenied) {
        return err(400, 99991672, 'Access denied. One of the following scopes is required: [contact:user.id:readonly].')
      }
      const type = url.searchParams.get('user_id_type') ?? 'open_id'
      if (!['open_id', 'union_id', 'user_id'].includes(type)) return err(400, 99992402, `field validation failed: user_id_type ${type}`)
      const mobiles = body.mobiles ?? []
      const emails = body.emails ?? []
      if (!Array.isArray(mobiles) || !mobiles.every((m) => typeof m === 'string')) return err(400, 99992402, 'field validation failed: mobiles')
      if (!Array.isArray(emails)) return err(400, 99992402, 'field validation failed: emails')
      if (mobiles.length > 50 || emails.length > 50) return err(400, 99992402, 'field validation failed: at most 50 mobiles and 50 emails')
      fake.directoryLookups.push(mobiles as string[])
      const idOf = (openId: string) => (type === 'open_id' ? openId : type === 'union_id' ? `on_${openId.slice(3)}` : openId.slice(3, 11))
      const user_list = (mobiles as string[]).map((mobile) => {
        const openId = fake.directory.get(mobile)
        return openId
          ? {
              user_id: idOf(openId),
              mobile,
              status: { is_frozen: false, is_resigned: false, is_activated: true, is_exited: false, is_unjoin: false },
            }
          : { mobile }
      })
      return ok({ data: { user_list } })
    }

    if (method === 'POST' && path === '/open-apis/im/v1/messages') {
      if (denied) return denied
      const limited = appLimit()
      if (limited) return limited
      const type = url.searchParams.get('receive_id_type')
      if (!type || !RECEIVE_ID_TYPES.has(type)) return err(400, 230001, `invalid receive_id_type: ${String(type)}`)
      const receiveId = body.receive_id
      if (typeof receiveId !== 'string' || !receiveId) return err(400, 230001, 'receive_id is required')
      const c = checkContent(body.msg_type, body.content)
      if ('status' in c) return c
      const problem = receiverProblem(receiveId)
      if (problem) return problem
      const uuid = typeof body.uuid === 'string' && body.uuid ? body.uuid : undefined
      if (uuid && uuid.length > 50) return err(400, 230001, 'uuid is longer than 50 characters')
      const chatId = type === 'chat_id' ? receiveId : `p2p:${receiveId}`
      return deliver(
        'send',
        chatId,
        body.msg_type as string,
        body.content as string,
        c.parsed,
        {
          receiveIdType: type,
          receiveId,
        },
        uuid,
      )
    }

    const replyMatch = /^\/open-apis\/im\/v1\/messages\/([^/]+)\/reply$/.exec(path)
    if (method === 'POST' && replyMatch) {
      if (denied) return denied
      const limited = appLimit()
      if (limited) return limited
      const parentId = decodeURIComponent(replyMatch[1] ?? '')
      if (!parentId.startsWith('om_')) return err(400, 230001, 'invalid message_id')
      const c = checkContent(body.msg_type, body.content)
      if ('status' in c) return c
      const chatId = messages.get(parentId)?.chatId ?? `msg:${parentId}`
      const problem = receiverProblem(chatId)
      if (problem) return problem
      const uuid = typeof body.uuid === 'string' && body.uuid ? body.uuid : undefined
      return deliver(
        'reply',
        chatId,
        body.msg_type as string,
        body.content as string,
        c.parsed,
        {
          replyTo: parentId,
          ...(body.reply_in_thread === true && { replyInThread: true }),
        },
        uuid,
      )
    }

    if (method === 'POST' && path === '/open-apis/interactive/v1/card/update') {
      if (denied) return denied
      const limited = appLimit()
      if (limited) return limited
      const token = body.token
      if (typeof token !== 'string' || !token.startsWith('c-')) return err(400, 230001, 'token is not a card update token')
      const card = body.card
      if (typeof card !== 'object' || card === null || Array.isArray(card)) return err(400, 230001, 'card must be a JSON object')
      if (Buffer.byteLength(JSON.stringify(card)) > CARD_MAX_BYTES) return err(400, 230025, 'The card content is too long')
      const problems = validateCard(card)
      if (problems.length) return err(400, 230099, `Failed to create card content, ext=ErrCode: 200621; ${problems.join('; ')}`)
      const uses = fake.delayedUpdates.filter((u) => u.token === token).length
      if (uses >= DELAYED_UPDATE_USES) return err(400, 230001, 'the card update token has been used up')
      fake.delayedUpdates.push({ at: now(), token, card: card as Record<string, unknown> })
      return ok({})
    }

    const patchMatch = /^\/open-apis\/im\/v1\/messages\/([^/]+)$/.exec(path)
    if (method === 'PATCH' && patchMatch) {
      if (denied) return denied
      const id = decodeURIComponent(patchMatch[1] ?? '')
      const m = messages.get(id)
      if (!m || !m.fromApp) return err(400, 230001, 'message not found or not sent by this app')
      if (m.msgType !== 'interactive') return err(400, 230001, 'only cards can be updated with PATCH')
      const c = checkContent('interactive', body.content)
      if ('status' in c) return c
      const before = JSON.parse(m.content) as { config?: { update_multi?: unknown } }
      const after = c.parsed as { config?: { update_multi?: unknown } }
      if (before.config?.update_multi !== true || after.config?.update_multi !== true) {
        return err(400, 230099, 'shared card update requires config.update_multi = true before and after')
      }
      const limit = take(`patch:${id}`, limits.perMessagePatchPerSecond, 1000)
      if (!limit.ok) return err(400, 230020, 'This operation triggers the frequency limit.')
      m.content = body.content as string
      fake.sent.push({ at: now(), kind: 'patch', messageId: id, chatId: m.chatId, msgType: 'interactive', content: m.content, parsed: c.parsed })
      return ok({ data: {} })
    }

    return err(404, 404, `no route ${method} ${path}`)
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8')
      handle(req, raw)
        .catch((e: unknown) => err(500, 500, String(e)))
        .then((r) => {
          const path = new URL(req.url ?? '/', 'http://fake').pathname
          fake.requests.push({ at: now(), method: req.method ?? '', path, status: r.status, code: Number(r.body.code ?? 0) })
          res.writeHead(r.status, { 'content-type': 'application/json; charset=utf-8', ...r.headers })
          res.end(JSON.stringify(r.body))
        })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  fake.url = `http://127.0.0.1:${port}`
  fake.close = () =>
    new Promise<void>((resolve, reject) => {
      server.closeAllConnections()
      server.close((e) => (e ? reject(e) : resolve()))
    })
  return fake
}

// ---------------------------------------------------------------------------------------------------------
// What Feishu sends us: webhook bodies and signed/encrypted requests

let eventSeq = 0
const nextEventId = () => `ev_fake_${Date.now().toString(16)}_${(eventSeq += 1)}`

export interface V2Options {
  eventId?: string
  token?: string
  appId?: string
  /** ms since epoch, as a string in the header. */
  createTime?: number
}

/** A schema 2.0 event body. */
export function v2Event(eventType: string, event: Record<string, unknown>, o: V2Options = {}) {
  return {
    schema: '2.0',
    header: {
      event_id: o.eventId ?? nextEventId(),
      event_type: eventType,
      create_time: String(o.createTime ?? Date.now()),
      token: o.token ?? 'vtoken',
      app_id: o.appId ?? 'cli_test',
      tenant_key: 'fake_tenant',
    },
    event,
  }
}

export interface TextMessageOptions extends V2Options {
  text: string
  chatType?: 'p2p' | 'group'
  chatId?: string
  senderOpenId?: string
  messageId?: string
  /** Mentions in order: `@_user_1`, `@_user_2`… must appear in `text`. */
  mentions?: { openId: string; name: string }[]
  messageType?: string
  content?: string
}

/** `im.message.receive_v1` as Feishu sends it. */
export function textMessageEvent(o: TextMessageOptions) {
  return v2Event(
    'im.message.receive_v1',
    {
      sender: {
        sender_id: { union_id: 'on_fake', user_id: 'fakeuser', open_id: o.senderOpenId ?? 'ou_sender' },
        sender_type: 'user',
        tenant_key: 'fake_tenant',
      },
      message: {
        message_id: o.messageId ?? `om_in_${(eventSeq += 1)}`,
        create_time: String(Date.now()),
        chat_id: o.chatId ?? 'oc_chat',
        chat_type: o.chatType ?? 'p2p',
        message_type: o.messageType ?? 'text',
        content: o.content ?? JSON.stringify({ text: o.text }),
        ...(o.mentions && {
          mentions: o.mentions.map((m, i) => ({
            key: `@_user_${i + 1}`,
            id: { union_id: 'on_x', user_id: 'x', open_id: m.openId },
            name: m.name,
            tenant_key: 'fake_tenant',
          })),
        }),
      },
    },
    o,
  )
}

export interface CardActionOptions extends V2Options {
  value: Record<string, unknown>
  formValue?: Record<string, unknown>
  operatorOpenId?: string
  messageId?: string
  chatId?: string
  name?: string
}

/** `card.action.trigger` as Feishu sends it (`event.token` is the delayed-update token). */
export function cardActionEvent(o: CardActionOptions) {
  return v2Event(
    'card.action.trigger',
    {
      operator: { tenant_key: 'fake_tenant', user_id: 'fakeuser', open_id: o.operatorOpenId ?? 'ou_sender', union_id: 'on_fake' },
      token: 'c-fake-update-token',
      action: {
        value: o.value,
        tag: 'button',
        ...(o.name && { name: o.name }),
        ...(o.formValue && { form_value: o.formValue }),
      },
      host: 'im_message',
      context: { open_message_id: o.messageId ?? 'om_card', open_chat_id: o.chatId ?? 'oc_chat' },
    },
    o,
  )
}

export function botAddedEvent(chatId: string, operatorOpenId = 'ou_admin', o: V2Options = {}) {
  return v2Event(
    'im.chat.member.bot.added_v1',
    { chat_id: chatId, operator_id: { open_id: operatorOpenId, union_id: 'on_a', user_id: 'a' }, name: '重点项目调度群', external: false },
    o,
  )
}

export function botRemovedEvent(chatId: string, operatorOpenId = 'ou_admin', o: V2Options = {}) {
  return v2Event(
    'im.chat.member.bot.deleted_v1',
    { chat_id: chatId, operator_id: { open_id: operatorOpenId }, name: '重点项目调度群', external: false },
    o,
  )
}

/** The v1 `p2p_chat_create` event (first time a user opens a chat with the bot). */
export function p2pChatCreateEvent(o: { openId?: string; chatId?: string; name?: string; uuid?: string; token?: string } = {}) {
  return {
    ts: '1700000000.123',
    uuid: o.uuid ?? nextEventId(),
    token: o.token ?? 'vtoken',
    type: 'event_callback',
    event: {
      app_id: 'cli_test',
      tenant_key: 'fake_tenant',
      type: 'p2p_chat_create',
      chat_id: o.chatId ?? 'oc_p2p',
      operator: { open_id: o.openId ?? 'ou_sender', user_id: 'fakeuser' },
      user: { open_id: o.openId ?? 'ou_sender', user_id: 'fakeuser', name: o.name ?? '张三' },
    },
  }
}

export interface WebhookRequestOptions {
  /** Encrypts the body as `{"encrypt": …}` and signs it. */
  encryptKey?: string
  /** Seconds; defaults to now. */
  timestamp?: string
  nonce?: string
  /** Set false to send an encrypted body without signature headers. */
  sign?: boolean
}

/** The raw body and headers Feishu would POST for `body`. */
export async function webhookRequest(body: unknown, o: WebhookRequestOptions = {}) {
  const timestamp = o.timestamp ?? String(Math.floor(Date.now() / 1000))
  const nonce = o.nonce ?? randomUUID().slice(0, 8)
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (!o.encryptKey) return { rawBody: JSON.stringify(body), headers }
  const rawBody = JSON.stringify({ encrypt: await encrypt(o.encryptKey, JSON.stringify(body)) })
  if (o.sign !== false) {
    headers['x-lark-request-timestamp'] = timestamp
    headers['x-lark-request-nonce'] = nonce
    headers['x-lark-signature'] = await sha256Hex(timestamp + nonce + o.encryptKey + rawBody)
  }
  return { rawBody, headers }
}
