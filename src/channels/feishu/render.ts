/**
 * Neutral messages (src/bot/model.ts) → Feishu message content, and a checker for Feishu card JSON 2.0.
 *
 * The fixed parts of a card (2.0 envelope, config, header shape, component presets) live in
 * `cards/feishu/envelope.json`; this file only fills them in. Rules followed: Feishu card JSON 2.0
 * (https://open.feishu.cn/document/feishu-cards/card-json-v2-structure).
 *
 * @example
 *   const msg = renderBody({ kind: 'card', card }, { resolveMention: (id) => openIds.get(id) })
 *   await sender.send({ chatId }, msg, { uuid: key })
 */
import type { BotResult, Button, Card, CardElement, FormInput, Mention, MessageBody } from '../../model/index.ts'
import envelope from '../../../cards/feishu/envelope.json' with { type: 'json' }

/** Our person id → the person's Feishu open_id, or undefined when we do not know it (the name is shown). */
export type ResolveMention = (personId: number) => string | undefined

export interface RenderOptions {
  resolveMention?: ResolveMention
}

/** A Feishu message ready for `im/v1/messages`: `content` is already the JSON string the API wants. */
export interface FeishuContent {
  msg_type: 'text' | 'interactive'
  content: string
}

/** A Feishu card JSON 2.0 object. */
export type FeishuCard = Record<string, unknown> & { schema: '2.0' }

type Json = Record<string, unknown>

const presets = envelope.components

/** Text body → `msg_type: "text"`, card → `msg_type: "interactive"` (raw card JSON 2.0). */
export function renderBody(body: MessageBody, opts: RenderOptions = {}): FeishuContent {
  if (body.kind === 'card') return { msg_type: 'interactive', content: JSON.stringify(renderCard(body.card, opts)) }
  return { msg_type: 'text', content: JSON.stringify({ text: renderText(body.text, body.mentions, opts) }) }
}

/**
 * Plain text with @-mentions in front: `<at user_id="ou_…">名字</at> 文本`. People we cannot resolve are
 * written as `@名字`.
 *
 * A neutral text body has no markup of ours (mentions come separately), and it often echoes what someone typed
 * (没有看懂「…」, a project name, a reason), so all of it goes through `escapeText`: a typed
 * `<at user_id="all"></at>` must not reach the whole group, nor a typed link disguise where it points.
 */
export function renderText(text: string, mentions: Mention[] | undefined, opts: RenderOptions = {}): string {
  const ats = (mentions ?? []).map((m) => {
    const openId = opts.resolveMention?.(m.personId)
    return openId ? `<at user_id="${escapeAttr(openId)}">${escapeText(m.name)}</at>` : `@${escapeText(m.name)}`
  })
  const body = escapeText(text)
  return ats.length ? `${ats.join(' ')} ${body}` : body
}

/**
 * Makes text inert in a Feishu `text` message, which reads `<at …>`, style tags (`<b>`, `<i>`, `<u>`, `<s>`) and
 * `[文字](链接)` links. A text message has no documented escape (HTML entities would show as typed), so the tag
 * brackets become their full-width look-alikes ＜ ＞ — unmistakably not a tag to Feishu, and still readable — and
 * a link's `](` and a `**` get an invisible zero-width space between their characters. The person reads what was
 * typed; nothing is interpreted.
 */
export function escapeText(text: string): string {
  return text
    .replace(/</g, '\uff1c')
    .replace(/>/g, '\uff1e')
    .replace(/\]\(/g, ']\u200b(')
    .replace(/\*(?=\*)/g, '*\u200b')
    .replace(/~(?=~)/g, '~\u200b')
}

/** An id inside an attribute we write (`<at user_id="…">`): ids are [A-Za-z0-9_-]; anything else is dropped. */
function escapeAttr(id: string): string {
  return id.replace(/[^A-Za-z0-9_-]/g, '')
}

/** A neutral Card → Feishu card JSON 2.0 (send with `JSON.stringify`, or return raw in a callback). */
export function renderCard(card: Card, opts: RenderOptions = {}): FeishuCard {
  const out = structuredClone(envelope.card) as unknown as FeishuCard & {
    header: Json & { title: Json }
    body: { elements: Json[] }
  }
  out.header.template = card.colour
  out.header.title.content = card.title
  if (card.subtitle) out.header.subtitle = { ...structuredClone(envelope.subtitle), content: card.subtitle }
  const names = new NameGen()
  for (const el of card.elements) out.body.elements.push(...renderElement(el, opts, names))
  return out
}

/**
 * The body of a `card.action.trigger` response for what the bot produced: `{toast?, card?}` where card is
 * `{type: "raw", data: <card 2.0>}`. `{}` means "leave the card as it is". Answer within 3 s.
 */
