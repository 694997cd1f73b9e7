/**
 * The local channel: a chat page for trying the bot without Feishu or WeCom. A person picks an identity from
 * the roster and talks to the bot; every message the bot queues for a local address (`person:<id>`,
 * `group:<id>`) shows up in that address's inbox, read straight from the durable outbox.
 *
 *   GET  /chat               the page
 *   GET  /local/roster       people (name, title, unit, roles), units and local groups; demo info
 *   POST /local/send         {personId, text, groupId?}  → a text InboundEvent → BotResult
 *   POST /local/action       {personId, messageId, command, args?, form?} → a card_action → BotResult
 *   GET  /local/inbox        ?address=person:12 | group:3 → {messages: [{id, at, from, body, html}]}
 *
 * An inbox shows a bot message once the outbox would release it: a push queued in the quiet hours (22:00–07:30
 * by default; replies to the person who wrote and urgent pushes go at once) appears in the morning, as it
 * would on Feishu, not the moment it was queued.
 *
 * What people send is kept in the inbound log (platform 'local') before it is processed, as every channel
 * does, and the inbox shows it beside the bot's messages so a conversation reads in order.
 *
 * The page lets anyone act as any official, so it answers only this machine (`localGuard`): every /chat and
 * /local/* request whose Host is not localhost, 127.0.0.1 or [::1] (or one of `allowedHosts`) gets 403 — a
 * DNS-rebinding page cannot reach it by a name of its own —, and every POST must be JSON (415 otherwise:
 * a form or a `text/plain` fetch from another site is not) from this same origin (Origin / Sec-Fetch-Site,
 * 403 otherwise). The server listens on 127.0.0.1 while the local channel is on (HOST, src/config.ts).
 *
 * @example app.route('/', localChannelRoutes({ db, logger, now: () => new Date(), channels: ['local'] }))
 */
import { Hono } from 'hono'
import type { Context, MiddlewareHandler } from 'hono'
import { z } from 'zod'
import { and, asc, desc, eq, max, sql } from 'drizzle-orm'
import type { Db } from '../../store/db.ts'
import type { Logger } from '../../log.ts'
import { isCommandName, type BotResult, type ChatRef, type InboundEvent, type MessageBody, type Platform } from '../../model/index.ts'
import { channelIntake, type Decoder, type Intake, type IntakeDeps } from '../../intake/index.ts'
import { groups, inboundLog, outbox, people, units } from '../../store/schema.ts'
import { groupById, personById, upsertGroup } from '../../store/repos/directory.ts'
import { getSetting } from '../../store/repos/settings.ts'
import { renderBody } from './render.ts'
import { CHAT_CSS, CHAT_HTML, CHAT_JS } from './page.ts'
import { postLatestToGroup } from '../../jobs/boards.ts'
import { loadDispatchCalendar } from '../../services/rules.ts'
import { quietHoursHold } from '../../outbox/quiet.ts'

export interface LocalChannelDeps {
  db: Db
  logger: Logger
  now: () => Date
  /** Enabled channels; messages for people go out on the first of these they can be reached on. */
  channels?: string[]
  /** The shared intake; by default one of its own over these deps. */
  intake?: Intake
  /** For the intake it makes: the bot (tests) and the runtime's transaction. */
  bot?: IntakeDeps['bot']
  transact?: IntakeDeps['transact']
  /** Host names the page answers to besides localhost / 127.0.0.1 / [::1] (LOCAL_HOST, PUBLIC_URL's host). */
  allowedHosts?: string[]
}

/** The names this machine goes by; any port. */
export const LOOPBACK_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '[::1]']

/** The host name of a Host header (`Example.org:8787` → `example.org`, `[::1]:80` → `[::1]`), or undefined. */
function hostnameOf(host: string): string | undefined {
  const m = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::\d{1,5})?$/i.exec(host.trim())
  return m ? m[1]!.toLowerCase() : undefined
}

const refuse = (c: Context, status: 403 | 415, error: string) => c.json({ ok: false, error }, status)

/**
 * The local channel's HTTP guard (see the module comment): Host for every request, then for POSTs the
 * origin and the content type.
 */
export function localGuard(allowedHosts: readonly string[] = []): MiddlewareHandler {
  const allowed = new Set([...LOOPBACK_HOSTS, ...allowedHosts.map((h) => hostnameOf(h) ?? h.toLowerCase())])
  return async (c, next) => {
    const host = c.req.header('host') ?? new URL(c.req.url).host
    const name = hostnameOf(host)
    if (!name || !allowed.has(name))
      return refuse(c, 403, '本地对话页面只接受本机访问，请用 http://localhost 打开 (the local channel answers only requests for localhost)')
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      const site = c.req.header('sec-fetch-site')
      const origin = c.req.header('origin')
      let sameOrigin = site === undefined || site === 'same-origin' || site === 'none'
      if (sameOrigin && origin !== undefined) {
        try {
          sameOrigin = origin !== 'null' && new URL(origin).host === new URL(`http://${host}`).host
        } catch {
          sameOrigin = false
        }
      }
      if (!sameOrigin) return refuse(c, 403, '只接受本页面发出的请求，不接受其他网站的请求 (cross-origin requests are refused)')
      const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
      if (type !== 'application/json') return refuse(c, 415, '请求内容必须是 JSON（content-type: application/json）')
    }
    await next()
  }
}

