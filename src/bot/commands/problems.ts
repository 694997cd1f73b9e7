/**
 * 问题台账 workflow: 新增 → 交办 (office) → 推进中 (assignee updates) → 申请销号 (assignee, with a 说明) → 销号 (only
 * when the reporter confirms: "企业满意的方可清零销号"), or 驳回 (with a reason) back to 推进中. Every change is a
 * problem_events row.
 *
 * Every card of a problem tells its current state: each change refreshes every card already sent about it
 * (`refresh`, for each reader as they should now see it), and every button carries the state it was made for
 * (`state`, and `unit`: the assignee unit, 0 for none), so a click on a card that is out of date is refused with
 * the problem's state and changes nothing. Typing is deliberate and carries no stamp: a typed 「交办」 re-assigns.
 */
import { z } from 'zod'
import { desc, eq } from 'drizzle-orm'
import type { BotResult, Button, Card, CardRefresh, OutboundMessage } from '../../model/index.ts'
import type { Turn } from '../handle.ts'
import { people, problemEvents, type ProblemState } from '../../store/schema.ts'
import { moveProblem, problemById, type Problem } from '../../store/repos/problems.ts'
import { projectById } from '../../store/repos/projects.ts'
import { listUnits, personById, unitById, type Person, type Unit } from '../../store/repos/directory.ts'
import { peopleWithRole } from '../../store/repos/people.ts'
import { findUnit } from '../lookup.ts'
import { isOffice, officeOnly } from '../permissions.ts'
import { command } from '../registry.ts'
import { form, problemId, words, workdays } from '../args.ts'
import { PROBLEM_STATE_LABELS, newProblemCard, problemCard, type ProblemView } from '../../cards/conversation.ts'
import { localDate } from '../../domain/time.ts'
import { problemDue } from '../../domain/escalation.ts'
import { ASSIGN_FIELDS, SEVERITY_LABELS, labelledFields, levelLabel, readSeverity } from '../../domain/supervision.ts'
import { loadDispatchCalendar } from '../../services/rules.ts'
import { commandKeys } from '../../outbox/keys.ts'
import { formatDay } from '../../cards/conversation.ts'

/** A 说明 or a 驳回 reason fits on a card. */
const MAX_NOTE = 300
/** What the history says a 驳回 is (its note starts with this). */
const REJECTED = '驳回：'

export const text = (turn: Turn, t: string): BotResult => ({
  messages: [turn.reply({ kind: 'text', text: t })],
  toast: { kind: 'info', text: t.slice(0, 40) },
})

export async function load(turn: Turn, args: { problemId: number | null }): Promise<Problem | string> {
  const id = args.problemId
  if (id === null) return '请写明问题编号，例如「#12」。发送「问题」可查看台账。'
  const p = await problemById(turn.ctx.db, id)
  return p ?? `没有编号为 #${id} 的问题。`
}

/** The problem's latest history note (a 驳回 reason, a 销号 说明, a 进展). */
async function lastNote(turn: Turn, p: Problem): Promise<string> {
  const e = await turn.ctx.db
    .select({ note: problemEvents.note })
    .from(problemEvents)
    .where(eq(problemEvents.problemId, p.id))
    .orderBy(desc(problemEvents.id))
    .limit(1)
    .get()
  return e?.note ?? ''
}

async function view(turn: Turn, p: Problem, note?: string): Promise<ProblemView> {
  const { db } = turn.ctx
  const project = await projectById(db, p.projectId)
  const unit = p.assigneeUnitId ? await unitById(db, p.assigneeUnitId) : undefined
  const leader = p.leaderPersonId ? await personById(db, p.leaderPersonId) : undefined
  const person = p.assigneePersonId ? await personById(db, p.assigneePersonId) : undefined
  return {
    id: p.id,
    description: p.description,
    state: p.state,
    project: project?.name ?? '',
    unit: unit?.name ?? null,
    dueOn: p.dueOn,
    ...(note ? { note } : {}),
    leader: leader ? nameWithTitle(leader) : null,
    person: person ? nameWithTitle(person) : null,
    plan: p.plan,
    severity: p.severity,
    level: levelLabel(p.level),
  }
}

const nameWithTitle = (p: { name: string; title: string | null }) => `${p.name}${p.title ? `（${p.title}）` : ''}`