export function cardCallbackResponse(result: Pick<BotResult, 'toast' | 'updateCard'>, opts: RenderOptions = {}): Json {
  const out: Json = {}
  if (result.toast) out.toast = { type: result.toast.kind, content: result.toast.text }
  if (result.updateCard) out.card = { type: 'raw', data: renderCard(result.updateCard, opts) }
  return out
}

/** Component names must be unique in a card; generated ones get a prefix and a counter. */
class NameGen {
  private n = 0
  next(prefix: string): string {
    this.n += 1
    return `${prefix}_${this.n}`
  }
}

function renderElement(el: CardElement, opts: RenderOptions, names: NameGen): Json[] {
  switch (el.kind) {
    case 'markdown':
      return [markdown(neutralToMd(el.text))]
    case 'fields':
      if (!el.fields.length) return []
      return [markdown(el.fields.map((f) => fill(presets.fieldLine, { label: escapeMd(f.label), value: escapeMd(f.value) })).join('\n'))]
    case 'divider':
      return [{ tag: 'hr' }]
    case 'table':
      return [table(el)]
    case 'chart':
      return [chart(el)]
    case 'form':
      return [form(el)]
    case 'actions':
      if (!el.buttons.length) return []
      return [
        {
          ...clone(presets.actions),
          columns: el.buttons.map((b) => ({ ...clone(presets.actionColumn), elements: [button(b, names)] })),
        },
      ]
    case 'mentions': {
      const ats = el.people.map((p) => {
        const openId = opts.resolveMention?.(p.personId)
        return openId ? `<at id=${escapeAttr(openId)}></at>` : `@${escapeMd(p.name)}`
      })
      const content = [ats.join(' '), neutralToMd(el.text ?? '')].filter(Boolean).join(' ')
      return content ? [markdown(content)] : []
    }
    case 'note':
      return [
        {
          ...clone(presets.note),
          content: el.text
            .split('\n')
            .map((line) => (line ? fill(presets.noteLine, { text: neutralToMd(line) }) : line))
            .join('\n'),
        },
      ]
  }
}

function markdown(content: string): Json {
  return { tag: 'markdown', content }
}

function table(el: Extract<CardElement, { kind: 'table' }>): Json {
  const numeric = new Set(
    el.columns.filter((c) => c.numeric && el.rows.every((r) => r[c.key] === undefined || Number.isFinite(Number(r[c.key])))).map((c) => c.key),
  )
  return {
    ...clone(presets.table),
    page_size: Math.max(1, Math.min(presets.tableMaxPageSize, el.rows.length)),
    columns: el.columns.map((c) => ({
      name: c.key,
      display_name: c.label,
      data_type: numeric.has(c.key) ? 'number' : 'text',
      ...(numeric.has(c.key) && { horizontal_align: 'right' }),
    })),
    rows: el.rows.map((r) => {
      const row: Json = {}
      for (const c of el.columns) {
        const v = r[c.key]
        if (v === undefined) continue
        row[c.key] = numeric.has(c.key) ? Number(v) : String(v)
      }
      return row
    }),
  }
}

function chart(el: Extract<CardElement, { kind: 'chart' }>): Json {
  const horizontal = el.bars.length >= presets.chartHorizontalFrom
  const spec: Json = clone(horizontal ? presets.chartSpecHorizontal : presets.chartSpecVertical)
  spec.data = { values: el.bars.map((b) => ({ label: b.label, value: b.value })) }
  const unit = el.unit ? `单位：${el.unit}` : ''
  const title = el.title && unit ? `${el.title}（${unit}）` : el.title || unit
  if (title) spec.title = { visible: true, text: title }
  const out: Json = { ...clone(presets.chart), chart_spec: spec }
  if (horizontal) {
    delete out.aspect_ratio
    out.height = `${Math.min(999, presets.chartPaddingPx + presets.chartBarHeightPx * el.bars.length)}px`
  }
  return out
}

function form(el: Extract<CardElement, { kind: 'form' }>): Json {
  const elements: Json[] = []
  for (const input of el.inputs) elements.push(...formInput(input))
  elements.push({
    ...clone(presets.submitButton),
    name: `${el.name}_submit`,
    ...(el.submit.style && { type: el.submit.style }),
    text: { tag: 'plain_text', content: el.submit.label },
    behaviors: [callback(el.submit)],
  })
  return { ...clone(presets.form), name: el.name, elements }
}

