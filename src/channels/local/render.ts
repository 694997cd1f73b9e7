/**
 * The local channel's renderer: a neutral Card or MessageBody → safe HTML for the /chat page.
 *
 * Everything that came from data is escaped; the only markup a card can ask for is **bold** and line breaks.
 * Buttons and forms carry their command and arguments as data attributes, so the page posts them back to
 * `POST /local/action` without knowing anything about cards:
 *
 *   <button data-command="board" data-args='{"scope":"month"}'>本月排名</button>
 *   <form data-command="submitReport" data-args='{…}' data-form="report">…</form>
 *
 * @example renderBody({ kind: 'card', card: helpCard(person) })
 */
import type { Button, Card, CardColour, CardElement, FormInput, Mention, MessageBody } from '../../model/index.ts'

/** Escapes text for use in HTML text and in double- or single-quoted attributes. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;')
}

/** The card markdown we support: **bold** and line breaks; everything else is shown as typed. */
export function renderMarkdown(text: string): string {
  return escapeHtml(text)
    .replace(/\*\*([^*\n]+?)\*\*/g, '<strong>$1</strong>')
    .replace(/\r?\n/g, '<br>')
}

/** Header band colours (background, text), close to Feishu's card header templates. */
export const COLOURS: Record<CardColour, { band: string; ink: string }> = {
  blue: { band: '#3370ff', ink: '#ffffff' },
  wathet: { band: '#4fa3f7', ink: '#ffffff' },
  turquoise: { band: '#10b5a6', ink: '#ffffff' },
  green: { band: '#2ea121', ink: '#ffffff' },
  yellow: { band: '#f5c400', ink: '#3b2f00' },
  orange: { band: '#f77f00', ink: '#ffffff' },
  red: { band: '#e8453c', ink: '#ffffff' },
  grey: { band: '#8f959e', ink: '#ffffff' },
  purple: { band: '#7f3bf5', ink: '#ffffff' },
}

/** Any message body as HTML: a text bubble's content or a whole card. */
export function renderBody(body: MessageBody): string {
  if (body.kind === 'card') return renderCard(body.card)
  const mentions = body.mentions?.length ? ` ${renderMentionChips(body.mentions)}` : ''
  return `<div class="msg-text">${escapeHtml(body.text).replace(/\r?\n/g, '<br>')}${mentions}</div>`
}

/** One card as a self-contained block of HTML (styles come from the page's stylesheet). */
export function renderCard(card: Card): string {
  const colour = COLOURS[card.colour] ?? COLOURS.blue
  const head =
    `<div class="card-head" style="background:${colour.band};color:${colour.ink}">` +
    `<div class="card-title">${escapeHtml(card.title)}</div>` +
    (card.subtitle ? `<div class="card-subtitle">${escapeHtml(card.subtitle)}</div>` : '') +
    `</div>`
  const body = card.elements.map(renderElement).join('')
  return `<div class="card card-${escapeHtml(card.colour)}" data-template="${escapeHtml(card.template)}">${head}<div class="card-body">${body}</div></div>`
}

export function renderElement(el: CardElement): string {
  switch (el.kind) {
    case 'markdown':
      return `<div class="card-md">${renderMarkdown(el.text)}</div>`
    case 'fields':
      return (
        `<dl class="card-fields">` +
        el.fields.map((f) => `<div class="card-field"><dt>${escapeHtml(f.label)}</dt><dd>${renderMarkdown(f.value)}</dd></div>`).join('') +
        `</dl>`
      )
    case 'divider':
      return `<hr class="card-divider">`
    case 'table':
      return renderTable(el)
    case 'chart':
      return renderChart(el)
    case 'form':
      return renderForm(el)
    case 'actions':
      return `<div class="card-actions">${el.buttons.map((b) => renderButton(b)).join('')}</div>`
    case 'mentions':
      return `<div class="card-mentions">${renderMentionChips(el.people)}${el.text ? ` <span>${renderMarkdown(el.text)}</span>` : ''}</div>`
    case 'note':
      return `<div class="card-note">${renderMarkdown(el.text)}</div>`
    default:
      // A card element this renderer does not know yet: say so instead of dropping it silently.
      return `<div class="card-note">（此处内容暂不支持在本地页面显示）</div>`
  }
}

function renderTable(el: Extract<CardElement, { kind: 'table' }>): string {
  const head = el.columns.map((c) => `<th${c.numeric ? ' class="num"' : ''}>${escapeHtml(c.label)}</th>`).join('')
  const rows = el.rows
    .map((r) => `<tr>${el.columns.map((c) => `<td${c.numeric ? ' class="num"' : ''}>${escapeHtml(r[c.key] ?? '')}</td>`).join('')}</tr>`)
    .join('')
  const empty = el.rows.length === 0 ? `<tr><td class="empty" colspan="${el.columns.length || 1}">（无数据）</td></tr>` : ''
  return `<div class="card-table-wrap"><table class="card-table"><thead><tr>${head}</tr></thead><tbody>${rows}${empty}</tbody></table></div>`
}

