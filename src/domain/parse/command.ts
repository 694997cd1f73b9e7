/**
 * Leader and workflow commands, typed in a direct chat or after an @-mention (the caller strips the mention), and
 * the text that card buttons turn into. One parser serves typing and clicking.
 *
 * ```ts
 * parseCommand('上月乡镇排名')          // { command: 'board', verb: '排名', args: { scope: 'month', offset: -1, league: '乡镇' } }
 * parseCommand('督办 城东污水厂 征地拆迁 3个工作日') // { command: 'supervise', args: { target: '城东污水厂', matter: '征地拆迁', workdays: 3 } }
 * parseCommand('排铭')                  // null
 * ```
 *
 * Returns null for anything that is not a command. A labelled report line such as 问题：林地手续未批 or 进展：主体封顶
 * is not a command (the colon marks a field, not a verb).
 */
import { normalizeWidth, parseNumber } from './numbers.ts'
import { parseSupervisionFlow, type SupervisionCommand } from './supervision.ts'
import { parseColourFlow, type ColourCommand } from './colours.ts'

import type { League } from '../scoring.ts'
export type { League }

/** A bulletin period: a 'YYYY-MM' key, a month relative to now, or a month of a year not written. */
export type BulletinPeriod = string | { relative: 0 | -1 } | { month: number }

export type Command =
  | { command: 'help'; verb: string; args: Record<string, never> }
  | { command: 'query'; verb: string; args: { target: string | null } }
  | {
      command: 'board'
      verb: string
      args: { scope: 'week' | 'month'; offset: 0 | -1 | -2; league?: League; period?: string | { month: number }; sector?: string }
    }
  | { command: 'redyellow'; verb: string; args: { colour?: 'yellow' | 'red' } }
  | { command: 'supervise'; verb: string; args: { target: string | null; matter: string | null; workdays?: number } }
  | { command: 'urge'; verb: string; args: { target: string | null } }
  | { command: 'bulletin'; verb: string; args: { period?: BulletinPeriod } }
  | { command: 'ack'; verb: string; args: Record<string, never> }
  | { command: 'problems'; verb: string; args: { unit?: string } }
  | { command: 'bind'; verb: string; args: { mobile: string } | { mobile: null; raw: string } }
  | { command: 'report'; verb: string; args: { target?: string } }
  | { command: 'assign'; verb: string; args: { problemId: number | null; target: string | null; workdays?: number } }
  | { command: 'requestClose'; verb: string; args: { problemId: number | null; note?: string } }
  | { command: 'confirmClose'; verb: string; args: { problemId: number | null } }
  | { command: 'reject'; verb: string; args: { problemId: number | null; note?: string } }
  | { command: 'update'; verb: string; args: { problemId: number | null; note: string | null } }
  | { command: 'confirm'; verb: string; args: Record<string, never> }
  | { command: 'cancel'; verb: string; args: Record<string, never> }
  | { command: 'reopen'; verb: string; args: { target: string | null; period: string | { month: number } } }
  | SupervisionCommand
  | ColourCommand

export type CommandName = Command['command']

export interface CommandOptions {
  /** When given, a bulletin month without a year (通报 10月) resolves to the latest such month not after `now`. */
  now?: { year: number; month: number }
}

// ---- text helpers ----

const TRAILING_PUNCT = /[\s。.!！~～,，;；]+$/

function normalize(text: string): string {
  return normalizeWidth(text)
    .replace(/[\s\u00a0]+/g, ' ')
    .trim()
    .replace(/^[/／]\s*/, '')
}

/** Trims separators around an argument: spaces, colons, commas, 给/至/到 at the start. */
function cleanArg(s: string): string {
  return s
    .replace(/^[\s:，,、;；]+/, '')
    .replace(/[\s:，,、;；。.!！?？]+$/, '')
    .trim()
}

const CN_COUNT = '[0-9]+|[零〇一二两三四五六七八九十百]+'
const WORKDAYS_RE = new RegExp(
  `(?:请|限|要求|务必)?\\s*(?:于|在)?\\s*(${CN_COUNT})\\s*个?\\s*(工作日|天)\\s*(?:内|之内|以内)?\\s*(?:办结|完成|回复|反馈|解决|落实|报送|答复)?`,
)

