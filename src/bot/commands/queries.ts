/** Reading commands: 帮助, 查, 排名, 红黄牌, 通报, 问题台账, 已阅, 版本. */
import { z } from 'zod'
import type { BotResult } from '../../model/index.ts'
import type { Turn } from '../handle.ts'
import { LEAGUES } from '../../store/schema.ts'
import { openProblemsWithNames } from '../../store/repos/problems.ts'
import { supervisionById } from '../../store/repos/supervisions.ts'
import { supervisionRefresh } from './supervision.ts'
import { recordAudit } from '../../store/repos/audit.ts'
import {
  boardCard,
  bulletinCard,
  helpCard,
  problemListCard,
  projectStatusCard,
  redYellowCard,
  periodLabel,
  unitStatusCard,
  scorePartsElement,
  type ProblemView,
} from '../../cards/conversation.ts'
import { askWhich, command, say } from '../registry.ts'
import pkg from '../../../package.json' with { type: 'json' }
import { id, words } from '../args.ts'
import { helpLines } from './index.ts'
import { buttonsOf, findProjectOrUnit, findUnit, hasAcknowledged, nameOf, recentCardsOf } from '../lookup.ts'
import { NotFound, projectStatus } from '../../services/status.ts'
import { boardUnits, monthBoard, projectMonths, viewOf } from '../../services/monthly.ts'
import { monthlyBulletin } from '../../services/bulletin.ts'
import { boardOfMonth, monthViews, noDataText, redYellowList, resolveSector, sectorBoardOfMonth } from '../../services/boards.ts'
import { knownSectors } from '../../store/repos/sectors.ts'
import { sectorBoardCard } from '../../cards/colours.ts'
import { peopleById } from '../../store/repos/people.ts'
import { openInterviews } from '../../store/repos/interviews.ts'
import { statisticalMonth, previous as previousPeriod, monthKey } from '../../domain/periods.ts'
import { localDate, shanghaiParts } from '../../domain/time.ts'
import { formatWan } from '../../domain/money.ts'
import { formatPercent } from '../../domain/ratio.ts'
import { COLOUR_LABELS } from '../../domain/colours.ts'
import { hasRole, isLeader, isOffice, leadersAndOffice } from '../permissions.ts'
import { projectById, projectsOfContact } from '../../store/repos/projects.ts'
import { contactsOfProject, unitById } from '../../store/repos/directory.ts'

/** The month a question is about: the latest one whose round has opened (the live month once it opens). */
export function currentMonth(turn: Turn): string {
  return statisticalMonth(localDate(turn.ctx.now), { openDay: turn.ctx.rules.monthlyOpenDay })
}

async function helpCommand(turn: Turn): Promise<BotResult> {
  // A 指挥长's open 约谈 (a yellow card's) are one tap away from his help.
  const interviews = isLeader(turn.person) ? (await openInterviews(turn.ctx.db, turn.person.id)).length : 0
  const buttons = [
    ...(hasRole(turn.person, 'contact') ? [{ label: '我要填报', style: 'primary' as const, command: 'report' }] : []),
    ...(interviews ? [{ label: `待开展约谈（${interviews}）`, style: 'primary' as const, command: 'interviews' }] : []),
    { label: '本月排名', command: 'board', args: { scope: 'month' } },
    { label: '红黄牌', command: 'redyellow' },
    { label: '问题台账', command: 'problems' },
  ]
  return {
    messages: [turn.reply({ kind: 'card', card: helpCard(turn.person.name, helpLines(turn.person), buttons, turn.ctx.demo, turn.ctx.rules.county) })],
  }
}

/** Asks "您要找的是不是…" and remembers the question so a reply of "2" completes the command. */

const queryArgs = z.object({
  target: words,
  period: z
    .string()
    .regex(/^\d{4}-\d{2}$/)
    .optional(),
})

