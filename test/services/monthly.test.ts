import { beforeAll, describe, expect, it } from 'vitest'
import { openNodeDatabase } from '../../src/runtime/node/sqlite.ts'
import { loadDemoCounty } from '../../src/demo/county.ts'
import { boardUnits, monthBoard, projectMonths, viewOf } from '../../src/services/monthly.ts'
import { DEFAULT_RULES } from '../../src/services/rules.ts'
import { shanghaiTime } from '../../src/domain/time.ts'
import { toBasisPoints } from '../../src/domain/ratio.ts'
import { recordReminder, submitReport } from '../../src/store/repos/rounds.ts'
import { urgeMissing } from '../../src/services/urges.ts'

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
    const colours = board.leagues
      .flatMap((l) => l.lines)
      .reduce((s, l) => ({ blue: s.blue + l.colours.blue, yellow: s.yellow + l.colours.yellow, red: s.red + l.colours.red }), {
        blue: 0,
        yellow: 0,
        red: 0,
      })
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

  it('colours a laggard yellow or red only after two consecutive 催办', async () => {
    const views = (await projectMonths(db.db, '2026-10')).map((p) => viewOf(DEFAULT_RULES, p, '2026-10'))
    for (const v of views.filter((v) => v.verdict.colour === 'yellow' || v.verdict.colour === 'red')) expect(v.urges).toBeGreaterThanOrEqual(2)
    // The demo's 催办 are the settle's: one lag 催办 per project behind 序时 and month, none written beside them.
    expect(db.sqlite.prepare(`select count(*) as n from reminders where kind = 'manual'`).get()).toEqual({ n: 0 })
    expect(views.some((v) => v.verdict.colour === 'red' && v.previousColour !== null && ['yellow', 'red'].includes(v.previousColour))).toBe(true)
  })
})

