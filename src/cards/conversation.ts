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
import type { RedYellowItem } from '../services/bulletin.ts'
import type { ReportValues } from '../services/reporting.ts'
import { formatWan } from '../domain/money.ts'
import { formatPercent } from '../domain/ratio.ts'
import { describeGap, gapPoints } from '../domain/schedule.ts'
import { COLOUR_LABELS, type Colour } from '../domain/colours.ts'
import { formatScore } from '../domain/scoring.ts'
import { shanghaiParts } from '../domain/time.ts'


/** Card header colour for a project colour. */
export const COLOUR_HEADER: Record<Colour, CardColour> = { blue: 'blue', watch: 'orange', yellow: 'yellow', red: 'red', none: 'grey' }

/** '12,345.68 万元', or '—' when there is no figure. */
export const wan = (yuan: number | null | undefined) => (yuan === null || yuan === undefined ? '—' : `${formatWan(yuan)} 万元`)
/** '83.33%', or '—' when there is no ratio. */
export const pct = (r: { num: number; den: number } | null) => (r ? formatPercent(r) : '—')
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

const roundLabel = (r: Round) => (r.kind === 'monthly' ? `${periodLabel(r.period)}调度` : r.kind === 'weekly' ? `${r.period} 周调度` : `${r.period} 旬调度`)

/** Help lists what this person may do (one line per command they may run), with a few buttons. */
export function helpCard(name: string, lines: string[], buttons: Button[], demo = false): Card {
  return {
    template: 'help',
    colour: 'blue',
    title: '调度助手 · 使用帮助',
    subtitle: `${name}，您可以：`,
    elements: [{ kind: 'markdown', text: lines.join('\n') }, ...demoNote(demo), { kind: 'actions', buttons }],
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
  const rows = views.map((v) => ({ name: v.name, ytd: formatWan(v.ytd), completion: pct(v.completion), colour: COLOUR_LABELS[v.verdict.colour], reported: v.reported ? '已报' : '未报' }))
  return {
    template: 'unit-status',
    colour: 'blue',
    title: `${unit.name} · ${periodLabel(period)}`,
    subtitle: line ? `${unit.league}第 ${line.rank} 名，完成率 ${pct(line.completion)}，序时 ${pct(line.schedule)}` : unit.league,
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
      ...demoNote(demo),
    ],
  }
}

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
  const yuanToWanText = (y: number | null | undefined) => (y === null || y === undefined ? undefined : formatWan(y, 4, false).replace(/\.?0+$/, ''))
  const problems = d.openProblems.map((p) => `#${p.id} ${p.description}`).join('；')
  return {
    template: 'report-prompt',
    colour: d.current ? 'turquoise' : 'blue',
    title: `${roundLabel(d.round)} · ${d.project.name}`,
    subtitle: `请于 ${formatDeadline(d.round.deadlineAt)} 前填报${d.current ? '（已填报，可修改）' : ''}`,
    elements: [
      {
        kind: 'fields',
        fields: [
          { label: '项目编号', value: d.project.code },
          { label: '年度计划投资', value: wan(d.project.annualPlan) },
          { label: '上期本年累计', value: wan(d.previous?.ytdInvestment) },
          { label: '上期形象进度', value: d.previous?.progressText || '—' },
        ],
      },
      ...(problems ? [{ kind: 'markdown' as const, text: `**未销号问题**：${problems}` }] : []),
      {
        kind: 'form',
        name: 'report',
        inputs: [
          { name: 'period', label: `本${d.round.kind === 'weekly' ? '周' : '月'}完成投资（万元）`, kind: 'number', initial: d.current ? yuanToWanText(d.current.periodInvestment) : undefined, placeholder: '例如 1200' },
          { name: 'ytd', label: '本年累计完成投资（万元）', kind: 'number', required: true, initial: yuanToWanText(base?.ytdInvestment), placeholder: '例如 8600' },
          { name: 'progress', label: '形象进度', kind: 'text', initial: base?.progressText || undefined, placeholder: '例如 主体封顶' },
          { name: 'percent', label: '形象进度（%）', kind: 'number', initial: base?.progressPercent?.toString() },
          { name: 'problems', label: '存在问题（多个用；分隔，无则留空）', kind: 'multiline', initial: d.current?.problemsText || undefined },
          { name: 'coordination', label: '需协调事项', kind: 'multiline', initial: d.current?.coordination || undefined },
          { name: 'nextSteps', label: '下步计划', kind: 'multiline', initial: d.current?.nextSteps || undefined },
          { name: 'reason', label: '更正说明（累计低于上期时必填）', kind: 'text' },
        ],
        submit: { label: d.current ? '提交修改' : '提交', style: 'primary', command: 'submitReport', args: { projectId: d.project.id, roundId: d.round.id } },
      },
      ...demoNote(d.demo),
    ],
  }
}


