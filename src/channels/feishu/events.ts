/**
 * Feishu webhook bodies → the neutral InboundEvent (src/bot/model.ts).
 *
 * Three steps, each usable alone:
 * - `openWebhook(request, secrets)`: verify the signature over the raw body and its timestamp, decrypt
 *   (with the runtime's AES, `secrets.aes`), check the verification token, then `classify`. Throws WebhookAuthError (401) or
 *   WebhookPayloadError (400).
 * - `classify(body)`: url_verification, event (with its dedupe id) or card callback.
 * - `toInboundEvent(classified, ctx)`: the InboundEvent, or null when there is nothing for the bot to do.
 *
 * @example
 *   const hook = await openWebhook({ rawBody: await c.req.text(), headers: c.req.raw.headers }, secrets)
 *   if (hook.kind === 'url_verification') return c.json({ challenge: hook.challenge })
 *   const event = toInboundEvent(hook, { botOpenId })
 */
import { z } from 'zod'
import { isCommandName, type ChatRef, type InboundEvent, type PlatformUser } from '../../model/index.ts'
import { WebhookAuthError, decrypt, timingSafeEqual, verifySignature, type AesCbc, type Sha256Hex } from './crypto.ts'

/** A webhook body that is readable but not shaped like the Feishu event it claims to be. Map to HTTP 400. */
export class WebhookPayloadError extends Error {
  readonly status = 400 as const
  override name = 'WebhookPayloadError'
}

// ---------------------------------------------------------------------------------------------------------
// Shapes (only the fields we read; unknown fields are ignored)

const v2Header = z.object({
  event_id: z.string().min(1),
  event_type: z.string().min(1),
  create_time: z.string().optional(),
  token: z.string().optional(),
  app_id: z.string().optional(),
  tenant_key: z.string().optional(),
})

const v2Body = z.object({ schema: z.literal('2.0'), header: v2Header, event: z.record(z.string(), z.unknown()) })

const v1Body = z.object({
  uuid: z.string().min(1),
  token: z.string().optional(),
  ts: z.string().optional(),
  type: z.literal('event_callback'),
  event: z.object({ type: z.string().min(1) }).loose(),
})

const challengeBody = z.object({
  type: z.literal('url_verification'),
  challenge: z.string(),
  token: z.string().optional(),
})

const userId = z.object({ open_id: z.string().min(1), union_id: z.string().optional(), user_id: z.string().optional() })

const messageReceive = z.object({
  sender: z.object({
    sender_id: userId.partial().optional(),
    sender_type: z.string().optional(),
  }),
  message: z.object({
    message_id: z.string().min(1),
    chat_id: z.string().min(1),
    chat_type: z.string().min(1),
    message_type: z.string().min(1),
    content: z.string(),
    root_id: z.string().optional(),
    parent_id: z.string().optional(),
    mentions: z.array(z.object({ key: z.string(), id: userId.partial().optional(), name: z.string().optional() })).optional(),
  }),
})

const cardAction = z.object({
  operator: userId,
  token: z.string().optional(),
  action: z.object({
    value: z.unknown().optional(),
    tag: z.string().optional(),
    name: z.string().optional(),
    form_value: z.record(z.string(), z.unknown()).optional(),
  }),
  context: z.object({ open_message_id: z.string().optional(), open_chat_id: z.string().optional() }).optional(),
})

const botMembership = z.object({
  chat_id: z.string().min(1),
  operator_id: userId.partial().optional(),
  name: z.string().optional(),
})

const p2pChatCreate = z.object({
  type: z.literal('p2p_chat_create'),
  chat_id: z.string().min(1),
  operator: z.object({ open_id: z.string().optional(), user_id: z.string().optional() }).optional(),
  user: z.object({ open_id: z.string().optional(), user_id: z.string().optional(), name: z.string().optional() }).optional(),
})

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value)
  if (r.success) return r.data
  const detail = r.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ')
  throw new WebhookPayloadError(`${what}: ${detail}`)
}

// ---------------------------------------------------------------------------------------------------------
// classify

