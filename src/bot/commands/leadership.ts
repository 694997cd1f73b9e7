/** Leaders' actions: 催办 a unit or project (督办 is in supervision.ts). */
import { z } from 'zod'
import { sql } from 'drizzle-orm'
import type { BotResult, OutboundMessage } from '../../model/index.ts'
import type { Turn } from '../handle.ts'
import { contactsOfProject } from '../../store/repos/directory.ts'
import { projectsOfUnit, type Project } from '../../store/repos/projects.ts'
import { currentReport, recordReminder } from '../../store/repos/rounds.ts'
import { findProjectOrUnit, nameOf } from '../lookup.ts'
import { leaderCovers } from '../permissions.ts'
import { reminderCard } from '../../cards/conversation.ts'
import { outsideRound, roundForReport } from './reporting.ts'
import { decisionMonth, manualOccasion, urgeLagging, urgeMissing } from '../../services/urges.ts'
import { lagUrgeNotices } from '../../jobs/urges.ts'
import { askWhich, command, say } from '../registry.ts'
import { words } from '../args.ts'
import { leadersAndOffice } from '../permissions.ts'
import { commandKeys } from '../../outbox/keys.ts'

/**
 * 催办 <unit or project>: a project that has not reported in the open round gets a 催办 to report (a missing-report
 * 催办), one behind 序时 a 进度催办 saying how far behind it is and what it needs; each counts once for the project
 * however many contacts it reaches (one urges row per occasion: this person and minute), and the unit head hears
 * of the laggards. The lag ones count toward the yellow card ("连续催办两次仍未达标").
 */
const urgeArgs = z.object({ target: words })

async function urgeCommand(turn: Turn, args: z.output<typeof urgeArgs>): Promise<BotResult> {
  const { target } = args
  const { db, rules, now } = turn.ctx
  if (!target) return say(turn, '请写明催办对象，例如「催办 城关镇」或「催办 城东污水处理厂」。')
  const found = await findProjectOrUnit(db, target)
  if (found.kind === 'none') return say(turn, `没有找到「${target}」。`)
  if (found.kind === 'unsure') return askWhich(turn, 'urge', { ...args }, 'target', found.options.map(nameOf))
  const list = 'project' in found.item ? [found.item.project] : await projectsOfUnit(db, found.item.unit.id)
  const covered = list.filter((p) => leaderCovers(turn.person, p))
  if (!covered.length) return say(turn, `「${nameOf(found.item)}」的项目不在您分管的领域内，不能催办。`)
  const at = now.getTime()
  const occasion = manualOccasion(turn.person.id, now)
  const decision = await decisionMonth(db, rules, now)
  const ids = covered.map((p) => p.id)
  const repeat = await db.get<{ n: number }>(
    sql`select count(*) as n from urges where occasion = ${occasion} and project_id in (${sql.join(
      ids.map((i) => sql`${i}`),
      sql`, `,
    )})`,
  )
  if (repeat && repeat.n > 0) return say(turn, `您刚刚已催办过「${nameOf(found.item)}」，同一分钟内不重复催办。`)
  const messages: OutboundMessage[] = []
  // Not reported in the open round: a 催办 to report.
  const round = await roundForReport(turn)
  const unreported: Project[] = []
  if (round) for (const project of covered) if (!(await currentReport(db, round.id, project.id))) unreported.push(project)
  const fresh = round
    ? await urgeMissing(
        db,
        { period: round.kind === 'monthly' ? round.period : decision, occasion, at: now, byPersonId: turn.person.id, roundId: round.id },
        unreported.map((p) => p.id),
      )
    : new Set<number>()
  for (const project of unreported) {
    if (!fresh.has(project.id)) continue
    const card = reminderCard(project, round!, 'manual', turn.person.name)
    for (const c of await contactsOfProject(db, project.id)) {
      await recordReminder(db, { roundId: round!.id, projectId: project.id, kind: 'manual', personId: c.id, sentAt: at })
      messages.push({
        to: { kind: 'person', personId: c.id },
        body: { kind: 'card', card },
        key: commandKeys.urge(turn.event, round!.id, project.id, c.id),
      })
    }
  }
  // Behind 序时 (reported or not, as of the coming colour decision): a 进度催办.
  const waiting = new Set(unreported.map((p) => p.id))
  const lagging = await urgeLagging(
    db,
    rules,
    { period: decision, occasion, at: now, byPersonId: turn.person.id },
    new Set(covered.filter((p) => !waiting.has(p.id)).map((p) => p.id)),
  )
  for (const n of await lagUrgeNotices(db, lagging, rules.colour.urgesBeforeCard, turn.ctx.demo, turn.person.name))
    messages.push({
      to: { kind: 'person', personId: n.personId },
      body: { kind: 'card', card: n.card },
      key:
        n.about.kind === 'head'
          ? commandKeys.lagUrgeHead(turn.event, n.about.unitId)
          : commandKeys.lagUrge(turn.event, n.about.kind === 'contact' ? n.about.projectId : 0, n.personId),
    })
  const missingCount = [...fresh].length
  const parts = [...(missingCount ? [`${missingCount} 个未填报项目`] : []), ...(lagging.length ? [`${lagging.length} 个未达序时进度项目`] : [])]
  const people = new Set(messages.map((m) => (m.to.kind === 'person' ? m.to.personId : 0))).size
  const text = parts.length
    ? `已催办「${nameOf(found.item)}」${parts.join('、')}，通知 ${people} 人。${lagging.length ? `进度催办计入三色管理（连续催办 ${rules.colour.urgesBeforeCard} 次仍未达序时贴黄牌）。` : ''}`
    : `「${nameOf(found.item)}」的项目${round ? '本期均已填报，且' : ''}均已达到序时进度，无需催办。`
  // Outside a round the reply also says when the next one opens.
  if (!round) return { messages: [...(await outsideRound(turn, [], `${text}\n`)).messages, ...messages] }
  messages.unshift(turn.reply({ kind: 'text', text }))
  return { messages }
}

export const leadershipCommands = [
  command({ name: 'urge', args: urgeArgs, allowed: leadersAndOffice, help: { line: '**催办**：「催办 单位名或项目名」' }, run: urgeCommand }),
]
