/**
 * Acting on a 问题 or a 督办 from the pages: a form post becomes the SAME command the chat runs. The page posts a
 * card's button or form (cards.ts); here it becomes a neutral card_action InboundEvent from the 'web' source for
 * the signed-in person, handed to the shared intake like a chat event — stored in the inbound log under a dedupe
 * key from the form's nonce (a form sent twice is done once), run in order with the person's other events, its
 * writes, replies and the messages to others (the assignee's 交办 card…) in one transaction; those to others go
 * out through the outbox to their chat as usual. The person's own replies are queued as a 'web' chat's: the page
 * shows them after the redirect (POST → 303 → GET ?done=nonce) and marks them delivered.
 *
 * Who may do what stays the bot's: the command's permission check and its friendly refusal. The page only keeps
 * to its own rule, that nobody acts on what they cannot see (403), and to its forms (CSRF token, nonce).
 */
import { and, asc, eq, sql } from 'drizzle-orm'
import type { Db } from '../store/db.ts'
import type { Logger } from '../log.ts'
import type { BotResult, Card, ChatRef, InboundEvent, MessageBody, OutboundMessage, Platform } from '../model/index.ts'
import type { Person } from '../store/repos/directory.ts'
import { inboundLog, outbox } from '../store/schema.ts'
import type { Intake } from '../intake/index.ts'
import { WEB_SOURCE, withNames, type Turn } from '../bot/handle.ts'
import { createBotContext } from '../bot/context.ts'
import { enqueue } from '../outbox/enqueue.ts'
import { replyKey } from '../outbox/keys.ts'
import { tokenHash } from '../services/login-links.ts'

/** The commands a page may post, and what each is about: the item whose visibility decides 403. */
export const WEB_COMMANDS: Readonly<Record<string, { item: 'problem' | 'supervision'; arg: 'problemId' | 'supervisionId' }>> = {
  assign: { item: 'problem', arg: 'problemId' },
  update: { item: 'problem', arg: 'problemId' },
  requestClose: { item: 'problem', arg: 'problemId' },
  confirmClose: { item: 'problem', arg: 'problemId' },
  reject: { item: 'problem', arg: 'problemId' },
  raiseLevel: { item: 'problem', arg: 'problemId' },
  replySupervision: { item: 'supervision', arg: 'supervisionId' },
  closeSupervision: { item: 'supervision', arg: 'supervisionId' },
  returnSupervision: { item: 'supervision', arg: 'supervisionId' },
  ack: { item: 'supervision', arg: 'supervisionId' },
}

export interface ActionDeps {
  db: Db
  now: () => Date
  logger: Logger
  intake: Intake
  /** Platforms the bot's context delivers on (the intake's own list decides where messages go). */
  platforms: Platform[]
}

/** The per-session CSRF token: derived from the session cookie (HttpOnly), so another site cannot know it. */
export const csrfToken = (sessionToken: string) => tokenHash(`csrf:${sessionToken}`).slice(0, 32)

/** Equal strings in time independent of where they differ. */
export function sameToken(a: string, b: string): boolean {
  let diff = a.length ^ b.length
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a.charCodeAt(i) || 0) ^ (b.charCodeAt(i) || 0)
  return diff === 0
}

export const NONCE = /^[A-Za-z0-9_-]{20,64}$/

/** The direct 'chat' of a person on the pages: where the bot's replies to their posts are queued. */
export const webChat = (person: Person): ChatRef => ({ platform: WEB_SOURCE, chatId: `person:${person.id}`, kind: 'direct', name: person.name })

/** One event per person and nonce (another person's nonce is another event). */
const eventId = (person: Person, nonce: string) => `${person.id}.${nonce}`

/** A post, read: the command, its arguments, the form's inputs and the item it is about. */
export interface Posted {
  command: string
  args: Record<string, string | number>
  form: Record<string, string>
  item: { kind: 'problem' | 'supervision'; id: number }
  nonce: string
}

/** Reads a posted form (fields starting with _ are the page's; the rest are the card form's inputs). Undefined: not a post of ours. */
export function readPost(body: Record<string, unknown>): Posted | string {
  const command = typeof body._command === 'string' ? body._command : ''
  const spec = WEB_COMMANDS[command]
  if (!spec) return '页面不支持这个操作，请在聊天中处理。'
  const nonce = typeof body._nonce === 'string' ? body._nonce : ''
  if (!NONCE.test(nonce)) return '表单已失效，请刷新页面后重试。'
  let args: unknown
  try {
    args = JSON.parse(typeof body._args === 'string' ? body._args : '{}')
  } catch {
    return '表单已失效，请刷新页面后重试。'
  }
  if (!args || typeof args !== 'object' || Array.isArray(args)) return '表单已失效，请刷新页面后重试。'
  const clean: Record<string, string | number> = {}
  for (const [k, v] of Object.entries(args)) if (typeof v === 'string' || typeof v === 'number') clean[k] = v
  const id = Number(clean[spec.arg])
  if (!Number.isSafeInteger(id) || id <= 0) return '表单已失效，请刷新页面后重试。'
  const form: Record<string, string> = {}
  for (const [k, v] of Object.entries(body)) if (!k.startsWith('_') && typeof v === 'string' && v.trim() !== '') form[k] = v
  return { command, args: clean, form, item: { kind: spec.item, id }, nonce }
}

