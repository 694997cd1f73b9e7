/**
 * Understands a free-text progress reply to a 调度 prompt, the way project contacts type it:
 *
 * ```ts
 * parseReply('本月完成投资1200万元，本年累计8600万元，主体封顶，问题：林地手续未批')
 * // { periodInvestment: 12000000, period: { word: '本月', … }, ytdInvestment: 86000000, progressText: '主体封顶',
 * //   problems: ['林地手续未批'], noProblems: false, missing: [], … }
 * ```
 *
 * The text is cut into sections: report text (amounts, 形象进度), problems (after 问题 / 存在问题 / 困难 / 堵点 /
 * 需协调…) and next steps (下步计划…). Amounts are read only from report text, so 资金缺口3000万 inside the problems
 * stays a problem. Each amount is labelled by the nearest keyword before it: 本月 / 当月 / 本周 / 本旬 / 上月 / 10月
 * (this period), 本年累计 / 累计 / 1-10月 / 截至10月底 (year to date), 开工以来累计 (since the start), and
 * 总投资 / 计划 / 缺口 / 到位 / 其中… (something else, ignored). An amount with no keyword at all counts for the period.
 */
import type { Yuan } from '../money.ts'
import { findAmounts } from './amounts.ts'
import type { AmountMatch } from './amounts.ts'
import { normalizeWidth, parseNumber } from './numbers.ts'
import { parseStarts } from './starts.ts'
import type { StartMention, StatsMention } from './starts.ts'

export type AmountKind = 'period' | 'ytd' | 'sinceStart' | 'other'

/** Which period a period amount is for. `offset` is 0 for 本月/本周/本旬, -1 for 上月/上周; `month` for "10月完成". */
export interface PeriodRef {
  word: string
  unit: 'month' | 'week' | 'xun' | null
  offset: 0 | -1 | null
  month: number | null
}

export interface ClassifiedAmount extends AmountMatch {
  kind: AmountKind
  /** The keyword that decided the kind, or null when none was found (then kind is 'period'). */
  label: string | null
  period: PeriodRef | null
  /** For year-to-date amounts written as 1-10月 or 截至10月底: the last month covered. */
  throughMonth: number | null
}

export type ReplyField = 'periodInvestment' | 'ytdInvestment' | 'progress' | 'problems'

export interface ReplyParse {
  /** This period's investment in whole 元. */
  periodInvestment: Yuan | null
  period: PeriodRef | null
  /** The period word as typed (本月, 当月, 本周, 本旬, 上月, 本期, 10月), or null when none was written. */
  periodWord: string | null
  /** Year-to-date investment in whole 元. */
  ytdInvestment: Yuan | null
  /** Last month of a year-to-date range (1-10月累计 → 10), when written. */
  ytdThroughMonth: number | null
  /** 开工以来累计: project-to-date, kept apart from the year to date. */
  sinceStartInvestment: Yuan | null
  /** 形象进度 as a percentage (形象进度65% → 65). */
  progressPercent: number | null
  /** 形象进度 in words: the report text that is not amounts, percentages or problems. */
  progressText: string | null
  problems: string[]
  /** True for 无问题 / 暂无问题 / 没有问题 / 问题：无 / a bare 无, when no problem was listed. */
  noProblems: boolean
  /** 开工 / 复工 (with its date as written) or 未开工; null when the report text does not say. See ./starts.ts. */
  start: StartMention | null
  /** 入库纳统 (with its date) or 未入库; null when not said. */
  stats: StatsMention | null
  /** Text after 下步计划 / 下一步 / 下阶段, if any. */
  nextSteps: string | null
  /** Fields a complete report has and this one lacks. */
  missing: ReplyField[]
  /** Every amount in the report text with the kind it was given, in order. */
  amounts: ClassifiedAmount[]
  /** What makes this look like a report at all (used to tell reports from commands and chatter). */
  signals: {
    amounts: boolean
    percent: boolean
    problems: boolean
    progressLabel: boolean
    progressWords: boolean
    zeroInvestment: boolean
    /** 开工 / 复工 / 入库 stated (or denied). */
    starts: boolean
  }
}

