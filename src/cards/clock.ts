/**
 * Cards only the dispatch clock sends: the catch-up after downtime, the unit head's overdue notice, the
 * weekly key-project board, 羚羊奖/蜗牛奖, the 双过半 check and the 一通报两约谈 notices. Same rules as
 * src/bot/cards.ts: plain values in, a neutral Card out.
 */
import type { Button, Card, CardElement, Mention, MessageBody } from '../model/index.ts'
import { DASHBOARD_BUTTON, demoNote, formatDay, formatDeadline, gapText, lateMentions, pct, periodLabel, wan } from './conversation.ts'
import { DEFAULT_COUNTY, type CountyNames } from '../services/rules.ts'
import { LIMITS, capList, cell, clip, markup, md } from './text.ts'
import { formatWan } from '../domain/money.ts'
import type { Ratio } from '../domain/ratio.ts'
import { describeGap, gapPoints } from '../domain/schedule.ts'
import type { QuarterlyAwards, AwardPick } from '../domain/awards.ts'
import type { EscalationRung } from '../domain/escalation.ts'

/** '2026年11月调度', '2026-W48 周调度'. */
export function roundTitle(r: { kind: string; period: string }): string {
  return r.kind === 'monthly' ? `${periodLabel(r.period)}调度` : r.kind === 'weekly' ? `${r.period} 周调度` : `${r.period} 旬调度`
}

/**
 * Several things a person missed while the bot was down, in one message: a line each, with a few buttons.
 * `since` is when the earliest of them was due.
 */
export function catchUpCard(lines: string[], buttons: Button[], since: number, demo: boolean): Card {
  return {
    template: 'catch-up',
    colour: 'orange',
    title: '补发：待办事项汇总',
    subtitle: `以下 ${lines.length} 项原定 ${formatDeadline(since)} 起发送，现合并补发`,
    elements: [
      {
        kind: 'markdown',
        text: md`${capList(
          lines.map((l) => `• ${clip(l, LIMITS.line)}`),
          20,
        ).join('\n')}`,
      },
      ...(buttons.length ? [{ kind: 'actions' as const, buttons: buttons.slice(0, 6).map((b) => ({ ...b, label: cell(b.label, 20) })) }] : []),
      ...demoNote(demo),
    ],
  }
}

/** One late message sent on its own: the same message, marked as sent late. */
export function markLate(body: MessageBody, dueAt: number): MessageBody {
  const note = `补发：原定 ${formatDeadline(dueAt)} 发送`
  if (body.kind === 'text') return { ...body, text: `【${note}】${body.text}` }
  return { kind: 'card', card: { ...body.card, elements: [{ kind: 'note', text: note }, ...body.card.elements] } }
}

/** To a unit head: these projects of the unit missed the deadline; each has been 催办ed once. */
export function overdueHeadCard(
  unit: string,
  round: { kind: string; period: string; deadlineAt: number },
  late: { name: string; contacts: Mention[] }[],
  demo: boolean,
  county: CountyNames = DEFAULT_COUNTY,
): Card {
  return {
    template: 'overdue-head',
    colour: 'red',
    title: `逾期未填报 · ${cell(unit, LIMITS.title)}`,
    subtitle: `${roundTitle(round)}已于 ${formatDeadline(round.deadlineAt)} 截止`,
    elements: [
      {
        kind: 'markdown',
        text:
          `贵单位以下 ${late.length} 个项目逾期未填报，已各记催办一次，请督促填报人立即填报：\n` +
          md`${capList(
            late.map(
              (p, i) =>
                `${i + 1}. ${clip(p.name, LIMITS.name)}（填报人：${
                  capList(
                    p.contacts.map((c) => clip(c.name, 20)),
                    5,
                    '人',
                  ).join('、') || '未指定'
                }）`,
            ),
            20,
            '个',
          ).join('\n')}`,
      },
      { kind: 'note', text: md`连续催办两次仍未达序时进度的项目，当月贴黄牌。${clip(county.office, LIMITS.name)}` },
      ...demoNote(demo),
    ],
  }
}

export interface WeeklyBoardLine {
  rank: number
  unit: string
  projects: number
  reported: number
  onTime: number
  /** This week's investment (Σ 本周完成投资 of the reports in). */
  week: number
  ytd: number
  plan: number
  completion: Ratio | null
}

export interface WeeklyBoard {
  period: string
  /** Whether the week had a round (a holiday week may not). */
  hadRound: boolean
  schedule: Ratio
  leagues: { league: string; lines: WeeklyBoardLine[] }[]
  late: Mention[]
}