/** Moves a problem to a new state, with its history row, as this person now. */
export const move = (turn: Turn, p: Problem, to: ProblemState, note: string, set: Partial<Problem> = {}) =>
  moveProblem(turn.ctx.db, p, to, { personId: turn.person.id, at: turn.ctx.now.getTime(), note }, set)

const isAssignee = (turn: Turn, p: Problem) =>
  p.assigneePersonId === turn.person.id || (p.assigneeUnitId !== null && turn.person.unitId === p.assigneeUnitId)

const notify = (personId: number | null, card: Card, key: string): OutboundMessage[] =>
  personId ? [{ to: { kind: 'person', personId }, body: { kind: 'card', card }, key }] : []

/** What a button carries besides the problem: the state and assignee unit its card was made for. */
const stamp = (p: Problem) => ({ problemId: p.id, state: p.state, unit: p.assigneeUnitId ?? 0 })

const assigneeButtons = (p: Problem): Button[] => [
  { label: '更新进展', command: 'update', args: stamp(p) },
  { label: '申请销号', style: 'primary', command: 'requestClose', args: stamp(p) },
]

const reporterButtons = (p: Problem): Button[] => [
  { label: '确认销号', style: 'primary', command: 'confirmClose', args: stamp(p) },
  { label: '驳回', style: 'danger', command: 'reject', args: stamp(p) },
]

/** 已交办（县自然资源局）: the state as people read it. */
const stateText = (v: ProblemView) => `${PROBLEM_STATE_LABELS[v.state]}${v.unit && v.state !== 'new' ? `（${v.unit}）` : ''}`

/** Who a reader is to a problem: what their card shows depends on it. */
interface Readers {
  office: Set<number>
  assignees: Set<number>
  reporter: number | null
  units: Unit[]
}

async function readersOf(turn: Turn, p: Problem): Promise<Readers> {
  const { db } = turn.ctx
  const office = new Set((await peopleWithRole(db, 'office')).map((o) => o.id))
  const assignees = new Set<number>(p.assigneePersonId ? [p.assigneePersonId] : [])
  if (p.assigneeUnitId)
    for (const r of await db.select({ id: people.id }).from(people).where(eq(people.unitId, p.assigneeUnitId)).all()) assignees.add(r.id)
  return { office, assignees, reporter: p.reporterPersonId, units: p.state === 'new' ? await listUnits(db) : [] }
}

/** The problem's card as `personId` should see it now (null: a group, or someone not of ours: no buttons). */
function cardFor(p: Problem, v: ProblemView, r: Readers, personId: number | null): Card {
  const rejected = p.state === 'in_progress' && (v.note ?? '').startsWith(REJECTED)
  const reporter = personId !== null && personId === r.reporter
  // A reporter in the assignee unit still reads the problem as its reporter, unless it was put on him by name.
  const assignee = personId !== null && r.assignees.has(personId) && (!reporter || personId === p.assigneePersonId)
  switch (p.state) {
    case 'new':
      return personId !== null && r.office.has(personId) ? newProblemCard(v, r.units) : problemCard(v, '新问题', [])
    case 'assigned':
    case 'in_progress':
      if (assignee) return problemCard(v, rejected ? '销号申请被驳回' : p.state === 'assigned' ? '交办' : '推进中', assigneeButtons(p))
      return problemCard(v, rejected ? '已驳回' : '已交办', [])
    case 'close_requested':
      if (reporter) return problemCard(v, '申请销号，请确认是否已解决', reporterButtons(p))
      return problemCard(v, '已申请销号，等待提出人确认', [])
    case 'closed':
      return problemCard(v, '已销号', [])
  }
}

/** Every card already sent about this problem, brought up to date for its reader. */
export async function refreshOf(
  turn: Turn,
  p: Problem,
): Promise<{ refresh: CardRefresh; view: ProblemView; readers: Readers; card: (personId: number | null) => Card }> {
  const v = await view(turn, p, await lastNote(turn, p))
  const readers = await readersOf(turn, p)
  const card = (personId: number | null) => cardFor(p, v, readers, personId)
  return { refresh: { subject: `problem:${p.id}`, card }, view: v, readers, card }
}

/** The stamp a button carried: absent when typed. */
const stampArgs = { state: z.string().optional(), unit: z.coerce.number().int().nonnegative().optional() }

