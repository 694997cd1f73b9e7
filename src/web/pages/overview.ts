/**
 * 总览: the totals of what the person sees (the county for the office), 完成率 against 序时 month by month,
 * colours, 双过半 and 开复工, this month's round (who has not reported, as of this request) and the open
 * 督办 and problems, oldest first.
 */
import { projectMonths, scheduleFor, type ProjectFigures } from '../../services/monthly.ts'
import { sql } from 'drizzle-orm'
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import { roundByKey } from '../../store/repos/rounds.ts'
import { completionRate, describeGap, gapPoints } from '../../domain/schedule.ts'
import { ratio, toPercent, type Ratio } from '../../domain/ratio.ts'
import { monthKey } from '../../domain/periods.ts'
import { localDate, localDateTime } from '../../domain/time.ts'
import { COLOUR_LABELS, colourOf, type Colour } from '../../domain/colours.ts'
import { periodLabel, PROBLEM_STATE_LABELS } from '../../cards/conversation.ts'
import { figure, html, thead, type Html } from '../html.ts'
import { lineChart, stackedColumns, COLOUR_HEX } from '../charts.ts'
import { dot, frame, monthLabel, pct, visibleProjects, wan, type WebCtx } from '../context.ts'
import { contactNames, problemsWithNames, supervisionsWithNames } from '../queries.ts'
import { scopeSql, sees } from '../scope.ts'

const COLOURS: Colour[] = ['blue', 'watch', 'yellow', 'red', 'none']

export interface Totals {
  projects: number
  plan: number
  ytd: number
  completion: Ratio | null
  schedule: Ratio | null
  colours: Record<Colour, number>
}

/**
 * Σ 本年累计 ÷ Σ 年度计划 against Σ (plan × 序时) ÷ Σ plan, the weighting the board and the 通报 use, and each
 * project's colour as the board decides it (colourOf on the same inputs as viewOf, without its objects).
 */
export function totalsOf(c: WebCtx, figures: readonly ProjectFigures[], period: string): Totals {
  let plan = 0
  let ytd = 0
  let target = 0
  const colours: Record<Colour, number> = { blue: 0, watch: 0, yellow: 0, red: 0, none: 0 }
  const uniform = c.rules.schedule === 'planCurve' ? null : scheduleFor(c.rules, { annualPlan: 1, planCurve: null }, period)
  for (const f of figures) {
    plan += f.annualPlan
    ytd += f.ytd
    const schedule = uniform ?? scheduleFor(c.rules, f, period)
    if (schedule) target += Math.round((f.annualPlan * schedule.num) / schedule.den)
    colours[
      colourOf({ completion: completionRate(f.ytd, f.annualPlan), schedule, urgeCount: f.urges, previousColour: f.previousColour }, c.rules.colour)
    ]++
  }
  return { projects: figures.length, plan, ytd, completion: completionRate(ytd, plan), schedule: plan > 0 ? ratio(target, plan) : null, colours }
}

/** One month of the year as the overview charts it: the sums, and the colours as frozen (the live month: as now). */
export interface MonthTotals extends Totals {
  period: string
  /** Projects at or past half their plan (双过半). */
  halfway: number
}

/**
 * The months of the year up to `period` for the projects in `only` (null: the whole county). Closed months take the colours frozen when
 * they were published (what was published is what is kept) and only the sums of their figures; the open month
 * is the one whose every project gets its verdict (its views are returned for the rest of the page).
 */