/** Echo of a free-text reply: what was understood, what is missing, confirm or correct. */
export function reportConfirmCard(project: Project, round: Round, v: ReportValues, missing: string[], warnings: string[]): Card {
  const ready = v.ytdInvestment !== null && missing.length === 0
  return {
    template: 'report-confirm',
    colour: ready ? 'wathet' : 'orange',
    title: `请确认 · ${project.name}`,
    subtitle: `${roundLabel(round)}，我理解的内容如下`,
    elements: [
      {
        kind: 'fields',
        fields: [
          { label: '本期完成投资', value: wan(v.periodInvestment) },
          { label: '本年累计', value: wan(v.ytdInvestment) },
          { label: '形象进度', value: [v.progressText, v.progressPercent === null ? '' : `${v.progressPercent}%`].filter(Boolean).join(' ') || '—' },
          { label: '存在问题', value: v.problems.length ? v.problems.map((p, i) => `${i + 1}. ${p}`).join('\n') : '无' },
        ],
      },
      ...(missing.length ? [{ kind: 'markdown' as const, text: `**还缺**：${missing.join('、')}。请补充后再确认，例如「本年累计8600万元」。` }] : []),
      ...(warnings.length ? [{ kind: 'markdown' as const, text: warnings.map((w) => `⚠️ ${w}`).join('\n') }] : []),
      {
        kind: 'actions',
        buttons: [
          ...(ready ? [{ label: '确认提交', style: 'primary' as const, command: 'confirm' as const }] : []),
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
    colour: COLOUR_HEADER[view.verdict.colour],
    title: `已收到 · ${project.name}`,
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
        ],
      },
      ...(report.progressText ? [{ kind: 'markdown' as const, text: `**形象进度**：${report.progressText}${report.progressPercent === null ? '' : `（${report.progressPercent}%）`}` }] : []),
      ...(report.problemsText ? [{ kind: 'markdown' as const, text: `**存在问题**：${report.problemsText}（已转县重点项目办）` }] : []),
      { kind: 'note', text: `截止 ${formatDeadline(round.deadlineAt)} 前可修改` },
      ...demoNote(demo),
      { kind: 'actions', buttons: [{ label: '修改', command: 'report', args: { target: project.code } }] },
    ],
  }
}

/** 催办: to a contact who has not reported yet. */
export function reminderCard(project: Project, round: Round, kind: 'before' | 'deadline' | 'overdue' | 'manual', by?: string): Card {
  const text = {
    before: `「${project.name}」${roundLabel(round)}尚未填报，截止时间 ${formatDeadline(round.deadlineAt)}。`,
    deadline: `「${project.name}」${roundLabel(round)}今天 ${formatDeadline(round.deadlineAt).split(' ')[1]} 截止，请尽快填报。`,
    overdue: `「${project.name}」${roundLabel(round)}已超过截止时间仍未填报，已记催办一次，请立即填报。`,
    manual: `${by ?? '县领导'}催办：「${project.name}」${roundLabel(round)}请抓紧填报并加快推进进度。`,
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
  s: { project: Project; unit: string; period: string; view: MonthView; latest: Report | null; openProblems: { id: number; description: string; state: string }[] },
  demo: boolean,
): Card {
  const v = s.view
  const gap = v.completion && v.schedule ? describeGap(gapPoints(v.completion, v.schedule)) : '—'
  return {
    template: 'project-status',
    colour: COLOUR_HEADER[v.verdict.colour],
    title: `${s.project.name}`,
    subtitle: `${s.unit} · ${s.project.sector} · ${periodLabel(s.period)} · ${COLOUR_LABELS[v.verdict.colour]}`,
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
          { label: '本月催办', value: `${v.urges} 次` },
        ],
      },
      { kind: 'markdown', text: `**形象进度**：${s.latest?.progressText || '—'}` },
      ...(s.openProblems.length
        ? [{ kind: 'markdown' as const, text: `**未销号问题**\n${s.openProblems.map((p) => `#${p.id} ${p.description}（${PROBLEM_STATE_LABELS[p.state as keyof typeof PROBLEM_STATE_LABELS] ?? p.state}）`).join('\n')}` }]
        : []),
      ...demoNote(demo),
    ],
  }
}

