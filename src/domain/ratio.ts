/**
 * Exact fractions for rates that decide colours, ranks and awards (完成率, 序时, 开工率 …).
 *
 * A completion rate of 1–10月 ÷ 年度计划 is a fraction of two whole-元 amounts; deciding "at or ahead of 序时"
 * with floats would flip cards on rounding noise, so every decision compares fractions by cross-multiplying
 * (BigInt when a product could pass 2^53). Floats appear only in display values, rounded once at the end.
 *
 * Constructors accept non-negative values only; `subtract` may produce a negative numerator (a gap behind
 * 序时), and every other function here accepts signed numerators.
 */

/** `num / den`, both integers, `den > 0`. Not necessarily reduced. */
export interface Ratio {
  readonly num: number
  readonly den: number
}

const SAFE = Number.MAX_SAFE_INTEGER

/**
 * A non-negative fraction: `ratio(97, 120)` is 97/120. Throws on non-integers, negatives and a zero
 * denominator, because each of those is a bug upstream (a plan of 0 must be handled as "no plan" before here).
 */
export function ratio(num: number, den = 1): Ratio {
  if (!Number.isSafeInteger(num) || num < 0) throw new RangeError(`ratio numerator must be a whole number ≥ 0: ${num}`)
  if (!Number.isSafeInteger(den) || den <= 0) throw new RangeError(`ratio denominator must be a whole number > 0: ${den}`)
  return { num, den }
}

/**
 * An exact ratio from a decimal a person configured, such as a cap of `1.2` or a threshold of `12.5`
 * percentage points: `fromDecimal(1.2)` → 12/10 (reduced form 6/5). Allows up to 6 decimals and rejects more,
 * so a typo like 0.3333333 surfaces instead of turning into a binary approximation.
 */
export function fromDecimal(value: number): Ratio {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`not a non-negative decimal: ${value}`)
  // String(value) is the shortest text that round-trips, i.e. what the person typed: 1.2 → '1.2'.
  const m = /^(\d+)(?:\.(\d{1,6}))?$/.exec(String(value))
  if (!m) throw new RangeError(`not a decimal with at most 6 decimals: ${value}`)
  const frac = m[2] ?? ''
  return reduce(Number(`${m[1]}${frac}`), 10 ** frac.length)
}

/** A percentage-point figure as a fraction of 1: `fromPoints(10)` → 10/100 (the 银川 "10 points behind"). */
export function fromPoints(points: number): Ratio {
  const r = fromDecimal(points)
  return reduce(r.num, r.den * 100)
}

/** -1, 0 or 1 as `a` is less than, equal to or greater than `b`. Exact for any safe-integer parts. */
export function compare(a: Ratio, b: Ratio): -1 | 0 | 1 {
  const left = a.num * b.den
  const right = b.num * a.den
  // A float product below 2^53 in magnitude is exact; above it, fall back to BigInt.
  if (Math.abs(left) <= SAFE && Math.abs(right) <= SAFE) return left < right ? -1 : left > right ? 1 : 0
  const l = BigInt(a.num) * BigInt(b.den)
  const r = BigInt(b.num) * BigInt(a.den)
  return l < r ? -1 : l > r ? 1 : 0
}

export function equals(a: Ratio, b: Ratio): boolean {
  return compare(a, b) === 0
}

/** The smaller of two ratios; `min(actualRate, cap)` is how scoring caps 投资完成率 at 120 %. */
export function min(a: Ratio, b: Ratio): Ratio {
  return compare(a, b) <= 0 ? a : b
}

export function max(a: Ratio, b: Ratio): Ratio {
  return compare(a, b) >= 0 ? a : b
}

/**
 * `a − b`, reduced; negative when `a` is behind `b`. Throws when the exact result does not fit in safe integers
 * (two unrelated denominators near 10^10 元); `compareDifference` and `differenceToFixedPoint` never do.
 */
export function subtract(a: Ratio, b: Ratio): Ratio {
  if (a.den === b.den && Number.isSafeInteger(a.num - b.num)) return reduce(a.num - b.num, a.den)
  return reduceBig(BigInt(a.num) * BigInt(b.den) - BigInt(b.num) * BigInt(a.den), BigInt(a.den) * BigInt(b.den))
}

export function add(a: Ratio, b: Ratio): Ratio {
  if (a.den === b.den && Number.isSafeInteger(a.num + b.num)) return reduce(a.num + b.num, a.den)
  return reduceBig(BigInt(a.num) * BigInt(b.den) + BigInt(b.num) * BigInt(a.den), BigInt(a.den) * BigInt(b.den))
}

/** `a × b`, reduced: `multiply(ratio(10, 12), ratio(1, 2))` → 5/12. */
export function multiply(a: Ratio, b: Ratio): Ratio {
  return reduceBig(BigInt(a.num) * BigInt(b.num), BigInt(a.den) * BigInt(b.den))
}

/**
 * Compares `a − b` with `t`, exactly and without forming `a − b`: "is 序时 − 完成率 more than 30 points?" is
 * `compareDifference(schedule, completion, fromPoints(30)) > 0`.
 */
export function compareDifference(a: Ratio, b: Ratio, t: Ratio): -1 | 0 | 1 {
  return cmpBig(subBig(big(a), big(b)), big(t))
}

/** Compares `a1 − b1` with `a2 − b2` exactly: ranks two projects by their gap to 序时. */
export function compareDifferences(a1: Ratio, b1: Ratio, a2: Ratio, b2: Ratio): -1 | 0 | 1 {
  return cmpBig(subBig(big(a1), big(b1)), subBig(big(a2), big(b2)))
}