export async function monthsOfYear(
  c: WebCtx,
  period: string,
  only: Set<number> | null,
): Promise<{ months: MonthTotals[]; current: ProjectFigures[] }> {
  const year = Number(period.slice(0, 4))
  const last = Number(period.slice(5, 7))
  // Closed months under a 序时 the same for every project (month- or day-linear): Σ plan × 序时 ÷ Σ plan is that
  // 序时 itself, so a month needs only its sums and its frozen colours — kept once read, per published month and scope.
  const closed = c.rules.schedule === 'planCurve' ? new Map<string, ClosedMonth>() : await closedMonths(c, year, last, only)
  const months: MonthTotals[] = []
  let current: ProjectFigures[] = []
  for (let m = 1; m <= last; m++) {
    const key = monthKey(year, m)
    const done = closed.get(key)
    if (m < last && done) {
      const sum = done.sums
      months.push({
        period: key,
        projects: sum.n,
        plan: sum.plan,
        ytd: sum.ytd,
        completion: completionRate(sum.ytd, sum.plan),
        schedule: sum.plan > 0 ? scheduleFor(c.rules, { annualPlan: 1, planCurve: null }, key) : null,
        colours: { ...done.colours },
        halfway: sum.halfway,
      })
      continue
    }
    const figures = (await projectMonths(c.db, key, { planCurve: c.rules.schedule === 'planCurve' })).filter((p) => !only || only.has(p.projectId))
    const t = totalsOf(c, figures, key)
    if (m === last) current = figures
    months.push({ ...t, period: key, halfway: figures.filter((v) => v.annualPlan > 0 && v.ytd * 2 >= v.annualPlan).length })
  }
  return { months, current }
}

/**
 * The scope as a condition on a row's project_id: nothing for the whole county (month_figures holds the active
 * projects only; a join to projects there costs ten times the aggregate), an IN over the person's projects else.
 */
const inScope = (c: WebCtx, alias: 'f' | 'k' = 'f') =>
  c.scope.all ? sql`` : sql` and ${sql.raw(alias)}.project_id in (select p.id from projects p where p.active = 1 and ${scopeSql(c.scope)})`

interface MonthSums {
  n: number
  plan: number
  ytd: number
  halfway: number
}

interface ClosedMonth {
  sums: MonthSums
  colours: Record<Colour, number>
}

/**
 * A published month never changes (its board and colours are frozen, its snapshot is never replaced), so its sums
 * over a scope are summed once and kept, keyed by period, the snapshot's id (a database rebuilt and republished
 * gets new ids) and the exact projects in scope (a project moved to another unit makes another key). By database:
 * each keeps its own; a Workers isolate keeps what it read for its lifetime. The open month is never kept.
 */
const closedCache = new WeakMap<object, Map<string, ClosedMonth>>()
/** Entries per database (months × scopes): a county's dozen months for a few hundred people who look. */
const CLOSED_CACHE_LIMIT = 2_000

async function closedMonths(c: WebCtx, year: number, last: number, only: Set<number> | null): Promise<Map<string, ClosedMonth>> {
  const out = new Map<string, ClosedMonth>()
  if (last < 2) return out
  const from = monthKey(year, 1)
  const to = monthKey(year, last - 1)
  const published = await c.db.all<{ period: string; id: number }>(
    sql`select period, id from board_snapshots where kind = 'monthly' and league = 'all' and period between ${from} and ${to}`,
  )
  if (!published.length) return out
  let cache = closedCache.get(c.db)
  if (!cache) closedCache.set(c.db, (cache = new Map()))
  // A digest of the ids, not the ids: a 副县长 of thousands of projects would keep a long key per month.
  const scopeKey = only ? bytesToHex(sha256(new TextEncoder().encode([...only].sort((a, b) => a - b).join(',')))) : 'all'
  const keyOf = (p: { period: string; id: number }) => `${p.period}#${p.id}#${scopeKey}`
  const missing: string[] = []
  for (const p of published) {
    const hit = cache.get(keyOf(p))
    if (hit) {
      // Refreshed as most recently used: the oldest entries go first when the map is full.
      cache.delete(keyOf(p))
      cache.set(keyOf(p), hit)
      out.set(p.period, hit)
    } else missing.push(p.period)
  }
  if (!missing.length) return out
  const periods = sql.join(
    missing.map((m) => sql`${m}`),
    sql`, `,
  )
  const sums = await c.db.all<MonthSums & { period: string }>(sql`
    select f.period, count(*) as n, sum(f.annual_plan) as plan, sum(coalesce(f.reported_ytd, f.carried_ytd)) as ytd,
      sum(case when f.annual_plan > 0 and 2 * coalesce(f.reported_ytd, f.carried_ytd) >= f.annual_plan then 1 else 0 end) as halfway
    from month_figures f
    where f.period in (${periods})${inScope(c)}
    group by f.period`)
  const colours = await c.db.all<{ period: string; colour: Colour; n: number }>(sql`
    select k.period, k.colour, count(*) as n from project_colours k
    where k.period in (${periods})${inScope(c, 'k')}
    group by k.period, k.colour`)
  const countsOf = new Map<string, Record<Colour, number>>()
  for (const r of colours) {
    const counts = countsOf.get(r.period) ?? { blue: 0, watch: 0, yellow: 0, red: 0, none: 0 }
    counts[r.colour] = (counts[r.colour] ?? 0) + r.n
    countsOf.set(r.period, counts)
  }
  for (const s of sums) {
    const counts = countsOf.get(s.period)
    // A month with a snapshot but no colours frozen for it is read live, as before publication.
    if (!counts) continue
    const month: ClosedMonth = { sums: { n: s.n, plan: s.plan, ytd: s.ytd, halfway: s.halfway }, colours: counts }
    out.set(s.period, month)
    cache.set(keyOf(published.find((p) => p.period === s.period)!), month)
  }
  while (cache.size > CLOSED_CACHE_LIMIT) cache.delete(cache.keys().next().value!)
  return out
}

