import { describe, expect, it } from 'vitest'
import { quarterlyAwards } from '../../src/domain/awards.ts'
import type { AwardCandidate } from '../../src/domain/awards.ts'
import { ratio } from '../../src/domain/ratio.ts'

const WAN = 10_000

/** A project with `pct` % of a `planWan` 万元 plan done by the quarter's end. */
function p(code: string, sector: string, pct: number, planWan = 1000): AwardCandidate {
  return { code, sector, annualPlan: planWan * WAN, ytd: (planWan * WAN * pct) / 100 }
}

const codes = (picks: { code: string }[]) => picks.map((x) => x.code)

describe('羚羊奖 / 蜗牛奖 (lingchuan-2021)', () => {
  // Q3: 序时 = 9/12 = 75 %.
  const projects: AwardCandidate[] = [
    p('GY-1', '工业', 90),
    p('GY-2', '工业', 40),
    p('GY-3', '工业', 70),
    p('NY-1', '能源', 100),
    p('NY-2', '能源', 20),
    p('WL-1', '文旅康养', 80),
    p('WL-2', '文旅康养', 60),
    p('XC-1', '乡村振兴', 30), // alone in its sector: best only
    p('JC-1', '基础设施', 76),
    p('JC-2', '基础设施', 74),
  ]
  const awards = quarterlyAwards('2026-Q3', projects)

  it('picks the best and the worst of each sector by gap to 序时', () => {
    const bySector = Object.fromEntries(awards.sectors.map((s) => [s.sector, [s.best.code, s.worst?.code ?? null]]))
    expect(bySector).toEqual({
      工业: ['GY-1', 'GY-2'],
      能源: ['NY-1', 'NY-2'],
      文旅康养: ['WL-1', 'WL-2'],
      乡村振兴: ['XC-1', null],
      基础设施: ['JC-1', 'JC-2'],
    })
  })

  it('lists sectors in the 分指挥部 order', () => {
    expect(awards.sectors.map((s) => s.sector)).toEqual(['工业', '能源', '文旅康养', '乡村振兴', '基础设施'])
  })

  it('gives 羚羊奖 to the best 3 sector bests and 蜗牛奖 to the worst 3 sector worsts', () => {
    expect(codes(awards.antelope)).toEqual(['NY-1', 'GY-1', 'WL-1'])
    expect(codes(awards.snail)).toEqual(['NY-2', 'GY-2', 'WL-2'])
  })

  it('never lets a single-project sector’s project be its own worst', () => {
    expect(codes(awards.snail)).not.toContain('XC-1')
    // XC-1 is the worst project overall but only its sector's best, and not good enough for 羚羊奖.
    expect(codes(awards.antelope)).not.toContain('XC-1')
  })

  it('carries the gap for the bulletin', () => {
    expect(awards.antelope[0]!.gap.points).toBe(25)
    expect(awards.snail[0]!.gap.points).toBe(-55)
  })

  it('leaves out projects without a plan', () => {
    const withNoPlan = quarterlyAwards('2026-Q3', [
      { code: 'A', sector: '能源', annualPlan: 0, ytd: 5 * WAN },
      p('B', '能源', 10),
      p('C', '能源', 50),
    ])
    expect(withNoPlan.sectors[0]).toMatchObject({ eligible: 2, best: { code: 'C' }, worst: { code: 'B' } })
  })

  it('breaks ties by the larger annual plan, then by code', () => {
    const tied = quarterlyAwards('2026-Q3', [p('B', '工业', 50, 1000), p('A', '工业', 50, 1000), p('C', '工业', 50, 5000), p('D', '工业', 50, 500)])
    expect(tied.sectors[0]!.best.code).toBe('C')
    expect(tied.sectors[0]!.worst!.code).toBe('A')
  })

  it('ranks by the exact gap when rounded percentages are equal', () => {
    const close = quarterlyAwards('2026-Q3', [
      { code: 'X', sector: '能源', annualPlan: 3 * WAN * WAN, ytd: 2 * WAN * WAN }, // 66.666…%
      { code: 'Y', sector: '能源', annualPlan: 3 * WAN * WAN, ytd: 2 * WAN * WAN + 1 }, // one 元 more
    ])
    expect(close.sectors[0]!.best.code).toBe('Y')
    expect(close.sectors[0]!.best.gap.points).toBe(close.sectors[0]!.worst!.gap.points)
  })

  it('uses a project’s own plan-curve 序时 when given', () => {
    const curve = quarterlyAwards('2026-Q1', [
      { ...p('A', '工业', 20), schedule: ratio(10, 100) }, // 10 points ahead of its own plan
      p('B', '工业', 30), // 序时 3/12 = 25 %: 5 points ahead
    ])
    expect(curve.sectors[0]!.best.code).toBe('A')
  })

  it('can rank by plain completion instead', () => {
    const byCompletion = quarterlyAwards('2026-Q1', [{ ...p('A', '工业', 20), schedule: ratio(10, 100) }, p('B', '工业', 30)], {
      metric: 'completion',
    })
    expect(byCompletion.sectors[0]!.best.code).toBe('B')
  })

  it('honours a different number of winners', () => {
    const one = quarterlyAwards('2026-Q3', projects, { winners: 1 })
    expect(codes(one.antelope)).toEqual(['NY-1'])
    expect(codes(one.snail)).toEqual(['NY-2'])
  })

  it('refuses duplicate projects and bad quarters', () => {
    expect(() => quarterlyAwards('2026-Q3', [p('A', '工业', 1), p('A', '能源', 2)])).toThrow(/twice/)
    expect(() => quarterlyAwards('2026-10', projects)).toThrow(/quarter/)
  })

  it('is empty when nothing is eligible', () => {
    expect(quarterlyAwards('2026-Q3', [])).toMatchObject({ sectors: [], antelope: [], snail: [] })
  })
})
