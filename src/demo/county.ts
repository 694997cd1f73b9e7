/**
 * A deterministic fictional county for trying the bot and for tests: 12 乡镇, 1 示范区, 16 县直部门, about a
 * hundred projects over the 7 分指挥部 sectors, people in every role, and the monthly reports from January up to
 * the last complete month before `now`, with leaders, laggards, late reports and open and closed problems. Its
 * 催办 and colours are not written beside the reports: each past month is settled by the same code the dispatch
 * clock runs (services/settle.ts: 进度催办 of the laggards, colours frozen, board published, 约谈 and 表态 opened).
 * Everything it creates is marked as demo data (the `demo` setting and 【演示数据】 on what people see).
 */
import { count, eq } from 'drizzle-orm'
import type { Db } from '../store/db.ts'
import { insertMany } from '../store/bulk.ts'
import {
  SECTORS,
  people,
  problemEvents,
  problems,
  projectContacts,
  projects,
  reminders,
  reports,
  rounds,
  units,
  type Role,
  type Sector,
} from '../store/schema.ts'
import { getSetting, setSetting } from '../store/repos/settings.ts'
import { shanghaiParts, shanghaiTime, formatDate } from '../domain/time.ts'
import { seeded, type Random } from './random.ts'
import { settle } from '../services/settle.ts'
import { urgeMissing } from '../services/urges.ts'
import { addSectors } from '../store/repos/sectors.ts'
import { interviewById, openInterviews, recordInterviewHeld } from '../store/repos/interviews.ts'
import { DEFAULT_RULES, loadCalendar, loadDispatchCalendar } from '../services/rules.ts'
import { monthlyWindow, resolveDispatch, type DispatchCalendar, type RoundWindow } from '../domain/dispatch.ts'
import type { WorkdayCalendar } from '../domain/workdays.ts'
import { DEMO_COUNTY, DEMO_OFFICE, DEMO_UNITS, GIVEN, PROBLEM_TEXTS, PROGRESS_TEXTS, PROJECT_STEMS, SECTOR_DEPARTMENTS, SURNAMES } from './data.ts'

export interface DemoInfo {
  county: string
  year: number
  /** Months with reports: 1..lastMonth of `year`. */
  lastMonth: number
  generatedFor: string
}

/**
 * A month's round as the dispatch clock runs it (by default: opens the 25th 09:00, deadline the 28th 18:00
 * moved to the next working day off holidays, closed 24 h later), so the demo's history meets the live clock
 * where it ends. A county that turned the monthly round off still gets the default rounds in its demo.
 */
export function monthlyRound(dispatch: DispatchCalendar, cal: WorkdayCalendar, year: number, month: number): RoundWindow {
  const period = ym(year, month)
  return monthlyWindow(dispatch, cal, period) ?? monthlyWindow(resolveDispatch(), cal, period)!
}

/** The last month whose monthly round had closed by `now`. */
export function lastCompleteMonth(now: Date, dispatch: DispatchCalendar, cal: WorkdayCalendar): { year: number; month: number } {
  const p = shanghaiParts(now)
  let { year, month } = p
  while (now.getTime() < monthlyRound(dispatch, cal, year, month).closesAt) {
    if (month === 1) [year, month] = [year - 1, 12]
    else month--
  }
  return { year, month }
}

/** Whether the database already holds a county (demo or real). */
export async function isEmpty(db: Db): Promise<boolean> {
  const row = await db.select({ n: count() }).from(units).get()
  return (row?.n ?? 0) === 0
}

/**
 * Loads the demo county into an empty database. Idempotent: on a database that already has the demo it
 * returns the stored info; on a database holding a real county it refuses.
 */
