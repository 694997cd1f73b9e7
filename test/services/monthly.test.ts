import { beforeAll, describe, expect, it } from 'vitest'
import { openNodeDatabase } from '../../src/store/sqlite-node.ts'
import { loadDemoCounty } from '../../src/demo/county.ts'
import { boardUnits, monthBoard, projectMonths, viewOf } from '../../src/services/monthly.ts'
import { DEFAULT_RULES } from '../../src/services/rules.ts'
import { shanghaiTime } from '../../src/domain/time.ts'
import { toBasisPoints } from '../../src/domain/ratio.ts'

const now = shanghaiTime(2026, 11, 22, 10)
let db: ReturnType<typeof openNodeDatabase>

beforeAll(async () => {
  db = openNodeDatabase(':memory:')
  await loadDemoCounty(db.db, now)
})

describe('a month of figures', () => {
  it('ranks each league separately with ties sharing a rank and a spread of colours', async () => {
    const board = await monthBoard(db.db, DEFAULT_RULES, '2026-10', await boardUnits(db.db), now)
    expect(board.leagues.map((l) => l.league)).toEqual(['乡镇', '开发区', '县直部门'])
    for (const l of board.leagues) {
      expect(l.lines[0]!.rank).toBe(1)
      for (let i = 1; i < l.lines.length; i++) {
        const [a, b] = [l.lines[i - 1]!, l.lines[i]!]
        expect(a.score).toBeGreaterThanOrEqual(b.score)
        expect(b.rank).toBe(a.score === b.score ? a.rank : i + 1)
      }
    }
    const colours = board.leagues.flatMap((l) => l.lines).reduce((s, l) => ({ blue: s.blue + l.colours.blue, yellow: s.yellow + l.colours.yellow, red: s.red + l.colours.red }), { blue: 0, yellow: 0, red: 0 })
    expect(colours.blue).toBeGreaterThan(10)
    expect(colours.yellow).toBeGreaterThan(0)
    expect(colours.red).toBeGreaterThan(0)
    // Δrank against September's published board exists for every unit.
    expect(board.leagues.flatMap((l) => l.lines).every((l) => l.deltaRank !== null)).toBe(true)
  })

  it('sums money exactly: the unit plan is the sum of its projects', async () => {
    const months = await projectMonths(db.db, '2026-10')
    const board = await monthBoard(db.db, DEFAULT_RULES, '2026-10', await boardUnits(db.db), now)
    const line = board.leagues[0]!.lines[0]!
    const mine = months.filter((m) => m.unitId === line.unitId)
    expect(line.plan).toBe(mine.reduce((s, m) => s + m.annualPlan, 0))
    expect(line.ytd).toBe(mine.reduce((s, m) => s + m.ytd, 0))
    expect(toBasisPoints(line.schedule!)).toBe(8333)
  })

  it('colours a laggard yellow or red only after two 催办', async () => {
    const views = (await projectMonths(db.db, '2026-10')).map((p) => viewOf(DEFAULT_RULES, p, '2026-10'))
    for (const v of views.filter((v) => v.verdict.colour === 'yellow' || v.verdict.colour === 'red')) expect(v.urges).toBeGreaterThanOrEqual(2)
    expect(views.some((v) => v.verdict.colour === 'red' && v.previousColour !== null && ['yellow', 'red'].includes(v.previousColour))).toBe(true)
  })
})
