/**
 * The cards the bot sends, in the neutral model. Each builder is the single definition of one kind of card;
 * the channels render them (Feishu card JSON 2.0, local HTML, WeCom template_card). Builders take plain
 * values, never the database, so the dispatch clock and the conversation share them.
 */
import type { Button, Card, CardColour, CardElement, Mention } from '../model/index.ts'
import type { Person } from '../store/repos/directory.ts'
import type { Project } from '../store/repos/projects.ts'
import type { Report, Round } from '../store/repos/rounds.ts'
import type { BoardLine, MonthBoard, MonthView } from '../services/monthly.ts'
import type { Bulletin } from '../services/bulletin.ts'
import type { RedYellowItem } from '../services/boards.ts'
import type { ReportValues } from '../services/reporting.ts'
import { DEFAULT_COUNTY, type CountyNames } from '../services/rules.ts'
import { MAX_AMOUNT_YUAN, formatWan } from '../domain/money.ts'
import { LIMITS, capList, cell, clip, inert, markup, md, plainText } from './text.ts'
import { formatPercent } from '../domain/ratio.ts'
import { describeGap, gapPoints } from '../domain/schedule.ts'
import { COLOUR_LABELS, type Colour } from '../domain/colours.ts'
import { DEFAULT_INDICATORS, formatScore } from '../domain/scoring.ts'
import { shanghaiParts } from '../domain/time.ts'

/** Card header colour for a project colour. */
export const COLOUR_HEADER: Record<Colour, CardColour> = { blue: 'blue', watch: 'orange', yellow: 'yellow', red: 'red', none: 'grey' }

/** '12,345.68 万元', or '—' when there is no figure. */
export const wan = (yuan: number | null | undefined) => (yuan === null || yuan === undefined ? '—' : `${formatWan(yuan)} 万元`)
/**
 * '83.33%', or '—' when there is no ratio. A ratio too large for fixed point (a plan of 1 元 against real
 * figures, 10^12 %) shows 「超出范围」 instead of failing the whole card.
 */
export const pct = (r: { num: number; den: number } | null) => {
  if (!r) return '—'
  try {
    return formatPercent(r)
  } catch {
    return '超出范围'
  }
}
/** A figure a person gave, marked when it is past what can be stored (the check refuses it; the card says why). */
const figure = (yuan: number | null | undefined) =>
  yuan !== null && yuan !== undefined && Math.abs(yuan) > MAX_AMOUNT_YUAN ? `${wan(yuan)}（超出上限）` : wan(yuan)
/** A project's name in a title: clipped, plain. */
const titleName = (name: string) => cell(name, LIMITS.title)
/** A table's rows cut to `max`, and the note saying how many were left out. */
function capRows<T>(rows: readonly T[], max: number = LIMITS.rows): { rows: T[]; note: CardElement[] } {
  if (rows.length <= max) return { rows: [...rows], note: [] }
  return { rows: rows.slice(0, max), note: [{ kind: 'note', text: `仅显示前 ${max} 行，另有 ${rows.length - max} 行未显示` }] }
}
/** What marks demo data wherever people read it (cards, CLI, pages). */
export const DEMO_MARK = '【演示数据】'

/** The 【演示数据】 footnote every card carries while the database holds the demo county. */
export const demoNote = (demo: boolean): CardElement[] => (demo ? [{ kind: 'note', text: `${DEMO_MARK} 以上为演示县数据` }] : [])

/** '11月28日 18:00' in Shanghai time. */
export function formatDeadline(ms: number): string {
  const p = shanghaiParts(new Date(ms))
  return `${p.month}月${p.day}日 ${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`
}

/** '2026-10' → '2026年10月'; a weekly key stays as written. */
export function periodLabel(period: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(period)
  return m ? `${m[1]}年${Number(m[2])}月` : period
}

/** '2026-12-07' → '12月7日' (the one date format on cards, with formatDeadline's 「12月7日 18:00」); anything else as written. */
export function formatDay(date: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date)
  return m ? `${Number(m[2])}月${Number(m[3])}日` : date
}

/** 开工 / 复工 and 入库 of a report as people write them: 「3月15日开工」, 「10月20日入库纳统」, or 「—」. */
export function startText(v: Pick<ReportValues, 'startStatus' | 'startedOn'>): string {
  if (!v.startStatus) return '—'
  return `${v.startedOn ? formatDay(v.startedOn) : ''}${v.startStatus === 'started' ? '开工' : '复工'}`
}
export const statsText = (v: Pick<ReportValues, 'statsOn'>) => (v.statsOn ? `${formatDay(v.statsOn)}入库纳统` : '—')

/** A unit's 蓝/黄/红 projects as colour chips: 「🔵3 🟡1 🔴0」. */
export const colourChips = (c: Pick<Record<Colour, number>, 'blue' | 'yellow' | 'red'>) => `🔵${c.blue} 🟡${c.yellow} 🔴${c.red}`

/** 较序时 with its sign and unit: 「+3.21 个百分点」, 「-17.68 个百分点」; '—' without figures. */
export function gapText(completion: { num: number; den: number } | null, schedule: { num: number; den: number } | null): string {
  if (!completion || !schedule) return '—'
  const g = gapPoints(completion, schedule)
  return `${g.sign > 0 ? '+' : ''}${g.pointsText} 个百分点`
}

