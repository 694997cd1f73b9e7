/**
 * A month of 调度 as numbers: each project's figures for a statistical month, its colour, and the 赛马 board
 * of the units. One SQL query reads what the rules need; the rules themselves live in src/domain.
 */
import { sql } from 'drizzle-orm'
import type { Db } from '../store/db.ts'
import { projectColours } from '../store/schema.ts'
import { publishedSnapshot, publishSnapshot } from '../store/repos/boards.ts'
import type { Rules } from './rules.ts'
import { colourOf, colourVerdict, type Colour, type ColourVerdict } from '../domain/colours.ts'
import { completionRate, figureProblems, scheduleProgress } from '../domain/schedule.ts'
import { amountProblem, MAX_AMOUNT_YUAN } from '../domain/money.ts'
import { ratio, type Ratio } from '../domain/ratio.ts'
import { parsePeriod, previous as previousPeriod, range } from '../domain/periods.ts'
import { rankBoard, snapshotBoard, type BoardSnapshot, type League, type UnitInput } from '../domain/scoring.ts'
import type { Yuan } from '../domain/money.ts'

/** What the board needs of one project in one statistical month. */
export interface ProjectFigures {
  projectId: number
  unitId: number
  annualPlan: Yuan
  planCurve: number[] | null
  /** 本年累计 as reported for this month, else as frozen last month, else 0. */
  ytd: Yuan
  reported: boolean
  onTime: boolean
  /** Consecutive lag 催办 up to this month (since the project last stood at 序时 or the year began). */
  urges: number
  /** Missing-report 催办 in the same window (they count toward the card when the rule says so: countedUrges). */
  missingUrges: number
  previousColour: Colour | null
  plannedNewStart: boolean
  started: boolean
  inStats: boolean
}

/** A project's month with its names, for lists people read. */
export interface ProjectMonth extends ProjectFigures {
  code: string
  name: string
  sector: string
}

export interface MonthView extends ProjectFigures {
  completion: Ratio | null
  schedule: Ratio | null
  verdict: ColourVerdict
}

/** Parses 'YYYY-MM' into the year and statistical month; throws RangeError on anything else. */
export function monthOf(period: string): { year: number; month: number } {
  const p = parsePeriod(period)
  if (p.kind !== 'month') throw new RangeError(`不是月份：${period}（应为 YYYY-MM，例如 2026-10）`)
  return { year: p.year, month: p.index }
}

/**
 * Every active project's figures for month `period` ('2026-10'): a project that has not reported yet carries
 * the 本年累计 frozen with last month's colour. `detail` adds the names.
 *
 * One range read of `month_figures`, the per-project month row the database keeps up to date by triggers: at
 * province scale (100k projects) merging projects, reports, colours and 催办 at read time costs four times
 * the bare aggregate, and this read about one.
 */
export async function projectMonths(db: Db, period: string, opts: MonthReadOptions & { detail: true }): Promise<ProjectMonth[]>
export async function projectMonths(db: Db, period: string, opts?: MonthReadOptions & { detail?: false }): Promise<ProjectFigures[]>
export async function projectMonths(
  db: Db,
  period: string,
  opts: MonthReadOptions & { detail?: boolean } = {},
): Promise<(ProjectFigures | ProjectMonth)[]> {
  const out: (ProjectFigures | ProjectMonth)[] = []
  await eachProjectMonth(db, period, opts, (p) => void out.push({ ...p }))
  return out
}

/** A project's month the rules cannot use (a figure past the bounds, a plan curve that goes down). */
export interface SkippedFigures {
  projectId: number
  field: string
  reason: string
}

export interface MonthReadOptions {
  projectId?: number
  planCurve?: boolean
  /**
   * Rows with figures the rules cannot use are left out (so one bad row never stops a county's board, tick
   * or status) and reported here.
   */
  skipped?: SkippedFigures[]
}

/**
 * `projectMonths` one project at a time, in project order, for passes over a whole province that keep none
 * of them (the board). The visitor gets the same object each time, refilled: copy it to keep it (100k
 * objects dropped as they go are most of a board's garbage).
 */
