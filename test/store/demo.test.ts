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

  it('looks like a Shanxi county of the seeds, and its history comes through the product’s own paths', async () => {
    const d = openNodeDatabase(':memory:')
    await loadDemoCounty(d.db, now)
    const all = <T>(q: string) => d.sqlite.prepare(q).all() as T[]
    const one = <T>(q: string) => d.sqlite.prepare(q).get() as T
    // The seeds' units and members, and every role a county has.
    const unitNames = all<{ name: string }>('select name from units').map((u) => u.name)
    for (const u of ['县林业局', '县生态环境分局', '县应急局', '县水务局', '县项目推进中心', '县投资促进中心', '县行政审批局'])
      expect(unitNames).toContain(u)
    const titles = all<{ title: string; roles: string }>('select title, roles from people')
    for (const t of ['县委县政府督查室主任', '县统计局局长', '常务副县长', '县长']) expect(titles.map((p) => p.title)).toContain(t)
    expect(JSON.parse(titles.find((p) => p.title === '常务副县长')!.roles)).toEqual(['executive'])
    expect(JSON.parse(titles.find((p) => p.title === '县长')!.roles)).toContain('county_head')
    // Sizes like lingchuan-2025 (177 projects, 53.2亿, 21 above 5000万 a year, 26 亿元 projects).
    const size = one<{ n: number; plan: number; big: number; yi: number }>(
      'select count(*) n, sum(annual_plan) plan, sum(annual_plan >= 50000000) big, sum(total_investment >= 100000000) yi from projects',
    )
    expect(size.n).toBeGreaterThanOrEqual(150)
    expect(size.n).toBeLessThanOrEqual(180)
    expect(size.plan).toBeGreaterThan(4_500_000_000)
    expect(size.plan).toBeLessThan(5_500_000_000)
    expect(size.big).toBeGreaterThanOrEqual(17)
    expect(size.big).toBeLessThanOrEqual(24)
    expect(size.yi).toBeGreaterThanOrEqual(20)
    expect(size.yi).toBeLessThanOrEqual(32)
    // A sector that fits the owner and the name; 民生 projects; some projects with two contacts.
    const owned = all<{ name: string; unit: string; sector: string }>(
      'select p.name, u.name unit, p.sector from projects p join units u on u.id = p.unit_id',
    )
    for (const p of owned.filter((p) => p.unit === '县教育局')) expect([p.sector, /学|校|幼儿园/.test(p.name)]).toEqual(['基础设施', true])
    for (const p of owned.filter((p) => /国道|省道|公路/.test(p.name))) expect(['基础设施', '文旅康养']).toContain(p.sector)
    expect(owned.filter((p) => /学校|学|医院|卫生院|供水|供热|幼儿园/.test(p.name)).length).toBeGreaterThanOrEqual(15)
    expect(
      one<{ n: number }>('select count(*) n from (select project_id from project_contacts group by project_id having count(*) > 1)').n,
    ).toBeGreaterThanOrEqual(10)
    // Reports through the report path (versions, audit), 复工 of every 续建 project in February–April stated in a report.
    expect(one<{ n: number }>(`select count(*) n from reports where source not in ('card', 'text')`).n).toBe(0)
    expect(one<{ n: number }>(`select count(*) n from reports where version > 1`).n).toBeGreaterThan(0)
    expect(one<{ n: number }>(`select count(*) n from reports`).n).toBe(
      one<{ n: number }>(`select count(*) n from audit_log where entity = 'report'`).n,
    )
    const resumed = all<{ m: string | null }>(`select substr(resumed_on, 1, 7) m from projects where planned_new_start = 0`)
    expect(resumed.every((r) => r.m !== null && r.m >= '2026-02' && r.m <= '2026-04')).toBe(true)
    expect(one<{ n: number }>(`select count(*) n from audit_log where entity = 'project' and action = 'starts'`).n).toBeGreaterThanOrEqual(
      resumed.length,
    )
    // 催办 only from the clock's occasions: the overdue job's for missing reports, the settle's for lag.
    expect(
      all<{ kind: string; occasion: string }>('select kind, occasion from urges').every((u) =>
        u.occasion.startsWith(u.kind === 'lag' ? 'settle:' : 'overdue:monthly:'),
      ),
    ).toBe(true)
    // October coloured by the live rule: most blue, some 预警 and yellow, a minority red.
    const oct = one<Record<string, number>>(
      `select count(*) n, sum(colour = 'blue') blue, sum(colour = 'watch') watch, sum(colour = 'yellow') yellow, sum(colour = 'red') red from project_colours where period = '2026-10'`,
    )
    expect(oct.blue! / oct.n!).toBeGreaterThan(0.7)
    expect(oct.watch).toBeGreaterThan(0)
    expect(oct.yellow).toBeGreaterThan(0)
    expect(oct.red! / oct.n!).toBeLessThan(0.15)
    d.close()
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
