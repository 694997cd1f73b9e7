/**
 * 开工 / 复工 and 入库纳统 as contacts write them in a report, with their dates:
 *
 * ```ts
 * parseStarts('主体施工，已于3月15日开工，本月已入库')
 * // { start: { status: 'started', on: { year: null, month: 3, day: 15, word: null } },
 * //   stats: { status: 'in', on: { year: null, month: null, day: null, word: '本月' } }, spans: [...] }
 * resolveDate({ year: null, month: 3, day: 15, word: null }, '2026-11', '2026-11-26') // '2026-03-15'
 * ```
 *
 * A start counts only when it is stated as done: a date before it (3月2日复工), or 已 / 正式 / 顺利 / 实现 …
 * (已开工). Plans and wishes (计划3月开工, 争取本月开工, 具备开工条件, 开工以来累计) are not starts; 未开工 /
 * 尚未入库 are said explicitly (status 'none'), so a correction can take a start back.
 */
import { normalizeWidth, parseNumber } from './numbers.ts'
import { addDays, daysInMonth as daysIn } from '../time.ts'

export type StartStatus = 'started' | 'resumed'

/** A date as written: 2026年3月15日, 3月15日, 3月, 本月, 上月, 今天. Resolved against a round's period by resolveDate. */
export interface DateRef {
  year: number | null
  month: number | null
  day: number | null
  /** 上旬 / 中旬 / 下旬 / 底 after a month without a day. */
  part: 'early' | 'mid' | 'late' | 'end' | null
  word: 'thisMonth' | 'lastMonth' | 'today' | 'yesterday' | null
}

export type StartMention = { status: StartStatus; on: DateRef | null } | { status: 'none' }
export type StatsMention = { status: 'in'; on: DateRef | null } | { status: 'none' }

export interface StartsParse {
  /** 开工 / 复工, or 未开工; null when the text says nothing about it. */
  start: StartMention | null
  stats: StatsMention | null
  /** Where in the text the statements are (to keep them out of 形象进度). */
  spans: { start: number; end: number }[]
}

const CN = '[一二三四五六七八九十]{1,3}'
const NUM = `(?:\\d{1,2}|${CN})`
const DATE =
  `(?:(?<iy>\\d{4})-(?<im>\\d{1,2})-(?<id>\\d{1,2})` +
  `|(?:(?<y>\\d{4})\\s*年\\s*)?(?<m>${NUM})\\s*月\\s*(?:份\\s*)?(?:(?<d>${NUM})\\s*[日号]|(?<part>上旬|中旬|下旬|初|中|底|末))?` +
  `|(?<w>本月|当月|这个月|本月份|上月|上个月|今天|今日|昨天|昨日))`
const AFFIRM = '(?:已经|已|于|正式|全面|顺利|实现|完成|成功|如期|按期|均已|均|目前已|现已|并|并已)'

/** 开工 / 复工 stated as done, the date optional but then an affirming word needed (see AFFIRM). */
const START_RE = new RegExp(`(?<pre>${AFFIRM}*)\\s*(?:${DATE})?\\s*(?<mid>${AFFIRM}*)\\s*(?<verb>开工|复工(?:复产)?|复产复工)`, 'g')
const STATS_RE = new RegExp(
  `(?<pre>${AFFIRM}*)\\s*(?:${DATE})?\\s*(?<mid>${AFFIRM}*)\\s*(?<verb>入库纳统|入库入统|纳统入库|纳入统计|入统|纳统|入库)`,
  'g',
)
const NEG_START_RE = /(?:尚未|还未|还没有?|没有|暂未|仍未|未能|未)(?:正式|全面)?(开工|复工)/g
const NEG_STATS_RE = /(?:尚未|还未|还没有?|没有|暂未|仍未|未能|未)(?:完成)?(入库纳统|入库|纳统|入统)/g
/** Words before a start that make it a plan or a wish, not a fact. */
const NOT_DONE_BEFORE =
  /(?:计划|预计|拟|争取|确保|力争|将|准备|即将|待|不|无法|能否|尽快|推动|促进|督促|要求|具备|申请|需要|年内|月底前|年底前|之前)\s*$/
/** Words after a start that make it something else (开工以来, 开工率, 入库手续). */
const NOT_DONE_AFTER = /^(?:以来|至今|累计|条件|手续|许可|前|准备|证|审批|报告|时间|日期|率|仪式前|计划|资料|材料|申报|标准|要求|工作)/

function monthOf(s: string | undefined): number | null {
  if (s === undefined) return null
  const n = parseNumber(s)
  return n !== null && Number.isInteger(n) && n >= 1 && n <= 12 ? n : null
}
function dayOf(s: string | undefined): number | null {
  if (s === undefined) return null
  const n = parseNumber(s)
  return n !== null && Number.isInteger(n) && n >= 1 && n <= 31 ? n : null
}

const WORDS: Record<string, DateRef['word']> = {
  本月: 'thisMonth',
  当月: 'thisMonth',
  这个月: 'thisMonth',
  本月份: 'thisMonth',
  上月: 'lastMonth',
  上个月: 'lastMonth',
  今天: 'today',
  今日: 'today',
  昨天: 'yesterday',
  昨日: 'yesterday',
}
const PARTS: Record<string, DateRef['part']> = { 上旬: 'early', 初: 'early', 中旬: 'mid', 中: 'mid', 下旬: 'late', 底: 'end', 末: 'end' }

