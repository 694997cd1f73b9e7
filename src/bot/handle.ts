/**
 * The conversation core: one InboundEvent in, a BotResult out. Typed text and clicked buttons end up as the
 * same Command, so one parser, one permission check and one handler serve both.
 */
import type { BotContext } from './context.ts'
import type { BotResult, ChatRef, CommandName, InboundEvent, OutboundMessage, MessageBody, Platform, PlatformUser } from '../model/index.ts'
import type { Person } from '../store/repos/directory.ts'
import { deactivateGroup, personByIdentity, personById, upsertGroup } from '../store/repos/directory.ts'
import { BIND_HINT, bindFromChat } from './identity.ts'
import { commandNamed, commandOfWords } from './commands/index.ts'
import { closestCommands, understand, type Understood } from './understand.ts'
import { choiceNumber, clearPending, getPending } from './pending.ts'
import { confirmFor, correctPending, textReport } from './commands/reporting.ts'
import { projectById } from '../store/repos/projects.ts'
import { buttonForLabel, findProject } from './lookup.ts'
import { clip } from '../cards/text.ts'
import { latestForGroup } from '../jobs/boards.ts'

/**
 * The source of events from the 挂图作战 pages (src/web/actions.ts): the person a web session stands for runs a
 * card's command, through the intake like any chat event. Not a chat platform — nobody binds an account on it
 * and nothing is pushed to it (the page reads its replies back from the outbox) — but typed as one, so the
 * event, the inbound log and the outbox carry it unchanged.
 */
export const WEB_SOURCE = 'web' as Platform

export interface Turn {
  ctx: BotContext
  person: Person
  chat: ChatRef
  event: InboundEvent
  /** Reply into the chat the event came from. */
  reply(body: MessageBody): OutboundMessage
}

export async function handleEvent(ctx: BotContext, event: InboundEvent): Promise<BotResult> {
  return withNames(await handle(ctx, event), ctx.rules.county)
}

/**
 * The county's own names in what the bot says: texts and cards write `{office}` and `{county}` where the
 * configured office (县重点项目建设指挥部办公室…) and county name belong, so one setting names them everywhere.
 */
export function withNames(result: BotResult, names: { name: string; office: string }): BotResult {
  // Copy on write: only what holds a name is copied (every reply passes here, and most hold none).
  const fill = <T>(v: T): T => {
    if (typeof v === 'string') return (v.includes('{') ? v.replaceAll('{office}', names.office).replaceAll('{county}', names.name) : v) as T
    if (Array.isArray(v)) {
      let out: unknown[] | undefined
      for (let i = 0; i < v.length; i++) {
        const x: unknown = fill(v[i])
        if (x !== v[i]) (out ??= [...v])[i] = x
      }
      return (out ?? v) as T
    }
    if (v && typeof v === 'object' && !(v instanceof Date)) {
      let out: Record<string, unknown> | undefined
      for (const [k, was] of Object.entries(v)) {
        const x: unknown = fill(was)
        if (x !== was) (out ??= { ...(v as Record<string, unknown>) })[k] = x
      }
      return (out ?? v) as T
    }
    return v
  }
  const { refresh, ...rest } = result
  const out: BotResult = fill(rest)
  if (refresh) out.refresh = refresh.map((r) => ({ ...r, card: (personId: number | null) => fill(r.card(personId)) }))
  return out
}

async function handle(ctx: BotContext, event: InboundEvent): Promise<BotResult> {
  switch (event.type) {
    case 'bot_added': {
      const group = await upsertGroup(ctx.db, event.platform, event.chat.chatId, event.chat.name ?? '', ctx.now.getTime())
      const welcome = say(event.chat, '大家好，我是调度助手。本群将收到重点项目赛马排名、红黄牌和月度通报。@我 并发送「帮助」查看可用命令。')
      // A group starts with the latest published board and 通报, not empty.
      return { messages: [...welcome.messages, ...(await latestForGroup(ctx.db, ctx.rules, group.id, ctx.now, ctx.demo))] }
    }
    case 'bot_removed':
      await deactivateGroup(ctx.db, event.platform, event.chat.chatId)
      return { messages: [] }
    case 'first_contact': {
      const person = await identify(ctx, event.sender)
      if (person) return say(event.chat, `${person.name}您好，我是调度助手。发送「帮助」查看可用命令。`)
      return say(event.chat, BIND_HINT)
    }
    case 'text':
    case 'card_action':
      return converse(ctx, event)
  }
}

async function converse(ctx: BotContext, event: Extract<InboundEvent, { type: 'text' | 'card_action' }>): Promise<BotResult> {
  if (event.type === 'text' && event.chat.kind === 'group' && !event.mentionedBot) return { messages: [] }
  const person = await identify(ctx, event.sender)
  const named = event.type === 'text' ? commandOfWords(event.text) : undefined
  const understood: Understood = named
    ? { kind: 'command', command: named.name, args: {} }
    : event.type === 'text'
      ? understand(event.text, ctx.now)
      : { kind: 'command', command: event.command, args: event.args }

  if (!person) {
    if (understood.kind === 'command' && understood.command === 'bind') return bindFromChat(ctx, event.sender, event.chat, understood.args)
    return say(event.chat, BIND_HINT)
  }
  const turn: Turn = {
    ctx,
    person,
    chat: event.chat,
    event,
    reply: (body) => ({ to: { kind: 'chat', chat: event.chat }, body }),
  }

  if (event.type === 'text') {
    const resumed = await resume(turn, event.text, understood)
    if (resumed) return resumed
  }

  if (event.type === 'text') {
    const typed = await typedLabel(turn, event.text, understood)
    if (typed) return typed
  }

  if (understood.kind === 'command')
    return runCommand(turn, understood.command, understood.args, event.type === 'card_action' ? event.form : undefined)
  if (understood.kind === 'report') return textReport(turn, understood.parsed)
  return notUnderstood(turn, event.type === 'text' ? event.text : '')
}