// ---- vocabulary ----

const CN_NUM = '[一二三四五六七八九十]{1,3}'
const MONTH_NUM = `(?:\\d{1,2}|${CN_NUM})`
const month = (name: string) => `(?<${name}>\\d{1,2}|${CN_NUM})`
const RANGE_DASH = '(?:[-—–~～至到]+)'

/** Keywords that label an amount, tried left to right (earlier alternatives win at the same position). */
const KEYWORD_RE = new RegExp(
  [
    `(?<range>${MONTH_NUM}\\s*月?份?\\s*${RANGE_DASH}\\s*${month('rangeTo')}\\s*月份?(?:底|末)?(?:累计)?)`,
    `(?<asof>截[至止]到?\\s*(?:目前|今|当前|现在|${month('asofMonth')}\\s*月份?(?:底|末|\\d{1,2}日)?)?(?:累计)?)`,
    '(?<ytd>(?:本年度?|今年|年度|全年|年)累计(?:完成)?)',
    '(?<since>自?开工以来|开工至今|建设以来|开工累计|项目累计|总累计|累计总)',
    '(?<cum>累计(?:完成)?)',
    `(?<period>本月|当月|本周|本旬|上月|上周|本期|这个月|上个月|这周|(?<![\\d一二三四五六七八九十])${month('month')}\\s*月份?(?![底末\\d]))`,
    '(?<other>总投资|计划投资|年度计划|年计划|全年计划|计划|概算|估算|缺口|到位|拨付|支付|争取|贷款|融资|专项债|债券|其中|签约|合同|中标|预算|注册资本|产值|营收|营业收入|收入|税收|利润|下月|下周|下步|下一步|欠款|拖欠|补助|奖补|资金)',
  ].join('|'),
  'g',
)

const SINCE_START_RE = /开工以来|开工至今|建设以来|自开工|项目启动以来|开工累计|项目累计|总累计/

/** 形象进度 and similar labels at the start of a clause. */
const PROGRESS_LABEL_RE = /^(?:形象进度|工程进度|建设进度|项目进展|工程进展|进展情况|目前进展|建设进展|进展|进度)\s*(?::|为|是)?\s*/
const PROGRESS_HEADER_RE = /(?:形象进度|工程进度|建设进度|项目进展|工程进展|进展情况|目前进展|建设进展)\s*:/g

const PROBLEM_HEADER_RE =
  /(?:存在的?(?:主要)?(?:问题|困难)(?:和|及|与|、)?(?:问题|困难)?|主要(?:问题|困难)(?:和|及|与|、)?(?:问题|困难)?|困难(?:和|及|与|、)问题|问题(?:和|及|与|、)困难|堵点(?:难点)?(?:问题)?|难点(?:问题)?|(?:需要?|请求|提请)(?:县级|上级|县里|县委县政府|县政府|领导)?(?:协调|帮助)(?:解决)?(?:的)?(?:事项|问题|困难)?|协调事项|遇到的?(?:问题|困难)|问题|困难)(\s*:|是|为)?/g
const STRONG_PROBLEM_HEADER = /^(?:存在|主要|需|请求|提请|协调事项|困难(?:和|及|与|、)|问题(?:和|及|与|、)|堵点|难点|遇到)/
const NEXT_HEADER_RE = /(?:下一?步(?:工作)?(?:计划|打算|安排|措施|举措)?|下阶段(?:工作)?(?:计划|打算|安排)?|下月计划)(\s*:)?/g
const REPORT_START_RE = new RegExp(
  `^(?:本月|当月|本周|本旬|上月|本期|本年|今年|年度|全年|累计|截[至止]|${MONTH_NUM}\\s*月?\\s*${RANGE_DASH}\\s*${MONTH_NUM}\\s*月)`,
)

const NEGATION_BEFORE = /(?:无|没有|没|不|未|非|暂无)$/
const NO_PROBLEM_RE =
  /^(?:目前|当前|现阶段|暂时|本月|本期)?(?:暂|均|尚|也|都|暂时)?(?:无|没有|未发现|不存在|未遇到|没|无任何)(?:任何|什么|明显|突出)?(?:的)?(?:问题|困难|堵点|难点|需协调(?:的)?事项|需要协调的?事项|协调事项)?(?:和|及|与|、)?(?:问题|困难|堵点)?$/
