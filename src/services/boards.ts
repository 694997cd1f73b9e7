/** Published boards (the month as it was frozen) and the 红黄牌 list: what every view of a month reads. */
import { eq, sql } from 'drizzle-orm'
import type { Db } from '../store/db.ts'
import type { Rules } from './rules.ts'
import {
  boardUnits,
  countedUrges,
  monthBoard,
  projectMonths,
  viewOf,
  type MonthBoard,
  type MonthView,
  type ProjectMonth,
  type PublishedBoard,
} from './monthly.ts'
import { projectColours } from '../store/schema.ts'
import { publishedSnapshot } from '../store/repos/boards.ts'
import { describeVerdict, type Colour } from '../domain/colours.ts'

/** A yellow or red project as lists show it. */
export interface RedYellowItem {
  code: string
  name: string
  unit: string
  colour: Colour
  detail: string
}

/**
 * The latest month whose board was published (the round closed), on or before `period`, with the board as it
 * was published: figures recomputed as of the publication instant, ranks, scores and Δrank from the frozen
 * snapshot. Undefined when nothing was published yet.
 */
export async function latestPublishedBoard(db: Db, rules: Rules, upTo?: string): Promise<MonthBoard | undefined> {
  const period = await latestPublishedPeriod(db, upTo)
  return period ? publishedMonthBoard(db, rules, period) : undefined
}

/** The latest month whose board was published, on or before `upTo` when given. */
export async function latestPublishedPeriod(db: Db, upTo?: string): Promise<string | undefined> {
  const row = await db.get<{ period: string }>(sql`
    select period from board_snapshots where kind = 'monthly' and league = 'all' ${upTo ? sql`and period <= ${upTo}` : sql``}
    order by period desc limit 1`)
  return row?.period
}

/**
 * A month's board as published (see latestPublishedBoard), or undefined when that month was not published. A
 * board published with its lines (publishBoard) is read back as it was, byte for byte: corrections, problems
 * closed and rule changes after publication apply from the next open month. One published before that is
 * recomputed as of its publication instant, with ranks, scores and Δrank from the snapshot.
 */
export async function publishedMonthBoard(db: Db, rules: Rules, period: string): Promise<MonthBoard | undefined> {
  const stored = await publishedSnapshot<PublishedBoard>(db, 'monthly', period)
  if (!stored) return undefined
  const { board: frozenBoard, ...snapshot } = stored
  if (frozenBoard) return { period, leagues: frozenBoard.leagues, skipped: frozenBoard.skipped, snapshot }
  const board = await monthBoard(db, rules, period, await boardUnits(db), new Date(snapshot.publishedAt))
  const frozen = new Map(snapshot.leagues.flatMap((l) => l.rows.map((r) => [Number(r.unitId), r] as const)))
  const leagues = board.leagues.map((l) => ({
    league: l.league,
    lines: l.lines
      .filter((x) => frozen.has(x.unitId))
      .map((x) => {
        const r = frozen.get(x.unitId)!
        return {
          ...x,
          rank: r.rank,
          score: r.score,
          deltaRank: r.deltaRank,
          ...(x.parts && { parts: x.parts.map((p, i) => ({ ...p, points: r.parts[i] ?? p.points })) }),
        }
      })
      .sort((a, b) => a.rank - b.rank || a.unitId - b.unitId),
  }))
  return { ...board, leagues, snapshot }
}

/**
 * Every project's month with its colour as the views show it: for a published month the 累计, counted 催办 and
 * colour frozen then (later corrections and rule changes count from the next month), else live.
 */
export async function monthViews(db: Db, rules: Rules, period: string): Promise<(MonthView & ProjectMonth)[]> {
  const views = (await projectMonths(db, period, { detail: true })).map((p) => viewOf(rules, p, period))
  if (!(await publishedSnapshot(db, 'monthly', period))) return views
  const frozen = new Map(
    (await db.select().from(projectColours).where(eq(projectColours.period, period)).all()).map((c) => [c.projectId, c] as const),
  )
  return views.map((v) => {
    const f = frozen.get(v.projectId)
    if (!f) return v
    const again = viewOf(rules, { ...v, ytd: f.ytdInvestment, urges: f.urgeCount, missingUrges: 0 }, period)
    return { ...again, verdict: { ...again.verdict, colour: f.colour as Colour } }
  })
}

/** Yellow and red projects of a month, worst first (a published month's as frozen). */
export async function redYellowList(db: Db, rules: Rules, period: string, only?: 'yellow' | 'red'): Promise<RedYellowItem[]> {
  const units = new Map((await boardUnits(db)).map((u) => [u.id, u.name]))
  const views = await monthViews(db, rules, period)
  return views
    .filter((v) => (only ? v.verdict.colour === only : v.verdict.colour === 'yellow' || v.verdict.colour === 'red'))
    .sort((a, b) =>
      a.verdict.colour === b.verdict.colour ? (a.verdict.gap?.points ?? 0) - (b.verdict.gap?.points ?? 0) : a.verdict.colour === 'red' ? -1 : 1,
    )
    .map((v) => ({
      code: v.code,
      name: v.name,
      unit: units.get(v.unitId) ?? '',
      colour: v.verdict.colour,
      detail: describeVerdict(v.verdict, countedUrges(rules, v)).replace(/^.牌/, ''),
    }))
}

/**
 * A month's board as every view reads it: as published once its round closed, live while it is open (a project
 * not reported yet carries last month's 累计), and undefined for a month with nothing to rank: no project of its
 * year (「2027年1月暂无数据」, see noDataText) instead of every unit at 100.00.
 */
export async function boardOfMonth(db: Db, rules: Rules, period: string, now: Date): Promise<MonthBoard | undefined> {
  const published = await publishedMonthBoard(db, rules, period)
  if (published) return published
  const data = await db.get<{ n: number }>(sql`select exists (select 1 from month_figures where period = ${period}) as n`)
  if (!data?.n) return undefined
  return monthBoard(db, rules, period, await boardUnits(db), now)
}

/** What a view says for a month with no data: 「2027年1月暂无数据」. */
export function noDataText(period: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(period)
  return `${m ? `${m[1]}年${Number(m[2])}月` : period}暂无数据`
}
