/**
 * The cards of 三色管理 as it runs: the 进度催办 of a project behind 序时 (to its contacts and its unit's head), the
 * 约谈 a yellow card sets the sector's 指挥长, the 表态发言 a red card asks of the 主管部门's head, and the lists
 * of open 约谈 and of the meeting's 表态.
 */
import type { Button, Card, CardElement } from '../model/index.ts'
import { COLOUR_HEADER, demoNote, formatDay, gapText, pct, periodLabel, wan } from './conversation.ts'
import { capList, cell, clip, LIMITS, md } from './text.ts'
import { describeGap, type Gap } from '../domain/schedule.ts'
import { formatPercent, type Ratio } from '../domain/ratio.ts'
import { COLOUR_LABELS } from '../domain/colours.ts'
import type { SectorBoard } from '../services/boards.ts'

/** One project's lag as a 进度催办 says it. */
export interface LagLine {
  code: string
  name: string
  period: string
  completion: Ratio | null
  schedule: Ratio | null
  gap: Gap | null
  /** 元 still to do to reach 序时. */
  needed: number
  /** Consecutive 催办, this one included. */
  count: number
}

const pctText = (r: Ratio | null) => (r ? formatPercent(r) : '—')

/** What the rule does next, in one sentence: 「再次催办仍未达到序时的，将贴黄牌」. */
function nextStep(count: number, threshold: number): string {
  if (threshold <= 0) return '未达到序时进度的项目按规则贴牌。'
  if (count >= threshold) return `已连续催办 ${count} 次，本月仍未达到序时进度的，将贴黄牌并由分指挥长约谈。`
  return `已连续催办 ${count} 次，连续催办 ${threshold} 次仍未达到序时进度的，将贴黄牌并由分指挥长约谈。`
}

/** 进度催办 to a project's contacts: how far behind 序时, what it needs to reach it, and what follows. */
export function progressUrgeCard(l: LagLine, threshold: number, demo: boolean, by?: string): Card {
  const name = clip(l.name, LIMITS.title)
  return {
    template: 'progress-urge',
    colour: 'orange',
    title: `进度催办 · ${cell(l.name, LIMITS.title)}`,
    subtitle: `${periodLabel(l.period)}${by ? ` · ${cell(by)}催办` : ''}`,
    elements: [
      {
        kind: 'markdown',
        text: md`「${name}」完成率 ${pctText(l.completion)}，序时进度 ${pctText(l.schedule)}，${l.gap ? describeGap(l.gap) : '未达序时'}。还需完成 ${wan(l.needed)}才能达到序时进度，请加快推进并如实填报。`,
      },
      { kind: 'note', text: nextStep(l.count, threshold) },
      { kind: 'actions', buttons: [{ label: '立即填报', style: 'primary', command: 'report', args: { target: l.code } }] },
      ...demoNote(demo),
    ],
  }
}

/** 进度催办 to a unit's head: its projects behind 序时, with what each needs. */
export function progressUrgeHeadCard(unit: string, lines: LagLine[], threshold: number, demo: boolean): Card {
  const list = capList(
    lines.map(
      (l, i) =>
        `${i + 1}. ${clip(l.name, LIMITS.name)}：完成率 ${pctText(l.completion)}，${l.gap ? describeGap(l.gap) : '未达序时'}，还需 ${wan(l.needed)}（连续催办 ${l.count} 次）`,
    ),
    20,
    '个',
  )
  return {
    template: 'progress-urge-head',
    colour: 'orange',
    title: `进度催办 · ${cell(unit, LIMITS.title)}`,
    subtitle: `${periodLabel(lines[0]?.period ?? '')} · ${lines.length} 个项目未达序时进度`,
    elements: [
      { kind: 'markdown', text: md`贵单位以下项目未达到序时进度，已各记进度催办一次，请督促加快推进：\n${list.join('\n')}` },
      { kind: 'note', text: `连续催办 ${threshold} 次仍未达到序时进度的项目贴黄牌，由分指挥长约谈主管部门和项目单位主要负责人。` },
      ...demoNote(demo),
    ],
  }
}