/**
 * Horizontal bars; each shows its value and unit. When every value is positive the axis starts near the
 * lowest one (a round number below it, as Feishu's `zero: false` axis does), so 92.88 and 74.64 look as far
 * apart as they are; the start is written under the bars. With a negative value the axis is at 0.
 */
function renderChart(el: Extract<CardElement, { kind: 'chart' }>): string {
  const values = el.bars.map((b) => (Number.isFinite(b.value) ? b.value : 0))
  const max = Math.max(0, ...values.map(Math.abs))
  const min = Math.min(...values)
  const base = values.length > 1 && min > 0 ? axisStart(min, max) : 0
  const unit = el.unit ? escapeHtml(el.unit) : ''
  const bars = el.bars
    .map((b, i) => {
      const v = values[i]!
      const span = base > 0 ? max - base : max
      const width = span > 0 ? Math.max(base > 0 ? 2 : 0, Math.round(((base > 0 ? v - base : Math.abs(v)) / span) * 1000) / 10) : 0
      return (
        `<div class="chart-row"><span class="chart-label">${escapeHtml(b.label)}</span>` +
        `<span class="chart-track"><span class="chart-bar${v < 0 ? ' neg' : ''}" style="width:${width}%"></span></span>` +
        `<span class="chart-value">${escapeHtml(formatNumber(v))}${unit}</span></div>`
      )
    })
    .join('')
  const axis = base > 0 ? `<div class="chart-axis">横轴从 ${escapeHtml(formatNumber(base))}${unit} 起</div>` : ''
  return `<div class="card-chart">${el.title ? `<div class="chart-title">${escapeHtml(el.title)}</div>` : ''}${bars}${axis}</div>`
}

/**
 * Where a positive axis starts: a round number (a step of 1, 2, 5 × 10^k) below the lowest value, leaving a
 * tenth of the spread under it; 0 when the values are so far apart that 0 is as good.
 */
export function axisStart(min: number, max: number): number {
  const spread = max - min
  if (spread <= 0) return Math.max(0, Math.floor(min * 0.9))
  const raw = min - spread * 0.25
  if (raw <= min * 0.2) return 0
  const magnitude = 10 ** Math.floor(Math.log10(spread))
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => spread / s <= 10) ?? 10 * magnitude
  return Math.max(0, Math.floor(raw / step) * step)
}

function formatNumber(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Math.round(v * 100) / 100)
}

function renderForm(el: Extract<CardElement, { kind: 'form' }>): string {
  const inputs = el.inputs.map(renderInput).join('')
  return (
    `<form class="card-form" data-form="${escapeHtml(el.name)}" ${actionAttributes(el.submit)}>` +
    inputs +
    `<div class="card-form-submit">${renderButton(el.submit, 'submit')}</div></form>`
  )
}

function renderInput(input: FormInput): string {
  const name = escapeHtml(input.name)
  const req = input.required ? ' required' : ''
  const ph = input.placeholder ? ` placeholder="${escapeHtml(input.placeholder)}"` : ''
  const value = input.initial !== undefined ? ` value="${escapeHtml(input.initial)}"` : ''
  let control: string
  switch (input.kind) {
    case 'multiline':
      control = `<textarea name="${name}" rows="3"${ph}${req}>${escapeHtml(input.initial ?? '')}</textarea>`
      break
    case 'number':
      control = `<input type="number" step="any" inputmode="decimal" name="${name}"${ph}${value}${req}>`
      break
    case 'date':
      control = `<input type="date" name="${name}"${value}${req}>`
      break
    case 'select': {
      const options = (input.options ?? [])
        .map((o) => `<option value="${escapeHtml(o.value)}"${o.value === input.initial ? ' selected' : ''}>${escapeHtml(o.label)}</option>`)
        .join('')
      const blank = input.initial === undefined ? `<option value="">${escapeHtml(input.placeholder ?? '请选择')}</option>` : ''
      control = `<select name="${name}"${req}>${blank}${options}</select>`
      break
    }
    default:
      control = `<input type="text" name="${name}"${ph}${value}${req}>`
  }
  const star = input.required ? '<span class="req" title="必填">*</span>' : ''
  return `<label class="card-input"><span class="card-input-label">${escapeHtml(input.label)}${star}</span>${control}</label>`
}

function renderButton(b: Button, type: 'button' | 'submit' = 'button'): string {
  const style = b.style ?? 'default'
  const attrs = type === 'button' ? ` ${actionAttributes(b)}` : ''
  return `<button type="${type}" class="btn btn-${escapeHtml(style)}"${attrs}>${escapeHtml(b.label)}</button>`
}

function actionAttributes(b: Button): string {
  return `data-command="${escapeHtml(b.command)}" data-args="${escapeHtml(JSON.stringify(b.args ?? {}))}"`
}

function renderMentionChips(people: Mention[]): string {
  return people.map((p) => `<span class="mention" data-person="${escapeHtml(p.personId)}">@${escapeHtml(p.name)}</span>`).join(' ')
}
