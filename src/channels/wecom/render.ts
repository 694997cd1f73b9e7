/**
 * Neutral messages (src/model) → WeCom `message/send` bodies (doc /90236, research/wecom.md §4.1).
 *
 * - text → `text` (≤ 2,048 bytes: split into several messages at line ends, never inside a character);
 * - a card with buttons or a form → a `template_card` of type `button_interaction`: title and subtitle in
 *   `main_title`, markdown and notes in `sub_title_text`, fields (and a form's prefilled values) in
 *   `horizontal_content_list` (≤ 6), buttons in `button_list` (≤ 6) whose `key` is `{"cmd": …, …args}` — the
 *   same convention as Feishu's `value`, so a click runs the command a person could type. WeCom cards have
 *   no text inputs: a form shows its fields, a line saying how to report by replying, and a 填报 button
 *   carrying the form's submit command. A table, a chart or more than 160 characters of text on such a card
 *   goes first as markdown (the whole card), then the template card.
 * - any other card → `markdown` (≤ 2,048 bytes, cut with 「…」): bold title, fields as lines, tables as rows.
 *
 * User text is inert: WeCom reads `<a href>`, `<font>` and `[x](y)`; their brackets become full-width
 * look-alikes and a link's `](` gets a zero-width space, so what was typed shows as typed. Runtime-agnostic.
 */
import type { Button, Card, CardElement, Mention, MessageBody } from '../../model/index.ts'

/** One `message/send` body without `touser` and `agentid` (the sender adds them). */
export type WecomMessage =
  | { msgtype: 'text'; text: { content: string } }
  | { msgtype: 'markdown'; markdown: { content: string } }
  | { msgtype: 'template_card'; template_card: WecomTemplateCard }

export interface WecomTemplateCard {
  card_type: 'button_interaction'
  task_id: string
  main_title: { title: string; desc?: string }
  sub_title_text?: string
  horizontal_content_list?: { keyname: string; value: string }[]
  button_list: ({ type: 0; text: string; style: number; key: string } | { type: 1; text: string; style: number; url: string })[]
}

export interface RenderOptions {
  /** The web page of the card's form (`/r/<token>`, src/forms): its 填报 button opens it instead of calling back. */
  formUrl?: string
}

/** What a card with a form page says instead of FORM_HINT. */
export const FORM_PAGE_HINT = '点「填报」在手机上打开填报页面；也可以直接回复文字填报'

/** WeCom's limits (doc /90236). */
export const WECOM_TEXT_MAX_BYTES = 2048
export const WECOM_MARKDOWN_MAX_BYTES = 2048
const TITLE_MAX = 36
const DESC_MAX = 44
const SUB_TITLE_MAX = 160
const FIELDS_MAX = 6
const KEYNAME_MAX = 10
const VALUE_MAX = 30
const BUTTONS_MAX = 6
const BUTTON_TEXT_MAX = 10
const KEY_MAX_BYTES = 1024
/** task_id: [0-9a-zA-Z_\-@], ≤ 128 bytes, unique per app. */
export const TASK_ID_MAX = 128

const encoder = new TextEncoder()
const bytes = (s: string) => encoder.encode(s).length

/** What a reply typed instead of the form says (WeCom cards have no inputs). */
export const FORM_HINT = '企业微信卡片不能输入：请直接回复文字填报，例如「本月完成投资1200万元，本年累计8600万元，主体封顶」'

/**
 * The messages one neutral body becomes (usually one). `taskId` makes the template card's task_id (the
 * outbox key, hashed by the sender): give a distinct one per row.
 */
export function renderBody(body: MessageBody, taskId: string, o: RenderOptions = {}): WecomMessage[] {
  if (body.kind === 'text') return splitText(renderText(body.text, body.mentions)).map((content) => ({ msgtype: 'text', text: { content } }))
  return renderCard(body.card, taskId, o)
}

/** Plain text with @names in front (an app message has no @-mention; the name is shown). */
export function renderText(text: string, mentions?: Mention[]): string {
  const ats = (mentions ?? []).map((m) => `@${inert(m.name)}`)
  const body = inert(text)
  return ats.length ? `${ats.join(' ')} ${body}` : body
}