/** Takes "3个工作日内回复" / "三天" out of a text. */
function takeWorkdays(s: string): { rest: string; workdays?: number } {
  const m = WORKDAYS_RE.exec(s)
  if (!m) return { rest: s }
  const n = parseNumber(m[1]!)
  if (n === null || !Number.isInteger(n) || n <= 0) return { rest: s }
  return { rest: s.slice(0, m.index) + ' ' + s.slice(m.index + m[0].length), workdays: n }
}

const PROBLEM_ID_RE = /(?:#\s*|问题\s*#?\s*|编号\s*|第\s*)(\d{1,9})\s*号?(?:问题)?|(\d{1,9})\s*号(?:问题)?/

/** Takes "#12" / "12号" / "问题12" / "第12号" out of a text. */
function takeProblemId(s: string): { rest: string; problemId: number | null } {
  const m = PROBLEM_ID_RE.exec(s)
  if (!m) return { rest: s, problemId: null }
  return { rest: s.slice(0, m.index) + ' ' + s.slice(m.index + m[0].length), problemId: Number(m[1] ?? m[2]) }
}

function startsWithVerb(s: string, verbs: readonly string[]): { verb: string; rest: string } | null {
  for (const v of verbs) {
    if (s.toLowerCase().startsWith(v.toLowerCase())) return { verb: v, rest: s.slice(v.length) }
  }
  return null
}

/** Longest first, so 问题台账 wins over 问题 and 申请销号 over 销号. */
const byLength = (words: string[]) => [...words].sort((a, b) => b.length - a.length)

// ---- whole-message commands ----

const HELP = new Set(['帮助', '菜单', 'help', '?', '怎么用', '使用帮助', '使用说明', '功能菜单', '帮助菜单', '命令'])
const CONFIRM = new Set(['确认', '对', '对的', '是', '是的', '没问题', '确认无误', '没错', '正确', '确定'])
const CANCEL = new Set(['取消', '算了', '不用了', '算了吧', '取消吧', '不要了'])
const ACK_WHOLE = new Set(['已阅', '收到', '阅', '知道了', '已收到', '收悉', '已知悉', '知悉', '阅知', '已阅知'])
const ACK_LEAD = byLength(['已阅', '收到', '已收到', '知道了', '收悉', '已知悉'])

// ---- leader commands ----

const LEAD_FILLER = /^(?:请|麻烦|帮我|帮忙|给我)?\s*(?:查询|查看|查一下|查查|查|看看|看一下|看下|看|发一下|发布|发|调出|打开|显示)?\s*(?:一下)?\s*/

const PERIOD_WORDS: ReadonlyArray<[RegExp, { scope: 'week' | 'month'; offset: 0 | -1 | -2 }]> = [
  [/本周|这周|这一周|本星期/, { scope: 'week', offset: 0 }],
  [/上周|上一周|上星期/, { scope: 'week', offset: -1 }],
  [/本月|这个月|当月|本月度/, { scope: 'month', offset: 0 }],
  [/上上个?月/, { scope: 'month', offset: -2 }],
  [/上月|上个月|上一个月|上一月/, { scope: 'month', offset: -1 }],
]
const LEAGUE_WORDS: ReadonlyArray<[RegExp, League]> = [
  [/县直部门|县直单位|县直|部门/, '县直部门'],
  [/开发区|园区|示范区|经开区|高新区/, '开发区'],
  [/乡镇街道|乡镇|街道/, '乡镇'],
]
const BOARD_WORDS = /赛马排名|赛马比拼|赛马榜|赛马|排行榜|排名榜|排名情况|排名|排行|榜单/
const BOARD_FILLER = /的|情况|结果|一下|呢|吧|单位|项目|最新|全县|发布|发给我|发我|发|看看|看下|看|给我|把|份|\s/g

/** A month written out: 2026-09 / 2026年9月 → 'YYYY-MM'; 十月 / 10月份 → { month } (resolved against now). */
function takeMonth(s: string, opts: CommandOptions): { rest: string; period?: string | { month: number } } | null {
  const abs = /(?<![A-Za-z0-9-])(\d{4})\s*[-年/.]\s*(\d{1,2})(?![\d-])\s*月?份?/.exec(s)
  if (abs) {
    const month = Number(abs[2])
    if (month < 1 || month > 12) return null
    return { rest: s.replace(abs[0], ' '), period: `${abs[1]}-${String(month).padStart(2, '0')}` }
  }
  const mon = /(?<![A-Za-z0-9-])(\d{1,2}|十[一二]?|[一二三四五六七八九])\s*月份?/.exec(s)
  if (mon) {
    const month = parseNumber(mon[1]!)
    if (month === null || month < 1 || month > 12) return null
    const rest = s.replace(mon[0], ' ')
    if (!opts.now) return { rest, period: { month } }
    const year = month <= opts.now.month ? opts.now.year : opts.now.year - 1
    return { rest, period: `${year}-${String(month).padStart(2, '0')}` }
  }
  return { rest: s }
}

function parseBoard(s: string, opts: CommandOptions = {}): Command | null {
  const verb = BOARD_WORDS.exec(s)
  if (!verb) return null
  let rest = s.replace(BOARD_WORDS, ' ')
  let when: { scope: 'week' | 'month'; offset: 0 | -1 | -2 } = { scope: 'month', offset: 0 }
  const month = /上上个?月|上个?月|本月|这个月/.test(rest) ? { rest } : takeMonth(rest, opts)
  if (!month) return null
  rest = month.rest
  for (const [re, value] of PERIOD_WORDS) {
    if (re.test(rest)) {
      when = value
      rest = rest.replace(re, ' ')
      break
    }
  }
  let league: League | undefined
  for (const [re, value] of LEAGUE_WORDS) {
    if (re.test(rest)) {
      league = value
      rest = rest.replace(re, ' ')
      break
    }
  }
  const period = month.period !== undefined ? { period: month.period } : {}
  const base = league ? { ...when, league, ...period } : { ...when, ...period }
  if (rest.replace(BOARD_FILLER, '') === '') return { command: 'board', verb: verb[0], args: base }
  // 「排名 工业」, 「上月排名 工业」, 「工业分指挥部排名」: one 分指挥部's board (the handler says when no sector has that name).
  const sector = rest.replace(/分指挥部|指挥部/g, ' ').replace(/^[\s的]+|[\s的]+$/g, '') || (/分指挥部/.test(s) ? '分指挥部' : '')
  const named =
    /分指挥部/.test(s) ||
    s
      .slice(verb.index + verb[0].length)
      .trim()
      .startsWith(sector)
  if (!named || !/^[\p{Script=Han}A-Za-z0-9·]{2,12}$/u.test(sector) || /怎|如何|吗|呢|哪|什么|多少|第几/.test(sector)) return null
  return { command: 'board', verb: verb[0], args: { ...base, sector } }
}

const REDYELLOW_WORDS = /红黄牌|红黄榜|红黄名单|红牌|黄牌|亮牌/
const REDYELLOW_FILLER = /名单|项目|单位|情况|本月|上月|本周|有哪些|哪些|的|一下|呢|\s/g

function parseRedYellow(s: string): Command | null {
  const m = REDYELLOW_WORDS.exec(s)
  if (!m) return null
  if (s.replace(REDYELLOW_WORDS, '').replace(REDYELLOW_FILLER, '') !== '') return null
  const w = m[0]
  const colour = w === '黄牌' ? 'yellow' : w === '红牌' ? 'red' : undefined
  return { command: 'redyellow', verb: w, args: colour ? { colour } : {} }
}

function parseBulletin(s: string, opts: CommandOptions): Command | null {
  const m = /(?:月度)?通报/.exec(s)
  if (!m) return null
  let rest = s.replace(m[0], ' ')
  let period: BulletinPeriod | undefined
  const abs = /(\d{4})\s*[-年/.]\s*(\d{1,2})\s*月?份?/.exec(rest)
  const rel = /本月|这个月|上月|上个月/.exec(rest)
  const mon = /(\d{1,2}|[一二三四五六七八九十]{1,3})\s*月份?/.exec(rest)
  if (abs) {
    const month = Number(abs[2])
    if (month < 1 || month > 12) return null
    period = `${abs[1]}-${String(month).padStart(2, '0')}`
    rest = rest.replace(abs[0], ' ')
  } else if (rel) {
    period = { relative: rel[0].startsWith('上') ? -1 : 0 }
    rest = rest.replace(rel[0], ' ')
  } else if (mon) {
    const month = parseNumber(mon[1]!)
    if (month === null || month < 1 || month > 12) return null
    if (opts.now) {
      const year = month <= opts.now.month ? opts.now.year : opts.now.year - 1
      period = `${year}-${String(month).padStart(2, '0')}`
    } else {
      period = { month }
    }
    rest = rest.replace(mon[0], ' ')
  }
  if (rest.replace(/的|调度|情况|一下|全县|重点项目|项目|\s/g, '') !== '') return null
  return { command: 'bulletin', verb: '通报', args: period === undefined ? {} : { period } }
}

const PROBLEMS_VERBS = byLength(['问题台账', '台账', '问题清单', '问题'])

function parseProblems(s: string): Command | null {
  const lead = startsWithVerb(s, PROBLEMS_VERBS)
  if (lead) {
    if (/^\s*:/.test(lead.rest)) return null // 问题：林地手续未批 is a report field
    if (lead.verb === '问题' && lead.rest !== '' && !/^\s/.test(lead.rest)) return null // 问题已解决, 问题12…
    const unit = cleanArg(lead.rest.replace(/^(?:台账|清单)/, ''))
    return { command: 'problems', verb: lead.verb, args: unit ? { unit } : {} }
  }
  const tail = /^(.{2,20}?)\s*的?\s*(问题台账|台账|问题清单)$/.exec(s)
  if (tail) return { command: 'problems', verb: tail[2]!, args: { unit: cleanArg(tail[1]!) } }
  return null
}

// ---- workflow commands (also what card buttons send) ----

function withId(rest: string) {
  let { rest: after, problemId } = takeProblemId(rest)
  // 「交办 29 县自然资源局」: a bare number right after the verb is the problem's number too.
  const bare = problemId === null ? /^\s*(\d{1,9})(?![\d.万亿元%])/.exec(after) : null
  if (bare) {
    problemId = Number(bare[1])
    after = after.slice(bare[0].length)
  }
  return { problemId, note: cleanArg(after.replace(/^\s*(?:理由|原因|说明|备注|进展)\s*[:：]?/, '')) }
}

function parseWorkflow(s: string): Command | null {
  let lead = startsWithVerb(s, byLength(['申请销号']))
  if (lead) {
    const r = withId(lead.rest)
    return { command: 'requestClose', verb: lead.verb, args: r.note ? { problemId: r.problemId, note: r.note } : { problemId: r.problemId } }
  }
  lead = startsWithVerb(s, byLength(['确认销号', '同意销号', '销号']))
  if (lead) {
    const r = withId(lead.rest)
    if (r.note && r.problemId === null) return null
    return { command: 'confirmClose', verb: lead.verb, args: { problemId: r.problemId } }
  }
  lead = startsWithVerb(s, byLength(['驳回', '退回', '不同意销号']))
  if (lead) {
    const r = withId(lead.rest)
    return { command: 'reject', verb: lead.verb, args: r.note ? { problemId: r.problemId, note: r.note } : { problemId: r.problemId } }
  }
  lead = startsWithVerb(s, ['更新'])
  if (lead) {
    const r = withId(lead.rest)
    return { command: 'update', verb: lead.verb, args: { problemId: r.problemId, note: r.note || null } }
  }
  lead = startsWithVerb(s, ['交办'])
  if (lead) {
    const { rest, workdays } = takeWorkdays(lead.rest)
    const r = withId(rest)
    const target = cleanArg(r.note.replace(/^(?:给|至|到|由)\s*/, '').replace(/\s*(?:办理|负责|牵头)$/, ''))
    const args = { problemId: r.problemId, target: target || null }
    return { command: 'assign', verb: lead.verb, args: workdays !== undefined ? { ...args, workdays } : args }
  }
  return null
}

function parseSupervise(s: string): Command | null {
  const lead = startsWithVerb(s, byLength(['挂牌督办', '督办']))
  if (!lead) return null
  const { rest, workdays } = takeWorkdays(lead.rest)
  const parts = cleanArg(rest)
    .split(/[\s:，,;；]+/)
    .filter(Boolean)
  let target: string | null = parts[0] ?? null
  let matter: string | null = parts.slice(1).join(' ') || null
  if (target && !matter) {
    const split = /^(.+?(?:项目|工程))(.+)$/.exec(target)
    if (split) {
      target = split[1]!
      matter = split[2]!
    }
  }
  const args = { target, matter }
  return { command: 'supervise', verb: lead.verb, args: workdays !== undefined ? { ...args, workdays } : args }
}

function parseUrge(s: string): Command | null {
  const lead = startsWithVerb(s, byLength(['催办', '催报', '催', '提醒']))
  if (!lead) return null
  const target = cleanArg(lead.rest.replace(/^\s*(?:一下|下)/, '').replace(/(?:尽快|抓紧|赶紧|及时)?(?:填报|上报|报送|报数|报进度)?(?:一下)?$/, ''))
  return { command: 'urge', verb: lead.verb, args: { target: target || null } }
}

function parseBind(s: string): Command | null {
  const lead = /^绑定\s*(?:手机号码|手机号|手机|电话号码|电话)?\s*[:：]?\s*/.exec(s)
  if (!lead) return null
  const raw = s.slice(lead[0].length).trim()
  const digits = raw.replace(/[\s\-—–]/g, '').replace(/^(?:\+?86)(?=1\d{10}$)/, '')
  if (/^1[3-9]\d{9}$/.test(digits)) return { command: 'bind', verb: '绑定', args: { mobile: digits } }
  return { command: 'bind', verb: '绑定', args: { mobile: null, raw } }
}

/** 补报 <project> <month>: the office reopens a closed round for one project (without a month it is 填报). */
function parseReopen(s: string, opts: CommandOptions): Command | null {
  const lead = startsWithVerb(s, byLength(['补报', '重新开放', '开放补报', '允许补报']))
  if (!lead) return null
  const m = takeMonth(lead.rest, opts)
  if (!m || m.period === undefined) return null
  const target = cleanArg(m.rest.replace(/的?(?:调度|填报|数据)?$/, ''))
  return { command: 'reopen', verb: lead.verb, args: { target: target || null, period: m.period } }
}

function parseReport(s: string): Command | null {
  const lead = startsWithVerb(s, byLength(['我要填报', '我要上报', '填报', '上报', '补报', '修改填报', '修改上报']))
  if (!lead) return null
  if (/^\s*:/.test(lead.rest)) return null
  const target = cleanArg(lead.rest)
  return { command: 'report', verb: lead.verb, args: target ? { target } : {} }
}

const QUERY_VERBS = byLength(['查询', '查看', '查一下', '查查', '查', '进展', '看看', '看一下'])

function parseQuery(s: string, asked: boolean): Command | null {
  const lead = startsWithVerb(s, QUERY_VERBS)
  if (lead) {
    if (/^\s*:/.test(lead.rest)) return null // 进展：主体封顶 is a report field
    if (lead.verb === '进展' && lead.rest !== '' && !/^\s/.test(lead.rest)) return null // 进展顺利
    const target = cleanArg(
      lead.rest
        .replace(/^\s*(?:一下|下)/, '')
        .replace(/\s*的\s*(?:各个|所有|全部)?\s*(?:项目|排名)$/, '')
        .replace(/\s*的?\s*(?:项目进展|项目进度|进展|进度|情况|项目情况|建设情况)?\s*(?:如何|怎么样|怎样|咋样)?\s*(?:了)?\s*(?:呢|吗)?$/, ''),
    )
    return { command: 'query', verb: lead.verb, args: { target: target || null } }
  }
  const rank =
    /^(.{2,30}?)\s*(?:现在|目前|本月|这个月)?\s*(?:排第几|排名第几|排在第几|第几名|排名多少|排多少|排名怎么样|排名如何|的排名|排名)\s*(?:名|位)?\s*(?:了)?\s*(?:呢|吗|啊)?$/.exec(
      s,
    )
  if (rank && !BOARD_ONLY.test(rank[1]!)) return { command: 'query', verb: '排名', args: { target: cleanArg(rank[1]!) } }
  const tail =
    /^(.{2,30}?)\s*的?\s*(?:进展|进度|情况)\s*(?:如何|怎么样|怎样|咋样)\s*(?:了)?\s*(?:呢|吗)?$/.exec(s) ??
    (asked ? /^(.{2,30}?)\s*的?\s*(?:进展|情况)\s*(?:呢)?$/.exec(s) : null)
  if (tail) return { command: 'query', verb: '进展', args: { target: cleanArg(tail[1]!) } }
  return null
}

/** Words before 排名 that name a board, not a unit (本月排名, 乡镇排名, 十月排名). */
const BOARD_ONLY =
  /^(?:[\s的]|本周|这周|上周|本月|这个月|上上个?月|上个?月|全县|县直部门|县直单位|县直|部门|开发区|园区|示范区|经开区|高新区|乡镇街道|乡镇|街道|赛马|最新|\d{4}\s*[-年/.]\s*\d{1,2}\s*月?份?|(?:\d{1,2}|十[一二]?|[一二三四五六七八九])\s*月份?)+$/

/** Politeness and particles around a command: 麻烦…, 请把…发一下, …好吗, …谢谢. */
const POLITE_LEAD = /^(?:(?:请|麻烦|劳驾|辛苦)(?:你|您)?\s*|帮(?:我|忙)\s*|给我\s*|你\s*)+(?:把\s*)?/
const POLITE_TAIL = /\s*(?:[，,]?\s*(?:谢谢|多谢|好吗|好不好|可以吗|行吗|吧|呢|啊|哈))+$/

/** Understands a command; null when the text is not one. */
export function parseCommand(input: string, opts: CommandOptions = {}): Command | null {
  const s0 = normalize(input)
  if (!s0) return null
  if (s0 === '?' || s0 === '？') return { command: 'help', verb: '?', args: {} }
  const asked = /[?？]+$/.test(s0.replace(TRAILING_PUNCT, ''))
  const s = s0
    .replace(TRAILING_PUNCT, '')
    .replace(/[?？]+$/, '')
    .replace(TRAILING_PUNCT, '')
  const whole = s.toLowerCase()
  if (HELP.has(whole)) return { command: 'help', verb: s, args: {} }
  if (CONFIRM.has(whole)) return { command: 'confirm', verb: s, args: {} }
  if (CANCEL.has(whole)) return { command: 'cancel', verb: s, args: {} }
  if (ACK_WHOLE.has(whole)) return { command: 'ack', verb: s, args: {} }
  const ack = startsWithVerb(s, ACK_LEAD)
  if (ack && /^[，,。!！\s]/.test(ack.rest)) return { command: 'ack', verb: ack.verb, args: {} }

  const plain = parseMost(s, asked, opts)
  if (plain) return plain
  const bare = s.replace(POLITE_TAIL, '').replace(POLITE_LEAD, '').replace(TRAILING_PUNCT, '')
  return bare && bare !== s ? parseMost(bare, asked, opts) : null
}

function parseMost(s: string, asked: boolean, opts: CommandOptions): Command | null {
  const direct =
    parseSupervisionFlow(s) ??
    parseColourFlow(s) ??
    parseWorkflow(s) ??
    parseSupervise(s) ??
    parseUrge(s) ??
    parseBind(s) ??
    parseReopen(s, opts) ??
    parseReport(s)
  if (direct) return direct

  const led = s.replace(LEAD_FILLER, '')
  const leader = parseBoard(led, opts) ?? parseRedYellow(led) ?? parseBulletin(led, opts) ?? parseProblems(led)
  if (leader) return leader
  return parseQuery(s, asked)
}
