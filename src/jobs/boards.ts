/**
 * What is posted after a monthly round closes (the 通报 to leaders, 羚羊奖/蜗牛奖 at the end of a quarter, the
 * 双过半 check after June) and the weekly key-project board on Friday afternoon.
 */
import { boardCard, bulletinCard } from '../cards/conversation.ts'
import { boardGroups, listUnits } from '../store/repos/directory.ts'
import type { rounds } from '../store/schema.ts'
import { publishedSnapshot, publishSnapshot } from '../store/repos/boards.ts'
import { jobRunsFor } from '../store/repos/job-runs.ts'
import { latestReportsBefore, roundByKey, roundProjects, roundReports, roundsClosedSince, unclosedRounds } from '../store/repos/rounds.ts'
import { peopleWithRole } from '../store/repos/people.ts'
import { listSectors } from '../store/repos/sectors.ts'
import { leagueEnds, monthlyBulletin } from '../services/bulletin.ts'
import { latestPublishedBoard } from '../services/boards.ts'
import { loadRules, type Rules } from '../services/rules.ts'
import { enqueue } from '../outbox/enqueue.ts'
import type { Db } from '../store/db.ts'
import { getSetting } from '../store/repos/settings.ts'
import { projectMonths, scheduleFor } from '../services/monthly.ts'
import { quarterlyAwards, type AwardCandidate } from '../domain/awards.ts'
import { compare, formatPercent } from '../domain/ratio.ts'
import { completionRate, dayLinear, halfwayCheck } from '../domain/schedule.ts'
import { monthNumber, periodOf, previous, quarterOf } from '../domain/periods.ts'
import { dateOf, outOfQuietHours, weeklyBoardTime } from '../domain/dispatch.ts'
import { awardsCard, halfwayCard, weeklyBoardCard, type HalfwayData, type WeeklyBoard, type WeeklyBoardLine } from '../cards/clock.ts'
import { toGroup, toPerson, type Job, type JobContext, type JobItem, type Slot } from './job.ts'
import type { Mention, OutboundMessage, Platform } from '../model/index.ts'
import { clockKeys } from '../outbox/keys.ts'

const DAY = 86_400_000
const MINUTE = 60_000

type RoundRow = typeof rounds.$inferSelect

/**
 * Monthly rounds this clock closed and settled (or, in a dry run, would close now) recently enough for their
 * follow-ups, with the instant they were due to close: follow-ups are timed from that, so a late close makes
 * them late too. A month closed some other way (imported, the demo's history) gets no follow-ups, as it got
 * no board.
 */
export async function closedMonths(ctx: JobContext): Promise<{ round: RoundRow; closeDue: number }[]> {
  const now = ctx.now.getTime()
  const horizon = now - (ctx.dispatch.expireAfterDays + 3) * DAY
  const closeAfter = ctx.dispatch.monthly.closeAfterMinutes * MINUTE
  const closed = (await roundsClosedSince(ctx.db, horizon)).filter((r) => r.kind === 'monthly')
  const runs = await jobRunsFor(
    ctx.db,
    closed.map((r) => ({ job: 'close:monthly', period: r.period })),
  )
  const list = closed.filter((r) => runs.has(`close:monthly|${r.period}`))
  if (ctx.dryRun) for (const r of await unclosedRounds(ctx.db)) if (r.kind === 'monthly' && r.deadlineAt + closeAfter <= now) list.push(r)
  return list.map((round) => ({ round, closeDue: outOfQuietHours(ctx.dispatch, round.deadlineAt + closeAfter) }))
}

/** A follow-up slot of a closed month, due `afterMinutes` after the close. */
export function followUp(ctx: JobContext, job: string, period: string, dueAt: number, run: Slot['run']): Slot | null {
  const now = ctx.now.getTime()
  const expiresAt = dueAt + ctx.dispatch.expireAfterDays * DAY
  return dueAt <= now && now < expiresAt ? { job, period, dueAt, expiresAt, run } : null
}

export async function groupItems(ctx: JobContext, make: (groupId: number) => Omit<JobItem, 'to'>): Promise<JobItem[]> {
  const out: JobItem[] = []
  for (const g of await boardGroups(ctx.db)) if (ctx.platforms.includes(g.platform)) out.push({ to: toGroup(g.id), ...make(g.id) })
  return out
}

/**
 * The monthly 通报 to every board group and every leader, after the monthly round closes; built once and frozen
 * (monthlyBulletin), so the groups, the leaders and any later 「通报」 read the same copy.
 */