/** The weekly key-project board: reporting and 完成率 against day-linear 序时, per league. */
export function weeklyBoardCard(b: WeeklyBoard, demo: boolean, county: CountyNames = DEFAULT_COUNTY): Card {
  const elements: CardElement[] = []
  if (!b.hadRound) elements.push({ kind: 'markdown', text: '本周未开展周调度，以下为截至本周的累计情况。' })
  // At most 5 tables a card, and one row budget for all of them (see boardCard).
  const leagues = b.leagues.slice(0, 5)
  const perLeague = Math.min(LIMITS.rows, Math.floor(LIMITS.cardRows / Math.max(1, leagues.length)))
  for (const l of leagues) {
    elements.push({ kind: 'markdown', text: md`**${clip(l.league, LIMITS.name)}**（${l.lines.length} 个单位）` })
    const rows = l.lines.slice(0, perLeague)
    elements.push({
      kind: 'table',
      columns: [
        { key: 'rank', label: '名次', numeric: true },
        { key: 'unit', label: '单位' },
        { key: 'reported', label: '本周填报' },
        { key: 'week', label: '本周投资(万元)', numeric: true },
        { key: 'completion', label: '完成率' },
        { key: 'gap', label: '较序时' },
      ],
      rows: rows.map((x) => ({
        rank: x.rank,
        unit: cell(x.unit),
        reported: `${x.reported}/${x.projects} 个`,
        week: formatWan(x.week),
        completion: pct(x.completion),
        gap: gapText(x.completion, b.schedule),
      })),
    })
    if (l.lines.length > rows.length)
      elements.push({ kind: 'note', text: `仅显示前 ${rows.length} 行，另有 ${l.lines.length - rows.length} 行未显示` })
  }
  if (b.leagues.length > leagues.length) elements.push({ kind: 'note', text: `另有 ${b.leagues.length - leagues.length} 个组别未显示` })
  if (b.late.length) elements.push(...lateMentions(b.late, '以下同志本周尚未填报，请抓紧：'))
  elements.push(...demoNote(demo))
  elements.push({ kind: 'actions', buttons: [DASHBOARD_BUTTON] })
  return {
    template: 'weekly-board',
    colour: 'purple',
    title: `${b.period} ${cell(county.name)}重点项目周调度`,
    subtitle: `亿元以上重点项目 · 序时进度 ${pct(b.schedule)}（按日）`,
    elements,
  }
}

/** formatPercent that shows 「超出范围」 for a ratio fixed point cannot hold, instead of failing the card. */
const pctOf = (r: Ratio) => pct(r)

/** 羚羊奖 (best 3) and 蜗牛奖 (worst 3) of a quarter, each picked per 分指挥部 first. */
export function awardsCard(a: QuarterlyAwards, unitOf: (code: string) => string, demo: boolean): Card {
  const rows = (list: AwardPick[], award: string) =>
    list.slice(0, 20).map((p, i) => ({
      award: `${award} ${i + 1}`,
      project: cell(p.name ?? p.code),
      unit: cell(unitOf(p.code)),
      sector: cell(p.sector),
      completion: pctOf(p.completion),
      gap: describeGap(p.gap),
    }))
  const quarter = a.quarter.replace(/^(\d{4})-Q(\d)$/, (_, y: string, q: string) => `${y}年第${'一二三四'[Number(q) - 1]}季度`)
  return {
    template: 'awards',
    colour: 'green',
    title: `${quarter} 羚羊奖 · 蜗牛奖`,
    subtitle: `各分指挥部评选最优、最差项目，指挥部确定各 ${Math.max(a.antelope.length, a.snail.length)} 个（按${a.metric === 'gap' ? '完成率较序时进度' : '投资完成率'}）`,
    elements: [
      {
        kind: 'table',
        columns: [
          { key: 'award', label: '奖项' },
          { key: 'project', label: '项目' },
          { key: 'unit', label: '责任单位' },
          { key: 'sector', label: '分指挥部' },
          { key: 'completion', label: '完成率' },
          { key: 'gap', label: '较序时' },
        ],
        rows: [...rows(a.antelope, '🦌 羚羊奖'), ...rows(a.snail, '🐌 蜗牛奖')],
      },
      { kind: 'note', text: '羚羊奖表彰本季度推进最快的项目，蜗牛奖警示推进最慢的项目：各分指挥部先评出最优、最差项目，再由指挥部确定' },
      ...demoNote(demo),
    ],
  }
}

export interface HalfwayData {
  year: number
  plan: number
  ytd: number
  completion: Ratio | null
  met: boolean
  projects: number
  projectsMet: number
  /** Units below half, worst first. */
  unitsBehind: { unit: string; completion: Ratio | null; shortfall: number }[]
  /** Projects below half with the biggest shortfall first. */
  projectsBehind: { name: string; unit: string; completion: Ratio | null; shortfall: number }[]
}

