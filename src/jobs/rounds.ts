/**
 * The round jobs: open a round and prompt every contact of every project in it; remind non-responders before
 * and at the deadline; after the deadline 催办 them once and tell their unit head; close the round (a monthly
 * round is settled: the laggards' 进度催办, colours frozen, board published, 约谈 and 表态 opened) and post the monthly
 * board to the board groups. A weekly round's close 进度催办s the key projects behind 序时.
 */
import type { Mention } from '../model/index.ts'
import { boardCard, formatDeadline, reminderCard, reportPromptCard } from '../cards/conversation.ts'
import {
  closeRound,
  createRound,
  latestReportsBefore,
  recordReminderOnce,
  reportedProjectIds,
  roundByKey,
  roundProjects,
  unclosedRounds,
  type Round,
  type RoundProject,
} from '../store/repos/rounds.ts'
import { boardGroups, listUnits } from '../store/repos/directory.ts'
import { openProblemsByProject } from '../store/repos/problems.ts'
import { boardUnits, monthBoard } from '../services/monthly.ts'
import { settle } from '../services/settle.ts'
import { decisionMonth, urgeLagging, urgeMissing } from '../services/urges.ts'
import { cardNotices, lagUrgeNotices, type Notice } from './urges.ts'
import { periodOf, previous } from '../domain/periods.ts'
import { parseLocalDate } from '../domain/time.ts'
import { dateOf, monthlyWindow, outOfQuietHours, reminderTime, roundConfig, weeklyWindow, type RoundWindow } from '../domain/dispatch.ts'
import { overdueHeadCard, roundTitle } from '../cards/clock.ts'
import { toGroup, toPerson, type Job, type JobContext, type JobItem, type Slot } from './job.ts'
import { clockKeys } from '../outbox/keys.ts'

const DAY = 86_400_000
const MINUTE = 60_000

/** The rounds whose windows may be live now: this and the previous month, this and the previous ISO week. */
function candidateWindows(ctx: JobContext): RoundWindow[] {
  const today = dateOf(ctx.now.getTime())
  const month = periodOf('month', today)
  const week = periodOf('week', today)
  return [
    monthlyWindow(ctx.dispatch, ctx.calendar, previous(month)),
    monthlyWindow(ctx.dispatch, ctx.calendar, month),
    weeklyWindow(ctx.dispatch, ctx.calendar, previous(week)),
    weeklyWindow(ctx.dispatch, ctx.calendar, week),
  ].filter((w): w is RoundWindow => w !== null)
}

const yearOf = (ms: number) => parseLocalDate(dateOf(ms)).year
const short = (name: string) => (name.length > 10 ? `${name.slice(0, 10)}…` : name)
const topicOf = (r: Pick<Round, 'kind' | 'period'>, projectId: number) => `round:${r.kind}:${r.period}:p${projectId}`
const reportButton = (rp: RoundProject) => ({
  label: `填报 ${short(rp.project.name)}`,
  style: 'primary' as const,
  command: 'report' as const,
  args: { target: rp.project.code },
})

/**
 * Opens the monthly and weekly rounds on their day and sends each contact one card per project. A round
 * found only after its deadline is skipped (OneCamp): prompting and 催办ing in the same minute helps nobody;
 * the office can still open it by hand.
 */
export const openRoundsJob: Job = async (ctx) => {
  const now = ctx.now.getTime()
  const slots: Slot[] = []
  for (const w of candidateWindows(ctx)) {
    const dueAt = outOfQuietHours(ctx.dispatch, w.opensAt)
    if (dueAt > now || now >= w.deadlineAt) continue
    slots.push({ job: `open:${w.kind}`, period: w.period, dueAt, expiresAt: w.deadlineAt, run: (dryRun) => openRound(ctx, w, dryRun) })
  }
  return slots
}