export async function loadDemoCounty(db: Db, now: Date, seed = 20261122): Promise<{ created: boolean; info: DemoInfo }> {
  const existing = await getSetting<DemoInfo>(db, 'demo')
  if (existing) return { created: false, info: existing }
  if (!(await isEmpty(db))) throw new Error('数据库中已有真实数据，不能载入演示县 (database already holds a county)')

  const rnd = seeded(seed)
  const [dispatch, cal] = await Promise.all([loadDispatchCalendar(db), loadCalendar(db)])
  const { year, month: lastMonth } = lastCompleteMonth(now, dispatch, cal)
  const roundOf = (m: number) => monthlyRound(dispatch, cal, year, m)

  await insertMany(
    db,
    units,
    DEMO_UNITS.map((u) => ({ ...u, shortName: u.name.replace(/^县/, '') })),
  )
  const unitRows = await db.select().from(units).orderBy(units.id).all()

  // People: a head and one or two contacts per unit, county leaders, and the dispatch office.
  const usedNames = new Set<string>()
  const name = () => {
    for (;;) {
      const n = rnd.pick([...SURNAMES]) + rnd.pick(GIVEN)
      if (!usedNames.has(n)) return (usedNames.add(n), n)
    }
  }
  let mobileSeq = 0
  const mobile = () => `139${String(50000000 + ++mobileSeq * 7919).slice(0, 8)}`
  type NewPerson = typeof people.$inferInsert
  const newPeople: NewPerson[] = []
  const leaderSectors: Sector[][] = [[...SECTORS.slice(0, 2)], [SECTORS[2]!, SECTORS[3]!], [SECTORS[4]!, SECTORS[5]!], [SECTORS[6]!]]
  const devUnit = unitRows.find((u) => u.name === '县发改局')!
  newPeople.push({ name: name(), mobile: mobile(), unitId: null, title: '县长', roles: ['leader'], sectors: [] })
  leaderSectors.forEach((sectors) => newPeople.push({ name: name(), mobile: mobile(), unitId: null, title: '副县长', roles: ['leader'], sectors }))
  newPeople.push({ name: name(), mobile: mobile(), unitId: devUnit.id, title: '指挥部办公室主任', roles: ['office'], sectors: [] })
  newPeople.push({ name: name(), mobile: mobile(), unitId: devUnit.id, title: '指挥部办公室科员', roles: ['office'], sectors: [] })
  for (const u of unitRows) {
    const headTitle = u.league === '乡镇' ? (u.name.endsWith('乡') ? '乡长' : '镇长') : u.league === '开发区' ? '管委会主任' : '局长'
    newPeople.push({ name: name(), mobile: mobile(), unitId: u.id, title: headTitle, roles: ['unit_head'], sectors: [] })
    const contacts = u.league === '县直部门' ? 1 : 2
    for (let i = 0; i < contacts; i++)
      newPeople.push({ name: name(), mobile: mobile(), unitId: u.id, title: '项目联络员', roles: ['contact'], sectors: [] })
  }
  await insertMany(db, people, newPeople)
  const peopleRows = await db.select().from(people).orderBy(people.id).all()
  for (const u of unitRows) {
    const head = peopleRows.find((p) => p.unitId === u.id && (p.roles as Role[]).includes('unit_head'))
    if (head) await db.update(units).set({ headPersonId: head.id }).where(eq(units.id, u.id))
  }
  const leaders = peopleRows.filter((p) => p.title === '副县长')
  const leaderOf = (sector: string) => leaders.find((l) => (l.sectors as string[]).includes(sector)) ?? leaders[0]!

  // Projects, with sizes spread like a real list: most 2000万–1亿, some 亿元以上, a few above 5亿.
  type NewProject = typeof projects.$inferInsert
  const newProjects: NewProject[] = []
  const usedProjectNames = new Set<string>()
  let seq = 0
  for (const u of unitRows) {
    const n = u.league === '乡镇' ? 4 : u.league === '开发区' ? 12 : u.name === '县城投公司' ? 4 : 2
    for (let i = 0; i < n; i++) {
      const sector = u.league === '开发区' ? rnd.pick(['工业', '数字经济', '能源'] as const) : rnd.pick(SECTORS)
      let projectName = ''
      for (let tries = 0; !projectName || usedProjectNames.has(projectName); tries++) {
        const stem = rnd.pick(PROJECT_STEMS[sector])
        projectName = stem.startsWith('城东') ? stem : `${u.shortName ?? u.name}${stem}`
        if (tries > 5) projectName = `${u.shortName ?? u.name}${stem}（${tries}期）`
      }
      usedProjectNames.add(projectName)
      const total = investmentSize(rnd)
      const annualPlan = Math.max(10_000_000, roundTo(total * (0.25 + rnd.next() * 0.35), 100_000))
      const plannedNewStart = rnd.chance(0.3)
      const startMonth = rnd.int(2, 9)
      const started = !plannedNewStart || (startMonth <= lastMonth && rnd.chance(0.8))
      newProjects.push({
        code: `XM${year}-${String(++seq).padStart(3, '0')}`,
        name: projectName,
        unitId: u.id,
        leaderPersonId: leaderOf(sector).id,
        sector,
        level: total >= 1_000_000_000 ? '省重点' : total >= 300_000_000 ? '市重点' : '县重点',
        stage: plannedNewStart ? (started ? '新开工' : '前期') : '续建',
        year,
        totalInvestment: total,
        annualPlan,
        plannedStart: plannedNewStart ? formatDate(year, startMonth, 1) : formatDate(year - 1, rnd.int(3, 10), 1),
        plannedFinish: formatDate(year + rnd.int(0, 2), rnd.int(6, 12), 30),
        plannedNewStart,
        startedOn: started ? (plannedNewStart ? formatDate(year, startMonth, rnd.int(5, 25)) : formatDate(year - 1, 6, 1)) : null,
        inStats: started && rnd.chance(0.85),
        weekly: annualPlan >= 50_000_000 || total >= 100_000_000,
      })
    }
  }
  await insertMany(db, projects, newProjects)
  const projectRows = await db.select().from(projects).orderBy(projects.id).all()

  const contactsByUnit = new Map<number, number[]>()
  for (const p of peopleRows)
    if (p.unitId && (p.roles as Role[]).includes('contact')) contactsByUnit.set(p.unitId, [...(contactsByUnit.get(p.unitId) ?? []), p.id])
  // One contact per project; every fifth project of a unit with two contacts has both (a 催办 still counts once).
  await insertMany(
    db,
    projectContacts,
    projectRows.flatMap((p, i) => {
      const list = contactsByUnit.get(p.unitId)!
      const first = list[i % list.length]!
      const second = list[(i + 1) % list.length]!
      return [{ projectId: p.id, personId: first }, ...(i % 5 === 4 && second !== first ? [{ projectId: p.id, personId: second }] : [])]
    }),
  )

  // Monthly rounds and reports. Each project has a pace: leaders run ahead of 序时, laggards fall behind.
  const roundIds: number[] = []
  for (let m = 1; m <= lastMonth; m++) {
    const { opensAt, deadlineAt, closesAt } = roundOf(m)
    await db.insert(rounds).values({ kind: 'monthly', period: ym(year, m), opensAt, deadlineAt, closedAt: closesAt })
  }
  for (const r of await db.select().from(rounds).orderBy(rounds.period).all()) roundIds.push(r.id)

  const reportRows: (typeof reports.$inferInsert)[] = []
  const reminderRows: (typeof reminders.$inferInsert)[] = []
  const officeId = peopleRows.find((p) => (p.roles as Role[]).includes('office'))!.id
  const overdueByMonth = new Map<number, number[]>()
  for (const [i, p] of projectRows.entries()) {
    const kind = rnd.next()
    const pace = kind < 0.25 ? 1.05 + rnd.next() * 0.25 : kind < 0.78 ? 0.93 + rnd.next() * 0.14 : 0.45 + rnd.next() * 0.4
    // A few projects on pace stall in the autumn (from September or October: no new investment), so the live rule
    // has fresh yellow cards to give in October and November beside the year-long laggards' red ones.
    const stallFrom = kind >= 0.25 && kind < 0.78 ? (i % 11 === 3 ? 9 : i % 11 === 7 ? 10 : 13) : 13
    const contact = contactsByUnit.get(p.unitId)![0]!
    let ytd = 0
    for (let m = 1; m <= lastMonth; m++) {
      const roundId = roundIds[m - 1]!
      const { opensAt, deadlineAt } = roundOf(m)
      const target = ((p.annualPlan * m * pace * (0.96 + rnd.next() * 0.08)) / 12) * (m >= stallFrom ? 0.8 : 1)
      const next = Math.min(p.totalInvestment, Math.max(ytd, roundTo(target, 10_000)))
      const missing = rnd.chance(0.03)
      const late = !missing && rnd.chance(0.08)
      const behind = next * 12 < p.annualPlan * m
      // The draw that once decided a laggard's two written 催办: kept so every later figure stays as it was.
      if (behind && pace < 0.9) rnd.chance(0.5)
      if (missing || late) {
        reminderRows.push({ roundId, projectId: p.id, kind: 'overdue', personId: contact, sentAt: deadlineAt + 3_600_000 })
        overdueByMonth.set(m, [...(overdueByMonth.get(m) ?? []), p.id])
      }
      if (missing) continue
      const submittedAt = late ? deadlineAt + rnd.int(2, 60) * 3_600_000 : opensAt + rnd.int(1, 70) * 3_600_000
      reportRows.push({
        roundId,
        projectId: p.id,
        version: 1,
        current: true,
        periodInvestment: next - ytd,
        ytdInvestment: next,
        progressPercent: Math.min(100, Math.round((next / p.totalInvestment) * 100)),
        progressText: rnd.pick(PROGRESS_TEXTS),
        problemsText: '',
        source: 'demo',
        submittedBy: contact,
        submittedAt,
        firstSubmittedAt: submittedAt,
      })
      ytd = next
    }
  }
  await insertMany(db, reports, reportRows)
  await insertMany(db, reminders, reminderRows)

  // Problems: some closed (销号), some still moving through the ledger.
  const states = ['closed', 'closed', 'closed', 'in_progress', 'assigned', 'new', 'close_requested'] as const
  for (let i = 0; i < 28; i++) {
    const p = rnd.pick(projectRows)
    const state = rnd.pick(states)
    const createdMonth = rnd.int(1, lastMonth)
    const created = shanghaiTime(year, createdMonth, rnd.int(1, 24), 10).getTime()
    const assignee = rnd.pick(unitRows.filter((u) => u.league === '县直部门'))
    const dueMonth = Math.min(12, createdMonth + 1)
    await db.insert(problems).values({
      projectId: p.id,
      description: rnd.pick(PROBLEM_TEXTS),
      severity: rnd.chance(0.3) ? 'major' : 'ordinary',
      state,
      reporterPersonId: contactsByUnit.get(p.unitId)![0]!,
      assigneeUnitId: state === 'new' ? null : assignee.id,
      assigneePersonId: state === 'new' ? null : (assignee.headPersonId ?? null),
      leaderPersonId: p.leaderPersonId,
      dueOn: state === 'new' ? null : formatDate(year, dueMonth, 20),
      createdAt: created,
      closedAt: state === 'closed' ? created + rnd.int(5, 40) * 86_400_000 : null,
    })
  }
  const problemRows = await db.select().from(problems).all()
  const flow = ['new', 'assigned', 'in_progress', 'close_requested', 'closed']
  await insertMany(
    db,
    problemEvents,
    problemRows.flatMap((pr) =>
      flow.slice(0, flow.indexOf(pr.state) + 1).map((toState, k) => ({
        problemId: pr.id,
        at: pr.createdAt + k * 3 * 86_400_000,
        personId: k === 0 ? pr.reporterPersonId : officeId,
        fromState: k === 0 ? null : flow[k - 1]!,
        toState,
        note: k === 0 ? '由月度调度填报提出' : '',
      })),
    ),
  )

  // 分指挥部: each led by the 副县长 whose sectors include it, its 主管部门's head as 副指挥长 and a contact of that
  // department as 总联络人; a township's or the zone's project answers to its sector's 主管部门.
  const competentOf = new Map(SECTORS.map((sector) => [sector, unitRows.find((u) => u.name === SECTOR_DEPARTMENTS[sector])!]))
  await addSectors(
    db,
    SECTORS.map((sector, i) => {
      const dept = competentOf.get(sector)!
      return {
        name: sector,
        commanderPersonId: leaderOf(sector).id,
        deputyPersonId: dept.headPersonId ?? peopleRows.find((p) => p.unitId === dept.id && (p.roles as Role[]).includes('unit_head'))?.id ?? null,
        liaisonPersonId: peopleRows.find((p) => p.unitId === dept.id && (p.roles as Role[]).includes('contact'))?.id ?? null,
        sortOrder: i + 1,
      }
    }),
  )
  for (const p of projectRows) {
    const unit = unitRows.find((u) => u.id === p.unitId)!
    if (unit.league !== '县直部门')
      await db
        .update(projects)
        .set({ competentUnitId: competentOf.get(p.sector as Sector)!.id })
        .where(eq(projects.id, p.id))
  }
  // 常务副县长 (专题调度), after everyone else so the rest of the county is drawn as before.
  await db.insert(people).values({ name: name(), mobile: mobile(), unitId: null, title: '常务副县长', roles: ['executive'], sectors: [] })

  // Close the past months as the dispatch clock would have: the overdue job's 催办 of late and missing reports,
  // then the settle (进度催办, colours, board, 约谈 and 表态).
  for (let m = 1; m <= lastMonth; m++) {
    const round = roundOf(m)
    await urgeMissing(
      db,
      { period: ym(year, m), occasion: `overdue:monthly:${ym(year, m)}`, at: new Date(round.deadlineAt + 3_600_000), roundId: roundIds[m - 1]! },
      overdueByMonth.get(m) ?? [],
    )
    await settle(db, DEFAULT_RULES, ym(year, m), new Date(round.closesAt))
  }
  // The 指挥长 held the 约谈 of the months before the last one, as they would have recorded them.
  for (const i of await openInterviews(db))
    if (i.period < ym(year, lastMonth)) {
      const row = await interviewById(db, i.id)
      await recordInterviewHeld(db, i.id, row!.dueOn, '已约谈主管部门和项目单位主要负责人，明确追赶措施', row!.commanderPersonId ?? officeId)
    }

  const info: DemoInfo = { county: DEMO_COUNTY, year, lastMonth, generatedFor: now.toISOString() }
  await setSetting(db, 'demo', info)
  // The names every card uses (loadCounty, with the rules).
  await setSetting(db, 'county', { name: DEMO_COUNTY, office: DEMO_OFFICE, demo: true })
  return { created: true, info }
}

function investmentSize(rnd: Random): number {
  const band = rnd.next()
  const wan = band < 0.6 ? rnd.int(2_000, 10_000) : band < 0.9 ? rnd.int(10_000, 50_000) : rnd.int(50_000, 300_000)
  return roundTo(wan * 10_000, 1_000_000)
}

function roundTo(n: number, step: number): number {
  return Math.round(n / step) * step
}

const ym = (y: number, m: number) => `${y}-${String(m).padStart(2, '0')}`