/**
 * The score in one plain sentence, from the indicators the board was scored on: 「得分按五项计：投资完成率（对照序时
 * 进度）40 分、开工率 20 分…；同一组别内比名次」.
 */
export function scoreExplanation(indicators: readonly { key: string; label: string; weight: number }[]): string {
  const parts = indicators.map((i) => `${i.label}${i.key === 'investment' ? '（对照序时进度）' : ' '}${i.weight} 分`)
  const count = '一二三四五六七八九十'[parts.length - 1] ?? String(parts.length)
  return `得分按${count}项计：${parts.join('、')}；同一组别内比名次`
}

const roundLabel = (r: Round) =>
  r.kind === 'monthly' ? `${periodLabel(r.period)}调度` : r.kind === 'weekly' ? `${r.period} 周调度` : `${r.period} 旬调度`

/** Help lists what this person may do (one line per command they may run), with a few buttons. */
export function helpCard(name: string, lines: string[], buttons: Button[], demo = false, county: CountyNames = DEFAULT_COUNTY): Card {
  return {
    template: 'help',
    colour: 'blue',
    title: '调度助手 · 使用帮助',
    subtitle: `${cell(name)}，您可以：`,
    elements: [
      { kind: 'markdown', text: lines.join('\n') },
      { kind: 'note', text: md`有疑问请联系${clip(county.office, LIMITS.name)}` },
      ...demoNote(demo),
      { kind: 'actions', buttons },
    ],
  }
}

/** A unit at a glance (查 单位): its projects with colours, and where it stands on the board. */
export function unitStatusCard(
  unit: { name: string; league: string },
  period: string,
  line: Pick<BoardLine, 'rank' | 'completion' | 'schedule'> | undefined,
  views: (MonthView & { name: string })[],
  demo: boolean,
): Card {
  const { rows, note } = capRows(
    views.map((v) => ({
      name: cell(v.name),
      ytd: formatWan(v.ytd),
      completion: pct(v.completion),
      colour: COLOUR_LABELS[v.verdict.colour],
      reported: v.reported ? '已报' : '未报',
    })),
  )
  return {
    template: 'unit-status',
    colour: 'blue',
    title: `${titleName(unit.name)} · ${periodLabel(period)}`,
    subtitle: line ? `${cell(unit.league)}第 ${line.rank} 名，完成率 ${pct(line.completion)}，序时 ${pct(line.schedule)}` : cell(unit.league),
    elements: [
      {
        kind: 'table',
        columns: [
          { key: 'name', label: '项目' },
          { key: 'ytd', label: '本年累计(万元)', numeric: true },
          { key: 'completion', label: '完成率' },
          { key: 'colour', label: '色牌' },
          { key: 'reported', label: '本月' },
        ],
        rows,
      },
      ...note,
      ...demoNote(demo),
    ],
  }
}

/** A round's report of a project: its prompt and receipt cards are refreshed when a version is stored. */
export const reportSubject = (roundId: number, projectId: number) => `report:${roundId}:${projectId}`
/**
 * Cards that should show a round's latest receipt for a project: receipts of earlier versions, and drafts or 本月/累计
 * questions waiting for 确认 (no 确认提交 stays on them once a version is stored).
 */
export const receiptSubject = (roundId: number, projectId: number) => `report-receipt:${roundId}:${projectId}`

export interface PromptData {
  project: Project
  round: Round
  /** Last period's report, to prefill 累计 and 形象进度. */
  previous: Report | null
  /** This round's current report when editing. */
  current: Report | null
  openProblems: { id: number; description: string }[]
  demo: boolean
}