function formInput(input: FormInput): Json[] {
  const label = markdown(fill(input.required ? presets.inputLabelRequired : presets.inputLabel, { label: escapeMd(input.label) }))
  const common: Json = {
    name: input.name,
    ...(input.required && { required: true }),
    ...(input.placeholder && { placeholder: plain(input.placeholder) }),
  }
  switch (input.kind) {
    case 'text':
    case 'number':
    case 'multiline':
      return [
        label,
        {
          ...clone(presets.input),
          ...common,
          ...(input.kind === 'multiline' && { input_type: 'multiline_text', rows: presets.multilineRows }),
          ...(input.initial !== undefined && { default_value: input.initial }),
        },
      ]
    case 'select':
      return [
        label,
        {
          ...clone(presets.select),
          ...common,
          options: (input.options ?? []).map((o) => ({ text: plain(o.label), value: o.value })),
          ...(input.initial !== undefined && { initial_option: input.initial }),
        },
      ]
    case 'date':
      return [
        label,
        {
          ...clone(presets.date),
          ...common,
          ...(input.initial !== undefined && { initial_date: input.initial }),
        },
      ]
  }
}

function button(b: Button, names: NameGen): Json {
  return {
    ...clone(presets.button),
    name: names.next('btn'),
    ...(b.style && { type: b.style }),
    text: plain(b.label),
    behaviors: [callback(b)],
  }
}

/** The callback a button carries: `{cmd, ...args}` comes back as `action.value`. */
function callback(b: Button): Json {
  return { type: 'callback', value: { ...(b.args ?? {}), cmd: b.command } }
}

function plain(content: string): Json {
  return { tag: 'plain_text', content }
}

function clone<T>(v: T): T {
  return structuredClone(v)
}

function fill(template: string, vars: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => vars[k] ?? m)
}

/**
 * Escapes text we insert into card markdown so it shows as typed: tags (`<at id=all>`, `<a>`, `<font>`), links
 * `[x](y)`, emphasis `*` `_` `~`, code `` ` ``, headings `#`, and `&` (so an entity typed by someone stays text).
 * Numeric entities are what Feishu card markdown documents for showing these characters.
 */