export const PROBLEM_STATE_LABELS = { new: '新增', assigned: '已交办', in_progress: '推进中', close_requested: '申请销号', closed: '已销号' } as const

/** The 赛马 board of one or all leagues: a table and a bar chart of scores. */
export function boardCard(board: MonthBoard, opts: { league?: string; title?: string; late?: Mention[]; demo: boolean }): Card {
  const leagues = board.leagues.filter((l) => !opts.league || l.league === opts.league)
  const elements: CardElement[] = []
  for (const l of leagues) {
    elements.push({ kind: 'markdown', text: `**${l.league}**（${l.lines.length} 个单位）` })
    elements.push({
      kind: 'table',
      columns: [
        { key: 'rank', label: '名次', numeric: true },
        { key: 'unit', label: '单位' },
        { key: 'score', label: '得分', numeric: true },
        { key: 'completion', label: '完成率' },
        { key: 'gap', label: '较序时' },
        { key: 'cards', label: '蓝/黄/红' },
        { key: 'delta', label: '变化' },
      ],
      rows: l.lines.map((x) => ({
        rank: x.rank,
        unit: x.unit,
        score: formatScore(x.score),
        completion: pct(x.completion),
        gap: x.completion && x.schedule ? gapPoints(x.completion, x.schedule).pointsText : '—',
        cards: `${x.colours.blue}/${x.colours.yellow}/${x.colours.red}`,
        delta: x.deltaRank === null ? '新' : x.deltaRank > 0 ? `↑${x.deltaRank}` : x.deltaRank < 0 ? `↓${-x.deltaRank}` : '—',
      })),
    })
  }
  if (leagues.length === 1 && leagues[0]!.lines.length > 1)
    elements.push({ kind: 'chart', title: '得分', bars: leagues[0]!.lines.slice(0, 15).map((x) => ({ label: x.unit, value: Number(formatScore(x.score)) })), unit: '分' })
  if (opts.late?.length) elements.push({ kind: 'mentions', text: '以下同志本期尚未填报，请抓紧：', people: opts.late })
  elements.push(...demoNote(opts.demo))
  return { template: 'leaderboard', colour: 'purple', title: opts.title ?? `${periodLabel(board.period)} 重点项目赛马比拼`, subtitle: '得分 = Σ 权重 × 完成度（投资完成率按序时计）', elements }
}


/** 红黄牌 list for a month. */
export function redYellowCard(period: string, items: RedYellowItem[], demo: boolean): Card {
  const reds = items.filter((i) => i.colour === 'red')
  const yellows = items.filter((i) => i.colour === 'yellow')
  const block = (label: string, list: RedYellowItem[]) =>
    list.length ? `**${label}（${list.length} 个）**\n${list.map((i) => `${i.name}（${i.unit}）${i.detail}`).join('\n')}` : `**${label}**：无`
  return {
    template: 'red-yellow',
    colour: reds.length ? 'red' : yellows.length ? 'yellow' : 'blue',
    title: `${periodLabel(period)} 红黄牌`,
    subtitle: '对照序时进度三色管理：蓝牌达序时，黄牌落后且两次催办未达标，红牌连续两月黄牌',
    elements: [{ kind: 'markdown', text: block('红牌', reds) }, { kind: 'markdown', text: block('黄牌', yellows) }, ...demoNote(demo)],
  }
}

