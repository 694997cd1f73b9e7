/** Reading commands: 查, 排名, 红黄牌, 通报, 问题台账, 已阅, 帮助. */
import { and, desc, eq, inArray, ne } from 'drizzle-orm'
import type { BotResult } from '../model.ts'
import type { Turn } from '../handle.ts'
import { auditLog, problems, projects, supervisions, units } from '../../store/schema.ts'
import { boardCard, bulletinCard, helpCard, problemListCard, projectStatusCard, redYellowCard, periodLabel, type ProblemView } from '../cards.ts'
import { findProjectOrUnit, findUnit, nameOf } from '../lookup.ts'
import { setPending } from '../pending.ts'
import { projectStatus } from '../../services/status.ts'
import { boardUnits, monthBoard, projectMonths, viewOf } from '../../services/monthly.ts'
import { monthlyBulletin, redYellowList } from '../../services/bulletin.ts'
import { statisticalMonth, previous as previousPeriod, monthKey } from '../../domain/periods.ts'
import { localDate, shanghaiParts } from '../../domain/time.ts'
import { formatWan } from '../../domain/money.ts'
import { formatPercent } from '../../domain/ratio.ts'
import { COLOUR_LABELS } from '../../domain/colours.ts'
import { isLeader, isOffice } from '../permissions.ts'
import { projectsOfContact } from '../../store/repos/projects.ts'

const text = (turn: Turn, t: string): BotResult => ({ messages: [turn.reply({ kind: 'text', text: t })] })

/** The month a question is about: the latest one whose round has opened (the live month once it opens). */
export function currentMonth(turn: Turn): string {
  return statisticalMonth(localDate(turn.ctx.now), { openDay: turn.ctx.rules.monthlyOpenDay })
}

export async function helpCommand(turn: Turn): Promise<BotResult> {
  return { messages: [turn.reply({ kind: 'card', card: helpCard(turn.person, turn.ctx.demo) })] }
}

/** Asks "您要找的是不是…" and remembers the question so a reply of "2" completes the command. */
async function askWhich(turn: Turn, command: 'query' | 'supervise' | 'urge' | 'problems', args: Record<string, unknown>, argName: string, names: string[]): Promise<BotResult> {
  await setPending(turn.ctx.db, turn.person.id, { kind: 'choose', command, args, argName, options: names.map((n) => ({ label: n, value: n })) }, turn.ctx.now)
  return text(turn, `您要找的是不是：\n${names.map((n, i) => `${i + 1}. ${n}`).join('\n')}\n请回复序号。`)
}

export async function queryCommand(turn: Turn, args: Record<string, unknown>): Promise<BotResult> {
  const target = typeof args.target === 'string' ? args.target.trim() : ''
  const period = typeof args.period === 'string' ? args.period : currentMonth(turn)
  if (!target) {
    const mine = await projectsOfContact(turn.ctx.db, turn.person.id)
    if (mine.length === 1) return queryCommand(turn, { target: mine[0]!.code })
    return text(turn, '请告诉我要查的项目或单位，例如「查 城东污水处理厂」或「查 城关镇」。')
  }
  const found = await findProjectOrUnit(turn.ctx.db, target)
  if (found.kind === 'none') return text(turn, `没有找到「${target}」。请检查名称，或发送项目编号，例如「查 XM2026-001」。`)
  if (found.kind === 'unsure') return askWhich(turn, 'query', { ...args }, 'target', found.options.map(nameOf))
  const item = found.item
  if ('project' in item) {
    const s = await projectStatus(turn.ctx.db, turn.ctx.rules, item.project, period)
    return { messages: [turn.reply({ kind: 'card', card: projectStatusCard(s, turn.ctx.demo) })] }
  }
  // A unit: its projects with colours, and where it stands on the board.
  const board = await monthBoard(turn.ctx.db, turn.ctx.rules, period, await boardUnits(turn.ctx.db), turn.ctx.now)
  const line = board.leagues.flatMap((l) => l.lines).find((l) => l.unitId === item.unit.id)
  const views = (await projectMonths(turn.ctx.db, period, { detail: true })).filter((p) => p.unitId === item.unit.id).map((p) => viewOf(turn.ctx.rules, p, period))
  const rows = views.map((v) => ({ name: v.name, ytd: formatWan(v.ytd), completion: v.completion ? formatPercent(v.completion) : '—', colour: COLOUR_LABELS[v.verdict.colour], reported: v.reported ? '已报' : '未报' }))
  return {
    messages: [turn.reply({ kind: 'card', card: {
      template: 'unit-status',
      colour: 'blue',
      title: `${item.unit.name} · ${periodLabel(period)}`,
      subtitle: line ? `${item.unit.league}第 ${line.rank} 名，完成率 ${line.completion ? formatPercent(line.completion) : '—'}，序时 ${line.schedule ? formatPercent(line.schedule) : '—'}` : item.unit.league,
      elements: [
        { kind: 'table', columns: [{ key: 'name', label: '项目' }, { key: 'ytd', label: '本年累计(万元)', numeric: true }, { key: 'completion', label: '完成率' }, { key: 'colour', label: '色牌' }, { key: 'reported', label: '本月' }], rows },
        ...(turn.ctx.demo ? [{ kind: 'note' as const, text: '【演示数据】以上为演示县数据' }] : []),
      ],
    } })],
  }
}

