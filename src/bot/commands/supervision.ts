/**
 * 挂牌督办 (zhangzi-2020 §13) as a closed loop: a leader or the office issues a 督办 on a project; the unit's people
 * answer with a 复函 carrying the five 落实 (解决办法、责任单位、责任领导、责任人、解决时限) within three working days
 * of receiving it; the issuer 办结s it, or 退回s it with a reason (back to the unit, the clock restarted). Until a
 * complete 复函 the item escalates (一通报两约谈, jobs/escalation.ts).
 *
 * Every card of a 督办 tells its current state: each change refreshes every card already sent about it, for
 * each reader as they should now see it; buttons carry the state they were made for, so a click on an outdated
 * card is refused with the state now and changes nothing. Typing is deliberate and carries no stamp.
 */
import { z } from 'zod'
import { and, eq } from 'drizzle-orm'
import type { BotResult, Card, CardRefresh, OutboundMessage } from '../../model/index.ts'
import type { Turn } from '../handle.ts'
import { auditLog } from '../../store/schema.ts'
import { issueSupervision, moveSupervision, replyDueOf, supervisionById, type Supervision } from '../../store/repos/supervisions.ts'
import { contactsOfProject, personById, unitById } from '../../store/repos/directory.ts'
import { projectById, type Project } from '../../store/repos/projects.ts'
import { findProject, recentCardsOf } from '../lookup.ts'
import { hasRole, isOffice, leaderCovers, leadersAndOffice } from '../permissions.ts'
import { formatDay } from '../../cards/conversation.ts'
import { SUPERVISION_STATE_LABELS, supervisionCard, type SupervisionReader, type SupervisionView } from '../../cards/supervision.ts'
import { supervisionReplyDue, type Cadence } from '../../domain/escalation.ts'
import { readReply, replyText } from '../../domain/supervision.ts'
import { outOfQuietHours } from '../../domain/dispatch.ts'
import { localDate } from '../../domain/time.ts'
import { loadDispatchCalendar } from '../../services/rules.ts'
import { askWhich, command, say } from '../registry.ts'
import { form, id, words, workdays } from '../args.ts'
import { commandKeys } from '../../outbox/keys.ts'
import { urgentKey } from '../../outbox/quiet.ts'

/** The people who answer for a project: its contacts and its unit's head. */
async function responsible(turn: Turn, project: Project): Promise<number[]> {
  const contacts = (await contactsOfProject(turn.ctx.db, project.id)).map((p) => p.id)
  const head = (await unitById(turn.ctx.db, project.unitId))?.headPersonId
  return [...new Set([...contacts, ...(head ? [head] : [])])]
}

const withTitle = (p: { name: string; title: string | null } | undefined) => (p ? `${p.name}${p.title ? `（${p.title}）` : ''}` : '{office}')

const text = (turn: Turn, t: string, kind: 'info' | 'warning' | 'success' = 'info'): BotResult => ({
  messages: [turn.reply({ kind: 'text', text: t })],
  toast: { kind, text: t.slice(0, 40) },
})

/** Everything the cards of one 督办 need, read once. */
interface Loaded {
  s: Supervision
  project: Project | undefined
  view: SupervisionView
  unit: Set<number>
  acked: Set<number>
  card: (personId: number | null) => Card
  refresh: CardRefresh
}

async function load(turn: Turn, s: Supervision): Promise<Loaded> {
  const { db } = turn.ctx
  const project = await projectById(db, s.projectId)
  const issuer = s.issuedBy ? await personById(db, s.issuedBy) : undefined
  const unit = new Set(project ? await responsible(turn, project) : [])
  const acks = await db
    .select({ personId: auditLog.actorPersonId })
    .from(auditLog)
    .where(and(eq(auditLog.entity, 'supervision'), eq(auditLog.entityId, s.id), eq(auditLog.action, 'ack')))
    .all()
  const acked = new Set(acks.flatMap((a) => (a.personId ? [a.personId] : [])))
  const view: SupervisionView = {
    id: s.id,
    matter: s.matter,
    project: project?.name ?? '',
    issuer: withTitle(issuer),
    state: s.state,
    replyDueOn: replyDueOf(s),
    cadence: s.cadence,
    fields: s.replyFields ?? null,
    returnReason: s.returnReason,
  }
  const readerOf = (personId: number | null): SupervisionReader =>
    personId !== null && personId === s.issuedBy ? 'issuer' : personId !== null && unit.has(personId) ? 'unit' : 'other'
  const card = (personId: number | null) => supervisionCard(view, readerOf(personId), personId !== null && acked.has(personId))
  return { s, project, view, unit, acked, card, refresh: { subject: `supervision:${s.id}`, card } }
}