/** Makes typed text show as typed in WeCom text and markdown (see the module comment). */
export function inert(text: string): string {
  return text.replace(/</g, '\uff1c').replace(/>/g, '\uff1e').replace(/\]\(/g, ']\u200b(')
}

/** The neutral card markdown (`**bold**` and line breaks only) with everything else inert. */
function md(text: string): string {
  return inert(text)
}

/** Without the neutral `**bold**` markers (for plain card fields). */
function plain(text: string): string {
  return text.replace(/\*\*([^*\n]+?)\*\*/g, '$1')
}

/** At most `max` characters (code points), with 「…」 when cut. */
export function clipChars(s: string, max: number): string {
  const cps = Array.from(s)
  return cps.length <= max ? s : cps.slice(0, Math.max(0, max - 1)).join('') + '…'
}

/** At most `max` UTF-8 bytes, cut on a character boundary, with 「…」 when cut. */
export function clipBytes(s: string, max: number): string {
  if (bytes(s) <= max) return s
  let out = ''
  let n = 0
  const budget = max - bytes('…')
  for (const ch of s) {
    const b = bytes(ch)
    if (n + b > budget) break
    out += ch
    n += b
  }
  return out + '…'
}

/** Text in parts of at most `max` bytes, split after a line end where one is near, else on a character. */
export function splitText(text: string, max = WECOM_TEXT_MAX_BYTES): string[] {
  if (bytes(text) <= max) return [text]
  const parts: string[] = []
  let rest = text
  while (bytes(rest) > max) {
    let cut = 0
    let n = 0
    let lastBreak = -1
    let i = 0
    for (const ch of rest) {
      const b = bytes(ch)
      if (n + b > max) break
      n += b
      i += ch.length
      if (ch === '\n') lastBreak = i
      cut = i
    }
    // Prefer a line end in the last quarter of the part.
    if (lastBreak > cut * 0.75) cut = lastBreak
    parts.push(rest.slice(0, cut).replace(/\n$/, ''))
    rest = rest.slice(cut)
  }
  if (rest) parts.push(rest)
  return parts
}

/** A task_id from any string: allowed characters kept, others `_`, ≤ 128 bytes. */
export function taskIdOf(s: string): string {
  return s.replace(/[^0-9a-zA-Z_\-@]/g, '_').slice(0, TASK_ID_MAX)
}

/** The key a button carries back in `EventKey`: `{"cmd": …, …args}` (≤ 1,024 bytes). */
export function buttonKey(b: Button): string {
  const key = JSON.stringify({ ...(b.args ?? {}), cmd: b.command })
  if (bytes(key) > KEY_MAX_BYTES) throw new RangeError(`button key for ${b.command} is over ${KEY_MAX_BYTES} bytes`)
  return key
}

const STYLE: Record<NonNullable<Button['style']>, number> = { primary: 1, default: 2, danger: 3 }

function wecomButton(b: Button, label = b.label) {
  return { type: 0 as const, text: clipChars(label, BUTTON_TEXT_MAX), style: STYLE[b.style ?? 'default'], key: buttonKey(b) }
}