const kpi = (label: string, value: string | Html, note = '', small = false) =>
  html`<div class="kpi"><span>${label}</span><b${small ? html` class="small"` : ''}>${value}</b>${note ? html`<span>${note}</span>` : ''}</div>`

export async function overviewPage(c: WebCtx): Promise<Html> {
  // The whole county needs no list of its projects (a province's 100k): the aggregates and the round read SQL.
  const ids = c.scope.all ? null : new Set((await visibleProjects(c)).map((p) => p.id))
  const { months, current } = await monthsOfYear(c, c.month, ids)
  const t = months[months.length - 1]!
  const g = t.completion && t.schedule ? gapPoints(t.completion, t.schedule) : null
  const monthNo = Number(c.month.slice(5, 7))

  // 双过半 from June on: the 1–6月 累计 against half the plan; 开复工 of the projects planned to start this year.
  const halfway = monthNo >= 6 ? months[5] : undefined
  const planned = current.filter((v) => v.plannedNewStart)
  const startedPlanned = planned.filter((v) => v.started).length
  const started = current.filter((v) => v.started).length

  const chart = lineChart({
    title: '完成率与序时进度',
    labels: months.map((m) => monthLabel(m.period)),
    series: [
      { name: '完成率', colour: '#1f6fd1', values: months.map((m) => (m.completion ? toPercent(m.completion) : null)) },
      {
        name: '序时进度',
        colour: '#d33a2c',
        dashed: true,
        values: months.map((m) => (m.schedule ? toPercent(m.schedule) : null)),
      },
    ],
  })
  const colourChart = stackedColumns({
    title: '各月三色分布',
    stacks: months.map((m) => ({
      label: monthLabel(m.period),
      parts: COLOURS.map((k) => ({ name: COLOUR_LABELS[k], value: m.colours[k], colour: COLOUR_HEX[k]! })),
    })),
  })

  const body = html` <div class="cards">
      ${kpi('项目', `${t.projects}个`)} ${kpi('年度计划投资', `${wan(t.plan)}万元`)} ${kpi('本年累计完成', `${wan(t.ytd)}万元`)}
      ${kpi('完成率', pct(t.completion), `序时 ${pct(t.schedule)}`)}
      ${kpi('较序时（百分点）', g ? `${g.sign > 0 ? '+' : ''}${g.pointsText}` : '—', g ? describeGap(g) : '')}
      ${kpi('三色', html`${COLOURS.filter((k) => t.colours[k]).map((k) => html`<span class="nowrap">${dot(k)} ${t.colours[k]} </span>`)}`, '', true)}
      ${halfway ? kpi('双过半（1–6月）', pct(halfway.completion), `${halfway.halfway}/${halfway.projects}个项目过半`) : kpi('双过半', '6月底评价')}
      ${kpi('开复工', `${started}/${current.length}`, `计划新开工 ${startedPlanned}/${planned.length}`)}
    </div>
    <div class="grid2">
      <section class="panel">
        <h2>${c.month.slice(0, 4)}年完成率与序时（${c.scope.label}）</h2>
        ${chart}
      </section>
      <section class="panel">
        <h2>各月三色分布</h2>
        ${colourChart}
      </section>
    </div>
    ${await roundPanel(c)}
    <div class="grid2">${await supervisionPanel(c)} ${await problemPanel(c)}</div>`
  return frame(c, `总览 · ${periodLabel(c.month)}`, '/', body)
}

