/**
 * A 复函 nobody decides: the 督办's issuer is reminded to 办结 or 退回 it `decideWorkdays` working days after it
 * came in, then every `everyWorkdays`, at most `maxNotices` times (dispatch.escalation). Without it a complete
 * 复函 stops the unit's 通报 and then waits for ever. The reminder is the issuer's own 督办 card (so its 办结 and
 * 退回 act, and later changes refresh it), headed by how long the 复函 has waited. An issuer no longer on the
 * roster is replaced by the office.
 */
import type { LocalDate } from '../domain/time.ts'
import { at, dateOf, outOfQuietHours } from '../domain/dispatch.ts'
import { overdueDays } from '../domain/escalation.ts'
import { undecidedSupervisions, replyDueOf, type Supervision } from '../store/repos/supervisions.ts'
import { projectsById } from '../store/repos/projects.ts'
import { peopleById, peopleWithRole } from '../store/repos/people.ts'
import { supervisionCard } from '../cards/supervision.ts'
import { formatDay } from '../cards/conversation.ts'
import { clockKeys } from '../outbox/keys.ts'
import type { Card } from '../model/index.ts'
import { toPerson, type Job, type JobContext, type JobItem, type Slot } from './job.ts'

const JOB = 'decide:supervision'

/** The n-th reminder's date for a 复函 that came in on `repliedOn` (n from 1). */
function reminderDate(ctx: JobContext, repliedOn: LocalDate, n: number): LocalDate {
  const e = ctx.dispatch.escalation
  return ctx.calendar.addWorkdays(repliedOn, e.decideWorkdays + (n - 1) * e.everyWorkdays)
}

export const decisionJob: Job = async (ctx) => {
  const e = ctx.dispatch.escalation
  if (!e.enabled) return []
  const now = ctx.now.getTime()
  const slots: Slot[] = []
  for (const s of await undecidedSupervisions(ctx.db)) {
    const repliedAt = s.repliedAt
    if (repliedAt === null) continue
    const repliedOn = dateOf(repliedAt)
    // Only the latest reminder due: after a pause the issuer gets one, not each one he missed.
    let due = 0
    for (let n = 1; n <= e.maxNotices && outOfQuietHours(ctx.dispatch, at(reminderDate(ctx, repliedOn, n), e.time)) <= now; n++) due = n
    if (!due) continue
    const dueAt = outOfQuietHours(ctx.dispatch, at(reminderDate(ctx, repliedOn, due), e.time))
    slots.push({ job: JOB, period: `D${s.id}@${repliedAt}#${due}`, dueAt, expiresAt: Infinity, run: () => remind(ctx, s, repliedAt, due) })
  }
  return slots
}

async function remind(ctx: JobContext, s: Supervision, repliedAt: number, n: number) {
  const repliedOn = dateOf(repliedAt)
  const project = (await projectsById(ctx.db, [s.projectId])).get(s.projectId)
  const issuer = s.issuedBy ? (await peopleById(ctx.db, [s.issuedBy])).get(s.issuedBy) : undefined
  const deciders = issuer ? [issuer] : await peopleWithRole(ctx.db, 'office')
  const waited = overdueDays(repliedOn, dateOf(ctx.now.getTime()), ctx.calendar)
  const base = supervisionCard(
    {
      id: s.id,
      matter: s.matter,
      project: project?.name ?? `项目 ${s.projectId}`,
      issuer: issuer ? `${issuer.name}${issuer.title ? `（${issuer.title}）` : ''}` : '{office}',
      state: 'replied',
      replyDueOn: replyDueOf(s),
      cadence: s.cadence,
      fields: s.replyFields ?? null,
      returnReason: s.returnReason,
    },
    'issuer',
  )
  const line = `督办 D${s.id}（${project?.name ?? s.projectId}）的复函 ${formatDay(repliedOn)} 已提交，${waited} 个工作日未办结或退回`
  const card: Card = {
    ...base,
    subtitle: `复函待审核 · 第 ${n} 次提醒`,
    elements: [{ kind: 'markdown', text: `**${line}**，请审核。` }, ...base.elements],
  }
  const items: JobItem[] = deciders.map((p) => ({
    to: toPerson(p.id),
    key: clockKeys.decide(s.id, repliedAt, n, p.id),
    body: { kind: 'card', card },
    topic: `decide:sv:${s.id}`,
    rank: n,
    line,
    button: { label: `办结 D${s.id}`, command: 'closeSupervision' as const, args: { supervisionId: s.id, state: 'replied' } },
  }))
  return { items, result: { item: `D${s.id}`, reminder: n, waitedWorkdays: waited, recipients: items.length } }
}