async function openRound(ctx: JobContext, w: RoundWindow, dryRun: boolean) {
  const { db } = ctx
  let round: Round
  if (dryRun) {
    round = (await roundByKey(db, w.kind, w.period)) ?? {
      id: 0,
      kind: w.kind,
      period: w.period,
      opensAt: w.opensAt,
      deadlineAt: w.deadlineAt,
      closedAt: null,
      createdAt: ctx.now.getTime(),
    }
  } else {
    round = (await createRound(db, { kind: w.kind, period: w.period, opensAt: w.opensAt, deadlineAt: w.deadlineAt })).round
  }
  // A round someone already closed (imported, or closed by hand) gets no prompts.
  if (round.closedAt !== null) return { items: [], result: { skipped: 'round already closed' } }
  const projects = await roundProjects(db, round.kind, yearOf(round.opensAt))
  // Projects already reported (a round opened earlier by hand) need no prompt.
  const reported = round.id ? await reportedProjectIds(db, round.id) : new Set<number>()
  const todo = projects.filter((p) => !reported.has(p.project.id))
  const ids = todo.map((p) => p.project.id)
  const previousReports = await latestReportsBefore(db, ids, round.opensAt, round.kind === 'monthly' ? 'monthly' : undefined)
  const openProblems = await openProblemsByProject(db, ids)
  const items: JobItem[] = []
  for (const rp of todo) {
    const body = {
      kind: 'card' as const,
      card: reportPromptCard({
        project: rp.project,
        round,
        previous: previousReports.get(rp.project.id) ?? null,
        current: null,
        openProblems: openProblems.get(rp.project.id) ?? [],
        demo: ctx.demo,
      }),
    }
    for (const c of rp.contacts)
      items.push({
        to: toPerson(c.id),
        key: clockKeys.prompt(round, rp.project.id, c.id),
        body,
        topic: topicOf(round, rp.project.id),
        rank: 1,
        line: `「${rp.project.name}」${roundTitle(round)}已开始，请于 ${formatDeadline(round.deadlineAt)} 前填报`,
        button: reportButton(rp),
      })
  }
  return { items, result: { roundId: round.id, projects: todo.length, alreadyReported: reported.size } }
}

/** Who has not reported in a round: each project with its contacts. */
async function nonResponders(ctx: JobContext, round: Round): Promise<RoundProject[]> {
  const projects = await roundProjects(ctx.db, round.kind, yearOf(round.opensAt))
  const reported = round.id ? await reportedProjectIds(ctx.db, round.id) : new Set<number>()
  return projects.filter((p) => !reported.has(p.project.id))
}

/** Reminders to non-responders before and on the deadline day (courtesy notes, not 催办). */
export const remindersJob: Job = async (ctx) => {
  const now = ctx.now.getTime()
  const slots: Slot[] = []
  for (const round of await unclosedRounds(ctx.db)) {
    if (round.opensAt > now || now >= round.deadlineAt) continue
    const cfg = roundConfig(ctx.dispatch, round.kind)
    for (const spec of cfg.reminders) {
      const t = reminderTime(spec, round, cfg.holidays, ctx.calendar)
      if (t === null) continue
      const dueAt = outOfQuietHours(ctx.dispatch, t)
      if (dueAt > now || dueAt >= round.deadlineAt) continue
      slots.push({
        job: `remind:${spec.key}:${round.kind}`,
        period: round.period,
        dueAt,
        expiresAt: round.deadlineAt,
        run: async (dryRun) => {
          const late = await nonResponders(ctx, round)
          const items: JobItem[] = []
          for (const rp of late)
            for (const c of rp.contacts) {
              if (!dryRun)
                await recordReminderOnce(ctx.db, { roundId: round.id, projectId: rp.project.id, kind: spec.kind, personId: c.id, sentAt: now })
              items.push({
                to: toPerson(c.id),
                key: clockKeys.reminder(spec.key, round, rp.project.id, c.id),
                body: { kind: 'card', card: reminderCard(rp.project, round, spec.kind) },
                topic: topicOf(round, rp.project.id),
                rank: spec.kind === 'before' ? 2 : 3,
                line: `「${rp.project.name}」${roundTitle(round)}尚未填报，截止 ${formatDeadline(round.deadlineAt)}`,
                button: reportButton(rp),
              })
            }
          return { items, result: { projects: late.length } }
        },
      })
    }
  }
  return slots
}

/**
 * After the deadline: one 催办 per project still not reported (a `reminders` row of kind 'overdue', which the
 * yellow-card rule counts), the card to its contacts, and one notice per unit to the unit head.
 */
