/**
 * A deterministic fictional county for trying the bot and for tests, shaped like the Shanxi counties of the seeds:
 * 12 乡镇, the 转型综改示范区 and the county departments and companies with projects (data.ts), about 160 projects
 * over the 7 分指挥部 with sizes like lingchuan-2025's list, people in every role (县长, 常务副县长, the 副县长 who lead
 * the 分指挥部, the office, unit heads, one to three 联络员 per unit), and the months from January up to the last
 * one the dispatch clock has closed before `now`.
 *
 * The history is not written beside the product: each month runs as the clock and the people run it. The round
 * opens as the clock opens it; each contact files the month's report through the report checks and versions
 * (history.ts: the service under 「填报」), 复工 and 开工 and 入库纳统 stated in those reports; an hour after the
 * deadline the overdue job's 催办 goes to the projects still unreported; the round closes and the month is settled
 * (services/settle.ts: 进度催办 of every project behind 序时, colours by the live rule, board published, 约谈 and
 * 表态 opened). Problems raised in reports are 交办, worked and 销号 through the ledger's moves as the office and
 * the units make them, each on its own day. Only the county itself (units, people, the project list, contacts,
 * 分指挥部) is inserted, as an import would.
 * Everything it creates is marked as demo data (the `demo` setting and 【演示数据】 on what people see).
 */
import { count, eq, sql } from 'drizzle-orm'
import type { Db } from '../store/db.ts'
import { insertMany } from '../store/bulk.ts'
import { SECTORS, people, projectContacts, projects, units, type Role } from '../store/schema.ts'
import { getSetting, setSetting } from '../store/repos/settings.ts'
import { closeRound, createRound, recordReminderOnce, type Report } from '../store/repos/rounds.ts'
import { problemById, type Problem } from '../store/repos/problems.ts'
import { addSectors } from '../store/repos/sectors.ts'
import { interviewById, openInterviews, recordInterviewHeld } from '../store/repos/interviews.ts'
import { shanghaiParts, formatDate, localDate } from '../domain/time.ts'
import { monthlyWindow, outOfQuietHours, resolveDispatch, type DispatchCalendar, type RoundWindow } from '../domain/dispatch.ts'
import type { WorkdayCalendar } from '../domain/workdays.ts'
import { settle } from '../services/settle.ts'
import { urgeMissing } from '../services/urges.ts'
import { DEFAULT_RULES, loadCalendar, loadDispatchCalendar } from '../services/rules.ts'
import type { ReportValues } from '../services/reporting.ts'
import type { Project } from '../store/repos/projects.ts'
import { seeded, type Random } from './random.ts'
import { fileReport, takeStep, type ProblemStep } from './history.ts'
import {
  DEMO_COUNTY,
  DEMO_OFFICE,
  DEMO_UNITS,
  GIVEN,
  LEADER_SECTORS,
  MEMBERS_WITHOUT_PROJECTS,
  PROBLEM_CLOSED,
  PROBLEM_PROGRESS,
  PROBLEM_TEXTS,
  PROGRESS_TEXTS,
  SECTOR_DEPARTMENTS,
  SURNAMES,
  type ProjectStem,
  type Size,
} from './data.ts'

export interface DemoInfo {
  county: string
  year: number
  /** Months with reports: 1..lastMonth of `year`. */
  lastMonth: number
  generatedFor: string
}

const HOUR = 3_600_000
const DAY = 86_400_000
const WAN = 10_000

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
 * How a project goes through its year, as ratios of its 本年累计 to the 序时 amount (年度计划 × month ÷ 12): at 1
 * or above it is blue. Most projects keep 序时; some slip one month and catch up; some stall in the autumn (no
 * new investment from `from`); a few lag all year, some of them catching up in the summer.
 */
type Pace =
  | { kind: 'ahead' | 'onPace'; base: number }
  | { kind: 'slip'; base: number; month: number }
  | { kind: 'stall'; base: number; from: number }
  | { kind: 'lag'; base: number; recoverFrom: number | null }