export const bulletinJob: Job = async (ctx) => {
  if (!ctx.dispatch.bulletin.enabled) return []
  const slots: Slot[] = []
  for (const { round, closeDue } of await closedMonths(ctx)) {
    const s = followUp(
      ctx,
      'bulletin:monthly',
      round.period,
      outOfQuietHours(ctx.dispatch, closeDue + ctx.dispatch.bulletin.afterCloseMinutes * MINUTE),
      async () => {
        const b = await monthlyBulletin(ctx.db, ctx.rules, round.period, ctx.now)
        const card = bulletinCard(b, ctx.demo, ctx.rules.county)
        const leaders = await peopleWithRole(ctx.db, 'leader')
        const line = `${card.title}：完成率 ${b.completion}，序时 ${b.schedule}`
        const items: JobItem[] = leaders.map((p) => ({
          to: toPerson(p.id),
          key: clockKeys.bulletin(round.period, p.id),
          body: { kind: 'card', card },
          topic: `bulletin:${round.period}`,
          rank: 1,
          line,
          button: { label: '查看排名', command: 'board', args: { scope: 'month' } },
        }))
        // The same key a group the bot joins later gets the 通报 under (latestForGroup): never twice.
        items.push(
          ...(await groupItems(ctx, (g) => ({
            key: clockKeys.groupBulletin(round.period, g),
            body: { kind: 'card', card },
            topic: `bulletin:${round.period}`,
            rank: 1,
            line,
          }))),
        )
        const inspected = Object.fromEntries(b.inspections.map((x) => [x.kind, x.items.length]))
        return { items, result: { leaders: leaders.length, groups: items.length - leaders.length, ...inspected } }
      },
    )
    if (s) slots.push(s)
  }
  return slots
}

/** 羚羊奖 / 蜗牛奖 to the board groups after the quarter's last monthly round closes. */
export const awardsJob: Job = async (ctx) => {
  if (!ctx.dispatch.awards.enabled) return []
  const slots: Slot[] = []
  for (const { round, closeDue } of await closedMonths(ctx)) {
    if (monthNumber(round.period) % 3 !== 0) continue
    const quarter = quarterOf(round.period)
    const s = followUp(ctx, 'awards:quarterly', quarter, closeDue, async () => {
      const months = await projectMonths(ctx.db, round.period, { detail: true })
      const candidates: AwardCandidate[] = months.map((p) => {
        const schedule = ctx.rules.schedule === 'monthLinear' ? null : scheduleFor(ctx.rules, p, round.period)
        return { code: p.code, name: p.name, sector: p.sector, annualPlan: p.annualPlan, ytd: p.ytd, ...(schedule && { schedule }) }
      })
      // The first round is per 分指挥部, in the county's own order of them when it has set them up.
      const sectorOrder = (await listSectors(ctx.db)).map((s) => s.name)
      const awards = quarterlyAwards(quarter, candidates, {
        winners: ctx.dispatch.awards.winners,
        metric: ctx.dispatch.awards.metric,
        ...(sectorOrder.length && { sectorOrder }),
      })
      const unitNames = new Map((await listUnits(ctx.db)).map((u) => [u.id, u.name]))
      const unitOfCode = new Map(months.map((p) => [p.code, unitNames.get(p.unitId) ?? '']))
      const card = awardsCard(awards, (code) => unitOfCode.get(code) ?? '', ctx.demo)
      const names = (l: { name?: string; code: string }[]) => l.map((p) => p.name ?? p.code).join('、')
      const items = await groupItems(ctx, (g) => ({
        key: clockKeys.awards(quarter, g),
        body: { kind: 'card', card },
        topic: `awards:${quarter}`,
        rank: 1,
        line: `${card.title}：羚羊奖 ${names(awards.antelope)}；蜗牛奖 ${names(awards.snail)}`,
      }))
      return { items, result: { antelope: awards.antelope.map((p) => p.code), snail: awards.snail.map((p) => p.code) } }
    })
    if (s) slots.push(s)
  }
  return slots
}

/** The 双过半 check, to the board groups and the leaders, after the halfway month's round closes. */
export const halfwayJob: Job = async (ctx) => {
  const c = ctx.dispatch.halfway
  if (!c.enabled) return []
  const slots: Slot[] = []
  for (const { round, closeDue } of await closedMonths(ctx)) {
    if (monthNumber(round.period) !== c.month) continue
    const year = round.period.slice(0, 4)
    const s = followUp(ctx, 'halfway', year, closeDue, async () => {
      const data = await halfwayData(ctx, round.period)
      const card = halfwayCard(data, ctx.demo, ctx.rules.county)
      const line = `${card.title}：${card.subtitle}，1—${c.month}月完成率 ${data.completion ? formatPercent(data.completion) : '—'}`
      const items = await groupItems(ctx, (g) => ({
        key: clockKeys.halfwayGroup(year, g),
        body: { kind: 'card', card },
        topic: `halfway:${year}`,
        rank: 1,
        line,
      }))
      for (const p of await peopleWithRole(ctx.db, 'leader'))
        items.push({
          to: toPerson(p.id),
          key: clockKeys.halfwayPerson(year, p.id),
          body: { kind: 'card', card },
          topic: `halfway:${year}`,
          rank: 1,
          line,
        })
      return { items, result: { met: data.met, projectsMet: data.projectsMet, projects: data.projects } }
    })
    if (s) slots.push(s)
  }
  return slots
}

