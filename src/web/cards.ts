/**
 * A chat card on a page: the same neutral Card the bot sends (src/model), as HTML whose buttons and forms post
 * to /act. The page so offers exactly the actions the card offers this person in chat — who may do what is the
 * card's and the command's business, never the page's — and each post runs the card's command (actions.ts).
 *
 * Every form carries the session's CSRF token and a nonce of its own: a form sent twice (a double click, the
 * back button, a replay) is one event in the intake, done once.
 */
import type { Button, Card, CardElement, FormInput, MessageBody } from '../model/index.ts'
import { newToken } from '../services/login-links.ts'
import { escape, figure, html, raw, thead, type Html } from './html.ts'

/** What every form on the page needs: the session's token. */
export interface FormCtx {
  csrf: string
}

/** The card markdown we write: **bold** and line breaks; everything else shown as typed. */
export function markdown(text: string): Html {
  return raw(
    escape(text.replaceAll('\u200b', ''))
      .replace(/\*\*([^*\n]+?)\*\*/g, '<b>$1</b>')
      .replace(/\r?\n/g, '<br>'),
  )
}

/** The hidden fields of a post to /act: the token, a fresh nonce, the command and its arguments as the card has them. */
function hidden(f: FormCtx, b: Button): Html {
  return html`<input type="hidden" name="_csrf" value="${f.csrf}" /><input type="hidden" name="_nonce" value="${newToken()}" /><input
      type="hidden"
      name="_command"
      value="${b.command}"
    /><input type="hidden" name="_args" value="${JSON.stringify(b.args ?? {})}" />`
}

function buttonClass(b: Button): string {
  return b.style === 'danger' ? 'act danger' : b.style === 'primary' ? 'act primary' : 'act'
}

function input(i: FormInput): Html {
  const label = html`${i.label}${i.required ? html`<span class="req" title="必填">*</span>` : ''}`
  const req = i.required ? raw(' required') : ''
  let control: Html
  switch (i.kind) {
    case 'multiline':
      control = html`<textarea name="${i.name}" rows="3" maxlength="1000" placeholder="${i.placeholder ?? ''}" ${req}>${i.initial ?? ''}</textarea>`
      break
    case 'number':
      control = html`<input type="number" name="${i.name}" min="1" step="1" value="${i.initial ?? ''}" placeholder="${i.placeholder ?? ''}" ${req} />`
      break
    case 'date':
      control = html`<input type="date" name="${i.name}" value="${i.initial ?? ''}" ${req} />`
      break
    case 'select':
      control = html`<select name="${i.name}" ${req}>
        ${i.initial === undefined ? html`<option value="">${i.placeholder ?? '请选择'}</option>` : ''}
        ${(i.options ?? []).map((o) => html`<option value="${o.value}" ${o.value === i.initial ? raw(' selected') : ''}>${o.label}</option>`)}
      </select>`
      break
    default:
      control = html`<input type="text" name="${i.name}" maxlength="300" value="${i.initial ?? ''}" placeholder="${i.placeholder ?? ''}" ${req} />`
  }
  return html`<label class="field"><span>${label}</span>${control}</label>`
}

function element(f: FormCtx, el: CardElement): Html {
  switch (el.kind) {
    case 'markdown':
      return html`<p class="md">${markdown(el.text)}</p>`
    case 'note':
      return html`<p class="muted">${markdown(el.text)}</p>`
    case 'fields':
      return html`<dl class="fields">
        ${el.fields.map(
          (x) =>
            html`<div>
              <dt>${x.label}</dt>
              <dd>${markdown(x.value)}</dd>
            </div>`,
        )}
      </dl>`
    case 'divider':
      return html`<hr />`
    case 'table':
      return html`<table>
        ${thead(el.columns.map((c) => (c.numeric ? figure(c.label) : c.label)))}
        <tbody>
          ${el.rows.map(
            (r) =>
              html`<tr>
                ${el.columns.map((c) => html`<td class="${c.numeric ? 'n' : ''}">${String(r[c.key] ?? '')}</td>`)}
              </tr>`,
          )}
        </tbody>
      </table>`
    case 'mentions':
      return html`<p>${el.people.map((p) => `@${p.name}`).join(' ')} ${el.text ? markdown(el.text) : ''}</p>`
    case 'chart':
      return html`<p class="muted">${el.title ?? ''}：${el.bars.map((b) => `${b.label} ${b.value}${el.unit ?? ''}`).join('，')}</p>`
    case 'form':
      return html`<form class="act-form" method="post" action="/act">
        ${hidden(f, el.submit)} ${el.inputs.map(input)}
        <div><button type="submit" class="${buttonClass(el.submit)}">${el.submit.label}</button></div>
      </form>`
    case 'actions':
      return html`<div class="act-buttons">
        ${el.buttons.map(
          (b) => html`<form method="post" action="/act">${hidden(f, b)}<button type="submit" class="${buttonClass(b)}">${b.label}</button></form>`,
        )}
      </div>`
  }
}

/** A card as a panel: title, subtitle, its elements; buttons and forms post to /act. */
export function cardHtml(f: FormCtx, card: Card): Html {
  return html`<section class="panel card" data-template="${card.template}">
    <h2>${card.title}</h2>
    ${card.subtitle ? html`<p class="muted">${card.subtitle}</p>` : ''} ${card.elements.map((el) => element(f, el))}
  </section>`
}

/** A message the bot answered on the page: a line of text, or a card. */
export function replyHtml(f: FormCtx, body: MessageBody): Html {
  if (body.kind === 'card') return cardHtml(f, body.card)
  return html`<p>${markdown(body.text)}</p>`
}
