/**
 * Money is kept as whole 元 in a JS integer (exact up to 9×10^15 元, far above any county's plan) and shown in
 * 万元. Sums of integers never drift; ratios are compared exactly by cross-multiplying (see `ratio.ts`).
 */

/** An amount in whole 元. Always an integer. */
export type Yuan = number

export const YUAN_PER_WAN = 10_000

/** 万元 (possibly fractional, as typed by a person or read from Excel) → whole 元, rounded half away from zero. */
export function wanToYuan(wan: number): Yuan {
  if (!Number.isFinite(wan)) throw new RangeError(`not an amount: ${wan}`)
  // Scale through a decimal string so 0.1 + 0.2 style binary artefacts cannot shift the last 元.
  const [int = '0', frac = ''] = Math.abs(wan).toFixed(6).split('.')
  const yuan = Number(int) * YUAN_PER_WAN + Math.round(Number(`${frac.slice(0, 4)}.${frac.slice(4)}`))
  return wan < 0 ? -yuan : yuan
}

/** Whole 元 → 万元 as a number (for JSON output). Exact to 4 decimals by construction. */
export function yuanToWan(yuan: Yuan): number {
  return Number(formatWan(yuan, 4, false).replace(/,/g, ''))
}

/**
 * Display an amount in 万元: `formatWan(123456789)` → '12,345.68'. Rounds half away from zero on the integer, not
 * on a float, so the same amount always prints the same way.
 */
export function formatWan(yuan: Yuan, decimals = 2, grouping = true): string {
  const neg = yuan < 0
  let abs = Math.abs(yuan)
  const scale = 10 ** (4 - decimals)
  abs = Math.floor((abs + scale / 2) / scale) // round to the requested decimals of 万
  const unitsPerWan = 10 ** decimals
  const whole = Math.floor(abs / unitsPerWan)
  const frac = abs % unitsPerWan
  const wholeStr = grouping ? whole.toLocaleString('en-US') : String(whole)
  const text = decimals > 0 ? `${wholeStr}.${String(frac).padStart(decimals, '0')}` : wholeStr
  return neg && abs !== 0 ? `-${text}` : text
}

/** Sum of amounts; throws if a non-integer slipped in, because that would be a float in disguise. */
export function sumYuan(values: Iterable<Yuan>): Yuan {
  let total = 0
  for (const v of values) {
    if (!Number.isSafeInteger(v)) throw new RangeError(`amount is not whole 元: ${v}`)
    total += v
  }
  return total
}

/**
 * The largest single figure (one project's 总投资, 年度计划, 本期 or 本年累计) we accept: 9×10^10 元 = 900 亿元
 * = 9,000,000 万元.
 *
 * Why this number: a county's largest key project is a few hundred 亿 (a 300 亿 refinery or expressway), so 900
 * 亿 still leaves three times that as room; and the board sums one figure over every project of a province-scale
 * database (the benches run 100k projects): 100,000 × 9×10^10 = 9×10^15 < 2^53 ≈ 9.007×10^15, so every sum stays
 * an exact integer without checking. (10^13 per figure would overflow such a sum after 900 projects.) It also
 * catches the common slip of typing 元 into a 万元 field: 86000000 read as 万元 is 8600 亿元, refused.
 */
export const MAX_AMOUNT_YUAN: Yuan = 90_000_000_000

/**
 * Why a figure cannot be stored, in the words the person sees, or null when it can: `amountProblem('本年累计',
 * -5)` → '本年累计不能为负数'. Whole 元, not negative, at most `MAX_AMOUNT_YUAN`.
 */
export function amountProblem(label: string, yuan: number): string | null {
  if (typeof yuan !== 'number' || Number.isNaN(yuan)) return `${label}不是有效的金额`
  if (yuan < 0) return `${label}不能为负数`
  if (yuan > MAX_AMOUNT_YUAN) return `${label}超过单项金额上限 ${formatWan(MAX_AMOUNT_YUAN, 0)} 万元（900 亿元），请核实单位是否为万元`
  if (!Number.isSafeInteger(yuan)) return `${label}不是整元金额`
  return null
}