/** Compares `a ÷ b` with `t` exactly (`b` must be above 0): "is 完成率 below half of 序时?". */
export function compareQuotient(a: Ratio, b: Ratio, t: Ratio): -1 | 0 | 1 {
  if (b.num <= 0) throw new RangeError('cannot divide by a ratio that is not above 0')
  return cmpBig({ n: BigInt(a.num) * BigInt(b.den), d: BigInt(a.den) * BigInt(b.num) }, big(t))
}

/** `round((a − b) × scale)`, half away from zero: `differenceToFixedPoint(ratio(7, 10), ratio(10, 12), 10_000)` → −1333. */
export function differenceToFixedPoint(a: Ratio, b: Ratio, scale: number): number {
  if (!Number.isSafeInteger(scale) || scale <= 0) throw new RangeError(`scale must be a whole number > 0: ${scale}`)
  const diff = subBig(big(a), big(b))
  return roundBig(diff.n * BigInt(scale), diff.d)
}

export function sign(r: Ratio): -1 | 0 | 1 {
  return r.num < 0 ? -1 : r.num > 0 ? 1 : 0
}

export function negate(r: Ratio): Ratio {
  return { num: -r.num, den: r.den }
}

/**
 * `round(num × scale ÷ den)`, half away from zero, as an integer: the one place a fraction becomes a
 * fixed-point number. `toFixedPoint(ratio(2, 3), 10_000)` → 6667 (score units of 0.0001).
 */
export function toFixedPoint(r: Ratio, scale: number): number {
  if (!Number.isSafeInteger(scale) || scale <= 0) throw new RangeError(`scale must be a whole number > 0: ${scale}`)
  return roundDiv(r.num * scale, r.den, r.num, scale)
}

/**
 * The fraction in basis points (0.01 %), rounded half away from zero: `toBasisPoints(ratio(10, 12))` → 8333,
 * i.e. 83.33 %. Percentages shown to people are rounded exactly once, here.
 */
export function toBasisPoints(r: Ratio): number {
  return toFixedPoint(r, 10_000)
}

/** The fraction as a percentage rounded to 0.01: 10/12 → 83.33. For JSON and charts, not for decisions. */
export function toPercent(r: Ratio): number {
  return toBasisPoints(r) / 100
}

/** '83.33%' — two decimals always, so a column of rates lines up. */
export function formatPercent(r: Ratio, decimals = 2): string {
  return `${formatScaled(toFixedPoint(r, 100 * 10 ** decimals), decimals)}%`
}

/** An integer of `10^-decimals` units as a decimal string: `formatScaled(-333, 2)` → '-3.33'. */
export function formatScaled(units: number, decimals: number): string {
  const neg = units < 0
  const abs = Math.abs(units)
  if (decimals === 0) return `${neg && abs !== 0 ? '-' : ''}${abs}`
  const div = 10 ** decimals
  const whole = Math.floor(abs / div)
  const frac = String(abs % div).padStart(decimals, '0')
  return `${neg && abs !== 0 ? '-' : ''}${whole}.${frac}`
}

/** A lossy float, for charts only. Never compare these. */
export function toNumber(r: Ratio): number {
  return r.num / r.den
}

// ---------------------------------------------------------------------------------------------------------

/** round(product ÷ den) half away from zero; `product` is `a × b` already multiplied as floats (maybe inexact). */
function roundDiv(product: number, den: number, a: number, b: number): number {
  if (Math.abs(product) <= SAFE) {
    const neg = product < 0
    const n = Math.abs(product)
    const q = Math.floor(n / den)
    const rem = n - q * den
    const rounded = rem * 2 >= den ? q + 1 : q
    return neg ? -rounded : rounded
  }
  return roundBig(BigInt(a) * BigInt(b), BigInt(den))
}

/** round(n ÷ d) half away from zero, d > 0, as a safe integer. */
function roundBig(n: bigint, d: bigint): number {
  const neg = n < 0n
  const abs = neg ? -n : n
  const q = abs / d
  const rounded = (abs % d) * 2n >= d ? q + 1n : q
  const out = Number(neg ? -rounded : rounded)
  if (!Number.isSafeInteger(out)) throw new RangeError('fixed-point value out of range')
  return out
}

/** An unbounded fraction for intermediate results that need not fit in a number. */
interface BigFraction {
  n: bigint
  d: bigint // > 0
}

function big(r: Ratio): BigFraction {
  return { n: BigInt(r.num), d: BigInt(r.den) }
}

function subBig(a: BigFraction, b: BigFraction): BigFraction {
  return a.d === b.d ? { n: a.n - b.n, d: a.d } : { n: a.n * b.d - b.n * a.d, d: a.d * b.d }
}

function cmpBig(a: BigFraction, b: BigFraction): -1 | 0 | 1 {
  const l = a.n * b.d
  const r = b.n * a.d
  return l < r ? -1 : l > r ? 1 : 0
}

function gcd(a: number, b: number): number {
  a = Math.abs(a)
  while (b) [a, b] = [b, a % b]
  return a
}

/** Both arguments are safe integers here; callers that could overflow go through `reduceBig`. */
function reduce(num: number, den: number): Ratio {
  if (!Number.isSafeInteger(num) || !Number.isSafeInteger(den)) throw new RangeError('fraction too large to represent exactly')
  const g = gcd(num, den) || 1
  return { num: num / g, den: den / g }
}

function reduceBig(num: bigint, den: bigint): Ratio {
  let a = num < 0n ? -num : num
  let b = den
  while (b) [a, b] = [b, a % b]
  const g = a === 0n ? 1n : a
  const n = num / g
  const d = den / g
  if (n > BigInt(SAFE) || n < -BigInt(SAFE) || d > BigInt(SAFE)) {
    throw new RangeError('fraction too large to represent exactly')
  }
  return { num: Number(n), den: Number(d) }
}
