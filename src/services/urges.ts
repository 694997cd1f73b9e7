/**
 * 催办 as the colour rule counts them: one per project per occasion (the monthly settle 'settle:2026-10', a
 * weekly round 'weekly:2026-W44', a leader's 「催办」 'manual:<person>:<YYYY-MM-DDTHH:mm>'), however many contacts
 * it reaches. A lag 催办 goes to a project behind 序时 and says how far behind it is and what it needs; a missing
 * 催办 chases an unreported round. The database keeps the consecutive count per month (drizzle/0008_urge_occasions).
 */
import { sql } from 'drizzle-orm'
import type { Db } from '../store/db.ts'
import { urges } from '../store/schema.ts'
import type { Rules } from './rules.ts'
import { countedUrges, projectMonths, viewOf, type MonthView, type ProjectMonth } from './monthly.ts'
import { publishedSnapshot } from '../store/repos/boards.ts'
import { next as nextPeriod, previous as previousMonth, statisticalMonth } from '../domain/periods.ts'
import { localDate } from '../domain/time.ts'
import type { Yuan } from '../domain/money.ts'

export type UrgeKind = (typeof urges.$inferSelect)['kind']

/** A lag 催办 just recorded: the project's month as it stands and what it needs to reach 序时. */
export interface LagUrge {
  view: MonthView & ProjectMonth
  period: string
  /** 元 still to be done to reach this month's 序时 amount. */
  needed: Yuan
  /** Consecutive 催办 that count toward the card, this one included. */
  count: number
}

/** The occasion key of a leader's or the office's 「催办」, one per person and minute (a repeat within it is the same 催办). */
export function manualOccasion(personId: number, now: Date): string {
  const iso = new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 16)
  return `manual:${personId}:${iso}`
}

/**
 * The month whose colour the next decision sets: the statistical month of `now`, or the one after it once that
 * month is settled (its board published). A 催办 between two settles counts toward the coming one.
 */
export async function decisionMonth(db: Db, rules: Rules, now: Date): Promise<string> {
  const month = statisticalMonth(localDate(now), { openDay: rules.monthlyOpenDay })
  return (await publishedSnapshot(db, 'monthly', month)) ? nextPeriod(month) : month
}

/**
 * The projects of a month behind 序时 (under the county's rule), worst first; `projectIds` narrows them. With
 * `figures: 'latest'` a project's 本年累计 is its latest report: a weekly (旬) report submitted after the month's
 * figure (its monthly report, else last month's) replaces it, so a key project that caught up this week is not
 * chased for last month's figure. The month's 序时 target is the same either way.
 */
export async function laggingProjects(
  db: Db,
  rules: Rules,
  period: string,
  projectIds?: ReadonlySet<number>,
  figures: 'month' | 'latest' = 'month',
): Promise<(MonthView & ProjectMonth)[]> {
  const months = await projectMonths(db, period, { detail: true })
  const latest = figures === 'latest' ? await latestWeeklyYtd(db, period) : new Map<number, number>()
  return months
    .filter((p) => !projectIds || projectIds.has(p.projectId))
    .map((p) => viewOf(rules, latest.has(p.projectId) ? { ...p, ytd: latest.get(p.projectId)! } : p, period))
    .filter((v) => v.verdict.gap !== null && v.verdict.gap.sign < 0)
    .sort((a, b) => a.verdict.gap!.basisPoints - b.verdict.gap!.basisPoints || a.projectId - b.projectId)
}

/**
 * Each project's 本年累计 from its latest current weekly or 旬 report of `period`'s year, when that report came in
 * after the month's own figure: the month's monthly report, else the month before's (whose 累计 was carried).
 */
async function latestWeeklyYtd(db: Db, period: string): Promise<Map<number, number>> {
  const year = period.slice(0, 4)
  const prev = previousMonth(period)
  const rows = await db.all<{ project_id: number; ytd: number }>(sql`
    with month_at as (
      select r.project_id, max(r.submitted_at) as at from reports r join rounds rd on rd.id = r.round_id
      where r.current = 1 and rd.kind = 'monthly' and rd.period in (${period}, ${prev}) group by r.project_id
    ), weekly as (
      select r.project_id, r.ytd_investment as ytd, r.submitted_at,
        row_number() over (partition by r.project_id order by r.submitted_at desc, r.id desc) as n
      from reports r join rounds rd on rd.id = r.round_id
      where r.current = 1 and rd.kind in ('weekly', 'xun') and strftime('%Y', r.submitted_at / 1000 + 8 * 3600, 'unixepoch') = ${year}
    )
    select w.project_id, w.ytd from weekly w left join month_at m on m.project_id = w.project_id
    where w.n = 1 and w.submitted_at > coalesce(m.at, 0)`)
  return new Map(rows.map((r) => [r.project_id, r.ytd]))
}

/** What a project still has to do to reach its 序时 amount, in 元 (0 when it is there). */
export function neededForSchedule(v: Pick<MonthView, 'annualPlan' | 'ytd' | 'schedule'>): Yuan {
  if (!v.schedule) return 0
  return Math.max(0, Math.ceil((v.annualPlan * v.schedule.num) / v.schedule.den) - v.ytd)
}

export interface UrgeOccasion {
  period: string
  occasion: string
  at: Date
  byPersonId?: number | null
  roundId?: number | null
  /** Which 本年累计 a project is judged by: the month's own ('month', the settle) or its latest report ('latest', default). */
  figures?: 'month' | 'latest'
}

/**
 * Records one lag 催办 for each project behind 序时 in `o.period` (all, or those in `projectIds`). A project
 * already urged on this occasion is left out: running the same occasion twice urges nobody twice.
 */
export async function urgeLagging(db: Db, rules: Rules, o: UrgeOccasion, projectIds?: ReadonlySet<number>): Promise<LagUrge[]> {
  const behind = await laggingProjects(db, rules, o.period, projectIds, o.figures ?? 'latest')
  const fresh = await recordUrges(
    db,
    'lag',
    o,
    behind.map((v) => ({ projectId: v.projectId, behindBp: -v.verdict.gap!.basisPoints })),
  )
  return behind
    .filter((v) => fresh.has(v.projectId))
    .map((v) => ({
      view: v,
      period: o.period,
      needed: neededForSchedule(v),
      // The view was read before this 催办: it is one more.
      count: countedUrges(rules, v) + 1,
    }))
}

/** Records a missing-report 催办 per project on an occasion; the projects for which it is new. */
export async function urgeMissing(db: Db, o: UrgeOccasion, projectIds: readonly number[]): Promise<Set<number>> {
  return recordUrges(
    db,
    'missing',
    o,
    projectIds.map((projectId) => ({ projectId, behindBp: null })),
  )
}

async function recordUrges(db: Db, kind: UrgeKind, o: UrgeOccasion, rows: { projectId: number; behindBp: number | null }[]): Promise<Set<number>> {
  const fresh = new Set<number>()
  // D1 binds at most 100 parameters a statement: 8 a row, 12 rows.
  for (let i = 0; i < rows.length; i += 12) {
    const slice = rows.slice(i, i + 12)
    if (!slice.length) continue
    const out = await db
      .insert(urges)
      .values(
        slice.map((r) => ({
          projectId: r.projectId,
          roundId: o.roundId ?? null,
          period: o.period,
          kind,
          occasion: o.occasion,
          byPersonId: o.byPersonId ?? null,
          behindBp: r.behindBp,
          at: o.at.getTime(),
        })),
      )
      .onConflictDoNothing()
      .returning({ projectId: urges.projectId })
    for (const r of out) fresh.add(r.projectId)
  }
  return fresh
}