/** The group every local demo county has, for boards and 通报. */
export const COUNTY_GROUP_NAME = '示例县重点项目调度群'

/** How the bot is addressed in a group; a message starting with it is for the bot. */
export const BOT_MENTION = '@调度助手'

const id = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER)
const SendBody = z.object({
  personId: id,
  text: z.string().trim().min(1).max(2000),
  groupId: id.optional().nullable(),
})
const ActionBody = z.object({
  personId: id,
  messageId: id,
  command: z.string().refine(isCommandName),
  args: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).default({}),
  form: z.record(z.string(), z.string().max(5000)).optional(),
})
const Address = z.string().regex(/^(person|group):[1-9]\d{0,15}$/)

const ROLE_NAMES: Record<string, string> = { contact: '填报人', unit_head: '单位负责人', leader: '县领导', office: '指挥部办公室' }
const INBOX_LIMIT = 300

/** One message in an inbox: what the bot sent (`from: 'bot'`, id = outbox row) or what a person said there. */
export interface InboxMessage {
  id: number | string
  at: string
  from: 'bot' | 'person'
  personId?: number
  name?: string
  body: MessageBody
  html: string
}

export function localChannelRoutes(deps: LocalChannelDeps) {
  const app = new Hono()
  const platforms: Platform[] = [
    ...new Set<Platform>([...(deps.channels ?? []).filter((c): c is Platform => c === 'feishu' || c === 'wecom' || c === 'local'), 'local']),
  ]
  let ensuring: Promise<void> | undefined
  const intake = channelIntake(deps, platforms, { local: localDecoder })

  const guard = localGuard(deps.allowedHosts)
  app.use('/chat', guard)
  app.use('/local/*', guard)

  const page = (c: Context, body: string, type: string) =>
    c.body(body, 200, {
      'content-type': type,
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
    })

  app.get('/chat', (c) => {
    c.header(
      'content-security-policy',
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
    )
    return page(c, CHAT_HTML, 'text/html; charset=utf-8')
  })
  app.get('/local/chat.js', (c) => page(c, CHAT_JS, 'text/javascript; charset=utf-8'))
  app.get('/local/chat.css', (c) => page(c, CHAT_CSS, 'text/css; charset=utf-8'))

  app.get('/local/roster', async (c) => {
    ensuring ??= ensureCountyGroup(deps.db, deps.now().getTime()).finally(() => (ensuring = undefined))
    await ensuring
    const [unitRows, peopleRows, groupRows, demo, county] = await Promise.all([
      deps.db.select().from(units).orderBy(asc(units.id)).all(),
      deps.db.select().from(people).orderBy(asc(people.id)).all(),
      deps.db
        .select()
        .from(groups)
        .where(and(eq(groups.platform, 'local'), eq(groups.active, true)))
        .orderBy(asc(groups.id))
        .all(),
      getSetting<Record<string, unknown>>(deps.db, 'demo'),
      getSetting<{ name?: string }>(deps.db, 'county'),
    ])
    const unitById = new Map(unitRows.map((u) => [u.id, u]))
    return c.json({
      county: county?.name ?? null,
      demo: demo ?? null,
      units: unitRows.map((u) => ({ id: u.id, name: u.name, league: u.league, headPersonId: u.headPersonId })),
      people: peopleRows.map((p) => {
        const u = p.unitId ? unitById.get(p.unitId) : undefined
        const roles = (p.roles ?? []) as string[]
        return {
          id: p.id,
          name: p.name,
          title: p.title ?? '',
          unit: u ? { id: u.id, name: u.name, league: u.league } : null,
          roles,
          roleNames: roles.map((r) => ROLE_NAMES[r] ?? r),
        }
      }),
      groups: groupRows.map((g) => ({ id: g.id, name: g.name || `群聊 ${g.id}`, address: `group:${g.id}`, boards: g.boards })),
    })
  })

  app.post('/local/send', async (c) => {
    const input = await parseBody(c, SendBody)
    if (!input.ok) return input.response
    const { personId, text, groupId } = input.data
    const person = await personById(deps.db, personId)
    if (!person) return bad(c, '名册中没有这个人，请刷新页面后重新选择身份')
    let chat: ChatRef = { platform: 'local', chatId: `person:${person.id}`, kind: 'direct', name: person.name }
    if (groupId != null) {
      const group = await groupById(deps.db, groupId)
      if (!group || group.platform !== 'local' || !group.active) return bad(c, '没有这个群，请刷新页面后重新选择')
      chat = { platform: 'local', chatId: `group:${group.id}`, kind: 'group', name: group.name }
    }
    const mentionedBot = chat.kind === 'group' && text.startsWith(BOT_MENTION)
    const stripped = text.startsWith(BOT_MENTION) ? text.slice(BOT_MENTION.length).trim() : text
    const now = deps.now()
    const event: InboundEvent = {
      type: 'text',
      id: crypto.randomUUID(),
      platform: 'local',
      receivedAt: now,
      sender: { platform: 'local', userId: String(person.id), name: person.name },
      chat,
      text: stripped,
      mentionedBot,
    }
    return handle(c, event, { said: text, name: person.name })
  })

  app.post('/local/action', async (c) => {
    const input = await parseBody(c, ActionBody)
    if (!input.ok) return input.response
    const { personId, messageId, command, args, form } = input.data
    const person = await personById(deps.db, personId)
    if (!person) return bad(c, '名册中没有这个人，请刷新页面后重新选择身份')
    const row = await deps.db.select().from(outbox).where(eq(outbox.id, messageId)).get()
    if (!row || row.platform !== 'local') return bad(c, '找不到这张卡片，可能已被删除')
    const chat = chatOfAddress(row.address)
    if (!chat) return bad(c, '找不到这张卡片，可能已被删除')
    if (chat.kind === 'direct' && chat.chatId !== `person:${person.id}`)
      return c.json({ ok: false, error: '只能操作发给自己的卡片，请先切换到收到这张卡片的身份' }, 403)
    if (chat.kind === 'group') {
      const group = await groupById(deps.db, Number(chat.chatId.slice('group:'.length)))
      if (group) chat.name = group.name
    } else chat.name = person.name
    const filled = form ? Object.fromEntries(Object.entries(form).filter(([, v]) => v.trim() !== '')) : undefined
    const event: InboundEvent = {
      type: 'card_action',
      id: crypto.randomUUID(),
      platform: 'local',
      receivedAt: deps.now(),
      sender: { platform: 'local', userId: String(person.id), name: person.name },
      chat,
      messageId: String(row.id),
      command,
      args: Object.fromEntries(Object.entries(args).filter(([, v]) => v !== null)),
      ...(filled ? { form: filled } : {}),
    }
    return handle(c, event, { name: person.name, outboxId: row.id })
  })

  app.get('/local/inbox', async (c) => {
    const address = Address.safeParse(c.req.query('address') ?? '')
    if (!address.success) return bad(c, '地址格式不对，应为 person:编号 或 group:编号')
    const messages = await inbox(deps.db, address.data, { now: deps.now().getTime(), holdUntil: quietHoursHold(await loadDispatchCalendar(deps.db)) })
    c.header('cache-control', 'no-store')
    return c.json({ ok: true, address: address.data, messages })
  })

  /** Records the event, runs the bot, applies an in-place card update, answers with the BotResult. */
  async function handle(c: Context, event: InboundEvent, extra: { said?: string; name: string; outboxId?: number }) {
    // Where in the outbox this arrived: the inbox places what people said among the bot's messages by it.
    const last = await deps.db
      .select({ n: max(outbox.id) })
      .from(outbox)
      .get()
    const raw = JSON.stringify({ event, said: extra.said ?? null, name: extra.name, afterOutboxId: last?.n ?? 0 })
    const r = await intake.accept({ platform: 'local', dedupeKey: event.id, raw, event }, { waitMs: Infinity })
    const result: BotResult | undefined = r.kind === 'answered' ? r.result : undefined
    if (!result) return c.json({ ok: false, error: '调度助手处理这条消息时出错了，请稍后再试' }, 500)
    // The local page's card update: the clicked card's row shows the new card.
    if (result.updateCard && extra.outboxId !== undefined) {
      const body: MessageBody = { kind: 'card', card: result.updateCard }
      // The row is now about what the new card is about: later changes of that item find it (refreshCards).
      await deps.db
        .update(outbox)
        .set({ body, subject: result.updateCard.subject ?? null })
        .where(eq(outbox.id, extra.outboxId))
    }
    return c.json({ ok: true, ...result })
  }

  return app
}

