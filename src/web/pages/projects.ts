/**
 * 项目: the 清单 of what the person sees, filtered (unit, 分指挥部, colour, stage, level, weekly) and sorted; and
 * one project's page: its curve against plan month by month, every report version, problems, 督办, 催办 and
 * its colours as frozen each month.
 */
import { projectMonths, viewOf, countedUrges } from '../../services/monthly.ts'
import { projectStatus, NotFound } from '../../services/status.ts'
import { compare, toPercent } from '../../domain/ratio.ts'
import { monthKey } from '../../domain/periods.ts'
import { localDate, localDateTime } from '../../domain/time.ts'
import { formatWan } from '../../domain/money.ts'
import { COLOUR_LABELS, describeVerdict, type Colour } from '../../domain/colours.ts'
import { LEVELS, STAGES } from '../../store/schema.ts'
import { periodLabel, PROBLEM_STATE_LABELS } from '../../cards/conversation.ts'
import { figure, html, thead, type Html } from '../html.ts'
import { lineChart } from '../charts.ts'
import { dot, frame, monthLabel, pct, periodParam, visibleProject, visibleProjects, wan, type WebCtx } from '../context.ts'
import { coloursOfProject, problemsOfProject, reportsOfProject, supervisionsOfProject, urgesOfProject } from '../queries.ts'
import { contactsOfProject, personById } from '../../store/repos/directory.ts'

const COLOURS: Colour[] = ['blue', 'watch', 'yellow', 'red', 'none']

export const SORTS = {
  code: '编号',
  gap: '较序时（落后在前）',
  completion: '完成率（高在前）',
  plan: '年度计划（大在前）',
  name: '名称',
} as const
type SortKey = keyof typeof SORTS

export interface ListQuery {
  unit?: string
  sector?: string
  colour?: string
  stage?: string
  level?: string
  weekly?: string
  sort?: string
  period?: string
  page?: string
}

/** Rows per page of the 清单: a province-sized list stays a page a phone can open. */
export const PAGE_SIZE = 200

const option = (value: string, label: string, selected: string | undefined) =>
  html`<option value="${value}" ${value === (selected ?? '') ? html` selected` : ''}>${label}</option>`

/** The project list: one row a project, its month's figures and colour. */
const LIST_COLUMNS = [
  '编号',
  '项目',
  '责任单位',
  '分指挥部',
  '阶段',
  '级别',
  figure('年度计划(万元)'),
  figure('本年累计(万元)'),
  figure('完成率'),
  figure('较序时'),
  '色牌',
  '本月',
]

