/**
 * Who hears of a lag 催办 and of the cards a settle hands out, and what they read: the 进度催办 to each contact of
 * a project behind 序时 and one per unit to its head; the 约谈 task to the sector's 指挥长; the 表态发言 notice to the
 * 主管部门's head. The clock (settle, weekly rounds) and the 「催办」 command send the same cards.
 */
import type { Card } from '../model/index.ts'
import type { Db } from '../store/db.ts'
import { contactsOfProject, listUnits } from '../store/repos/directory.ts'
import type { LagUrge } from '../services/urges.ts'
import type { AddedPledge, OpenedInterview } from '../services/settle.ts'
import { interviewTaskCard, pledgeNoticeCard, progressUrgeCard, progressUrgeHeadCard, type LagLine } from '../cards/colours.ts'
import { peopleById } from '../store/repos/people.ts'

/** One card for one person, with what it is about (for its idempotency key). */
export interface Notice {
  personId: number
  card: Card
  about:
    | { kind: 'contact'; projectId: number }
    | { kind: 'head'; unitId: number }
    | { kind: 'interview'; id: number }
    | { kind: 'pledge'; projectId: number }
  /** One line for a catch-up summary. */
  line: string
}

const lagLine = (u: LagUrge): LagLine => ({
  code: u.view.code,
  name: u.view.name,
  period: u.period,
  completion: u.view.completion,
  schedule: u.view.schedule,
  gap: u.view.verdict.gap,
  needed: u.needed,
  count: u.count,
})

/** The 进度催办 of some projects: a card to each contact, one per unit to its head. */
export async function lagUrgeNotices(db: Db, urged: LagUrge[], threshold: number, demo: boolean, by?: string): Promise<Notice[]> {
  const out: Notice[] = []
  const units = new Map((await listUnits(db)).map((u) => [u.id, u]))
  const byUnit = new Map<number, LagUrge[]>()
  for (const u of urged) {
    const line = lagLine(u)
    const card = progressUrgeCard(line, threshold, demo, by)
    for (const c of await contactsOfProject(db, u.view.projectId))
      out.push({
        personId: c.id,
        card,
        about: { kind: 'contact', projectId: u.view.projectId },
        line: `「${u.view.name}」未达序时进度，已记进度催办一次（连续 ${u.count} 次）`,
      })
    byUnit.set(u.view.unitId, [...(byUnit.get(u.view.unitId) ?? []), u])
  }
  for (const [unitId, list] of byUnit) {
    const unit = units.get(unitId)
    if (!unit?.headPersonId) continue
    out.push({
      personId: unit.headPersonId,
      card: progressUrgeHeadCard(unit.name, list.map(lagLine), threshold, demo),
      about: { kind: 'head', unitId },
      line: `${unit.name}有 ${list.length} 个项目未达序时进度，已各记进度催办一次`,
    })
  }
  return out
}

/** The 约谈 tasks to the 指挥长 and the 表态发言 notices to the speakers that a settle opened. */
export async function cardNotices(db: Db, interviews: OpenedInterview[], pledges: AddedPledge[], demo: boolean): Promise<Notice[]> {
  const people = await peopleById(db, [...interviews.flatMap((i) => i.meet.map((m) => m.personId ?? 0))])
  const out: Notice[] = []
  for (const i of interviews) {
    if (!i.commanderPersonId) continue
    const meet = i.meet.map((m) => `${m.unit}主要负责人${m.personId && people.get(m.personId) ? `（${people.get(m.personId)!.name}）` : ''}`)
    out.push({
      personId: i.commanderPersonId,
      card: interviewTaskCard(
        { id: i.id, project: i.project.name, code: i.project.code, sector: i.sector, period: i.period, dueOn: i.dueOn, meet },
        demo,
      ),
      about: { kind: 'interview', id: i.id },
      line: `「${i.project.name}」黄牌，请于 ${i.dueOn} 前约谈${meet.join('、')}`,
    })
  }
  for (const p of pledges) {
    if (!p.speakerPersonId) continue
    out.push({
      personId: p.speakerPersonId,
      card: pledgeNoticeCard({ project: p.project.name, period: p.period, meetingOn: p.meetingOn }, demo),
      about: { kind: 'pledge', projectId: p.project.id },
      line: `「${p.project.name}」红牌，请在${p.meetingOn ? `${p.meetingOn}的` : '下次'}指挥部会议上表态发言`,
    })
  }
  return out
}
