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
import { freezeSectorBoards, frozenSectorBoards, knownSectors } from '../store/repos/sectors.ts'
import { freezeRules, frozenRules } from '../store/repos/bulletins.ts'
import { describeVerdict, type Colour } from '../domain/colours.ts'
import { compareDifferences, type Ratio } from '../domain/ratio.ts'
import { previous as previousPeriod } from '../domain/periods.ts'

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

/** What of the rules a published month keeps: the colour rule and the 序时 mode it was decided under. */
type PublishedRules = Pick<Rules, 'colour' | 'schedule'>

/** Keeps the colour rule and 序时 mode a month is published under (settle calls it), for rulesAsPublished. */
export async function publishRules(db: Db, rules: Rules, period: string, at: Date): Promise<void> {
  const kept: PublishedRules = { colour: rules.colour, schedule: rules.schedule }
  await freezeRules(db, period, kept, at.getTime())
}

/**
 * The rules a month's views read: for a published month its colour rule and 序时 mode as published (so a rule
 * changed later neither re-colours nor re-words it: 「连续两个月黄牌」 stays), else the county's rules now.
 */
export async function rulesAsPublished(db: Db, rules: Rules, period: string): Promise<Rules> {
  const kept = await frozenRules<PublishedRules>(db, period)
  return kept ? { ...rules, colour: kept.colour, schedule: kept.schedule } : rules
}

/**
 * Every project's month with its colour as the views show it: for a published month the 累计, counted 催办 and
 * colour frozen then, under the rule it was published under (later corrections and rule changes count from the
 * next month), else live.
 */