/** 双过半: by the end of June, at least half of the annual plan invested. */
export function halfwayCard(h: HalfwayData, demo: boolean, county: CountyNames = DEFAULT_COUNTY): Card {
  const name = cell(county.name)
  return {
    template: 'halfway',
    colour: h.met ? 'green' : 'red',
    title: `${h.year}年上半年${name}重点项目“双过半”检查`,
    subtitle: h.met ? `${name}重点项目实现投资“双过半”` : `${name}重点项目未实现投资“双过半”`,
    elements: [
      {
        kind: 'fields',
        fields: [
          { label: '年度计划投资', value: wan(h.plan) },
          { label: '1—6月累计完成', value: wan(h.ytd) },
          { label: '完成率', value: pct(h.completion) },
          { label: '过半项目', value: `${h.projectsMet}/${h.projects} 个` },
        ],
      },
      {
        kind: 'markdown',
        text: h.unitsBehind.length
          ? md`**未过半单位（${h.unitsBehind.length} 个）**\n${capList(
              h.unitsBehind.map((u) => `${clip(u.unit, LIMITS.name)} ${pct(u.completion)}，距过半差 ${formatWan(u.shortfall)} 万元`),
              15,
              '个',
            ).join('\n')}`
          : '**各单位均已过半**',
      },
      ...(h.projectsBehind.length
        ? [
            {
              kind: 'table' as const,
              columns: [
                { key: 'name', label: '未过半项目（差额最大的前 15 个）' },
                { key: 'unit', label: '责任单位' },
                { key: 'completion', label: '完成率' },
                { key: 'shortfall', label: '差额(万元)', numeric: true },
              ],
              rows: h.projectsBehind
                .slice(0, 15)
                .map((p) => ({ name: cell(p.name), unit: cell(p.unit), completion: pct(p.completion), shortfall: formatWan(p.shortfall) })),
            },
          ]
        : []),
      ...demoNote(demo),
      {
        kind: 'actions',
        buttons: [
          { label: '查看排名', command: 'board', args: { scope: 'month' } },
          { label: '红黄牌', command: 'redyellow' },
        ],
      },
    ],
  }
}

export interface EscalationNotice {
  kind: 'supervision' | 'problem'
  id: number
  /** 'D12' / '#7'. */
  ref: string
  project: string
  unit: string
  matter: string
  dueOn: string
  /** Working days past due. */
  overdueDays: number
  /** Which 通报 this is (1, 2, 3…). */
  count: number
  rung: EscalationRung
}

/** 一通报两约谈: the n-th 通报 of an overdue 督办 item or ledger problem. */
export function escalationCard(n: EscalationNotice, demo: boolean, county: CountyNames = DEFAULT_COUNTY): Card {
  const what = n.kind === 'supervision' ? `督办 ${n.ref}` : `问题 ${n.ref}`
  const talk = n.rung.talkBy ? md`\n**请${n.rung.talkBy}约谈${clip(n.unit, LIMITS.name)}主要负责人。**` : ''
  return {
    template: 'escalation',
    colour: n.rung.level === 'notice' ? 'orange' : 'red',
    title: `第 ${n.count} 次通报 · ${cell(what, LIMITS.title)} 逾期未办结`,
    subtitle: `${cell(n.project, LIMITS.title)} · ${cell(n.unit)}`,
    elements: [
      {
        kind: 'fields',
        fields: [
          { label: n.kind === 'supervision' ? '督办事项' : '问题', value: md`${clip(n.matter, LIMITS.text)}` },
          { label: '办理时限', value: md`${clip(formatDay(n.dueOn), 20)}` },
          { label: '已逾期', value: `${n.overdueDays} 个工作日` },
          { label: '处理', value: md`${clip(n.rung.label, LIMITS.name)}` },
        ],
      },
      {
        kind: 'markdown',
        text: md`按照“一通报、两约谈”机制：两次通报未完成的，由县政府分管领导约谈；三次通报未完成的，由县政府主要领导约谈。${markup(talk)}`,
      },
      // A 督办 stops being 通报ed once its 复函 is in: say how to send it.
      ...(n.kind === 'supervision'
        ? [
            {
              kind: 'markdown' as const,
              text: md`请立即复函：在督办卡片上填写，或发送「复函 ${clip(n.ref, 20)} 解决办法：… 责任单位：… 责任领导：… 责任人：… 解决时限：…」。`,
            },
          ]
        : []),
      { kind: 'note', text: md`${clip(county.office, LIMITS.name)}通报` },
      ...demoNote(demo),
      {
        kind: 'actions',
        buttons:
          n.kind === 'supervision'
            ? [{ label: '已阅', style: 'primary', command: 'ack', args: { supervisionId: n.id } }]
            : [{ label: '问题台账', command: 'problems' }],
      },
    ],
  }
}