/** Every card already sent about this 督办, brought up to date for its reader (also used by 已阅). */
export async function supervisionRefresh(turn: Turn, s: Supervision): Promise<{ refresh: CardRefresh; card: (personId: number | null) => Card }> {
  const l = await load(turn, s)
  return { refresh: l.refresh, card: l.card }
}

/** 待复函 and 已退回 ask the same of the unit: a card made for one still acts in the other. */
const phase = (state: string) => (state === 'returned' ? 'open' : state)

/** A click on a card made for another state of the 督办: refused with its state now, the card replaced. */
async function stale(turn: Turn, s: Supervision, stateStamp: string | undefined): Promise<BotResult | undefined> {
  if (stateStamp === undefined || phase(stateStamp) === phase(s.state)) return undefined
  const l = await load(turn, s)
  const t = `此卡片已过期：督办 D${s.id} 当前为 ${SUPERVISION_STATE_LABELS[s.state]}`
  return {
    updateCard: l.card(turn.person.id),
    toast: { kind: 'warning', text: t.slice(0, 40) },
    messages: [turn.reply({ kind: 'text', text: `${t}。卡片已更新为最新状态。` })],
  }
}

/** The 督办 a command names; typed without a number, the latest one on the person's cards that this command fits. */
async function find(turn: Turn, supervisionId: number | null, fits: (s: Supervision) => boolean): Promise<Supervision | string> {
  if (supervisionId !== null) return (await supervisionById(turn.ctx.db, supervisionId)) ?? `没有编号为 D${supervisionId} 的督办。`
  for (const sent of await recentCardsOf(turn.ctx.db, turn.person.id, turn.chat)) {
    const m = /^supervision:(\d+)$/.exec(sent.card.subject ?? '')
    if (!m) continue
    const s = await supervisionById(turn.ctx.db, Number(m[1]))
    if (s && fits(s)) return s
  }
  return '请写明督办编号，例如「D3」（见督办卡片）。'
}

const mayAnswer = (turn: Turn, l: Loaded) => l.unit.has(turn.person.id) || isOffice(turn.person)
const mayDecide = (turn: Turn, s: Supervision) => s.issuedBy === turn.person.id || isOffice(turn.person)

/** The answer into the clicked card when clicked, and the refresh of every other card. */
function done(turn: Turn, l: Loaded, t: string, messages: OutboundMessage[], toast: string): BotResult {
  return {
    updateCard: l.card(turn.person.id),
    toast: { kind: 'success', text: toast },
    messages: [turn.reply({ kind: 'text', text: t }), ...messages],
    refresh: [l.refresh],
  }
}

// ---------------------------------------------------------------------------------------------------------
// 督办

/** 督办 <project> <matter> [N个工作日]: a 挂牌督办 item with a 复函 due N working days from receipt (default 3). */
const superviseArgs = z.object({ target: words, matter: words, workdays })

async function superviseCommand(turn: Turn, args: z.output<typeof superviseArgs>): Promise<BotResult> {
  const { target } = args
  // 「督办 … 紧急」: the cards go out at once, quiet hours or not.
  const urgent = /(^|[\s，,])(特急|紧急|加急)$/.test(args.matter ?? '')
  const matter = urgent ? args.matter!.replace(/[\s，,]*(特急|紧急|加急)$/, '').trim() || undefined : args.matter
  if (!target || !matter) return say(turn, '请写明项目和督办事项，例如「督办 城东污水处理厂 加快林地手续办理 3个工作日」。')
  const found = await findProject(turn.ctx.db, target)
  if (found.kind === 'none') return say(turn, `没有找到项目「${target}」。`)
  if (found.kind === 'unsure')
    return askWhich(
      turn,
      'supervise',
      { ...args },
      'target',
      found.options.map((p) => p.name),
    )
  const project = found.item
  if (!leaderCovers(turn.person, project)) return say(turn, `「${project.name}」不在您分管的领域内，不能督办。`)
  const dispatch = await loadDispatchCalendar(turn.ctx.db)
  const cadence: Cadence = dispatch.cadence.supervision
  const workdays = args.workdays === undefined ? undefined : Math.min(args.workdays, 60)
  // The clock runs from receipt: a card held by the quiet hours reaches the unit at their end.
  const now = turn.ctx.now.getTime()
  const receivedAt = urgent ? now : outOfQuietHours(dispatch, now)
  const replyDueOn = supervisionReplyDue(cadence, localDate(new Date(receivedAt)), turn.ctx.calendar, workdays)
  const row = await issueSupervision(turn.ctx.db, {
    projectId: project.id,
    matter,
    issuedBy: turn.person.id,
    issuedAt: now,
    dueOn: replyDueOn,
    receivedAt,
    replyDueOn,
    cadence,
  })
  const l = await load(turn, row)
  const to = [...l.unit]
  const messages: OutboundMessage[] = to.map((personId) => ({
    to: { kind: 'person', personId },
    body: { kind: 'card', card: l.card(personId) },
    key: urgent ? urgentKey(commandKeys.supervision(row.id, personId)) : commandKeys.supervision(row.id, personId),
  }))
  const warn = turn.ctx.calendar.coverage(Number(replyDueOn.slice(0, 4)))
  const limit = workdays !== undefined || cadence === 'default' ? `${workdays ?? 3} 个工作日` : '13710：3日内反馈'
  messages.unshift(
    turn.reply({
      kind: 'text',
      text: `已挂牌督办「${project.name}」（D${row.id}）：${matter}。已通知 ${to.length} 人，须于 ${formatDay(replyDueOn)}（${limit}）前复函。${warn ? `\n注意：${warn}` : ''}`,
    }),
  )
  return { messages }
}

