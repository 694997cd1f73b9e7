import { describe, expect, it } from 'vitest'
import { DEFAULT_INDICATORS, DEFAULT_SCORING, SCORE_SCALE, formatScore, indicatorScore, rankBoard, snapshotBoard } from '../../src/domain/scoring.ts'
import type { IndicatorDef, League, ScoringConfig, UnitInput } from '../../src/domain/scoring.ts'

const def = (key: string): IndicatorDef => DEFAULT_INDICATORS.find((d) => d.key === key)!

describe('indicator score = weight × min(actual ÷ target, cap), in units of 0.0001 points', () => {
  it.each([
    { key: 'investment', actual: 972, target: 1000, units: 388_800 }, // 40 × 97.2 %
    { key: 'investment', actual: 1100, target: 1000, units: 440_000 }, // over plan counts, up to the cap
    { key: 'investment', actual: 1200, target: 1000, units: 480_000 }, // exactly the cap
    { key: 'investment', actual: 1500, target: 1000, units: 480_000 }, // 150 % is capped at 120 %
    { key: 'investment', actual: 0, target: 1000, units: 0 },
    { key: 'starts', actual: 7, target: 9, units: 155_556 }, // 15.55555… rounds up
    { key: 'starts', actual: 2, target: 9, units: 44_444 }, // 4.44444… rounds down
    { key: 'starts', actual: 12, target: 9, units: 200_000 }, // cap 1
    { key: 'closure', actual: 3, target: 4, units: 75_000 },
  ])('$key $actual/$target → $units', ({ key, actual, target, units }) => {
    expect(indicatorScore(def(key), { actual, target })).toBe(units)
  })

  it('a target of 0 earns the plain weight: nothing was asked, nothing was missed, no cap bonus', () => {
    expect(indicatorScore(def('starts'), { actual: 0, target: 0 })).toBe(200_000)
    expect(indicatorScore(def('investment'), { actual: 0, target: 0 })).toBe(400_000)
    expect(indicatorScore(def('investment'), { actual: 5, target: 0 })).toBe(400_000)
    expect(indicatorScore({ key: 'x', label: 'x', weight: 10, cap: 0.8 }, { actual: 0, target: 0 })).toBe(80_000)
  })

  it('rounds exactly half a unit up', () => {
    const one: IndicatorDef = { key: 'x', label: 'x', weight: 1, cap: 1 }
    expect(indicatorScore(one, { actual: 1, target: 20_000 })).toBe(1)
    expect(indicatorScore(one, { actual: 1, target: 20_001 })).toBe(0)
  })

  it('stays exact for amounts of hundreds of 亿元 (products past 2^53)', () => {
    expect(indicatorScore(def('investment'), { actual: 90_000_000_000, target: 100_000_000_000 })).toBe(360_000)
    expect(indicatorScore(def('investment'), { actual: 130_000_000_000, target: 100_000_000_000 })).toBe(480_000)
    expect(indicatorScore(def('investment'), { actual: 33_333_333_333, target: 100_000_000_000 })).toBe(133_333)
  })

  it.each([[{ actual: -1, target: 10 }], [{ actual: 1.5, target: 10 }], [{ actual: 1, target: -10 }]])('rejects %o', (m) => {
    expect(() => indicatorScore(def('starts'), m)).toThrow(RangeError)
  })

  it('rejects a weight with more than 4 decimals and a zero cap', () => {
    expect(() => indicatorScore({ key: 'x', label: 'x', weight: 1.00001, cap: 1 }, { actual: 1, target: 1 })).toThrow(/4 decimals/)
    expect(() => indicatorScore({ key: 'x', label: 'x', weight: 1, cap: 0 }, { actual: 1, target: 1 })).toThrow(/cap/)
  })

  it('defaults add up to 100 points at full marks', () => {
    expect(DEFAULT_INDICATORS.reduce((s, d) => s + d.weight, 0)).toBe(100)
    expect(DEFAULT_INDICATORS.map((d) => [d.label, d.weight, d.cap])).toEqual([
      ['投资完成率', 40, 1.2],
      ['开工率', 20, 1],
      ['入库纳统率', 15, 1],
      ['按时填报率', 15, 1],
      ['问题销号率', 10, 1],
    ])
  })
})