async function queryCommand(turn: Turn, args: z.output<typeof queryArgs>): Promise<BotResult> {
  const period = args.period ?? currentMonth(turn)
  if (!args.target) {
    const mine = await projectsOfContact(turn.ctx.db, turn.person.id)
    if (mine.length === 1) return queryCommand(turn, { target: mine[0]!.code, period })
    return say(turn, '请告诉我要查的项目或单位，例如「查 城东污水处理厂」或「查 城关镇」。')
  }
  const found = await findProjectOrUnit(turn.ctx.db, args.target)
  if (found.kind === 'none') return say(turn, `没有找到「${args.target}」。请检查名称，或发送项目编号，例如「查 XM2026-001」。`)
  if (found.kind === 'unsure') return askWhich(turn, 'query', { ...args }, 'target', found.options.map(nameOf))
  const item = found.item
  if ('project' in item) {
    const s = await projectStatus(turn.ctx.db, turn.ctx.rules, item.project, period).catch((e: unknown) =>
      e instanceof NotFound ? e : Promise.reject(e),
    )
    if (s instanceof NotFound) return say(turn, `${s.message}。请联系${turn.ctx.rules.county.office}核实。`)
    const card = projectStatusCard(s, turn.ctx.demo)
    // A published month is shown as published, and says where later corrections go (the same words every time).
    if (s.published) card.elements.push({ kind: 'note', text: `${periodLabel(period)}排名已发布，以上为发布时的数据；此后的更正计入下月` })
    return { messages: [turn.reply({ kind: 'card', card })] }
  }
  // A unit: its projects with colours, where it stands on the board (as published, once it is), and its score's parts.
  const board = await boardOf(turn, period)
  const line = board?.leagues.flatMap((l) => l.lines).find((l) => l.unitId === item.unit.id)
  const views = (await monthViews(turn.ctx.db, turn.ctx.rules, period)).filter((p) => p.unitId === item.unit.id)
  const card = unitStatusCard(item.unit, period, line, views, turn.ctx.demo)
  if (line?.parts) card.elements.splice(0, 0, scorePartsElement(line))
  return { messages: [turn.reply({ kind: 'card', card })] }
}

/** A month's board: as published once its round closed (what was published is what is kept), else live; undefined with no data. */
async function boardOf(turn: Turn, period: string) {
  return boardOfMonth(turn.ctx.db, turn.ctx.rules, period, turn.ctx.now)
}

const boardArgs = z.object({
  scope: z.enum(['week', 'month']).default('month'),
  offset: z.coerce
    .number()
    .pipe(z.union([z.literal(0), z.literal(-1), z.literal(-2)]))
    .default(0),
  league: z.enum(LEAGUES).optional(),
  /** A month by name: 'YYYY-MM', or a month of the year not written (the latest such month not after now). */
  period: z.union([z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/), z.object({ month: z.number().int().min(1).max(12) })]).optional(),
  /** One 分指挥部's board of projects (「排名 工业」, 「工业分指挥部排名」). */
  sector: words,
})

async function boardCommand(turn: Turn, args: z.output<typeof boardArgs>): Promise<BotResult> {
  const live = currentMonth(turn)
  const { year, month } = shanghaiParts(turn.ctx.now)
  const named =
    args.period === undefined
      ? undefined
      : typeof args.period === 'string'
        ? args.period
        : monthKey(args.period.month <= month ? year : year - 1, args.period.month)
  const period = named ?? (args.offset === -2 ? previousPeriod(previousPeriod(live)) : args.offset === -1 ? previousPeriod(live) : live)
  if (named && named > live) return say(turn, `${periodLabel(named)}的调度尚未开始，还没有排名。发送「排名」查看${periodLabel(live)}。`)
  if (args.sector) return sectorBoardReply(turn, { ...args, sector: args.sector }, period)
  const board = await boardOf(turn, period)
  if (!board) return say(turn, `${noDataText(period)}。`)
  const p = shanghaiParts(turn.ctx.now)
  const title = args.scope === 'week' ? `赛马比拼周榜（截至${p.month}月${p.day}日，${periodLabel(period)}数据）` : undefined
  const card = boardCard(board, { league: args.league, title, demo: turn.ctx.demo, county: turn.ctx.rules.county })
  // A 副县长 (or a 分指挥部's 指挥长) sees his own sectors' boards one tap away.
  const mine = await sectorsOf(turn)
  if (mine.length)
    card.elements.push({
      kind: 'actions',
      buttons: mine.slice(0, 4).map((s) => ({ label: `${s}分指挥部排名`, command: 'board', args: { sector: s, ...(named && { period: named }) } })),
    })
  return { messages: [turn.reply({ kind: 'card', card })] }
}

