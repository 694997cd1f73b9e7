/**
 * 台账 (问题) and 督办: every item the person sees with its state, owners and deadline in working days,
 * overdue first. Each item's number opens its page (items.ts), with the actions its chat card offers the person.
 */
import { localDate } from '../../domain/time.ts'
import { PROBLEM_STATE_LABELS } from '../../cards/conversation.ts'
import { PROBLEM_STATES, SUPERVISION_STATES } from '../../store/schema.ts'
import { figure, html, thead, type Html } from '../html.ts'
import { frame, type WebCtx } from '../context.ts'
import { problemsWithNames, supervisionsWithNames } from '../queries.ts'
import { sees } from '../scope.ts'

interface ItemOfProject {
  projectUnit: number
  sector: string
  leaderOfProject: number | null
}

/** Whether the person sees a problem: its project, a unit of theirs it is assigned to, or one they raised or hold. */
export function problemVisible(
  c: WebCtx,
  r: ItemOfProject & { p: { projectId: number; assigneeUnitId: number | null; assigneePersonId: number | null; reporterPersonId: number | null } },
): boolean {
  return (
    sees(c.scope, { id: r.p.projectId, unitId: r.projectUnit, sector: r.sector, leaderPersonId: r.leaderOfProject }) ||
    (r.p.assigneeUnitId !== null && c.scope.unitIds.has(r.p.assigneeUnitId)) ||
    r.p.reporterPersonId === c.person.id ||
    r.p.assigneePersonId === c.person.id
  )
}

/** Whether the person sees a 督办: its project, or one they issued. */
export function supervisionVisible(c: WebCtx, r: ItemOfProject & { s: { projectId: number; issuedBy: number | null } }): boolean {
  return (
    sees(c.scope, { id: r.s.projectId, unitId: r.projectUnit, sector: r.sector, leaderPersonId: r.leaderOfProject }) || r.s.issuedBy === c.person.id
  )
}

export const SUPERVISION_STATE_LABELS: Record<string, string> = { open: '待复函', replied: '已复函', returned: '已退回', closed: '已办结' }
export const LEVEL_LABELS: Record<string, string> = { office: '办公室', vice: '分管副县长', executive: '常务副县长', county: '县长' }

/** '剩 3 个工作日', '今日到期', '逾期 2 个工作日', from today to the due date in working days. */
export function dueText(c: WebCtx, due: string | null, today: string): { text: string; overdue: boolean; order: number } {
  if (!due) return { text: '未定期限', overdue: false, order: Number.MAX_SAFE_INTEGER }
  const n = c.calendar.workdaysBetween(today, due)
  if (due < today) return { text: `逾期 ${Math.max(1, -n)} 个工作日`, overdue: true, order: n }
  if (due === today) return { text: '今日到期', overdue: false, order: 0 }
  return { text: `剩 ${n} 个工作日`, overdue: false, order: n }
}

const stateFilter = (name: string, states: readonly string[], labels: Record<string, string>, selected: string | undefined) =>
  html`<label
    >状态<select name="${name}">
      <option value="">未办结</option>
      ${states.map((s) => html`<option value="${s}" ${s === selected ? html` selected` : ''}>${labels[s] ?? s}</option>`)}
      <option value="all" ${selected === 'all' ? html` selected` : ''}>全部</option>
    </select></label
  >`

/** The 问题台账: one row a problem, with its owners and time limit. */
const PROBLEM_COLUMNS = ['编号', '项目', '问题', '状态', '调度层级', '责任单位', '责任人', '包联领导', '期限', '剩余', figure('通报')]

