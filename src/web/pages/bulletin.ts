/**
 * 通报: the monthly bulletin as 「通报」 gives it in chat (the same service), laid out for the 指挥部 meeting's
 * print-out (the print style drops the header and filters). Leaders and the office only, as in chat.
 */
import { monthlyBulletin } from '../../services/bulletin.ts'
import { formatScore } from '../../domain/scoring.ts'
import { COLOUR_LABELS, type Colour } from '../../domain/colours.ts'
import { periodLabel } from '../../cards/conversation.ts'
import { figure, html, thead, type Html } from '../html.ts'
import { frame, pct, periodParam, wan, type WebCtx } from '../context.ts'
import { hasAnyRole } from '../scope.ts'

/** Who may read the 通报 (chat: leadersAndOffice). */
export const mayReadBulletin = (c: WebCtx) => hasAnyRole(c.person, ['leader', 'office', 'executive', 'county_head'])

/** A league of the bulletin: one row a unit, by rank. */
const LEAGUE_COLUMNS = [figure('名次'), '单位', figure('得分'), figure('完成率'), figure('序时'), figure('年度计划(万元)'), figure('本年累计(万元)')]

export async function bulletinPage(c: WebCtx, q: { period?: string }): Promise<Html> {
  const period = periodParam(c, q.period)
  const b = await monthlyBulletin(c.db, c.rules, period, c.now)
  const colours = (['blue', 'watch', 'yellow', 'red'] as Colour[]).map((k) => `${COLOUR_LABELS[k]} ${b.colours[k]} 个`).join('，')
  const body = html` <form class="filters" method="get" action="/bulletin">
      <label>月份<input type="month" name="period" value="${period}" /></label><button type="submit">查看</button>
    </form>
    <section class="panel bulletin">
      <h2>${c.rules.county.name}重点项目${periodLabel(period)}调度通报</h2>
      <p>全县重点项目年度计划投资 ${wan(b.plan)} 万元，本年累计完成 ${wan(b.ytd)} 万元，完成率 ${b.completion}，序时进度 ${b.schedule}，${b.gap}。</p>
      <p>三色管理：${colours}。未销号问题 ${b.openProblems} 个，其中逾期 ${b.overdueProblems} 个。</p>
      ${b.leagues.map((l) => html`<p><b>${l.league}</b>：前三 ${l.top.join('、') || '—'}；后三 ${l.bottom.join('、') || '—'}。</p>`)}
      ${b.late.length ? html`<p>未按时填报：${b.late.join('、')}。</p>` : ''}
      ${b.board.leagues
        .filter((l) => l.lines.length)
        .map(
          (l) =>
            html`<h3>${l.league}</h3>
              <table>
                ${thead(LEAGUE_COLUMNS)}
                <tbody>
                  ${l.lines.map(
                    (x) =>
                      html`<tr>
                        <td class="n">${x.rank}</td>
                        <td>${x.unit}</td>
                        <td class="n">${formatScore(x.score)}</td>
                        <td class="n">${pct(x.completion)}</td>
                        <td class="n">${pct(x.schedule)}</td>
                        <td class="n">${wan(x.plan)}</td>
                        <td class="n">${wan(x.ytd)}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>`,
        )}
    </section>
    <p class="muted noprint">
      打印：浏览器菜单 →
      打印（页眉与筛选不打印）。${
        hasAnyRole(c.person, ['office']) ? html` <a href="/export?period=${period}">下载${periodLabel(period)}通报工作簿（Excel）</a>` : ''
      }
    </p>`
  return frame(c, `通报 · ${periodLabel(period)}`, '/bulletin', body)
}