/** The 约谈 a yellow card sets the sector's 指挥长: whom to meet, by when. */
export function interviewTaskCard(
  i: { id: number; project: string; code: string; sector: string; period: string; dueOn: string; meet: string[] },
  demo: boolean,
): Card {
  return {
    template: 'interview-task',
    colour: 'yellow',
    title: `约谈任务 · ${cell(i.project, LIMITS.title)}`,
    subtitle: `${periodLabel(i.period)}黄牌 · ${cell(i.sector)}分指挥部`,
    elements: [
      {
        kind: 'markdown',
        text: md`「${clip(i.project, LIMITS.title)}」连续催办仍未达到序时进度，${periodLabel(i.period)}贴黄牌。请于 ${formatDay(i.dueOn)} 前约谈：${i.meet.map((m) => clip(m, LIMITS.name)).join('、') || '主管部门和项目单位主要负责人'}。`,
      },
      interviewForm(i.id),
      ...demoNote(demo),
    ],
  }
}

/** The form that records a 约谈 as held (date and a line of notes). */
function interviewForm(id: number): CardElement {
  return {
    kind: 'form',
    name: `interview-${id}`,
    inputs: [
      { name: 'heldOn', label: '约谈日期', kind: 'date', required: true, placeholder: '例如 2026-11-05' },
      { name: 'notes', label: '约谈情况（一句话）', kind: 'text', required: true, placeholder: '例如 已约谈，承诺11月底前追上序时' },
    ],
    submit: { label: '记录约谈', style: 'primary', command: 'interviewHeld', args: { id } },
  }
}

/** 表态发言 notice to the 主管部门's head of a red project. */
export function pledgeNoticeCard(p: { project: string; period: string; meetingOn: string | null }, demo: boolean): Card {
  return {
    template: 'pledge-notice',
    colour: 'red',
    title: `表态发言通知 · ${cell(p.project, LIMITS.title)}`,
    subtitle: `${periodLabel(p.period)}红牌`,
    elements: [
      {
        kind: 'markdown',
        text: md`「${clip(p.project, LIMITS.title)}」连续两个月黄牌，${periodLabel(p.period)}贴红牌。请您在${p.meetingOn ? `${formatDay(p.meetingOn)}的` : '下次'}指挥部会议上表态发言，说明原因和追赶措施。`,
      },
      ...demoNote(demo),
    ],
  }
}

/** Open 约谈, each with the form that records it held. */
export function interviewsCard(
  list: { id: number; projectName: string; commanderName: string; dueOn: string; period: string; meet: string[] }[],
  demo: boolean,
): Card {
  const elements: CardElement[] = []
  if (!list.length) elements.push({ kind: 'markdown', text: '目前没有待开展的约谈。' })
  for (const i of list.slice(0, 10)) {
    elements.push({
      kind: 'markdown',
      text: md`**${clip(i.projectName, LIMITS.name)}**（${periodLabel(i.period)}黄牌）：${clip(i.commanderName || '指挥长', 20)}于 ${formatDay(i.dueOn)} 前约谈 ${i.meet.map((m) => clip(m, LIMITS.name)).join('、') || '主管部门和项目单位主要负责人'}`,
    })
    elements.push(interviewForm(i.id))
  }
  if (list.length > 10) elements.push({ kind: 'note', text: `另有 ${list.length - 10} 个约谈未显示` })
  elements.push(...demoNote(demo))
  return { template: 'interviews', colour: 'yellow', title: '待开展的约谈', subtitle: `${list.length} 个`, elements }
}

/** A 表态发言 on the meeting's list. */
export interface PledgeItem {
  projectId: number
  projectName: string
  period: string
  speakerName: string
  spokeOn: string | null
}

/** The most 已发言 buttons one list card carries (the rest are typed: 「表态 项目编号 已发言」). */
const SPOKE_BUTTONS = 10

