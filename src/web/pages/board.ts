/**
 * 赛马: each league's board for any published month (as published: ranks, scores and Δrank from the frozen
 * snapshot), the score's parts, and one unit's trend over the published months. Boards are public in chat
 * (「排名」), so every signed-in person sees all units here too.
 */
import { boardUnits, monthBoard, type BoardLine, type MonthBoard } from '../../services/monthly.ts'
import { publishedMonthBoard } from '../../services/boards.ts'
import { formatScore } from '../../domain/scoring.ts'
import { COLOUR_LABELS, type Colour } from '../../domain/colours.ts'
import { periodLabel } from '../../cards/conversation.ts'
import { figure, html, thead, type Html } from '../html.ts'
import { lineChart } from '../charts.ts'
import { frame, monthLabel, pct, wan, type WebCtx } from '../context.ts'
import { publishedPeriods } from '../queries.ts'

/** The board of a month: as published once it was, else live (the open month). */
export async function boardOf(c: WebCtx, period: string): Promise<{ board: MonthBoard; published: boolean }> {
  const published = await publishedMonthBoard(c.db, c.rules, period)
  if (published) return { board: published, published: true }
  return { board: await monthBoard(c.db, c.rules, period, await boardUnits(c.db), c.now), published: false }
}

const delta = (d: number | null) =>
  d === null || d === 0
    ? html`<span class="muted">${d === 0 ? '—' : '新'}</span>`
    : d > 0
      ? html`<span class="up">↑${d}</span>`
      : html`<span class="down">↓${-d}</span>`

const colourCounts = (l: BoardLine) =>
  (['blue', 'watch', 'yellow', 'red'] as Colour[])
    .filter((k) => l.colours[k])
    .map((k) => html`<span class="nowrap"><span class="dot c-${k}" title="${COLOUR_LABELS[k]}"></span>${l.colours[k]} </span>`)

export async function boardPage(c: WebCtx, q: { period?: string; unit?: string }): Promise<Html> {
  const periods = await publishedPeriods(c.db)
  const choices = [...new Set([c.month, ...periods])].sort().reverse()
  const period = q.period && choices.includes(q.period) ? q.period : (periods[0] ?? c.month)
  const { board, published } = await boardOf(c, period)
  const indicators = board.leagues.flatMap((l) => l.lines)[0]?.parts ?? []
  const unitId = q.unit ? Number(q.unit) : undefined
  const columns = [
    figure('名次'),
    '升降',
    '单位',
    figure('得分'),
    ...indicators.map((p) => figure(p.label)),
    figure('完成率'),
    figure('序时'),
    figure('年度计划(万元)'),
    '色牌',
    figure('未按时报'),
  ]
  const body = html` <form class="filters" method="get" action="/board">
      <label
        >月份<select name="period">
          ${choices.map((p) => html`<option value="${p}" ${p === period ? html` selected` : ''}>${periodLabel(p)}${periods.includes(p) ? '' : '（实时）'}</option>`)}
        </select></label
      >
      <button type="submit">查看</button>
    </form>
    <p class="muted">
      ${published ? `${periodLabel(period)}榜单已发布（${board.snapshot.publishedAt.slice(0, 10)}），以发布时为准。` : `${periodLabel(period)}尚未收口，为实时排名。`}
      得分 = ${indicators.map((p, i) => `${i ? ' + ' : ''}${p.label}（${p.weight}）`).join('')}
    </p>
    ${board.leagues
      .filter((l) => l.lines.length)
      .map(
        (l) =>
          html`<section class="panel league" data-league="${l.league}">
            <h2>${l.league}</h2>
            <table>
              ${thead(columns)}
              <tbody>
                ${l.lines.map(
                  (
                    x,
                  ) => html`<tr${x.unitId === unitId ? html` class="overdue"` : ''}><td class="n">${x.rank}</td><td>${delta(x.deltaRank)}</td><td><a href="/board?period=${period}&unit=${x.unitId}">${x.unit}</a></td>
<td class="n"><b>${formatScore(x.score)}</b></td>${(x.parts ?? []).map((p) => html`<td class="n">${formatScore(p.points)}</td>`)}
<td class="n">${pct(x.completion)}</td><td class="n">${pct(x.schedule)}</td><td class="n">${wan(x.plan)}</td><td>${colourCounts(x)}</td><td class="n">${x.late}</td></tr>`,
                )}
              </tbody>
            </table>
          </section>`,
      )}
    ${unitId ? await trend(c, periods, unitId) : ''}`
  return frame(c, `赛马比拼 · ${periodLabel(period)}`, '/board', body)
}

/** One unit over the published months: its rank and score as published. */
async function trend(c: WebCtx, periods: string[], unitId: number): Promise<Html> {
  const unit = c.units.get(unitId)
  if (!unit) return html``
  const points: { period: string; rank: number; score: number; completion: number | null }[] = []
  for (const p of [...periods].sort().filter((x) => x.slice(0, 4) === c.month.slice(0, 4))) {
    const b = await publishedMonthBoard(c.db, c.rules, p)
    const line = b?.leagues.flatMap((l) => l.lines).find((l) => l.unitId === unitId)
    if (line)
      points.push({
        period: p,
        rank: line.rank,
        score: line.score / 10_000,
        completion: line.completion ? (line.completion.num / line.completion.den) * 100 : null,
      })
  }
  return html`<section class="panel" id="trend">
    <h2>${unit.name}（${unit.league}）历月走势</h2>
    ${lineChart({
      title: `${unit.name} 得分走势`,
      labels: points.map((x) => monthLabel(x.period)),
      series: [
        { name: '得分', colour: '#1f6fd1', values: points.map((x) => x.score) },
        { name: '完成率', colour: '#e0a400', values: points.map((x) => x.completion) },
      ],
    })}
    <table>
      ${thead(['月份', ...points.map((x) => figure(monthLabel(x.period)))])}
      <tbody>
        <tr>
          <td>名次</td>
          ${points.map((x) => html`<td class="n">${x.rank}</td>`)}
        </tr>
        <tr>
          <td>得分</td>
          ${points.map((x) => html`<td class="n">${x.score.toFixed(2)}</td>`)}
        </tr>
      </tbody>
    </table>
    <p><a href="/projects?unit=${unitId}">${unit.name}的项目 →</a></p>
  </section>`
}