/** The sectors a leader is in charge of: those listed on him in the roster and those he is 指挥长 of. */
async function sectorsOf(turn: Turn): Promise<string[]> {
  if (!isLeader(turn.person)) return []
  const listed = turn.person.sectors as string[]
  const known = await knownSectors(turn.ctx.db)
  return known.filter((s) => listed.includes(s.name) || s.row?.commanderPersonId === turn.person.id).map((s) => s.name)
}

/**
 * 「排名 工业」: one 分指挥部's projects ranked by 完成率 against 序时, as published once the month is (else live). A
 * name that is no sector but a unit or project is the 查 of it (「排名 城关镇」); 「分指挥部排名」 alone offers the
 * person's own sectors, or all.
 */
async function sectorBoardReply(turn: Turn, args: z.output<typeof boardArgs> & { sector: string }, period: string): Promise<BotResult> {
  const { db, rules } = turn.ctx
  const bare = args.sector.replace(/的?(?:分指挥部|指挥部)$/, '') === ''
  const found = bare ? { kind: 'unsure' as const, options: [] as string[] } : await resolveSector(db, args.sector)
  if (found.kind === 'none') {
    const other = await findProjectOrUnit(db, args.sector)
    if (other.kind !== 'none') return queryCommand(turn, { target: args.sector, period: undefined })
    return say(
      turn,
      `没有「${args.sector}」分指挥部。现有：${found.known.join('、') || '无'}。发送「排名 分指挥部名」查看，例如「排名 ${found.known[0] ?? '工业'}」。`,
    )
  }
  if (found.kind === 'unsure') {
    const options = found.options.length
      ? found.options
      : (await sectorsOf(turn)).length
        ? await sectorsOf(turn)
        : (await knownSectors(db)).map((s) => s.name)
    if (!options.length) return say(turn, '还没有分指挥部：导入项目时填写「分指挥部/领域」一栏即可。')
    if (options.length === 1) return sectorBoardReply(turn, { ...args, sector: options[0]! }, period)
    return askWhich(turn, 'board', { ...args }, 'sector', options)
  }
  const board = await sectorBoardOfMonth(db, rules, period, found.name)
  if (!board) return say(turn, `${noDataText(period)}。`)
  const commanderId = (await knownSectors(db)).find((s) => s.name === found.name)?.row?.commanderPersonId
  const commander = commanderId ? (await peopleById(db, [commanderId])).get(commanderId)?.name : undefined
  const card = sectorBoardCard(board, { ...(commander && { commander }), demo: turn.ctx.demo, county: rules.county })
  return { messages: [turn.reply({ kind: 'card', card })] }
}

const redYellowArgs = z.object({ colour: z.enum(['yellow', 'red']).optional() })

async function redYellowCommand(turn: Turn, args: z.output<typeof redYellowArgs>): Promise<BotResult> {
  const period = currentMonth(turn)
  const items = await redYellowList(turn.ctx.db, turn.ctx.rules, period, args.colour)
  return { messages: [turn.reply({ kind: 'card', card: redYellowCard(period, items, turn.ctx.demo, turn.ctx.rules.county) })] }
}

const bulletinArgs = z.object({
  period: z
    .union([
      z.string().regex(/^\d{4}-\d{2}$/),
      z.object({ relative: z.union([z.literal(0), z.literal(-1)]) }),
      z.object({ month: z.number().int().min(1).max(12) }),
    ])
    .optional(),
})

