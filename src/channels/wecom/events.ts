/**
 * WeCom callbacks → the neutral InboundEvent (src/model).
 *
 * - `parseFlatXml(text)`: WeCom's flat `<xml>` (values in CDATA or bare, entities decoded; a nested element
 *   such as SelectedItems is kept as its raw inner text). No package: WeCom's XML has no attributes and one level.
 * - `openCallback(req, secrets)`: the POST check, cheapest refusal first — the envelope (XML, or JSON when the
 *   console is set to JSON) must hold `Encrypt`; the msg_signature over it must match and the timestamp be
 *   within `maxAgeSeconds`, both before anything is decrypted; then decrypt (receiveid = corp id), parse the
 *   inner XML or JSON, and check the AgentID. Throws WebhookAuthError (401) or WebhookPayloadError (400).
 * - `openVerification(query, secrets)`: the GET URL check, the bare plaintext echostr to answer.
 * - `toDelivery(fields, receivedAt)`: the dedupe key and the event (null: stored and ignored).
 *
 * Runtime-agnostic.
 */
import { isCommandName, type ChatRef, type InboundEvent, type PlatformUser } from '../../model/index.ts'
import { WebhookPayloadError } from '../feishu/events.ts'
import { WebhookAuthError, decryptWecom, verifyWecomSignature, type RawAesCbc, type Sha1Hex, type WecomKeys } from './crypto.ts'

export { WebhookPayloadError }

/** The decrypted callback: its fields as strings (MsgId, a 64-bit number, stays a string). */
export type WecomFields = Record<string, string>

// ---------------------------------------------------------------------------------------------------------
// XML

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }

function decodeEntities(s: string): string {
  if (!s.includes('&')) return s
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|lt|gt|amp|quot|apos);/g, (m, e: string) => {
    if (e[0] !== '#') return ENTITIES[e] ?? m
    const cp = e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)
    return cp >= 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m
  })
}

/**
 * The children of WeCom's `<xml>…</xml>` as name → text. CDATA is taken as is (so a typed `</Content>` inside
 * it is text), bare text has its entities decoded, an element holding elements keeps its raw inner XML.
 *
 * @throws WebhookPayloadError when it is not such a document.
 */
export function parseFlatXml(text: string): WecomFields {
  let p = 0
  const n = text.length
  const skipWs = () => {
    while (p < n && /\s/.test(text[p]!)) p++
  }
  const bad = (why: string) => new WebhookPayloadError(`callback XML: ${why}`)
  skipWs()
  if (text.startsWith('<?xml', p)) {
    const end = text.indexOf('?>', p)
    if (end < 0) throw bad('unterminated declaration')
    p = end + 2
    skipWs()
  }
  if (!text.startsWith('<xml>', p)) throw bad('no <xml> root')
  p += 5
  const out: WecomFields = {}
  const open = /<([A-Za-z_][\w.-]*)\s*(\/?)>/y
  for (;;) {
    skipWs()
    if (text.startsWith('</xml>', p)) break
    open.lastIndex = p
    const m = open.exec(text)
    if (!m) throw bad(`unexpected content at ${p}`)
    const name = m[1]!
    p = open.lastIndex
    if (m[2]) {
      if (!(name in out)) out[name] = ''
      continue
    }
    const close = `</${name}>`
    let value = ''
    for (;;) {
      if (p >= n) throw bad(`<${name}> is not closed`)
      if (text.startsWith('<![CDATA[', p)) {
        const end = text.indexOf(']]>', p + 9)
        if (end < 0) throw bad('unterminated CDATA')
        value += text.slice(p + 9, end)
        p = end + 3
      } else if (text.startsWith(close, p)) {
        p += close.length
        break
      } else if (text[p] === '<') {
        // An element inside (SelectedItems…): kept raw up to our closing tag.
        const end = text.indexOf(close, p)
        if (end < 0) throw bad(`<${name}> is not closed`)
        value += text.slice(p, end)
        p = end + close.length
        break
      } else {
        const next = text.indexOf('<', p)
        const end = next < 0 ? n : next
        value += decodeEntities(text.slice(p, end))
        p = end
      }
    }
    if (!(name in out)) out[name] = value
  }
  return out
}

/** The option ids picked in a `SelectedItems` block, by question key (button_selection, vote, multiple). */
export function selectedItems(raw: string | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  if (!raw) return out
  for (const item of raw.matchAll(/<SelectedItem>([\s\S]*?)<\/SelectedItem>/g)) {
    const key = /<QuestionKey>(?:<!\[CDATA\[)?([\s\S]*?)(?:\]\]>)?<\/QuestionKey>/.exec(item[1]!)?.[1]
    if (!key) continue
    out[key] = [...item[1]!.matchAll(/<OptionId>(?:<!\[CDATA\[)?([\s\S]*?)(?:\]\]>)?<\/OptionId>/g)].map((o) => o[1]!)
  }
  return out
}