// ---------------------------------------------------------------------------------------------------------
// 复函

/** 复函 D3 解决办法：… 责任单位：… 责任领导：… 责任人：… 解决时限：… (typed, any order), or the card's form. */
const replyArgs = z.object({ supervisionId: z.union([id, z.null()]).default(null), text: words, state: z.string().optional(), form })

async function replyCommand(turn: Turn, args: z.output<typeof replyArgs>): Promise<BotResult> {
  const found = await find(turn, args.supervisionId, (s) => s.state === 'open' || s.state === 'returned')
  if (typeof found === 'string') return text(turn, found)
  const old = await stale(turn, found, args.state)
  if (old) return old
  const l = await load(turn, found)
  const s = found
  if (!mayAnswer(turn, l)) return text(turn, `督办 D${s.id} 不是发给您单位的，无需复函。`, 'warning')
  if (s.state === 'closed') return text(turn, `督办 D${s.id} 已办结，无需复函。`)
  if (s.state === 'replied') return text(turn, `督办 D${s.id} 已复函，等待 ${l.view.issuer} 办结。`)
  const r = readReply(args.text ?? '', args.form)
  if (!r.complete) {
    const what = [r.missing.length ? `还缺：${r.missing.join('、')}` : '', r.tooLong.length ? `${r.tooLong.join('、')}请在 200 字以内` : ''].filter(
      Boolean,
    )
    return text(
      turn,
      `复函未登记，${what.join('；')}。请写全五项后重新提交，例如「复函 D${s.id} 解决办法：… 责任单位：… 责任领导：… 责任人：… 解决时限：…」。`,
      'warning',
    )
  }
  const at = turn.ctx.now.getTime()
  const moved = await moveSupervision(
    turn.ctx.db,
    s,
    'replied',
    { personId: turn.person.id, at, action: 'reply' },
    { replyFields: r.fields, reply: replyText(r.fields), repliedAt: at, repliedBy: turn.person.id },
  )
  if (!moved) return text(turn, `督办 D${s.id} 刚刚已有人复函。`)
  const now = await load(turn, moved)
  const issuer = moved.issuedBy
  const messages: OutboundMessage[] =
    issuer && issuer !== turn.person.id
      ? [
          {
            to: { kind: 'person', personId: issuer },
            body: { kind: 'card', card: now.card(issuer) },
            key: commandKeys.supervisionReplied(turn.event, s.id),
          },
        ]
      : []
  return done(turn, now, `已复函督办 D${s.id}（${now.view.project}），已报 ${now.view.issuer} 审核办结。`, messages, '已复函')
}

// ---------------------------------------------------------------------------------------------------------
// 办结 and 退回

const decideArgs = z.object({ supervisionId: z.union([id, z.null()]).default(null), state: z.string().optional() })