/** When an outbox row may go out (the quiet hours' `quietHoursHold`); without it every row is out at once. */
export type HoldUntil = (row: { key: string; body?: unknown; updatesId?: number | null }, now: number) => number

/**
 * The messages of one local address, oldest first: the bot's from the outbox, people's from the inbound log.
 * A bot message counts once it was delivered (sent) or the outbox would deliver it at `now`; it is dated when
 * it went out, or would have (a push queued at 23:00 is dated 07:30).
 */
export async function inbox(db: Db, address: string, opts: { now?: number; holdUntil?: HoldUntil } = {}): Promise<InboxMessage[]> {
  const now = opts.now ?? Number.POSITIVE_INFINITY
  const release = (r: { key: string; body: unknown; updatesId: number | null }, at: number) => opts.holdUntil?.(r, at) ?? at
  const sent = await db
    .select()
    .from(outbox)
    .where(and(eq(outbox.platform, 'local'), eq(outbox.address, address)))
    .orderBy(desc(outbox.id))
    .limit(INBOX_LIMIT)
    .all()
  const said = await db
    .select()
    .from(inboundLog)
    .where(
      and(
        eq(inboundLog.platform, 'local'),
        sql`json_extract(${inboundLog.raw}, '$.event.chat.chatId') = ${address}`,
        sql`json_extract(${inboundLog.raw}, '$.event.type') = 'text'`,
      ),
    )
    .orderBy(desc(inboundLog.id))
    .limit(INBOX_LIMIT)
    .all()

  type Keyed = InboxMessage & { key: [number, number, number] }
  const out: Keyed[] = sent
    .filter((r) => r.status === 'sent' || release(r, now) <= now)
    .map((r) => {
      const body = r.body as MessageBody
      const at = r.sentAt ?? release(r, r.createdAt)
      return { key: [r.id, 0, 0], id: r.id, at: new Date(at).toISOString(), from: 'bot', body, html: renderBody(body) }
    })
  for (const r of said) {
    let raw: { event?: { sender?: { userId?: string } }; said?: string; name?: string; afterOutboxId?: number }
    try {
      raw = JSON.parse(r.raw)
    } catch {
      continue
    }
    const body: MessageBody = { kind: 'text', text: raw.said ?? '' }
    out.push({
      key: [raw.afterOutboxId ?? 0, 1, r.id],
      id: `in-${r.id}`,
      at: new Date(r.receivedAt).toISOString(),
      from: 'person',
      personId: Number(raw.event?.sender?.userId),
      name: raw.name ?? '',
      body,
      html: renderBody(body),
    })
  }
  out.sort((a, b) => a.key[0] - b.key[0] || a.key[1] - b.key[1] || a.key[2] - b.key[2])
  return out.slice(-INBOX_LIMIT).map(({ key: _key, ...m }) => m)
}

