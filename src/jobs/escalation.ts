/**
 * 一通报两约谈 (county-2023) for overdue 督办 items (until their 复函) and ledger problems, on working days: the first 通报 on the
 * first working day after the due date, then one every `everyWorkdays` working days while the item stays
 * unfinished. Each 通报 goes to the responsible unit's head (and, for 督办, the project's contacts); the 2nd also
 * to the 分管领导 (the project's 包联 leader) to hold a 约谈; the 3rd also to the 主要领导 (the leader titled
 * 县长); a problem 提级 above the office (四级调度) goes to its level's leaders from the first. The count is kept in
 * `notice_count`, raised once per 通报 after its messages are queued.
 */
import { nextEscalation, overdueDays } from '../domain/escalation.ts'
import type { LocalDate } from '../domain/time.ts'
import { contactsOfProject, listUnits } from '../store/repos/directory.ts'
import { jobRunsFor } from '../store/repos/job-runs.ts'
import { countProblemNotice, overdueProblems, type Problem } from '../store/repos/problems.ts'
import { countSupervisionNotice, overdueSupervisions, replyDueOf, type Supervision } from '../store/repos/supervisions.ts'
import { projectsById } from '../store/repos/projects.ts'
import { peopleWithRole, personWithTitle } from '../store/repos/people.ts'
import { at, dateOf, outOfQuietHours } from '../domain/dispatch.ts'
import { levelHolders } from '../services/levels.ts'
import { people } from '../store/schema.ts'
import { escalationCard, type EscalationNotice } from '../cards/clock.ts'
import { toPerson, type Job, type JobContext, type JobItem, type Slot } from './job.ts'
import { clockKeys } from '../outbox/keys.ts'

type Kind = 'supervision' | 'problem'

/** What an overdue item needs for its next 通报. */
interface Pending {
  kind: Kind
  id: number
  projectId: number
  matter: string
  dueOn: LocalDate
  notices: number
  /** The unit answerable for it and, when named, the person. */
  unitId: number | null
  personId: number | null
  leaderId: number | null
  /** A problem 提级 above the office (四级调度): the leaders of its level get every 通报 of it. */
  levelIds: number[]
}

const JOB: Record<Kind, string> = { supervision: 'notice:supervision', problem: 'notice:problem' }
const REF: Record<Kind, (id: number) => string> = { supervision: (id) => `D${id}`, problem: (id) => `#${id}` }
const KEY: Record<Kind, 'sv' | 'pb'> = { supervision: 'sv', problem: 'pb' }
const periodOf = (p: Pending, n: number) => `${p.kind === 'supervision' ? 'D' : 'P'}${p.id}#${n}`

async function pendingItems(ctx: JobContext, today: LocalDate): Promise<Pending[]> {
  const max = ctx.dispatch.escalation.maxNotices
  const [svs, pbs] = await Promise.all([overdueSupervisions(ctx.db, today, max), overdueProblems(ctx.db, today, max)])
  const projects = await projectsById(ctx.db, [...svs.map((s) => s.projectId), ...pbs.map((p) => p.projectId)])
  const fromSupervision = (s: Supervision): Pending => {
    const project = projects.get(s.projectId)
    return {
      kind: 'supervision',
      id: s.id,
      projectId: s.projectId,
      matter: s.matter,
      // Due from receipt, and again from a 退回: a complete 复函 (state 'replied') stops the 通报.
      dueOn: replyDueOf(s),
      notices: s.noticeCount,
      unitId: project?.unitId ?? null,
      personId: null,
      leaderId: project?.leaderPersonId ?? null,
      levelIds: [],
    }
  }
  const everyone = pbs.some((p) => p.level !== 'office') ? await ctx.db.select().from(people).all() : []
  const fromProblem = (p: Problem): Pending => {
    const project = projects.get(p.projectId)
    return {
      kind: 'problem',
      id: p.id,
      projectId: p.projectId,
      matter: p.description,
      dueOn: p.dueOn!,
      notices: p.noticeCount,
      unitId: p.assigneeUnitId ?? project?.unitId ?? null,
      personId: p.assigneePersonId,
      leaderId: p.leaderPersonId ?? project?.leaderPersonId ?? null,
      levelIds: p.level === 'office' || !project ? [] : levelHolders(everyone, p.level, project).map((h) => h.id),
    }
  }
  return [...svs.map(fromSupervision), ...pbs.map(fromProblem)]
}

