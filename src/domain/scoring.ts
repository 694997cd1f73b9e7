/**
 * 赛马比拼: units (乡镇, 开发区, 县直部门) scored on weighted indicators and ranked within their league.
 *
 * score = Σ weight × min(actual ÷ target, cap), kept as an integer of 0.0001 points (score units) so that two
 * units tie exactly when, and only when, they have the same score to four decimals. Each indicator's share is
 * rounded once (half away from zero) before summing, so a published breakdown always adds up to the total.
 *
 * A target of 0 means nothing was asked of the unit (no planned new starts, no problems to close), so the
 * indicator earns its plain weight (ratio 1, or the cap if the cap is below 1) rather than 0 or the cap bonus.
 */
import { compare, fromDecimal, formatScaled, ratio, toFixedPoint } from './ratio.ts'
import type { Ratio } from './ratio.ts'

/** The leagues units are ranked in, separately: townships, development zones, county departments. */
export const LEAGUES = ['乡镇', '开发区', '县直部门'] as const
export type League = (typeof LEAGUES)[number]

/** One scored indicator: `{ key: 'investment', label: '投资完成率', weight: 40, cap: 1.2 }`. */
export interface IndicatorDef {
  key: string
  label: string
  /** Points at 100 %; up to 4 decimals. */
  weight: number
  /** Highest credited ratio (1.2 = up to 120 %); up to 6 decimals. */
  cap: number
}

export interface ScoringConfig {
  indicators: readonly IndicatorDef[]
  /** League order on boards. */
  leagues: readonly League[]
}

/** The default indicators (100 points at full marks, 108 with the 投资 cap). */
export const DEFAULT_INDICATORS: readonly IndicatorDef[] = [
  { key: 'investment', label: '投资完成率', weight: 40, cap: 1.2 },
  { key: 'starts', label: '开工率', weight: 20, cap: 1 },
  { key: 'statistics', label: '入库纳统率', weight: 15, cap: 1 },
  { key: 'onTime', label: '按时填报率', weight: 15, cap: 1 },
  { key: 'closure', label: '问题销号率', weight: 10, cap: 1 },
]

export const DEFAULT_SCORING: ScoringConfig = { indicators: DEFAULT_INDICATORS, leagues: LEAGUES }

/** Score units per point: a score of 87.6543 points is 876543 units. */
export const SCORE_SCALE = 10_000

const SAFE = Number.MAX_SAFE_INTEGER

/** A count or amount achieved against what was asked: `{ actual: 7, target: 9 }` (7 of 9 planned starts). */
export interface Measure {
  actual: number
  target: number
}

export interface UnitInput {
  unitId: string
  league: League
  /** One entry per configured indicator key; whole numbers (元, counts). */
  indicators: Readonly<Record<string, Measure>>
}

export interface BoardRow {
  unitId: string
  league: League
  /** Total in score units (0.0001 points). */
  score: number
  /** Score units per indicator, in the order of `config.indicators`. */
  parts: number[]
  /** Competition rank within the league: 1, 2, 2, 4. */
  rank: number
  /** Rank in the previous snapshot's same league, or null when the unit was not on it. */
  previousRank: number | null
  /** previousRank − rank: +2 means up two places; null when new. */
  deltaRank: number | null
}

export interface LeagueBoard {
  league: League
  /** Best first; tied units by unitId so the order never depends on input order. */
  rows: BoardRow[]
}

export interface Board {
  indicators: readonly IndicatorDef[]
  leagues: LeagueBoard[]
}

/** What was published for a period, frozen; JSON round-trips to an equal value. */
export interface BoardSnapshot {
  readonly period: string
  /** ISO instant of publication, e.g. '2026-11-05T02:00:00.000Z'. */
  readonly publishedAt: string
  readonly scoreScale: number
  readonly indicators: readonly Readonly<IndicatorDef>[]
  readonly leagues: readonly {
    readonly league: League
    readonly rows: readonly Readonly<BoardRow>[]
  }[]
}

/** One indicator's exact weight and cap, prepared once per board. */
interface PreparedIndicator {
  key: string
  /** weight in score units (40 points → 400000). */
  weightUnits: number
  cap: Ratio
  /** Units earned at the cap; also the full-credit value when the target is 0 (see module doc). */
  capUnits: number
  zeroTargetUnits: number
}

/**
 * Scores, ranks and compares units, league by league:
 * `rankBoard([{ unitId: 'u1', league: '乡镇', indicators: { investment: { actual: 9_720_000, target: 10_000_000 }, … } }])`.
 * Pass the previous period's snapshot to fill in Δrank.
 */
