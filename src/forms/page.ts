/**
 * The mobile form page of a form link (links.ts): the card's title and fields, then its inputs as HTML inputs
 * (number → decimal keypad, multiline → textarea, select, date), a one-time nonce so a resent POST is the same
 * submission, a question the bot asked about it with its answers (the card's 请核对: 本月数正确 / 累计数正确), and
 * the answer page. Plain server-rendered HTML at phone width, no script, every value escaped.
 */
import type { FormInput } from '../model/index.ts'
import type { FormLinkData } from './links.ts'

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')
/** The neutral card markdown's **bold** as plain text. */
const plain = (s: string) => s.replace(/\*\*([^*\n]+?)\*\*/g, '$1')

const STYLE = `body{font:16px/1.5 -apple-system,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;background:#f5f6f7;color:#1f2329}
main{max-width:560px;margin:0 auto;padding:16px}h1{font-size:18px;margin:0 0 4px}.sub{color:#646a73;font-size:14px;margin:0 0 12px}
dl{background:#fff;border-radius:8px;padding:8px 12px;margin:0 0 12px;display:grid;grid-template-columns:auto 1fr;gap:4px 12px;font-size:14px}
dt{color:#646a73}dd{margin:0}label{display:block;margin:12px 0 4px;font-size:14px}
input,select,textarea{box-sizing:border-box;width:100%;font:inherit;padding:10px;border:1px solid #d0d3d6;border-radius:6px;background:#fff}
textarea{min-height:72px}button{margin-top:20px;width:100%;padding:12px;font:inherit;font-size:17px;color:#fff;background:#3370ff;border:0;border-radius:8px}
.msg{padding:12px;border-radius:8px;margin:0 0 12px}.ok{background:#e8f7ee;color:#1f7a45}.err{background:#fdecec;color:#b42318}.warn{background:#fff6e5;color:#8a5a00}
.req{color:#b42318}.confirm{margin:0 0 20px}.confirm button{margin-top:8px}`

function page(title: string, body: string): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="referrer" content="no-referrer"><title>${esc(title)}</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>`
}

function input(i: FormInput, value: string | undefined): string {
  const v = value ?? i.initial ?? ''
  const id = `f_${esc(i.name)}`
  const label = `<label for="${id}">${esc(i.label)}${i.required ? ' <span class="req">*</span>' : ''}</label>`
  const common = `id="${id}" name="${esc(i.name)}"${i.required ? ' required' : ''}${i.placeholder ? ` placeholder="${esc(i.placeholder)}"` : ''}`
  switch (i.kind) {
    case 'multiline':
      return `${label}<textarea ${common}>${esc(v)}</textarea>`
    case 'select':
      return `${label}<select ${common}>${(i.options ?? [])
        .map((o) => `<option value="${esc(o.value)}"${o.value === v ? ' selected' : ''}>${esc(o.label)}</option>`)
        .join('')}</select>`
    case 'number':
      return `${label}<input type="text" inputmode="decimal" ${common} value="${esc(v)}">`
    case 'date':
      return `${label}<input type="date" ${common} value="${esc(v)}">`
    default:
      return `${label}<input type="text" ${common} value="${esc(v)}">`
  }
}

/** A question the bot asked about a submission and its answers (本月数正确 / 累计数正确), each a `_trust` value. */
export interface Confirmation {
  question: string
  choices: { label: string; trust: string }[]
}

/**
 * The form, prefilled with the card's values (or what was just submitted), and a message above it. With a
 * confirmation the question comes first, its answers as buttons of their own form (the same link, `_trust`).
 */
export function formPage(
  d: FormLinkData,
  nonce: string,
  o: { values?: Record<string, string>; message?: { kind: 'err' | 'warn'; text: string }; confirm?: Confirmation } = {},
): string {
  const fields = d.fields.length ? `<dl>${d.fields.map((f) => `<dt>${esc(plain(f.label))}</dt><dd>${esc(plain(f.value))}</dd>`).join('')}</dl>` : ''
  const msg = o.message ? `<p class="msg ${o.message.kind}" role="alert">${esc(o.message.text)}</p>` : ''
  const confirm = o.confirm
    ? `<form method="post" class="confirm"><p class="msg warn" role="alert">${esc(plain(o.confirm.question))}</p>` +
      `<input type="hidden" name="_nonce" value="${esc(nonce)}-c">` +
      o.confirm.choices.map((c) => `<button type="submit" name="_trust" value="${esc(c.trust)}">${esc(c.label)}</button>`).join('') +
      `</form>`
    : ''
  return page(
    d.title,
    `<h1>${esc(plain(d.title))}</h1>${d.subtitle ? `<p class="sub">${esc(plain(d.subtitle))}</p>` : ''}${confirm}${msg}${fields}` +
      `<form method="post"><input type="hidden" name="_nonce" value="${esc(nonce)}">${d.form.inputs.map((i) => input(i, o.values?.[i.name])).join('')}` +
      `<button type="submit">${esc(d.form.submit.label || '提交')}</button></form>`,
  )
}

/** The answer page (accepted, or the link no longer opens). */
export function answerPage(title: string, kind: 'ok' | 'err' | 'warn', text: string, lines: string[] = []): string {
  return page(
    title,
    `<h1>${esc(plain(title))}</h1><p class="msg ${kind}" role="status">${esc(text)}</p>${lines.map((l) => `<p>${esc(plain(l))}</p>`).join('')}`,
  )
}