async function bulletinCommand(turn: Turn, args: z.output<typeof bulletinArgs>): Promise<BotResult> {
  const p = args.period
  const live = currentMonth(turn)
  const { year } = shanghaiParts(turn.ctx.now)
  const period =
    p === undefined ? live : typeof p === 'string' ? p : 'relative' in p ? (p.relative === -1 ? previousPeriod(live) : live) : monthKey(year, p.month)
  const b = await monthlyBulletin(turn.ctx.db, turn.ctx.rules, period, turn.ctx.now)
  return { messages: [turn.reply({ kind: 'card', card: bulletinCard(b, turn.ctx.demo, turn.ctx.rules.county) })] }
}

const problemsArgs = z.object({ unit: words })

/** 问题台账: a contact sees their projects' problems, a unit head their unit's, leaders and the office all. */
async function problemsCommand(turn: Turn, args: z.output<typeof problemsArgs>): Promise<BotResult> {
  const { db } = turn.ctx
  let unitId: number | undefined
  let title = '问题台账'
  if (args.unit) {
    const found = await findUnit(db, args.unit)
    if (found.kind === 'none') return say(turn, `没有找到单位「${args.unit}」。`)
    if (found.kind === 'unsure')
      return askWhich(
        turn,
        'problems',
        { ...args },
        'unit',
        found.options.map((u) => u.name),
      )
    unitId = found.item.id
    title = `${found.item.name} 问题台账`
  }
  const rows = await openProblemsWithNames(db)
  let visible = rows
  if (!isLeader(turn.person) && !isOffice(turn.person)) {
    const mine = new Set((await projectsOfContact(db, turn.person.id)).map((p) => p.id))
    const unit = turn.person.unitId
    visible = rows.filter(
      (r) =>
        mine.has(r.p.projectId) ||
        (unit !== null && (r.projectUnit === unit || r.p.assigneeUnitId === unit)) ||
        r.p.reporterPersonId === turn.person.id,
    )
  }
  if (unitId !== undefined) visible = visible.filter((r) => r.projectUnit === unitId || r.p.assigneeUnitId === unitId)
  const items: ProblemView[] = visible
    .slice(0, 50)
    .map((r) => ({ id: r.p.id, description: r.p.description, state: r.p.state, project: r.projectName, unit: r.unitName, dueOn: r.p.dueOn }))
  return { messages: [turn.reply({ kind: 'card', card: problemListCard(title, items, turn.ctx.demo) })] }
}

const ackArgs = z.object({
  supervisionId: id.optional(),
  bulletin: z
    .string()
    .regex(/^\d{4}-\d{2}$/)
    .optional(),
})

/** Whether a 督办 on this project is addressed to the person: its contacts, its unit's head, leaders, the office. */
async function answersFor(turn: Turn, projectId: number): Promise<boolean> {
  if (isLeader(turn.person) || isOffice(turn.person)) return true
  const project = await projectById(turn.ctx.db, projectId)
  if (!project) return false
  if ((await unitById(turn.ctx.db, project.unitId))?.headPersonId === turn.person.id) return true
  return (await contactsOfProject(turn.ctx.db, projectId)).some((c) => c.id === turn.person.id)
}

/** What an 已阅 is about: a 督办 or a month's 通报, named as people read it. */
type AckItem = { entity: 'supervision'; entityId: number; what: string } | { entity: 'bulletin'; entityId: number; what: string }

const bulletinItem = (period: string): AckItem => ({
  entity: 'bulletin',
  entityId: Number(period.replace('-', '')),
  what: `${periodLabel(period)}通报`,
})

async function supervisionItem(turn: Turn, supervisionId: number): Promise<AckItem | string> {
  const s = await supervisionById(turn.ctx.db, supervisionId)
  if (!s) return '没有找到这条督办。'
  if (!(await answersFor(turn, s.projectId))) return `督办 D${s.id} 不是发给您的，无需回复已阅。`
  const project = await projectById(turn.ctx.db, s.projectId)
  return { entity: 'supervision', entityId: s.id, what: `督办 D${s.id}（${project?.name ?? ''} ${s.matter}）` }
}

/**
 * 已阅: acknowledges the item the person names (a card's button), or — typed — the latest 督办 or 通报 sent to
 * them (read from what the outbox holds for them) that they have not acknowledged yet; recorded in the audit trail.
 */
