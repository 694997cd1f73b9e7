/** The monthly 通报 and the 红黄牌 list, as plain data for cards and Excel. */
import { sql } from 'drizzle-orm'
import type { Db } from '../store/db.ts'
import type { Rules } from './rules.ts'
import { boardUnits, monthBoard, type BoardLine, type MonthBoard } from './monthly.ts'
import { formatPercent, ratio } from '../domain/ratio.ts'
import { completionRate, describeGap, gapPoints } from '../domain/schedule.ts'
import type { Colour } from '../domain/colours.ts'
import { formatScore } from '../domain/scoring.ts'
import { localDate } from '../domain/time.ts'

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