const SOLVED_RE = /^(?:问题|困难)(?:均|都|已|经)+解决$/
const ZERO_INVESTMENT_RE = /(本月|当月|本周|本旬|上月|本期)?(?:暂无|无|未|没有)(?:新增|完成|实际)?(?:完成)?投资/

const PERCENT_RE = /([-\u2212负])?(?:(\d+(?:\.\d+)?)\s*%|百分之([零〇一二两三四五六七八九十百点]+))/g
const PERCENT_OTHER_RE = /投资|计划|资金|到位|支付|拨付|完成率|序时|产值|同比|环比|增长|下降|占比|营收|税收/
const PERCENT_PROGRESS_RE = /形象进度|工程量|工作量|进度|主体|土建|安装|完工/
const PERCENT_FILLER_RE =
  /形象进度|总体进度|工程进度|建设进度|进度|完成|总工程量|工程量|工作量|总量|年度计划投资|年度计划|计划|投资|年度|约|近|达到|达|为|已|了|累计|的|占|\s|:/g

const FILLER_RE =
  /^(?:本月|当月|本周|本旬|上月|本期|本年度?|今年|年度|全年|累计|完成|投资|实际|为|达到|达|约|近|已|共|计|其中|情况|如下|汇报|报告|左右|以上|余|多|万元|元|收到|好的|您好|你好|领导好|各位领导|现将|进展|进度|形象进度|目前|的|\d{1,2}\s*[-—–~至到]+\s*\d{1,2}\s*月份?|\d{1,2}\s*月份?|:|-|—)+$/
const PROGRESS_WORDS_RE =
  /封顶|开工|复工|竣工|完工|施工|浇筑|安装|进场|主体|基础|桩基|土方|装修|装饰|投产|试生产|试运行|调试|手续|审批|批复|招标|招投标|设计|征地|拆迁|平整|开挖|钢结构|砌筑|管网|铺设|路基|路面|绿化|验收|备案|立项|可研|环评|能评|用地|规划|开业|运营|建成|厂房|设备|围挡|清表|场平/

const LEADING_MARKER_RE = /^(?:\d{1,2}\s*[.、)）](?!\d)|[（(]\d{1,2}[)）]|[①-⑳]|[一二三四五六七八九十]{1,2}(?:是|、))\s*/
const CLAUSE_SEPARATORS = '，,；;。!！?？\n'
const isClauseSep = (c: string | undefined) => c !== undefined && CLAUSE_SEPARATORS.includes(c)

// ---- helpers ----

function normalize(text: string): string {
  return normalizeWidth(text)
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t\u00a0]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .trim()
}

const monthValue = (s: string | undefined): number | null => {
  if (s === undefined) return null
  const n = parseNumber(s)
  return n !== null && Number.isInteger(n) && n >= 1 && n <= 12 ? n : null
}

function periodRef(word: string, month: string | undefined): PeriodRef {
  const w = word.replace(/\s+/g, '')
  switch (w) {
    case '本月':
    case '当月':
    case '这个月':
      return { word: w, unit: 'month', offset: 0, month: null }
    case '上月':
    case '上个月':
      return { word: w, unit: 'month', offset: -1, month: null }
    case '本周':
    case '这周':
      return { word: w, unit: 'week', offset: 0, month: null }
    case '上周':
      return { word: w, unit: 'week', offset: -1, month: null }
    case '本旬':
      return { word: w, unit: 'xun', offset: 0, month: null }
    case '本期':
      return { word: w, unit: null, offset: 0, month: null }
    default:
      return { word: w, unit: 'month', offset: null, month: monthValue(month) }
  }
}

interface Label {
  kind: AmountKind
  label: string
  period: PeriodRef | null
  throughMonth: number | null
  generic: boolean
}