export async function projectListPage(c: WebCtx, q: ListQuery): Promise<Html> {
  const period = periodParam(c, q.period)
  const visible = await visibleProjects(c)
  const byId = new Map(visible.map((p) => [p.id, p]))
  let rows = (await projectMonths(c.db, period, { detail: true, planCurve: c.rules.schedule === 'planCurve' }))
    .filter((m) => byId.has(m.projectId))
    .map((m) => ({ v: viewOf(c.rules, m, period), p: byId.get(m.projectId)! }))
  const unitIds = [...new Set(visible.map((p) => p.unitId))].sort((a, b) => a - b)
  const sectors = [...new Set(visible.map((p) => p.sector))]
  if (q.unit) rows = rows.filter((r) => String(r.p.unitId) === q.unit)
  if (q.sector) rows = rows.filter((r) => r.p.sector === q.sector)
  if (q.colour) rows = rows.filter((r) => r.v.verdict.colour === q.colour)
  if (q.stage) rows = rows.filter((r) => r.p.stage === q.stage)
  if (q.level) rows = rows.filter((r) => r.p.level === q.level)
  if (q.weekly === '1') rows = rows.filter((r) => r.p.weekly)
  const sort: SortKey = q.sort && q.sort in SORTS ? (q.sort as SortKey) : 'code'
  const byGap = (a: (typeof rows)[number], b: (typeof rows)[number]) =>
    (a.v.verdict.gap?.basisPoints ?? Number.MAX_SAFE_INTEGER) - (b.v.verdict.gap?.basisPoints ?? Number.MAX_SAFE_INTEGER)
  rows.sort(
    sort === 'gap'
      ? byGap
      : sort === 'completion'
        ? (a, b) => (b.v.completion && a.v.completion ? compare(b.v.completion, a.v.completion) : b.v.completion ? 1 : a.v.completion ? -1 : 0)
        : sort === 'plan'
          ? (a, b) => b.p.annualPlan - a.p.annualPlan
          : sort === 'name'
            ? (a, b) => a.p.name.localeCompare(b.p.name, 'zh-CN')
            : (a, b) => a.p.code.localeCompare(b.p.code),
  )
  const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE))
  const pageNo = Math.min(pages, Math.max(1, Number(q.page) || 1))
  const shown = rows.slice((pageNo - 1) * PAGE_SIZE, pageNo * PAGE_SIZE)
  const pageLink = (n: number) => {
    const params = new URLSearchParams(Object.entries({ ...q, period, sort, page: String(n) }).filter((e): e is [string, string] => Boolean(e[1])))
    return `/projects?${params}`
  }
  const pager =
    pages > 1
      ? html`<p class="pager">
          第 ${pageNo}/${pages} 页 ${pageNo > 1 ? html`<a href="${pageLink(pageNo - 1)}">上一页</a>` : ''}
          ${pageNo < pages ? html`<a href="${pageLink(pageNo + 1)}">下一页</a>` : ''}
        </p>`
      : ''
  const body = html` <form class="filters" method="get" action="/projects">
      <label
        >单位<select name="unit">
          ${option('', '全部', q.unit)}${unitIds.map((id) => option(String(id), c.units.get(id)?.name ?? String(id), q.unit))}
        </select></label
      >
      <label
        >分指挥部<select name="sector">
          ${option('', '全部', q.sector)}${sectors.map((s) => option(s, s, q.sector))}
        </select></label
      >
      <label
        >色牌<select name="colour">
          ${option('', '全部', q.colour)}${COLOURS.map((k) => option(k, COLOUR_LABELS[k], q.colour))}
        </select></label
      >
      <label
        >阶段<select name="stage">
          ${option('', '全部', q.stage)}${STAGES.map((s) => option(s, s, q.stage))}
        </select></label
      >
      <label
        >级别<select name="level">
          ${option('', '全部', q.level)}${LEVELS.map((s) => option(s, s, q.level))}
        </select></label
      >
      <label
        >周调度<select name="weekly">
          ${option('', '全部', q.weekly)}${option('1', '仅周调度项目', q.weekly)}
        </select></label
      >
      <label
        >排序<select name="sort">
          ${Object.entries(SORTS).map(([k, l]) => option(k, l, sort))}
        </select></label
      >
      <input type="hidden" name="period" value="${period}" />
      <button type="submit">筛选</button>
    </form>
    <p class="muted">${periodLabel(period)} · 共 <b id="count">${rows.length}</b> 个项目</p>
    <div class="panel">
      <table id="projects">
        ${thead(LIST_COLUMNS)}
        <tbody>
          ${shown.map(
            ({ v, p }) =>
              html`<tr data-colour="${v.verdict.colour}">
                <td>${p.code}</td>
                <td><a href="/projects/${p.id}">${p.name}</a>${p.weekly ? html` <span class="tag">周</span>` : ''}</td>
                <td>${c.units.get(p.unitId)?.name ?? ''}</td>
                <td>${p.sector}</td>
                <td>${p.stage}</td>
                <td>${p.level}</td>
                <td class="n">${wan(v.annualPlan)}</td>
                <td class="n">${wan(v.ytd)}</td>
                <td class="n">${pct(v.completion)}</td>
                <td class="n ${v.verdict.gap && v.verdict.gap.sign < 0 ? 'down' : 'up'}">${v.verdict.gap ? v.verdict.gap.pointsText : '—'}</td>
                <td>${dot(v.verdict.colour)}</td>
                <td>${v.reported ? html`<span class="tag ok">已报</span>` : html`<span class="tag bad">未报</span>`}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>
    ${pager}`
  return frame(c, '项目清单', '/projects', body)
}

const STATE_LABELS: Record<string, string> = { open: '待复函', replied: '已复函', returned: '已退回', closed: '已办结' }
const URGE_LABELS: Record<string, string> = { missing: '未报催办', lag: '滞后催办' }

/** 填报记录: every version of every month's report, newest first. */
const REPORT_COLUMNS = ['月份', figure('版本'), '提交时间', '填报人', figure('本期(万元)'), figure('本年累计(万元)'), '形象进度', '问题', '更正说明']

/** A project's page, or undefined when it does not exist or the person may not see it (the route answers 404). */
export async function projectPage(c: WebCtx, id: number): Promise<Html | undefined> {
  const project = await visibleProject(c, id)
  if (!project) return undefined
  const status = await projectStatus(c.db, c.rules, project, c.month).catch((e: unknown) => (e instanceof NotFound ? null : Promise.reject(e)))
  const year = Number(c.month.slice(0, 4))
  const last = Number(c.month.slice(5, 7))
  const curve: { period: string; completion: number | null; schedule: number | null; ytd: number }[] = []
  for (let m = 1; m <= last; m++) {
    const key = monthKey(year, m)
    const [f] = await projectMonths(c.db, key, { projectId: id, planCurve: true })
    if (!f) continue
    const v = viewOf(c.rules, f, key)
    curve.push({
      period: key,
      completion: v.completion ? toPercent(v.completion) : null,
      schedule: v.schedule ? toPercent(v.schedule) : null,
      ytd: v.ytd,
    })
  }
  const [reports, problems, supervisions, urges, colours, contacts, leader] = await Promise.all([
    reportsOfProject(c.db, id),
    problemsOfProject(c.db, id),
    supervisionsOfProject(c.db, id),
    urgesOfProject(c.db, id),
    coloursOfProject(c.db, id),
    contactsOfProject(c.db, id),
    project.leaderPersonId ? personById(c.db, project.leaderPersonId) : Promise.resolve(undefined),
  ])
  const today = localDate(c.now)
  const v = status?.view
  const body = html` <div class="cards">
      <div class="kpi">
        <span>责任单位</span><b>${c.units.get(project.unitId)?.name ?? ''}</b><span>${project.sector} · ${project.stage} · ${project.level}</span>
      </div>
      <div class="kpi">
        <span>年度计划 / 总投资</span><b>${wan(project.annualPlan)}万元</b><span>总投资 ${wan(project.totalInvestment)}万元</span>
      </div>
      <div class="kpi">
        <span>本年累计（${periodLabel(c.month)}）</span><b>${v ? `${wan(v.ytd)}万元` : '—'}</b
        ><span>完成率 ${pct(v?.completion)} · 序时 ${pct(v?.schedule)}</span>
      </div>
      <div class="kpi">
        <span>色牌</span><b>${v ? dot(v.verdict.colour) : '—'}</b><span>${v ? describeVerdict(v.verdict, countedUrges(c.rules, v)) : ''}</span>
      </div>
      <div class="kpi">
        <span>包联领导 / 联系人</span><b>${leader?.name ?? '—'}</b><span>${contacts.map((p) => p.name).join('、') || '无联系人'}</span>
      </div>
    </div>
    <section class="panel">
      <h2>完成率与序时（逐月）</h2>
      ${lineChart({
        title: `${project.name} 完成率与序时`,
        labels: curve.map((x) => monthLabel(x.period)),
        series: [
          { name: '完成率', colour: '#1f6fd1', values: curve.map((x) => x.completion) },
          { name: '序时进度（计划）', colour: '#d33a2c', dashed: true, values: curve.map((x) => x.schedule) },
        ],
      })}
      <table>
        ${thead(['月份', ...curve.map((x) => figure(monthLabel(x.period)))])}
        <tbody>
          <tr>
            <td>本年累计(万元)</td>
            ${curve.map((x) => html`<td class="n">${wan(x.ytd)}</td>`)}
          </tr>
          <tr>
            <td>色牌（冻结）</td>
            ${curve.map((x) => {
              const frozen = colours.find((k) => k.period === x.period)
              return html`<td class="n">${frozen ? dot(frozen.colour as Colour) : '—'}</td>`
            })}
          </tr>
        </tbody>
      </table>
    </section>
    <section class="panel" id="reports">
      <h2>填报记录（${reports.length}个版本）</h2>
      <table>
        ${thead(REPORT_COLUMNS)}
        <tbody>
          ${reports.map(
            (r) =>
              html`<tr class="${r.r.current ? '' : 'muted'}">
                <td>${r.kind === 'monthly' ? periodLabel(r.period) : r.period}</td>
                <td class="n">v${r.r.version}${r.r.current ? '' : '（旧）'}</td>
                <td>
                  ${localDateTime(new Date(r.r.submittedAt))}${r.r.firstSubmittedAt > r.deadlineAt ? html` <span class="tag bad">逾期</span>` : ''}
                </td>
                <td>${r.by ?? ''}</td>
                <td class="n">${r.r.periodInvestment === null ? '—' : formatWan(r.r.periodInvestment, 0)}</td>
                <td class="n">${formatWan(r.r.ytdInvestment, 0)}</td>
                <td>${r.r.progressText}</td>
                <td>${r.r.problemsText}</td>
                <td>${r.r.correctionReason ?? ''}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </section>
    <div class="grid2">
      <section class="panel">
        <h2>问题（${problems.length}）</h2>
        <table>
          ${thead(['编号', '问题', '状态', '责任单位', '期限'])}
          <tbody>
            ${problems.map(
              (r) =>
                html`<tr class="${r.p.state !== 'closed' && r.p.dueOn && r.p.dueOn < today ? 'overdue' : ''}">
                  <td>#${r.p.id}</td>
                  <td>${r.p.description}</td>
                  <td>${PROBLEM_STATE_LABELS[r.p.state]}</td>
                  <td>${r.unitName ?? '—'}</td>
                  <td>${r.p.dueOn ?? '—'}</td>
                </tr>`,
            )}
          </tbody>
        </table>
      </section>
      <section class="panel">
        <h2>督办（${supervisions.length}）</h2>
        <table>
          ${thead(['编号', '事项', '督办人', '状态', '期限'])}
          <tbody>
            ${supervisions.map(
              (r) =>
                html`<tr class="${r.s.state !== 'closed' && (r.s.replyDueOn ?? r.s.dueOn) < today ? 'overdue' : ''}">
                  <td>D${r.s.id}</td>
                  <td>${r.s.matter}</td>
                  <td>${r.issuer ?? ''}</td>
                  <td>${STATE_LABELS[r.s.state] ?? r.s.state}</td>
                  <td>${r.s.replyDueOn ?? r.s.dueOn}</td>
                </tr>`,
            )}
          </tbody>
        </table>
      </section>
      <section class="panel">
        <h2>催办（${urges.length}）</h2>
        <table>
          ${thead(['时间', '月份', '类型', '催办人'])}
          <tbody>
            ${urges.map(
              (r) =>
                html`<tr>
                  <td>${localDateTime(new Date(r.u.at))}</td>
                  <td>${r.u.period}</td>
                  <td>${URGE_LABELS[r.u.kind] ?? r.u.kind}</td>
                  <td>${r.by ?? '调度助手'}</td>
                </tr>`,
            )}
          </tbody>
        </table>
      </section>
      <section class="panel">
        <h2>色牌记录</h2>
        <table>
          ${thead(['月份', '色牌', figure('本年累计(万元)'), figure('催办')])}
          <tbody>
            ${colours.map(
              (k) =>
                html`<tr>
                  <td>${periodLabel(k.period)}</td>
                  <td>${dot(k.colour as Colour)}</td>
                  <td class="n">${wan(k.ytdInvestment)}</td>
                  <td class="n">${k.urgeCount}</td>
                </tr>`,
            )}
          </tbody>
        </table>
      </section>
    </div>`
  return frame(c, `${project.code} ${project.name}`, '/projects', body)
}