/** 督办 notice to the responsible people. */
export function supervisionCard(s: { id: number; matter: string; dueOn: string }, project: Project, issuer: string): Card {
  return {
    template: 'supervision',
    colour: 'red',
    title: `挂牌督办 · ${project.name}`,
    subtitle: `${issuer} 督办，请于 ${s.dueOn} 前回复`,
    elements: [
      { kind: 'markdown', text: `**督办事项**：${s.matter}\n请落实解决办法、责任单位、责任领导、责任人和解决时限，并向县重点项目办公室复函。` },
      { kind: 'note', text: `督办编号 D${s.id}；回复「已阅」表示已收到` },
      { kind: 'actions', buttons: [{ label: '已阅', style: 'primary', command: 'ack', args: { supervisionId: s.id } }] },
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
}

/** A 问题台账 entry with the actions its reader can take. */
export function problemCard(p: ProblemView, title: string, buttons: Button[]): Card {
  return {
    template: 'problem',
    colour: p.state === 'closed' ? 'green' : p.state === 'close_requested' ? 'turquoise' : 'orange',
    title: `${title} · 问题 #${p.id}`,
    subtitle: `${p.project} · ${PROBLEM_STATE_LABELS[p.state]}`,
    elements: [
      {
        kind: 'fields',
        fields: [
          { label: '问题', value: p.description },
          { label: '责任单位', value: p.unit ?? '待交办' },
          { label: '办结时限', value: p.dueOn ?? '—' },
          { label: '状态', value: PROBLEM_STATE_LABELS[p.state] },
        ],
      },
      ...(p.note ? [{ kind: 'markdown' as const, text: `**说明**：${p.note}` }] : []),
      ...(buttons.length ? [{ kind: 'actions' as const, buttons }] : []),
    ],
  }
}

/** 问题台账 list. */
export function problemListCard(title: string, items: ProblemView[], demo: boolean): Card {
  return {
    template: 'problem-list',
    colour: 'orange',
    title,
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
            rows: items.map((i) => ({ id: `#${i.id}`, project: i.project, description: i.description, unit: i.unit ?? '待交办', state: PROBLEM_STATE_LABELS[i.state], due: i.dueOn ?? '—' })),
          }
        : { kind: 'markdown', text: '暂无未销号问题。' },
      ...demoNote(demo),
    ],
  }
}

/** The monthly 通报: totals, colours, ranks, laggards, open problems. */
export function bulletinCard(
  b: { period: string; plan: number; ytd: number; completion: string; schedule: string; gap: string; colours: Record<Colour, number>; top: string[]; bottom: string[]; late: string[]; openProblems: number; overdueProblems: number },
  demo: boolean,
): Card {
  return {
    template: 'bulletin',
    colour: 'purple',
    title: `${periodLabel(b.period)} 重点项目建设通报`,
    subtitle: '县重点项目建设指挥部办公室',
    elements: [
      {
        kind: 'markdown',
        text: `全县重点项目年度计划投资 ${formatWan(b.plan)} 万元，1—${Number(b.period.slice(5))}月累计完成 ${formatWan(b.ytd)} 万元，完成率 ${b.completion}，序时进度 ${b.schedule}，${b.gap}。`,
      },
      { kind: 'fields', fields: [
        { label: '蓝牌', value: `${b.colours.blue} 个` },
        { label: '黄牌', value: `${b.colours.yellow} 个` },
        { label: '红牌', value: `${b.colours.red} 个` },
        { label: '预警', value: `${b.colours.watch} 个` },
      ] },
      { kind: 'markdown', text: `**赛马前三**：${b.top.join('、') || '—'}\n**赛马后三**：${b.bottom.join('、') || '—'}` },
      { kind: 'markdown', text: `**未按时填报**：${b.late.length ? b.late.join('、') : '无'}` },
      { kind: 'markdown', text: `**问题台账**：未销号 ${b.openProblems} 个，其中超期 ${b.overdueProblems} 个` },
      ...demoNote(demo),
      { kind: 'actions', buttons: [{ label: '已阅', style: 'primary', command: 'ack', args: { bulletin: b.period } }, { label: '查看排名', command: 'board', args: { scope: 'month' } }] },
    ],
  }
}

/** 本月 and the rise in 累计 disagree: which one is right? */
export function reportMismatchCard(project: Project, question: string): Card {
  return {
    template: 'report-mismatch',
    colour: 'orange',
    title: `请核对 · ${project.name}`,
    elements: [
      { kind: 'markdown', text: question },
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

/** A problem from a report, to the office: with the form to 交办 it. */
export function newProblemCard(p: ProblemView, units: { id: number; name: string }[]): Card {
  const card = problemCard(p, '新问题待交办', [])
  card.elements.push({
    kind: 'form',
    name: 'assign',
    inputs: [
      { name: 'unit', label: '责任单位', kind: 'select', required: true, options: units.map((u) => ({ value: String(u.id), label: u.name })) },
      { name: 'workdays', label: '办结时限（工作日）', kind: 'number', initial: '7' },
    ],
    submit: { label: '交办', style: 'primary', command: 'assign', args: { problemId: p.id } },
  })
  return card
}
