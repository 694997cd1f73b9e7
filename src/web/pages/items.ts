/**
 * One 问题 (/problems/:id) or 督办 (/supervisions/:id): its owners, deadline and history, and its chat card as the
 * person would get it now — with the card's buttons and forms, which post the card's own commands (actions.ts).
 * After a post the page shows what the bot answered (?done=nonce). Out of scope answers 404, like a project.
 */
import { localDate, localDateTime } from '../../domain/time.ts'
import { PROBLEM_STATE_LABELS } from '../../cards/conversation.ts'
import { SUPERVISION_STATE_LABELS as CARD_SUPERVISION_LABELS } from '../../cards/supervision.ts'
import { problemById, problemHistory } from '../../store/repos/problems.ts'
import { supervisionById } from '../../store/repos/supervisions.ts'
import { refreshOf } from '../../bot/commands/problems.ts'
import { supervisionRefresh } from '../../bot/commands/supervision.ts'
import type { Card } from '../../model/index.ts'
import { html, thead, type Html } from '../html.ts'
import { frame, type WebCtx } from '../context.ts'
import { problemWithNames, supervisionHistory, supervisionWithNames } from '../queries.ts'
import { dueText, LEVEL_LABELS, problemVisible, supervisionVisible } from './ledger.ts'
import { cardHtml, replyHtml } from '../cards.ts'
import { named, outcomeOf, viewTurn, type ActionDeps } from '../actions.ts'

type ItemDeps = Pick<ActionDeps, 'db' | 'logger' | 'platforms'>

/** What the bot answered the post this page follows, at the top. */
async function answered(c: WebCtx, done: string | undefined): Promise<Html> {
  if (!done) return html``
  const o = await outcomeOf(c.db, c.person, done)
  const f = { csrf: c.csrf ?? '' }
  const body =
    o.state === 'done'
      ? o.replies.length
        ? o.replies.map((r) => replyHtml(f, r))
        : html`<p>已提交。</p>`
      : o.state === 'pending'
        ? html`<p>正在处理，请稍后刷新本页。</p>`
        : o.state === 'failed'
          ? html`<p>调度助手处理这项操作时出错了，未作任何更改。请稍后再试，或在聊天中办理。</p>`
          : html`<p>没有找到这次操作的结果。</p>`
  return html`<section class="panel answer" id="answer" role="status">
    <h2>调度助手回复</h2>
    ${body}
  </section>`
}

/** The card's actions, or a line saying there are none for this person now. */
function actions(c: WebCtx, card: Card): Html {
  const acts = card.elements.some((e) => e.kind === 'actions' || e.kind === 'form')
  return html`${cardHtml({ csrf: c.csrf ?? '' }, card)} ${acts ? '' : html`<p class="muted">您当前没有可办理的操作（与聊天卡片相同）。</p>`}`
}

const when = (at: number) => localDateTime(new Date(at)).slice(0, 16)

/** One fact of the item as a tile; `cls` colours its value (`down`: overdue), `id` marks it (#state). */
const tile = (label: string, value: Html | string | number, o: { id?: string; cls?: string } = {}) =>
  html`<div class="kpi"><span>${label}</span><b class="small${o.cls ? ` ${o.cls}` : ''}" ${o.id ? html`id="${o.id}"` : ''}>${value}</b></div>`

const projectLink = (id: number, name: string) => html`<a href="/projects/${id}">${name}</a>`

interface ItemView {
  tiles: Html[]
  card: Card
  history: { columns: string[]; rows: Html[] }
  back: { href: string; label: string }
}

/** The body both item pages share: the bot's answer, the item's facts, its card's actions, 办理记录, the way back. */
async function itemBody(c: WebCtx, done: string | undefined, v: ItemView): Promise<Html> {
  return html`${await answered(c, done)}
    <div class="cards" id="item">${v.tiles}</div>
    ${actions(c, v.card)}
    <section class="panel">
      <h2>办理记录</h2>
      <table id="history">
        ${thead(v.history.columns)}
        <tbody>
          ${v.history.rows}
        </tbody>
      </table>
    </section>
    <p><a href="${v.back.href}">${v.back.label}</a></p>`
}

