/**
 * The cards of a 挂牌督办 as each reader sees it now (zhangzi-2020 §13): the unit's card carries the 复函 form with
 * the five 落实 while a reply is owed; the issuing leader's card carries 办结 and 退回 once the 复函 is in; once
 * 办结 no card acts. Every card names its item (`supervision:N`), so each change refreshes all of them.
 */
import type { Button, Card, CardElement } from '../model/index.ts'
import { REPLY_FIELDS, type ReplyFields } from '../domain/supervision.ts'
import { LIMITS, cell, clip, inert, md } from './text.ts'
import { formatDay } from './conversation.ts'

export type SupervisionState = 'open' | 'replied' | 'returned' | 'closed'

export const SUPERVISION_STATE_LABELS: Readonly<Record<SupervisionState, string>> = {
  open: '待复函',
  replied: '已复函，待办结',
  returned: '已退回，待重新复函',
  closed: '已办结',
}

/** What every card of a 督办 shows. */
export interface SupervisionView {
  id: number
  matter: string
  project: string
  /** 张三（县长） */
  issuer: string
  state: SupervisionState
  replyDueOn: string
  cadence: string
  fields: Partial<ReplyFields> | null
  returnReason: string | null
}

/** Who reads the card: the unit that answers, the leader who issued it, or anyone else (the office, a group). */
export type SupervisionReader = 'unit' | 'issuer' | 'other'

/** The stamp a button carries: a click on a card made for another state is refused. */
const stamp = (v: SupervisionView) => ({ supervisionId: v.id, state: v.state })

const ref = (v: SupervisionView) => `D${v.id}`

/** The 复函 form: the five 落实, prefilled with the last 复函 when it was 退回. */
export function replyForm(v: SupervisionView): CardElement {
  return {
    kind: 'form',
    name: 'replySupervision',
    inputs: REPLY_FIELDS.map((d) => ({
      name: d.key,
      label: d.label,
      kind: d.key === 'plan' ? ('multiline' as const) : ('text' as const),
      required: true,
      ...(v.fields?.[d.key] ? { initial: clip(v.fields[d.key], LIMITS.input) } : {}),
      placeholder: PLACEHOLDERS[d.key],
    })),
    submit: { label: '提交复函', style: 'primary', command: 'replySupervision', args: stamp(v) },
  }
}

const PLACEHOLDERS: Record<keyof ReplyFields, string> = {
  plan: '例如：协调供电公司架设临时线路',
  unit: '例如：县能源局',
  leader: '例如：李副县长',
  person: '例如：王局长',
  deadline: '例如：12月20日前',
}

function replyFields(v: SupervisionView): CardElement[] {
  if (!v.fields) return []
  return [
    {
      kind: 'fields',
      fields: REPLY_FIELDS.map((d) => ({ label: d.label, value: v.fields?.[d.key] ? inert(clip(v.fields[d.key], LIMITS.text)) : '—' })),
    },
  ]
}

/** The 督办's card for one reader; `acknowledged`: this reader has already sent 已阅. */
export function supervisionCard(v: SupervisionView, reader: SupervisionReader, acknowledged = false): Card {
  const open = v.state === 'open' || v.state === 'returned'
  const subtitle =
    v.state === 'closed'
      ? `${SUPERVISION_STATE_LABELS.closed}`
      : open
        ? `${cell(v.issuer)} 督办 · 请于 ${formatDay(v.replyDueOn)} 前复函`
        : `${SUPERVISION_STATE_LABELS.replied} · ${cell(v.issuer)}`
  const elements: CardElement[] = [
    {
      kind: 'markdown',
      text: md`**督办事项**：${clip(v.matter, LIMITS.text)}\n**状态**：${SUPERVISION_STATE_LABELS[v.state]}`,
    },
  ]
  if (v.state === 'returned' && v.returnReason) elements.push({ kind: 'markdown', text: md`**退回理由**：${clip(v.returnReason, LIMITS.text)}` })
  elements.push(...replyFields(v))
  const buttons: Button[] = []
  if (reader === 'unit' && open) {
    elements.push({
      kind: 'markdown',
      text: md`请落实解决办法、责任单位、责任领导、责任人和解决时限，于 ${formatDay(v.replyDueOn)} 前向{office}复函。`,
    })
    elements.push(replyForm(v))
    elements.push({
      kind: 'note',
      text: `督办编号 ${ref(v)}；也可发送「复函 ${ref(v)} 解决办法：… 责任单位：… 责任领导：… 责任人：… 解决时限：…」`,
    })
    if (!acknowledged) buttons.push({ label: '已阅', command: 'ack', args: { supervisionId: v.id } })
  } else if (reader === 'issuer' && v.state === 'replied') {
    elements.push({ kind: 'markdown', text: '责任单位已复函。问题落实后请「办结」；复函不符合要求的请写明理由「退回」。' })
    elements.push({ kind: 'actions', buttons: [{ label: '办结', style: 'primary', command: 'closeSupervision', args: stamp(v) }] })
    elements.push({
      kind: 'form',
      name: 'returnSupervision',
      inputs: [{ name: 'reason', label: '退回理由', kind: 'multiline', required: true, placeholder: '例如：解决时限过长，请压缩到本月内' }],
      submit: { label: '退回', style: 'danger', command: 'returnSupervision', args: stamp(v) },
    })
    elements.push({ kind: 'note', text: `督办编号 ${ref(v)}；也可发送「办结 ${ref(v)}」或「退回 ${ref(v)} 理由」` })
  } else {
    elements.push({ kind: 'note', text: `督办编号 ${ref(v)}${open ? `；复函时限 ${formatDay(v.replyDueOn)}` : ''}` })
    if (reader === 'unit' && !acknowledged && v.state !== 'closed') buttons.push({ label: '已阅', command: 'ack', args: { supervisionId: v.id } })
  }
  if (buttons.length) elements.push({ kind: 'actions', buttons })
  return {
    template: 'supervision',
    colour: v.state === 'closed' ? 'green' : v.state === 'replied' ? 'turquoise' : 'red',
    title: `挂牌督办 · ${cell(v.project, LIMITS.title)}`,
    subtitle,
    subject: `supervision:${v.id}`,
    elements,
  }
}