/** The 调度 card: a form prefilled with last period's figures. */
export function reportPromptCard(d: PromptData): Card {
  const base = d.current ?? d.previous
  // 开复工 / 入库 as this round's version says, else as the project stands (a start stated in an earlier round).
  const year = d.round.period.slice(0, 4)
  const start = d.current?.startStatus
    ? { status: d.current.startStatus, on: d.current.startedOn }
    : d.project.startedOn
      ? { status: 'started', on: d.project.startedOn }
      : d.project.resumedOn?.startsWith(year)
        ? { status: 'resumed', on: d.project.resumedOn }
        : null
  const statsOn = d.current ? d.current.statsOn : d.project.statsOn
  const inStats = d.current ? d.current.statsOn !== null : d.project.inStats
  const yuanToWanText = (y: number | null | undefined) => (y === null || y === undefined ? undefined : formatWan(y, 4, false).replace(/\.?0+$/, ''))
  const problems = capList(d.openProblems.map((p) => `#${p.id} ${clip(p.description, LIMITS.line)}`)).join('；')
  // Prefilled inputs are cut to what a Feishu input holds; the submit handler keeps the stored text when the cut
  // value comes back unchanged (restoreClipped in ./text.ts).
  const initial = (text: string | null | undefined) => (text ? plainText(clip(text, LIMITS.input)) : undefined)
  return {
    template: 'report-prompt',
    subject: reportSubject(d.round.id, d.project.id),
    colour: d.current ? 'turquoise' : 'blue',
    title: `${roundLabel(d.round)} · ${titleName(d.project.name)}`,
    subtitle: `请于 ${formatDeadline(d.round.deadlineAt)} 前填报${d.current ? '（已填报，可修改）' : ''}`,
    elements: [
      {
        kind: 'fields',
        fields: [
          { label: '项目编号', value: inert(clip(d.project.code, LIMITS.name)) },
          { label: '年度计划投资', value: wan(d.project.annualPlan) },
          { label: '上期本年累计', value: wan(d.previous?.ytdInvestment) },
          { label: '上期形象进度', value: inert(clip(d.previous?.progressText, LIMITS.text)) || '—' },
        ],
      },
      ...(problems ? [{ kind: 'markdown' as const, text: md`**未销号问题**：${problems}` }] : []),
      {
        kind: 'form',
        name: 'report',
        inputs: [
          {
            name: 'period',
            label: `本${d.round.kind === 'weekly' ? '周' : '月'}完成投资（万元）`,
            kind: 'number',
            initial: d.current ? yuanToWanText(d.current.periodInvestment) : undefined,
            placeholder: '例如 1200',
          },
          {
            name: 'ytd',
            label: '本年累计完成投资（万元）',
            kind: 'number',
            required: true,
            initial: yuanToWanText(base?.ytdInvestment),
            placeholder: '例如 8600',
          },
          { name: 'progress', label: '形象进度', kind: 'text', initial: initial(base?.progressText), placeholder: '例如 主体封顶' },
          { name: 'percent', label: '形象进度（%）', kind: 'number', initial: base?.progressPercent?.toString() },
          {
            name: 'start',
            label: '开复工情况',
            kind: 'select',
            initial: start?.status ?? 'none',
            options: [
              { value: 'none', label: '未开工' },
              { value: 'started', label: '已开工（新建）' },
              { value: 'resumed', label: '已复工（续建）' },
            ],
          },
          { name: 'startedOn', label: '开工/复工日期', kind: 'date', initial: start?.on ?? undefined },
          {
            name: 'stats',
            label: '入库纳统',
            kind: 'select',
            initial: inStats ? 'in' : 'none',
            options: [
              { value: 'none', label: '未入库' },
              { value: 'in', label: '已入库纳统' },
            ],
          },
          { name: 'statsOn', label: '入库日期', kind: 'date', initial: statsOn ?? undefined },
          { name: 'problems', label: '存在问题（多个用；分隔，无则留空）', kind: 'multiline', initial: initial(d.current?.problemsText) },
          { name: 'coordination', label: '需协调事项', kind: 'multiline', initial: initial(d.current?.coordination) },
          { name: 'nextSteps', label: '下步计划', kind: 'multiline', initial: initial(d.current?.nextSteps) },
          { name: 'reason', label: '更正说明（累计低于上期时必填）', kind: 'text' },
        ],
        submit: {
          label: d.current ? '提交修改' : '提交',
          style: 'primary',
          command: 'submitReport',
          args: { projectId: d.project.id, roundId: d.round.id },
        },
      },
      ...demoNote(d.demo),
    ],
  }
}

/** Echo of a free-text reply: what was understood, what changes (old → new), what is missing or refused; confirm or correct. */
export function reportConfirmCard(
  project: Project,
  round: Round,
  v: ReportValues,
  missing: string[],
  warnings: string[],
  opts: { before?: ReportValues | null; errors?: string[]; question?: string | null } = {},
): Card {
  const errors = opts.errors ?? []
  const ready = v.ytdInvestment !== null && missing.length === 0 && errors.length === 0
  const before = opts.before ?? null
  const progress = (x: ReportValues) =>
    inert([clip(x.progressText, LIMITS.text), x.progressPercent === null ? '' : `${x.progressPercent}%`].filter(Boolean).join(' ')) || '—'
  const problems = (x: ReportValues) =>
    x.problems.length ? inert(capList(x.problems.map((p, i) => `${i + 1}. ${clip(p, LIMITS.line)}`)).join('\n')) : '无'
  const text = (s: string) => inert(clip(s, LIMITS.text)) || '—'
  // Each field as it will be stored; 「旧 → 新」 where it changes what is stored (or the draft being corrected).
  const field = (label: string, show: (x: ReportValues) => string, always = true) => {
    const now = show(v)
    if (!before) return always || now !== '—' ? [{ label, value: now }] : []
    const old = show(before)
    if (old === now) return always || now !== '—' ? [{ label, value: now }] : []
    return [{ label, value: `${old} → ${now}` }]
  }
  return {
    template: 'report-confirm',
    subject: receiptSubject(round.id, project.id),
    colour: errors.length ? 'red' : ready && !opts.question ? 'wathet' : 'orange',
    title: `请确认 · ${titleName(project.name)}`,
    subtitle: `${roundLabel(round)}，我理解的内容如下${before ? '（「→」后为修改后的内容）' : ''}`,
    elements: [
      {
        kind: 'fields',
        fields: [
          ...field('本期完成投资', (x) => figure(x.periodInvestment)),
          ...field('本年累计', (x) => figure(x.ytdInvestment)),
          ...field('形象进度', progress),
          ...field('开复工', startText, false),
          ...field('入库纳统', statsText, false),
          ...field('存在问题', problems),
          ...field('需协调事项', (x) => text(x.coordination), false),
          ...field('下步计划', (x) => text(x.nextSteps), false),
        ],
      },
      ...(errors.length
        ? [
            {
              kind: 'markdown' as const,
              text: md`**不能登记**：${capList(
                errors.map((e) => clip(e, LIMITS.text)),
                5,
              ).join('；')}。请改写后再确认。`,
            },
          ]
        : []),
      ...(missing.length
        ? [
            {
              kind: 'markdown' as const,
              text: md`**还缺**：${capList(
                missing.map((m) => clip(m, LIMITS.name)),
                5,
              ).join('、')}。请补充后再确认，例如「本年累计8600万元」。`,
            },
          ]
        : []),
      ...(warnings.length ? [{ kind: 'markdown' as const, text: inert(capList(warnings.map((w) => `⚠️ ${clip(w, LIMITS.text)}`)).join('\n')) }] : []),
      ...(ready && opts.question ? [{ kind: 'markdown' as const, text: inert(`❓ ${clip(opts.question, LIMITS.text)}`) }] : []),
      {
        kind: 'actions',
        buttons: [
          ...(ready && !opts.question ? [{ label: '确认提交', style: 'primary' as const, command: 'confirm' as const }] : []),
          ...(ready && opts.question
            ? [
                { label: '本月数正确', style: 'primary' as const, command: 'confirm' as const, args: { trust: 'period' } },
                { label: '累计数正确', command: 'confirm' as const, args: { trust: 'ytd' } },
              ]
            : []),
          { label: '用表单填写', command: 'report', args: { target: project.code } },
          { label: '取消', command: 'cancel' },
        ],
      },
    ],
  }
}