function drawPace(rnd: Random, size: Size): Pace {
  const k = rnd.next()
  // Big projects are watched weekly and rarely fall far behind; small ones more often.
  const lagShare = size === 'L' ? 0.04 : 0.09
  if (k < 0.28) return { kind: 'ahead', base: 1.04 + rnd.next() * 0.26 }
  if (k < 0.58) return { kind: 'onPace', base: 1.005 + rnd.next() * 0.06 }
  if (k < 0.72) return { kind: 'slip', base: 1.005 + rnd.next() * 0.05, month: rnd.int(3, 11) }
  if (k < 0.84) return { kind: 'stall', base: 1.0 + rnd.next() * 0.04, from: rnd.pick([8, 9, 9, 10, 10, 11]) }
  if (k < 0.84 + lagShare) return { kind: 'lag', base: 0.55 + rnd.next() * 0.3, recoverFrom: rnd.chance(0.5) ? rnd.int(5, 9) : null }
  return { kind: 'onPace', base: 1.01 + rnd.next() * 0.05 }
}

/** The 本年累计 a project reaches in month m, given the one before (never less: a year's total only grows). */
function ytdFor(
  p: { annualPlan: number; totalInvestment: number },
  pace: Pace,
  m: number,
  prev: number,
  start: { month: number; landFirst: boolean } | null,
  rnd: Random,
): number {
  const schedule = (p.annualPlan * m) / 12
  let r: number
  // Before 开工 a new project has nothing to show, unless its land and 前期 costs (which count as investment) come first.
  if (start && m < start.month && !start.landFirst) return 0
  switch (pace.kind) {
    case 'slip':
      r = m === pace.month ? 0.82 + rnd.next() * 0.14 : pace.base
      break
    case 'stall':
      if (m >= pace.from) return Math.min(p.totalInvestment, prev + (m === pace.from ? roundTo(p.annualPlan * 0.01 * rnd.next(), WAN) : 0))
      r = pace.base
      break
    case 'lag':
      r = pace.recoverFrom !== null && m >= pace.recoverFrom ? 1.01 + rnd.next() * 0.05 : pace.base + rnd.next() * 0.05
      break
    default:
      r = pace.base + rnd.next() * 0.02
  }
  // A project that has just started is still catching up on the months it could not build.
  if (start && m === start.month && !start.landFirst) r *= 0.75
  const target = Math.ceil((schedule * r) / WAN) * WAN
  return Math.min(p.totalInvestment, Math.max(prev, target))
}

/** Sizes like lingchuan-2025: a score of 重大项目 above 5000万 a year, a few more 亿元 ones, many small ones. */
function drawSize(rnd: Random, size: Size): { total: number; annualPlan: number } {
  if (size === 'L') {
    const annual = roundTo((5_000 + rnd.next() ** 2 * 20_000) * WAN, 100 * WAN)
    return { annualPlan: annual, total: roundTo(annual * (1.8 + rnd.next() * 2.7), 1_000 * WAN) }
  }
  if (size === 'M') {
    const annual = roundTo((1_000 + rnd.next() * 3_900) * WAN, 50 * WAN)
    return { annualPlan: annual, total: roundTo(annual * (1.5 + rnd.next() * 1.8), 100 * WAN) }
  }
  const annual = roundTo((200 + rnd.next() ** 1.5 * 2_000) * WAN, 10 * WAN)
  return { annualPlan: annual, total: roundTo(annual * (1.1 + rnd.next() * 1.4), 10 * WAN) }
}

function progressText(rnd: Random, share: number): string {
  const band = share === 0 ? 'before' : share < 0.3 ? 'early' : share < 0.75 ? 'middle' : 'late'
  return rnd.pick(PROGRESS_TEXTS[band])
}

/**
 * Loads the demo county into an empty database. Idempotent: on a database that already has the demo it
 * returns the stored info; on a database holding a real county it refuses.
 */
export async function loadDemoCounty(db: Db, now: Date, seed = 20261122): Promise<{ created: boolean; info: DemoInfo }> {
  const existing = await getSetting<DemoInfo>(db, 'demo')
  if (existing) return { created: false, info: existing }
  if (!(await isEmpty(db))) throw new Error('数据库中已有真实数据，不能载入演示县 (database already holds a county)')
  // On a local SQLite connection the county goes in as one transaction: its thousands of small writes would
  // otherwise each commit to the file (the units of work inside nest as savepoints). D1 (batches) has none.
  const local = typeof (db as { batch?: unknown }).batch !== 'function' && (await begin(db))
  try {
    const info = await build(db, now, seed)
    if (local) await db.run(sql`commit`)
    return { created: true, info }
  } catch (e) {
    if (local) await db.run(sql`rollback`)
    throw e
  }
}