/** A unit whose every indicator is `done` of 100 (investment in 元 of a 1000万 plan at the same rate). */
function unit(unitId: string, league: League, done: number, extra: Partial<Record<string, { actual: number; target: number }>> = {}): UnitInput {
  return {
    unitId,
    league,
    indicators: {
      investment: { actual: done * 100_000, target: 10_000_000 },
      starts: { actual: done, target: 100 },
      statistics: { actual: done, target: 100 },
      onTime: { actual: done, target: 100 },
      closure: { actual: done, target: 100 },
      ...extra,
    } as UnitInput['indicators'],
  }
}

describe('rankBoard', () => {
  it('ranks each league separately, best first, ties sharing a rank (1, 2, 2, 4)', () => {
    const board = rankBoard([
      unit('d', '乡镇', 70),
      unit('b', '乡镇', 80),
      unit('c', '乡镇', 80),
      unit('a', '乡镇', 90),
      unit('x', '县直部门', 50),
      unit('y', '开发区', 10),
    ])
    expect(board.leagues.map((l) => l.league)).toEqual(['乡镇', '开发区', '县直部门'])
    const towns = board.leagues[0]!.rows
    expect(towns.map((r) => [r.unitId, r.rank])).toEqual([
      ['a', 1],
      ['b', 2],
      ['c', 2],
      ['d', 4],
    ])
    expect(towns[0]!.score).toBe(900_000)
    expect(towns[0]!.parts).toEqual([360_000, 180_000, 135_000, 135_000, 90_000])
    expect(board.leagues[1]!.rows.map((r) => [r.unitId, r.rank])).toEqual([['y', 1]])
    expect(board.leagues[2]!.rows.map((r) => [r.unitId, r.rank])).toEqual([['x', 1]])
  })

  it('ties only on the same fixed-point score, not on scores that merely print alike', () => {
    // 20 × 7/9 = 15.5556 and 20 × 7000100/9000000 = 15.5558: both print as 15.56, yet they are not tied.
    const a = unit('a', '乡镇', 50, { starts: { actual: 7, target: 9 } })
    const b = unit('b', '乡镇', 50, { starts: { actual: 7_000_100, target: 9_000_000 } })
    const rows = rankBoard([a, b]).leagues[0]!.rows
    expect(formatScore(rows[0]!.score)).toBe(formatScore(rows[1]!.score))
    expect(rows.map((r) => [r.unitId, r.rank])).toEqual([
      ['b', 1],
      ['a', 2],
    ])
  })

  it('ties units whose exact scores differ below the fixed-point unit (both round to the same 0.0001)', () => {
    const a = unit('a', '乡镇', 50, { starts: { actual: 7, target: 9 } })
    const b = unit('b', '乡镇', 50, { starts: { actual: 7_000_010, target: 9_000_000 } })
    expect(rankBoard([b, a]).leagues[0]!.rows.map((r) => [r.unitId, r.rank])).toEqual([
      ['a', 1],
      ['b', 1],
    ])
  })

  it('orders tied units by unitId whatever the input order', () => {
    const one = rankBoard([unit('z', '乡镇', 60), unit('m', '乡镇', 60)]).leagues[0]!.rows.map((r) => r.unitId)
    const two = rankBoard([unit('m', '乡镇', 60), unit('z', '乡镇', 60)]).leagues[0]!.rows.map((r) => r.unitId)
    expect(one).toEqual(['m', 'z'])
    expect(two).toEqual(one)
  })

  it('computes Δrank against the previous snapshot, null for newcomers and league changes', () => {
    const before = snapshotBoard(rankBoard([unit('a', '乡镇', 90), unit('b', '乡镇', 80), unit('c', '乡镇', 70), unit('k', '开发区', 60)]), {
      period: '2026-09',
      publishedAt: '2026-10-05T02:00:00.000Z',
    })
    const now = rankBoard(
      [unit('a', '乡镇', 60), unit('b', '乡镇', 80), unit('c', '乡镇', 95), unit('n', '乡镇', 10), unit('k', '乡镇', 1)],
      DEFAULT_SCORING,
      before,
    )
    const byId = Object.fromEntries(now.leagues[0]!.rows.map((r) => [r.unitId, r]))
    expect(byId.c).toMatchObject({ rank: 1, previousRank: 3, deltaRank: 2 })
    expect(byId.b).toMatchObject({ rank: 2, previousRank: 2, deltaRank: 0 })
    expect(byId.a).toMatchObject({ rank: 3, previousRank: 1, deltaRank: -2 })
    expect(byId.n).toMatchObject({ previousRank: null, deltaRank: null })
    expect(byId.k).toMatchObject({ previousRank: null, deltaRank: null })
  })

  it('works with a snapshot that went through JSON storage', () => {
    const snap = snapshotBoard(rankBoard([unit('a', '乡镇', 10), unit('b', '乡镇', 20)]), {
      period: '2026-W44',
      publishedAt: '2026-11-02T01:00:00.000Z',
    })
    const stored = JSON.parse(JSON.stringify(snap))
    const now = rankBoard([unit('a', '乡镇', 30), unit('b', '乡镇', 20)], DEFAULT_SCORING, stored)
    expect(now.leagues[0]!.rows[0]).toMatchObject({ unitId: 'a', deltaRank: 1 })
  })

  it('uses configured indicators and leagues', () => {
    const config: ScoringConfig = {
      indicators: [{ key: 'starts', label: '开工率', weight: 100, cap: 1 }],
      leagues: ['县直部门'],
    }
    const board = rankBoard([{ unitId: 'u', league: '县直部门', indicators: { starts: { actual: 1, target: 3 } } }], config)
    expect(board.leagues).toHaveLength(1)
    expect(board.leagues[0]!.rows[0]!.score).toBe(333_333)
  })

  it.each<[string, UnitInput[], RegExp]>([
    ['a missing indicator', [{ unitId: 'u', league: '乡镇', indicators: {} }], /no value for indicator "investment"/],
    ['an unknown league', [{ ...unit('u', '乡镇', 1), league: '街道' as League }], /league "街道"/],
    ['a unit listed twice', [unit('u', '乡镇', 1), unit('u', '乡镇', 2)], /twice/],
  ])('refuses %s', (_, units, message) => {
    expect(() => rankBoard(units)).toThrow(message)
  })

  it('refuses an indicator configured twice', () => {
    const config = { ...DEFAULT_SCORING, indicators: [...DEFAULT_INDICATORS, DEFAULT_INDICATORS[0]!] }
    expect(() => rankBoard([], config)).toThrow(/twice/)
  })

  it('ranks 100k units in one pass per league quickly', () => {
    const leagues: League[] = ['乡镇', '开发区', '县直部门']
    const units: UnitInput[] = []
    for (let i = 0; i < 100_000; i++) {
      const done = (i * 7919) % 101
      units.push(unit(`u${i}`, leagues[i % 3]!, done))
    }
    const t0 = performance.now()
    const board = rankBoard(units)
    const ms = performance.now() - t0
    expect(board.leagues.reduce((n, l) => n + l.rows.length, 0)).toBe(100_000)
    for (const l of board.leagues) {
      for (let i = 1; i < l.rows.length; i++) expect(l.rows[i - 1]!.score >= l.rows[i]!.score).toBe(true)
    }
    expect(ms).toBeLessThan(2000)
  })
})