/** This month's round as of now: open or not, deadline, and the projects not yet reported by unit with their contacts. */
async function roundPanel(c: WebCtx): Promise<Html> {
  const round = await roundByKey(c.db, 'monthly', c.month)
  if (!round || round.opensAt > c.now.getTime())
    return html`<section class="panel" id="round">
      <h2>本月调度</h2>
      <p class="muted">${periodLabel(c.month)}调度尚未开始。</p>
    </section>`
  // The round's projects (active, of its year) in the person's scope, and those without a current report.
  const year = Number(c.month.slice(0, 4))
  const counted = await c.db.get<{ total: number }>(
    sql`select count(*) as total from projects p where p.active = 1 and p.year = ${year} and ${scopeSql(c.scope)}`,
  )
  const missing = await c.db.all<{ id: number; name: string; unitId: number }>(sql`
    select p.id, p.name, p.unit_id as unitId from projects p
    where p.active = 1 and p.year = ${year} and ${scopeSql(c.scope)}
      and not exists (select 1 from reports r where r.round_id = ${round.id} and r.project_id = p.id and r.current = 1)
    order by p.id`)
  const total = counted?.total ?? 0
  const byUnit = new Map<number, typeof missing>()
  for (const p of missing) byUnit.set(p.unitId, [...(byUnit.get(p.unitId) ?? []), p])
  // The units owing most first, each naming its first few projects: a county of thousands stays one screen.
  const rows = [...byUnit].sort((a, b) => b[1].length - a[1].length).slice(0, ROUND_UNITS)
  const contacts = await contactNames(
    c.db,
    rows.flatMap(([, list]) => list.slice(0, ROUND_PROJECTS).map((p) => p.id)),
  )
  const state = round.closedAt
    ? `已于 ${localDateTime(new Date(round.closedAt))} 收口`
    : `截止 ${localDateTime(new Date(round.deadlineAt))}${round.deadlineAt < c.now.getTime() ? '（已逾期）' : ''}`
  return html`<section class="panel" id="round">
    <h2>本月调度：${periodLabel(c.month)}（${state}）</h2>
    <p>
      已报 <b>${total - missing.length}</b> / ${total} 个项目，未报 <b class="${missing.length ? 'down' : 'up'}">${missing.length}</b> 个。<span
        class="muted"
        >截至 ${localDateTime(c.now)}</span
      >
    </p>
    ${
      rows.length
        ? html`<table>
              ${thead(['单位', figure('未报'), '项目（联系人）'])}
              <tbody>
                ${rows.map(
                  ([unitId, list]) =>
                    html`<tr>
                      <td><a href="/projects?unit=${unitId}">${c.units.get(unitId)?.name ?? ''}</a></td>
                      <td class="n">${list.length}</td>
                      <td class="wrap">
                        ${list
                          .slice(0, ROUND_PROJECTS)
                          .map(
                            (p, i) =>
                              html`${i ? '；' : ''}<a href="/projects/${p.id}">${p.name}</a
                                >（${(contacts.get(p.id) ?? []).join('、') || '无联系人'}）`,
                          )}${list.length > ROUND_PROJECTS ? html` 等${list.length}个` : ''}
                      </td>
                    </tr>`,
                )}
              </tbody>
            </table>
            ${byUnit.size > ROUND_UNITS ? html`<p class="muted">另有 ${byUnit.size - ROUND_UNITS} 个单位有未报项目。</p>` : ''}`
        : ''
    }
  </section>`
}