/** A decrypted webhook body, sorted by what the route must do with it. */
export type FeishuWebhook =
  | {
      kind: 'url_verification'
      /** Echo back as `{"challenge": …}` within 1 s. */
      challenge: string
      token?: string
    }
  | {
      kind: 'event'
      /** Dedupe key: v2 `header.event_id`, v1 `uuid`. Feishu re-pushes for ~7.1 h when not acked in 3 s. */
      id: string
      /** v2 `header.event_type`, v1 `event.type` (e.g. `p2p_chat_create`). */
      type: string
      token?: string
      /** Event creation time (v2 `header.create_time`, ms), when given. */
      createdAt?: Date
      /** The inner `event` object. */
      event: Record<string, unknown>
      /** The decrypted JSON text the hook was read from (openWebhook), for the inbound log to keep as received. */
      text?: string
    }
  | {
      kind: 'card'
      /** `header.event_id`; callbacks are answered synchronously and never re-pushed. */
      id: string
      type: 'card.action.trigger'
      token?: string
      createdAt?: Date
      event: Record<string, unknown>
      text?: string
    }

/**
 * Sorts a decrypted body. v2 events (`schema: "2.0"`) and card callbacks (`card.action.trigger`) carry
 * `header.event_id`; v1 events (`type: "event_callback"`, e.g. `p2p_chat_create`) carry `uuid`.
 *
 * @throws WebhookPayloadError for anything else (including legacy 1.0 card callbacks without `schema`).
 */
export function classify(body: unknown): FeishuWebhook {
  if (!isObject(body)) throw new WebhookPayloadError('webhook body is not a JSON object')
  if (body.type === 'url_verification') {
    const b = parse(challengeBody, body, 'url_verification')
    const header = isObject(body.header) ? body.header : {}
    const token = b.token ?? (typeof header.token === 'string' ? header.token : undefined)
    return { kind: 'url_verification', challenge: b.challenge, ...(token !== undefined && { token }) }
  }
  if ('schema' in body) {
    // Checked by hand first (what zod would check, a few µs per webhook); zod only words the refusal.
    const b = isV2(body) ? body : parse(v2Body, body, 'event v2')
    const h = b.header
    const createdAt = parseCreateTime(h.create_time)
    const common = {
      id: h.event_id,
      ...(h.token !== undefined && { token: h.token }),
      ...(createdAt && { createdAt }),
      event: b.event,
    }
    if (h.event_type === 'card.action.trigger') return { kind: 'card', type: 'card.action.trigger', ...common }
    return { kind: 'event', type: h.event_type, ...common }
  }
  if (body.type === 'event_callback') {
    const b = parse(v1Body, body, 'event v1')
    return {
      kind: 'event',
      id: b.uuid,
      type: b.event.type,
      ...(b.token !== undefined && { token: b.token }),
      event: b.event,
    }
  }
  throw new WebhookPayloadError('unknown webhook body (neither url_verification, event v1/v2 nor card.action.trigger)')
}

type V2 = z.infer<typeof v2Body>

/** Whether `body` passes v2Body (the fields it reads; unknown ones are ignored by both). */
function isV2(body: Record<string, unknown>): body is Record<string, unknown> & V2 {
  const h = body.header
  if (body.schema !== '2.0' || !isObject(h) || !isObject(body.event)) return false
  const optional = (v: unknown) => v === undefined || typeof v === 'string'
  return (
    typeof h.event_id === 'string' &&
    h.event_id.length > 0 &&
    typeof h.event_type === 'string' &&
    h.event_type.length > 0 &&
    optional(h.create_time) &&
    optional(h.token) &&
    optional(h.app_id) &&
    optional(h.tenant_key)
  )
}

/** Feishu `create_time` is ms in events and µs in some (16 digits); both become a Date. */
function parseCreateTime(s: string | undefined): Date | undefined {
  if (!s || !/^\d+$/.test(s)) return undefined
  const n = Number(s)
  const ms = s.length >= 16 ? n / 1000 : n
  return new Date(ms)
}

/**
 * Throws WebhookAuthError unless `got` equals the configured verification token (constant-time). With no
 * token configured it passes: the signature (Encrypt Key) is then the only check.
 */
export function checkToken(got: string | undefined, expected: string | undefined): void {
  if (!expected) return
  if (got === undefined || !timingSafeEqual(got, expected)) throw new WebhookAuthError('verification token mismatch')
}

// ---------------------------------------------------------------------------------------------------------
// openWebhook

