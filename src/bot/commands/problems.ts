/**
 * 问题台账 workflow: 新增 → 交办 (office) → 推进中 (assignee updates) → 申请销号 (assignee) → 销号 (only when the
 * reporter confirms: "企业满意的方可清零销号"), or 驳回 back to 推进中. Every change is a problem_events row.
 */
import { z } from 'zod'
import type { BotResult, Button, OutboundMessage } from '../../model/index.ts'
import type { Turn } from '../handle.ts'
import type { ProblemState } from '../../store/schema.ts'
import { moveProblem, problemById, type Problem } from '../../store/repos/problems.ts'
import { projectById } from '../../store/repos/projects.ts'
import { unitById } from '../../store/repos/directory.ts'
import { findUnit } from '../lookup.ts'
import { isOffice, officeOnly } from '../permissions.ts'
import { command } from '../registry.ts'
import { form, problemId, words, workdays } from '../args.ts'
import { problemCard, type ProblemView } from '../../cards/conversation.ts'
import { localDate } from '../../domain/time.ts'
import { commandKeys } from '../../outbox/keys.ts'

const text = (turn: Turn, t: string): BotResult => ({ messages: [turn.reply({ kind: 'text', text: t })], toast: { kind: 'info', text: t.slice(0, 40) } })

async function load(turn: Turn, args: { problemId: number | null }): Promise<Problem | string> {
  const id = args.problemId
  if (id === null) return '请写明问题编号，例如「#12」。发送「问题」可查看台账。'
  const p = await problemById(turn.ctx.db, id)
  return p ?? `没有编号为 #${id} 的问题。`
}

async function view(turn: Turn, p: Problem, note?: string): Promise<ProblemView> {
  const project = await projectById(turn.ctx.db, p.projectId)
  const unit = p.assigneeUnitId ? await unitById(turn.ctx.db, p.assigneeUnitId) : undefined
  return { id: p.id, description: p.description, state: p.state, project: project?.name ?? '', unit: unit?.name ?? null, dueOn: p.dueOn, note }
}

/** Moves a problem to a new state, with its history row, as this person now. */
const move = (turn: Turn, p: Problem, to: ProblemState, note: string, set: Partial<Problem> = {}) =>
  moveProblem(turn.ctx.db, p, to, { personId: turn.person.id, at: turn.ctx.now.getTime(), note }, set)

const isAssignee = (turn: Turn, p: Problem) => p.assigneePersonId === turn.person.id || (p.assigneeUnitId !== null && turn.person.unitId === p.assigneeUnitId)

const notify = (personId: number | null, card: ReturnType<typeof problemCard>, key: string): OutboundMessage[] =>
  personId ? [{ to: { kind: 'person', personId }, body: { kind: 'card', card }, key }] : []

const assigneeButtons = (id: number): Button[] => [
  { label: '更新进展', command: 'update', args: { problemId: id } },
  { label: '申请销号', style: 'primary', command: 'requestClose', args: { problemId: id } },
]

/** 交办 #12 <unit> [N个工作日] (office). From a card: form.unit is the unit id, form.workdays the time limit. */
const assignArgs = z.object({ problemId, target: words, workdays, form })

async function assignCommand(turn: Turn, args: z.output<typeof assignArgs>): Promise<BotResult> {
  const p = await load(turn, args)
  if (typeof p === 'string') return text(turn, p)
  if (p.state === 'closed') return text(turn, `问题 #${p.id} 已销号，不能再交办。`)
  const form = args.form
  let unit = form.unit ? await unitById(turn.ctx.db, Number(form.unit)) : undefined
  if (!unit) {
    const name = args.target ?? ''
    if (!name) return text(turn, '请写明责任单位，例如「交办 #12 县自然资源局 5个工作日」。')
    const found = await findUnit(turn.ctx.db, name)
    if (found.kind !== 'one') return text(turn, found.kind === 'none' ? `没有找到单位「${name}」。` : `您要找的是不是：${found.options.map((u) => u.name).join('、')}？请写全称。`)
    unit = found.item
  }
  const workdays = Number(form.workdays || args.workdays || 7)
  if (!Number.isInteger(workdays) || workdays <= 0 || workdays > 120) return text(turn, '办结时限应为 1–120 个工作日。')
  const dueOn = turn.ctx.calendar.addWorkdays(localDate(turn.ctx.now), workdays)
  const moved = await move(turn, p, 'assigned', `交办 ${unit.name}，${workdays} 个工作日`, { assigneeUnitId: unit.id, assigneePersonId: unit.headPersonId, dueOn })
  const card = problemCard(await view(turn, moved), '交办', assigneeButtons(p.id))
  return {
    updateCard: problemCard(await view(turn, moved), '已交办', []),
    toast: { kind: 'success', text: `已交办 ${unit.name}` },
    messages: [
      turn.reply({ kind: 'text', text: `问题 #${p.id} 已交办 ${unit.name}，办结时限 ${dueOn}。` }),
      ...notify(unit.headPersonId, card, commandKeys.problemAssigned(turn.event, p.id)),
    ],
  }
}

