/**
 * 四级调度 (qinshui-2024): the card a leader gets when a problem is 提级 to him, with its history, and each
 * leader's 「我的调度清单」 — the problems and 督办 at his level, longest waiting first. The 县长's list is what
 * 顶格调度 works from, beside the 赛马 board.
 */
import type { Card, CardElement } from '../model/index.ts'
import { LIMITS, cell, clip, md } from './text.ts'
import { PROBLEM_STATE_LABELS, formatDay, problemCard, type ProblemView } from './conversation.ts'
import { SUPERVISION_STATE_LABELS, type SupervisionState } from './supervision.ts'

export interface HistoryLine {
  at: string
  person: string | null
  note: string
}

/** The problem as its new level's leader reads it: the 五到位, the reason, and what has happened so far. */
export function raisedCard(v: ProblemView, level: { key: string; label: string }, reason: string, history: HistoryLine[], canRaise: boolean): Card {
  const card = problemCard(v, `提级调度 · ${level.label}`, [{ label: '我的调度清单', command: 'dispatchList' }])
  const lines = history.map((h) => md`${clip(h.at, 20)} ${clip(h.person, LIMITS.name)}：${clip(h.note, LIMITS.line)}`)
  const extra: CardElement[] = [
    { kind: 'markdown', text: md`**提级理由**：${clip(reason, LIMITS.text)}` },
    {
      kind: 'markdown',
      // The latest steps: what the leader acts on.
      text: `**办理经过**${lines.length > LIMITS.lines ? `（最近 ${LIMITS.lines} 条，共 ${lines.length} 条）` : ''}\n${lines.slice(-LIMITS.lines).join('\n')}`,
    },
  ]
  card.elements.splice(1, 0, ...extra)
  if (canRaise) {
    // The level it was made for: once the problem has moved on, a submit is refused.
    card.elements.push({
      kind: 'form',
      name: 'raiseLevel',
      inputs: [{ name: 'reason', label: '提级理由', kind: 'multiline', required: true, placeholder: '职责范围内难以协调的原因' }],
      submit: { label: '提请上一级调度', command: 'raiseLevel', args: { problemId: v.id, level: level.key } },
    })
    card.elements.push({ kind: 'note', text: `职责范围内难以协调的，也可发送「提级 #${v.id} 理由」。` })
  }
  return card
}

export interface ListProblem {
  id: number
  project: string
  description: string
  unit: string | null
  state: keyof typeof PROBLEM_STATE_LABELS
  dueOn: string | null
  since: string
}

export interface ListSupervision {
  id: number
  project: string
  matter: string
  state: SupervisionState
  replyDueOn: string
}

/** Rows of one of the list's two tables (both together stay within a card's LIMITS.cardRows). */
function capRows<T>(rows: readonly T[], max = 25): { rows: T[]; note: CardElement[] } {
  if (rows.length <= max) return { rows: [...rows], note: [] }
  return { rows: rows.slice(0, max), note: [{ kind: 'note', text: `仅显示最早的 ${max} 项，另有 ${rows.length - max} 项未显示` }] }
}

/** 「我的调度清单」: the problems and 督办 at this person's levels, oldest first. */
export function dispatchListCard(who: string, levels: string[], problems: ListProblem[], supervisions: ListSupervision[], countyHead: boolean): Card {
  const p = capRows(problems)
  const s = capRows(supervisions)
  const elements: CardElement[] = [
    { kind: 'markdown', text: md`**调度层级**：${levels.join('、') || '—'}` },
    problems.length
      ? {
          kind: 'table',
          columns: [
            { key: 'id', label: '编号' },
            { key: 'project', label: '项目' },
            { key: 'description', label: '问题' },
            { key: 'unit', label: '责任单位' },
            { key: 'since', label: '本级起' },
            { key: 'due', label: '时限' },
            { key: 'state', label: '状态' },
          ],
          rows: p.rows.map((x) => ({
            id: `#${x.id}`,
            project: cell(x.project),
            description: cell(x.description, LIMITS.cell),
            unit: x.unit === null ? '待交办' : cell(x.unit),
            since: cell(x.since, 20),
            due: x.dueOn ? formatDay(x.dueOn) : '—',
            state: PROBLEM_STATE_LABELS[x.state],
          })),
        }
      : { kind: 'markdown', text: '本级暂无待调度问题。' },
    ...p.note,
  ]
  if (supervisions.length)
    elements.push(
      {
        kind: 'table',
        columns: [
          { key: 'id', label: '督办' },
          { key: 'project', label: '项目' },
          { key: 'matter', label: '事项' },
          { key: 'state', label: '状态' },
          { key: 'due', label: '复函时限' },
        ],
        rows: s.rows.map((x) => ({
          id: `D${x.id}`,
          project: cell(x.project),
          matter: cell(x.matter, LIMITS.cell),
          state: SUPERVISION_STATE_LABELS[x.state],
          due: formatDay(x.replyDueOn),
        })),
      },
      ...s.note,
    )
  if (countyHead) elements.push({ kind: 'note', text: '县长顶格调度：对照赛马比拼情况研究需县政府协调解决的重大问题。' })
  elements.push({
    kind: 'actions',
    buttons: countyHead ? [{ label: '本月排名', command: 'board', args: { scope: 'month' } }] : [{ label: '问题台账', command: 'problems' }],
  })
  return {
    template: 'dispatch-list',
    colour: 'wathet',
    title: `我的调度清单 · ${cell(who, LIMITS.title)}`,
    subtitle: `问题 ${problems.length} 个 · 督办 ${supervisions.length} 件`,
    elements,
  }
}