/** Begins a transaction unless one is open already (then the caller's holds the county). */
async function begin(db: Db): Promise<boolean> {
  try {
    await db.run(sql`begin`)
    return true
  } catch {
    return false
  }
}

async function build(db: Db, now: Date, seed: number): Promise<DemoInfo> {
  const rnd = seeded(seed)
  const [dispatch, cal] = await Promise.all([loadDispatchCalendar(db), loadCalendar(db)])
  const { year, month: lastMonth } = lastCompleteMonth(now, dispatch, cal)
  const roundOf = (m: number) => monthlyRound(dispatch, cal, year, m)

  await insertMany(
    db,
    units,
    DEMO_UNITS.map((u) => ({ code: u.code, name: u.name, league: u.league, shortName: u.shortName })),
  )
  const unitRows = await db.select().from(units).orderBy(units.id).all()
  const unitNamed = (name: string) => unitRows.find((u) => u.name === name)!
  const specOf = new Map(DEMO_UNITS.map((u) => [u.name, u]))

  // People: county leaders, the office, members without projects, and a head and one to three contacts per unit.
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
  const devUnit = unitNamed('县发改局')
  const person = (title: string, roles: Role[], unitId: number | null = null, sectors: string[] = []) =>
    newPeople.push({ name: name(), mobile: mobile(), unitId, title, roles, sectors })
  person('县长', ['leader', 'county_head'])
  LEADER_SECTORS.forEach((sectors) => person('副县长', ['leader'], null, sectors))
  person('常务副县长', ['executive'])
  person('指挥部办公室主任', ['office'], devUnit.id)
  person('指挥部办公室科员', ['office'], devUnit.id)
  for (const m of MEMBERS_WITHOUT_PROJECTS) person(m.title, m.office ? ['office'] : [])
  for (const u of unitRows) {
    const spec = specOf.get(u.name)!
    person(spec.headTitle, ['unit_head'], u.id)
    for (let i = 0; i < spec.contacts; i++) person('项目联络员', ['contact'], u.id)
  }
  await insertMany(db, people, newPeople)
  const peopleRows = await db.select().from(people).orderBy(people.id).all()
  const headOf = new Map<number, number>()
  const contactsByUnit = new Map<number, number[]>()
  for (const p of peopleRows) {
    if (!p.unitId) continue
    const roles = p.roles as Role[]
    if (roles.includes('unit_head')) headOf.set(p.unitId, p.id)
    if (roles.includes('contact')) contactsByUnit.set(p.unitId, [...(contactsByUnit.get(p.unitId) ?? []), p.id])
  }
  for (const u of unitRows)
    await db
      .update(units)
      .set({ headPersonId: headOf.get(u.id)! })
      .where(eq(units.id, u.id))
  const leaders = peopleRows.filter((p) => p.title === '副县长')
  const leaderOf = (sector: string) => leaders.find((l) => (l.sectors as string[]).includes(sector)) ?? leaders[0]!
  const officeId = peopleRows.find((p) => p.title === '指挥部办公室主任')!.id

  // The project list as the office imports it in January: 续建 projects started in earlier years, 计划新开工 ones
  // with their planned month; 开工, 复工 and 入库 of this year come later, in the reports.
  type NewProject = typeof projects.$inferInsert
  type Plan = { stem: ProjectStem; pace: Pace; startMonth: number | null; landFirst: boolean; resumeOn: string | null; statsMonth: number | null }
  const newProjects: NewProject[] = []
  const plans: Plan[] = []
  let seq = 0
  let newCount = 0
  for (const u of unitRows) {
    const spec = specOf.get(u.name)!
    for (const stem of spec.projects) {
      const { total, annualPlan } = drawSize(rnd, stem.size)
      const isNew = rnd.chance(stem.size === 'L' ? 0.25 : 0.32)
      // lingchuan-2025: 一季度新建项目开工50%以上、上半年90%以上、三季度全部开工 — most do, a few are late or not yet.
      const plannedMonth = isNew ? rnd.pick([3, 3, 3, 4, 4, 5, 5, 6, 7]) : null
      const delay = isNew ? rnd.pick([0, 0, 0, 0, 1, 1, 2]) : 0
      // Every seventeenth new project does not start this year (land or 林地 still missing): the 台账's 未开工.
      const stuck = isNew && newCount++ % 17 === 8
      const startMonth = plannedMonth === null ? null : stuck ? 13 : Math.min(13, plannedMonth + delay)
      // 续建 projects stop for the winter and 复工 between February and April, most before the quarter ends.
      const resumeMonth = isNew ? null : rnd.pick([2, 2, 2, 2, 2, 3, 3, 3, 3, 4])
      const resumeOn = resumeMonth === null ? null : formatDate(year, resumeMonth, resumeMonth === 2 ? rnd.int(18, 27) : rnd.int(1, 25))
      const statsMonth = startMonth !== null && startMonth <= 11 && rnd.chance(0.85) ? startMonth + rnd.int(0, 2) : null
      const sector = stem.sector
      const competent = u.league === '县直部门' ? null : unitNamed(stem.competent ?? SECTOR_DEPARTMENTS[sector]).id
      const startedBefore = formatDate(year - rnd.int(1, 2), rnd.int(3, 10), rnd.int(1, 28))
      newProjects.push({
        code: `XM${year}-${String(++seq).padStart(3, '0')}`,
        name: stem.name.replace('{u}', u.name),
        unitId: u.id,
        leaderPersonId: leaderOf(sector).id,
        sector,
        level: total >= 1_000_000_000 ? '省重点' : total >= 300_000_000 ? '市重点' : '县重点',
        stage: isNew ? '新开工' : '续建',
        year,
        totalInvestment: total,
        annualPlan,
        plannedStart: isNew ? formatDate(year, plannedMonth!, 1) : startedBefore,
        plannedFinish: formatDate(year + rnd.int(0, 2), rnd.int(6, 12), 30),
        plannedNewStart: isNew,
        startedOn: isNew ? null : startedBefore,
        inStats: !isNew,
        statsOn: isNew ? null : startedBefore,
        competentUnitId: competent,
        weekly: annualPlan >= 50_000_000 || total >= 100_000_000,
      })
      plans.push({ stem, pace: drawPace(rnd, stem.size), startMonth, landFirst: isNew && startMonth! <= 12 && rnd.chance(0.5), resumeOn, statsMonth })
    }
  }
  await insertMany(db, projects, newProjects)
  const projectRows: Project[] = await db.select().from(projects).orderBy(projects.id).all()

  // Contacts: one 联络员 per project, turn about; a big project of a unit with two or more has two (a 催办 still counts once).
  const contactsOf = new Map<number, number[]>()
  for (const [i, p] of projectRows.entries()) {
    const list = contactsByUnit.get(p.unitId)!
    const first = list[i % list.length]!
    const second = list[(i + 1) % list.length]!
    const both = second !== first && (plans[i]!.stem.size === 'L' || i % 6 === 5)
    contactsOf.set(p.id, both ? [first, second] : [first])
  }
  await insertMany(
    db,
    projectContacts,
    [...contactsOf].flatMap(([projectId, ids]) => ids.map((personId) => ({ projectId, personId }))),
  )

  // 分指挥部: each led by the 副县长 whose sectors include it, its 主管部门's head as 副指挥长 and a contact of that
  // department as 总联络人 (the 约谈 a yellow card sets off goes to the 指挥长).
  await addSectors(
    db,
    SECTORS.map((sector, i) => {
      const dept = unitNamed(SECTOR_DEPARTMENTS[sector])
      return {
        name: sector,
        commanderPersonId: leaderOf(sector).id,
        deputyPersonId: headOf.get(dept.id) ?? null,
        liaisonPersonId: contactsByUnit.get(dept.id)?.[0] ?? null,
        sortOrder: i + 1,
      }
    }),
  )

  // The ledger's steps waiting for their day: each month's settle sees the problems as they stood then.
  const steps: { step: ProblemStep; problemId: number; projectId: number }[] = []
  const runStepsUntil = async (t: number) => {
    steps.sort((a, b) => a.step.at - b.step.at)
    while (steps.length && steps[0]!.step.at <= t) {
      const { step, problemId, projectId } = steps.shift()!
      const p = (await problemById(db, problemId))!
      await takeStep(db, p, step, dispatch, cal, projectRows.find((x) => x.id === projectId)!.leaderPersonId)
    }
  }
  const plannedProblems = new Set<number>()
  const waiting: { problem: Problem; project: Project }[] = []
  const planProblem = (problem: Problem, project: Project, m: number) => {
    const text = PROBLEM_TEXTS.find((t) => t.text === problem.description)!
    const assignee = unitNamed(text.unit)
    const head = headOf.get(assignee.id) ?? null
    const reporter = problem.reporterPersonId!
    // The office 交办 it within days (a problem from the last month may still wait); the unit works it, asks
    // to close it, and the reporter confirms — or, for a hard one, it is still being worked.
    // The office 交办s the last month's problems at its next 调度会, all but the latest raised: that one still waits.
    if (m === lastMonth) return void waiting.push({ problem, project })
    let t = problem.createdAt + rnd.int(20, 70) * HOUR
    const severity = rnd.chance(0.25) ? 'major' : 'ordinary'
    const unit = { id: assignee.id, name: assignee.name, headPersonId: head }
    const add = (step: ProblemStep) => steps.push({ step, problemId: problem.id, projectId: project.id })
    add({ kind: 'assign', at: t, by: officeId, unit, severity })
    t += rnd.int(3, 10) * DAY
    add({ kind: 'update', at: t, by: head ?? officeId, note: rnd.pick(PROBLEM_PROGRESS) })
    if (rnd.chance(0.2)) return
    t += rnd.int(4, severity === 'major' ? 30 : 14) * DAY
    add({ kind: 'requestClose', at: t, by: head ?? officeId, note: rnd.pick(PROBLEM_CLOSED) })
    t += rnd.int(1, 4) * DAY
    add({ kind: 'confirmClose', at: t, by: reporter })
  }

  // The months, one after another, as the clock and the people ran them.
  const ytdOf = new Map<number, number>()
  const lastReport = new Map<number, { report: Report; period: string }>()
  const filed = new Map<number, { report: Report; period: string }>()
  const raisedBy = new Map<number, { count: number; month: number }>()
  const owed = new Map<number, { start?: string; resume?: string; stats?: string }>()
  for (let m = 1; m <= lastMonth; m++) {
    const w = roundOf(m)
    const period = ym(year, m)
    const { round } = await createRound(db, { kind: 'monthly', period, opensAt: w.opensAt, deadlineAt: w.deadlineAt })
    const overdueAt = outOfQuietHours(dispatch, w.deadlineAt + dispatch.monthly.overdueAfterMinutes * 60_000)
    const happened = (projectId: number, plan: Plan) => {
      const owe = owed.get(projectId) ?? {}
      if (plan.startMonth === m) owe.start = formatDate(year, m, rnd.int(5, 20))
      if (plan.resumeOn?.slice(0, 7) === period) owe.resume = plan.resumeOn
      if (plan.statsMonth === m) owe.stats = `${period}-${rnd.int(21, 25)}`
      owed.set(projectId, owe)
      return owe
    }
    const filings: { project: Project; plan: Plan; at: number; values: ReportValues; by: number; edit: boolean }[] = []
    for (const [i, project] of projectRows.entries()) {
      const plan = plans[i]!
      const behindBefore = plan.pace.kind === 'lag' || (plan.startMonth !== null && m < plan.startMonth)
      // Late and missing reports: rare, and more often from projects that are behind.
      const missing = rnd.chance(behindBefore ? 0.07 : 0.015)
      const late = !missing && rnd.chance(behindBefore ? 0.15 : 0.05)
      if (missing) {
        // What happened this month is told in the next report.
        happened(project.id, plan)
        continue
      }
      const prev = ytdOf.get(project.id) ?? 0
      const ytd = ytdFor(project, plan.pace, m, prev, plan.startMonth === null ? null : { month: plan.startMonth, landFirst: plan.landFirst }, rnd)
      ytdOf.set(project.id, ytd)
      const at = late
        ? w.deadlineAt + rnd.int(1, 20) * HOUR
        : w.opensAt + rnd.int(1, Math.max(2, Math.floor((w.deadlineAt - w.opensAt) / HOUR) - 1)) * HOUR
      const contacts = contactsOf.get(project.id)!
      // 开工 / 复工 / 入库 as the report states them: in the month it happened, or the next report after a missed one.
      const owe = happened(project.id, plan)
      owed.delete(project.id)
      const behind = ytd * 12 < project.annualPlan * m
      const problemsNow: string[] = []
      // A problem comes with the report of a project that falls behind (or cannot start), now and then with one on pace;
      // at most two a project, a quarter apart.
      const before = raisedBy.get(project.id)
      const chance = !behind ? 0.012 : before ? 0.15 : plan.pace.kind === 'lag' || plan.pace.kind === 'stall' ? 0.7 : 0.25
      if ((!before || (before.count < 2 && m - before.month >= 3)) && rnd.chance(chance)) {
        problemsNow.push(rnd.pick(PROBLEM_TEXTS).text)
        raisedBy.set(project.id, { count: (before?.count ?? 0) + 1, month: m })
      }
      const values: ReportValues = {
        periodInvestment: ytd - prev,
        ytdInvestment: ytd,
        progressPercent: null,
        progressText: progressText(rnd, ytd / project.totalInvestment),
        problems: problemsNow,
        coordination: '',
        nextSteps: '',
        correctionReason: '',
        startStatus: owe.start ? 'started' : owe.resume ? 'resumed' : null,
        startedOn: owe.start ?? owe.resume ?? null,
        statsOn: owe.stats ?? null,
      }
      filings.push({ project, plan, at, values, by: contacts[rnd.int(0, contacts.length - 1)]!, edit: !late && rnd.chance(0.03) })
    }
    filings.sort((a, b) => a.at - b.at || a.project.id - b.project.id)
    const file = async (f: (typeof filings)[number]) => {
      const previous = lastReport.get(f.project.id)
      const { report, raised } = await fileReport(db, { project: f.project, round, values: f.values, by: f.by, at: f.at, source: 'card', previous })
      filed.set(f.project.id, { report, period })
      for (const p of raised) planProblem(p, f.project, m)
      // Now and then a contact corrects the 形象进度 before the deadline: a second version, the first kept.
      if (f.edit)
        await fileReport(db, {
          project: f.project,
          round,
          values: { ...f.values, problems: [], progressText: `${f.values.progressText}，${rnd.pick(['进度正常', '按计划推进'])}` },
          by: f.by,
          at: Math.min(f.at + rnd.int(1, 20) * HOUR, w.deadlineAt - HOUR),
          source: 'text',
          previous,
        }).then(({ report }) => filed.set(f.project.id, { report, period }))
    }
    await runStepsUntil(w.opensAt)
    for (const f of filings.filter((x) => x.at <= overdueAt)) await file(f)
    // The overdue job, an hour after the deadline: one 催办 per project still unreported, its contact told.
    const reported = new Set(filings.filter((x) => x.at <= overdueAt).map((x) => x.project.id))
    const late = projectRows.filter((p) => !reported.has(p.id))
    await urgeMissing(
      db,
      { period, occasion: `overdue:monthly:${period}`, at: new Date(overdueAt), roundId: round.id },
      late.map((p) => p.id),
    )
    for (const p of late)
      await recordReminderOnce(db, { roundId: round.id, projectId: p.id, kind: 'overdue', personId: contactsOf.get(p.id)![0]!, sentAt: overdueAt })
    for (const f of filings.filter((x) => x.at > overdueAt)) await file(f)
    // The round closes a day after the deadline and the month is settled.
    await runStepsUntil(w.closesAt)
    await closeRound(db, round.id, w.closesAt)
    await settle(db, DEFAULT_RULES, period, new Date(w.closesAt))
    for (const [id, r] of filed) lastReport.set(id, r)
    filed.clear()
  }
  waiting.sort((a, b) => a.problem.createdAt - b.problem.createdAt || a.problem.id - b.problem.id)
  for (const w of waiting.slice(0, -1)) planProblem(w.problem, w.project, 0)
  await runStepsUntil(now.getTime())

  // The 指挥长 held the 约谈 of the months before the last one, on the day due, as they would have recorded them.
  const today = localDate(now)
  for (const i of await openInterviews(db))
    if (i.period < ym(year, lastMonth)) {
      const row = (await interviewById(db, i.id))!
      if (row.dueOn <= today)
        await recordInterviewHeld(db, i.id, row.dueOn, '已约谈主管部门和项目单位主要负责人，明确追赶措施', row.commanderPersonId ?? officeId)
    }

  const info: DemoInfo = { county: DEMO_COUNTY, year, lastMonth, generatedFor: now.toISOString() }
  await setSetting(db, 'demo', info)
  // The names every card uses (loadCounty, with the rules).
  await setSetting(db, 'county', { name: DEMO_COUNTY, office: DEMO_OFFICE, demo: true })
  return info
}

function roundTo(n: number, step: number): number {
  return Math.round(n / step) * step
}

const ym = (y: number, m: number) => `${y}-${String(m).padStart(2, '0')}`
