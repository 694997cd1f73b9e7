/**
 * The cards of 三色管理 as it runs: the 进度催办 of a project behind 序时 (to its contacts and its unit's head), the
 * 约谈 a yellow card sets the sector's 指挥长, the 表态发言 a red card asks of the 主管部门's head, and the lists
 * of open 约谈 and of the meeting's 表态.
 */
import type { Card, CardElement } from '../model/index.ts'
import { demoNote, formatDay, periodLabel, wan } from './conversation.ts'
import { capList, cell, clip, LIMITS, md } from './text.ts'
import { describeGap, type Gap } from '../domain/schedule.ts'
import { formatPercent, type Ratio } from '../domain/ratio.ts'

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

/** The 表态发言 list of the 指挥部 meeting after a month. */
export function pledgesCard(period: string, list: { projectName: string; speakerName: string; meetingOn: string | null }[], demo: boolean): Card {
  return {
    template: 'pledges',
    colour: 'red',
    title: `指挥部会议表态发言清单 · ${periodLabel(period)}红牌项目`,
    subtitle: `${list.length} 个项目`,
    elements: [
      list.length
        ? {
            kind: 'table',
            columns: [
              { key: 'project', label: '项目' },
              { key: 'speaker', label: '表态发言人' },
              { key: 'meeting', label: '会议' },
            ],
            rows: list.slice(0, LIMITS.rows).map((p) => ({
              project: cell(p.projectName),
              speaker: cell(p.speakerName || '主管部门主要负责人'),
              meeting: p.meetingOn ? formatDay(p.meetingOn) : '下次指挥部会议',
            })),
          }
        : { kind: 'markdown', text: `${periodLabel(period)}没有红牌项目，无需表态发言。` },
      ...demoNote(demo),
    ],
  }
}
