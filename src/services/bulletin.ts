/**
 * The monthly 通报 (zhangzi-2020 「一月一督导、一月一通报」), as plain typed data for the card and the Excel export:
 * totals and 序时, colours with the red and yellow projects named, 前三 / 后三 per league, the four 督查 kinds
 * (谋划项目前期工作未按时完成、计划开工项目未按时开工、在建项目未按时竣工、调度任务未按时落实), projects without
 * 实质性进展 for two months (county-2023), open 约谈 and the next meeting's 表态 list.
 *
 * What was published is what is kept: once a month's board is published, the first 通报 built for it is frozen
 * (store/repos/bulletins.ts) and every later call returns that copy, byte for byte, whatever is corrected or
 * closed afterwards.
 */
import { sql } from 'drizzle-orm'
import type { Db } from '../store/db.ts'
import type { Rules } from './rules.ts'
import { boardUnits, monthBoard, projectMonths, type BoardLine, type MonthBoard } from './monthly.ts'
import { publishedMonthBoard, redYellowList } from './boards.ts'
import { formatPercent, ratio } from '../domain/ratio.ts'
import { completionRate, describeGap, gapPoints } from '../domain/schedule.ts'
import type { Colour } from '../domain/colours.ts'
import { formatScore } from '../domain/scoring.ts'
import { localDate } from '../domain/time.ts'
import { previous, range } from '../domain/periods.ts'
import { openInterviews, pledgesFor } from '../store/repos/interviews.ts'
import { freezeBulletin, frozenBulletin } from '../store/repos/bulletins.ts'

/** The 赛马 前三 / 后三 of one league in a 通报 (leagues are never ranked together). */
export interface BulletinLeague {
  league: string
  top: string[]
  bottom: string[]
}

/** A project a 通报 names, with why (「计划5月1日开工」, 「落后序时 12.3 个百分点」). */
export interface BulletinProject {
  code: string
  name: string
  unit: string
  detail: string
}

/** The four 督查 kinds of zhangzi-2020, in its order. */
export const INSPECTION_KINDS = {
  preparation: '谋划项目前期工作未按时完成',
  start: '计划开工项目未按时开工',
  finish: '在建项目未按时竣工',
  task: '调度任务未按时落实',
} as const
export type InspectionKind = keyof typeof INSPECTION_KINDS

export interface BulletinInspection {
  kind: InspectionKind
  label: string
  items: BulletinProject[]
}

export interface Bulletin {
  period: string
  /** The day the 督查 items are judged as of (the 通报's day; frozen with it). */
  asOf: string
  plan: number
  ytd: number
  completion: string
  schedule: string
  gap: string
  colours: Record<Colour, number>
  /** The three best and worst units of the whole county (kept for old callers; cards show `leagues`). */
  top: string[]
  bottom: string[]
  /** 前三 / 后三 of each league in board order: 乡镇, 开发区 and 县直部门 are never ranked together. */
  leagues: BulletinLeague[]
  late: string[]
  openProblems: number
  overdueProblems: number
  red: BulletinProject[]
  yellow: BulletinProject[]
  inspections: BulletinInspection[]
  /** county-2023 「具备开工条件两个月内无实质性进展」: no 本年累计 growth over the last two months. */
  stalled: BulletinProject[]
  /** 约谈 not yet held (yellow cards), and the 表态发言 list of the 指挥部 meeting after this month (red cards). */
  interviews: { project: string; commander: string; dueOn: string }[]
  pledges: { project: string; speaker: string; meetingOn: string | null }[]
  /** When the copy was frozen (published months), else null. */
  frozenAt: number | null
  board: MonthBoard
}

const lastDay = (period: string) => range(period).end
const md = (d: string) => `${Number(d.slice(5, 7))}月${Number(d.slice(8, 10))}日`