/** Overdue 督办 items and problems whose next 通报 is due. */
export const escalationJob: Job = async (ctx) => {
  const e = ctx.dispatch.escalation
  if (!e.enabled) return []
  const now = ctx.now.getTime()
  const today = dateOf(now)
  const items = await pendingItems(ctx, today)
  if (!items.length) return []
  // When the previous 通报 went out: the next one counts its working days from there.
  const runs = await jobRunsFor(
    ctx.db,
    items.filter((p) => p.notices > 0).map((p) => ({ job: JOB[p.kind], period: periodOf(p, p.notices) })),
  )
  const slots: Slot[] = []
  for (const p of items) {
    const first = ctx.calendar.nextWorkday(p.dueOn)
    let date: LocalDate
    if (p.notices === 0) date = first
    else {
      const last = runs.get(`${JOB[p.kind]}|${periodOf(p, p.notices)}`)
      // Counted by someone else (e.g. a 通报 from the office): keep the cadence from the first date.
      const from = last ? dateOf(last.claimedAt) : ctx.calendar.addWorkdays(first, (p.notices - 1) * e.everyWorkdays)
      date = ctx.calendar.addWorkdays(from, e.everyWorkdays)
      // A 督办 退回 after its 通报 owes a new 复函: nothing before its new reply date has passed.
      if (date < first) date = first
    }
    const dueAt = outOfQuietHours(ctx.dispatch, at(date, e.time))
    if (dueAt > now) continue
    slots.push({ job: JOB[p.kind], period: periodOf(p, p.notices + 1), dueAt, expiresAt: Infinity, run: (dryRun) => notice(ctx, p, today, dryRun) })
  }
  return slots
}

async function notice(ctx: JobContext, p: Pending, today: LocalDate, dryRun: boolean) {
  const count = p.notices + 1
  // The rung for an item that has now been 通报ed `count` times: 2 → 分管领导约谈, 3 → 主要领导约谈.
  const rung = nextEscalation(count)
  const projects = await projectsById(ctx.db, [p.projectId])
  const project = projects.get(p.projectId)
  const units = new Map((await listUnits(ctx.db)).map((u) => [u.id, u]))
  const unit = p.unitId ? units.get(p.unitId) : undefined
  const recipients: number[] = []
  const add = (id: number | null | undefined) => {
    if (id && !recipients.includes(id)) recipients.push(id)
  }
  add(p.personId)
  add(unit?.headPersonId)
  if (p.kind === 'supervision') for (const c of await contactsOfProject(ctx.db, p.projectId)) add(c.id)
  for (const id of p.levelIds) add(id)
  if (rung.level !== 'notice') add(p.leaderId)
  // The 主要领导: the 县长 by role (county_head), else by title.
  if (rung.level === 'principalTalk')
    add((await peopleWithRole(ctx.db, 'county_head'))[0]?.id ?? (await personWithTitle(ctx.db, ctx.dispatch.escalation.principalTitle))?.id)
  const n: EscalationNotice = {
    kind: p.kind,
    id: p.id,
    ref: REF[p.kind](p.id),
    project: project?.name ?? `项目 ${p.projectId}`,
    unit: unit?.name ?? '责任单位',
    matter: p.matter,
    dueOn: p.dueOn,
    overdueDays: overdueDays(p.dueOn, today, ctx.calendar),
    count,
    rung,
  }
  const card = escalationCard(n, ctx.demo, ctx.rules.county)
  const what = p.kind === 'supervision' ? `督办 ${n.ref}` : `问题 ${n.ref}`
  const items: JobItem[] = recipients.map((id) => ({
    to: toPerson(id),
    key: clockKeys.notice(KEY[p.kind], p.id, count, id),
    body: { kind: 'card', card },
    topic: `notice:${KEY[p.kind]}:${p.id}`,
    rank: count,
    line: `${what}（${n.project}）逾期 ${n.overdueDays} 个工作日，第 ${count} 次通报：${rung.label}`,
    ...(p.kind === 'supervision' && { button: { label: `已阅 ${n.ref}`, command: 'ack' as const, args: { supervisionId: p.id } } }),
  }))
  return {
    items,
    after: dryRun ? undefined : () => (p.kind === 'supervision' ? countSupervisionNotice : countProblemNotice)(ctx.db, p.id, p.notices),
    result: { item: n.ref, count, level: rung.level, recipients: recipients.length },
  }
}