/** The label closest to the end of `ctx`, or null. */
function closestLabel(ctx: string): Label | null {
  let last: RegExpExecArray | null = null
  KEYWORD_RE.lastIndex = 0
  for (let m = KEYWORD_RE.exec(ctx); m; m = KEYWORD_RE.exec(ctx)) last = m
  if (!last) return null
  const g = last.groups!
  const label = last[0]
  if (g.range !== undefined) {
    return { kind: 'ytd', label, period: null, throughMonth: monthValue(g.rangeTo), generic: false }
  }
  if (g.asof !== undefined) return { kind: 'ytd', label, period: null, throughMonth: monthValue(g.asofMonth), generic: true }
  if (g.ytd !== undefined) return { kind: 'ytd', label, period: null, throughMonth: null, generic: false }
  if (g.since !== undefined) return { kind: 'sinceStart', label, period: null, throughMonth: null, generic: false }
  if (g.cum !== undefined) return { kind: 'ytd', label, period: null, throughMonth: null, generic: true }
  if (g.period !== undefined) return { kind: 'period', label, period: periodRef(g.period, g.month), throughMonth: null, generic: false }
  return { kind: 'other', label, period: null, throughMonth: null, generic: false }
}

function lastClauseStart(s: string): number {
  for (let i = s.length - 1; i >= 0; i--) if (isClauseSep(s[i])) return i + 1
  return 0
}

/** Labels each amount by the nearest keyword in its clause, else since the previous amount. */
function classify(text: string, amounts: AmountMatch[]): ClassifiedAmount[] {
  return amounts.map((a, k) => {
    const far = text.slice(k > 0 ? amounts[k - 1]!.end : 0, a.start)
    const near = far.slice(lastClauseStart(far))
    const found = closestLabel(near) ?? closestLabel(far)
    if (!found) return { ...a, kind: 'period' as const, label: null, period: null, throughMonth: null }
    let kind = found.kind
    if (kind === 'ytd' && found.generic && SINCE_START_RE.test(far)) kind = 'sinceStart'
    return { ...a, kind, label: found.label, period: found.period, throughMonth: found.throughMonth }
  })
}

// ---- sections ----

type SectionKind = 'report' | 'problems' | 'next'
interface Section {
  kind: SectionKind
  start: number
  end: number
}
interface Boundary {
  at: number
  contentStart: number
  kind: SectionKind
  /** A problem header followed by ':' (or 是/为); only these split problems into groups. */
  colon: boolean
}

function atClauseStart(text: string, at: number): boolean {
  let i = at - 1
  while (i >= 0 && text[i] === ' ') i--
  return i < 0 || isClauseSep(text[i]) || ':、.)）'.includes(text[i]!)
}

function boundaries(text: string): Boundary[] {
  const out: Boundary[] = []
  PROBLEM_HEADER_RE.lastIndex = 0
  for (let m = PROBLEM_HEADER_RE.exec(text); m; m = PROBLEM_HEADER_RE.exec(text)) {
    const keyword = m[0].slice(0, m[0].length - (m[1]?.length ?? 0))
    if (NEGATION_BEFORE.test(text.slice(0, m.index))) continue
    const clauseStart = atClauseStart(text, m.index)
    const colon = m[1] !== undefined && (m[1].trim() === ':' || clauseStart)
    if (!colon && !(clauseStart && STRONG_PROBLEM_HEADER.test(keyword))) continue
    // 需协调解决电力接入 keeps its words; 需协调事项：电力接入 does not
    const keepWords = !colon && /^(?:需|请求|提请)/.test(keyword)
    out.push({ at: m.index, contentStart: keepWords ? m.index : m.index + m[0].length, kind: 'problems', colon })
  }
  NEXT_HEADER_RE.lastIndex = 0
  for (let m = NEXT_HEADER_RE.exec(text); m; m = NEXT_HEADER_RE.exec(text)) {
    if (m[1] === undefined && !atClauseStart(text, m.index)) continue
    out.push({ at: m.index, contentStart: m.index + m[0].length, kind: 'next', colon: m[1] !== undefined })
  }
  PROGRESS_HEADER_RE.lastIndex = 0
  for (let m = PROGRESS_HEADER_RE.exec(text); m; m = PROGRESS_HEADER_RE.exec(text)) {
    if (atClauseStart(text, m.index)) out.push({ at: m.index, contentStart: m.index, kind: 'report', colon: true })
  }
  // a clause that starts like a report line and carries an investment amount or a percentage ends a problems list
  for (let i = 0; i < text.length; i++) {
    if (i > 0 && !isClauseSep(text[i - 1])) continue
    let j = i
    while (text[j] === ' ') j++
    if (!REPORT_START_RE.test(text.slice(j, j + 12))) continue
    let end = j
    while (end < text.length && !isClauseSep(text[end])) end++
    const clause = text.slice(j, end)
    const amounts = classify(clause, findAmounts(clause))
    if (amounts.some((a) => a.kind !== 'other') || /\d\s*%/.test(clause)) out.push({ at: j, contentStart: j, kind: 'report', colon: false })
  }
  return out.sort((a, b) => a.at - b.at || (a.kind === 'report' ? 1 : -1))
}