const ROUND_UNITS = 40
const ROUND_PROJECTS = 6

const ageDays = (from: number, now: Date) => Math.max(0, Math.floor((now.getTime() - from) / 86_400_000))

async function supervisionPanel(c: WebCtx): Promise<Html> {
  const today = localDate(c.now)
  const rows = (await supervisionsWithNames(c.db))
    .filter((r) => sees(c.scope, { id: r.s.projectId, unitId: r.projectUnit, sector: r.sector, leaderPersonId: r.leaderOfProject }))
    .sort((a, b) => a.s.issuedAt - b.s.issuedAt)
  const overdue = rows.filter((r) => (r.s.replyDueOn ?? r.s.dueOn) < today).length
  return html`<section class="panel">
    <h2>未办结督办 ${rows.length}件（逾期 ${overdue}）</h2>
    <table>
      ${thead(['编号', '项目', '事项', figure('已历'), '期限'])}
      <tbody>
        ${rows.slice(0, 12).map((r) => {
          const due = r.s.replyDueOn ?? r.s.dueOn
          return html`<tr class="${due < today ? 'overdue' : ''}">
            <td>D${r.s.id}</td>
            <td><a href="/projects/${r.s.projectId}">${r.projectName}</a></td>
            <td>${r.s.matter}</td>
            <td class="n">${ageDays(r.s.issuedAt, c.now)}天</td>
            <td>${due}</td>
          </tr>`
        })}
      </tbody>
    </table>
    ${rows.length > 12 ? html`<p><a href="/supervisions">全部 ${rows.length} 件 →</a></p>` : ''}
  </section>`
}

async function problemPanel(c: WebCtx): Promise<Html> {
  const today = localDate(c.now)
  const rows = (await problemsWithNames(c.db))
    .filter((r) => sees(c.scope, { id: r.p.projectId, unitId: r.projectUnit, sector: r.sector, leaderPersonId: r.leaderOfProject }))
    .sort((a, b) => a.p.createdAt - b.p.createdAt)
  const buckets = [
    { label: '7天内', max: 7 },
    { label: '8–30天', max: 30 },
    { label: '31–90天', max: 90 },
    { label: '90天以上', max: Infinity },
  ].map((b, i, all) => ({
    ...b,
    count: rows.filter((r) => {
      const d = ageDays(r.p.createdAt, c.now)
      return d <= b.max && (i === 0 || d > all[i - 1]!.max)
    }).length,
  }))
  const overdue = rows.filter((r) => r.p.dueOn && r.p.dueOn < today).length
  return html`<section class="panel">
    <h2>未销号问题 ${rows.length}个（逾期 ${overdue}）</h2>
    <p>${buckets.map((b) => html`<span class="tag">${b.label} ${b.count}</span> `)}</p>
    <table>
      ${thead(['编号', '项目', '问题', '状态', figure('已历')])}
      <tbody>
        ${rows.slice(0, 12).map(
          (r) =>
            html`<tr class="${r.p.dueOn && r.p.dueOn < today ? 'overdue' : ''}">
              <td>#${r.p.id}</td>
              <td><a href="/projects/${r.p.projectId}">${r.projectName}</a></td>
              <td>${r.p.description}</td>
              <td>${PROBLEM_STATE_LABELS[r.p.state]}</td>
              <td class="n">${ageDays(r.p.createdAt, c.now)}天</td>
            </tr>`,
        )}
      </tbody>
    </table>
    ${rows.length > 12 ? html`<p><a href="/problems">全部 ${rows.length} 个 →</a></p>` : ''}
  </section>`
}