/**
 * The 表态发言 list of the next 指挥部 meeting: its date when the office set it (else 下次), each red project's
 * speaker and whether he has spoken; the office's copy has a 「已发言」 button per speaker still to speak.
 */
export function pledgesCard(
  period: string,
  list: PledgeItem[],
  meeting: { on: string | null; past: boolean },
  opts: { demo: boolean; office: boolean },
): Card {
  const open = list.filter((p) => !p.spokeOn)
  const when = meeting.on && !meeting.past ? `${formatDay(meeting.on)}指挥部会议` : '下次指挥部会议'
  const buttons: Button[] = open
    .slice(0, SPOKE_BUTTONS)
    .map((p) => ({ label: `${clip(p.projectName, 12)} 已发言`, command: 'pledgeSpoke', args: { projectId: p.projectId } }))
  return {
    template: 'pledges',
    colour: 'red',
    title: `指挥部会议表态发言清单 · ${periodLabel(period)}红牌项目`,
    subtitle: `${when} · ${list.length} 个项目${list.length ? `，待发言 ${open.length} 个` : ''}`,
    elements: [
      {
        kind: 'markdown',
        text: meeting.on
          ? meeting.past
            ? md`上次指挥部会议于 ${formatDay(meeting.on)} 召开；下次会议时间待定（{office}发送「指挥部会议 日期」设定）。`
            : md`**下次指挥部会议：${formatDay(meeting.on)}**。以下主管部门主要负责人在会上表态发言，说明原因和追赶措施。`
          : md`
下次指挥部会议时间待定（{office}发送「指挥部会议 12月10日」设定，清单上的负责人会收到通知）。
            `,
      },
      list.length
        ? {
            kind: 'table',
            columns: [
              { key: 'project', label: '项目' },
              { key: 'period', label: '红牌月份' },
              { key: 'speaker', label: '表态发言人' },
              { key: 'state', label: '发言情况' },
            ],
            rows: list.slice(0, LIMITS.rows).map((p) => ({
              project: cell(p.projectName),
              period: periodLabel(p.period),
              speaker: cell(p.speakerName || '主管部门主要负责人'),
              state: p.spokeOn ? `已于${formatDay(p.spokeOn)}发言` : '待发言',
            })),
          }
        : { kind: 'markdown', text: `${periodLabel(period)}没有红牌项目，无需表态发言。` },
      ...(opts.office && buttons.length
        ? [
            { kind: 'note' as const, text: '会后请记录已发言的负责人：点下方按钮，或发送「表态 项目编号 已发言」' },
            { kind: 'actions' as const, buttons },
          ]
        : []),
      ...(opts.office && open.length > SPOKE_BUTTONS
        ? [{ kind: 'note' as const, text: `另有 ${open.length - SPOKE_BUTTONS} 个请发送「表态 项目编号 已发言」` }]
        : []),
      ...demoNote(opts.demo),
    ],
  }
}