/**
 * Typing a button's label is tapping it: the label runs that button's command, with its arguments (and a form's
 * prefilled values), on the latest card sent to this person that has such a button. A command the text already
 * names with its own arguments wins; 已阅 finds its own item (the latest not yet acknowledged).
 */
async function typedLabel(turn: Turn, text: string, understood: Understood): Promise<BotResult | null> {
  // Only text the bot would otherwise not understand, or a bare verb whose item the text leaves out (申请销号).
  if (understood.kind === 'report') return null
  if (
    understood.kind === 'command' &&
    (understood.command === 'ack' ||
      !Object.values(understood.args).some((v) => v === null) ||
      Object.values(understood.args).some((v) => v !== null && v !== undefined))
  )
    return null
  const b = await buttonForLabel(turn.ctx.db, turn.person.id, turn.chat, text)
  if (!b || b.command === 'ack') return null
  if (understood.kind === 'command' && understood.command !== b.command && !['confirm', 'cancel'].includes(b.command)) return null
  return runCommand(turn, b.command, b.args, b.form)
}

/** One short line: the two or three closest commands by the words of the text, and the waiting draft if any. */
async function notUnderstood(turn: Turn, text: string): Promise<BotResult> {
  const pending = await getPending(turn.ctx.db, turn.person.id, turn.ctx.now)
  const examples = closestCommands(turn.person, text)
    .map((e) => `「${e}」`)
    .join('')
  const draft = pending?.kind === 'confirmReport' ? '您有一条填报待确认：回复 确认 提交，或直接改写。' : ''
  return say(turn.chat, `没有看懂「${clip(text, 20)}」。${draft}${examples ? `可以试试：${examples}` : ''}`)
}

/** The next word of a conversation that asked a question: a numbered choice, or a correction to a reply. */
async function resume(turn: Turn, text: string, understood: Understood): Promise<BotResult | null> {
  const pending = await getPending(turn.ctx.db, turn.person.id, turn.ctx.now)
  if (!pending) return null
  if (pending.kind === 'confirmReport') return understood.kind === 'report' ? correctPending(turn, understood.parsed) : null
  const n = pending.kind === 'chooseProject' ? pending.options.length : pending.options.length
  let pick = choiceNumber(text, n)
  if (pick === null && pending.kind === 'choose') {
    const i = pending.options.findIndex((o) => o.label === text.trim())
    if (i >= 0) pick = i + 1
  }
  if (pending.kind === 'chooseProject' && pick === null) {
    const projects = (await Promise.all(pending.options.map((id) => projectById(turn.ctx.db, id)))).filter((p) => p !== undefined)
    const found = await findProject(turn.ctx.db, text, projects)
    if (found.kind === 'one') pick = pending.options.indexOf(found.item.id) + 1
  }
  if (pick === null) return null
  await clearPending(turn.ctx.db, turn.person.id)
  if (pending.kind === 'chooseProject') {
    const project = await projectById(turn.ctx.db, pending.options[pick - 1]!)
    if (!project) return null
    return confirmFor(turn, project, pending.values, pending.missing, pending.roundKind)
  }
  const option = pending.options[pick - 1]!
  return runCommand(turn, pending.command, { ...pending.args, [pending.argName]: option.value })
}

/** Runs a command by name: who may, then its arguments checked against the entry's schema, then its handler. */
export async function runCommand(turn: Turn, name: CommandName, args: Record<string, unknown>, form?: Record<string, string>): Promise<BotResult> {
  const entry = commandNamed(name)
  if (!entry) return { messages: [turn.reply({ kind: 'text', text: '暂不支持这个操作。发送「帮助」查看可用命令。' })] }
  const refusal = entry.allowed?.(turn.person)
  if (refusal) return { messages: [turn.reply({ kind: 'text', text: refusal })], toast: { kind: 'warning', text: refusal } }
  const parsed = entry.args.safeParse({ ...args, ...(form ? { form } : {}) })
  if (!parsed.success) {
    const t = '这个操作的内容不完整或已失效，请重新打开卡片，或发送「帮助」查看用法。'
    return { messages: [turn.reply({ kind: 'text', text: t })], toast: { kind: 'error', text: t } }
  }
  return entry.run(turn, parsed.data)
}

async function identify(ctx: BotContext, sender: PlatformUser): Promise<Person | undefined> {
  // The local page and a web session name our person by id: the channel (never the user) set it.
  if (sender.platform === 'local' || sender.platform === WEB_SOURCE) {
    const id = Number(sender.userId)
    return Number.isInteger(id) ? personById(ctx.db, id) : undefined
  }
  return personByIdentity(ctx.db, sender.platform, sender.userId)
}

function say(chat: ChatRef, text: string): BotResult {
  return { messages: [{ to: { kind: 'chat', chat }, body: { kind: 'text', text } }] }
}