async function eachProjectMonth(
  db: Db,
  period: string,
  opts: MonthReadOptions & { detail?: boolean },
  visit: (p: ProjectFigures | ProjectMonth) => void,
): Promise<void> {
  const { month } = monthOf(period) // throws on anything but 'YYYY-MM'
  const round = await db.get<{ deadline_at: number } | undefined>(sql`select deadline_at from rounds where kind = 'monthly' and period = ${period}`)
  const only = opts.projectId === undefined ? sql`` : sql` and f.project_id = ${opts.projectId}`
  // Names come after the plan curve, so `detail` brings both.
  const withCurve = opts.detail || opts.planCurve
  const joined = withCurve
    ? sql`, p.plan_curve${opts.detail ? sql`, p.code, p.name, p.sector` : sql``} from month_figures f join projects p on p.id = f.project_id`
    : sql` from month_figures f`
  // Everything but the amounts travels as one number (PACKED): each value better-sqlite3 hands to JS costs
  // more than SQLite's arithmetic, and at 100k rows four columns read in half the time of eight.
  const rows = await db.values<[number, number, Yuan, Yuan, number, ...(string | null)[]]>(sql`
    select f.project_id, f.unit_id, f.annual_plan, coalesce(f.reported_ytd, f.carried_ytd),
      (f.reported_ytd is not null) + 2 * coalesce(f.first_submitted_at <= ${round?.deadline_at ?? null}, 0)
        + 4 * f.planned_new_start + 8 * f.started + 16 * f.in_stats
        + 32 * ${PREVIOUS_COLOUR_CODE} + 256 * (f.urges + 65536 * f.missing_urges)${joined}
    where f.period = ${period}${only} order by f.project_id`)
  const figures: ProjectFigures = {
    projectId: 0,
    unitId: 0,
    annualPlan: 0,
    planCurve: null,
    ytd: 0,
    reported: false,
    onTime: false,
    urges: 0,
    missingUrges: 0,
    previousColour: null,
    plannedNewStart: false,
    started: false,
    inStats: false,
  }
  const p: ProjectFigures & Partial<ProjectMonth> = opts.detail ? { ...figures, code: '', name: '', sector: '' } : figures
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!
    const packed = row[4]
    const flags = packed % 256 // the 催办 count above may pass 32 bits; the bit operators stop there
    const planCurve = withCurve ? (row[5] as string | null) : null
    p.projectId = row[0]
    p.unitId = row[1]
    p.annualPlan = row[2]
    p.planCurve = planCurve ? (JSON.parse(planCurve) as number[]) : null
    p.ytd = row[3]
    p.reported = (flags & 1) !== 0
    p.onTime = (flags & 2) !== 0
    p.plannedNewStart = (flags & 4) !== 0
    p.started = (flags & 8) !== 0
    p.inStats = (flags & 16) !== 0
    p.previousColour = COLOUR_BY_CODE[flags >> 5]!
    const urgeBits = Math.floor(packed / 256)
    p.urges = urgeBits % 65536
    p.missingUrges = Math.floor(urgeBits / 65536)
    if (opts.detail) {
      p.code = row[6]!
      p.name = row[7]!
      p.sector = row[8]!
    }
    // Two comparisons per row on the hot path; the full check only for a row that fails them or has a curve.
    if (!(p.ytd >= 0 && p.ytd <= MAX_AMOUNT_YUAN && p.annualPlan >= 0 && p.annualPlan <= MAX_AMOUNT_YUAN) || p.planCurve) {
      const problems = figureProblems({ ytd: p.ytd, annualPlan: p.annualPlan, planCumulative: p.planCurve, month })
      const bound = amountProblem('本年累计', p.ytd) ?? amountProblem('年度计划', p.annualPlan)
      if (problems.length || bound) {
        opts.skipped?.push({
          projectId: p.projectId,
          field: problems[0]?.field ?? (amountProblem('本年累计', p.ytd) ? '本年累计' : '年度计划'),
          reason: problems[0]?.reason ?? bound!,
        })
        continue
      }
    }
    visit(p)
  }
}

/** Last month's colour as a number for PACKED (0: none frozen). */
const COLOUR_BY_CODE: readonly (Colour | null)[] = [null, 'blue', 'watch', 'yellow', 'red', 'none']
const PREVIOUS_COLOUR_CODE = sql.raw(
  `(case f.previous_colour ${COLOUR_BY_CODE.map((c, i) => (c ? `when '${c}' then ${i} ` : '')).join('')}else 0 end)`,
)

/** 序时 of a project for a month under the county's mode. */
export function scheduleFor(rules: Rules, p: Pick<ProjectFigures, 'annualPlan' | 'planCurve'>, period: string): Ratio | null {
  const { month } = monthOf(period)
  if (rules.schedule === 'planCurve' && p.planCurve)
    return scheduleProgress('planCurve', { month, planCumulative: p.planCurve, annualPlan: p.annualPlan })
  if (rules.schedule === 'dayLinear') return scheduleProgress('dayLinear', { asOf: range(period).end })
  return scheduleProgress('monthLinear', { month })
}

