/** The monthly 通报 and the 红黄牌 list, as plain data for cards and Excel. */
import { sql } from 'drizzle-orm'
import type { Db } from '../store/db.ts'
import type { Rules } from './rules.ts'
import { boardUnits, monthBoard, projectMonths, viewOf, type BoardLine, type MonthBoard } from './monthly.ts'
import { publishedSnapshot } from '../store/repos/boards.ts'
import { formatPercent, ratio } from '../domain/ratio.ts'
import { completionRate, describeGap, gapPoints } from '../domain/schedule.ts'
import { describeVerdict, type Colour } from '../domain/colours.ts'
import { formatScore, type BoardSnapshot } from '../domain/scoring.ts'
import { localDate } from '../domain/time.ts'

/** A yellow or red project as lists show it. */
export interface RedYellowItem {
  code: string
  name: string
  unit: string
  colour: Colour
  detail: string
}

/** The 赛马 前三 / 后三 of one league in a 通报 (leagues are never ranked together). */
export interface BulletinLeague {
  league: string
  top: string[]
  bottom: string[]
}

export interface Bulletin {
  period: string
  plan: number
  ytd: number
  completion: string
  schedule: string
  gap: string
  colours: Record<Colour, number>
  /** The three best and worst units of the whole county (kept for old callers; cards show `leagues`). */
  top: string[]
  bottom: string[]
  /** 前三 / 后三 of each league in board order: 乡镇, 开发区 and 县直部门 are never ranked together. */
  leagues: BulletinLeague[]
  late: string[]
  openProblems: number
  overdueProblems: number
  board: MonthBoard
}

export async function monthlyBulletin(db: Db, rules: Rules, period: string, now: Date): Promise<Bulletin> {
  const board = await monthBoard(db, rules, period, await boardUnits(db), now)
  const lines = board.leagues.flatMap((l) => l.lines)
  const plan = lines.reduce((s, l) => s + l.plan, 0)
  const ytd = lines.reduce((s, l) => s + l.ytd, 0)
  const colours: Record<Colour, number> = { blue: 0, watch: 0, yellow: 0, red: 0, none: 0 }
  for (const l of lines) for (const c of Object.keys(colours) as Colour[]) colours[c] += l.colours[c]
  const completion = completionRate(ytd, plan)
  // 序时 of the county: Σ (plan × 序时) ÷ Σ plan, the same weighting the board uses.
  const target = lines.reduce((s, l) => s + (l.schedule ? Math.round((l.plan * l.schedule.num) / l.schedule.den) : 0), 0)
  const schedule = plan > 0 ? ratio(target, plan) : null
  const ranked = [...lines].sort((a, b) => b.score - a.score)
  const today = localDate(now)
  const problems = await db.get<{ open: number; overdue: number }>(sql`
    select count(*) as open, coalesce(sum(case when due_on is not null and due_on < ${today} then 1 else 0 end), 0) as overdue
    from problems where state != 'closed'`)
  return {
    period,
    plan,
    ytd,
    completion: completion ? formatPercent(completion) : '—',
    schedule: schedule ? formatPercent(schedule) : '—',
    gap: completion && schedule ? describeGap(gapPoints(completion, schedule)) : '—',
    colours,
    top: ranked.slice(0, 3).map((l) => `${l.unit}（${formatScore(l.score)}分）`),
    bottom: ranked
      .slice(-3)
      .reverse()
      .map((l) => `${l.unit}（${formatScore(l.score)}分）`),
    leagues: board.leagues.filter((l) => l.lines.length > 0).map((l) => leagueEnds(l.lines)),
    late: lines.filter((l) => l.late > 0).map((l) => `${l.unit}（${l.late}个）`),
    openProblems: problems?.open ?? 0,
    overdueProblems: problems?.overdue ?? 0,
    board,
  }
}

/**
 * A league's 前三 and 后三, best first and worst first, in its own ranking: a league of 4 has its best 2 and worst 2,
 * of 1 only its best, so nobody is named on both ends.
 */
export function leagueEnds(lines: readonly Pick<BoardLine, 'unit' | 'score' | 'league'>[]): { league: string; top: string[]; bottom: string[] } {
  const label = (l: Pick<BoardLine, 'unit' | 'score'>) => `${l.unit}（${formatScore(l.score)}分）`
  const n = lines.length
  const top = lines.slice(0, Math.min(3, Math.ceil(n / 2)))
  const bottom = lines.slice(n - Math.min(3, Math.floor(n / 2))).reverse()
  return { league: lines[0]?.league ?? '', top: top.map(label), bottom: bottom.map(label) }
}

/**
 * The latest month whose board was published (the round closed), on or before `period`, with the board as it
 * was published: figures recomputed as of the publication instant, ranks, scores and Δrank from the frozen
 * snapshot. Undefined when nothing was published yet.
 */
export async function latestPublishedBoard(db: Db, rules: Rules, upTo?: string): Promise<MonthBoard | undefined> {
  const row = await db.get<{ period: string }>(sql`
    select period from board_snapshots where kind = 'monthly' and league = 'all' ${upTo ? sql`and period <= ${upTo}` : sql``}
    order by period desc limit 1`)
  return row ? publishedMonthBoard(db, rules, row.period) : undefined
}

/** A month's board as published (see latestPublishedBoard), or undefined when that month was not published. */
export async function publishedMonthBoard(db: Db, rules: Rules, period: string): Promise<MonthBoard | undefined> {
  const snapshot = await publishedSnapshot<BoardSnapshot>(db, 'monthly', period)
  if (!snapshot) return undefined
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

/** Yellow and red projects of a month, worst first. */
export async function redYellowList(db: Db, rules: Rules, period: string, only?: 'yellow' | 'red'): Promise<RedYellowItem[]> {
  const units = new Map((await boardUnits(db)).map((u) => [u.id, u.name]))
  const views = (await projectMonths(db, period, { detail: true })).map((p) => viewOf(rules, p, period))
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
      detail: describeVerdict(v.verdict, v.urges).replace(/^.牌/, ''),
    }))
}
