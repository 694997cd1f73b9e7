/** Leaders' actions: 催办 a unit or project (督办 is in supervision.ts). */
import { z } from 'zod'
import type { BotResult, OutboundMessage } from '../../model/index.ts'
import type { Turn } from '../handle.ts'
import { contactsOfProject } from '../../store/repos/directory.ts'
import { projectsOfUnit, type Project } from '../../store/repos/projects.ts'
import { currentReport, recordReminder } from '../../store/repos/rounds.ts'
import { findProjectOrUnit, nameOf } from '../lookup.ts'
import { setPending } from '../pending.ts'
import { leaderCovers } from '../permissions.ts'
import { reminderCard } from '../../cards/conversation.ts'
import { outsideRound, roundForReport } from './reporting.ts'
import { command, say } from '../registry.ts'
import { words } from '../args.ts'
import { leadersAndOffice } from '../permissions.ts'
import { commandKeys } from '../../outbox/keys.ts'

async function askWhich(turn: Turn, command: string, args: Record<string, unknown>, names: string[]) {
  await setPending(
    turn.ctx.db,
    turn.person.id,
    { kind: 'choose', command, args, argName: 'target', options: names.map((n) => ({ label: n, value: n })) },
    turn.ctx.now,
  )
  return say(turn, `您要找的是不是：\n${names.map((n, i) => `${i + 1}. ${n}`).join('\n')}\n请回复序号。`)
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
  command({ name: 'urge', args: urgeArgs, allowed: leadersAndOffice, help: { line: '**催办**：「催办 单位名或项目名」' }, run: urgeCommand }),
]
