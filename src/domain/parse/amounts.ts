/**
 * Money amounts in free text → whole 元 (Yuan), exactly.
 *
 * Units: 元, 万元 / 万, 亿元 / 亿, 千万, also 1200余万元 and 3千多万. A bare number right after an investment keyword
 * (完成投资1200，累计8600) is read as 万元, because that is how the reports are written; a bare number anywhere
 * else is not an amount. `5000000元` is 5000000 元.
 *
 * ```ts
 * parseAmount('1.2亿元')   // 120000000
 * parseAmount('1200')      // 12000000 (bare → 万元)
 * findAmounts('本月完成投资1200万元，累计8600') // two matches: 12000000 and 86000000
 * ```
 */
import type { Yuan } from '../money.ts'
import { MAX_AMOUNT_YUAN, amountProblem, formatWan } from '../money.ts'
import { isAsciiDigit, isBigUnit, isChineseDigit, isSmallUnit, normalizeWidth, parseDecimal, roundDecimal, scanNumeral } from './numbers.ts'
import type { Decimal } from './numbers.ts'

export interface AmountMatch {
  /** Span in the text given to findAmounts (the numeral, any 余/多, the unit). */
  start: number
  end: number
  text: string
  yuan: Yuan
  /** The unit as written: '元', '万元', '万', '亿元', '亿', '千万', '千万元', or null for a bare number (read as 万元). */
  unit: string | null
  /** True for a bare number after an investment keyword. */
  bare: boolean
  /** 约 / 近 / 大约 / 超过 before, or 余 / 多 / 左右 / 以上 after. */
  approx: boolean
  /** Written with a minus sign or 负 (`-1200万元`, `负1200`): `yuan` is negative, for the checks to refuse. */
  negative: boolean
  /**
   * The amount is too large to hold exactly (beyond 2^53 元, nine thousand 万亿); `yuan` is then ±MAX_SAFE_INTEGER,
   * far over MAX_AMOUNT_YUAN, so the checks refuse it instead of computing with an inexact float.
   */
  overflow: boolean
}

/**
 * A minus written before a numeral: ASCII '-' (also what full-width '－' becomes), the minus sign '−', or 负. Not
 * when a digit stands right before it, because then it is a range (1-10月) or a code (G207-1).
 */
function signAt(text: string, numeralStart: number): boolean {
  const c = text[numeralStart - 1]
  if (c !== '-' && c !== '\u2212' && c !== '负') return false
  const before = text[numeralStart - 2]
  return !(
    isAsciiDigit(before) ||
    isChineseDigit(before) ||
    isSmallUnit(before) ||
    isBigUnit(before) ||
    (before !== undefined && /[A-Za-z]/.test(before))
  )
}

/** `value × multiplier` in whole 元 with the sign, saturating (and saying so) where a double stops being exact. */
function toYuan(value: Decimal, multiplier: number, negative: boolean): { yuan: Yuan; overflow: boolean } {
  const abs = roundDecimal(value, multiplier)
  const overflow = !Number.isSafeInteger(abs)
  const y = overflow ? Number.MAX_SAFE_INTEGER : abs
  return { yuan: negative && y !== 0 ? -y : y, overflow }
}

/** Words after which a bare number is an amount in 万元. */
export const INVESTMENT_KEYWORD = /(?:完成投资|实际完成|投资额|完成额|投资|累计完成|累计|完成)(?:[\s:：]|约|近|达到|达|为|是|共|计|合计|了)*$/

const APPROX_BEFORE = /(?:约|近|大约|接近|超过|逾|将近)\s*$/
const APPROX_AFTER = /^(?:左右|以上|上下)/
/** Measure words that make `5万` a quantity, not money (5万方土方, 3万平方米, 2万千瓦). */
const MEASURE_AFTER =
  /^(?:平方|立方|方|平|吨|亩|人|株|米|公里|千米|瓦|千瓦|度|户|台|套|个|件|张|辆|头|只|斤|册|次|块|棵|根|条|座|栋|层|间|份|家|名|项|批|车|箱|桶|升|公斤|m|km|kw|kg|t(?![a-z]))/i
const SEPARATOR_OR_END = /^(?:$|[\s，,；;。.!！?？)）、])/

const BIG: Readonly<Record<string, number>> = { 万: 10_000, 萬: 10_000, 亿: 100_000_000, 億: 100_000_000 }

function hasBigUnit(run: string): boolean {
  return /[万萬亿億]/.test(run)
}

function runUnit(run: string): string {
  if (/千万$|千萬$/.test(run)) return '千万'
  const last = run[run.length - 1]!
  return last in BIG ? (last === '萬' ? '万' : last === '億' ? '亿' : last) : ''
}

/**
 * Reads the amount at `start` (where a numeral begins). Returns null when the numeral there is not money: no unit
 * and no investment keyword before it, a quantity (5万方), a percentage, a month or a year.
 */