export async function monthViews(db: Db, current: Rules, period: string): Promise<(MonthView & ProjectMonth)[]> {
  const rules = await rulesAsPublished(db, current, period)
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
export async function redYellowList(db: Db, current: Rules, period: string, only?: 'yellow' | 'red'): Promise<RedYellowItem[]> {
  const units = new Map((await boardUnits(db)).map((u) => [u.id, u.name]))
  const rules = await rulesAsPublished(db, current, period)
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

/** One project on its 分指挥部's board. */
export interface SectorLine {
  /** null: no annual plan or 序时, so nothing to rank by (listed last). */
  rank: number | null
  /** Places up since last month's board of the sector (null: not on it). */
  deltaRank: number | null
  projectId: number
  code: string
  name: string
  unit: string
  annualPlan: number
  ytd: number
  completion: Ratio | null
  schedule: Ratio | null
  colour: Colour
}

/** A 分指挥部's projects ranked by 投资完成率 against 序时, as every view of the month reads it. */
export interface SectorBoard {
  period: string
  sector: string
  lines: SectorLine[]
  /** The month was published: these are the lines as published (later corrections count from the next month). */
  published: boolean
}

type Ranked = Omit<SectorLine, 'deltaRank'>

/**
 * Every sector's projects of a month, ranked within the sector: 完成率 − 序时 compared exactly (as the awards'
 * first round compares them), ties share a place, then the larger annual plan and the code order the list. A
 * published month reads its frozen 累计 and colours (monthViews).
 */
async function rankSectors(db: Db, rules: Rules, period: string): Promise<Map<string, Ranked[]>> {
  const units = new Map((await boardUnits(db)).map((u) => [u.id, u.name]))
  const bySector = new Map<string, Ranked[]>()
  for (const v of await monthViews(db, rules, period)) {
    const line: Ranked = {
      rank: null,
      projectId: v.projectId,
      code: v.code,
      name: v.name,
      unit: units.get(v.unitId) ?? '',
      annualPlan: v.annualPlan,
      ytd: v.ytd,
      completion: v.completion,
      schedule: v.schedule,
      colour: v.verdict.colour,
    }
    bySector.set(v.sector, [...(bySector.get(v.sector) ?? []), line])
  }
  const gapOrder = (a: Ranked, b: Ranked) => compareDifferences(b.completion!, b.schedule!, a.completion!, a.schedule!)
  for (const lines of bySector.values()) {
    const rankable = (l: Ranked) => l.completion !== null && l.schedule !== null
    lines.sort(
      (a, b) =>
        Number(rankable(b)) - Number(rankable(a)) ||
        (rankable(a) && rankable(b) ? gapOrder(a, b) : 0) ||
        b.annualPlan - a.annualPlan ||
        (a.code < b.code ? -1 : a.code > b.code ? 1 : 0),
    )
    lines.forEach((l, i) => {
      if (!rankable(l)) return
      const before = lines[i - 1]
      l.rank = before && before.rank !== null && gapOrder(before, l) === 0 ? before.rank : i + 1
    })
  }
  return bySector
}

/** Every sector's board of a month, with Δrank against the month before (each as its views read it). */
async function sectorBoards(db: Db, rules: Rules, period: string): Promise<Map<string, SectorLine[]>> {
  const [now, before] = await Promise.all([rankSectors(db, rules, period), linesOf(db, rules, previousPeriod(period))])
  const rankBefore = new Map([...before.values()].flat().map((l) => [l.projectId, l.rank] as const))
  return new Map(
    [...now].map(([sector, lines]) => [
      sector,
      lines.map((l) => {
        const was = rankBefore.get(l.projectId)
        return { ...l, deltaRank: l.rank !== null && was !== undefined && was !== null ? was - l.rank : null }
      }),
    ]),
  )
}

/** A month's sector lines as published when they were frozen, else as ranked now (ranks only: Δrank is not needed). */
async function linesOf(db: Db, rules: Rules, period: string): Promise<Map<string, Pick<SectorLine, 'projectId' | 'rank'>[]>> {
  const frozen = await frozenSectorBoards<SectorLine[]>(db, period)
  if (frozen) return new Map(Object.entries(frozen))
  return rankSectors(db, rules, period)
}

/**
 * Freezes a published month's 分指挥部 boards beside its county board (settle calls it after publishing), so every
 * later view of them reads the lines as published. A second call keeps the first copy.
 */
export async function publishSectorBoards(db: Db, rules: Rules, period: string, at: Date): Promise<void> {
  await freezeSectorBoards(db, period, Object.fromEntries(await sectorBoards(db, rules, period)), at.getTime())
}

/**
 * One sector's board of a month: as frozen when the month was published, recomputed from the frozen colours for
 * a month published before sector boards were kept, live while the month is open; undefined with no data.
 */
export async function sectorBoardOfMonth(db: Db, rules: Rules, period: string, sector: string): Promise<SectorBoard | undefined> {
  const frozen = await frozenSectorBoards<SectorLine[]>(db, period)
  if (frozen) return { period, sector, lines: frozen[sector] ?? [], published: true }
  const published = (await publishedSnapshot(db, 'monthly', period)) !== undefined
  if (!published) {
    const data = await db.get<{ n: number }>(sql`select exists (select 1 from month_figures where period = ${period}) as n`)
    if (!data?.n) return undefined
  }
  return { period, sector, lines: (await sectorBoards(db, rules, period)).get(sector) ?? [], published }
}

/**
 * The sector a person named: its exact name, with or without 分指挥部 (「工业分指挥部」), else the sectors whose
 * name contains what was typed (「基础」 → 基础设施).
 */
export async function resolveSector(
  db: Db,
  typed: string,
): Promise<{ kind: 'one'; name: string } | { kind: 'unsure'; options: string[] } | { kind: 'none'; known: string[] }> {
  const t = typed.trim().replace(/的?(?:分指挥部|指挥部)$/, '')
  const known = (await knownSectors(db)).map((s) => s.name)
  if (known.includes(t)) return { kind: 'one', name: t }
  const near = t ? known.filter((n) => n.includes(t)) : []
  if (near.length === 1) return { kind: 'one', name: near[0]! }
  return near.length ? { kind: 'unsure', options: near } : { kind: 'none', known }
}