/** What a contact sees after submitting: the figures with 完成率, 序时 and the colour. */
export function receiptCard(project: Project, round: Round, report: Report, view: MonthView, demo: boolean): Card {
  const gap = view.completion && view.schedule ? describeGap(gapPoints(view.completion, view.schedule)) : '—'
  return {
    template: 'receipt',
    subject: receiptSubject(round.id, project.id),
    colour: COLOUR_HEADER[view.verdict.colour],
    title: `已收到 · ${titleName(project.name)}`,
    subtitle: `${roundLabel(round)}，第 ${report.version} 版${report.version > 1 ? '（已修改）' : ''}`,
    elements: [
      {
        kind: 'fields',
        fields: [
          { label: '本期完成投资', value: wan(report.periodInvestment) },
          { label: '本年累计', value: wan(report.ytdInvestment) },
          { label: '完成率', value: pct(view.completion) },
          { label: '序时进度', value: pct(view.schedule) },
          { label: '较序时', value: gap },
          { label: '当前色牌', value: COLOUR_LABELS[view.verdict.colour] },
          ...(report.startStatus === 'started' || report.startStatus === 'resumed'
            ? [{ label: '开复工', value: startText({ startStatus: report.startStatus, startedOn: report.startedOn }) }]
            : []),
          ...(report.statsOn ? [{ label: '入库纳统', value: statsText(report) }] : []),
        ],
      },
      ...(report.progressText
        ? [
            {
              kind: 'markdown' as const,
              text: md`**形象进度**：${clip(report.progressText, LIMITS.text)}${report.progressPercent === null ? '' : `（${report.progressPercent}%）`}`,
            },
          ]
        : []),
      ...(report.problemsText
        ? [{ kind: 'markdown' as const, text: md`**存在问题**：${clip(report.problemsText, LIMITS.text)}（已转{office}）` }]
        : []),
      { kind: 'note', text: `截止 ${formatDeadline(round.deadlineAt)} 前可修改` },
      ...demoNote(demo),
      { kind: 'actions', buttons: [{ label: '修改', command: 'report', args: { target: project.code } }] },
    ],
  }
}

/** 催办: to a contact who has not reported yet. */
export function reminderCard(project: Project, round: Round, kind: 'before' | 'deadline' | 'overdue' | 'manual', by?: string): Card {
  const name = clip(project.name, LIMITS.title)
  const text = {
    before: md`「${name}」${roundLabel(round)}尚未填报，截止时间 ${formatDeadline(round.deadlineAt)}。`,
    deadline: md`「${name}」${roundLabel(round)}今天 ${formatDeadline(round.deadlineAt).split(' ')[1]} 截止，请尽快填报。`,
    overdue: md`「${name}」${roundLabel(round)}已超过截止时间仍未填报，已记催办一次，请立即填报。`,
    manual: md`${clip(by ?? '县领导', LIMITS.name)}催办：「${name}」${roundLabel(round)}请抓紧填报并加快推进进度。`,
  }[kind]
  return {
    template: 'reminder',
    colour: kind === 'before' ? 'wathet' : kind === 'deadline' ? 'orange' : 'red',
    title: kind === 'before' ? '调度填报提醒' : '催办',
    elements: [
      { kind: 'markdown', text },
      { kind: 'actions', buttons: [{ label: '立即填报', style: 'primary', command: 'report', args: { target: project.code } }] },
    ],
  }
}