export interface WebhookSecrets {
  /** FEISHU_ENCRYPT_KEY: turns on signature checks and decryption. */
  encryptKey?: string
  /** FEISHU_VERIFICATION_TOKEN: compared with the body's token. */
  verificationToken?: string
  /** Refuse signed requests whose X-Lark-Request-Timestamp is further than this from now (0/undefined: off). */
  maxAgeSeconds?: number
  now?: () => Date
  /** The runtime's AES-256-CBC (default WebCrypto; Node passes its synchronous node:crypto one, runtime/node/aes.ts). */
  aes?: AesCbc
  /** The runtime's SHA-256 for the signature (default @noble/hashes; Node passes node:crypto's). */
  sha256Hex?: Sha256Hex
}

export interface WebhookRequest {
  /** The body exactly as received. */
  rawBody: string
  /** `Request.headers`, or a plain record with lower-case names. */
  headers: Headers | Record<string, string | undefined>
}

/**
 * The largest unsigned body looked at when an Encrypt Key is configured (UTF-16 code units of the raw body).
 * Only a url_verification may come unsigned, and Feishu's is tiny: `{"encrypt": …}` over
 * `{"challenge","token","type"}` is ~200 bytes (the Go SDK's test vector, a whole event shaped as one, ~620).
 * Anything bigger without a signature is refused before it is parsed, base64-decoded or decrypted.
 */
export const UNSIGNED_MAX_CHARS = 2048

/**
 * The deepest JSON nesting accepted. Feishu's bodies go about 8 levels deep (a card callback's
 * `event.action.form_value.<field>[…]`); a body nested thousands deep is not from Feishu, and would make
 * anything recursive downstream (JSON.stringify when it is stored, zod) throw RangeError: a 400 instead.
 */
export const MAX_JSON_DEPTH = 64

/**
 * The whole inbound check for `POST /feishu/events` and `/feishu/callbacks`, cheapest refusals first:
 * 1. with an Encrypt Key, a signed request's signature over the raw body must match, and its timestamp be
 *    within `maxAgeSeconds` (replays) — both before the body is parsed or decrypted;
 *    an unsigned one is refused outright unless it is at most UNSIGNED_MAX_CHARS long, and then only a
 *    url_verification passes (Feishu sends the challenge unsigned; the Go SDK and Satori allow that too);
 * 2. `{"encrypt": …}` is decrypted with `secrets.aes` (default WebCrypto);
 * 3. JSON nested deeper than MAX_JSON_DEPTH is refused (400);
 * 4. the verification token must match when configured.
 *
 * @throws WebhookAuthError (401) for forged input, WebhookPayloadError (400) for malformed input.
 */
export async function openWebhook(req: WebhookRequest, secrets: WebhookSecrets): Promise<FeishuWebhook> {
  const header = (name: string) => (req.headers instanceof Headers ? (req.headers.get(name) ?? undefined) : req.headers[name])
  const { encryptKey } = secrets

  let signed = false
  if (encryptKey) {
    const signature = header('x-lark-signature')
    if (signature) {
      const timestamp = header('x-lark-request-timestamp') ?? ''
      const nonce = header('x-lark-request-nonce') ?? ''
      if (!verifySignature({ timestamp, nonce, encryptKey, rawBody: req.rawBody, signature }, secrets.sha256Hex))
        throw new WebhookAuthError('signature mismatch')
      if (secrets.maxAgeSeconds) {
        const ts = Number(timestamp)
        const now = (secrets.now?.() ?? new Date()).getTime() / 1000
        if (!Number.isFinite(ts) || Math.abs(now - ts) > secrets.maxAgeSeconds) {
          throw new WebhookAuthError('webhook timestamp too old or in the future')
        }
      }
      signed = true
    } else if (req.rawBody.length > UNSIGNED_MAX_CHARS) {
      throw new WebhookAuthError('missing signature')
    }
  }
  const { body, text } = await readBody(req.rawBody, encryptKey, secrets.aes)

  const hook = classify(body)
  if (encryptKey && !signed && hook.kind !== 'url_verification') throw new WebhookAuthError('missing signature')
  checkToken(hook.token, secrets.verificationToken)
  return hook.kind === 'url_verification' ? hook : { ...hook, text }
}

/**
 * The envelope as Feishu sends it, `{"encrypt":"<base64>"}`: read without JSON.parse (the base64 alphabet
 * needs no escapes). Anything else, spaces included, goes through JSON.parse.
 */
const ENVELOPE = /^\{"encrypt":"([A-Za-z0-9+/=]*)"\}$/