/** 更新 #12 <进展> (assignee or office). */
const noteArgs = z.object({ problemId, note: words, form })

async function updateCommand(turn: Turn, args: z.output<typeof noteArgs>): Promise<BotResult> {
  const p = await load(turn, args)
  if (typeof p === 'string') return text(turn, p)
  if (!isAssignee(turn, p) && !isOffice(turn.person)) return text(turn, `问题 #${p.id} 不是交办给您单位的，不能更新。`)
  if (p.state === 'closed') return text(turn, `问题 #${p.id} 已销号。`)
  const note = (args.note ?? args.form.note ?? '').trim()
  if (!note) return text(turn, '请写明进展，例如「更新 #12 已完成林地报批材料上报」。')
  const moved = await move(turn, p, 'in_progress', note)
  return { toast: { kind: 'success', text: '已更新' }, messages: [turn.reply({ kind: 'text', text: `问题 #${p.id} 进展已更新：${note}` })], updateCard: problemCard(await view(turn, moved, note), '进展已更新', assigneeButtons(p.id)) }
}

/** 申请销号 #12 [说明] (assignee): asks the reporter to confirm. */
async function requestCloseCommand(turn: Turn, args: z.output<typeof noteArgs>): Promise<BotResult> {
  const p = await load(turn, args)
  if (typeof p === 'string') return text(turn, p)
  if (!isAssignee(turn, p) && !isOffice(turn.person)) return text(turn, `问题 #${p.id} 不是交办给您单位的，不能申请销号。`)
  if (p.state === 'closed' || p.state === 'new') return text(turn, p.state === 'closed' ? `问题 #${p.id} 已销号。` : `问题 #${p.id} 尚未交办。`)
  const note = args.note ?? ''
  const moved = await move(turn, p, 'close_requested', note || '申请销号')
  const card = problemCard(await view(turn, moved, note || undefined), '申请销号，请确认是否已解决', [
    { label: '确认销号', style: 'primary', command: 'confirmClose', args: { problemId: p.id } },
    { label: '驳回', style: 'danger', command: 'reject', args: { problemId: p.id } },
  ])
  return {
    toast: { kind: 'success', text: '已申请销号' },
    messages: [turn.reply({ kind: 'text', text: `问题 #${p.id} 已申请销号，等待提出人确认。` }), ...notify(p.reporterPersonId, card, commandKeys.closeRequested(turn.event, p.id))],
  }
}

/** 确认销号 #12: only the person who raised it closes it. */
const idArgs = z.object({ problemId })

async function confirmCloseCommand(turn: Turn, args: z.output<typeof idArgs>): Promise<BotResult> {
  const p = await load(turn, args)
  if (typeof p === 'string') return text(turn, p)
  if (p.reporterPersonId !== turn.person.id) return text(turn, `问题 #${p.id} 须由提出人确认后方可销号。`)
  if (p.state !== 'close_requested') return text(turn, p.state === 'closed' ? `问题 #${p.id} 已销号。` : `问题 #${p.id} 还没有申请销号。`)
  const moved = await move(turn, p, 'closed', '提出人确认已解决')
  const card = problemCard(await view(turn, moved), '已销号', [])
  return { updateCard: card, toast: { kind: 'success', text: '已销号' }, messages: [turn.reply({ kind: 'text', text: `问题 #${p.id} 已销号。` }), ...notify(p.assigneePersonId, card, commandKeys.problemClosed(p.id))] }
}

/** 驳回 #12 [理由]: the reporter sends it back to 推进中. */
async function rejectCommand(turn: Turn, args: z.output<typeof noteArgs>): Promise<BotResult> {
  const p = await load(turn, args)
  if (typeof p === 'string') return text(turn, p)
  if (p.reporterPersonId !== turn.person.id && !isOffice(turn.person)) return text(turn, `只有提出人或县重点项目办公室可以驳回问题 #${p.id}。`)
  if (p.state !== 'close_requested') return text(turn, `问题 #${p.id} 不在申请销号状态。`)
  const note = args.note ?? '问题尚未解决'
  const moved = await move(turn, p, 'in_progress', `驳回：${note}`)
  const card = problemCard(await view(turn, moved, `驳回：${note}`), '销号申请被驳回', assigneeButtons(p.id))
  return { updateCard: card, toast: { kind: 'warning', text: '已驳回' }, messages: [turn.reply({ kind: 'text', text: `问题 #${p.id} 已驳回，退回责任单位继续办理。` }), ...notify(p.assigneePersonId, card, commandKeys.problemRejected(turn.event, p.id))] }
}

export const problemCommands = [
  command({ name: 'assign', args: assignArgs, allowed: officeOnly, help: { line: '**交办**：「交办 #12 单位名 5个工作日」；「确认销号 #12」「驳回 #12 理由」' }, run: assignCommand }),
  command({ name: 'update', args: noteArgs, run: updateCommand }),
  command({ name: 'requestClose', args: noteArgs, run: requestCloseCommand }),
  command({ name: 'confirmClose', args: idArgs, run: confirmCloseCommand }),
  command({ name: 'reject', args: noteArgs, run: rejectCommand }),
]