/** The project at a glance (查 项目). */
export function projectStatusCard(
  s: {
    project: Project
    unit: string
    period: string
    view: MonthView
    latest: Report | null
    openProblems: { id: number; description: string; state: string }[]
  },
  demo: boolean,
): Card {
  const v = s.view
  const gap = v.completion && v.schedule ? describeGap(gapPoints(v.completion, v.schedule)) : '—'
  return {
    template: 'project-status',
    colour: COLOUR_HEADER[v.verdict.colour],
    title: titleName(s.project.name),
    subtitle: `${cell(s.unit)} · ${cell(s.project.sector)} · ${periodLabel(s.period)} · ${COLOUR_LABELS[v.verdict.colour]}`,
    elements: [
      {
        kind: 'fields',
        fields: [
          { label: '总投资', value: wan(s.project.totalInvestment) },
          { label: '年度计划', value: wan(s.project.annualPlan) },
          { label: '本年累计', value: wan(v.ytd) },
          { label: '完成率', value: pct(v.completion) },
          { label: '序时进度', value: pct(v.schedule) },
          { label: '较序时', value: gap },
          { label: '本月填报', value: v.reported ? (v.onTime ? '已按时填报' : '逾期填报') : '未填报' },
          { label: '连续催办', value: `${v.urges} 次` },
        ],
      },
      { kind: 'markdown', text: md`**形象进度**：${clip(s.latest?.progressText, LIMITS.text) || '—'}` },
      ...(s.openProblems.length
        ? [
            {
              kind: 'markdown' as const,
              text: md`**未销号问题**\n${capList(s.openProblems.map((p) => `#${p.id} ${clip(p.description, LIMITS.line)}（${PROBLEM_STATE_LABELS[p.state as keyof typeof PROBLEM_STATE_LABELS] ?? clip(p.state, 10)}）`)).join('\n')}`,
            },
          ]
        : []),
      ...demoNote(demo),
    ],
  }
}

/**
 * 驾驶舱 on the cards leaders read (通报, 赛马, 周调度): tapping runs the 'dashboard' command, whose sign-in link goes
 * only to the tapper's own chat, even from a group.
 */
export const DASHBOARD_BUTTON: Button = { label: '驾驶舱', command: 'dashboard' }

export const PROBLEM_STATE_LABELS = { new: '新增', assigned: '已交办', in_progress: '推进中', close_requested: '申请销号', closed: '已销号' } as const

/**
 * The 赛马 board of one or all leagues, each league its own table (never mixed): score in 分, 完成率 in %, 较序时
 * in 个百分点, colours as chips, Δrank; a one-line plain explanation of the score; for one league a bar chart
 * whose axis starts near the lowest score (Feishu: `zero: false` in cards/feishu/envelope.json; local: render.ts).
 */
export function boardCard(board: MonthBoard, opts: { league?: string; title?: string; late?: Mention[]; demo: boolean; county?: CountyNames }): Card {
  const county = opts.county ?? DEFAULT_COUNTY
  const all = board.leagues.filter((l) => !opts.league || l.league === opts.league)
  // Feishu takes at most 5 tables a card, and the rows of all leagues share one budget so the card stays < 30 KB.
  const leagues = all.slice(0, 5)
  const perLeague = Math.min(LIMITS.rows, Math.floor(LIMITS.cardRows / Math.max(1, leagues.length)))
  const elements: CardElement[] = []
  for (const l of leagues) {
    elements.push({ kind: 'markdown', text: md`**${clip(l.league, LIMITS.name)}**（${l.lines.length} 个单位）` })
    const { rows, note } = capRows(l.lines, perLeague)
    elements.push({
      kind: 'table',
      columns: [
        { key: 'rank', label: '名次', numeric: true },
        { key: 'unit', label: '单位' },
        { key: 'score', label: '得分(分)', numeric: true },
        { key: 'completion', label: '投资完成率' },
        { key: 'gap', label: '较序时' },
        { key: 'cards', label: '色牌 蓝/黄/红' },
        { key: 'delta', label: '名次变化' },
      ],
      rows: rows.map((x) => ({
        rank: x.rank,
        unit: cell(x.unit),
        score: formatScore(x.score),
        completion: pct(x.completion),
        gap: gapText(x.completion, x.schedule),
        cards: colourChips(x.colours),
        delta: x.deltaRank === null ? '新上榜' : x.deltaRank > 0 ? `↑${x.deltaRank}` : x.deltaRank < 0 ? `↓${-x.deltaRank}` : '持平',
      })),
    })
    elements.push(...note)
  }
  if (all.length > leagues.length)
    elements.push({ kind: 'note', text: md`另有 ${all.length - leagues.length} 个组别未显示，请发送「排名 组别名」查看` })
  if (leagues.length === 1 && leagues[0]!.lines.length > 1)
    elements.push({
      kind: 'chart',
      title: `${clip(leagues[0]!.league, LIMITS.name)}得分`,
      bars: leagues[0]!.lines.slice(0, 15).map((x) => ({ label: cell(x.unit, LIMITS.name), value: Number(formatScore(x.score)) })),
      unit: '分',
    })
  elements.push({ kind: 'note', text: '名次按得分排，不只看投资完成率：开工、入库纳统、按时填报、问题销号也计分。发送「查 单位名」看该单位各项得分' })
  if (opts.late?.length) elements.push(...lateMentions(opts.late, '以下同志本期尚未填报，请抓紧：'))
  if (board.skipped.length)
    elements.push({
      kind: 'note',
      text: md`另有 ${board.skipped.length} 个项目的数据有误，未计入本榜（${clip(county.office, LIMITS.name)}可用「查 项目编号」核实）`,
    })
  elements.push(...demoNote(opts.demo))
  elements.push({ kind: 'actions', buttons: [DASHBOARD_BUTTON] })
  return {
    template: 'leaderboard',
    colour: 'purple',
    title: opts.title ?? `${periodLabel(board.period)} ${cell(county.name)}重点项目赛马比拼`,
    subtitle: scoreExplanation(board.snapshot?.indicators ?? DEFAULT_INDICATORS),
    elements,
  }
}

