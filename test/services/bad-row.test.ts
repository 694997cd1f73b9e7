/**
 * One absurd figure already in the database (stored before the bounds, or imported) never stops the county:
 * the board, the close of the round, 查 and `status` leave that project out and say which figure is wrong.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { harness } from '../harness.ts'
import { boardUnits, monthBoard } from '../../src/services/monthly.ts'
import { NotFound, projectStatus } from '../../src/services/status.ts'
import { loadRules } from '../../src/services/rules.ts'
import { runTick } from '../../src/jobs/tick.ts'
import { shanghaiTime } from '../../src/domain/time.ts'

let h: Awaited<ReturnType<typeof harness>>
let code: string
beforeAll(async () => {
  h = await harness({ now: shanghaiTime(2026, 11, 26, 10) })
  // 99999999亿元 as an old version stored it (9,999,999,900,000,000 元) in October's report of one project.
  const row = h.sqlite
    .prepare(
      `select r.id, p.code from reports r join rounds o on o.id = r.round_id join projects p on p.id = r.project_id where o.period = '2026-10' and r.current = 1 order by r.id limit 1`,
    )
    .get() as { id: number; code: string }
  code = row.code
  h.sqlite.prepare('update reports set ytd_investment = 9999999900000000 where id = ?').run(row.id)
})
afterAll(() => h.close())

describe('a bad row in the database', () => {
  it('is left out of the board, which says so', async () => {
    const board = await monthBoard(h.db, await loadRules(h.db), '2026-10', await boardUnits(h.db), h.now)
    expect(board.skipped).toHaveLength(1)
    expect(board.skipped[0]!.reason).toContain('本年累计')
    expect(board.leagues.flatMap((l) => l.lines).length).toBeGreaterThan(20)
  })

  it('status names the figure instead of failing', async () => {
    await expect(projectStatus(h.db, await loadRules(h.db), code, '2026-10')).rejects.toThrow(NotFound)
    await expect(projectStatus(h.db, await loadRules(h.db), code, '2026-10')).rejects.toThrow(/数据有误.*本年累计/)
  })

  it('查 answers with the reason; the month still closes and its board goes out', async () => {
    const leader = h.as('leader', { title: '县长' })
    h.at(shanghaiTime(2026, 10, 30, 10))
    expect((await leader.send(`查 ${code}`)).all).toMatch(/数据有误/)
    h.at(shanghaiTime(2026, 11, 26, 10))
    // The November round runs through its close: freezing colours and the board skip the bad project only.
    for (const at of [shanghaiTime(2026, 11, 25, 9), shanghaiTime(2026, 12, 1, 18, 5)]) {
      const r = await runTick(h.db, at)
      expect(r.jobs.every((j) => j.status === 'ran' || j.status === 'retaken')).toBe(true)
    }
    expect((h.sqlite.prepare(`select count(*) n from board_snapshots where period = '2026-11' and league = 'all'`).get() as { n: number }).n).toBe(1)
  })
})
