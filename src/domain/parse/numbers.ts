/**
 * Chinese and Arabic numerals → exact numbers, as officials type them in chat: 三千五百万, 1.2亿, 一亿二千万, 两千,
 * 壹仟贰佰万, 3千5百万, 一百零五, 1,234.5万, 一点二亿, 二十万零五百, 1亿2000万, 三千五 (= 3500), 一亿二 (= 1.2亿).
 *
 * Values are computed as exact decimals (a bigint and a decimal scale), so `1.2亿` is exactly 120000000 and never
 * 120000000.00000001. Why in-house: the npm parsers return wrong numbers silently (nzh reads 1.2亿 and 两千 as 0; chinese-numbers-converter reads 一亿二千万 as 1000020000000).
 *
 * ```ts
 * parseNumber('一亿二千万') // 120000000
 * parseNumber('1,234.5万')  // 12345000
 * parseNumber('林地')       // null
 * ```
 */

/** An exact decimal: `n / 10^scale`. */
export interface Decimal {
  n: bigint
  scale: number
}

/** Chinese digit characters, including the formal (大写) ones, 两 and the circle zero. */
export const CHINESE_DIGITS: Readonly<Record<string, number>> = {
  零: 0,
  〇: 0,
  '○': 0,
  一: 1,
  壹: 1,
  幺: 1,
  二: 2,
  贰: 2,
  貳: 2,
  两: 2,
  兩: 2,
  三: 3,
  叁: 3,
  參: 3,
  四: 4,
  肆: 4,
  五: 5,
  伍: 5,
  六: 6,
  陆: 6,
  陸: 6,
  七: 7,
  柒: 7,
  八: 8,
  捌: 8,
  九: 9,
  玖: 9,
}

const SMALL_UNITS: Readonly<Record<string, number>> = { 十: 10, 拾: 10, 百: 100, 佰: 100, 千: 1000, 仟: 1000 }
const BIG_UNITS: Readonly<Record<string, number>> = { 万: 10_000, 萬: 10_000, 亿: 100_000_000, 億: 100_000_000 }

export const isChineseDigit = (c: string | undefined): boolean => c !== undefined && c in CHINESE_DIGITS
export const isSmallUnit = (c: string | undefined): boolean => c !== undefined && c in SMALL_UNITS
export const isBigUnit = (c: string | undefined): boolean => c !== undefined && c in BIG_UNITS
export const isAsciiDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9'

/**
 * Characters that print as nothing: zero-width space, non-joiner and joiner, word joiner, BOM, soft hyphen, the
 * Mongolian vowel separator, and the bidirectional marks, embeddings, overrides and isolates. Pasted from web pages
 * and Office, they sit inside numbers (`12\u200b00万元` read as 00万元 = 0) and words (填\u200b报); the bidi
 * overrides can also make a text display in another order than it reads. Nobody means them, so they go.
 */