describe('snapshots', () => {
  const board = rankBoard([unit('a', '乡镇', 90), unit('b', '乡镇', 80)])
  const snap = snapshotBoard(board, { period: '2026-10', publishedAt: '2026-11-05T02:00:00.000Z' })

  it('is deep-frozen', () => {
    expect(Object.isFrozen(snap)).toBe(true)
    expect(Object.isFrozen(snap.leagues[0]!.rows[0]!)).toBe(true)
    expect(Object.isFrozen(snap.leagues[0]!.rows[0]!.parts)).toBe(true)
    expect(() => {
      ;(snap.leagues[0]!.rows[0] as { score: number }).score = 1
    }).toThrow(TypeError)
  })

  it('is a copy: changing the live board later does not change what was published', () => {
    board.leagues[0]!.rows[0]!.score = 1
    board.leagues[0]!.rows[0]!.parts[0] = 1
    expect(snap.leagues[0]!.rows[0]!.score).toBe(900_000)
    expect(snap.leagues[0]!.rows[0]!.parts[0]).toBe(360_000)
  })

  it('round-trips through JSON unchanged', () => {
    expect(JSON.parse(JSON.stringify(snap))).toEqual(snap)
    expect(snap).toMatchObject({ period: '2026-10', publishedAt: '2026-11-05T02:00:00.000Z', scoreScale: SCORE_SCALE })
    expect(snap.indicators).toEqual(DEFAULT_INDICATORS)
  })
})

describe('formatScore', () => {
  it.each([
    [876_543, 2, '87.65'],
    [876_550, 2, '87.66'],
    [876_543, 4, '87.6543'],
    [876_543, 0, '88'],
    [0, 2, '0.00'],
  ])('%i units with %i decimals is %s', (units, decimals, text) => {
    expect(formatScore(units, decimals)).toBe(text)
  })
})