/** A neutral card → one markdown message, or (with buttons or a form) a button_interaction card. */
export function renderCard(card: Card, taskId: string, o: RenderOptions = {}): WecomMessage[] {
  const buttons: Button[] = []
  let form: Extract<CardElement, { kind: 'form' }> | undefined
  for (const el of card.elements) {
    if (el.kind === 'actions') buttons.push(...el.buttons)
    if (el.kind === 'form' && !form) form = el
  }
  if (!buttons.length && !form) return [{ msgtype: 'markdown', markdown: { content: renderMarkdown(card) } }]

  const fields: { keyname: string; value: string }[] = []
  const texts: string[] = []
  for (const el of card.elements) {
    switch (el.kind) {
      case 'fields':
        for (const f of el.fields)
          fields.push({ keyname: clipChars(plain(f.label), KEYNAME_MAX), value: clipChars(plain(f.value) || '—', VALUE_MAX) })
        break
      case 'markdown':
      case 'note':
        texts.push(plain(el.text))
        break
      case 'mentions':
        texts.push([el.people.map((p) => `@${p.name}`).join(' '), plain(el.text ?? '')].filter(Boolean).join(' '))
        break
      case 'form':
        for (const input of el.inputs) {
          if (input.initial === undefined || input.initial === '') continue
          const shown = input.kind === 'select' ? (input.options?.find((o) => o.value === input.initial)?.label ?? input.initial) : input.initial
          fields.push({ keyname: clipChars(input.label.replace(/（.*?）|\(.*?\)/g, ''), KEYNAME_MAX), value: clipChars(shown, VALUE_MAX) })
        }
        texts.push(o.formUrl ? FORM_PAGE_HINT : FORM_HINT)
        break
      default:
        break
    }
  }
  const submit = form && (o.formUrl ? { type: 1 as const, text: '填报', style: STYLE.primary, url: o.formUrl } : wecomButton(form.submit, '填报'))
  const list = [...(submit ? [submit] : []), ...buttons.map((b) => wecomButton(b))].slice(0, BUTTONS_MAX)
  const sub = inert(texts.filter(Boolean).join('\n'))
  const out: WecomMessage[] = []
  // A table, a chart or more text than the card's 160 characters has no place on a template card: the whole
  // card goes first as markdown, then the template card with its buttons.
  if (card.elements.some((e) => e.kind === 'table' || e.kind === 'chart') || Array.from(sub).length > SUB_TITLE_MAX) {
    out.push({ msgtype: 'markdown', markdown: { content: renderMarkdown(card) } })
  }
  const tc: WecomTemplateCard = {
    card_type: 'button_interaction',
    task_id: taskIdOf(taskId),
    main_title: { title: clipChars(inert(card.title), TITLE_MAX), ...(card.subtitle && { desc: clipChars(inert(card.subtitle), DESC_MAX) }) },
    ...(sub && { sub_title_text: clipChars(sub, SUB_TITLE_MAX) }),
    ...(fields.length && { horizontal_content_list: fields.slice(0, FIELDS_MAX).map((f) => ({ keyname: inert(f.keyname), value: inert(f.value) })) }),
    button_list: list,
  }
  out.push({ msgtype: 'template_card', template_card: tc })
  return out
}

const COLOUR: Partial<Record<Card['colour'], string>> = { red: 'warning', orange: 'warning', yellow: 'warning', green: 'info', turquoise: 'info' }

/** A card as WeCom markdown (≤ `maxBytes`, default 2,048, cut with 「…」; group robots split it themselves). */
export function renderMarkdown(card: Card, maxBytes = WECOM_MARKDOWN_MAX_BYTES): string {
  const colour = COLOUR[card.colour]
  const title = `**${md(plain(card.title))}**`
  const lines: string[] = [colour ? `<font color="${colour}">${title}</font>` : title]
  if (card.subtitle) lines.push(`<font color="comment">${md(card.subtitle)}</font>`)
  for (const el of card.elements) {
    switch (el.kind) {
      case 'markdown':
        lines.push(md(el.text))
        break
      case 'fields':
        for (const f of el.fields) lines.push(`${md(f.label)}：${md(f.value)}`)
        break
      case 'divider':
        lines.push('')
        break
      case 'table':
        lines.push(el.columns.map((c) => md(c.label)).join(' | '))
        for (const r of el.rows) lines.push(el.columns.map((c) => md(String(r[c.key] ?? ''))).join(' | '))
        break
      case 'chart':
        if (el.title) lines.push(`**${md(el.title)}**${el.unit ? `（${md(el.unit)}）` : ''}`)
        for (const b of el.bars) lines.push(`${md(b.label)}：${b.value}`)
        break
      case 'form':
        for (const input of el.inputs) if (input.initial) lines.push(`${md(input.label)}：${md(input.initial)}`)
        lines.push(FORM_HINT)
        break
      case 'actions':
        break
      case 'mentions':
        lines.push([el.people.map((p) => `@${md(p.name)}`).join(' '), md(el.text ?? '')].filter(Boolean).join(' '))
        break
      case 'note':
        lines.push(`<font color="comment">${md(el.text)}</font>`)
        break
    }
  }
  return clipBytes(lines.join('\n'), maxBytes)
}
