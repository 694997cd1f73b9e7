/**
 * The monthly 通报 workbook: 总览 (totals, 序时, colours), a ranking sheet per league (the board as published),
 * 项目明细 with the colour as a cell fill, 问题台账, 督办 (open and overdue, in working days). Frozen bold headers, column widths, 万元 number formats,
 * Chinese sheet names. Runtime-free: returns the .xlsx bytes.
 */
import { WorkbookWriter, type Style } from '@cj-tech-master/excelts'
import { eq, ne } from 'drizzle-orm'
import type { Db } from '../../store/db.ts'
import { people, problems, projectColours, projects, supervisions, units } from '../../store/schema.ts'
import { loadCalendar, loadRules } from '../rules.ts'
import { monthlyBulletin } from '../bulletin.ts'
import { boardOfMonth, rulesAsPublished } from '../boards.ts'
import { boardUnits, monthBoard, monthOf, projectMonths, viewOf, type MonthBoard } from '../monthly.ts'
import { COLOUR_LABELS, type Colour } from '../../domain/colours.ts'
import { gapPoints, halfwayCheck } from '../../domain/schedule.ts'
import { formatScore } from '../../domain/scoring.ts'
import { yuanToWan } from '../../domain/money.ts'
import { localDate, localDateTime } from '../../domain/time.ts'
import { formatPercent, toPercent } from '../../domain/ratio.ts'

const FILLS: Record<Colour, string> = { blue: 'FF9BC2E6', watch: 'FFFFF2CC', yellow: 'FFFFD966', red: 'FFFF7C80', none: 'FFEDEDED' }
const STATE_LABELS: Record<string, string> = { new: '新增', assigned: '已交办', in_progress: '推进中', close_requested: '申请销号', closed: '已销号' }
const SUPERVISION_LABELS: Record<string, string> = { open: '督办中', replied: '已复函', returned: '已退回', closed: '已办结' }
/** The 通报's list sheet; the import skips it (parse.ts NOT_LISTS), though its header names 编号 and 项目. */
export const BULLETIN_SHEET = '通报事项'
/** The month by whose end half the annual plan is due (双过半: 时间过半、任务过半). */
const HALFWAY_MONTH = 6
const WAN = '#,##0.00'
const PCT = '0.00"%"'

interface Col {
  header: string
  width: number
  numFmt?: string
}

/** A cell with a style of its own (a fill, a number format) in place of its column's. */
class Styled {
  readonly value: unknown
  readonly style: Partial<Style>
  constructor(value: unknown, style: Partial<Style>) {
    this.value = value
    this.style = style
  }
}

/**
 * One sheet, written as its rows come: each row is committed to the streaming writer (rendered, zipped and
 * dropped) before the next is built, so a 20,000-project sheet is never held as cells, nor as rows and cells at once.
 */