async function halfwayData(ctx: JobContext, period: string): Promise<HalfwayData> {
  const months = await projectMonths(ctx.db, period, { detail: true })
  const unitNames = new Map((await listUnits(ctx.db)).map((u) => [u.id, u.name]))
  const plan = months.reduce((s, p) => s + p.annualPlan, 0)
  const ytd = months.reduce((s, p) => s + p.ytd, 0)
  const county = halfwayCheck(ytd, plan)
  const byUnit = new Map<number, { plan: number; ytd: number }>()
  for (const p of months) {
    const u = byUnit.get(p.unitId) ?? { plan: 0, ytd: 0 }
    u.plan += p.annualPlan
    u.ytd += p.ytd
    byUnit.set(p.unitId, u)
  }
  const unitsBehind = [...byUnit]
    .map(([id, u]) => ({ unit: unitNames.get(id) ?? '', check: halfwayCheck(u.ytd, u.plan) }))
    .filter((u) => u.check && !u.check.met)
    .map((u) => ({ unit: u.unit, completion: u.check!.completion, shortfall: u.check!.shortfall }))
    .sort((a, b) => compare(a.completion!, b.completion!))
  const checks = months.map((p) => ({ p, check: halfwayCheck(p.ytd, p.annualPlan) })).filter((x) => x.check !== null)
  const projectsBehind = checks
    .filter((x) => !x.check!.met)
    .map((x) => ({ name: x.p.name, unit: unitNames.get(x.p.unitId) ?? '', completion: x.check!.completion, shortfall: x.check!.shortfall }))
    .sort((a, b) => b.shortfall - a.shortfall)
  return {
    year: Number(period.slice(0, 4)),
    plan,
    ytd,
    completion: county?.completion ?? null,
    met: county?.met ?? false,
    projects: checks.length,
    projectsMet: checks.filter((x) => x.check!.met).length,
    unitsBehind,
    projectsBehind,
  }
}

/** The weekly key-project board to the board groups, Friday 17:00 by default (skipped when over 3 days late). */
export const weeklyBoardJob: Job = async (ctx) => {
  const now = ctx.now.getTime()
  const thisWeek = periodOf('week', dateOf(now))
  const slots: Slot[] = []
  for (const period of [previous(thisWeek), thisWeek]) {
    const t = weeklyBoardTime(ctx.dispatch, ctx.calendar, period)
    if (t === null) continue
    const dueAt = outOfQuietHours(ctx.dispatch, t)
    // Last week's board is stale once the new week is under way: at most 3 days late.
    const expiresAt = dueAt + Math.min(ctx.dispatch.expireAfterDays, 3) * DAY
    if (dueAt > now || now >= expiresAt) continue
    slots.push({
      job: 'board:weekly',
      period,
      dueAt,
      expiresAt,
      run: async (dryRun) => {
        // A re-run after a crash posts what was stored, not a recount.
        const board = (await publishedWeeklyBoard(ctx, period)) ?? (await weeklyBoard(ctx, period, t))
        if (!dryRun) await publishSnapshot(ctx.db, 'weekly', period, board, now)
        const card = weeklyBoardCard(board, ctx.demo, ctx.rules.county)
        const items = await groupItems(ctx, (g) => ({
          key: clockKeys.weeklyBoard(period, g),
          body: { kind: 'card', card },
          topic: `board:weekly:${period}`,
          rank: 1,
          line: `${card.title}已发布（${board.late.length} 人未填报）`,
        }))
        return { items, result: { hadRound: board.hadRound, late: board.late.length } }
      },
    })
  }
  return slots
}