export async function boardCommand(turn: Turn, args: Record<string, unknown>): Promise<BotResult> {
  const live = currentMonth(turn)
  const period = args.offset === -1 ? previousPeriod(live) : live
  const league = typeof args.league === 'string' ? args.league : undefined
  const board = await monthBoard(turn.ctx.db, turn.ctx.rules, period, await boardUnits(turn.ctx.db), turn.ctx.now)
  const p = shanghaiParts(turn.ctx.now)
  const title = args.scope === 'week' ? `赛马比拼周榜（截至${p.month}月${p.day}日，${periodLabel(period)}数据）` : undefined
  return { messages: [turn.reply({ kind: 'card', card: boardCard(board, { league, title, demo: turn.ctx.demo }) })] }
}

export async function redYellowCommand(turn: Turn, args: Record<string, unknown>): Promise<BotResult> {
  const period = currentMonth(turn)
  const colour = args.colour === 'yellow' || args.colour === 'red' ? args.colour : undefined
  const items = await redYellowList(turn.ctx.db, turn.ctx.rules, period, colour)
  return { messages: [turn.reply({ kind: 'card', card: redYellowCard(period, items, turn.ctx.demo) })] }
}

export async function bulletinCommand(turn: Turn, args: Record<string, unknown>): Promise<BotResult> {
  const p = args.period
  const live = currentMonth(turn)
  const { year } = shanghaiParts(turn.ctx.now)
  const period = typeof p === 'string' ? p
    : p && typeof p === 'object' && 'relative' in p ? ((p as { relative: number }).relative === -1 ? previousPeriod(live) : live)
    : p && typeof p === 'object' && 'month' in p ? monthKey(year, (p as { month: number }).month)
    : live
  const b = await monthlyBulletin(turn.ctx.db, turn.ctx.rules, period, turn.ctx.now)
  return { messages: [turn.reply({ kind: 'card', card: bulletinCard(b, turn.ctx.demo) })] }
}

/** 问题台账: a contact sees their projects' problems, a unit head their unit's, leaders and the office all. */
export async function problemsCommand(turn: Turn, args: Record<string, unknown>): Promise<BotResult> {
  const { db } = turn.ctx
  let unitId: number | undefined
  let title = '问题台账'
  if (typeof args.unit === 'string' && args.unit.trim()) {
    const found = await findUnit(db, args.unit)
    if (found.kind === 'none') return text(turn, `没有找到单位「${args.unit}」。`)
    if (found.kind === 'unsure') return askWhich(turn, 'problems', { ...args }, 'unit', found.options.map((u) => u.name))
    unitId = found.item.id
    title = `${found.item.name} 问题台账`
  }
  const rows = await db
    .select({ p: problems, projectName: projects.name, projectUnit: projects.unitId, unitName: units.name })
    .from(problems)
    .innerJoin(projects, eq(projects.id, problems.projectId))
    .leftJoin(units, eq(units.id, problems.assigneeUnitId))
    .where(ne(problems.state, 'closed'))
    .orderBy(problems.id)
    .all()
  let visible = rows
  if (!isLeader(turn.person) && !isOffice(turn.person)) {
    const mine = new Set((await projectsOfContact(db, turn.person.id)).map((p) => p.id))
    const unit = turn.person.unitId
    visible = rows.filter((r) => mine.has(r.p.projectId) || (unit !== null && (r.projectUnit === unit || r.p.assigneeUnitId === unit)) || r.p.reporterPersonId === turn.person.id)
  }
  if (unitId !== undefined) visible = visible.filter((r) => r.projectUnit === unitId || r.p.assigneeUnitId === unitId)
  const items: ProblemView[] = visible.slice(0, 50).map((r) => ({ id: r.p.id, description: r.p.description, state: r.p.state, project: r.projectName, unit: r.unitName, dueOn: r.p.dueOn }))
  return { messages: [turn.reply({ kind: 'card', card: problemListCard(title, items, turn.ctx.demo) })] }
}

/** 已阅: acknowledges the latest 督办 or 通报 sent to this person; recorded in the audit trail. */
export async function ackCommand(turn: Turn, args: Record<string, unknown>): Promise<BotResult> {
  const { db, now } = turn.ctx
  let what = typeof args.bulletin === 'string' ? `${periodLabel(args.bulletin)}通报` : ''
  let entity = 'bulletin'
  let entityId = 0
  const supervisionId = Number(args.supervisionId)
  if (Number.isInteger(supervisionId) && supervisionId > 0) {
    const s = await db.select().from(supervisions).where(eq(supervisions.id, supervisionId)).get()
    if (!s) return text(turn, '没有找到这条督办。')
    what = `督办 D${s.id}`
    entity = 'supervision'
    entityId = s.id
  } else if (!what) {
    // Typed 已阅: the newest open 督办 on a project this person reports for or heads.
    const mine = (await projectsOfContact(db, turn.person.id)).map((p) => p.id)
    const open = mine.length
      ? await db.select().from(supervisions).where(and(inArray(supervisions.projectId, mine), eq(supervisions.state, 'open'))).orderBy(desc(supervisions.id)).get()
      : undefined
    if (open) {
      what = `督办 D${open.id}`
      entity = 'supervision'
      entityId = open.id
    } else what = '最新通报'
  }
  await db.insert(auditLog).values({ at: now.getTime(), actorPersonId: turn.person.id, entity, entityId, action: 'ack', before: null, after: { what } })
  return { toast: { kind: 'success', text: '已阅' }, messages: [turn.reply({ kind: 'text', text: `已记录：${turn.person.name} 已阅${what}。` })] }
}

export async function bindWhenKnown(turn: Turn): Promise<BotResult> {
  return text(turn, `您已绑定为 ${turn.person.name}（${turn.person.title ?? ''}）。如需更换，请联系县重点项目办公室。`)
}