function table(wb: WorkbookWriter, name: string, cols: Col[], rows: Iterable<unknown[]>): void {
  const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] })
  ws.columns = cols.map((c, i) => ({ header: c.header, key: `c${i}`, width: c.width, ...(c.numFmt && { style: { numFmt: c.numFmt } }) }))
  const head = ws.getRow(1)
  head.font = { bold: true }
  head.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true }
  cols.forEach((_, i) => (head.getCell(i + 1).fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDDEBF7' } }))
  head.commit()
  // One style object per column, shared by its cells: the writer dedupes styles by object identity and
  // otherwise serialises every cell's style to compare it. A shared style is replaced, never mutated.
  const styles = cols.map((c) => (c.numFmt ? { numFmt: c.numFmt } : {}))
  for (const r of rows) {
    const row = ws.addRow(r.map((v) => (v instanceof Styled ? v.value : v)))
    r.forEach((v, i) => {
      if (v instanceof Styled) row.getCell(i + 1).style = v.style
      else if (v !== null && v !== undefined && i < styles.length) row.getCell(i + 1).style = styles[i]!
    })
    row.commit()
  }
  ws.commit()
}

const shared = new Map<string, Partial<Style>>()
/** The one style object of a fill (and number format): cells take it whole, so the writer sees one style. */
function styled(argb: string, numFmt?: string): Partial<Style> {
  const key = `${argb}|${numFmt ?? ''}`
  let s = shared.get(key)
  if (!s) shared.set(key, (s = { fill: { type: 'pattern', pattern: 'solid', fgColor: { argb } }, ...(numFmt && { numFmt }) }))
  return s
}
/** Rows made one at a time as the writer takes them: 20,000 projects are not held as rows beside their views. */
function* mapRows<T>(items: readonly T[], row: (item: T) => unknown[]): Iterable<unknown[]> {
  for (const x of items) yield row(x)
}
const WAN_STYLE: Partial<Style> = { numFmt: WAN }
const PCT_STYLE: Partial<Style> = { numFmt: PCT }

/** The 通报 workbook of month `period` ('2026-10') as .xlsx bytes. */
export async function exportMonth(db: Db, period: string, now: Date, opts: { reclaim?: () => void } = {}): Promise<Uint8Array> {
  // A published month is exported as published: its board (ranks, scores, Δrank), its frozen 累计 and colours and
  // the rule it was published under; corrections and rule changes made since count from the next month.
  const rules = await rulesAsPublished(db, await loadRules(db), period)
  const board = (await boardOfMonth(db, rules, period, now)) ?? (await monthBoard(db, rules, period, await boardUnits(db), now))
  const unitNames = new Map((await db.select({ id: units.id, name: units.name }).from(units).all()).map((u) => [u.id, u.name]))
  const months = await projectMonths(db, period, { detail: true, planCurve: true })
  // what was published stays what is shown: a frozen colour wins over today's reading
  const frozen = new Map((await db.select().from(projectColours).where(eq(projectColours.period, period)).all()).map((c) => [c.projectId, c]))
  const meta = new Map(
    (
      await db
        .select({
          id: projects.id,
          totalInvestment: projects.totalInvestment,
          level: projects.level,
          stage: projects.stage,
          competentUnitId: projects.competentUnitId,
          resumedOn: projects.resumedOn,
        })
        .from(projects)
        .all()
    ).map((p) => [p.id, p]),
  )
  const views = months.map((p) => {
    const f = frozen.get(p.projectId)
    const v = viewOf(rules, f ? { ...p, ytd: f.ytdInvestment, urges: f.urgeCount, missingUrges: 0 } : p, period)
    return { ...v, colour: (f?.colour as Colour | undefined) ?? v.verdict.colour }
  })

  // The streaming writer: each sheet's rows are rendered and zipped as they are added (the in-memory Workbook
  // kept every cell of every sheet, then rendered them one XML node per write: 5 s and 700 MB for 20,000 projects).
  const wb = new WorkbookWriter({
    creator: '调度助手 Diaodu',
    lastModifiedBy: '调度助手 Diaodu',
    created: now,
    useStyles: true,
    useSharedStrings: true,
  })
  const plan = views.reduce((s, v) => s + v.annualPlan, 0)
  const ytd = views.reduce((s, v) => s + v.ytd, 0)
  const schedule = views.find((v) => v.schedule)?.schedule ?? null
  const counts: Record<Colour, number> = { blue: 0, watch: 0, yellow: 0, red: 0, none: 0 }
  for (const v of views) counts[v.colour]++
  const startLines = await startsAndHalfway(db, period, views, meta)
  table(
    wb,
    '总览',
    [
      { header: '项目', width: 24 },
      { header: '数值', width: 20 },
    ],
    [
      ['统计月份', period],
      ['项目个数', views.length],
      ['年度计划投资（万元）', new Styled(yuanToWan(plan), WAN_STYLE)],
      ['本年累计完成（万元）', new Styled(yuanToWan(ytd), WAN_STYLE)],
      ['完成率（%）', new Styled(plan > 0 ? Math.round((ytd / plan) * 10000) / 100 : null, PCT_STYLE)],
      ['序时进度（%）', new Styled(schedule ? toPercent(schedule) : null, PCT_STYLE)],
      ['已填报项目', views.filter((v) => v.reported).length],
      ...startLines,
      ...(['blue', 'watch', 'yellow', 'red'] as const).map((c) => [COLOUR_LABELS[c], counts[c]]),
      ['生成时间', localDateTime(now)],
    ],
  )

  for (const l of board.leagues) {
    table(
      wb,
      `${l.league}排名`,
      [
        { header: '排名', width: 8 },
        { header: '单位', width: 22 },
        { header: '得分', width: 10, numFmt: '0.00' },
        { header: '年度计划（万元）', width: 18, numFmt: WAN },
        { header: '本年累计（万元）', width: 18, numFmt: WAN },
        { header: '完成率（%）', width: 12, numFmt: PCT },
        { header: '较序时（百分点）', width: 16, numFmt: '0.00' },
        { header: '项目数', width: 8 },
        { header: '蓝牌', width: 8 },
        { header: '预警', width: 8 },
        { header: '黄牌', width: 8 },
        { header: '红牌', width: 8 },
        { header: '名次变化', width: 10 },
      ],
      l.lines.map((x) => [
        x.rank,
        x.unit,
        Number(formatScore(x.score, 2)),
        yuanToWan(x.plan),
        yuanToWan(x.ytd),
        x.completion ? toPercent(x.completion) : null,
        x.completion && x.schedule ? gapPoints(x.completion, x.schedule).points : null,
        x.projects,
        x.colours.blue,
        x.colours.watch,
        x.colours.yellow,
        x.colours.red,
        x.deltaRank === null ? '新' : x.deltaRank > 0 ? `↑${x.deltaRank}` : x.deltaRank < 0 ? `↓${-x.deltaRank}` : '—',
      ]),
    )
  }

  table(
    wb,
    '项目明细',
    [
      { header: '编号', width: 14 },
      { header: '名称', width: 34 },
      { header: '责任单位', width: 18 },
      { header: '主管部门', width: 18 },
      { header: '分指挥部/领域', width: 14 },
      { header: '级别', width: 8 },
      { header: '阶段', width: 8 },
      { header: '总投资（万元）', width: 16, numFmt: WAN },
      { header: '年度计划（万元）', width: 16, numFmt: WAN },
      { header: '本年累计（万元）', width: 16, numFmt: WAN },
      { header: '完成率（%）', width: 12, numFmt: PCT },
      { header: '序时（%）', width: 10, numFmt: PCT },
      { header: '较序时（百分点）', width: 14, numFmt: '0.00' },
      { header: '色牌', width: 8 },
      { header: '连续催办', width: 10 },
      { header: '填报', width: 10 },
    ],
    mapRows(views, (v) => {
      const m = meta.get(v.projectId)
      return [
        v.code,
        v.name,
        unitNames.get(v.unitId) ?? '',
        m?.competentUnitId ? (unitNames.get(m.competentUnitId) ?? '') : '',
        v.sector,
        m?.level ?? '',
        m?.stage ?? '',
        m ? yuanToWan(m.totalInvestment) : null,
        yuanToWan(v.annualPlan),
        yuanToWan(v.ytd),
        v.completion ? toPercent(v.completion) : null,
        v.schedule ? toPercent(v.schedule) : null,
        v.completion && v.schedule ? gapPoints(v.completion, v.schedule).points : null,
        new Styled(COLOUR_LABELS[v.colour], styled(FILLS[v.colour])),
        v.urges,
        v.reported ? (v.onTime ? '按时' : '逾期') : '未填报',
      ]
    }),
  )

  const rows = await db
    .select({ p: problems, projectName: projects.name, unitName: units.name })
    .from(problems)
    .innerJoin(projects, eq(projects.id, problems.projectId))
    .leftJoin(units, eq(units.id, problems.assigneeUnitId))
    .orderBy(problems.id)
    .all()
  table(
    wb,
    '问题台账',
    [
      { header: '编号', width: 8 },
      { header: '项目', width: 30 },
      { header: '问题', width: 44 },
      { header: '状态', width: 10 },
      { header: '责任单位', width: 18 },
      { header: '办理时限', width: 12 },
      { header: '通报次数', width: 10 },
      { header: '提出时间', width: 18 },
    ],
    rows.map((r) => [
      `#${r.p.id}`,
      r.projectName,
      r.p.description,
      STATE_LABELS[r.p.state] ?? r.p.state,
      r.unitName ?? '',
      r.p.dueOn ?? '',
      r.p.noticeCount,
      localDateTime(new Date(r.p.createdAt)),
    ]),
  )

  await supervisionSheet(db, wb, now)
  await bulletinSheet(db, wb, period, now, board)

  // the month's figures are written now: a runtime that can collect (Node) drops them before the zip is finished
  opts.reclaim?.()
  await wb.commit()
  return (wb.stream as unknown as { toBuffer(): Uint8Array | null }).toBuffer() ?? new Uint8Array()
}

/**
 * 通报事项: what the month's 通报 names (services/bulletin.ts, frozen once the month is published): red and
 * yellow projects, the four 督查 kinds, no 实质性进展 for two months, open 约谈 and the meeting's 表态 list.
 */
async function bulletinSheet(db: Db, wb: WorkbookWriter, period: string, now: Date, board: MonthBoard) {
  // the board built above for the ranking sheets, not built a second time (a published month's 通报 has its own)
  const b = await monthlyBulletin(db, await loadRules(db), period, now, { board })
  const rows: (string | null)[][] = []
  const projects = (label: string, items: { code: string; name: string; unit: string; detail: string }[]) => {
    for (const x of items) rows.push([label, x.code, x.name, x.unit, x.detail])
  }
  projects('红牌', b.red)
  projects('黄牌', b.yellow)
  for (const i of b.inspections) projects(i.label, i.items)
  projects('两个月无实质性进展', b.stalled)
  for (const x of b.interviews) rows.push(['约谈（未完成）', null, x.project, null, `${x.commander}，${x.dueOn} 前`])
  for (const x of b.pledges) rows.push(['表态发言', null, x.project, null, `${x.speaker}${x.meetingOn ? `，${x.meetingOn}` : ''}`])
  table(
    wb,
    BULLETIN_SHEET,
    [
      { header: '类别', width: 26 },
      { header: '编号', width: 14 },
      { header: '项目', width: 34 },
      { header: '责任单位', width: 18 },
      { header: '情况', width: 50 },
    ],
    rows,
  )
}

type Meta = Map<number, { resumedOn: string | null }>

/**
 * The 总览's 开复工 and 双过半 lines: 计划新开工 started (开工率), 续建 resumed (复工), and whether half the annual
 * plan was done by the end of June — June's own figures once June is past, the month's so far before.
 */
async function startsAndHalfway(
  db: Db,
  period: string,
  views: { projectId: number; plannedNewStart: boolean; started: boolean; annualPlan: number; ytd: number }[],
  meta: Meta,
): Promise<[string, string | number][]> {
  const planned = views.filter((v) => v.plannedNewStart)
  const started = planned.filter((v) => v.started).length
  const continuing = views.filter((v) => !v.plannedNewStart)
  const resumed = continuing.filter((v) => v.started || meta.get(v.projectId)?.resumedOn).length
  const rate = (a: number, b: number) => (b > 0 ? `${Math.round((a / b) * 1000) / 10}%` : '—')
  const { year, month } = monthOf(period)
  const june = month >= HALFWAY_MONTH ? await projectMonths(db, `${year}-${String(HALFWAY_MONTH).padStart(2, '0')}`) : views
  const half = halfwayCheck(
    june.reduce((s, v) => s + v.ytd, 0),
    june.reduce((s, v) => s + v.annualPlan, 0),
  )
  const projectsMet = june.filter((v) => v.annualPlan > 0 && v.ytd * 2 >= v.annualPlan).length
  const halfway =
    half === null
      ? '—'
      : month >= HALFWAY_MONTH
        ? `${half.met ? '已实现' : '未实现'}（1—${HALFWAY_MONTH}月完成 ${formatPercent(half.completion)}，${projectsMet}/${june.length} 个项目过半）`
        : `${HALFWAY_MONTH}月底前完成年度计划 50%：目前 ${formatPercent(half.completion)}，${projectsMet}/${june.length} 个项目已过半`
  return [
    ['计划新开工项目', planned.length],
    ['其中已开工', started],
    ['开工率', rate(started, planned.length)],
    ['续建项目', continuing.length],
    ['其中已复工', resumed],
    ['复工率', rate(resumed, continuing.length)],
    ['双过半', halfway],
  ]
}

/**
 * 督办: every 督办 not yet 办结, overdue first, with its state and how many working days are left to its due date
 * (or how many it is past), by the county's working-day calendar.
 */
async function supervisionSheet(db: Db, wb: WorkbookWriter, now: Date) {
  const calendar = await loadCalendar(db)
  const today = localDate(now)
  const rows = await db
    .select({ s: supervisions, projectName: projects.name, unitName: units.name, issuer: people.name })
    .from(supervisions)
    .innerJoin(projects, eq(projects.id, supervisions.projectId))
    .leftJoin(units, eq(units.id, projects.unitId))
    .leftJoin(people, eq(people.id, supervisions.issuedBy))
    .where(ne(supervisions.state, 'closed'))
    .orderBy(supervisions.dueOn, supervisions.id)
    .all()
  const lines = rows.map((r) => {
    const left = calendar.workdaysBetween(today, r.s.dueOn)
    const overdue = r.s.state !== 'replied' && r.s.dueOn < today
    return { r, left, overdue }
  })
  lines.sort((a, b) => Number(b.overdue) - Number(a.overdue))
  table(
    wb,
    '督办',
    [
      { header: '编号', width: 8 },
      { header: '项目', width: 30 },
      { header: '责任单位', width: 18 },
      { header: '督办事项', width: 44 },
      { header: '督办领导', width: 10 },
      { header: '下达时间', width: 18 },
      { header: '办理时限', width: 12 },
      { header: '剩余工作日', width: 12 },
      { header: '状态', width: 16 },
      { header: '通报次数', width: 10 },
      { header: '复函', width: 40 },
    ],
    lines.map(({ r, left, overdue }) => [
      `#${r.s.id}`,
      r.projectName,
      r.unitName ?? '',
      r.s.matter,
      r.issuer ?? '',
      localDateTime(new Date(r.s.issuedAt)),
      r.s.dueOn,
      r.s.state === 'replied' ? null : left,
      overdue ? new Styled(`已逾期 ${-left} 个工作日`, styled(FILLS.red)) : (SUPERVISION_LABELS[r.s.state] ?? r.s.state),
      r.s.noticeCount,
      r.s.reply ?? '',
    ]),
  )
}
