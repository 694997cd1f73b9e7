/**
 * Scripted conversations against a real SQLite database holding the demo county:
 *
 *   const h = await harness()
 *   const r = await h.as('填报人', { unit: '城关镇' }).send('填报')
 *   expect(r.cards[0].title).toContain('调度')
 *
 * Each `send`/`click` goes through the intake exactly as a channel's delivery does (stored, the bot run, its
 * replies queued in the outbox, the row marked, in one transaction) and returns what came back to the sender
 * plus everything queued for others.
 */
import { eq } from 'drizzle-orm'
import { demoDatabase } from './demo-image.ts'
import { createIntake } from '../src/intake/index.ts'
import { localDecoder } from '../src/channels/local/routes.ts'
import type { BotResult, Card, ChatRef, CommandName, InboundEvent, MessageBody, Platform } from '../src/model/index.ts'
import { outbox, people, units, type Role } from '../src/store/schema.ts'
import { silentLogger } from '../src/log.ts'
import { shanghaiTime } from '../src/domain/time.ts'
import { upsertGroup } from '../src/store/repos/directory.ts'

export type Person = typeof people.$inferSelect

export interface Said {
  result: BotResult
  /** Everything addressed back to the sender's chat, in order. */
  replies: MessageBody[]
  texts: string[]
  cards: Card[]
  /** All text of the replies and cards, for loose assertions. */
  all: string
}

let seq = 0

/** `demoAt`: when the demo county is generated (its history ends with the last month closed by then; default 22 Nov 2026). */
export async function harness(opts: { now?: Date; demoAt?: Date } = {}) {
  const database = await demoDatabase(opts.demoAt ?? shanghaiTime(2026, 11, 22, 10))
  const { db } = database
  let now = opts.now ?? shanghaiTime(2026, 11, 26, 10)
  const everyone = await db.select().from(people).all()
  const unitRows = await db.select().from(units).all()

  const find = (role: Role, where: { unit?: string; title?: string; name?: string } = {}): Person => {
    const unitId = where.unit ? unitRows.find((u) => u.name === where.unit)?.id : undefined
    const p = everyone.find(
      (x) =>
        (x.roles as Role[]).includes(role) &&
        (unitId === undefined || x.unitId === unitId) &&
        (!where.title || x.title === where.title) &&
        (!where.name || x.name === where.name),
    )
    if (!p) throw new Error(`no ${role} ${JSON.stringify(where)} in the demo county`)
    return p
  }

  const intakes = new Map<Platform, ReturnType<typeof createIntake>>()
  const intakeFor = (platform: Platform) => {
    let i = intakes.get(platform)
    if (!i)
      intakes.set(
        platform,
        (i = createIntake({
          db,
          logger: silentLogger,
          now: () => now,
          platforms: [platform],
          decoders: { local: localDecoder },
          transact: database.transact,
        })),
      )
    return i
  }
  /** One delivery through the intake, as a channel makes it. */
  async function deliver(event: InboundEvent): Promise<BotResult> {
    const r = await intakeFor(event.platform).accept(
      { platform: event.platform, dedupeKey: event.id, raw: JSON.stringify({ event }), event },
      { waitMs: Infinity },
    )
    if (r.kind !== 'answered' || !r.result) throw new Error(`the bot failed on ${JSON.stringify(event)}`)
    return r.result
  }

  async function run(
    chat: ChatRef,
    sender: string,
    event:
      | { type: 'text'; text: string; mentionedBot?: boolean }
      | { type: 'card_action'; command: CommandName; args?: Record<string, unknown>; form?: Record<string, string> },
  ): Promise<Said> {
    const base = { id: `t${++seq}`, platform: 'local' as const, receivedAt: now, sender: { platform: 'local' as const, userId: sender }, chat }
    const result = await deliver(
      event.type === 'text'
        ? { ...base, type: 'text', text: event.text, mentionedBot: event.mentionedBot ?? chat.kind === 'direct' }
        : { ...base, type: 'card_action', command: event.command, args: event.args ?? {}, form: event.form },
    )
    const replies = result.messages.filter((m) => m.to.kind === 'chat' && m.to.chat.chatId === chat.chatId).map((m) => m.body)
    const texts = replies.flatMap((b) => (b.kind === 'text' ? [b.text] : []))
    const cards = [...replies.flatMap((b) => (b.kind === 'card' ? [b.card] : [])), ...(result.updateCard ? [result.updateCard] : [])]
    return { result, replies, texts, cards, all: [...texts, ...cards.map(cardText), result.toast?.text ?? ''].join('\n') }
  }

  const direct = (p: Person): ChatRef => ({ platform: 'local', chatId: `person:${p.id}`, kind: 'direct' })

  return {
    db,
    deliver,
    intakeFor,
    transact: database.transact,
    sqlite: database.sqlite,
    people: everyone,
    units: unitRows,
    find,
    get now() {
      return now
    },
    at(d: Date) {
      now = d
    },
    /** Talk as a person from the roster (a role plus an optional unit / title / name). */
    as(role: Role | Person, where: { unit?: string; title?: string; name?: string } = {}) {
      const p = typeof role === 'string' ? find(role, where) : role
      return {
        person: p,
        send: (text: string) => run(direct(p), String(p.id), { type: 'text', text }),
        click: (command: CommandName, args: Record<string, unknown> = {}, form?: Record<string, string>) =>
          run(direct(p), String(p.id), { type: 'card_action', command, args, form }),
        inGroup: async (text: string, mentionedBot = true) => {
          const g = await upsertGroup(db, 'local', 'group:county', '示例县重点项目调度群', now.getTime())
          return run({ platform: 'local', chatId: `group:${g.id}`, kind: 'group' }, String(p.id), { type: 'text', text, mentionedBot })
        },
        /** Messages queued for this person by anyone (their inbox). */
        inbox: () => inboxOf(`person:${p.id}`),
      }
    },
    /** A platform account nobody has bound yet. */
    stranger(platformUserId = 'ou_stranger') {
      const chat: ChatRef = { platform: 'feishu', chatId: `oc_${platformUserId}`, kind: 'direct' }
      const send = async (text: string) => {
        const result = await deliver({
          id: `t${++seq}`,
          platform: 'feishu',
          type: 'text',
          receivedAt: now,
          sender: { platform: 'feishu', userId: platformUserId },
          chat,
          text,
          mentionedBot: true,
        })
        const texts = result.messages.flatMap((m) => (m.body.kind === 'text' ? [m.body.text] : []))
        return { result, texts, all: texts.join('\n') }
      }
      return { send }
    },
    inboxOf,
    close: () => database.close(),
  }

  async function inboxOf(address: string): Promise<MessageBody[]> {
    const rows = await db.select().from(outbox).where(eq(outbox.address, address)).orderBy(outbox.id).all()
    return rows.map((r) => r.body as MessageBody)
  }
}