/** The four 督查 kinds as of the month's end (dates) and `today` (overdue tasks). */
async function inspections(db: Db, period: string, today: string): Promise<BulletinInspection[]> {
  const end = lastDay(period)
  const year = Number(period.slice(0, 4))
  const rows = await db.all<{
    code: string
    name: string
    unit: string
    stage: string
    planned_new_start: number
    planned_start: string | null
    planned_finish: string | null
    started_on: string | null
    resumed_on: string | null
  }>(sql`
    select p.code, p.name, u.name as unit, p.stage, p.planned_new_start, p.planned_start, p.planned_finish, p.started_on, p.resumed_on
    from projects p join units u on u.id = p.unit_id
    where p.active = 1 and p.year = ${year} order by p.unit_id, p.id`)
  const started = (r: (typeof rows)[number]) => (r.started_on !== null && r.started_on <= end) || (r.resumed_on !== null && r.resumed_on <= end)
  const item = (r: (typeof rows)[number], detail: string): BulletinProject => ({ code: r.code, name: r.name, unit: r.unit, detail })
  const preparing = ['谋划', '储备', '前期']
  const building = ['新开工', '续建']
  const due = (d: string | null): d is string => d !== null && d <= end
  const preparation = rows
    .filter((r) => !r.planned_new_start && preparing.includes(r.stage) && due(r.planned_start) && !started(r))
    .map((r) => item(r, `仍处${r.stage}阶段，原定${md(r.planned_start!)}完成前期具备开工条件`))
  const start = rows
    .filter((r) => r.planned_new_start && due(r.planned_start) && !started(r))
    .map((r) => item(r, `计划${md(r.planned_start!)}开工，尚未开工`))
  const finish = rows
    .filter((r) => (building.includes(r.stage) || started(r)) && !['竣工', '投产'].includes(r.stage) && due(r.planned_finish))
    .map((r) => item(r, `计划${md(r.planned_finish!)}竣工，尚未竣工`))
  // 调度任务: 交办 problems and 督办 past their date and still open, as of the 通报's day.
  const tasks = await db.all<{ code: string; name: string; unit: string; what: string; due_on: string }>(sql`
    select p.code, p.name, u.name as unit, '问题 #' || q.id || ' ' || q.description as what, q.due_on
    from problems q join projects p on p.id = q.project_id join units u on u.id = p.unit_id
    where q.state != 'closed' and q.due_on is not null and q.due_on < ${today}
    union all
    select p.code, p.name, u.name as unit, '督办 D' || s.id || ' ' || s.matter as what, coalesce(s.reply_due_on, s.due_on) as due_on
    from supervisions s join projects p on p.id = s.project_id join units u on u.id = p.unit_id
    where s.state in ('open', 'returned') and coalesce(s.reply_due_on, s.due_on) < ${today}`)
  tasks.sort((a, b) => a.due_on.localeCompare(b.due_on) || a.code.localeCompare(b.code))
  const task = tasks.map((t) => ({ code: t.code, name: t.name, unit: t.unit, detail: `${t.what}（${md(t.due_on)}到期）` }))
  return (
    [
      ['preparation', preparation],
      ['start', start],
      ['finish', finish],
      ['task', task],
    ] as const
  ).map(([kind, items]) => ({ kind, label: INSPECTION_KINDS[kind], items: [...items] }))
}

/** No 本年累计 growth over the two months to `period` (the year's start when it began less than two months ago). */
async function stalledProjects(db: Db, period: string): Promise<BulletinProject[]> {
  const units = new Map((await boardUnits(db)).map((u) => [u.id, u.name]))
  const now = await projectMonths(db, period, { detail: true })
  const twoBefore = previous(previous(period))
  const sameYear = twoBefore.slice(0, 4) === period.slice(0, 4)
  const before = sameYear ? new Map((await projectMonths(db, twoBefore)).map((p) => [p.projectId, p.ytd])) : new Map<number, number>()
  const end = lastDay(period)
  const rows = await db.all<{ id: number; stage: string; ready: number }>(sql`
    select id, stage, (coalesce(started_on <= ${end}, 0) or coalesce(resumed_on <= ${end}, 0) or coalesce(planned_start <= ${end}, 0)) as ready
    from projects where active = 1`)
  const info = new Map(rows.map((r) => [r.id, r]))
  return now
    .filter((p) => {
      const r = info.get(p.projectId)
      return r && r.ready && !['竣工', '投产'].includes(r.stage) && p.ytd <= (before.get(p.projectId) ?? 0)
    })
    .map((p) => ({ code: p.code, name: p.name, unit: units.get(p.unitId) ?? '', detail: '近两个月本年累计投资无增长' }))
}

/**
 * The 通报 of `period` as of `now`; for a published month, the copy frozen at its first build (built and frozen
 * now when there is none yet). `opts.board`: the month's live board as the caller already built it for `now`
 * (monthBoard with boardUnits; the export does), used instead of building it again when the month is not published.
 */