function dateRef(g: Record<string, string | undefined>): DateRef | null {
  if (g.iy !== undefined) return { year: Number(g.iy), month: monthOf(g.im), day: dayOf(g.id), part: null, word: null }
  if (g.w !== undefined) return { year: null, month: null, day: null, part: null, word: WORDS[g.w] ?? null }
  if (g.m !== undefined) {
    const month = monthOf(g.m)
    if (month === null) return null
    return { year: g.y === undefined ? null : Number(g.y), month, day: dayOf(g.d), part: g.part ? (PARTS[g.part] ?? null) : null, word: null }
  }
  return null
}

interface Found {
  at: number
  end: number
  verb: string
  on: DateRef | null
}

function affirmed(re: RegExp, text: string): Found[] {
  const out: Found[] = []
  re.lastIndex = 0
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const g = m.groups!
    const on = dateRef(g)
    const hasDate = on !== null
    const words = `${g.pre ?? ''}${g.mid ?? ''}`
    if (!hasDate && !words) continue
    // 于 alone (于开工前) is not a statement; 于3月15日开工 is.
    if (!hasDate && /^于+$/.test(words)) continue
    const before = text.slice(Math.max(0, m.index - 6), m.index)
    if (NOT_DONE_BEFORE.test(before) || /[未没]$/.test(before)) continue
    if (NOT_DONE_AFTER.test(text.slice(m.index + m[0].length))) continue
    out.push({ at: m.index, end: m.index + m[0].length, verb: g.verb!, on })
  }
  return out
}

function negated(re: RegExp, text: string): { at: number; end: number; verb: string }[] {
  const out: { at: number; end: number; verb: string }[] = []
  re.lastIndex = 0
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (NOT_DONE_AFTER.test(text.slice(m.index + m[0].length))) continue
    out.push({ at: m.index, end: m.index + m[0].length, verb: m[1]! })
  }
  return out
}

/** What a text says about 开工 / 复工 and 入库纳统; the last statement of each wins (a correction later in the text). */
export function parseStarts(text: string): StartsParse {
  const spans: { start: number; end: number }[] = []
  let start: StartMention | null = null
  let startAt = -1
  for (const f of affirmed(START_RE, text)) {
    if (f.at > startAt) ((start = { status: f.verb === '开工' ? 'started' : 'resumed', on: f.on }), (startAt = f.at))
    spans.push({ start: f.at, end: f.end })
  }
  for (const f of negated(NEG_START_RE, text)) {
    if (f.at > startAt) ((start = { status: 'none' }), (startAt = f.at))
    spans.push({ start: f.at, end: f.end })
  }
  let stats: StatsMention | null = null
  let statsAt = -1
  for (const f of affirmed(STATS_RE, text)) {
    if (f.at > statsAt) ((stats = { status: 'in', on: f.on }), (statsAt = f.at))
    spans.push({ start: f.at, end: f.end })
  }
  for (const f of negated(NEG_STATS_RE, text)) {
    if (f.at > statsAt) ((stats = { status: 'none' }), (statsAt = f.at))
    spans.push({ start: f.at, end: f.end })
  }
  return { start, stats, spans: spans.sort((a, b) => a.start - b.start) }
}

const pad = (n: number) => String(n).padStart(2, '0')

/**
 * A written date as 'YYYY-MM-DD', relative to a round's `period` ('YYYY-MM') and the day the report came in
 * (`today`, 'YYYY-MM-DD'): no year → the period's year (the year before when the month is after the period's,
 * 12月28日 in January's round); 本月 → the report's day when it falls in the period, else the period's last day;
 * 上月 → the last day of the month before; a month alone → its 1st (上旬 1st, 中旬 11th, 下旬 21st, 底 last day).
 * No date at all (已开工) reads as 本月: the report says it is done by now. Null for a date that does not exist (2月30日).
 */
export function resolveDate(ref: DateRef | null, period: string, today: string): string | null {
  const py = Number(period.slice(0, 4))
  const pm = Number(period.slice(5, 7))
  const end = (y: number, m: number) => `${y}-${pad(m)}-${pad(daysIn(y, m))}`
  if (ref === null) return resolveDate({ year: null, month: null, day: null, part: null, word: 'thisMonth' }, period, today)
  if (ref.word === 'thisMonth' || ref.word === 'today' || ref.word === 'yesterday') {
    const day = ref.word === 'yesterday' ? addDays(today, -1) : today
    if (ref.word === 'thisMonth' && day.slice(0, 7) !== period) return day < `${period}-01` ? `${period}-01` : end(py, pm)
    return day
  }
  if (ref.word === 'lastMonth') return pm === 1 ? end(py - 1, 12) : end(py, pm - 1)
  if (ref.month === null) return null
  const year = ref.year ?? (ref.month > pm ? py - 1 : py)
  if (ref.day !== null) return ref.day <= daysIn(year, ref.month) ? `${year}-${pad(ref.month)}-${pad(ref.day)}` : null
  const day = ref.part === 'mid' ? 11 : ref.part === 'late' ? 21 : ref.part === 'end' ? daysIn(year, ref.month) : 1
  return `${year}-${pad(ref.month)}-${pad(day)}`
}

const DATE_ONLY_RE = new RegExp(`^\\s*(?:${DATE})\\s*$`)

/**
 * A date typed or picked in a form (2026-03-15, 2026-03-15 +0800 from a date picker, 3月15日, 本月), resolved
 * like resolveDate. Null for an empty or unreadable text, undefined never.
 */
export function readDate(text: string, period: string, today: string): string | null {
  const t = normalizeWidth(text)
    .trim()
    .replace(/\s+[+-]\d{4}$/, '')
    .replace(/[/.]/g, '-')
  if (!t) return null
  const m = DATE_ONLY_RE.exec(t)
  if (!m) return null
  const ref = dateRef(m.groups!)
  return ref ? resolveDate(ref, period, today) : null
}