// ---------------------------------------------------------------------------------------------------------
// JSON

/** A JSON callback's fields as strings; 64-bit ids (MsgId…) are read from the text, not through a double. */
export function parseJsonFields(text: string): WecomFields {
  const safe = text.replace(/("(?:MsgId|msgid|CreateTime|AgentID)"\s*:\s*)(\d{16,})/g, '$1"$2"')
  let v: unknown
  try {
    v = JSON.parse(safe)
  } catch {
    throw new WebhookPayloadError('callback body is not JSON')
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new WebhookPayloadError('callback JSON is not an object')
  const out: WecomFields = {}
  for (const [k, x] of Object.entries(v)) {
    if (typeof x === 'string') out[k] = x
    else if (typeof x === 'number' || typeof x === 'boolean') out[k] = String(x)
    else if (x !== null && x !== undefined) out[k] = JSON.stringify(x)
  }
  return out
}

// ---------------------------------------------------------------------------------------------------------
// openCallback / openVerification

export interface WecomSecrets {
  /** WECOM_TOKEN. */
  token: string
  /** From WECOM_ENCODING_AES_KEY (`wecomKeys`). */
  keys: WecomKeys
  /** WECOM_CORP_ID: the receiveid inside every plaintext. */
  corpId: string
  /** WECOM_AGENT_ID: a callback for another app of the corp is refused. */
  agentId?: string
  /** Refuse callbacks whose `timestamp` is further than this from now (0/undefined: off). */
  maxAgeSeconds?: number
  now?: () => Date
  /** The runtime's AES (default WebCrypto; Node passes node:crypto's, src/runtime/node/wecom.ts). */
  aes?: RawAesCbc
  /** The runtime's SHA-1 for the signature (default a portable one; Node passes node:crypto's). */
  sha1Hex?: Sha1Hex
}

/** The query of a callback: `msg_signature`, `timestamp`, `nonce` (and `echostr` for the GET). */
export interface CallbackQuery {
  msg_signature?: string | undefined
  timestamp?: string | undefined
  nonce?: string | undefined
  echostr?: string | undefined
}

function checkAge(timestamp: string, s: WecomSecrets) {
  if (!s.maxAgeSeconds) return
  const ts = Number(timestamp)
  const now = (s.now?.() ?? new Date()).getTime() / 1000
  if (!/^\d+$/.test(timestamp) || !Number.isFinite(ts) || Math.abs(now - ts) > s.maxAgeSeconds)
    throw new WebhookAuthError('callback timestamp too old or in the future')
}

/**
 * The URL verification (`GET ?msg_signature&timestamp&nonce&echostr`): the plaintext to answer, bare.
 * A `+` that reached us as a space (a raw `+` in a query string) is put back before verifying.
 *
 * @throws WebhookAuthError when anything is missing, forged or meant for another corp.
 */
export async function openVerification(q: CallbackQuery, s: WecomSecrets): Promise<string> {
  const echostr = q.echostr?.replace(/ /g, '+')
  const { msg_signature: signature, timestamp = '', nonce = '' } = q
  if (!echostr || !signature) throw new WebhookAuthError('missing echostr or msg_signature')
  if (!verifyWecomSignature(s.token, timestamp, nonce, echostr, signature, s.sha1Hex)) throw new WebhookAuthError('signature mismatch')
  return (await decryptWecom(s.keys, echostr, s.corpId, s.aes)).msg
}

/** What a POST callback held, decrypted and checked. */
export interface WecomCallback {
  format: 'xml' | 'json'
  fields: WecomFields
}

/**
 * The whole check of a `POST /webhooks/wecom` (see the module comment).
 *
 * @throws WebhookAuthError (401) for forged, stale or foreign input, WebhookPayloadError (400) for malformed.
 */
export async function openCallback(req: { query: CallbackQuery; rawBody: string }, s: WecomSecrets): Promise<WecomCallback> {
  const { msg_signature: signature, timestamp = '', nonce = '' } = req.query
  if (!signature) throw new WebhookAuthError('missing msg_signature')
  const body = req.rawBody.trimStart()
  const format = body.startsWith('{') ? 'json' : 'xml'
  const envelope = format === 'json' ? parseJsonFields(body) : parseFlatXml(body)
  const encrypt = envelope.Encrypt ?? envelope.encrypt
  if (!encrypt) throw new WebhookPayloadError('callback has no Encrypt')
  if (!verifyWecomSignature(s.token, timestamp, nonce, encrypt, signature, s.sha1Hex)) throw new WebhookAuthError('signature mismatch')
  checkAge(timestamp, s)
  const { msg } = await decryptWecom(s.keys, encrypt, s.corpId, s.aes)
  let fields: WecomFields
  try {
    fields = msg.trimStart().startsWith('{') ? parseJsonFields(msg) : parseFlatXml(msg)
  } catch {
    throw new WebhookPayloadError('decrypted callback is neither WeCom XML nor JSON')
  }
  if (s.agentId && fields.AgentID && fields.AgentID.trim() !== s.agentId)
    throw new WebhookAuthError(`callback is for another app (AgentID ${fields.AgentID})`)
  return { format, fields }
}

// ---------------------------------------------------------------------------------------------------------
// toDelivery

/** What the intake needs of a callback: its dedupe key and event (null: nothing for the bot). */
export interface WecomDelivery {
  dedupeKey: string
  event: InboundEvent | null
  ignoredBecause?: string
}

const SHANGHAI_MS = 8 * 3600_000

/**
 * The dedupe key and event of a decrypted callback:
 * - `MsgType=text`: the neutral text event, keyed by MsgId. 自建应用 messages are 1:1, so the chat is the
 *   person (chatId = their userid, kind direct); non-text messages (image, voice…) are ignored.
 * - `Event=template_card_event` (a button): the card action of the `{cmd, …args}` the button's key carried
 *   (render.ts), keyed by FromUserName + CreateTime + Event + TaskId; a foreign key is ignored.
 * - `Event=enter_agent` (the person opened the app): first_contact, once per person per day.
 * - anything else: stored and ignored.
 *
 * @throws WebhookPayloadError when FromUserName is missing.
 */
export function toDelivery(f: WecomFields, receivedAt: Date): WecomDelivery {
  const from = f.FromUserName?.trim()
  if (!from) throw new WebhookPayloadError('callback has no FromUserName')
  const created = f.CreateTime?.trim() ?? ''
  const sender: PlatformUser = { platform: 'wecom', userId: from }
  const chat: ChatRef = { platform: 'wecom', chatId: from, kind: 'direct' }
  const msgType = f.MsgType?.trim() ?? ''
  if (msgType !== 'event') {
    const msgId = f.MsgId?.trim()
    const dedupeKey = msgId ? `msg:${msgId}` : `msg:${from}:${created}`
    if (msgType !== 'text') return { dedupeKey, event: null, ignoredBecause: `nothing to do for a ${msgType || 'typeless'} message` }
    const text = (f.Content ?? '')
      .replace(/[ \t\u00a0\u3000]+/g, ' ')
      .replace(/ *\n */g, '\n')
      .trim()
    const id = msgId ?? `${from}:${created}`
    return {
      dedupeKey,
      event: { id, platform: 'wecom', receivedAt, type: 'text', sender, chat, text, mentionedBot: false, ...(msgId && { messageId: msgId }) },
    }
  }
  const ev = f.Event?.trim() ?? ''
  switch (ev) {
    case 'template_card_event': {
      const taskId = f.TaskId?.trim() ?? ''
      const dedupeKey = `ev:${from}:${created}:${ev}:${taskId}`
      const action = buttonAction(f.EventKey)
      if (!action) return { dedupeKey, event: null, ignoredBecause: 'a card button that is not ours' }
      const picked = selectedItems(f.SelectedItems)
      const form = Object.keys(picked).length ? Object.fromEntries(Object.entries(picked).map(([k, v]) => [k, v.join(',')])) : undefined
      return {
        dedupeKey,
        event: {
          id: dedupeKey,
          platform: 'wecom',
          receivedAt,
          type: 'card_action',
          sender,
          chat,
          command: action.command,
          args: action.args,
          ...(taskId && { messageId: taskId }),
          ...(form && { form }),
        },
      }
    }
    case 'enter_agent': {
      // Every opening of the app sends one: greet once a day at most.
      const secs = Number(created)
      const day = Number.isFinite(secs) && secs > 0 ? new Date(secs * 1000 + SHANGHAI_MS).toISOString().slice(0, 10) : created
      const dedupeKey = `enter:${from}:${day}`
      return { dedupeKey, event: { id: dedupeKey, platform: 'wecom', receivedAt, type: 'first_contact', sender, chat } }
    }
    default:
      return { dedupeKey: `ev:${from}:${created}:${ev}`, event: null, ignoredBecause: `nothing to do for the ${ev || 'unnamed'} event` }
  }
}

/** A button key of ours (`{"cmd": …, …args}`, render.ts) → the command and its arguments; else undefined. */
export function buttonAction(key: string | undefined): { command: string; args: Record<string, unknown> } | undefined {
  if (!key || key[0] !== '{') return undefined
  let v: unknown
  try {
    v = JSON.parse(key)
  } catch {
    return undefined
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined
  const { cmd, ...args } = v as Record<string, unknown>
  if (!isCommandName(cmd)) return undefined
  return { command: cmd, args }
}