export function escapeMd(text: string): string {
  return text.replace(/[&<>*~[\]`#_\\|]/g, (c) => `&#${c.charCodeAt(0)};`)
}

/**
 * The neutral card markdown → Feishu card markdown. The neutral markup is `**bold**` and line breaks and nothing
 * else (src/cards/text.ts; the local renderer draws the same), so everything outside a bold span — and the text
 * inside it — is escaped: user text in a card cannot carry a mention, a link or a tag, whichever builder put it
 * there.
 */
export function neutralToMd(text: string): string {
  let out = ''
  let last = 0
  for (const m of text.matchAll(/\*\*([^*\n]+?)\*\*/g)) {
    out += escapeMd(text.slice(last, m.index)) + `**${escapeMd(m[1]!)}**`
    last = m.index + m[0].length
  }
  return out + escapeMd(text.slice(last))
}

// ---------------------------------------------------------------------------------------------------------
// validateCard

/** Card JSON limit for `im/v1/messages` (interactive) and PATCH. */
export const CARD_MAX_BYTES = 30 * 1024

const INTERACTIVE_TAGS = new Set([
  'button',
  'input',
  'select_static',
  'multi_select_static',
  'select_person',
  'multi_select_person',
  'date_picker',
  'picker_time',
  'picker_datetime',
  'select_img',
  'checker',
  'overflow',
])

interface Visit {
  node: Json
  path: string
  depth: number
  inForm: string | undefined
}

/**
 * Checks the documented card JSON 2.0 rules (card-json-v2-structure, form-container, table and chart docs) and returns the problems, one sentence each;
 * an empty list means valid. Checked: schema "2.0"; update_multi only true; at most one form, at the root;
 * no table/chart/form inside a form; card-unique `name` on every interactive component in a form (and on
 * every named component); a submit button per form; ≤ 5 charts and ≤ 5 tables; tables at the root with
 * page_size 1–10; callback values are objects; JSON ≤ 30 KB; element_id ≤ 20 chars, letter first.
 */
export function validateCard(json: unknown): string[] {
  const problems: string[] = []
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return ['card is not a JSON object']
  const card = json as Json
  if (card.schema !== '2.0') problems.push(`schema must be "2.0" (got ${JSON.stringify(card.schema)})`)
  const config = card.config as Json | undefined
  if (config && 'update_multi' in config && config.update_multi !== true) {
    problems.push('config.update_multi can only be true in schema 2.0')
  }
  const body = card.body as Json | undefined
  const rootElements = body?.elements
  if (!Array.isArray(rootElements)) {
    problems.push('body.elements must be an array')
    return problems
  }

  const bytes = new TextEncoder().encode(JSON.stringify(card)).length
  if (bytes > CARD_MAX_BYTES) problems.push(`card JSON is ${bytes} bytes, over the 30 KB limit (${CARD_MAX_BYTES})`)

  const visits: Visit[] = []
  const walk = (elements: unknown[], path: string, depth: number, inForm: string | undefined) => {
    elements.forEach((el, i) => {
      if (typeof el !== 'object' || el === null) {
        problems.push(`${path}[${i}] is not an object`)
        return
      }
      const node = el as Json
      const here = `${path}[${i}]`
      visits.push({ node, path: here, depth, inForm })
      const childForm = node.tag === 'form' ? here : inForm
      if (Array.isArray(node.elements)) walk(node.elements, `${here}.elements`, depth + 1, childForm)
      if (node.tag === 'column_set' && Array.isArray(node.columns)) {
        node.columns.forEach((col, j) => {
          const c = col as Json
          if (c && Array.isArray(c.elements)) walk(c.elements, `${here}.columns[${j}].elements`, depth + 1, childForm)
        })
      }
    })
  }
  walk(rootElements, 'body.elements', 0, undefined)

  const forms = visits.filter((v) => v.node.tag === 'form')
  if (forms.length > 1) problems.push(`a card may hold one form, found ${forms.length}`)
  for (const f of forms) {
    if (f.depth > 0) problems.push(`${f.path}: a form must be at the root of body.elements`)
    const inside = visits.filter((v) => v.inForm === f.path)
    for (const v of inside) {
      if (v.node.tag === 'table' || v.node.tag === 'chart' || v.node.tag === 'form') {
        problems.push(`${v.path}: a form cannot contain a ${String(v.node.tag)}`)
      }
      if (INTERACTIVE_TAGS.has(String(v.node.tag)) && !nonEmptyString(v.node.name)) {
        problems.push(`${v.path}: ${String(v.node.tag)} inside a form needs a name`)
      }
    }
    if (!inside.some((v) => v.node.tag === 'button' && v.node.form_action_type === 'submit')) {
      problems.push(`${f.path}: a form needs a button with form_action_type "submit"`)
    }
  }

  const seenNames = new Map<string, string>()
  const seenIds = new Map<string, string>()
  for (const v of visits) {
    const { name, element_id: elementId } = v.node
    if (nonEmptyString(name)) {
      const first = seenNames.get(name)
      if (first) problems.push(`${v.path}: name "${name}" is already used at ${first}`)
      else seenNames.set(name, v.path)
    }
    if (elementId !== undefined) {
      if (typeof elementId !== 'string' || !/^[A-Za-z][A-Za-z0-9_]{0,19}$/.test(elementId)) {
        problems.push(`${v.path}: element_id must be ≤ 20 letters, digits or _ and start with a letter`)
      } else if (seenIds.has(elementId)) {
        problems.push(`${v.path}: element_id "${elementId}" is already used at ${seenIds.get(elementId)}`)
      } else seenIds.set(elementId, v.path)
    }
    if (Array.isArray(v.node.behaviors)) {
      for (const b of v.node.behaviors as Json[]) {
        if (b?.type === 'callback' && (typeof b.value !== 'object' || b.value === null || Array.isArray(b.value))) {
          problems.push(`${v.path}: a callback value must be an object`)
        }
      }
    }
  }

  const charts = visits.filter((v) => v.node.tag === 'chart')
  if (charts.length > 5) problems.push(`a card may hold at most 5 charts, found ${charts.length}`)
  for (const c of charts) {
    if (typeof c.node.chart_spec !== 'object' || c.node.chart_spec === null) problems.push(`${c.path}: chart needs a chart_spec object`)
  }
  const tables = visits.filter((v) => v.node.tag === 'table')
  if (tables.length > 5) problems.push(`a card may hold at most 5 tables, found ${tables.length}`)
  for (const t of tables) {
    if (t.depth > 0 && !t.inForm) problems.push(`${t.path}: a table must be at the root of body.elements`)
    const ps = t.node.page_size
    if (ps !== undefined && !(Number.isInteger(ps) && (ps as number) >= 1 && (ps as number) <= 10)) {
      problems.push(`${t.path}: table page_size must be an integer 1–10 (got ${JSON.stringify(ps)})`)
    }
    const columns = Array.isArray(t.node.columns) ? (t.node.columns as Json[]) : []
    if (columns.length > 50) problems.push(`${t.path}: a table may hold at most 50 columns`)
    const numberCols = columns.filter((c) => c?.data_type === 'number').map((c) => String(c.name))
    const rows = Array.isArray(t.node.rows) ? (t.node.rows as Json[]) : []
    rows.forEach((r, i) => {
      for (const k of numberCols) {
        if (r?.[k] !== undefined && typeof r[k] !== 'number') {
          problems.push(`${t.path}.rows[${i}].${k}: a number column needs a number`)
        }
      }
    })
  }
  return problems
}

function nonEmptyString(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0
}