/** A unit's score and each indicator's points (「查 单位」): why it ranks where it does. */
export function scorePartsElement(line: Pick<BoardLine, 'rank' | 'league' | 'score' | 'parts'>): CardElement {
  const parts = (line.parts ?? []).map((p) => `${p.label} ${formatScore(p.points)}/${p.weight} 分`)
  return {
    kind: 'markdown',
    text: md`**得分 ${formatScore(line.score)} 分**（${clip(line.league, LIMITS.name)}第 ${line.rank} 名）：${parts.join('，')}`,
  }
}

/**
 * An @-mention block of at most LIMITS.mentions people (names clipped), and how many more there are: a round
 * with hundreds of late contacts must still fit on one card.
 */
export function lateMentions(people: readonly Mention[], text: string): CardElement[] {
  const shown = people.slice(0, LIMITS.mentions).map((p) => ({ personId: p.personId, name: cell(p.name, 20) }))
  const more = people.length - shown.length
  return [{ kind: 'mentions', text: more > 0 ? md`${text}（另有 ${more} 人未列出）` : md`${text}`, people: shown }]
}

/** 红黄牌 list for a month. */
export function redYellowCard(period: string, items: RedYellowItem[], demo: boolean, county: CountyNames = DEFAULT_COUNTY): Card {
  const reds = items.filter((i) => i.colour === 'red')
  const yellows = items.filter((i) => i.colour === 'yellow')
  const block = (label: string, list: RedYellowItem[]) =>
    list.length
      ? md`**${label}（${list.length} 个）**\n${capList(
          list.map((i) => clip(`${clip(i.name, LIMITS.name)}（${clip(i.unit, LIMITS.name)}）${i.detail}`, LIMITS.line)),
          20,
          '个',
        ).join('\n')}`
      : md`**${label}**：无`
  return {
    template: 'red-yellow',
    colour: reds.length ? 'red' : yellows.length ? 'yellow' : 'blue',
    title: `${periodLabel(period)} ${cell(county.name)}重点项目红黄牌`,
    subtitle: '对照序时进度三色管理：🔵蓝牌达到序时，🟡黄牌落后序时且两次催办后仍未赶上，🔴红牌连续两个月黄牌',
    elements: [
      { kind: 'markdown', text: block('🔴 红牌', reds) },
      { kind: 'markdown', text: block('🟡 黄牌', yellows) },
      { kind: 'note', text: md`发布单位：${clip(county.office, LIMITS.name)}` },
      ...demoNote(demo),
    ],
  }
}

export interface ProblemView {
  id: number
  description: string
  state: keyof typeof PROBLEM_STATE_LABELS
  project: string
  unit: string | null
  dueOn: string | null
  note?: string
  /** 五到位 (county-2023) beside 责任单位 and 解决时限: 责任领导, 责任人, 解决方案; and 一般 / 重大. */
  leader?: string | null
  person?: string | null
  plan?: string | null
  severity?: 'ordinary' | 'major'
  /** 四级调度: 办公室常态调度 … 县长顶格调度, as people read it. */
  level?: string
}

/** A 问题台账 entry with the actions its reader can take. */
export function problemCard(p: ProblemView, title: string, buttons: Button[]): Card {
  return {
    template: 'problem',
    colour: p.state === 'closed' ? 'green' : p.state === 'close_requested' ? 'turquoise' : 'orange',
    title: `${cell(title, LIMITS.title)} · 问题 #${p.id}`,
    subtitle: `${titleName(p.project)} · ${PROBLEM_STATE_LABELS[p.state]}`,
    // Every card of a problem is found by this when the problem changes, and updated.
    subject: `problem:${p.id}`,
    elements: [
      {
        kind: 'fields',
        fields: [
          { label: '问题', value: inert(clip(p.description, LIMITS.text)) },
          ...(p.severity === 'major' ? [{ label: '类别', value: '重大问题' }] : []),
          { label: '责任单位', value: p.unit === null ? '待交办' : inert(clip(p.unit, LIMITS.name)) },
          ...(p.state !== 'new' && p.leader !== undefined ? [{ label: '责任领导', value: p.leader ? inert(clip(p.leader, LIMITS.name)) : '—' }] : []),
          ...(p.state !== 'new' && p.person !== undefined ? [{ label: '责任人', value: p.person ? inert(clip(p.person, LIMITS.name)) : '—' }] : []),
          ...(p.state !== 'new' && p.plan !== undefined ? [{ label: '解决方案', value: p.plan ? inert(clip(p.plan, LIMITS.text)) : '待补充' }] : []),
          { label: '解决时限', value: p.dueOn === null ? '—' : inert(clip(formatDay(p.dueOn), 20)) },
          { label: '状态', value: PROBLEM_STATE_LABELS[p.state] },
          ...(p.level ? [{ label: '调度层级', value: inert(clip(p.level, LIMITS.name)) }] : []),
        ],
      },
      ...(p.note ? [{ kind: 'markdown' as const, text: md`**说明**：${clip(p.note, LIMITS.text)}` }] : []),
      ...(buttons.length ? [{ kind: 'actions' as const, buttons }] : []),
    ],
  }
}