export async function problemsPage(c: WebCtx, q: { state?: string }): Promise<Html> {
  const today = localDate(c.now)
  const all = q.state !== undefined && q.state !== ''
  const rows = (await problemsWithNames(c.db, { all }))
    .filter((r) => problemVisible(c, r))
    .filter((r) => !all || q.state === 'all' || r.p.state === q.state)
    .map((r) => ({
      ...r,
      due: r.p.state === 'closed' ? { text: '已销号', overdue: false, order: Number.MAX_SAFE_INTEGER } : dueText(c, r.p.dueOn, today),
    }))
    .sort((a, b) => Number(b.due.overdue) - Number(a.due.overdue) || a.due.order - b.due.order || a.p.id - b.p.id)
  const body = html` <form class="filters" method="get" action="/problems">
      ${stateFilter('state', PROBLEM_STATES, PROBLEM_STATE_LABELS, q.state)}<button type="submit">筛选</button>
    </form>
    <p class="muted">
      共 ${rows.length} 个，逾期 ${rows.filter((r) => r.due.overdue).length}
      个。点编号查看问题并办理（交办、更新进展、申请销号、确认销号或驳回，与聊天中的命令相同）。
    </p>
    <div class="panel">
      <table id="problems">
        ${thead(PROBLEM_COLUMNS)}
        <tbody>
          ${rows.map(
            (r) =>
              html`<tr class="${r.due.overdue ? 'overdue' : ''}">
                <td><a href="/problems/${r.p.id}">#${r.p.id}</a></td>
                <td><a href="/projects/${r.p.projectId}">${r.projectName}</a></td>
                <td class="wrap">${r.p.description}</td>
                <td>${PROBLEM_STATE_LABELS[r.p.state]}</td>
                <td>${LEVEL_LABELS[r.p.level] ?? r.p.level}</td>
                <td>${r.unitName ?? '—'}</td>
                <td>${r.assignee ?? '—'}</td>
                <td>${r.leader ?? '—'}</td>
                <td>${r.p.dueOn ?? '—'}</td>
                <td class="${r.due.overdue ? 'down' : ''}">${r.due.text}</td>
                <td class="n">${r.p.noticeCount}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>`
  return frame(c, '问题台账', '/problems', body)
}

export async function supervisionsPage(c: WebCtx, q: { state?: string }): Promise<Html> {
  const today = localDate(c.now)
  const all = q.state !== undefined && q.state !== ''
  const rows = (await supervisionsWithNames(c.db, { all }))
    .filter((r) => supervisionVisible(c, r))
    .filter((r) => !all || q.state === 'all' || r.s.state === q.state)
    .map((r) => ({
      ...r,
      due:
        r.s.state === 'closed' ? { text: '已办结', overdue: false, order: Number.MAX_SAFE_INTEGER } : dueText(c, r.s.replyDueOn ?? r.s.dueOn, today),
    }))
    .sort((a, b) => Number(b.due.overdue) - Number(a.due.overdue) || a.due.order - b.due.order || a.s.id - b.s.id)
  const body = html` <form class="filters" method="get" action="/supervisions">
      ${stateFilter('state', SUPERVISION_STATES, SUPERVISION_STATE_LABELS, q.state)}<button type="submit">筛选</button>
    </form>
    <p class="muted">
      共 ${rows.length} 件，逾期 ${rows.filter((r) => r.due.overdue).length}
      件。点编号查看督办并办理（复函、办结、退回，与聊天中的命令相同）；新督办在聊天中发送「督办 项目名 事项 N个工作日」。
    </p>
    <div class="panel">
      <table id="supervisions">
        ${thead(['编号', '项目', '责任单位', '督办事项', '督办人', '状态', '复函期限', '剩余', figure('通报'), '复函'])}
        <tbody>
          ${rows.map(
            (r) =>
              html`<tr class="${r.due.overdue ? 'overdue' : ''}">
                <td><a href="/supervisions/${r.s.id}">D${r.s.id}</a></td>
                <td><a href="/projects/${r.s.projectId}">${r.projectName}</a></td>
                <td>${r.unitName}</td>
                <td class="wrap">${r.s.matter}</td>
                <td>${r.issuer ?? ''}</td>
                <td>${SUPERVISION_STATE_LABELS[r.s.state] ?? r.s.state}</td>
                <td>${r.s.replyDueOn ?? r.s.dueOn}</td>
                <td class="${r.due.overdue ? 'down' : ''}">${r.due.text}</td>
                <td class="n">${r.s.noticeCount}</td>
                <td class="wrap">${r.s.reply ?? ''}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>`
  return frame(c, '督办', '/supervisions', body)
}
