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
import { normalizeWidth, parseDecimal, roundDecimal, scanNumeral } from './numbers.ts'
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
}

/** Words after which a bare number is an amount in 万元. */
export const INVESTMENT_KEYWORD = /(?:完成投资|实际完成|投资额|完成额|投资|累计完成|累计|完成)(?:[\s:：]|约|近|达到|达|为|是|共|计|合计|了)*$/

const APPROX_BEFORE = /(?:约|近|大约|接近|超过|逾|将近)\s*$/
const APPROX_AFTER = /^(?:左右|以上|上下)/
/** Measure words that make `5万` a quantity, not money (5万方土方, 3万平方米, 2万千瓦). */
const MEASURE_AFTER = /^(?:平方|立方|方|平|吨|亩|人|株|米|公里|千米|瓦|千瓦|度|户|台|套|个|件|张|辆|头|只|斤|册|次|块|棵|根|条|座|栋|层|间|份|家|名|项|批|车|箱|桶|升|公斤|m|km|kw|kg|t(?![a-z]))/i
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
function amountAt(text: string, start: number, runEnd: number, allowBare: boolean): AmountMatch | null {
  const run = text.slice(start, runEnd)
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
  if (APPROX_BEFORE.test(text.slice(0, start))) approx = true

  if (unit === '') {
    // bare: only right after an investment keyword, and only when the number stands alone
    if (!allowBare || !INVESTMENT_KEYWORD.test(text.slice(0, start)) || !SEPARATOR_OR_END.test(after)) return null
    return { start, end: i, text: text.slice(start, i), yuan: roundDecimal(value, 10_000), unit: null, bare: true, approx }
  }
  return { start, end: i, text: text.slice(start, i), yuan: roundDecimal(value, multiplier), unit, bare: false, approx }
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
    let match = before !== undefined && /[A-Za-z]/.test(before) ? null : amountAt(text, i, end, allowBare && !unitStart)
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
 * One amount as a whole string → whole 元: '1200万元', '约3.2亿', '5000000元', '壹仟贰佰万元', '1200余万元'.
 * A bare number is read in `bareUnit` (default 万元). Returns null when the string is not a single amount.
 */
export function parseAmount(text: string, opts: { bareUnit?: '万元' | '元' } = {}): Yuan | null {
  const s = normalizeWidth(text)
    .trim()
    .replace(/^(?:人民币|约|近|大约|接近|超过|逾|将近)\s*/, '')
    .replace(/(?:左右|以上|上下)?[。.!！]?$/, '')
    .trim()
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
  if (unitless) return roundDecimal(value, (opts.bareUnit ?? '万元') === '万元' ? 10_000 : 1)
  return roundDecimal(value, multiplier)
}