/** 已交办 and 推进中 ask the same of everyone (the unit works on it): a card made for one still acts in the other. */
const phase = (state: string) => (state === 'assigned' ? 'in_progress' : state)

/**
 * A click on a card made for another state (or another assignee) of the problem: refused with its state now,
 * the card replaced by the current one. Undefined when the click is current, or the command was typed.
 */
async function stale(turn: Turn, p: Problem, args: { state?: string | undefined; unit?: number | undefined }): Promise<BotResult | undefined> {
  if (args.state === undefined && args.unit === undefined) return undefined
  if ((args.state === undefined || phase(args.state) === phase(p.state)) && (args.unit === undefined || args.unit === (p.assigneeUnitId ?? 0)))
    return undefined
  const { view: v, card } = await refreshOf(turn, p)
  const t = `此卡片已过期：问题 #${p.id} 当前为 ${stateText(v)}`
  return {
    updateCard: card(turn.person.id),
    toast: { kind: 'warning', text: t.slice(0, 40) },
    messages: [turn.reply({ kind: 'text', text: `${t}。卡片已更新为最新状态。` })],
  }
}

/** A text input on a problem's card, submitting `command` with the card's stamp. */
function withForm(
  card: Card,
  p: Problem,
  f: { name: string; label: string; placeholder: string; submit: string; command: string; style?: Button['style'] },
): Card {
  card.elements.push({
    kind: 'form',
    name: f.command,
    inputs: [{ name: f.name, label: f.label, kind: 'multiline', required: true, placeholder: f.placeholder }],
    submit: { label: f.submit, style: f.style ?? 'primary', command: f.command, args: stamp(p) },
  })
  return card
}

/** A card answer: into the clicked card when clicked, else as a reply. */
const cardAnswer = (turn: Turn, card: Card, toast: string): BotResult =>
  turn.event.type === 'card_action'
    ? { updateCard: card, toast: { kind: 'info', text: toast }, messages: [] }
    : { messages: [turn.reply({ kind: 'card', card })] }

/**
 * 交办 #12 <unit> [N个工作日] [重大] [方案：…] [责任领导：…] [责任人：…] (office), with 五到位 (county-2023): 责任单位,
 * 责任领导 (default the project's 包联领导), 责任人 (default the unit's head), 解决方案, 解决时限 (default by the
 * cadence and severity: a 重大 problem gets the major deadline). From a card: form.unit is the unit id, form.plan,
 * form.leader (an id or a name), form.person, form.severity and form.workdays. Typed again with only fields and
 * no unit, it completes the 五到位 of the unit it is with.
 */
const assignArgs = z.object({ problemId, target: words, workdays, form, ...stampArgs })

