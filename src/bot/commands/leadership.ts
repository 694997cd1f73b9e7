/** Leaders' actions: 督办 a project, 催办 a unit or project. */
import { z } from 'zod'
import type { BotResult, OutboundMessage } from '../../model/index.ts'
import type { Turn } from '../handle.ts'
import { issueSupervision } from '../../store/repos/supervisions.ts'
import { contactsOfProject, unitById } from '../../store/repos/directory.ts'
import { projectsOfUnit, type Project } from '../../store/repos/projects.ts'
import { currentReport, recordReminder } from '../../store/repos/rounds.ts'
import { findProject, findProjectOrUnit, nameOf } from '../lookup.ts'
import { setPending } from '../pending.ts'
import { leaderCovers } from '../permissions.ts'
import { reminderCard, supervisionCard } from '../../cards/conversation.ts'
import { replyDueDate } from '../../domain/escalation.ts'
import { localDate } from '../../domain/time.ts'
import { outsideRound, roundForReport } from './reporting.ts'
import { command, say } from '../registry.ts'
import { words, workdays } from '../args.ts'
import { leadersAndOffice } from '../permissions.ts'
import { commandKeys } from '../../outbox/keys.ts'
import { urgentKey } from '../../outbox/quiet.ts'
import { formatDay } from '../../cards/conversation.ts'

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

/**
 * 催办 <unit or project>: reminds the contacts of projects that have not reported in the open round, and
 * counts a 催办 against each (two in a month and still behind 序时 → yellow card).
 */
const urgeArgs = z.object({ target: words })

async function urgeCommand(turn: Turn, args: z.output<typeof urgeArgs>): Promise<BotResult> {
  const { target } = args
  if (!target) return say(turn, '请写明催办对象，例如「催办 城关镇」或「催办 城东污水处理厂」。')
  const found = await findProjectOrUnit(turn.ctx.db, target)
  if (found.kind === 'none') return say(turn, `没有找到「${target}」。`)
  if (found.kind === 'unsure') return askWhich(turn, 'urge', { ...args }, found.options.map(nameOf))
  const list = 'project' in found.item ? [found.item.project] : await projectsOfUnit(turn.ctx.db, found.item.unit.id)
  const covered = list.filter((p) => leaderCovers(turn.person, p))
  if (!covered.length) return say(turn, `「${nameOf(found.item)}」的项目不在您分管的领域内，不能催办。`)
  const round = await roundForReport(turn)
  if (!round) return outsideRound(turn, covered.slice(0, 5), '当前不在填报时间，无需催办。')
  const at = turn.ctx.now.getTime()
  const messages: OutboundMessage[] = []
  let urged = 0
  for (const project of covered) {
    if (await currentReport(turn.ctx.db, round.id, project.id)) continue
    urged++
    const card = reminderCard(project, round, 'manual', turn.person.name)
    for (const c of await contactsOfProject(turn.ctx.db, project.id)) {
      await recordReminder(turn.ctx.db, { roundId: round.id, projectId: project.id, kind: 'manual', personId: c.id, sentAt: at })
      messages.push({
        to: { kind: 'person', personId: c.id },
        body: { kind: 'card', card },
        key: commandKeys.urge(turn.event, round.id, project.id, c.id),
      })
    }
  }
  messages.unshift(
    turn.reply({
      kind: 'text',
      text: urged
        ? `已催办「${nameOf(found.item)}」${urged} 个未填报项目，通知 ${messages.length} 人。`
        : `「${nameOf(found.item)}」的项目本期均已填报，无需催办。`,
    }),
  )
  return { messages }
}

export const leadershipCommands = [
  command({
    name: 'supervise',
    args: superviseArgs,
    allowed: leadersAndOffice,
    help: { line: '**督办**：「督办 项目名 事项 3个工作日」' },
    run: superviseCommand,
  }),
  command({ name: 'urge', args: urgeArgs, allowed: leadersAndOffice, help: { line: '**催办**：「催办 单位名或项目名」' }, run: urgeCommand }),
]