/** 问题台账 list. */
export function problemListCard(title: string, items: ProblemView[], demo: boolean): Card {
  const { rows, note } = capRows(items)
  return {
    template: 'problem-list',
    colour: 'orange',
    title: cell(title, LIMITS.title),
    subtitle: `未销号 ${items.filter((i) => i.state !== 'closed').length} 个`,
    elements: [
      items.length
        ? {
            kind: 'table',
            columns: [
              { key: 'id', label: '编号' },
              { key: 'project', label: '项目' },
              { key: 'description', label: '问题' },
              { key: 'unit', label: '责任单位' },
              { key: 'state', label: '状态' },
              { key: 'due', label: '时限' },
            ],
            rows: rows.map((i) => ({
              id: `#${i.id}`,
              project: cell(i.project),
              description: cell(i.description, LIMITS.cell),
              unit: i.unit === null ? '待交办' : cell(i.unit),
              state: PROBLEM_STATE_LABELS[i.state],
              due: i.dueOn === null ? '—' : cell(formatDay(i.dueOn), 20),
            })),
          }
        : { kind: 'markdown', text: '暂无未销号问题。' },
      ...note,
      ...demoNote(demo),
    ],
  }
}

/** Names joined with 、, each clipped, at most `max` of them and then 「等 N 个」. */
const names = (list: readonly string[], max = 10) =>
  list.length > max
    ? `${list
        .slice(0, max)
        .map((n) => clip(n, LIMITS.name))
        .join('、')}等 ${list.length} 个`
    : list.map((n) => clip(n, LIMITS.name)).join('、')

/** The parts of a 通报 added with the 督查 kinds (issue 16); a 通报 without them shows only the totals and ranks. */
type BulletinDetail = 'asOf' | 'red' | 'yellow' | 'inspections' | 'stalled' | 'interviews' | 'pledges' | 'frozenAt'

const NUMERALS = ['一', '二', '三', '四']
/** 「城东污水处理厂（城东镇）」 for each, at most `max`. */
const projectNames = (list: readonly { name: string; unit: string }[], max = 10) =>
  names(
    list.map((p) => `${p.name}（${p.unit}）`),
    max,
  )

/** The 通报's 督查 sections: red and yellow projects named, the four kinds, stalled projects, 约谈 and 表态. */
function bulletinDetail(b: Partial<Pick<Bulletin, BulletinDetail>>): CardElement[] {
  if (!b.inspections) return []
  const out: CardElement[] = []
  const named = [
    ...(b.red?.length ? [md`🔴 **红牌项目**：${projectNames(b.red)}`] : []),
    ...(b.yellow?.length ? [md`🟡 **黄牌项目**：${projectNames(b.yellow)}`] : []),
  ]
  if (named.length) out.push({ kind: 'markdown', text: named.join('\n') })
  out.push({
    kind: 'markdown',
    text: md`**督查情况**（截至 ${formatDay(b.asOf ?? '')}）\n${markup(
      b.inspections
        .map(
          (x, i) =>
            md`${NUMERALS[i] ?? String(i + 1)}、${x.label}：${x.items.length ? markup(md`${x.items.length} 个，${projectNames(x.items, 8)}`) : '无'}`,
        )
        .join('\n'),
    )}`,
  })
  if (b.stalled?.length)
    out.push({ kind: 'markdown', text: md`**具备开工条件两个月内无实质性进展**：${b.stalled.length} 个，${projectNames(b.stalled, 8)}` })
  // The meeting the office set (「指挥部会议 12月10日」), when the speakers were told one.
  const meetingOn = b.pledges?.find((x) => x.meetingOn)?.meetingOn
  const talks = [
    ...(b.interviews?.length
      ? [
          md`**待约谈**：${names(
            b.interviews.map((x) => `${x.project}（${x.commander || '指挥长'}，${formatDay(x.dueOn)}前）`),
            8,
          )}`,
        ]
      : []),
    ...(b.pledges?.length
      ? [
          md`**${meetingOn ? formatDay(meetingOn) : ''}指挥部会议表态发言**：${names(
            b.pledges.map((x) => `${x.speaker || '主管部门负责人'}（${x.project}）`),
            8,
          )}`,
        ]
      : []),
  ]
  if (talks.length) out.push({ kind: 'markdown', text: talks.join('\n') })
  return out
}

/**
 * The monthly 通报: totals, colours, ranks per league (前三 / 后三 of each 组别, never mixed), laggards, open
 * problems, and the 督查 sections (bulletinDetail); issued by the county's office (`county`, the `county` setting).
 */