export const INVISIBLE_RE = /[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g

/** Spaces of other widths (en, em, thin, hair, narrow no-break, medium mathematical) → one plain space each. */
const ODD_SPACE_RE = /[\u2000-\u200a\u202f\u205f]/g

/** Removes the invisible characters of `INVISIBLE_RE` and turns odd spaces into plain ones. */
export function stripInvisible(text: string): string {
  return text
    .replace(INVISIBLE_RE, '')
    .replace(ODD_SPACE_RE, ' ')
    .replace(/[\u2028\u2029]/g, '\n')
}

/**
 * Full-width ASCII (１２００, ＃, ％, ：, ；, ．) → half-width, ideographic space → space, and the invisible
 * characters removed (`stripInvisible`), because every reader of typed text needs all three. The full-width comma ，
 * is kept as it is, so an ASCII ',' between digits can still be read as a thousands separator.
 */
export function normalizeWidth(text: string): string {
  let out = ''
  for (const ch of stripInvisible(text)) {
    const code = ch.codePointAt(0)!
    if (code === 0x3000) out += ' '
    else if (code >= 0xff01 && code <= 0xff5e && code !== 0xff0c) out += String.fromCodePoint(code - 0xfee0)
    else out += ch
  }
  return out
}

// ---- exact decimal helpers ----

const ZERO: Decimal = { n: 0n, scale: 0 }
const pow10 = (k: number): bigint => 10n ** BigInt(k)

function dec(n: bigint, scale = 0): Decimal {
  return { n, scale }
}

function align(a: Decimal, b: Decimal): [bigint, bigint, number] {
  const scale = Math.max(a.scale, b.scale)
  return [a.n * pow10(scale - a.scale), b.n * pow10(scale - b.scale), scale]
}

export function addDecimal(a: Decimal, b: Decimal): Decimal {
  const [x, y, scale] = align(a, b)
  return simplify({ n: x + y, scale })
}

export function mulDecimal(a: Decimal, k: number | bigint): Decimal {
  return simplify({ n: a.n * BigInt(k), scale: a.scale })
}

function simplify(d: Decimal): Decimal {
  let { n, scale } = d
  while (scale > 0 && n % 10n === 0n) {
    n /= 10n
    scale--
  }
  return { n, scale }
}

const isZero = (d: Decimal) => d.n === 0n

/** '1234.5' or '1,234.5' → Decimal. */
export function decimalFromAscii(s: string): Decimal | null {
  const clean = s.replace(/,/g, '')
  const m = /^(\d+)(?:\.(\d+))?$/.exec(clean)
  if (!m) return null
  const frac = m[2] ?? ''
  return simplify({ n: BigInt(m[1]! + frac), scale: frac.length })
}

/** Exact decimal → JS number (exact for every integer up to 2^53 and as close as a double gets otherwise). */
export function decimalToNumber(d: Decimal): number {
  if (d.scale === 0) return Number(d.n)
  const neg = d.n < 0n
  const s = (neg ? -d.n : d.n).toString().padStart(d.scale + 1, '0')
  return Number(`${neg ? '-' : ''}${s.slice(0, -d.scale)}.${s.slice(-d.scale)}`)
}

/** `d × multiplier`, rounded half away from zero to an integer. */
export function roundDecimal(d: Decimal, multiplier: number | bigint = 1): number {
  const num = d.n * BigInt(multiplier)
  const den = pow10(d.scale)
  const neg = num < 0n
  const abs = neg ? -num : num
  const q = (abs * 2n + den) / (den * 2n)
  return Number(neg ? -q : q)
}

// ---- the parser ----

type Token =
  | { kind: 'num'; value: Decimal; arabic: boolean; digits: number; leadingZero: boolean }
  | { kind: 'small'; value: number }
  | { kind: 'big'; value: number }
  | { kind: 'point' }

function tokenize(s: string): Token[] | null {
  const tokens: Token[] = []
  let i = 0
  while (i < s.length) {
    const c = s[i]!
    if (isAsciiDigit(c)) {
      const m = /^\d{1,3}(?:,\d{3})+(?:\.\d+)?|^\d+(?:\.\d+)?/.exec(s.slice(i))!
      tokens.push({ kind: 'num', value: decimalFromAscii(m[0])!, arabic: true, digits: m[0].replace(/\D/g, '').length, leadingZero: false })
      i += m[0].length
    } else if (isChineseDigit(c)) {
      let j = i
      let text = ''
      while (j < s.length && isChineseDigit(s[j])) ((text += String(CHINESE_DIGITS[s[j]!])), j++)
      tokens.push({ kind: 'num', value: dec(BigInt(text)), arabic: false, digits: text.length, leadingZero: text[0] === '0' })
      i = j
    } else if (isSmallUnit(c)) {
      tokens.push({ kind: 'small', value: SMALL_UNITS[c]! })
      i++
    } else if (isBigUnit(c)) {
      tokens.push({ kind: 'big', value: BIG_UNITS[c]! })
      i++
    } else if (c === '点') {
      tokens.push({ kind: 'point' })
      i++
    } else if (c === ' ') {
      i++
    } else {
      return null
    }
  }
  return tokens
}

/**
 * Reads a whole string as one number, exactly. Returns null when the string is not a number (any other character,
 * or a malformed sequence such as 一千二千 or 万 alone).
 */
export function parseDecimal(text: string): Decimal | null {
  const s = normalizeWidth(text).trim()
  if (!s) return null
  const tokens = tokenize(s)
  if (!tokens || tokens.length === 0) return null

  let total = ZERO // whole 亿 groups
  let wan = ZERO // the 万 group under the current 亿
  let section = ZERO // below 万
  let pending: Decimal | null = null
  let pendingElidable = false // a lone digit right after a unit: 三千五 = 3500, 一万五 = 15000
  let lastUnit = 0 // value of the unit token just before `pending`
  let smallCeiling = Infinity // small units must decrease within a section: 一千二百, not 一百二千
  let sawWan = false
  let prev: Token | null = null
  let any = false

  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!
    switch (t.kind) {
      case 'num': {
        if (pending !== null) return null
        pending = t.value
        pendingElidable = prev !== null && (prev.kind === 'small' || prev.kind === 'big') && t.digits === 1 && !t.leadingZero
        lastUnit = prev && (prev.kind === 'small' || prev.kind === 'big') ? prev.value : 0
        any = true
        break
      }
      case 'point': {
        const next = tokens[k + 1]
        if (!next || next.kind !== 'num' || next.arabic || (pending === null && isZero(section))) return null
        const frac = dec(next.value.n, next.digits) // 二五 → 0.25
        pending = addDecimal(addDecimal(section, pending ?? ZERO), frac)
        section = ZERO
        smallCeiling = Infinity
        pendingElidable = false
        k++
        break
      }
      case 'small': {
        if (t.value >= smallCeiling) return null
        section = addDecimal(section, mulDecimal(pending ?? dec(1n), t.value))
        smallCeiling = t.value
        pending = null
        pendingElidable = false
        any = true
        break
      }
      case 'big': {
        const group = addDecimal(section, pending ?? ZERO)
        if (t.value === 100_000_000) {
          const all = addDecimal(addDecimal(total, wan), group)
          if (isZero(all) && pending === null) return null
          total = mulDecimal(all, t.value)
          wan = ZERO
          sawWan = false
        } else {
          if (sawWan || (isZero(group) && pending === null)) return null
          wan = mulDecimal(group, t.value)
          sawWan = true
        }
        section = ZERO
        pending = null
        pendingElidable = false
        smallCeiling = Infinity
        break
      }
    }
    prev = t
  }
  if (!any) return null
  if (pending !== null) {
    if (pendingElidable && lastUnit >= 100) pending = mulDecimal(pending, lastUnit / 10)
    section = addDecimal(section, pending)
  }
  return addDecimal(addDecimal(total, wan), section)
}