async function ackCommand(turn: Turn, args: z.output<typeof ackArgs>): Promise<BotResult> {
  const { db, now } = turn.ctx
  let item: AckItem | undefined
  if (args.supervisionId) {
    const s = await supervisionItem(turn, args.supervisionId)
    if (typeof s === 'string') return say(turn, s)
    item = s
  } else if (args.bulletin) item = bulletinItem(args.bulletin)
  else {
    for (const sent of await recentCardsOf(db, turn.person.id, turn.chat, 60)) {
      const b = buttonsOf(sent.card).find((x) => x.command === 'ack')
      if (!b) continue
      let candidate: AckItem | undefined
      if (b.args.supervisionId) {
        const s = await supervisionById(db, Number(b.args.supervisionId))
        if (!s || s.state === 'closed') continue
        const c = await supervisionItem(turn, s.id)
        if (typeof c !== 'string') candidate = c
      } else if (typeof b.args.bulletin === 'string') candidate = bulletinItem(b.args.bulletin)
      if (candidate && !(await hasAcknowledged(db, turn.person.id, candidate.entity, candidate.entityId))) {
        item = candidate
        break
      }
    }
    if (!item) return say(turn, '您没有待确认的督办或通报。')
  }
  if (await hasAcknowledged(db, turn.person.id, item.entity, item.entityId))
    return { toast: { kind: 'success', text: '已阅' }, messages: [turn.reply({ kind: 'text', text: `您已阅过${item.what}。` })] }
  await recordAudit(db, {
    at: now.getTime(),
    actorPersonId: turn.person.id,
    entity: item.entity,
    entityId: item.entityId,
    action: 'ack',
    before: null,
    after: { what: item.what },
  })
  const done: BotResult = { toast: { kind: 'success', text: '已阅' }, messages: [turn.reply({ kind: 'text', text: `已阅：${item.what}` })] }
  // The 督办's cards of this reader lose their 已阅 button (and the clicked one is replaced).
  const s = item.entity === 'supervision' ? await supervisionById(db, item.entityId) : undefined
  if (!s) return done
  const { refresh, card } = await supervisionRefresh(turn, s)
  return { ...done, refresh: [refresh], ...(turn.event.type === 'card_action' && { updateCard: card(turn.person.id) }) }
}

export const queryCommands = [
  command({ name: 'help', args: z.object({}), run: helpCommand }),
  command({
    name: 'bind',
    args: z.object({}),
    help: { line: '**绑定**：「绑定 手机号」' },
    run: async (turn) => say(turn, `您已绑定为 ${turn.person.name}（${turn.person.title ?? ''}）。如需更换，请联系{office}。`),
  }),
  command({ name: 'query', args: queryArgs, help: { line: '**查询**：「查 项目名或单位名」查看进展、完成率、序时与色牌' }, run: queryCommand }),
  command({ name: 'board', args: boardArgs, help: { line: '**排名**：「排名」「本周排名」「排名 乡镇」查看赛马比拼' }, run: boardCommand }),
  command({ name: 'redyellow', args: redYellowArgs, help: { line: '**红黄牌**：「红黄牌」「黄牌」「红牌」' }, run: redYellowCommand }),
  command({
    name: 'problems',
    args: problemsArgs,
    help: { line: '**问题台账**：「问题」「台账 单位名」；「更新 #12 进展」「申请销号 #12 说明」' },
    run: problemsCommand,
  }),
  command({
    name: 'bulletin',
    args: bulletinArgs,
    allowed: leadersAndOffice,
    help: { line: '**通报**：「通报」「通报 上月」' },
    run: bulletinCommand,
  }),
  command({
    name: 'version',
    words: ['版本', '版本号', 'version'],
    args: z.object({}),
    help: { line: '**版本**：「版本」查看调度助手的版本' },
    run: async (turn) => say(turn, `调度助手 Diaodu ${pkg.version}`),
  }),
  command({ name: 'ack', args: ackArgs, help: { line: '**已阅**：收到督办或通报后回复「已阅」' }, run: ackCommand }),
]