/**
 * Runs a post through the intake and waits for the bot. A nonce already used is a duplicate: nothing runs again,
 * and the page shows what the first post answered.
 */
export async function runPost(deps: ActionDeps, person: Person, p: Posted): Promise<void> {
  const now = deps.now()
  const chat = webChat(person)
  const event: InboundEvent = {
    type: 'card_action',
    id: eventId(person, p.nonce),
    platform: WEB_SOURCE,
    receivedAt: now,
    sender: { platform: WEB_SOURCE, userId: String(person.id), name: person.name },
    chat,
    command: p.command,
    args: p.args,
    ...(Object.keys(p.form).length ? { form: p.form } : {}),
  }
  const r = await deps.intake.accept({ platform: WEB_SOURCE, dedupeKey: event.id, raw: JSON.stringify({ event }), event }, { waitMs: Infinity })
  if (r.kind !== 'answered' || !r.result) return
  const result = r.result
  // A card answered in place in chat (the next step's form: 「申请销号」 asks for its 说明) is this page's answer.
  if (!result.messages.some((m) => isWebReply(m, chat)) && result.updateCard)
    await enqueue(deps.db, { platforms: [] }, [{ to: { kind: 'chat', chat }, body: { kind: 'card', card: result.updateCard } }], now.getTime(), () =>
      webReplyKey(event.id, 'card'),
    )
  else if (!result.messages.some((m) => isWebReply(m, chat)) && result.toast)
    await enqueue(deps.db, { platforms: [] }, [{ to: { kind: 'chat', chat }, body: { kind: 'text', text: result.toast.text } }], now.getTime(), () =>
      webReplyKey(event.id, 'toast'),
    )
  // Shown on the next page: delivered. (No sender drains 'web' rows; marked so nothing looks stuck.)
  await deps.db
    .update(outbox)
    .set({ status: 'sent', sentAt: now.getTime() })
    .where(and(eq(outbox.platform, WEB_SOURCE), eq(outbox.address, chat.chatId), eq(outbox.status, 'pending'), keyPrefix(event.id)))
}

/** A reply of the event beside the bot's own (`replyKey`'s `in:web:<event>:<i>`): the page's answer when the bot answered in place. */
const webReplyKey = (id: string, tag: string) => `${replyKey(WEB_SOURCE, id, 0).slice(0, -1)}${tag}`

const isWebReply = (m: OutboundMessage, chat: ChatRef) =>
  m.to.kind === 'chat' && m.to.chat.platform === chat.platform && m.to.chat.chatId === chat.chatId

const keyPrefix = (id: string) => {
  const prefix = `in:${WEB_SOURCE}:${id}:`
  return sql`substr(${outbox.key}, 1, ${prefix.length}) = ${prefix}`
}

export type Outcome = { state: 'done'; replies: MessageBody[] } | { state: 'pending' | 'failed' | 'unknown' }

/** What a post answered, for the page after the redirect: the replies in order, or where it is. */
export async function outcomeOf(db: Db, person: Person, nonce: string): Promise<Outcome> {
  if (!NONCE.test(nonce)) return { state: 'unknown' }
  const id = eventId(person, nonce)
  const row = await db
    .select({ status: inboundLog.status })
    .from(inboundLog)
    .where(and(eq(inboundLog.platform, WEB_SOURCE), eq(inboundLog.dedupeKey, id)))
    .get()
  if (!row) return { state: 'unknown' }
  if (row.status === 'failed') return { state: 'failed' }
  if (row.status === 'received') return { state: 'pending' }
  const rows = await db
    .select({ body: outbox.body })
    .from(outbox)
    .where(and(eq(outbox.platform, WEB_SOURCE), eq(outbox.address, `person:${person.id}`), keyPrefix(id)))
    .orderBy(asc(outbox.id))
    .all()
  return { state: 'done', replies: rows.map((r) => r.body as MessageBody) }
}

/** A turn for reading (never run): what the chat card of an item looks like to this person now. */
export async function viewTurn(deps: Pick<ActionDeps, 'db' | 'logger' | 'platforms'>, person: Person, now: Date): Promise<Turn> {
  const ctx = await createBotContext(deps.db, now, deps.platforms, deps.logger)
  const chat = webChat(person)
  const event: InboundEvent = {
    type: 'card_action',
    id: `view.${person.id}`,
    platform: WEB_SOURCE,
    receivedAt: now,
    sender: { platform: WEB_SOURCE, userId: String(person.id) },
    chat,
    command: 'view',
    args: {},
  }
  return { ctx, person, chat, event, reply: (body) => ({ to: { kind: 'chat', chat }, body }) }
}

/** A card as the bot would send it: the county's own names in place of {office} and {county}. */
export function named(turn: Turn, card: Card): Card {
  const r: BotResult = withNames({ messages: [], updateCard: card }, turn.ctx.rules.county)
  return r.updateCard!
}

/** Turns a stored web event back into its event (the intake's resume and `diaodu inbound --retry`). */
export async function webDecoder(raw: string, receivedAt: Date): Promise<InboundEvent | null> {
  const { event } = JSON.parse(raw) as { event?: InboundEvent }
  if (!event || event.platform !== WEB_SOURCE) return null
  return { ...event, receivedAt }
}