export const overdueJob: Job = async (ctx) => {
  const now = ctx.now.getTime()
  const slots: Slot[] = []
  for (const round of await unclosedRounds(ctx.db)) {
    const cfg = roundConfig(ctx.dispatch, round.kind)
    const dueAt = outOfQuietHours(ctx.dispatch, round.deadlineAt + cfg.overdueAfterMinutes * MINUTE)
    const closesAt = round.deadlineAt + cfg.closeAfterMinutes * MINUTE
    if (dueAt > now || now >= closesAt) continue
    slots.push({ job: `overdue:${round.kind}`, period: round.period, dueAt, expiresAt: closesAt, run: (dryRun) => overdue(ctx, round, dryRun) })
  }
  return slots
}

async function overdue(ctx: JobContext, round: Round, dryRun: boolean) {
  const now = ctx.now.getTime()
  const late = await nonResponders(ctx, round)
  const items: JobItem[] = []
  // One missing-report 催办 per project (the colour rule counts it only when the rules say so).
  if (!dryRun && late.length)
    await urgeMissing(
      ctx.db,
      {
        period: round.kind === 'monthly' ? round.period : await decisionMonth(ctx.db, ctx.rules, ctx.now),
        occasion: `overdue:${round.kind}:${round.period}`,
        at: ctx.now,
        roundId: round.id,
      },
      late.map((rp) => rp.project.id),
    )
  for (const rp of late) {
    if (!dryRun)
      await recordReminderOnce(ctx.db, {
        roundId: round.id,
        projectId: rp.project.id,
        kind: 'overdue',
        personId: rp.contacts[0]?.id ?? null,
        sentAt: now,
      })
    for (const c of rp.contacts)
      items.push({
        to: toPerson(c.id),
        key: clockKeys.overdue(round, rp.project.id, c.id),
        body: { kind: 'card', card: reminderCard(rp.project, round, 'overdue') },
        topic: topicOf(round, rp.project.id),
        rank: 4,
        line: `「${rp.project.name}」${roundTitle(round)}已逾期未填报，已记催办一次`,
        button: reportButton(rp),
      })
  }
  const units = new Map((await listUnits(ctx.db)).map((u) => [u.id, u]))
  const byUnit = new Map<number, RoundProject[]>()
  for (const rp of late) byUnit.set(rp.project.unitId, [...(byUnit.get(rp.project.unitId) ?? []), rp])
  let heads = 0
  for (const [unitId, list] of byUnit) {
    const unit = units.get(unitId)
    if (!unit?.headPersonId) continue
    heads++
    const lateList = list.map((rp) => ({ name: rp.project.name, contacts: rp.contacts.map((c) => ({ personId: c.id, name: c.name })) }))
    items.push({
      to: toPerson(unit.headPersonId),
      key: clockKeys.overdueHead(round, unitId),
      body: { kind: 'card', card: overdueHeadCard(unit.name, round, lateList, ctx.demo, ctx.rules.county) },
      topic: `overdue-head:${round.kind}:${round.period}:n${unitId}`,
      rank: 1,
      line: `${unit.name}有 ${list.length} 个项目${roundTitle(round)}逾期未填报（${list.map((rp) => rp.project.name).join('、')}），已各记催办一次`,
    })
  }
  return { items, result: { projects: late.length, unitHeads: heads } }
}

/**
 * Closes rounds whose time is up. A monthly round is settled (colours frozen, board published) and its board
 * goes to every board group, one message per group, @-mentioning the contacts still not reported.
 */
export const closeRoundsJob: Job = async (ctx) => {
  const now = ctx.now.getTime()
  const slots: Slot[] = []
  for (const round of await unclosedRounds(ctx.db)) {
    const cfg = roundConfig(ctx.dispatch, round.kind)
    const closesAt = round.deadlineAt + cfg.closeAfterMinutes * MINUTE
    const dueAt = outOfQuietHours(ctx.dispatch, closesAt)
    if (dueAt > now) continue
    slots.push({ job: `close:${round.kind}`, period: round.period, dueAt, expiresAt: Infinity, run: (dryRun) => close(ctx, round, dueAt, dryRun) })
  }
  return slots
}

