/**
 * 催办 as the colour rule counts them: one per project per occasion (the monthly settle 'settle:2026-10', a
 * weekly round 'weekly:2026-W44', a leader's 「催办」 'manual:<person>:<YYYY-MM-DDTHH:mm>'), however many contacts
 * it reaches. A lag 催办 goes to a project behind 序时 and says how far behind it is and what it needs; a missing
 * 催办 chases an unreported round. The database keeps the consecutive count per month (drizzle/0008_urge_occasions).
 */
import type { Db } from '../store/db.ts'
import { urges } from '../store/schema.ts'
import type { Rules } from './rules.ts'
import { countedUrges, projectMonths, viewOf, type MonthView, type ProjectMonth } from './monthly.ts'
import { publishedSnapshot } from '../store/repos/boards.ts'
import { next as nextPeriod, statisticalMonth } from '../domain/periods.ts'
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

/** The projects of a month behind 序时 (under the county's rule), worst first; `projectIds` narrows them. */
export async function laggingProjects(db: Db, rules: Rules, period: string, projectIds?: ReadonlySet<number>): Promise<(MonthView & ProjectMonth)[]> {
  const months = await projectMonths(db, period, { detail: true })
  return months
    .filter((p) => !projectIds || projectIds.has(p.projectId))
    .map((p) => viewOf(rules, p, period))
    .filter((v) => v.verdict.gap !== null && v.verdict.gap.sign < 0)
    .sort((a, b) => a.verdict.gap!.basisPoints - b.verdict.gap!.basisPoints || a.projectId - b.projectId)
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
}

/**
 * Records one lag 催办 for each project behind 序时 in `o.period` (all, or those in `projectIds`). A project
 * already urged on this occasion is left out: running the same occasion twice urges nobody twice.
 */
export async function urgeLagging(db: Db, rules: Rules, o: UrgeOccasion, projectIds?: ReadonlySet<number>): Promise<LagUrge[]> {
  const behind = await laggingProjects(db, rules, o.period, projectIds)
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