function sections(text: string): Section[] {
  const out: Section[] = []
  let kind: SectionKind = 'report'
  let start = 0
  let cursor = 0
  for (const b of boundaries(text)) {
    if (b.at < cursor) continue
    let accept: boolean
    if (kind === 'report') accept = b.kind !== 'report'
    else if (kind === 'problems') accept = b.kind !== 'problems' || b.colon
    else accept = b.kind !== 'next'
    if (!accept) continue
    out.push({ kind, start, end: b.at })
    kind = b.kind
    start = b.contentStart
    cursor = b.contentStart
  }
  out.push({ kind, start, end: text.length })
  return out.filter((s) => s.end > s.start || s.kind === 'problems')
}

// ---- problems ----

const TRIM_RE = /^[\s:，,；;。、.]+|[\s:，,；;。、.]+$/g
const trimItem = (s: string) => s.replace(TRIM_RE, '').trim()

function isNoProblem(s: string): boolean {
  const t = trimItem(s).replace(/\s+/g, '')
  return NO_PROBLEM_RE.test(t) || SOLVED_RE.test(t)
}

interface Marker {
  at: number
  end: number
  n: number
}

function numberedMarkers(content: string): Marker[] | null {
  const styles: Marker[][] = [[], [], [], []]
  for (const m of content.matchAll(/(\d{1,2})\s*[.、)）](?!\d)/g)) {
    const before = content[m.index - 1]
    if (before !== undefined && /[\d.（(]/.test(before)) continue
    styles[0]!.push({ at: m.index, end: m.index + m[0].length, n: Number(m[1]) })
  }
  for (const m of content.matchAll(/[（(](\d{1,2})[)）]/g)) styles[1]!.push({ at: m.index, end: m.index + m[0].length, n: Number(m[1]) })
  for (const m of content.matchAll(/[①-⑳]/g)) styles[2]!.push({ at: m.index, end: m.index + 1, n: m[0].codePointAt(0)! - 0x2460 + 1 })
  for (const m of content.matchAll(/([一二三四五六七八九十]{1,2})(?:是|、)/g)) {
    const before = content[m.index - 1]
    if (before !== undefined && /[一二三四五六七八九十第]/.test(before)) continue
    styles[3]!.push({ at: m.index, end: m.index + m[0].length, n: parseNumber(m[1]!) ?? 0 })
  }
  for (const markers of styles) {
    const seq: Marker[] = []
    for (const m of markers) if (m.n === seq.length + 1) seq.push(m)
    if (seq.length >= 2 || (seq.length === 1 && trimItem(content.slice(0, seq[0]!.at)) === '')) return seq
  }
  return null
}

/** Splits the text of one problems section into items. */
export function splitProblems(content: string): string[] {
  const pieces: string[] = []
  const markers = numberedMarkers(content)
  if (markers) {
    const intro = trimItem(content.slice(0, markers[0]!.at))
    if (intro && !/[:：]\s*$/.test(content.slice(0, markers[0]!.at)) && !/以下|如下|主要有|几个|方面/.test(intro)) pieces.push(intro)
    markers.forEach((m, k) => pieces.push(content.slice(m.end, markers[k + 1]?.at ?? content.length)))
  } else {
    pieces.push(...content.split(/[；;\n。]+/))
  }
  const items: string[] = []
  for (const piece of pieces) {
    const p = trimItem(piece)
    if (!p) continue
    const parts = p.split('、').map(trimItem)
    if (!markers && parts.length > 1 && parts.every((x) => x.length >= 4)) items.push(...parts)
    else items.push(p)
  }
  return items.filter((x) => x && !isNoProblem(x))
}

