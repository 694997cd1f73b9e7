import { describe, expect, it } from 'vitest'
import { and, count, eq } from 'drizzle-orm'
import { openNodeDatabase } from '../../src/runtime/node/sqlite.ts'
import { loadDemoCounty, lastCompleteMonth } from '../../src/demo/county.ts'
import { people, projects, reports, rounds, units, problems } from '../../src/store/schema.ts'
import { shanghaiTime } from '../../src/domain/time.ts'
import { resolveDispatch } from '../../src/domain/dispatch.ts'
import { createWorkdayCalendar } from '../../src/domain/workdays.ts'

const now = shanghaiTime(2026, 11, 22, 10)

describe('demo county', () => {
  it('has the size and spread the foundation asks for', async () => {
    const { db, close } = openNodeDatabase(':memory:')
    const { created, info } = await loadDemoCounty(db, now)
    expect(created).toBe(true)
    expect(info).toMatchObject({ year: 2026, lastMonth: 10 })
    const byLeague = await db.select({ league: units.league, n: count() }).from(units).groupBy(units.league).all()
    const n = Object.fromEntries(byLeague.map((r) => [r.league, r.n]))
    expect(n['乡镇']).toBeGreaterThanOrEqual(10)
    expect(n['开发区']).toBe(1)
    expect(n['县直部门']).toBeGreaterThanOrEqual(15)
    const all = await db.select().from(projects).all()
    expect(all.length).toBeGreaterThanOrEqual(80)
    expect(new Set(all.map((p) => p.sector)).size).toBe(7)
    expect(all.filter((p) => p.totalInvestment >= 100_000_000).length).toBeGreaterThanOrEqual(3)
    const roles = (await db.select().from(people).all()).flatMap((p) => p.roles)
    for (const r of ['contact', 'unit_head', 'leader', 'office']) expect(roles).toContain(r)
    const months = await db.select().from(rounds).all()
    expect(months.map((r) => r.period)).toEqual(Array.from({ length: 10 }, (_, i) => `2026-${String(i + 1).padStart(2, '0')}`))
    const octReports = await db
      .select({ n: count() })
      .from(reports)
      .innerJoin(rounds, eq(rounds.id, reports.roundId))
      .where(and(eq(rounds.period, '2026-10'), eq(reports.current, true)))
      .get()
    expect(octReports!.n).toBeGreaterThan(all.length * 0.85)
    expect(octReports!.n).toBeLessThan(all.length)
    const states = new Set((await db.select().from(problems).all()).map((p) => p.state))
    expect(states.has('closed') && states.has('new')).toBe(true)
    close()
  })

  it('is deterministic and idempotent', async () => {
    const a = openNodeDatabase(':memory:')
    const b = openNodeDatabase(':memory:')
    await loadDemoCounty(a.db, now)
    await loadDemoCounty(b.db, now)
    const again = await loadDemoCounty(a.db, now)
    expect(again.created).toBe(false)
    const dump = (d: typeof a) => d.sqlite.prepare('select code, name, annual_plan from projects order by id').all()
    expect(dump(a)).toEqual(dump(b))
    expect((a.sqlite.prepare('select count(*) n from projects').get() as { n: number }).n).toBe(dump(b).length)
  })

  it('counts a month complete when the clock closes its round, 24 h after the deadline moved off holidays', () => {
    const dispatch = resolveDispatch()
    const cal = createWorkdayCalendar([])
    const last = (d: Date) => lastCompleteMonth(d, dispatch, cal)
    // October: deadline Wed 28th 18:00, closed Thu 29th 18:00.
    expect(last(shanghaiTime(2026, 10, 29, 17, 59))).toEqual({ year: 2026, month: 9 })
    expect(last(shanghaiTime(2026, 10, 29, 18))).toEqual({ year: 2026, month: 10 })
    // November: the 28th is a Saturday, so the deadline is Mon 30th and the round closes Tue 1 December.
    expect(last(shanghaiTime(2026, 11, 30, 9))).toEqual({ year: 2026, month: 10 })
    expect(last(shanghaiTime(2026, 12, 1, 17, 59))).toEqual({ year: 2026, month: 10 })
    expect(last(shanghaiTime(2026, 12, 1, 18))).toEqual({ year: 2026, month: 11 })
    expect(last(shanghaiTime(2027, 1, 5))).toEqual({ year: 2026, month: 12 })
  })

  it('leaves the open month to the clock: on the day of November’s deadline the demo ends with October', async () => {
    const d = openNodeDatabase(':memory:')
    const { info } = await loadDemoCounty(d.db, shanghaiTime(2026, 11, 30, 9))
    expect(info.lastMonth).toBe(10)
    const oct = d.sqlite.prepare(`select deadline_at, closed_at from rounds where period = '2026-10'`).get() as {
      deadline_at: number
      closed_at: number
    }
    expect(oct).toEqual({ deadline_at: shanghaiTime(2026, 10, 28, 18).getTime(), closed_at: shanghaiTime(2026, 10, 29, 18).getTime() })
    // March's 28th was a Saturday: its deadline moved to Monday the 30th, as the clock had it. (28 February was
    // a Saturday too, but a working one: 春节 调休.)
    expect(d.sqlite.prepare(`select deadline_at from rounds where period = '2026-03'`).get()).toEqual({
      deadline_at: shanghaiTime(2026, 3, 30, 18).getTime(),
    })
    expect(d.sqlite.prepare(`select deadline_at from rounds where period = '2026-02'`).get()).toEqual({
      deadline_at: shanghaiTime(2026, 2, 28, 18).getTime(),
    })
    expect(d.sqlite.prepare(`select count(*) as n from rounds where period = '2026-11'`).get()).toEqual({ n: 0 })
    d.close()
  })
})
