/** 挂牌督办 (zhangzi-2020 §13): a leader or the office issues a 督办 on a project. */
import { z } from 'zod'
import type { BotResult, OutboundMessage } from '../../model/index.ts'
import type { Turn } from '../handle.ts'
import { issueSupervision } from '../../store/repos/supervisions.ts'
import { contactsOfProject, unitById } from '../../store/repos/directory.ts'
import type { Project } from '../../store/repos/projects.ts'
import { findProject } from '../lookup.ts'
import { setPending } from '../pending.ts'
import { leaderCovers, leadersAndOffice } from '../permissions.ts'
import { formatDay, supervisionCard } from '../../cards/conversation.ts'
import { replyDueDate } from '../../domain/escalation.ts'
import { localDate } from '../../domain/time.ts'
import { command, say } from '../registry.ts'
import { words, workdays } from '../args.ts'
import { commandKeys } from '../../outbox/keys.ts'
import { urgentKey } from '../../outbox/quiet.ts'

async function askWhich(turn: Turn, command: string, args: Record<string, unknown>, names: string[]) {
  await setPending(
    turn.ctx.db,
    turn.person.id,
    { kind: 'choose', command, args, argName: 'target', options: names.map((n) => ({ label: n, value: n })) },
    turn.ctx.now,
  )
  return say(turn, `您要找的是不是：\n${names.map((n, i) => `${i + 1}. ${n}`).join('\n')}\n请回复序号。`)
}

/** The people who answer for a project: its contacts and its unit's head. */
async function responsible(turn: Turn, project: Project): Promise<number[]> {
  const contacts = (await contactsOfProject(turn.ctx.db, project.id)).map((p) => p.id)
  const head = (await unitById(turn.ctx.db, project.unitId))?.headPersonId
  return [...new Set([...contacts, ...(head ? [head] : [])])]
}

/** 督办 <project> <matter> [N个工作日]: a 挂牌督办 item with a reply due in N working days (default 3). */
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
      found.options.map((p) => p.name),
    )
  const project = found.item
  if (!leaderCovers(turn.person, project)) return say(turn, `「${project.name}」不在您分管的领域内，不能督办。`)
  const workdays = Math.min(args.workdays ?? 3, 60)
  const dueOn = replyDueDate(localDate(turn.ctx.now), turn.ctx.calendar, workdays)
  const row = await issueSupervision(turn.ctx.db, {
    projectId: project.id,
    matter,
    issuedBy: turn.person.id,
    issuedAt: turn.ctx.now.getTime(),
    dueOn,
  })
  const card = supervisionCard(row, project, `${turn.person.name}${turn.person.title ? `（${turn.person.title}）` : ''}`)
  const to = await responsible(turn, project)
  const messages: OutboundMessage[] = to.map((personId) => ({
    to: { kind: 'person', personId },
    body: { kind: 'card', card },
    key: urgent ? urgentKey(commandKeys.supervision(row.id, personId)) : commandKeys.supervision(row.id, personId),
  }))
  const warn = turn.ctx.calendar.coverage(Number(dueOn.slice(0, 4)))
  messages.unshift(
    turn.reply({
      kind: 'text',
      text: `已挂牌督办「${project.name}」：${matter}。已通知 ${to.length} 人，须于 ${formatDay(dueOn)}（${workdays} 个工作日）前回复。${warn ? `\n注意：${warn}` : ''}`,
    }),
  )
  return { messages }
}

export const supervisionCommands = [
  command({
    name: 'supervise',
    args: superviseArgs,
    allowed: leadersAndOffice,
    help: { line: '**督办**：「督办 项目名 事项 3个工作日」' },
    run: superviseCommand,
  }),
]