/** All the words on a card, for assertions that read like what a person sees. */
export function cardText(card: Card): string {
  const parts: string[] = [card.title, card.subtitle ?? '']
  for (const e of card.elements) {
    if (e.kind === 'markdown' || e.kind === 'note') parts.push(e.text)
    if (e.kind === 'fields') parts.push(...e.fields.map((f) => `${f.label}：${f.value}`))
    if (e.kind === 'table') parts.push(e.columns.map((c) => c.label).join(' '), ...e.rows.map((r) => Object.values(r).join(' ')))
    if (e.kind === 'actions') parts.push(...e.buttons.map((b) => b.label))
    if (e.kind === 'form') parts.push(...e.inputs.map((i) => `${i.label}=${i.initial ?? ''}`), e.submit.label)
    if (e.kind === 'mentions') parts.push(e.text ?? '', ...e.people.map((p) => `@${p.name}`))
  }
  return parts.join('\n')
}

export const textOf = (b: MessageBody) => (b.kind === 'text' ? b.text : cardText(b.card))

/** The form of a 调度 prompt card: its submit args and last month's 累计 in 万元 (the ytd input's initial value). */
export function promptForm(card: Card) {
  const form = card.elements.find((e) => e.kind === 'form')
  if (!form || form.kind !== 'form') throw new Error(`card "${card.title}" has no form`)
  return { args: form.submit.args ?? {}, inputs: form.inputs, prevYtdWan: Number(form.inputs.find((i) => i.name === 'ytd')?.initial ?? 0) }
}
