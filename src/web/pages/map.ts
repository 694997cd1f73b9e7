/**
 * 一张图: the county's units as a treemap, each tile sized by its 年度计划 and coloured by its 完成率 against
 * 序时 (no map tiles: a county intranet has none, and a unit is not a place on a map anyway). A tile opens
 * the unit's projects. Unit figures are on the public board, so every signed-in person sees every tile.
 */
import { gapPoints } from '../../domain/schedule.ts'
import { LEAGUES } from '../../store/schema.ts'
import { periodLabel } from '../../cards/conversation.ts'
import { figure, html, thead, type Html } from '../html.ts'
import { gapFill, treemap } from '../charts.ts'
import { frame, pct, periodParam, wan, type WebCtx } from '../context.ts'
import { boardOf } from './board.ts'

const LEGEND = [
  { fill: gapFill(0), label: '达到或超过序时' },
  { fill: gapFill(-1), label: '落后 5 个百分点以内' },
  { fill: gapFill(-6), label: '落后 5–10' },
  { fill: gapFill(-11), label: '落后 10–20' },
  { fill: gapFill(-25), label: '落后 20 以上' },
  { fill: gapFill(null), label: '无计划' },
]

/** The table under the treemap: one row a unit, the figures its tile is sized and coloured by. */
const UNIT_COLUMNS = ['单位', '赛道', figure('年度计划(万元)'), figure('本年累计(万元)'), figure('完成率'), figure('序时'), figure('项目')]

export async function mapPage(c: WebCtx, q: { period?: string; league?: string }): Promise<Html> {
  const period = periodParam(c, q.period)
  const { board } = await boardOf(c, period)
  const league = LEAGUES.find((l) => l === q.league)
  const lines = board.leagues.filter((l) => !league || l.league === league).flatMap((l) => l.lines)
  const tiles = lines.map((l) => {
    const gap = l.completion && l.schedule ? gapPoints(l.completion, l.schedule) : null
    return {
      label: l.unit,
      value: l.plan,
      fill: gapFill(gap ? gap.points : null),
      href: `/projects?unit=${l.unitId}&period=${period}`,
      note: `${pct(l.completion)}${gap ? `（${gap.pointsText}）` : ''}`,
      tooltip: `${l.unit}：年度计划 ${wan(l.plan)}万元，完成率 ${pct(l.completion)}，序时 ${pct(l.schedule)}，${l.projects}个项目`,
    }
  })
  const body = html` <form class="filters" method="get" action="/map">
      <label
        >赛道<select name="league">
          <option value="">全部单位</option>
          ${LEAGUES.map((l) => html`<option value="${l}" ${l === league ? html` selected` : ''}>${l}</option>`)}
        </select></label
      >
      <input type="hidden" name="period" value="${period}" /><button type="submit">查看</button>
    </form>
    <p class="muted">${periodLabel(period)} · 面积为年度计划投资，颜色为完成率较序时。点击单位查看其项目。</p>
    <div class="legend">${LEGEND.map((x) => html`<span><i class="dot" style="background:${x.fill}"></i>${x.label}</span>`)}</div>
    <section class="panel" id="treemap">${treemap(tiles, { title: `${periodLabel(period)}各单位完成情况` })}</section>
    <section class="panel">
      <table>
        ${thead(UNIT_COLUMNS)}
        <tbody>
          ${[...lines]
            .sort((a, b) => b.plan - a.plan)
            .map(
              (l) =>
                html`<tr>
                  <td><a href="/projects?unit=${l.unitId}&period=${period}">${l.unit}</a></td>
                  <td>${l.league}</td>
                  <td class="n">${wan(l.plan)}</td>
                  <td class="n">${wan(l.ytd)}</td>
                  <td class="n">${pct(l.completion)}</td>
                  <td class="n">${pct(l.schedule)}</td>
                  <td class="n">${l.projects}</td>
                </tr>`,
            )}
        </tbody>
      </table>
    </section>`
  return frame(c, `一张图 · ${periodLabel(period)}`, '/map', body)
}