/** The JSON body, decrypted when it is `{"encrypt": …}`, and its text. */
async function readBody(rawBody: string, encryptKey: string | undefined, aes: AesCbc | undefined): Promise<{ body: unknown; text: string }> {
  let encrypted = ENVELOPE.exec(rawBody)?.[1]
  if (encrypted === undefined) {
    const body = parseJson(rawBody, () => new WebhookPayloadError('webhook body is not JSON'))
    if (!isObject(body) || typeof body.encrypt !== 'string') {
      checkDepth(rawBody)
      return { body, text: rawBody }
    }
    encrypted = body.encrypt
  }
  if (!encryptKey) throw new WebhookAuthError('encrypted webhook but no encrypt key is configured')
  const plain = await decrypt(encryptKey, encrypted, aes)
  const inner = parseJson(plain, () => new WebhookAuthError('decrypted webhook is not JSON (wrong encrypt key?)'))
  checkDepth(plain)
  return { body: inner, text: plain }
}

/** JSON.parse, its SyntaxError as `bad()`; a RangeError (an engine's nesting limit) as a 400. */
function parseJson(text: string, bad: () => Error): unknown {
  try {
    return JSON.parse(text)
  } catch (e) {
    if (e instanceof RangeError) throw new WebhookPayloadError('webhook body is nested too deeply')
    throw bad()
  }
}

/**
 * Refuses JSON text nested deeper than MAX_JSON_DEPTH (brackets outside strings), in one pass over the
 * characters (~1 µs for a 1.5 KB event): what JSON.parse accepts, JSON.stringify may not give back.
 */
function checkDepth(text: string): void {
  let depth = 0
  const n = text.length
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x22) {
      // a string: skip to its closing quote (escapes skip the next character)
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i)
        if (d === 0x5c) i++
        else if (d === 0x22) break
      }
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_JSON_DEPTH) throw new WebhookPayloadError(`webhook body is nested deeper than ${MAX_JSON_DEPTH} levels`)
    } else if (c === 0x7d || c === 0x5d) depth--
  }
}

// ---------------------------------------------------------------------------------------------------------
// toInboundEvent

export interface InboundContext {
  /** The bot's own open_id (`GET /open-apis/bot/v3/info`), to recognise and strip its @-mention. */
  botOpenId: string
  receivedAt?: Date
  /**
   * Card callbacks do not say whether their chat is a DM or a group. Return what you know about the chat
   * (e.g. from earlier messages); unknown chats are taken as groups.
   */
  chatKind?: (chatId: string) => 'direct' | 'group' | undefined
}

/**
 * The neutral event for a classified webhook, or null when there is nothing for the bot to do:
 * - `im.message.receive_v1`: text only. Non-text messages (image, file, post, sticker, card…) return null
 *   rather than an empty text event, because the bot reads commands from text and an empty text would be
 *   answered (e.g. with help) as if the person had said something. Group messages return null unless they
 *   @-mention the bot; messages from non-users (other apps) return null.
 * - `card.action.trigger`: null when `action.value` is not our `{cmd}` object (a foreign or stale card).
 * - `im.chat.member.bot.added_v1` / `deleted_v1`, `p2p_chat_create`: bot_added / bot_removed / first_contact.
 * - any other event type: null.
 *
 * Direct chats use the Feishu chat_id (oc_…) as `chat.chatId`, like groups; sending to it works for both.
 *
 * @throws WebhookPayloadError when a known event type has the wrong shape.
 */
export function toInboundEvent(hook: FeishuWebhook, ctx: InboundContext): InboundEvent | null {
  if (hook.kind === 'url_verification') return null
  const base = { id: hook.id, platform: 'feishu' as const, receivedAt: ctx.receivedAt ?? new Date() }
  if (hook.kind === 'card') return cardEvent(hook.event, base, ctx)
  switch (hook.type) {
    case 'im.message.receive_v1':
      return messageEvent(hook.event, base, ctx)
    case 'im.chat.member.bot.added_v1': {
      const e = parse(botMembership, hook.event, hook.type)
      const by = e.operator_id?.open_id ? user(e.operator_id.open_id, e.operator_id.union_id) : undefined
      return { ...base, type: 'bot_added', chat: groupChat(e.chat_id, e.name), ...(by && { by }) }
    }
    case 'im.chat.member.bot.deleted_v1': {
      const e = parse(botMembership, hook.event, hook.type)
      return { ...base, type: 'bot_removed', chat: groupChat(e.chat_id, e.name) }
    }
    case 'p2p_chat_create': {
      const e = parse(p2pChatCreate, hook.event, hook.type)
      const openId = e.user?.open_id ?? e.operator?.open_id
      if (!openId) throw new WebhookPayloadError('p2p_chat_create: no user open_id')
      const sender = user(openId, undefined, e.user?.name)
      return { ...base, type: 'first_contact', sender, chat: { platform: 'feishu', chatId: e.chat_id, kind: 'direct' } }
    }
    default:
      return null
  }
}

