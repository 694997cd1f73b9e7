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
import { html, type Html } from '../html.ts'
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

export async function problemItemPage(c: WebCtx, deps: ItemDeps, id: number, q: { done?: string }): Promise<Html | undefined> {
  const r = await problemWithNames(c.db, id)
  if (!r || !problemVisible(c, r)) return undefined
  const p = (await problemById(c.db, id))!
  const turn = await viewTurn(deps, c.person, c.now)
  const card = named(turn, (await refreshOf(turn, p)).card(c.person.id))
  const today = localDate(c.now)
  const due = p.state === 'closed' ? { text: '已销号', overdue: false } : dueText(c, p.dueOn, today)
  const history = await problemHistory(c.db, id)
  const body = html`${await answered(c, q.done)}
    <div class="cards" id="item">
      <div class="kpi"><span>状态</span><b class="small" id="state">${PROBLEM_STATE_LABELS[p.state]}</b></div>
      <div class="kpi">
        <span>项目</span><b class="small"><a href="/projects/${p.projectId}">${r.projectName}</a></b>
      </div>
      <div class="kpi"><span>责任单位</span><b class="small">${r.unitName ?? '待交办'}</b></div>
      <div class="kpi"><span>调度层级</span><b class="small">${LEVEL_LABELS[p.level] ?? p.level}</b></div>
      <div class="kpi"><span>解决时限</span><b class="small ${due.overdue ? 'down' : ''}">${p.dueOn ?? '—'}（${due.text}）</b></div>
      <div class="kpi"><span>提出人</span><b class="small">${r.reporter ?? '—'}</b></div>
    </div>
    ${actions(c, card)}
    <section class="panel">
      <h2>办理记录</h2>
      <table id="history">
        <thead>
          <tr>
            <th>时间</th>
            <th>办理人</th>
            <th>状态</th>
            <th>说明</th>
          </tr>
        </thead>
        <tbody>
          ${history.map(
            (h) =>
              html`<tr>
                <td>${when(h.at)}</td>
                <td>${h.person ?? '—'}</td>
                <td>${PROBLEM_STATE_LABELS[h.toState as keyof typeof PROBLEM_STATE_LABELS] ?? h.toState}</td>
                <td class="wrap">${h.note}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </section>
    <p><a href="/problems">返回问题台账</a></p>`
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
  const body = html`${await answered(c, q.done)}
    <div class="cards" id="item">
      <div class="kpi"><span>状态</span><b class="small" id="state">${CARD_SUPERVISION_LABELS[s.state] ?? s.state}</b></div>
      <div class="kpi">
        <span>项目</span><b class="small"><a href="/projects/${s.projectId}">${r.projectName}</a></b>
      </div>
      <div class="kpi"><span>责任单位</span><b class="small">${r.unitName}</b></div>
      <div class="kpi"><span>督办人</span><b class="small">${r.issuer ?? '—'}</b></div>
      <div class="kpi"><span>复函期限</span><b class="small ${due.overdue ? 'down' : ''}">${s.replyDueOn ?? s.dueOn}（${due.text}）</b></div>
      <div class="kpi"><span>通报次数</span><b class="small">${s.noticeCount}</b></div>
    </div>
    ${actions(c, card)}
    <section class="panel">
      <h2>办理记录</h2>
      <table id="history">
        <thead>
          <tr>
            <th>时间</th>
            <th>办理人</th>
            <th>事项</th>
          </tr>
        </thead>
        <tbody>
          ${history.map(
            (h) =>
              html`<tr>
                <td>${when(h.a.at)}</td>
                <td>${h.by ?? '—'}</td>
                <td>${AUDIT_LABELS[h.a.action] ?? h.a.action}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </section>
    <p><a href="/supervisions">返回督办</a></p>`
  return frame(c, `督办 D${s.id}`, '/supervisions', body)
}