describe('project figures kept by the database', () => {
  // The obvious one-join query over the tables people write, kept here as the oracle for month_figures.
  async function oracle(period: string, projectId?: number) {
    const [y, m] = period.split('-').map(Number) as [number, number]
    const prev = m === 1 ? '' : `${m === 1 ? y - 1 : y}-${String(m - 1).padStart(2, '0')}`
    const end = `${period}-${new Date(Date.UTC(y, m, 0)).getUTCDate()}`
    const round = db.sqlite.prepare(`select id, deadline_at from rounds where kind = 'monthly' and period = ?`).get(period) as
      { id: number; deadline_at: number } | undefined
    const rows = db.sqlite
      .prepare(
        `
      select p.id as projectId, p.unit_id as unitId, p.annual_plan as annualPlan, coalesce(r.ytd_investment, pc.ytd_investment, 0) as ytd,
        r.id is not null as reported, coalesce(r.first_submitted_at <= @deadline, 0) as onTime,
        (select count(*) from urges x where x.project_id = p.id and x.kind = 'lag' and x.period <= @period and x.period > coalesce(
          (select max(b.period) from project_colours b where b.project_id = p.id and b.colour = 'blue' and b.period < @period and b.period >= @first), '')
          and x.period >= @first) as urges,
        pc.colour as previousColour, p.planned_new_start as plannedNewStart, (coalesce(p.started_on <= @end, 0) or coalesce(p.resumed_on <= @end, 0)) as started,
        (p.in_stats and coalesce(p.stats_on <= @end, 1)) as inStats,
        p.code, p.name, p.sector, p.plan_curve as planCurve,
        (select count(*) from urges x where x.project_id = p.id and x.kind = 'missing' and x.period <= @period and x.period > coalesce(
          (select max(b.period) from project_colours b where b.project_id = p.id and b.colour = 'blue' and b.period < @period and b.period >= @first), '')
          and x.period >= @first) as missingUrges
      from projects p
      left join reports r on r.round_id = @rid and r.project_id = p.id and r.current = 1
      left join project_colours pc on pc.project_id = p.id and pc.period = @prev
      where p.active = 1 and p.year = @year and (@only is null or p.id = @only) order by p.id`,
      )
      .all({
        rid: round?.id ?? -1,
        deadline: round?.deadline_at ?? -1,
        prev,
        end,
        year: y,
        only: projectId ?? null,
        period,
        first: `${y}-01`,
      }) as Record<string, unknown>[]
    return rows.map((r): Record<string, unknown> => ({
      ...r,
      planCurve: r.planCurve ? JSON.parse(r.planCurve as string) : null,
      reported: r.reported === 1,
      onTime: r.onTime === 1,
      plannedNewStart: r.plannedNewStart === 1,
      started: r.started === 1,
      inStats: r.inStats === 1,
    }))
  }

  it('agree with the one-join query for every month, project by project', async () => {
    // A correction (new version), a report after the deadline, and 催办 of every kind in November.
    const nov = db.sqlite.prepare(`select id, deadline_at from rounds where period = '2026-10'`).get() as { id: number; deadline_at: number }
    const [a, b] = db.sqlite.prepare(`select project_id from reports where round_id = ? and current = 1 order by project_id limit 2`).all(nov.id) as {
      project_id: number
    }[]
    await submitReport(db.db, {
      roundId: nov.id,
      projectId: a!.project_id,
      periodInvestment: 1,
      ytdInvestment: 123_450_000,
      source: 'text',
      submittedAt: nov.deadline_at + 86_400_000,
    })
    // Reminders are no 催办; two 催办 occasions count two, the same occasion again counts nothing.
    for (const kind of ['before', 'deadline', 'overdue', 'manual', 'manual'] as const)
      await recordReminder(db.db, { roundId: nov.id, projectId: b!.project_id, kind, sentAt: nov.deadline_at })
    for (const occasion of ['manual:1:2026-11-02T10:00', 'manual:1:2026-11-02T10:00', 'manual:2:2026-11-02T10:05'])
      await urgeMissing(db.db, { period: '2026-10', occasion, at: new Date(nov.deadline_at) }, [b!.project_id])

    let carried = 0,
      late = 0,
      urged = 0,
      coloured = 0
    for (let m = 1; m <= 11; m++) {
      const period = `2026-${String(m).padStart(2, '0')}`
      const merged = await projectMonths(db.db, period, { detail: true })
      expect(merged).toEqual(await oracle(period))
      carried += merged.filter((p) => !p.reported && p.ytd > 0).length
      late += merged.filter((p) => p.reported && !p.onTime).length
      urged += merged.filter((p) => p.urges > 0).length
      coloured += merged.filter((p) => p.previousColour !== null).length
    }
    // The demo county exercises every branch of the merge.
    expect({ carried: carried > 0, late: late > 0, urged: urged > 0, coloured: coloured > 0 }).toEqual({
      carried: true,
      late: true,
      urged: true,
      coloured: true,
    })
    const oct = await projectMonths(db.db, '2026-10')
    expect(oct.find((p) => p.projectId === a!.project_id)).toMatchObject({ ytd: 123_450_000, reported: true })
    expect(oct.find((p) => p.projectId === b!.project_id)!.missingUrges).toBe((await oracle('2026-10', b!.project_id))[0]!['missingUrges'])
    // January does not carry last December's 累计.
    expect((await projectMonths(db.db, '2026-01')).every((p) => p.reported || p.ytd === 0)).toBe(true)
  })

  it('reads one project alone the same way', async () => {
    for (const id of [1, 17, 42, 99])
      expect(await projectMonths(db.db, '2026-10', { projectId: id, detail: true })).toEqual(await oracle('2026-10', id))
    expect(await projectMonths(db.db, '2026-10', { projectId: 999_999 })).toEqual([])
  })

  it('follow every kind of change to projects, reports, 催办, colours and rounds', async () => {
    const all = async () => {
      for (let m = 1; m <= 12; m++) {
        const period = `2026-${String(m).padStart(2, '0')}`
        expect(await projectMonths(db.db, period, { detail: true }), period).toEqual(await oracle(period))
      }
    }
    // Each change is checked on its own: a later change to the same row could hide a missed one.
    const change = async (statement: string, ...params: unknown[]) => {
      db.sqlite.prepare(statement).run(...params)
      await all()
    }
    const oct = db.sqlite.prepare(`select id, deadline_at from rounds where period = '2026-10'`).get() as { id: number; deadline_at: number }
    const ids = (db.sqlite.prepare(`select id from projects where active = 1 order by id limit 8`).all() as { id: number }[]).map((r) => r.id)
    const [moved, replanned, paused, reyeared, late, urged, recoloured, started] = ids as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ]
    const before = await projectMonths(db.db, '2026-10')
    const of = (list: typeof before, id: number) => list.find((p) => p.projectId === id)

    await change(`update projects set unit_id = (select max(id) from units) where id = ?`, moved)
    await change(`update projects set annual_plan = annual_plan * 2 + 10000 where id = ?`, replanned)
    await change(`update projects set active = 0 where id = ?`, paused)
    await change(`update projects set year = 2027 where id = ?`, reyeared)
    await change(`update projects set started_on = '2026-10-31', planned_new_start = 1, in_stats = 1 where id = ?`, started)
    // 复工 and a dated 入库 (issue 16): started from March, in the statistics from November only.
    await change(`update projects set started_on = null, resumed_on = '2026-03-02', in_stats = 1, stats_on = '2026-11-05' where id = ?`, moved)
    // A late correction entered straight into the table, withdrawn, and the earlier version made current again.
    await change(`update reports set current = 0 where round_id = ? and project_id = ?`, oct.id, late)
    await change(
      `insert into reports (round_id, project_id, version, current, ytd_investment, source, submitted_at, first_submitted_at)
      values (?, ?, 99, 1, 7, 'api', ?, ?)`,
      oct.id,
      late,
      oct.deadline_at + 1,
      oct.deadline_at + 1,
    )
    expect(of(await projectMonths(db.db, '2026-10'), late)).toMatchObject({ ytd: 7, reported: true, onTime: false })
    await change(`delete from reports where round_id = ? and project_id = ? and version = 99`, oct.id, late)
    await change(`update reports set current = 1 where id = (select max(id) from reports where round_id = ? and project_id = ?)`, oct.id, late)
    expect(of(await projectMonths(db.db, '2026-10'), late)).toEqual(of(before, late))
    // 催办 of one project: occasions added, re-kinded, moved to another month and one taken back.
    await change(
      `insert into urges (project_id, period, kind, occasion, at) values (?, '2026-09', 'lag', 'a', 0), (?, '2026-10', 'lag', 'b', 0), (?, '2026-10', 'missing', 'c', 0)`,
      urged,
      urged,
      urged,
    )
    await change(`update urges set kind = 'missing' where project_id = ? and occasion = 'a'`, urged)
    await change(`update urges set period = '2026-06' where project_id = ? and occasion = 'b'`, urged)
    await change(`delete from urges where id = (select max(id) from urges where project_id = ?)`, urged)
    // Reaching 序时 resets the count: a month frozen blue starts the later months afresh.
    await change(`update project_colours set colour = 'blue' where project_id = ? and period = '2026-07'`, urged)
    await change(`update project_colours set colour = 'yellow' where project_id = ? and period = '2026-07'`, urged)
    await change(
      `update project_colours set colour = 'red', ytd_investment = ytd_investment + 1 where project_id = ? and period = '2026-09'`,
      recoloured,
    )
    await change(`delete from project_colours where project_id = ? and period = '2026-08'`, recoloured)
    await change(
      `insert into project_colours (project_id, period, colour, ytd_investment, frozen_at) values (?, '2026-08', 'yellow', 3, 0)`,
      recoloured,
    )
    // Last year's December (imported history) does not carry into this January.
    await change(
      `insert into project_colours (project_id, period, colour, ytd_investment, frozen_at) values (?, '2025-12', 'red', 999, 0)`,
      recoloured,
    )
    expect(of(await projectMonths(db.db, '2026-01'), recoloured)).toMatchObject({ previousColour: null })

    const after = await projectMonths(db.db, '2026-10')
    expect(of(after, moved)!.unitId).not.toBe(of(before, moved)!.unitId)
    expect(of(after, replanned)!.annualPlan).toBe(of(before, replanned)!.annualPlan * 2 + 10000)
    expect([of(after, paused), of(after, reyeared)]).toEqual([undefined, undefined])
    expect(of(after, started)).toMatchObject({ started: true, plannedNewStart: true, inStats: true })
    expect(of(after, recoloured)!.previousColour).toBe('red')

    // Back again: the same rows come back as they were, and a new project gets its twelve months.
    await change(`update projects set active = 1 where id = ?`, paused)
    await change(`update projects set year = 2026 where id = ?`, reyeared)
    await change(
      `insert into projects (code, name, unit_id, sector, year, total_investment, annual_plan) values ('NEW-1', '新项目', 1, '工业', 2026, 100, 50)`,
    )
    expect(of(await projectMonths(db.db, '2026-10'), paused)).toEqual(of(before, paused))
    expect(
      db.sqlite.prepare(`select count(*) as n from month_figures where project_id = (select id from projects where code = 'NEW-1')`).get(),
    ).toEqual({ n: 12 })
    await change(`delete from projects where code = 'NEW-1'`)
    // A round moved to another month takes its reports with it.
    await change(`update rounds set period = '2026-12' where id = ?`, oct.id)
    await change(`update rounds set period = '2026-10' where id = ?`, oct.id)
    expect(db.sqlite.prepare(`select count(*) as n from month_figures where project_id not in (select id from projects)`).get()).toEqual({ n: 0 })
  })
})