export async function problemItemPage(c: WebCtx, deps: ItemDeps, id: number, q: { done?: string }): Promise<Html | undefined> {
  const r = await problemWithNames(c.db, id)
  if (!r || !problemVisible(c, r)) return undefined
  const p = (await problemById(c.db, id))!
  const turn = await viewTurn(deps, c.person, c.now)
  const card = named(turn, (await refreshOf(turn, p)).card(c.person.id))
  const today = localDate(c.now)
  const due = p.state === 'closed' ? { text: '已销号', overdue: false } : dueText(c, p.dueOn, today)
  const history = await problemHistory(c.db, id)
  const body = await itemBody(c, q.done, {
    tiles: [
      tile('状态', PROBLEM_STATE_LABELS[p.state], { id: 'state' }),
      tile('项目', projectLink(p.projectId, r.projectName)),
      tile('责任单位', r.unitName ?? '待交办'),
      tile('调度层级', LEVEL_LABELS[p.level] ?? p.level),
      tile('解决时限', `${p.dueOn ?? '—'}（${due.text}）`, { cls: due.overdue ? 'down' : '' }),
      tile('提出人', r.reporter ?? '—'),
    ],
    card,
    history: {
      columns: ['时间', '办理人', '状态', '说明'],
      rows: history.map(
        (h) =>
          html`<tr>
            <td>${when(h.at)}</td>
            <td>${h.person ?? '—'}</td>
            <td>${PROBLEM_STATE_LABELS[h.toState as keyof typeof PROBLEM_STATE_LABELS] ?? h.toState}</td>
            <td class="wrap">${h.note}</td>
          </tr>`,
      ),
    },
    back: { href: '/problems', label: '返回问题台账' },
  })
  return frame(c, `问题 #${p.id}`, '/problems', body)
}

const AUDIT_LABELS: Record<string, string> = { issue: '挂牌督办', ack: '已阅', reply: '复函', close: '办结', return: '退回' }

export async function supervisionItemPage(c: WebCtx, deps: ItemDeps, id: number, q: { done?: string }): Promise<Html | undefined> {
  const r = await supervisionWithNames(c.db, id)
  if (!r || !supervisionVisible(c, r)) return undefined
  const s = (await supervisionById(c.db, id))!
  const turn = await viewTurn(deps, c.person, c.now)
  const card = named(turn, (await supervisionRefresh(turn, s)).card(c.person.id))
  const today = localDate(c.now)
  const due = s.state === 'closed' ? { text: '已办结', overdue: false } : dueText(c, s.replyDueOn ?? s.dueOn, today)
  const history = await supervisionHistory(c.db, id)
  const body = await itemBody(c, q.done, {
    tiles: [
      tile('状态', CARD_SUPERVISION_LABELS[s.state] ?? s.state, { id: 'state' }),
      tile('项目', projectLink(s.projectId, r.projectName)),
      tile('责任单位', r.unitName),
      tile('督办人', r.issuer ?? '—'),
      tile('复函期限', `${s.replyDueOn ?? s.dueOn}（${due.text}）`, { cls: due.overdue ? 'down' : '' }),
      tile('通报次数', s.noticeCount),
    ],
    card,
    history: {
      columns: ['时间', '办理人', '事项'],
      rows: history.map(
        (h) =>
          html`<tr>
            <td>${when(h.a.at)}</td>
            <td>${h.by ?? '—'}</td>
            <td>${AUDIT_LABELS[h.a.action] ?? h.a.action}</td>
          </tr>`,
      ),
    },
    back: { href: '/supervisions', label: '返回督办' },
  })
  return frame(c, `督办 D${s.id}`, '/supervisions', body)
}