async function personNamed(turn: Turn, name: string, unitId: number | null, roles: string[] = []): Promise<Person | undefined> {
  const bare = name.replace(/[（(].*$/, '').trim()
  const all = await turn.ctx.db.select().from(people).where(eq(people.name, bare)).all()
  const fit = (p: Person) => roles.length === 0 || roles.some((r) => (p.roles as string[]).includes(r))
  return all.find((p) => p.unitId === unitId && fit(p)) ?? all.find(fit) ?? all[0]
}

async function assignCommand(turn: Turn, args: z.output<typeof assignArgs>): Promise<BotResult> {
  const p = await load(turn, args)
  if (typeof p === 'string') return text(turn, p)
  const old = await stale(turn, p, args)
  if (old) return old
  if (p.state === 'closed') return text(turn, `问题 #${p.id} 已销号，不能再交办。`)
  const { db } = turn.ctx
  const form = args.form
  const typed = labelledFields(args.target ?? '', ASSIGN_FIELDS)
  const sev = readSeverity(typed.rest)
  let unit = form.unit ? await unitById(db, Number(form.unit)) : undefined
  if (!unit) {
    const name = sev.rest.trim()
    if (!name && p.state !== 'new' && p.assigneeUnitId) unit = await unitById(db, p.assigneeUnitId)
    if (!unit) {
      if (!name) return text(turn, '请写明责任单位，例如「交办 #12 县自然资源局 5个工作日 方案：…」。')
      const found = await findUnit(db, name)
      if (found.kind !== 'one')
        return text(
          turn,
          found.kind === 'none' ? `没有找到单位「${name}」。` : `您要找的是不是：${found.options.map((u) => u.name).join('、')}？请写全称。`,
        )
      unit = found.item
    }
  }
  const project = await projectById(db, p.projectId)
  const plan = ((form.plan ?? '').trim() || typed.fields.plan || p.plan || '').trim() || null
  if (plan && plan.length > MAX_NOTE) return text(turn, `解决方案请在 ${MAX_NOTE} 字以内。`)
  const leaderText = (form.leader ?? '').trim() || typed.fields.leader
  const leader = leaderText
    ? /^\d+$/.test(leaderText)
      ? await personById(db, Number(leaderText))
      : await personNamed(turn, leaderText, null, ['leader', 'executive', 'county_head'])
    : undefined
  if (leaderText && !leader) return text(turn, `没有找到责任领导「${leaderText}」，请写县领导的姓名。`)
  const personText = (form.person ?? '').trim() || typed.fields.person
  const person = personText ? await personNamed(turn, personText, unit.id) : undefined
  if (personText && !person) return text(turn, `没有找到责任人「${personText}」，请写花名册中的姓名（不写则为单位负责人）。`)
  const severity = (form.severity === 'major' || form.severity === 'ordinary' ? form.severity : sev.severity) ?? p.severity
  const given = form.workdays ? Number(form.workdays) : args.workdays
  if (given !== undefined && (!Number.isInteger(given) || given <= 0 || given > 120)) return text(turn, '解决时限应为 1–120 个工作日。')
  const dispatch = await loadDispatchCalendar(db)
  const dueOn = problemDue(dispatch.cadence.problems, severity, localDate(turn.ctx.now), turn.ctx.calendar, dispatch.cadence, given)
  const assignee = person?.id ?? (p.assigneeUnitId === unit.id && p.assigneePersonId ? p.assigneePersonId : unit.headPersonId)
  const leaderId = leader?.id ?? p.leaderPersonId ?? project?.leaderPersonId ?? null
  const previous = p.state !== 'new' && p.assigneeUnitId !== unit.id ? await unitById(db, p.assigneeUnitId ?? 0) : undefined
  const limit =
    given !== undefined ? `${given} 个工作日` : `${SEVERITY_LABELS[severity]}问题${dispatch.cadence.problems === '13710' ? '（13710）' : ''}`
  const note = `${previous ? `改为交办（原 ${previous.name}）` : '交办'} ${unit.name}，${limit}，解决时限 ${formatDay(dueOn)}${plan ? `；解决方案：${plan}` : ''}`
  const moved = await move(turn, p, p.state === 'new' || previous ? 'assigned' : p.state, note, {
    assigneeUnitId: unit.id,
    assigneePersonId: assignee,
    leaderPersonId: leaderId,
    plan,
    severity,
    dueOn,
  })
  const { refresh, card, view: v } = await refreshOf(turn, moved)
  const missing = plan ? '' : `\n五到位尚缺解决方案：请发送「交办 #${p.id} 方案：…」补充。`
  const to = [...new Set([assignee, unit.headPersonId].filter((x): x is number => !!x))]
  const messages = [
    turn.reply({
      kind: 'text',
      text: `问题 #${p.id} 已交办 ${unit.name}（${SEVERITY_LABELS[severity]}），责任领导 ${v.leader ?? '—'}，责任人 ${v.person ?? '—'}，解决时限 ${formatDay(dueOn)}。${previous ? `已告知原责任单位 ${previous.name}。` : ''}${missing}`,
    }),
    ...to.flatMap((id, i) =>
      notify(id, card(id), i === 0 ? commandKeys.problemAssigned(turn.event, p.id) : commandKeys.problemAssignedHead(turn.event, p.id)),
    ),
  ]
  // The unit it was taken from stops working on it: told why, and its card loses its buttons (refresh).
  if (previous?.headPersonId && previous.headPersonId !== unit.headPersonId)
    messages.push({
      to: { kind: 'person', personId: previous.headPersonId },
      body: { kind: 'text', text: `问题 #${p.id}（${p.description.slice(0, 30)}）已改为交办 ${unit.name}，${previous.name} 无需再办理。` },
      key: commandKeys.problemReassigned(turn.event, p.id),
    })
  return { updateCard: card(turn.person.id), toast: { kind: 'success', text: `已交办 ${unit.name}` }, messages, refresh: [refresh] }
}

/** 更新 #12 <进展> (assignee or office). */
const noteArgs = z.object({ problemId, note: words, form, ...stampArgs })

async function updateCommand(turn: Turn, args: z.output<typeof noteArgs>): Promise<BotResult> {
  const p = await load(turn, args)
  if (typeof p === 'string') return text(turn, p)
  const old = await stale(turn, p, args)
  if (old) return old
  if (!isAssignee(turn, p) && !isOffice(turn.person))
    return text(turn, `问题 #${p.id} 当前为 ${stateText(await view(turn, p))}，不是交办给您单位的，不能更新。`)
  if (p.state === 'closed') return text(turn, `问题 #${p.id} 已销号。`)
  const note = (args.note ?? args.form.note ?? '').trim()
  if (!note && turn.event.type === 'card_action')
    return cardAnswer(
      turn,
      withForm(problemCard(await view(turn, p), '更新进展', []), p, {
        name: 'note',
        label: '最新进展',
        placeholder: '例如：已完成林地报批材料上报',
        submit: '提交进展',
        command: 'update',
      }),
      '请填写进展',
    )
  if (!note) return text(turn, '请写明进展，例如「更新 #12 已完成林地报批材料上报」。')
  if (note.length > MAX_NOTE) return text(turn, `进展请在 ${MAX_NOTE} 字以内。`)
  const moved = await move(turn, p, 'in_progress', note)
  const { refresh, card } = await refreshOf(turn, moved)
  return {
    toast: { kind: 'success', text: '已更新' },
    messages: [turn.reply({ kind: 'text', text: `问题 #${p.id} 进展已更新：${note}` })],
    updateCard: card(turn.person.id),
    refresh: [refresh],
  }
}

/**
 * 申请销号 #12 <说明> (assignee): asks the reporter to confirm. Typed with its 说明 it is filed at once; from a
 * button it first asks for the 说明 (a form), then shows what will be filed for 确认申请.
 */
const requestArgs = noteArgs.extend({ confirm: z.coerce.number().optional() })

async function requestCloseCommand(turn: Turn, args: z.output<typeof requestArgs>): Promise<BotResult> {
  const p = await load(turn, args)
  if (typeof p === 'string') return text(turn, p)
  const old = await stale(turn, p, args)
  if (old) return old
  if (!isAssignee(turn, p) && !isOffice(turn.person))
    return text(turn, `问题 #${p.id} 当前为 ${stateText(await view(turn, p))}，不是交办给您单位的，不能申请销号。`)
  if (p.state === 'closed' || p.state === 'new') return text(turn, p.state === 'closed' ? `问题 #${p.id} 已销号。` : `问题 #${p.id} 尚未交办。`)
  if (p.state === 'close_requested') return text(turn, `问题 #${p.id} 已申请销号，等待提出人确认。`)
  const note = (args.note ?? args.form.note ?? '').trim()
  const v = await view(turn, p)
  if (!note)
    return cardAnswer(
      turn,
      withForm(problemCard(v, '申请销号 · 请填写说明', []), p, {
        name: 'note',
        label: '销号说明（办理结果）',
        placeholder: '例如：临时用电已接通，企业已确认',
        submit: '下一步',
        command: 'requestClose',
      }),
      '请填写销号说明',
    )
  if (note.length > MAX_NOTE) return text(turn, `销号说明请在 ${MAX_NOTE} 字以内。`)
  if (turn.event.type === 'card_action' && !args.confirm) {
    const confirm = problemCard({ ...v, note }, '请确认申请销号', [
      { label: '确认申请', style: 'primary', command: 'requestClose', args: { ...stamp(p), note, confirm: 1 } },
      { label: '修改说明', command: 'requestClose', args: stamp(p) },
    ])
    confirm.elements.splice(1, 0, { kind: 'note', text: '确认后将请提出人确认是否已解决，提出人确认后销号。' })
    return cardAnswer(turn, confirm, '请确认申请内容')
  }
  const moved = await move(turn, p, 'close_requested', note)
  const { refresh, card } = await refreshOf(turn, moved)
  return {
    updateCard: card(turn.person.id),
    toast: { kind: 'success', text: '已申请销号' },
    messages: [
      turn.reply({ kind: 'text', text: `问题 #${p.id} 已申请销号，等待提出人确认。说明：${note}` }),
      ...notify(p.reporterPersonId, card(p.reporterPersonId), commandKeys.closeRequested(turn.event, p.id)),
    ],
    refresh: [refresh],
  }
}

/** 确认销号 #12: only the person who raised it closes it. */
const idArgs = z.object({ problemId, ...stampArgs })

async function confirmCloseCommand(turn: Turn, args: z.output<typeof idArgs>): Promise<BotResult> {
  const p = await load(turn, args)
  if (typeof p === 'string') return text(turn, p)
  const old = await stale(turn, p, args)
  if (old) return old
  if (p.reporterPersonId !== turn.person.id) return text(turn, `问题 #${p.id} 须由提出人确认后方可销号。`)
  if (p.state !== 'close_requested') return text(turn, p.state === 'closed' ? `问题 #${p.id} 已销号。` : `问题 #${p.id} 还没有申请销号。`)
  const moved = await move(turn, p, 'closed', '提出人确认已解决')
  const { refresh, card } = await refreshOf(turn, moved)
  return {
    updateCard: card(turn.person.id),
    toast: { kind: 'success', text: '已销号' },
    messages: [
      turn.reply({ kind: 'text', text: `问题 #${p.id} 已销号。` }),
      ...notify(p.assigneePersonId, card(p.assigneePersonId), commandKeys.problemClosed(p.id)),
    ],
    refresh: [refresh],
  }
}

/** 驳回 #12 <理由>: the reporter (or the office) sends it back to 推进中, with the reason; without one it asks. */
async function rejectCommand(turn: Turn, args: z.output<typeof noteArgs>): Promise<BotResult> {
  const p = await load(turn, args)
  if (typeof p === 'string') return text(turn, p)
  const old = await stale(turn, p, args)
  if (old) return old
  if (p.reporterPersonId !== turn.person.id && !isOffice(turn.person)) return text(turn, `只有提出人或{office}可以驳回问题 #${p.id}。`)
  if (p.state !== 'close_requested') {
    const last = await lastNote(turn, p)
    const v = await view(turn, p)
    if (p.state === 'in_progress' && last.startsWith(REJECTED))
      return text(turn, `问题 #${p.id} 已驳回（理由：${last.slice(REJECTED.length)}），当前为 ${stateText(v)}，等待责任单位重新申请销号。`)
    return text(turn, `问题 #${p.id} 当前为 ${stateText(v)}，没有待确认的销号申请，无需驳回。`)
  }
  const reason = (args.note ?? args.form.reason ?? '').trim()
  if (!reason) {
    const asked = withForm(problemCard(await view(turn, p, await lastNote(turn, p)), '驳回 · 请写明理由', []), p, {
      name: 'reason',
      label: '驳回理由',
      placeholder: '例如：临时用电仍未接通',
      submit: '驳回',
      command: 'reject',
      style: 'danger',
    })
    asked.elements.push({ kind: 'note', text: `也可以直接发送「驳回 #${p.id} 理由」` })
    return cardAnswer(turn, asked, '请写明驳回理由')
  }
  if (reason.length > MAX_NOTE) return text(turn, `驳回理由请在 ${MAX_NOTE} 字以内。`)
  const moved = await move(turn, p, 'in_progress', `${REJECTED}${reason}`)
  const { refresh, card } = await refreshOf(turn, moved)
  const unit = p.assigneeUnitId ? await unitById(turn.ctx.db, p.assigneeUnitId) : undefined
  return {
    updateCard: card(turn.person.id),
    toast: { kind: 'warning', text: '已驳回' },
    messages: [
      turn.reply({ kind: 'text', text: `问题 #${p.id} 已驳回，退回${unit ? ` ${unit.name} ` : '责任单位'}继续办理。理由：${reason}` }),
      ...notify(p.assigneePersonId, card(p.assigneePersonId), commandKeys.problemRejected(turn.event, p.id)),
    ],
    refresh: [refresh],
  }
}

export const problemCommands = [
  command({
    name: 'assign',
    args: assignArgs,
    allowed: officeOnly,
    help: { line: '**交办**：「交办 #12 单位名 重大 方案：… 责任人：…」；「确认销号 #12」「驳回 #12 理由」' },
    run: assignCommand,
  }),
  command({ name: 'update', args: noteArgs, run: updateCommand }),
  command({ name: 'requestClose', args: requestArgs, run: requestCloseCommand }),
  command({ name: 'confirmClose', args: idArgs, run: confirmCloseCommand }),
  command({ name: 'reject', args: noteArgs, run: rejectCommand }),
]