/** Reads a whole string as one number: `parseNumber('三千五百万')` → 35000000; null when it is not a number. */
export function parseNumber(text: string): number | null {
  const d = parseDecimal(text)
  return d === null ? null : decimalToNumber(d)
}

/**
 * The numeral run starting at `start`, if one starts there: Arabic digits (with ',' thousands groups and '.'),
 * Chinese digits, 十百千万亿 (and 拾佰仟萬億), and 点 between digits. A run must contain a digit or begin with 十/拾,
 * so 万达 or 千亿级 alone are not numbers; with `unitStart` it may also begin with 百/千 (近千万元). Returns the end
 * index (exclusive) or null.
 */
export function scanNumeral(text: string, start: number, opts: { unitStart?: boolean } = {}): number | null {
  const first = text[start]
  const unitStart = opts.unitStart === true && (first === '百' || first === '千' || first === '佰' || first === '仟')
  if (!(isAsciiDigit(first) || isChineseDigit(first) || first === '十' || first === '拾' || unitStart)) return null
  let i = start
  while (i < text.length) {
    const c = text[i]!
    if (isAsciiDigit(c) || isChineseDigit(c) || isSmallUnit(c) || isBigUnit(c)) {
      i++
    } else if (c === '.' && isAsciiDigit(text[i - 1]) && isAsciiDigit(text[i + 1])) {
      i++
    } else if (c === ',' && isAsciiDigit(text[i - 1]) && /^\d{3}(?!\d)/.test(text.slice(i + 1))) {
      i++
    } else if (c === '点' && (isChineseDigit(text[i - 1]) || isAsciiDigit(text[i - 1])) && isChineseDigit(text[i + 1])) {
      i++
    } else {
      break
    }
  }
  return i
}

/** Every numeral run in a text with its value; runs that do not parse are skipped. */
export function findNumerals(text: string): Array<{ start: number; end: number; text: string; value: Decimal }> {
  const out: Array<{ start: number; end: number; text: string; value: Decimal }> = []
  let i = 0
  while (i < text.length) {
    const end = scanNumeral(text, i)
    if (end === null) {
      i++
      continue
    }
    const raw = text.slice(i, end)
    const value = parseDecimal(raw)
    if (value) out.push({ start: i, end, text: raw, value })
    i = end
  }
  return out
}

/** What `readPercent` gives: the percentage, or the reason it cannot be one, in the words the person sees. */
export type PercentReading = { ok: true; value: number } | { ok: false; reason: string }

/** The one sentence for a percentage outside 0–100, shared with the report check. */
export const PERCENT_RANGE_REASON = '形象进度百分比应在 0–100 之间'

/**
 * A 形象进度 percentage as typed in a form: 65, 65%, ６５％, 65.5, 百分之六十五, 六十五%. The reason says what is
 * wrong — not a number, or outside 0–100 — and never asks for a 万元 amount. Empty input is not a percentage.
 */
export function readPercent(text: string, label = '形象进度百分比'): PercentReading {
  let s = normalizeWidth(text).trim().replace(/\s+/g, '')
  let negative = false
  if (/^[-\u2212负]/.test(s)) {
    negative = true
    s = s.slice(1)
  }
  s = s.replace(/^百分之/, '').replace(/%$/, '')
  const d = s === '' ? null : /^\d+(?:\.\d+)?$/.test(s) ? decimalFromAscii(s) : parseDecimal(s)
  // 万 or 亿 in a percentage is a mistake, not a big percentage
  if (d === null || /[万萬亿億]/.test(s)) return { ok: false, reason: `${label}不是有效的数字，请填写 0–100 之间的数，例如 65 或 65%` }
  const value = decimalToNumber(d) * (negative ? -1 : 1)
  if (!(value >= 0 && value <= 100)) return { ok: false, reason: label === '形象进度百分比' ? PERCENT_RANGE_REASON : `${label}应在 0–100 之间` }
  return { ok: true, value }
}
