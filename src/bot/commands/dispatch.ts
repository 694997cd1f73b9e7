/**
 * 四级调度 (qinshui-2024 「实施“四级调度”专项行动」): 县项目攻坚指挥部办公室常态调度 → 分管副县长精准调度 → 常务副县长
 * 专题调度 → 县长顶格调度. Every problem starts with the office; 「提级 #12 理由」 by the office or the leader of its
 * current level moves it up one level and tells that level's leader, with its history. 「我的调度清单」 lists the
 * problems and 督办 at the person's own level, longest waiting first.
 * Who holds a level: services/levels.ts.
 */
import { z } from 'zod'
import type { BotResult, OutboundMessage } from '../../model/index.ts'
import type { Turn } from '../handle.ts'
import { people, type DispatchLevel } from '../../store/schema.ts'
import type { Person } from '../../store/repos/directory.ts'
import { openProblemsAtLevels, problemHistory } from '../../store/repos/problems.ts'
import { projectById, projectsById } from '../../store/repos/projects.ts'
import { unfinishedSupervisions, replyDueOf } from '../../store/repos/supervisions.ts'
import { isLeader, isOffice } from '../permissions.ts'
import { isCountyHead, isExecutive, isVice, levelHolders } from '../../services/levels.ts'
import { command, say } from '../registry.ts'
import { form, problemId, words } from '../args.ts'
import { LEVELS, levelLabel, nextLevel } from '../../domain/supervision.ts'
import { formatDeadline } from '../../cards/conversation.ts'
import { dispatchListCard, raisedCard } from '../../cards/dispatch.ts'
import { commandKeys } from '../../outbox/keys.ts'
import { load, move, refreshOf, text } from './problems.ts'

const holders = levelHolders<Person>

const everyoneIn = (turn: Turn) => turn.ctx.db.select().from(people).all()

/** 提级 #12 <理由>: one level up, to the first level above that has someone to work it. */
const raiseArgs = z.object({ problemId, reason: words, form, level: z.string().optional() })

async function raiseCommand(turn: Turn, args: z.output<typeof raiseArgs>): Promise<BotResult> {
  const p = await load(turn, args)
  if (typeof p === 'string') return text(turn, p)
  if (p.state === 'closed') return text(turn, `问题 #${p.id} 已销号，无需提级。`)
  // A card made for another level: the problem has moved on since (typing carries no stamp).
  if (args.level !== undefined && args.level !== p.level)
    return {
      ...text(turn, `此卡片已过期：问题 #${p.id} 当前为 ${levelLabel(p.level)}。`),
      updateCard: (await refreshOf(turn, p)).card(turn.person.id),
    }
  const project = await projectById(turn.ctx.db, p.projectId)
  if (!project) return text(turn, `没有找到问题 #${p.id} 的项目。`)
  const everyone = await everyoneIn(turn)
  const mine = holders(everyone, p.level, project).some((h) => h.id === turn.person.id)
  if (!mine && !isOffice(turn.person)) return text(turn, `问题 #${p.id} 当前为 ${levelLabel(p.level)}，只有{office}或本级领导可以提级。`)
  const reason = (args.reason ?? args.form.reason ?? '').trim()
  if (!reason) return text(turn, `请写明提级理由，例如「提级 #${p.id} 涉及跨部门用地指标，职责范围内难以协调」。`)
  if (reason.length > 300) return text(turn, '提级理由请在 300 字以内。')
  let to = nextLevel(p.level)
  const skipped: string[] = []
  while (to && holders(everyone, to, project).length === 0) {
    skipped.push(levelLabel(to))
    to = nextLevel(to)
  }
  if (!to)
    return text(turn, p.level === 'county' ? `问题 #${p.id} 已是县长顶格调度，不能再提级。` : `问题 #${p.id} 的上级调度领导未设置，请联系{office}。`)
  const at = turn.ctx.now.getTime()
  const note = `提级：${levelLabel(to)}（${reason}）${skipped.length ? `；${skipped.join('、')}未设人员，已跳过` : ''}`
  const moved = await move(turn, p, p.state, note, { level: to, levelSince: at })
  const { refresh, view } = await refreshOf(turn, moved)
  const history = (await problemHistory(turn.ctx.db, p.id)).map((h) => ({ at: formatDeadline(h.at), person: h.person, note: h.note }))
  const targets = holders(everyone, to, project)
  const card = raisedCard(view, { key: to, label: levelLabel(to) }, reason, history, nextLevel(to) !== null)
  const messages: OutboundMessage[] = targets
    .filter((h) => h.id !== turn.person.id)
    .map((h) => ({ to: { kind: 'person', personId: h.id }, body: { kind: 'card', card }, key: commandKeys.problemLevel(turn.event, p.id, h.id) }))
  messages.unshift(
    turn.reply({
      kind: 'text',
      text: `问题 #${p.id} 已提级为 ${levelLabel(to)}，已告知 ${targets.map((h) => h.name).join('、')}。${skipped.length ? `（${skipped.join('、')}未设人员，已跳过）` : ''}`,
    }),
  )
  return { messages, toast: { kind: 'success', text: '已提级' }, refresh: [refresh] }
}

/** 我的调度清单: problems and 督办 at this person's levels, longest waiting first. */
async function listCommand(turn: Turn): Promise<BotResult> {
  const me = turn.person
  const levels: DispatchLevel[] = [
    ...(isOffice(me) ? (['office'] as const) : []),
    ...(isVice(me) ? (['vice'] as const) : []),
    ...(isExecutive(me) ? (['executive'] as const) : []),
    ...(isCountyHead(me) ? (['county'] as const) : []),
  ]
  if (!levels.length) return say(turn, '「我的调度清单」供{office}和县领导使用。您可发送「问题」查看本单位的问题台账。')
  const everyone = await everyoneIn(turn)
  const rows = (await openProblemsAtLevels(turn.ctx.db, levels)).filter(
    (r) => r.p.level !== 'vice' || holders(everyone, 'vice', { sector: r.sector, leaderPersonId: r.projectLeader }).some((h) => h.id === me.id),
  )
  const svs = await unfinishedSupervisions(turn.ctx.db, isOffice(me) ? null : me.id)
  const projects = await projectsById(
    turn.ctx.db,
    svs.map((s) => s.projectId),
  )
  const card = dispatchListCard(
    `${me.name}${me.title ? `（${me.title}）` : ''}`,
    LEVELS.filter((l) => levels.includes(l.level)).map((l) => l.label),
    rows.map((r) => ({
      id: r.p.id,
      project: r.projectName,
      description: r.p.description,
      unit: r.unitName,
      state: r.p.state,
      dueOn: r.p.dueOn,
      since: formatDeadline(r.p.levelSince ?? r.p.createdAt).split(' ')[0]!,
    })),
    svs.map((s) => ({ id: s.id, project: projects.get(s.projectId)?.name ?? '', matter: s.matter, state: s.state, replyDueOn: replyDueOf(s) })),
    levels.includes('county'),
  )
  return { messages: [turn.reply({ kind: 'card', card })] }
}

export const dispatchCommands = [
  command({
    name: 'raiseLevel',
    args: raiseArgs,
    help: {
      line: '**提级**：「提级 #12 理由」提交上一级调度；「我的调度清单」',
      for: (p) => isOffice(p) || isLeader(p) || isExecutive(p) || isCountyHead(p),
    },
    run: raiseCommand,
  }),
  command({ name: 'dispatchList', words: ['我的调度清单', '调度清单'], args: z.object({}), run: listCommand }),
]