/** The 催办 that count toward the card under the county's rule: the lag ones, and the missing-report ones if it says so. */
export function countedUrges(rules: Rules, p: Pick<ProjectFigures, 'urges' | 'missingUrges'>): number {
  return p.urges + (rules.colour.countMissingUrges ? p.missingUrges : 0)
}

/** Adds completion, 序时 and the colour verdict to a project's month. */
export function viewOf<P extends ProjectFigures>(rules: Rules, p: P, period: string): MonthView & P {
  const completion = completionRate(p.ytd, p.annualPlan)
  const schedule = scheduleFor(rules, p, period)
  const verdict = colourVerdict({ completion, schedule, urgeCount: countedUrges(rules, p), previousColour: p.previousColour }, rules.colour)
  return { ...p, completion, schedule, verdict }
}

/**
 * Freezes the colours of a closed month (red next month depends on them). Already-frozen projects keep
 * what was published.
 */
export async function freezeColours(db: Db, rules: Rules, period: string, at: number): Promise<number> {
  const views = (await projectMonths(db, period, { planCurve: rules.schedule === 'planCurve' })).map((p) => viewOf(rules, p, period))
  const rows = views.map((v) => ({
    projectId: v.projectId,
    period,
    colour: v.verdict.colour,
    ytdInvestment: v.ytd,
    urgeCount: countedUrges(rules, v),
    frozenAt: at,
  }))
  for (let i = 0; i < rows.length; i += 16) {
    await db
      .insert(projectColours)
      .values(rows.slice(i, i + 16))
      .onConflictDoNothing()
  }
  return rows.length
}

export interface UnitInfo {
  id: number
  name: string
  league: League
}

/** One line of a unit's board: what people see. */
export interface BoardLine {
  rank: number
  deltaRank: number | null
  unitId: number
  unit: string
  league: League
  /** Score units (0.0001 points). */
  score: number
  plan: Yuan
  ytd: Yuan
  completion: Ratio | null
  schedule: Ratio | null
  colours: Record<Colour, number>
  projects: number
  late: number
  /** The score's parts, one per indicator in the board's order (score units; 「查 单位」 shows them). */
  parts?: ScorePart[]
}

/** One indicator's share of a unit's score: `{ key: 'investment', label: '投资完成率', weight: 40, points: 382000 }`. */
export interface ScorePart {
  key: string
  label: string
  /** Points at 100 %. */
  weight: number
  /** Score units (0.0001 points). */
  points: number
}

export interface MonthBoard {
  period: string
  leagues: { league: League; lines: BoardLine[] }[]
  snapshot: BoardSnapshot
  /** Projects left out because their figures cannot be used (the office is told which and why). */
  skipped: SkippedFigures[]
}

/**
 * The monthly 赛马 board: units scored on 投资完成率 against 序时, 开工率, 入库纳统, on-time reporting and problem
 * closure, ranked per league, with Δrank against the previous month's published board.
 */