/** A stored local payload back into its event (resume, retry). */
export const localDecoder: Decoder = async (raw) => {
  const stored = JSON.parse(raw) as { event: InboundEvent & { receivedAt: string } }
  return { ...stored.event, receivedAt: new Date(stored.event.receivedAt) } as InboundEvent
}

/** Creates the county-wide local group on first use. Its chat id is its address, `group:<id>`. */
export async function ensureCountyGroup(db: Db, at: number): Promise<void> {
  const existing = await db.select({ id: groups.id }).from(groups).where(eq(groups.platform, 'local')).limit(1).get()
  if (existing) return
  const g = await upsertGroup(db, 'local', 'group:new', COUNTY_GROUP_NAME, at)
  await db
    .update(groups)
    .set({ chatId: `group:${g.id}` })
    .where(eq(groups.id, g.id))
  // The demo's county group starts with the latest published board and 通报.
  await postLatestToGroup(db, g.id, new Date(at), ['local'])
}

function chatOfAddress(address: string): ChatRef | undefined {
  const m = /^(person|group):(\d+)$/.exec(address)
  if (!m) return undefined
  return { platform: 'local', chatId: address, kind: m[1] === 'group' ? 'group' : 'direct' }
}

function bad(c: Context, error: string) {
  return c.json({ ok: false, error }, 400)
}

const FIELD_NAMES: Record<string, string> = {
  personId: '身份（personId）',
  text: '消息内容（text）',
  groupId: '群（groupId）',
  messageId: '卡片（messageId）',
  command: '操作（command）',
  args: '参数（args）',
  form: '表单（form）',
}

async function parseBody<T extends z.ZodType>(c: Context, schema: T): Promise<{ ok: true; data: z.infer<T> } | { ok: false; response: Response }> {
  let json: unknown
  try {
    json = await c.req.json()
  } catch {
    return { ok: false, response: bad(c, '请求内容不是合法的 JSON') }
  }
  const parsed = schema.safeParse(json)
  if (parsed.success) return { ok: true, data: parsed.data }
  const fields = [...new Set(parsed.error.issues.map((i) => String(i.path[0] ?? '')))].map((f) => FIELD_NAMES[f] ?? (f || '请求体'))
  return { ok: false, response: bad(c, `请求内容不正确：${fields.join('、')}缺失或格式不对`) }
}
