/**
 * User text on cards: how long it may be and how it is kept inert.
 *
 * Cards carry what people typed (形象进度, 存在问题, 督办事项, names from the roster). Two things can go wrong with
 * it: it can be long enough to push a card past Feishu's 30 KB limit (error 230025 — and a stored 12,000-character
 * 形象进度 would then break that project's 填报 card for good), and it can carry markup. Builders therefore pass
 * every piece of user text through `clip` (the database keeps the full text; only the card is cut) and build
 * markdown with `md`, which makes interpolated values inert in the neutral markup.
 *
 * The neutral markdown of `{kind: 'markdown'}`, `note` and `mentions.text` is deliberately tiny: `**bold**` and line
 * breaks, nothing else (what src/channels/local/render.ts draws). Every other character is literal, and each
 * channel escapes it for its platform (Feishu: src/channels/feishu/render.ts). So the only markup user text could
 * smuggle into a card is `**`; `inert` breaks that with an invisible zero-width space between the stars.
 */

/**
 * Lengths in characters (UTF-16 units, as String.length counts; a cut never splits a surrogate pair). Chosen so
 * that every card of the catalogue stays under 30 KB with each field at its limit and full of characters that
 * grow most when escaped (test/cards/limits.test.ts builds them all that way).
 */
export const LIMITS = {
  /** A name in a title or subtitle (project, unit, league). */
  title: 40,
  /** A name inside text or a table cell (project, unit, person). */
  name: 30,
  /** A short free-text value in a table cell (a problem's description in the 台账 list). */
  cell: 40,
  /** One line of a list (a problem, a red/yellow project with its detail). */
  line: 120,
  /** A free-text field value (形象进度, 督办事项, 说明). */
  text: 300,
  /** Lines of a list shown before 「等 N 项」. */
  lines: 10,
  /** Rows of one table before 「另有 N 行未显示」. */
  rows: 50,
  /** Rows of all tables of one card together (boards with several leagues share this). */
  cardRows: 90,
  /** People @-mentioned on one card. */
  mentions: 30,
  /**
   * A form input's prefilled value. Feishu inputs take at most 1,000 characters (`max_length`), so a longer stored
   * value could not be shown whole anyway; the submit handler keeps the stored text when the clipped value comes
   * back unchanged (`restoreClipped`).
   */
  input: 1000,
} as const

const ELLIPSIS = '…'

/**
 * `text` cut to at most `max` characters, ending in 「…」 when it was cut: `clip('林地手续未批复', 4)` → '林地手…'.
 * Never splits a surrogate pair (an emoji stays whole or goes).
 */
export function clip(text: string | null | undefined, max: number): string {
  const s = text ?? ''
  if (s.length <= max) return s
  let end = Math.max(0, max - ELLIPSIS.length)
  const code = s.charCodeAt(end - 1)
  if (code >= 0xd800 && code <= 0xdbff) end-- // a high surrogate whose pair would be cut off
  return s.slice(0, end) + ELLIPSIS
}

/**
 * The value the submit handler should store for a form input that was prefilled with `clip(original, max)`: the
 * original when the person sent the clipped text back unchanged (so editing other fields does not cut a long
 * 形象进度), else what was submitted.
 */
export function restoreClipped(submitted: string, original: string | null | undefined, max: number = LIMITS.input): string {
  // compared trimmed: the handler trims what comes back, and Feishu may drop trailing spaces of a default value
  if (original && original.length > max && submitted.trim() === plainText(clip(original, max)).trim()) return original
  return submitted
}

// C0/C1 controls except tab and newline (JSON escapes each as 6 bytes and nobody means them), and lone surrogates
// (JSON.stringify writes them as \udxxx; they are not text).
const CONTROL_RE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

/** Text for plain-text places (titles, table cells, button labels, input values): controls and broken halves out. */
export function plainText(text: string | null | undefined): string {
  return String(text ?? '')
    .replace(/\r\n?/g, '\n')
    .replace(CONTROL_RE, (c) => (c.length === 1 && c.charCodeAt(0) >= 0xd800 ? '\ufffd' : ''))
}

/**
 * Text made inert in the neutral markdown: `plainText`, and every `**` broken by a zero-width space so it cannot
 * open bold. Shows exactly as typed.
 */
export function inert(text: string | null | undefined): string {
  return plainText(text).replace(/\*(?=\*)/g, '*\u200b')
}

/** A piece of our own markup passed through `md` unchanged. */
export interface Markup {
  readonly markup: string
}

/** Marks text as our own markup for `md` (only for text built by us, never for what a person typed). */
export const markup = (text: string): Markup => ({ markup: text })

/**
 * Neutral markdown with every interpolated value made inert: md`**督办事项**：${matter}` keeps our bold and shows
 * the matter exactly as typed, whatever it contains. Clip long values before: md`…${clip(matter, LIMITS.text)}`.
 */
export function md(strings: TemplateStringsArray, ...values: Array<string | number | Markup | null | undefined>): string {
  let out = strings[0]!
  values.forEach((v, i) => {
    out += typeof v === 'object' && v !== null ? v.markup : inert(v === null || v === undefined ? '' : String(v))
    out += strings[i + 1]!
  })
  return out
}

/** A value for a table cell or a plain-text place, cut to `max`. */
export const cell = (text: string | null | undefined, max: number = LIMITS.name): string => plainText(clip(text, max))

/**
 * The first `max` items of a list and a last line saying how many more there are: `capList(lines, 10)` →
 * [...10 lines, '……等 25 项']. `what` names the things counted (项, 个, 人).
 */
export function capList(items: readonly string[], max: number = LIMITS.lines, what = '项'): string[] {
  if (items.length <= max) return [...items]
  return [...items.slice(0, max), `……等 ${items.length} ${what}`]
}