async function decidable(turn: Turn, supervisionId: number | null, stateStamp: string | undefined): Promise<Loaded | BotResult> {
  const found = await find(turn, supervisionId, (s) => s.state === 'replied' && mayDecide(turn, s))
  if (typeof found === 'string') return text(turn, found)
  const old = await stale(turn, found, stateStamp)
  if (old) return old
  const l = await load(turn, found)
  if (!mayDecide(turn, found)) return text(turn, `督办 D${found.id} 由 ${l.view.issuer} 交办，须由其办结或退回。`, 'warning')
  if (found.state === 'closed') return text(turn, `督办 D${found.id} 已办结。`)
  if (found.state !== 'replied')
    return text(
      turn,
      `督办 D${found.id} 当前为 ${SUPERVISION_STATE_LABELS[found.state]}（复函时限 ${formatDay(replyDueOf(found))}），尚无复函可办结或退回。`,
    )
  return l
}

/** 办结 D3: the issuer (or the office) accepts the 复函; every card of the 督办 stops acting. */
async function closeCommand(turn: Turn, args: z.output<typeof decideArgs>): Promise<BotResult> {
  const l = await decidable(turn, args.supervisionId, args.state)
  if (!('s' in l)) return l
  const at = turn.ctx.now.getTime()
  const moved = await moveSupervision(
    turn.ctx.db,
    l.s,
    'closed',
    { personId: turn.person.id, at, action: 'close' },
    { closedAt: at, closedBy: turn.person.id },
  )
  if (!moved) return text(turn, `督办 D${l.s.id} 刚刚已被处理。`)
  const now = await load(turn, moved)
  const messages: OutboundMessage[] = [...now.unit].map((personId) => ({
    to: { kind: 'person', personId },
    body: { kind: 'text', text: `督办 D${moved.id}（${now.view.project}：${moved.matter}）已由 ${withTitle(turn.person)} 办结。` },
    key: commandKeys.supervisionClosed(moved.id, personId),
  }))
  return done(turn, now, `督办 D${moved.id}（${now.view.project}）已办结。`, messages, '已办结')
}

/** 退回 D3 <理由>: back to the unit with the reason; the 复函 is due again from today. */
const returnArgs = decideArgs.extend({ reason: words, form })

async function returnCommand(turn: Turn, args: z.output<typeof returnArgs>): Promise<BotResult> {
  const l = await decidable(turn, args.supervisionId, args.state)
  if (!('s' in l)) return l
  const reason = (args.reason ?? args.form.reason ?? '').trim()
  if (!reason) return text(turn, `请写明退回理由，例如「退回 D${l.s.id} 解决时限过长，请压缩到本月内」。`, 'warning')
  if (reason.length > 300) return text(turn, '退回理由请在 300 字以内。', 'warning')
  const at = turn.ctx.now.getTime()
  const cal = turn.ctx.calendar
  // The same number of working days as the first time (3 by default), counted from the return.
  const first = l.s.receivedAt ? cal.workdaysBetween(localDate(new Date(l.s.receivedAt)), replyDueOf(l.s)) : 3
  const replyDueOn = supervisionReplyDue(
    l.s.cadence as Cadence,
    localDate(turn.ctx.now),
    cal,
    l.s.cadence === '13710' ? undefined : Math.max(1, first),
  )
  const moved = await moveSupervision(
    turn.ctx.db,
    l.s,
    'returned',
    { personId: turn.person.id, at, action: 'return' },
    { returnedAt: at, returnReason: reason, receivedAt: at, replyDueOn, dueOn: replyDueOn },
  )
  if (!moved) return text(turn, `督办 D${l.s.id} 刚刚已被处理。`)
  const now = await load(turn, moved)
  const messages: OutboundMessage[] = [...now.unit].map((personId) => ({
    to: { kind: 'person', personId },
    body: { kind: 'card', card: now.card(personId) },
    key: commandKeys.supervisionReturned(turn.event, moved.id, personId),
  }))
  return done(turn, now, `督办 D${moved.id} 已退回责任单位重新复函，时限 ${formatDay(replyDueOn)}。理由：${reason}`, messages, '已退回')
}

export const supervisionCommands = [
  command({
    name: 'supervise',
    args: superviseArgs,
    allowed: leadersAndOffice,
    help: { line: '**督办**：「督办 项目名 事项 3个工作日」；「办结 D3」「退回 D3 理由」' },
    run: superviseCommand,
  }),
  command({
    name: 'replySupervision',
    args: replyArgs,
    help: {
      line: '**复函**：「复函 D3 解决办法：… 责任单位：… 责任领导：… 责任人：… 解决时限：…」',
      for: (p) => hasRole(p, 'contact') || hasRole(p, 'unit_head') || isOffice(p),
    },
    run: replyCommand,
  }),
  command({ name: 'closeSupervision', args: decideArgs, run: closeCommand }),
  command({ name: 'returnSupervision', args: returnArgs, run: returnCommand }),
]