export function rankBoard(units: readonly UnitInput[], config: ScoringConfig = DEFAULT_SCORING, previous?: BoardSnapshot | null): Board {
  const prepared = prepare(config.indicators)
  const leagueIndex = new Map<League, number>()
  config.leagues.forEach((l, i) => leagueIndex.set(l, i))
  const buckets: BoardRow[][] = config.leagues.map(() => [])
  const seen = new Set<string>()

  for (const unit of units) {
    const li = leagueIndex.get(unit.league)
    if (li === undefined) throw new RangeError(`unit ${unit.unitId}: league "${unit.league}" is not on this board`)
    if (seen.has(unit.unitId)) throw new RangeError(`unit ${unit.unitId} appears twice`)
    seen.add(unit.unitId)
    const parts = new Array<number>(prepared.length)
    let score = 0
    for (let i = 0; i < prepared.length; i++) {
      const ind = prepared[i] as PreparedIndicator
      const m = unit.indicators[ind.key]
      if (m === undefined) throw new RangeError(`unit ${unit.unitId} has no value for indicator "${ind.key}"`)
      const units = indicatorUnits(ind, m, unit.unitId)
      parts[i] = units
      score += units
    }
    ;(buckets[li] as BoardRow[]).push({
      unitId: unit.unitId,
      league: unit.league,
      score,
      parts,
      rank: 0,
      previousRank: null,
      deltaRank: null,
    })
  }

  const before = previousRanks(previous)
  const leagues = config.leagues.map((league, li) => {
    const rows = buckets[li] as BoardRow[]
    rows.sort((a, b) => b.score - a.score || (a.unitId < b.unitId ? -1 : a.unitId > b.unitId ? 1 : 0))
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] as BoardRow
      const prevRow = rows[i - 1]
      row.rank = prevRow !== undefined && prevRow.score === row.score ? prevRow.rank : i + 1
      const p = before.get(league)?.get(row.unitId)
      if (p !== undefined) {
        row.previousRank = p
        row.deltaRank = p - row.rank
      }
    }
    return { league, rows }
  })
  return { indicators: config.indicators, leagues }
}

/**
 * Score units earned on one indicator: `indicatorScore({ key: 'starts', label: '开工率', weight: 20, cap: 1 },
 * { actual: 7, target: 9 })` → 155556 (15.5556 points).
 */
export function indicatorScore(def: IndicatorDef, measure: Measure): number {
  const [ind] = prepare([def]) as [PreparedIndicator]
  return indicatorUnits(ind, measure, '?')
}

/** A score for people, rounded half up: `formatScore(876543)` → '87.65'; `formatScore(876543, 4)` → '87.6543'. */
export function formatScore(units: number, decimals = 2): string {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 4) throw new RangeError('scores are kept to 0–4 decimals')
  return formatScaled(toFixedPoint(ratio(units, 10 ** (4 - decimals)), 1), decimals)
}

/**
 * Freezes what is being published so later edits to reports cannot change it: the snapshot is a deep-frozen
 * plain copy and `JSON.parse(JSON.stringify(s))` deep-equals `s`.
 */
export function snapshotBoard(board: Board, meta: { period: string; publishedAt: string }): BoardSnapshot {
  const copy = {
    period: meta.period,
    publishedAt: meta.publishedAt,
    scoreScale: SCORE_SCALE,
    indicators: board.indicators.map((d) => ({ key: d.key, label: d.label, weight: d.weight, cap: d.cap })),
    leagues: board.leagues.map((l) => ({
      league: l.league,
      rows: l.rows.map((r) => ({
        unitId: r.unitId,
        league: r.league,
        score: r.score,
        parts: [...r.parts],
        rank: r.rank,
        previousRank: r.previousRank,
        deltaRank: r.deltaRank,
      })),
    })),
  }
  return deepFreeze(copy)
}

// ---------------------------------------------------------------------------------------------------------

function prepare(defs: readonly IndicatorDef[]): PreparedIndicator[] {
  const keys = new Set<string>()
  return defs.map((d) => {
    if (keys.has(d.key)) throw new RangeError(`indicator "${d.key}" is configured twice`)
    keys.add(d.key)
    const w = fromDecimal(d.weight)
    if ((w.num * SCORE_SCALE) % w.den !== 0) {
      throw new RangeError(`indicator "${d.key}": weight may have at most 4 decimals: ${d.weight}`)
    }
    const weightUnits = (w.num * SCORE_SCALE) / w.den
    const cap = fromDecimal(d.cap)
    if (cap.num === 0) throw new RangeError(`indicator "${d.key}": cap must be above 0`)
    const capUnits = toFixedPoint(ratio(weightUnits * cap.num, cap.den), 1)
    const zeroTargetUnits = compare(cap, ratio(1)) < 0 ? capUnits : weightUnits
    return { key: d.key, weightUnits, cap, capUnits, zeroTargetUnits }
  })
}

function indicatorUnits(ind: PreparedIndicator, m: Measure, unitId: string): number {
  const { actual, target } = m
  if (!Number.isSafeInteger(actual) || actual < 0 || !Number.isSafeInteger(target) || target < 0) {
    throw new RangeError(`unit ${unitId}, indicator "${ind.key}": actual and target must be whole numbers ≥ 0 (${actual}/${target})`)
  }
  if (target === 0) return ind.zeroTargetUnits
  // This runs for every unit and indicator of a board, so the common case stays in plain integer arithmetic
  // and only products past 2^53 go through the (BigInt-backed) ratio helpers.
  const left = actual * ind.cap.den
  const right = ind.cap.num * target
  const capped = left <= SAFE && right <= SAFE ? left >= right : compare(ratio(actual, target), ind.cap) >= 0
  if (capped) return ind.capUnits
  const p = actual * ind.weightUnits // weight × actual ÷ target, rounded once, half up
  if (p <= SAFE) {
    const q = Math.floor(p / target)
    return (p - q * target) * 2 >= target ? q + 1 : q
  }
  return toFixedPoint(ratio(actual, target), ind.weightUnits)
}

/** league → unitId → rank in the previous snapshot. */
function previousRanks(snapshot: BoardSnapshot | null | undefined): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>()
  if (!snapshot) return out
  for (const l of snapshot.leagues) out.set(l.league, new Map(l.rows.map((r) => [r.unitId, r.rank])))
  return out
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v)
    Object.freeze(value)
  }
  return value
}
