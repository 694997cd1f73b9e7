/**
 * The end of June 2026: the June round closes (deadline Mon 29 June, the 28th being a Sunday; close Tue 30
 * June 18:00), and with it come the 通报, the Q2 羚羊奖/蜗牛奖 and the 双过半 check.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { all, demoCounty, one, outboxRows, report, tickThrough, type County } from './helpers.ts'
import { shanghaiTime } from '../../src/domain/time.ts'
import type { Card } from '../../src/model/index.ts'

let c: County
const at = (m: number, d: number, h = 0, min = 0) => shanghaiTime(2026, m, d, h, min)

beforeAll(async () => {
  c = await demoCounty(at(6, 10, 10), ':memory:', { ledger: false })
  await tickThrough(c, at(6, 24, 8), at(7, 2, 12), 30, async (t) => {
    if (t.getTime() !== at(6, 26, 10).getTime()) return
    const round = one<{ id: number }>(c.sqlite, `select id from rounds where kind = 'monthly' and period = '2026-06'`).id
    const rows = all<{ id: number; annual_plan: number; ytd: number }>(
      c.sqlite,
      `select p.id, p.annual_plan, coalesce(pc.ytd_investment, 0) ytd from projects p
       left join project_colours pc on pc.project_id = p.id and pc.period = '2026-05' order by p.id`,
    )
    // Most keep pace (a twelfth of the plan this month), every fourth stalls.
    for (const [i, p] of rows.entries()) await report(c, round, p.id, t, i % 4 === 3 ? p.ytd : p.ytd + Math.round(p.annual_plan / 12))
  })
}, 60_000)

describe('the end of the second quarter', () => {
  it('posts 羚羊奖 and 蜗牛奖 to each board group once, when the June round closes', () => {
    const rows = outboxRows(c, 'awards:')
    expect(rows.map((r) => r.key).sort()).toEqual(c.boardGroupIds.map((g) => `awards:2026-Q2:g${g}`).sort())
    expect(rows.every((r) => r.createdAt === at(6, 30, 18).getTime())).toBe(true)
    const card = (rows[0]!.body as { card: Card }).card
    expect(card.title).toBe('2026年第二季度 羚羊奖 · 蜗牛奖')
    const table = card.elements.find((e) => e.kind === 'table')!
    const awarded = table.kind === 'table' ? table.rows.map((r) => ({ award: String(r.award), project: String(r.project) })) : []
    expect(awarded.filter((a) => a.award.includes('羚羊奖'))).toHaveLength(3)
    expect(awarded.filter((a) => a.award.includes('蜗牛奖'))).toHaveLength(3)
    expect(new Set(awarded.map((a) => a.project)).size).toBe(6)
  })

  it('checks 双过半 for the board groups and the leaders', () => {
    const rows = outboxRows(c, 'halfway:')
    const leaders = all<{ id: number }>(c.sqlite, `select id from people where roles like '%leader%'`)
    expect(rows.map((r) => r.address).sort()).toEqual([...c.boardGroupIds.map((g) => `group:${g}`), ...leaders.map((l) => `person:${l.id}`)].sort())
    const card = (rows[0]!.body as { card: Card }).card
    const fields = card.elements[0]!
    const met = one<{ n: number; total: number }>(
      c.sqlite,
      `select sum(case when r.ytd_investment * 2 >= p.annual_plan then 1 else 0 end) n, count(*) total
       from projects p join reports r on r.project_id = p.id and r.current = 1
       join rounds o on o.id = r.round_id and o.kind = 'monthly' and o.period = '2026-06'`,
    )
    expect(fields.kind === 'fields' && fields.fields.find((f) => f.label === '过半项目')!.value).toBe(`${met.n}/${met.total} 个`)
  })

  it('settles June and sends the 通报 once, nothing twice', () => {
    expect(
      one<{ n: number }>(c.sqlite, `select count(*) n from board_snapshots where kind = 'monthly' and league = 'all' and period = '2026-06'`).n,
    ).toBe(1)
    // the 通报 to each leader and each board group (issue 16)
    expect(outboxRows(c, 'bulletin:2026-06:').length).toBe(
      all(c.sqlite, `select id from people where roles like '%leader%'`).length + c.boardGroupIds.length,
    )
    expect(outboxRows(c, 'board:monthly:2026-06:')).toHaveLength(2)
    const dup = all(c.sqlite, `select key from outbox group by key having count(*) > 1`)
    expect(dup).toEqual([])
  })
})