async function close(ctx: JobContext, round: Round, dueAt: number, dryRun: boolean) {
  const { db, rules, now } = ctx
  if (!dryRun) await closeRound(db, round.id, now.getTime())
  const threshold = rules.colour.urgesBeforeCard
  if (round.kind !== 'monthly') {
    if (dryRun) return { items: [], result: { closed: round.period } }
    // The weekly (旬) dispatch of key projects: each one behind 序时 gets its 进度催办, counted toward the coming month.
    const occasion = `weekly:${round.period}`
    const weekly = new Set((await roundProjects(db, round.kind, yearOf(round.opensAt))).map((rp) => rp.project.id))
    const urged = await urgeLagging(db, rules, { period: await decisionMonth(db, rules, now), occasion, at: now, roundId: round.id }, weekly)
    const items = noticeItems(await lagUrgeNotices(db, urged, threshold, ctx.demo), occasion, round.period)
    return { items, result: { closed: round.period, urged: urged.length } }
  }
  const settled = dryRun ? null : await settle(db, rules, round.period, now)
  const board = settled?.board ?? (await monthBoard(db, rules, round.period, await boardUnits(db), now))
  const occasion = `settle:${round.period}`
  const items: JobItem[] = settled
    ? noticeItems(
        [
          ...(await lagUrgeNotices(db, settled.urged, threshold, ctx.demo)),
          ...(await cardNotices(db, settled.interviews, settled.pledges, ctx.demo)),
        ],
        occasion,
        round.period,
      )
    : []
  // A board found more than `expireAfterDays` late is no news any more: the round is settled, nothing posted.
  if (ctx.dispatch.monthlyBoard.enabled && now.getTime() < dueAt + ctx.dispatch.expireAfterDays * DAY) {
    const late = await nonResponders(ctx, round)
    // Those who owe the most reports first: a card names only so many people.
    const owed = new Map<number, { mention: Mention; projects: number }>()
    for (const rp of late)
      for (const c of rp.contacts) {
        const o = owed.get(c.id) ?? { mention: { personId: c.id, name: c.name }, projects: 0 }
        o.projects++
        owed.set(c.id, o)
      }
    const mentions = [...owed.values()].sort((a, b) => b.projects - a.projects || a.mention.personId - b.mention.personId).map((o) => o.mention)
    const card = boardCard(board, { late: mentions, demo: ctx.demo, county: ctx.rules.county })
    for (const g of await boardGroups(db)) {
      if (!ctx.platforms.includes(g.platform)) continue
      items.push({
        to: toGroup(g.id),
        key: clockKeys.monthlyBoard(round.period, g.id),
        body: { kind: 'card', card },
        topic: `board:monthly:${round.period}`,
        rank: 1,
        line: `${card.title}已发布（${late.length} 个项目未填报）`,
        button: { label: '查看排名', command: 'board', args: { scope: 'month' } },
      })
    }
  }
  return {
    items,
    result: {
      closed: round.period,
      settled: !dryRun,
      groups: items.filter((i) => i.to.kind === 'group').length,
      urged: settled?.urged.length ?? 0,
      interviews: settled?.interviews.length ?? 0,
      pledges: settled?.pledges.length ?? 0,
    },
  }
}

/** A settle's or weekly round's notices as the clock's messages (keys from the occasion and what each is about). */
function noticeItems(notices: Notice[], occasion: string, period: string): JobItem[] {
  return notices.map((n) => {
    const a = n.about
    const key =
      a.kind === 'contact'
        ? clockKeys.lagUrge(occasion, a.projectId, n.personId)
        : a.kind === 'head'
          ? clockKeys.lagUrgeHead(occasion, a.unitId)
          : a.kind === 'interview'
            ? clockKeys.interview(a.id, n.personId)
            : clockKeys.pledge(period, a.projectId, n.personId)
    const topic =
      a.kind === 'contact' || a.kind === 'pledge'
        ? `lag:${period}:p${a.projectId}`
        : a.kind === 'head'
          ? `lag-head:${occasion}:n${a.unitId}`
          : `interview:${a.id}`
    return { to: toPerson(n.personId), key, body: { kind: 'card' as const, card: n.card }, topic, rank: a.kind === 'pledge' ? 2 : 1, line: n.line }
  })
}