/** A 分指挥部's projects ranked by 投资完成率 against 序时 (「排名 工业」). */
export function sectorBoardCard(b: SectorBoard, opts: { commander?: string; demo: boolean; county: { name: string } }): Card {
  const ranked = b.lines.filter((l) => l.rank !== null)
  const count = (c: keyof typeof COLOUR_LABELS) => b.lines.filter((l) => l.colour === c).length
  const rows = b.lines.slice(0, LIMITS.rows)
  const elements: CardElement[] = [
    {
      kind: 'markdown',
      text: md`**${clip(b.sector, LIMITS.name)}分指挥部**：${b.lines.length} 个项目，🔵${count('blue')} 🟠${count('watch')} 🟡${count('yellow')} 🔴${count('red')}${opts.commander ? `；指挥长 ${clip(opts.commander, 20)}` : ''}`,
    },
  ]
  if (b.lines.length)
    elements.push({
      kind: 'table',
      columns: [
        { key: 'rank', label: '名次', numeric: true },
        { key: 'project', label: '项目' },
        { key: 'unit', label: '责任单位' },
        { key: 'completion', label: '投资完成率' },
        { key: 'gap', label: '较序时' },
        { key: 'colour', label: '色牌' },
        { key: 'delta', label: '名次变化' },
      ],
      rows: rows.map((l) => ({
        rank: l.rank ?? '—',
        project: cell(l.name),
        unit: cell(l.unit),
        completion: pct(l.completion),
        gap: gapText(l.completion, l.schedule),
        colour: COLOUR_LABELS[l.colour],
        delta:
          l.rank === null
            ? '—'
            : l.deltaRank === null
              ? '新上榜'
              : l.deltaRank > 0
                ? `↑${l.deltaRank}`
                : l.deltaRank < 0
                  ? `↓${-l.deltaRank}`
                  : '持平',
      })),
    })
  else elements.push({ kind: 'markdown', text: `${periodLabel(b.period)}该分指挥部没有在建的重点项目。` })
  if (b.lines.length > rows.length) elements.push({ kind: 'note', text: `仅显示前 ${rows.length} 个，另有 ${b.lines.length - rows.length} 个未显示` })
  if (ranked.length < b.lines.length) elements.push({ kind: 'note', text: `${b.lines.length - ranked.length} 个项目没有年度计划，不参与排名` })
  elements.push({
    kind: 'note',
    text: '按投资完成率较序时进度排名（同分并列，再按年度计划、项目编号）；分指挥部各选最优、最差项目参评季度羚羊奖、蜗牛奖',
  })
  if (b.published) elements.push({ kind: 'note', text: `${periodLabel(b.period)}排名已发布，以上为发布时的数据；此后的更正和规则调整计入下月` })
  elements.push(...demoNote(opts.demo))
  return {
    template: 'sector-board',
    colour: COLOUR_HEADER[count('red') ? 'red' : count('yellow') ? 'yellow' : 'blue'],
    title: `${periodLabel(b.period)} ${cell(opts.county.name)}${cell(b.sector, LIMITS.name)}分指挥部项目排名`,
    subtitle: `${ranked.length} 个项目参与排名`,
    elements,
  }
}

/** One 分指挥部 as the list shows it. */
export interface SectorItem {
  name: string
  projects: number
  commander: string
  deputy: string
  liaison: string
}

/** The county's 分指挥部 and their people (「分指挥部」); the office is told how to change them. */
export function sectorsCard(list: SectorItem[], opts: { demo: boolean; office: boolean }): Card {
  const who = (s: string) => (s ? cell(s, 20) : '未设置')
  return {
    template: 'sectors',
    colour: 'blue',
    title: '分指挥部',
    subtitle: `${list.length} 个分指挥部`,
    elements: [
      list.length
        ? {
            kind: 'table',
            columns: [
              { key: 'name', label: '分指挥部' },
              { key: 'projects', label: '项目数', numeric: true },
              { key: 'commander', label: '指挥长' },
              { key: 'deputy', label: '副指挥长' },
              { key: 'liaison', label: '总联络人' },
            ],
            rows: list.slice(0, LIMITS.rows).map((s) => ({
              name: cell(s.name),
              projects: s.projects,
              commander: who(s.commander),
              deputy: who(s.deputy),
              liaison: who(s.liaison),
            })),
          }
        : { kind: 'markdown', text: '还没有分指挥部：导入项目时填写「分指挥部/领域」一栏即可。' },
      ...(opts.office
        ? [{ kind: 'note' as const, text: '修改请发送「设置分指挥部 工业 指挥长 张三」（或 副指挥长、总联络人），人员须在花名册中' }]
        : []),
      { kind: 'actions', buttons: list.slice(0, 8).map((s) => ({ label: `${clip(s.name, 8)}排名`, command: 'board', args: { sector: s.name } })) },
      ...demoNote(opts.demo),
    ],
  }
}