export async function monthlyBulletin(db: Db, rules: Rules, period: string, now: Date, opts: { board?: MonthBoard } = {}): Promise<Bulletin> {
  const kept = await frozenBulletin<Bulletin>(db, period)
  if (kept) return kept
  const published = await publishedMonthBoard(db, rules, period)
  const b = await buildBulletin(db, rules, period, now, published ?? opts.board)
  if (!published) return b
  const frozen = { ...b, frozenAt: now.getTime() }
  await freezeBulletin(db, period, frozen, now.getTime())
  return (await frozenBulletin<Bulletin>(db, period)) ?? frozen
}

async function buildBulletin(db: Db, rules: Rules, period: string, now: Date, built: MonthBoard | undefined): Promise<Bulletin> {
  const board = built ?? (await monthBoard(db, rules, period, await boardUnits(db), now))
  const lines = board.leagues.flatMap((l) => l.lines)
  const plan = lines.reduce((s, l) => s + l.plan, 0)
  const ytd = lines.reduce((s, l) => s + l.ytd, 0)
  const colours: Record<Colour, number> = { blue: 0, watch: 0, yellow: 0, red: 0, none: 0 }
  for (const l of lines) for (const c of Object.keys(colours) as Colour[]) colours[c] += l.colours[c]
  const completion = completionRate(ytd, plan)
  // 序时 of the county: Σ (plan × 序时) ÷ Σ plan, the same weighting the board uses.
  const target = lines.reduce((s, l) => s + (l.schedule ? Math.round((l.plan * l.schedule.num) / l.schedule.den) : 0), 0)
  const schedule = plan > 0 ? ratio(target, plan) : null
  const ranked = [...lines].sort((a, b) => b.score - a.score)
  const today = localDate(now)
  const problems = await db.get<{ open: number; overdue: number }>(sql`
    select count(*) as open, coalesce(sum(case when due_on is not null and due_on < ${today} then 1 else 0 end), 0) as overdue
    from problems where state != 'closed'`)
  const colourList = await redYellowList(db, rules, period)
  return {
    period,
    asOf: today,
    plan,
    ytd,
    completion: completion ? formatPercent(completion) : '—',
    schedule: schedule ? formatPercent(schedule) : '—',
    gap: completion && schedule ? describeGap(gapPoints(completion, schedule)) : '—',
    colours,
    top: ranked.slice(0, 3).map((l) => `${l.unit}（${formatScore(l.score)}分）`),
    bottom: ranked
      .slice(-3)
      .reverse()
      .map((l) => `${l.unit}（${formatScore(l.score)}分）`),
    leagues: board.leagues.filter((l) => l.lines.length > 0).map((l) => leagueEnds(l.lines)),
    late: lines.filter((l) => l.late > 0).map((l) => `${l.unit}（${l.late}个）`),
    openProblems: problems?.open ?? 0,
    overdueProblems: problems?.overdue ?? 0,
    red: colourList.filter((x) => x.colour === 'red').map(({ code, name, unit, detail }) => ({ code, name, unit, detail })),
    yellow: colourList.filter((x) => x.colour === 'yellow').map(({ code, name, unit, detail }) => ({ code, name, unit, detail })),
    inspections: await inspections(db, period, today),
    stalled: await stalledProjects(db, period),
    interviews: (await openInterviews(db)).map((i) => ({ project: i.projectName, commander: i.commanderName, dueOn: i.dueOn })),
    pledges: (await pledgesFor(db, period)).map((p) => ({ project: p.projectName, speaker: p.speakerName, meetingOn: p.meetingOn })),
    frozenAt: null,
    board,
  }
}

/**
 * A league's 前三 and 后三, best first and worst first, in its own ranking: a league of 4 has its best 2 and worst 2,
 * of 1 only its best, so nobody is named on both ends.
 */
export function leagueEnds(lines: readonly Pick<BoardLine, 'unit' | 'score' | 'league'>[]): { league: string; top: string[]; bottom: string[] } {
  const label = (l: Pick<BoardLine, 'unit' | 'score'>) => `${l.unit}（${formatScore(l.score)}分）`
  const n = lines.length
  const top = lines.slice(0, Math.min(3, Math.ceil(n / 2)))
  const bottom = lines.slice(n - Math.min(3, Math.floor(n / 2))).reverse()
  return { league: lines[0]?.league ?? '', top: top.map(label), bottom: bottom.map(label) }
}