type Base = { id: string; platform: 'feishu'; receivedAt: Date }

function messageEvent(event: unknown, base: Base, ctx: InboundContext): InboundEvent | null {
  const e = parse(messageReceive, event, 'im.message.receive_v1')
  const openId = e.sender.sender_id?.open_id
  if (e.sender.sender_type && e.sender.sender_type !== 'user') return null
  if (!openId) throw new WebhookPayloadError('im.message.receive_v1: sender has no open_id')
  const m = e.message
  if (m.message_type !== 'text') return null

  let raw: unknown
  try {
    raw = JSON.parse(m.content)
  } catch {
    throw new WebhookPayloadError('im.message.receive_v1: message.content is not JSON')
  }
  if (!isObject(raw) || typeof raw.text !== 'string') {
    throw new WebhookPayloadError('im.message.receive_v1: text content has no text')
  }

  const mentions = new Map((m.mentions ?? []).map((x) => [x.key, x]))
  let mentionedBot = false
  const text = raw.text
    .replace(/@_user_\d+|@_all/g, (key) => {
      if (key === '@_all') return '@所有人'
      const who = mentions.get(key)
      if (!who) return key
      if (who.id?.open_id === ctx.botOpenId) {
        mentionedBot = true
        return ' '
      }
      return `@${who.name ?? ''}`
    })
    .replace(/[ \t\u00a0\u3000]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .trim()

  const isGroup = m.chat_type !== 'p2p'
  if (isGroup && !mentionedBot) return null
  const chat: ChatRef = { platform: 'feishu', chatId: m.chat_id, kind: isGroup ? 'group' : 'direct' }
  const sender = user(openId, e.sender.sender_id?.union_id)
  return { ...base, type: 'text', sender, chat, text, mentionedBot, messageId: m.message_id }
}

function cardEvent(event: unknown, base: Base, ctx: InboundContext): InboundEvent | null {
  const e = parse(cardAction, event, 'card.action.trigger')
  const value = e.action.value
  if (!isObject(value) || !isCommandName(value.cmd)) return null
  const command = value.cmd
  const args: Record<string, unknown> = { ...value }
  delete args.cmd
  const sender = user(e.operator.open_id, e.operator.union_id)
  const chatId = e.context?.open_chat_id
  const chat: ChatRef = chatId
    ? { platform: 'feishu', chatId, kind: ctx.chatKind?.(chatId) ?? 'group' }
    : { platform: 'feishu', chatId: e.operator.open_id, kind: 'direct' }
  const form = e.action.form_value ? formStrings(e.action.form_value) : undefined
  const messageId = e.context?.open_message_id
  return {
    ...base,
    type: 'card_action',
    sender,
    chat,
    command,
    args,
    ...(messageId && { messageId }),
    ...(form && { form }),
  }
}

/**
 * Form values as strings, empty ones omitted. Date pickers send `"2024-04-01 +0800"`; that becomes
 * `"2024-04-01"`. Multi-selects become comma-joined.
 */
export function formStrings(values: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(values)) {
    let s: string
    if (v === null || v === undefined) continue
    else if (typeof v === 'string') s = v
    else if (typeof v === 'number' || typeof v === 'boolean') s = String(v)
    else if (Array.isArray(v)) s = v.map(String).join(',')
    else s = JSON.stringify(v)
    const date = /^(\d{4}-\d{2}-\d{2}) [+-]\d{4}$/.exec(s)
    if (date?.[1]) s = date[1]
    if (s.trim() === '') continue
    out[k] = s
  }
  return out
}

function user(openId: string, unionId?: string, name?: string): PlatformUser {
  return { platform: 'feishu', userId: openId, ...(unionId && { unionId }), ...(name && { name }) }
}

function groupChat(chatId: string, name?: string): ChatRef {
  return { platform: 'feishu', chatId, kind: 'group', ...(name && { name }) }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