/** The weekly board's figures: per unit, this week's reports and investment, and 完成率 against day-linear 序时. */
export async function weeklyBoard(ctx: JobContext, period: string, at: number): Promise<WeeklyBoard> {
  const { db } = ctx
  const date = dateOf(at)
  const year = Number(date.slice(0, 4))
  const round = await roundByKey(db, 'weekly', period)
  const projects = await roundProjects(db, 'weekly', year)
  const reports = round ? await roundReports(db, round.id) : new Map()
  const latest = await latestReportsBefore(
    db,
    projects.map((p) => p.project.id),
    at + 1,
  )
  const units = await listUnits(db)
  const schedule = dayLinear(date)
  type Acc = Pick<WeeklyBoardLine, 'projects' | 'reported' | 'onTime' | 'week' | 'ytd' | 'plan'>
  const acc = new Map<number, Acc>()
  const late: Mention[] = []
  const seen = new Set<number>()
  for (const rp of projects) {
    const a = acc.get(rp.project.unitId) ?? { projects: 0, reported: 0, onTime: 0, week: 0, ytd: 0, plan: 0 }
    const r = reports.get(rp.project.id)
    a.projects++
    a.plan += rp.project.annualPlan
    const ytdReport = latest.get(rp.project.id)
    if (ytdReport && dateOf(ytdReport.submittedAt).slice(0, 4) === String(year)) a.ytd += ytdReport.ytdInvestment
    if (r) {
      a.reported++
      if (round && r.firstSubmittedAt <= round.deadlineAt) a.onTime++
      a.week += r.periodInvestment ?? 0
    } else if (round) {
      for (const c of rp.contacts) if (!seen.has(c.id)) (seen.add(c.id), late.push({ personId: c.id, name: c.name }))
    }
    acc.set(rp.project.unitId, a)
  }
  const leagues = ctx.rules.scoring.leagues
    .map((league) => {
      const lines = units
        .filter((u) => u.league === league && acc.has(u.id))
        .map((u) => {
          const a = acc.get(u.id)!
          return { unit: u.name, unitId: u.id, ...a, completion: completionRate(a.ytd, a.plan) }
        })
        .sort(
          (x, y) =>
            (x.completion && y.completion ? compare(y.completion, x.completion) : x.completion ? -1 : y.completion ? 1 : 0) || x.unitId - y.unitId,
        )
      let rank = 0
      const out: WeeklyBoardLine[] = lines.map((l, i) => {
        const prev = lines[i - 1]
        if (!prev || !l.completion || !prev.completion || compare(l.completion, prev.completion) !== 0) rank = i + 1
        return {
          rank,
          unit: l.unit,
          projects: l.projects,
          reported: l.reported,
          onTime: l.onTime,
          week: l.week,
          ytd: l.ytd,
          plan: l.plan,
          completion: l.completion,
        }
      })
      return { league, lines: out }
    })
    .filter((l) => l.lines.length > 0)
  return { period, hadRound: Boolean(round), schedule, leagues, late }
}

/** Already-published weekly board of a week, if any (what was published is what is kept). */
export async function publishedWeeklyBoard(ctx: JobContext, period: string): Promise<WeeklyBoard | null> {
  return (await publishedSnapshot<WeeklyBoard>(ctx.db, 'weekly', period)) ?? null
}

/**
 * What a group gets when the bot joins it (Feishu bot_added) or when the demo's county group is created: the
 * latest published monthly board, as published, and that month's 通报, so a new group does not start empty.
 * The board goes under the key the round's close uses for that group (clockKeys.monthlyBoard), so a group that
 * already had it gets nothing twice; the 通报 under clockKeys.groupBulletin. Nothing before a first month closed.
 *
 * @example bot_added: `messages: [welcome, ...(await latestForGroup(ctx.db, ctx.rules, group.id, ctx.now, ctx.demo))]`
 */
export async function latestForGroup(db: Db, rules: Rules, groupId: number, now: Date, demo: boolean): Promise<OutboundMessage[]> {
  const board = await latestPublishedBoard(db, rules)
  if (!board) return []
  const b = await monthlyBulletin(db, rules, board.period, now)
  // The 通报's 赛马 lines from the board as published, league by league.
  const leagues = board.leagues.filter((l) => l.lines.length > 0).map((l) => leagueEnds(l.lines))
  return [
    {
      to: toGroup(groupId),
      key: clockKeys.monthlyBoard(board.period, groupId),
      body: { kind: 'card', card: boardCard(board, { demo, county: rules.county }) },
    },
    {
      to: toGroup(groupId),
      key: clockKeys.groupBulletin(board.period, groupId),
      body: { kind: 'card', card: bulletinCard({ ...b, leagues }, demo, rules.county) },
    },
  ]
}

/**
 * latestForGroup queued at once, outside a bot turn (the local channel's county group, created on first use):
 * `await postLatestToGroup(db, group.id, new Date(at), ['local'])`. Returns how many messages were queued.
 */
export async function postLatestToGroup(db: Db, groupId: number, now: Date, platforms: Platform[]): Promise<number> {
  const rules = await loadRules(db)
  const demo = (await getSetting(db, 'demo')) !== undefined
  const messages = await latestForGroup(db, rules, groupId, now, demo)
  if (!messages.length) return 0
  const { queued } = await enqueue(db, { platforms }, messages, now.getTime(), (i) => `group-latest:g${groupId}:${i}`)
  return queued
}
