/**
 * The quarter-end 开复工 check (lingchuan-2025 开复工台账 targets, or county-2023's 开工率 83 %): after the quarter's
 * last monthly round closes, like the 双过半 check, the board groups and the leaders get each target due by then
 * and the projects behind it, named with their unit.
 */
import { startsCheckCard } from '../cards/starts.ts'
import { peopleWithRole } from '../store/repos/people.ts'
import { startsOverview } from '../services/starts.ts'
import { monthNumber, quarterOf, range } from '../domain/periods.ts'
import { clockKeys } from '../outbox/keys.ts'
import { closedMonths, followUp, groupItems } from './boards.ts'
import { toPerson, type Job, type Slot } from './job.ts'

const QUARTERS = ['一季度', '上半年', '三季度', '全年'] as const

export const startsJob: Job = async (ctx) => {
  const c = ctx.dispatch.starts
  if (!c.enabled) return []
  const slots: Slot[] = []
  for (const { round, closeDue } of await closedMonths(ctx)) {
    const month = monthNumber(round.period)
    if (month % 3 !== 0) continue
    const quarter = quarterOf(round.period)
    const s = followUp(ctx, 'starts:quarterly', quarter, closeDue, async () => {
      // As of the quarter's last day: what was reported in its round counts, what came later does not.
      const overview = await startsOverview(ctx.db, c.targets, range(round.period).end)
      const card = startsCheckCard(overview, QUARTERS[month / 3 - 1]!, ctx.demo, ctx.rules.county)
      const line = `${card.title}：${card.subtitle}`
      const body = { kind: 'card' as const, card }
      const items = await groupItems(ctx, (g) => ({ key: clockKeys.startsGroup(quarter, g), body, topic: `starts:${quarter}`, rank: 1, line }))
      for (const p of await peopleWithRole(ctx.db, 'leader'))
        items.push({ to: toPerson(p.id), key: clockKeys.startsPerson(quarter, p.id), body, topic: `starts:${quarter}`, rank: 1, line })
      const due = overview.checks.filter((x) => x.due)
      return { items, result: { due: due.length, missed: due.filter((x) => !x.met).map((x) => x.target.label) } }
    })
    if (s) slots.push(s)
  }
  return slots
}