export function bulletinCard(
  b: Omit<Bulletin, 'board' | 'leagues' | BulletinDetail> & Partial<Pick<Bulletin, 'leagues' | BulletinDetail>>,
  demo: boolean,
  county: CountyNames = DEFAULT_COUNTY,
): Card {
  const ranks = b.leagues
    ? b.leagues
        .slice(0, 5)
        .map(
          (l) => md`**${clip(l.league, LIMITS.name)}** 前三：${names(l.top) || '—'}${markup(l.bottom.length ? md`；后三：${names(l.bottom)}` : '')}`,
        )
    : [md`**赛马前三**：${names(b.top) || '—'}\n**赛马后三**：${names(b.bottom) || '—'}`]
  return {
    template: 'bulletin',
    colour: 'purple',
    title: `${periodLabel(b.period)} ${cell(county.name)}重点项目建设通报`,
    subtitle: cell(county.office, LIMITS.title),
    elements: [
      {
        kind: 'markdown',
        text: md`${clip(county.name, LIMITS.name)}重点项目年度计划投资 ${formatWan(b.plan)} 万元，1—${Number(b.period.slice(5))}月累计完成 ${formatWan(b.ytd)} 万元，完成率 ${b.completion}，序时进度 ${b.schedule}，${b.gap}。`,
      },
      {
        kind: 'fields',
        fields: [
          { label: '🔵 蓝牌', value: `${b.colours.blue} 个` },
          { label: '🟡 黄牌', value: `${b.colours.yellow} 个` },
          { label: '🔴 红牌', value: `${b.colours.red} 个` },
          { label: '预警', value: `${b.colours.watch} 个` },
        ],
      },
      { kind: 'markdown', text: md`**赛马比拼**（各组别分别排名）\n${markup(ranks.join('\n'))}` },
      { kind: 'markdown', text: md`**未按时填报**：${b.late.length ? names(b.late, 30) : '无'}` },
      { kind: 'markdown', text: `**问题台账**：未销号 ${b.openProblems} 个，其中超期 ${b.overdueProblems} 个` },
      ...bulletinDetail(b),
      ...demoNote(demo),
      {
        kind: 'actions',
        buttons: [
          { label: '已阅', style: 'primary', command: 'ack', args: { bulletin: b.period } },
          { label: '查看排名', command: 'board', args: { scope: 'month' } },
          DASHBOARD_BUTTON,
        ],
      },
    ],
  }
}

/** 本月 and the rise in 累计 disagree: which one is right? */
export function reportMismatchCard(project: Project, question: string, roundId?: number): Card {
  return {
    template: 'report-mismatch',
    ...(roundId !== undefined && { subject: receiptSubject(roundId, project.id) }),
    colour: 'orange',
    title: `请核对 · ${titleName(project.name)}`,
    elements: [
      { kind: 'markdown', text: inert(clip(question, LIMITS.text)) },
      {
        kind: 'actions',
        buttons: [
          { label: '本月数正确', command: 'confirm', args: { trust: 'period' } },
          { label: '累计数正确', command: 'confirm', args: { trust: 'ytd' } },
          { label: '取消', command: 'cancel' },
        ],
      },
    ],
  }
}

/**
 * A problem from a report, to the office: with the form to 交办 it with 五到位 (county-2023: 责任单位、责任领导、
 * 责任人、解决方案、解决时限) and its severity; the time limit left empty follows the cadence (重大 the longer one).
 */
export function newProblemCard(
  p: ProblemView,
  units: { id: number; name: string }[],
  leaders: { id: number; name: string }[] = [],
  defaultLeader?: number | null,
): Card {
  const card = problemCard(p, '新问题待交办', [])
  // A select of every unit of a big county would not fit a card: the first MAX_UNIT_OPTIONS, and the command for
  // the others (交办 can always be typed).
  const shown = units.slice(0, MAX_UNIT_OPTIONS)
  if (units.length > shown.length)
    card.elements.push({ kind: 'note', text: md`单位较多，下拉框只列出前 ${shown.length} 个；其他单位请发送「交办 #${p.id} 单位名 7个工作日」` })
  card.elements.push({
    kind: 'form',
    name: 'assign',
    inputs: [
      { name: 'unit', label: '责任单位', kind: 'select', required: true, options: shown.map((u) => ({ value: String(u.id), label: cell(u.name) })) },
      ...(leaders.length
        ? [
            {
              name: 'leader',
              label: '责任领导',
              kind: 'select' as const,
              options: leaders.slice(0, MAX_UNIT_OPTIONS).map((l) => ({ value: String(l.id), label: cell(l.name) })),
              ...(defaultLeader ? { initial: String(defaultLeader) } : {}),
            },
          ]
        : [{ name: 'leader', label: '责任领导（姓名，默认包联领导）', kind: 'text' as const, placeholder: '例如：李副县长' }]),
      { name: 'person', label: '责任人（姓名，默认单位负责人）', kind: 'text', placeholder: '例如：王建国' },
      { name: 'plan', label: '解决方案', kind: 'multiline', required: true, placeholder: '例如：县林业局牵头，两周内完成林地报批' },
      {
        name: 'severity',
        label: '问题类别',
        kind: 'select',
        initial: p.severity ?? 'ordinary',
        options: [
          { value: 'ordinary', label: '一般问题' },
          { value: 'major', label: '重大问题' },
        ],
      },
      { name: 'workdays', label: '解决时限（工作日，空则按规则：一般 7 个、重大 20 个）', kind: 'number' },
    ],
    // The state it was made for: a submit after the problem moved on is refused, never applied.
    submit: { label: '交办', style: 'primary', command: 'assign', args: { problemId: p.id, state: p.state } },
  })
  return card
}

/** Units offered in the 交办 select of a new problem's card. */
export const MAX_UNIT_OPTIONS = 100