function amountAt(text: string, start: number, runEnd: number, allowBare: boolean, negative: boolean): AmountMatch | null {
  const run = text.slice(start, runEnd)
  // the words before the amount, without its minus sign: 累计-1200 still has 累计 right before the number
  const before = text.slice(0, negative ? start - 1 : start)
  const from = negative ? start - 1 : start
  const value = parseDecimal(run)
  if (value === null) return null
  let i = runEnd
  let approx = false
  let multiplier = 1
  let unit = runUnit(run)
  if (text[i] === '余' || text[i] === '多') {
    approx = true
    i++
  }
  const extra = text[i]
  if (extra !== undefined && extra in BIG && !hasBigUnit(run.slice(-1))) {
    multiplier = BIG[extra]!
    unit = extra === '萬' ? '万' : extra === '億' ? '亿' : extra
    i++
  } else if (approx && text[i] !== '元') {
    i-- // 1200余 with no unit after: the 余 is not ours
    approx = false
  }
  const hasYuan = text[i] === '元'
  if (hasYuan) {
    unit += '元'
    i++
  }
  const after = text.slice(i)
  if (after.startsWith('%') || after.startsWith('％')) return null
  if (!hasYuan && MEASURE_AFTER.test(after)) return null
  if (APPROX_AFTER.test(after)) approx = true
  if (APPROX_BEFORE.test(before)) approx = true

  if (unit === '') {
    // bare: only right after an investment keyword, and only when the number stands alone
    if (!allowBare || !INVESTMENT_KEYWORD.test(before) || !SEPARATOR_OR_END.test(after)) return null
    return { start: from, end: i, text: text.slice(from, i), ...toYuan(value, 10_000, negative), unit: null, bare: true, approx, negative }
  }
  return { start: from, end: i, text: text.slice(from, i), ...toYuan(value, multiplier, negative), unit, bare: false, approx, negative }
}

/**
 * Every money amount in a (width-normalised) text, in order: numbers with a unit anywhere, and bare numbers right
 * after an investment keyword (read as 万元). Pass `{ bare: false }` to ignore bare numbers.
 */
export function findAmounts(text: string, opts: { bare?: boolean } = {}): AmountMatch[] {
  const allowBare = opts.bare ?? true
  const out: AmountMatch[] = []
  let i = 0
  while (i < text.length) {
    let end = scanNumeral(text, i)
    let unitStart = false
    if (end === null) {
      // 近千万元, 百万元: a run that starts with 百/千 counts only as a whole amount in 元
      end = scanNumeral(text, i, { unitStart: true })
      unitStart = true
    }
    if (end === null) {
      i++
      continue
    }
    // a numeral glued to ASCII letters before it (G207, A3) is a code, not an amount
    const before = text[i - 1]
    let match = before !== undefined && /[A-Za-z]/.test(before) ? null : amountAt(text, i, end, allowBare && !unitStart, signAt(text, i))
    if (match && unitStart && !(match.unit?.endsWith('元') && /[万亿]/.test(match.unit))) match = null
    if (match) {
      out.push(match)
      i = match.end
    } else {
      i = end
    }
  }
  return out
}

/**
 * One amount as a whole string → whole 元: '1200万元', '约3.2亿', '5000000元', '壹仟贰佰万元', '1200余万元', and
 * negative ones ('-1200', '负1200万元' → −12000000) so the checks can refuse them with a reason. A bare number is
 * read in `bareUnit` (default 万元). Returns null when the string is not a single amount or is too large to hold
 * exactly (beyond 2^53 元); `readAmount` says which.
 */
export function parseAmount(text: string, opts: { bareUnit?: '万元' | '元' } = {}): Yuan | null {
  const r = amountOf(text, opts)
  return r === null || r.overflow ? null : r.yuan
}

function amountOf(text: string, opts: { bareUnit?: '万元' | '元' }): { yuan: Yuan; overflow: boolean } | null {
  let s = normalizeWidth(text)
    .trim()
    .replace(/^(?:人民币|约|近|大约|接近|超过|逾|将近)\s*/, '')
    .replace(/(?:左右|以上|上下)?[。.!！]?$/, '')
    .trim()
  const negative = /^[-\u2212负]/.test(s)
  if (negative) s = s.slice(1).trim()
  const m = /^(.+?)(余|多)?(万|萬|亿|億)?(元)?$/.exec(s)
  if (!m) return null
  const run = m[1]!
  const end = scanNumeral(run, 0)
  if (end !== run.length) return null
  const value: Decimal | null = parseDecimal(run)
  if (value === null) return null
  const extra = m[3]
  if (extra && hasBigUnit(run.slice(-1))) return null // 一亿万
  if (m[2] && !extra && !m[4]) return null
  const multiplier = extra ? BIG[extra]! : 1
  const unitless = !extra && !m[4] && runUnit(run) === ''
  if (unitless) return toYuan(value, (opts.bareUnit ?? '万元') === '万元' ? 10_000 : 1, negative)
  return toYuan(value, multiplier, negative)
}

/** What `readAmount` gives: the amount, or the reason it cannot be one, in the words the person sees. */
export type AmountReading = { ok: true; yuan: Yuan } | { ok: false; reason: string }

/**
 * A form field's amount with the reason when it is refused, so the person is told what is wrong rather than "not
 * a number": `readAmount('-1200', '本年累计')` → { ok: false, reason: '本年累计不能为负数' }; '12a' → not a number;
 * '900000000' (万元) → over the 900 亿 limit. Empty input is not an amount either (callers decide if it may be empty).
 */
export function readAmount(text: string, label: string, opts: { bareUnit?: '万元' | '元' } = {}): AmountReading {
  const r = amountOf(text, opts)
  if (r === null) return { ok: false, reason: `${label}不是有效的金额，请填写万元数，例如 1200 或 1,250.5` }
  if (r.overflow) return { ok: false, reason: `${label}超过单项金额上限 ${formatWan(MAX_AMOUNT_YUAN, 0)} 万元（900 亿元），请核实单位是否为万元` }
  const problem = amountProblem(label, r.yuan)
  return problem ? { ok: false, reason: problem } : { ok: true, yuan: r.yuan }
}
