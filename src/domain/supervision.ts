/**
 * The written parts of the 督办 loop and of 五到位 交办, as officials write them: labelled fields in any order
 * (「解决办法：… 责任单位：…」, full-width or half-width colons), and the four 调度 levels of a problem.
 *
 * - 复函 (zhangzi-2020 §13): "督办对象收到「挂牌督办通知书」后，应当在三个工作日内，落实解决办法、落实责任单位、
 *   落实责任领导、落实责任人、落实解决时限，并向县重点项目办公室复函".
 * - 五到位 (county-2023): "落实责任单位、责任领导、责任人、解决方案、解决时限".
 * - 四级调度 (qinshui-2024): 县项目攻坚指挥部办公室常态调度 → 分管副县长精准调度 → 常务副县长专题调度 → 县长顶格调度.
 */
import { normalizeWidth } from './parse/numbers.ts'

/** One labelled field: its key, the label shown, and every label people write for it (longest wins). */
export interface FieldDef<K extends string = string> {
  key: K
  label: string
  labels: readonly string[]
}

/** The 复函's five 落实, in the order of zhangzi-2020. */
export const REPLY_FIELDS = [
  { key: 'plan', label: '解决办法', labels: ['解决办法', '解决方案', '解决措施', '办法', '措施', '方案'] },
  { key: 'unit', label: '责任单位', labels: ['责任单位', '牵头单位', '承办单位'] },
  { key: 'leader', label: '责任领导', labels: ['责任领导', '分管领导', '包联领导'] },
  { key: 'person', label: '责任人', labels: ['责任人', '具体责任人', '经办人', '联系人'] },
  { key: 'deadline', label: '解决时限', labels: ['解决时限', '完成时限', '办结时限', '时限', '完成时间', '解决时间'] },
] as const satisfies readonly FieldDef[]

export type ReplyFieldKey = (typeof REPLY_FIELDS)[number]['key']
export type ReplyFields = Record<ReplyFieldKey, string>

/** The longest a field may be (a card shows it whole). */
export const MAX_FIELD = 200

/**
 * The labelled fields of a text, by key: `labelledFields('责任人：张三；解决办法：协调林业局', REPLY_FIELDS)` →
 * `{ person: '张三', plan: '协调林业局' }`. A label counts only before a colon; its value runs to the next label.
 * `rest` is the text before the first label (a unit's name in 「交办 #12 县林业局 方案：…」).
 */
export function labelledFields<K extends string>(text: string, defs: readonly FieldDef<K>[]): { fields: Partial<Record<K, string>>; rest: string } {
  const s = normalizeWidth(text)
  const all = defs.flatMap((d) => d.labels.map((l) => ({ key: d.key, l }))).sort((a, b) => b.l.length - a.l.length)
  const re = new RegExp(`(${all.map((a) => a.l).join('|')})\\s*[:：]`, 'g')
  const hits: { key: K; start: number; end: number }[] = []
  for (const m of s.matchAll(re)) hits.push({ key: all.find((a) => a.l === m[1])!.key, start: m.index, end: m.index + m[0].length })
  const fields: Partial<Record<K, string>> = {}
  hits.forEach((h, i) => {
    const value = s
      .slice(h.end, hits[i + 1]?.start ?? s.length)
      .replace(/^[\s,，;；、。]+|[\s,，;；、。]+$/g, '')
      .trim()
    if (value && fields[h.key] === undefined) fields[h.key] = value
  })
  return { fields, rest: (hits.length ? s.slice(0, hits[0]!.start) : s).trim() }
}

/** A 复函 read: the five fields when all are there, else which labels are missing. */
export type ReplyReading =
  { complete: true; fields: ReplyFields } | { complete: false; fields: Partial<ReplyFields>; missing: string[]; tooLong: string[] }

/** Reads a 复函 from its text, a form's inputs (by key), or both (the form wins). */
export function readReply(text: string, form: Partial<Record<string, string>> = {}): ReplyReading {
  const typed = labelledFields(text, REPLY_FIELDS).fields
  const fields: Partial<ReplyFields> = {}
  for (const d of REPLY_FIELDS) {
    const v = (form[d.key] ?? '').trim() || typed[d.key]
    if (v) fields[d.key] = v
  }
  const missing = REPLY_FIELDS.filter((d) => !fields[d.key]).map((d) => d.label)
  const tooLong = REPLY_FIELDS.filter((d) => (fields[d.key]?.length ?? 0) > MAX_FIELD).map((d) => d.label)
  if (missing.length || tooLong.length) return { complete: false, fields, missing, tooLong }
  return { complete: true, fields: fields as ReplyFields }
}

/** The 复函 as one line of text (kept in `supervisions.reply`). */
export const replyText = (f: ReplyFields) => REPLY_FIELDS.map((d) => `${d.label}：${f[d.key]}`).join('；')

/** What 「交办」 may carry besides the unit: the rest of 五到位, and the problem's severity. */
export const ASSIGN_FIELDS = [
  { key: 'plan', label: '解决方案', labels: ['解决方案', '解决办法', '方案', '办法', '措施'] },
  { key: 'leader', label: '责任领导', labels: ['责任领导', '分管领导', '包联领导'] },
  { key: 'person', label: '责任人', labels: ['责任人', '具体责任人', '经办人'] },
] as const satisfies readonly FieldDef[]

/** 一般 / 重大 written anywhere in a 交办: 「重大」「重大问题」「一般」. */
export function readSeverity(text: string): { severity?: 'ordinary' | 'major'; rest: string } {
  const m = /(?:^|\s)(重大|一般)(?:问题)?(?=\s|$)/.exec(text)
  if (!m) return { rest: text }
  return { severity: m[1] === '重大' ? 'major' : 'ordinary', rest: (text.slice(0, m.index) + ' ' + text.slice(m.index + m[0].length)).trim() }
}

export const SEVERITY_LABELS = { ordinary: '一般', major: '重大' } as const

// ---------------------------------------------------------------------------------------------------------
// 四级调度

export type Level = 'office' | 'vice' | 'executive' | 'county'

/** qinshui-2024 「四级调度」, lowest first: who works a problem at each level. */
export const LEVELS: readonly { level: Level; label: string; who: string }[] = [
  { level: 'office', label: '办公室常态调度', who: '{office}' },
  { level: 'vice', label: '分管副县长精准调度', who: '分管副县长' },
  { level: 'executive', label: '常务副县长专题调度', who: '常务副县长' },
  { level: 'county', label: '县长顶格调度', who: '县长' },
]

export const levelLabel = (l: Level) => LEVELS.find((x) => x.level === l)!.label

/** The level above, or null at 县长顶格调度. */
export function nextLevel(l: Level): Level | null {
  const i = LEVELS.findIndex((x) => x.level === l)
  return LEVELS[i + 1]?.level ?? null
}