// ---- progress text ----

interface Clause {
  text: string
  start: number
  end: number
  /** The separator that follows this clause in the original. */
  sep: string
}

function clauses(text: string): Clause[] {
  const out: Clause[] = []
  const re = /(?:[，；;。!！?？\n]|,(?!\d{3}(?!\d)))+|\s+/g
  let start = 0
  for (let m = re.exec(text); ; m = re.exec(text)) {
    const end = m ? m.index : text.length
    if (end > start) out.push({ text: text.slice(start, end), start, end, sep: m ? m[0] : '' })
    else if (out.length && m) out[out.length - 1]!.sep += m[0]
    if (!m) break
    start = m.index + m[0].length
  }
  return out
}

const isFiller = (s: string) => s.replace(/\s+/g, '') === '' || FILLER_RE.test(s.replace(/\s+/g, ''))

// ---- the parser ----

/** Understands one progress reply. Never throws; what it cannot find is listed in `missing`. */
export function parseReply(input: string): ReplyParse {
  const text = normalize(input).replace(/[。.]+$/, '')
  const secs = sections(text)

  // problems and next steps
  const problems: string[] = []
  let noProblems = false
  const next: string[] = []
  for (const s of secs) {
    const content = trimItem(text.slice(s.start, s.end))
    if (s.kind === 'problems') {
      if (content === '') continue
      if (isNoProblem(content)) noProblems = true
      else problems.push(...splitProblems(content))
    } else if (s.kind === 'next' && content) {
      next.push(content)
    }
  }

  // report text: the report sections joined
  const report = secs
    .filter((s) => s.kind === 'report')
    .map((s) => text.slice(s.start, s.end).replace(/^[\s，,；;。]+|[\s，,；;。]+$/g, ''))
    .filter(Boolean)
    .join('。')

  const amounts = classify(report, findAmounts(report))
  const firstOf = (kind: AmountKind) => amounts.find((a) => a.kind === kind)
  const periodAmount = firstOf('period')
  const ytdAmount = firstOf('ytd')
  const sinceAmount = firstOf('sinceStart')

  let periodInvestment: Yuan | null = periodAmount?.yuan ?? null
  let period: PeriodRef | null = periodAmount?.period ?? null
  let zeroInvestment = false
  if (periodInvestment === null) {
    const z = ZERO_INVESTMENT_RE.exec(report)
    if (z) {
      periodInvestment = 0
      period = z[1] ? periodRef(z[1], undefined) : null
      zeroInvestment = true
    }
  }

  // percentages
  let progressPercent: number | null = null
  // A 形象进度 written outside 0–100 (形象进度150%, 形象进度-10%) is kept as written when no valid one is found, so
  // the report check refuses it with the reason instead of the reply losing it silently.
  let outOfRange: number | null = null
  const percentSpans: Array<{ start: number; end: number }> = []
  PERCENT_RE.lastIndex = 0
  for (let m = PERCENT_RE.exec(report); m; m = PERCENT_RE.exec(report)) {
    // a minus right after a digit is a range (10-20%), not a sign
    const signed = m[1] !== undefined && !/[\d一二三四五六七八九十]/.test(report[m.index - 1] ?? '')
    const start = m[1] !== undefined && !signed ? m.index + 1 : m.index
    percentSpans.push({ start, end: m.index + m[0].length })
    const abs = m[2] !== undefined ? Number(m[2]) : parseNumber(m[3]!)
    const value = abs === null ? null : signed && abs !== 0 ? -abs : abs
    const prefix = report.slice(lastClauseStart(report.slice(0, start)), start)
    const other = PERCENT_OTHER_RE.test(prefix) && !PERCENT_PROGRESS_RE.test(prefix)
    if (!other && progressPercent === null && value !== null && value >= 0 && value <= 100) progressPercent = value
    else if (
      value !== null &&
      outOfRange === null &&
      !(value >= 0 && value <= 100) &&
      PERCENT_PROGRESS_RE.test(prefix) &&
      !PERCENT_OTHER_RE.test(prefix)
    )
      outOfRange = value
  }
  if (progressPercent === null) progressPercent = outOfRange

  // 开工 / 复工 / 入库: a clause that only states one of them is not 形象进度
  const starts = parseStarts(report)
  const onlyStarts = (c: Clause) => {
    let rest = ''
    let at = c.start
    for (const s of starts.spans) {
      if (s.end <= c.start || s.start >= c.end) continue
      rest += report.slice(at, Math.max(at, s.start))
      at = Math.max(at, s.end)
    }
    if (at === c.start) return false
    rest += report.slice(at, c.end)
    return isFiller(rest.replace(/项目|均|已|，|,/g, ''))
  }

  // progress text
  let progressLabel = false
  const kept: Clause[] = []
  for (const c of clauses(report)) {
    if (onlyStarts(c)) continue
    let body = c.text.replace(LEADING_MARKER_RE, '')
    let offset = c.start + (c.text.length - body.length)
    const labelled = PROGRESS_LABEL_RE.exec(body)
    if (
      labelled &&
      labelled[0].length > 0 &&
      /^(?:形象进度|工程进度|建设进度|项目进展|工程进展|进展情况|目前进展|建设进展)|[:为是]\s*$/.test(labelled[0])
    ) {
      progressLabel = true
      body = body.slice(labelled[0].length)
      offset += labelled[0].length
    }
    const inClause = amounts.filter((a) => a.start >= offset && a.start < c.end)
    if (inClause.length) {
      const last = inClause[inClause.length - 1]!
      body = report.slice(last.end, c.end)
      offset = last.end
    }
    const pct = percentSpans.find((p) => p.start >= offset && p.start < c.end)
    if (pct) {
      const before = report.slice(offset, pct.start).replace(PERCENT_FILLER_RE, '')
      if (before === '') body = report.slice(pct.end, c.end)
    }
    body = body.trim()
    if (!body || isFiller(body)) continue
    if (isNoProblem(body)) {
      noProblems = true
      continue
    }
    if (ZERO_INVESTMENT_RE.test(body) && isFiller(body.replace(ZERO_INVESTMENT_RE, ''))) continue
    kept.push({ ...c, text: body })
  }
  let progressText = ''
  kept.forEach((c, k) => {
    if (k > 0) {
      const prev = kept[k - 1]!
      progressText += /^\s+$/.test(prev.sep) && report.slice(prev.end, c.start).trim() === '' ? ' ' : '，'
    }
    progressText += c.text
  })

  if (problems.length) noProblems = false
  const result: ReplyParse = {
    periodInvestment,
    period,
    periodWord: period?.word ?? null,
    ytdInvestment: ytdAmount?.yuan ?? null,
    ytdThroughMonth: ytdAmount?.throughMonth ?? null,
    sinceStartInvestment: sinceAmount?.yuan ?? null,
    progressPercent,
    progressText: progressText || null,
    problems,
    noProblems,
    start: starts.start,
    stats: starts.stats,
    nextSteps: next.length ? next.join('；') : null,
    missing: [],
    amounts,
    signals: {
      amounts: amounts.length > 0,
      percent: percentSpans.length > 0,
      problems: problems.length > 0 || noProblems,
      progressLabel,
      progressWords: PROGRESS_WORDS_RE.test(progressText),
      zeroInvestment,
      starts: starts.start !== null || starts.stats !== null,
    },
  }
  if (result.periodInvestment === null) result.missing.push('periodInvestment')
  if (result.ytdInvestment === null) result.missing.push('ytdInvestment')
  if (result.progressText === null && result.progressPercent === null) result.missing.push('progress')
  if (!result.problems.length && !result.noProblems) result.missing.push('problems')
  return result
}