export async function monthBoard(db: Db, rules: Rules, period: string, units: UnitInfo[], publishedAt: Date): Promise<MonthBoard> {
  const { year } = monthOf(period)
  const closures = await db.all<{ unit_id: number; total: number; closed: number }>(sql`
    select p.unit_id, count(*) as total, sum(case when pr.state = 'closed' then 1 else 0 end) as closed
    from problems pr cross join projects p on p.id = pr.project_id -- problems first: far fewer than projects
    where p.year = ${year} and pr.created_at <= ${publishedAt.getTime()}
    group by p.unit_id`)
  const closureOf = new Map(closures.map((c) => [c.unit_id, c]))

  interface Acc {
    plan: Yuan
    ytd: Yuan
    target: Yuan
    planned: number
    startedPlanned: number
    started: number
    inStats: number
    onTime: number
    count: number
    colours: Record<Colour, number>
  }
  const acc = new Map<number, Acc>()
  for (const u of units)
    acc.set(u.id, {
      plan: 0,
      ytd: 0,
      target: 0,
      planned: 0,
      startedPlanned: 0,
      started: 0,
      inStats: 0,
      onTime: 0,
      count: 0,
      colours: { blue: 0, watch: 0, yellow: 0, red: 0, none: 0 },
    })
  // 序时 is the same for every project unless each has its own plan curve: work it out once.
  const uniform = rules.schedule === 'planCurve' ? null : scheduleFor(rules, { annualPlan: 1, planCurve: null }, period)
  const skipped: SkippedFigures[] = []
  await eachProjectMonth(db, period, { planCurve: rules.schedule === 'planCurve', skipped }, (p) => {
    const a = acc.get(p.unitId)
    if (!a) return
    const schedule = uniform ?? scheduleFor(rules, p, period)
    const colour = colourOf(
      { completion: completionRate(p.ytd, p.annualPlan), schedule, urgeCount: countedUrges(rules, p), previousColour: p.previousColour },
      rules.colour,
    )
    a.plan += p.annualPlan
    a.ytd += p.ytd
    // The 序时 amount of a project, in whole 元: what it should have done by now. A unit's 投资 indicator is
    // Σ 本年累计 against Σ of these, so big projects weigh by their size and nothing is a float.
    if (schedule) a.target += Math.round((p.annualPlan * schedule.num) / schedule.den)
    a.colours[colour]++
    a.count++
    if (p.onTime) a.onTime++
    if (p.plannedNewStart) {
      a.planned++
      if (p.started) a.startedPlanned++
    }
    if (p.started) {
      a.started++
      if (p.inStats) a.inStats++
    }
  })
  const inputs: UnitInput[] = units.map((u) => {
    const a = acc.get(u.id)!
    const c = closureOf.get(u.id)
    return {
      unitId: String(u.id),
      league: u.league,
      indicators: {
        investment: { actual: a.ytd, target: a.target },
        starts: { actual: a.startedPlanned, target: a.planned },
        statistics: { actual: a.inStats, target: a.started },
        onTime: { actual: a.onTime, target: a.count },
        closure: { actual: c?.closed ?? 0, target: c?.total ?? 0 },
      },
    }
  })
  const board = rankBoard(inputs, rules.scoring, (await publishedSnapshot<BoardSnapshot>(db, 'monthly', previousPeriod(period))) ?? null)
  const snapshot = snapshotBoard(board, { period, publishedAt: publishedAt.toISOString() })
  const unitById = new Map(units.map((u) => [u.id, u]))
  return {
    period,
    snapshot,
    skipped,
    leagues: board.leagues.map((l) => ({
      league: l.league,
      lines: l.rows.map((r) => {
        const id = Number(r.unitId)
        const a = acc.get(id)!
        return {
          rank: r.rank,
          deltaRank: r.deltaRank,
          unitId: id,
          unit: unitById.get(id)!.name,
          league: l.league,
          score: r.score,
          plan: a.plan,
          ytd: a.ytd,
          completion: completionRate(a.ytd, a.plan),
          schedule: a.plan > 0 ? ratio(a.target, a.plan) : null,
          colours: a.colours,
          projects: a.count,
          late: a.count - a.onTime,
          parts: r.parts.map((points, i) => ({
            key: board.indicators[i]!.key,
            label: board.indicators[i]!.label,
            weight: board.indicators[i]!.weight,
            points,
          })),
        }
      }),
    })),
  }
}

/** What board_snapshots keeps of a month: the ranking snapshot (Δrank of the next month reads it) and the lines as shown. */
export type PublishedBoard = BoardSnapshot & { board?: Pick<MonthBoard, 'leagues' | 'skipped'> }

/**
 * Stores the board as published, its lines with it (every later view of the month reads them back); a board
 * already published for the period is kept as it was.
 */
export async function publishBoard(db: Db, board: MonthBoard, at: number): Promise<boolean> {
  const data: PublishedBoard = { ...board.snapshot, board: { leagues: board.leagues, skipped: board.skipped } }
  return publishSnapshot(db, 'monthly', board.period, data, at)
}

/** All units as the board needs them. */
export async function boardUnits(db: Db): Promise<UnitInfo[]> {
  return db.all<UnitInfo>(sql`select id, name, league from units order by id`)
}

/**
 * Settles a closed month: freezes every project's colour and publishes the board. Safe to run twice; the
 * second run changes nothing.
 */
export async function settleMonth(db: Db, rules: Rules, period: string, at: Date): Promise<MonthBoard> {
  await freezeColours(db, rules, period, at.getTime())
  const board = await monthBoard(db, rules, period, await boardUnits(db), at)
  await publishBoard(db, board, at.getTime())
  return board
}
