/**
 * What the cards set off, as commands: a 指挥长's open 约谈 (「约谈」, 「我的待办」) and recording one held (the card's
 * form: date and a line of notes), and the 指挥部 meeting's 表态发言 list (「表态清单」).
 */
import { z } from 'zod'
import type { BotResult } from '../../model/index.ts'
import type { Turn } from '../handle.ts'
import { command, say } from '../registry.ts'
import { form, id } from '../args.ts'
import { hasRole, isLeader, isOffice } from '../permissions.ts'
import { interviewById, openInterviews, pledgesFor, recordInterviewHeld } from '../../store/repos/interviews.ts'
import { projectById, projectsById } from '../../store/repos/projects.ts'
import { listUnits } from '../../store/repos/directory.ts'
import { peopleById } from '../../store/repos/people.ts'
import { interviewsCard, pledgesCard } from '../../cards/colours.ts'
import { formatDay, periodLabel } from '../../cards/conversation.ts'
import { parseLocalDate, localDate } from '../../domain/time.ts'
import { latestPublishedPeriod } from '../../services/boards.ts'

const seesAll = (p: Parameters<typeof isOffice>[0]) => isOffice(p) || hasRole(p, 'executive') || hasRole(p, 'county_head')
const leadersOfficeExecutive = (p: Parameters<typeof isOffice>[0]) =>
  isLeader(p) || seesAll(p) ? undefined : '抱歉，这项操作限县领导和{office}使用。'

/** Whom a 约谈 meets, as its card says: the 主管部门's head (when set) and the 项目单位's head. */
async function meetings(turn: Turn, projectIds: number[]): Promise<Map<number, string[]>> {
  const [projects, units] = await Promise.all([projectsById(turn.ctx.db, projectIds), listUnits(turn.ctx.db)])
  const unitOf = new Map(units.map((u) => [u.id, u]))
  const heads = await peopleById(
    turn.ctx.db,
    units.map((u) => u.headPersonId ?? 0),
  )
  const out = new Map<number, string[]>()
  for (const [pid, p] of projects) {
    const list = [p.competentUnitId, p.unitId]
      .filter((u, i, all): u is number => u !== null && all.indexOf(u) === i)
      .map((u) => unitOf.get(u))
      .filter((u) => u !== undefined)
      .map((u) => `${u.name}主要负责人${u.headPersonId && heads.get(u.headPersonId) ? `（${heads.get(u.headPersonId)!.name}）` : ''}`)
    out.set(pid, list)
  }
  return out
}

async function interviewsCommand(turn: Turn): Promise<BotResult> {
  const list = await openInterviews(turn.ctx.db, seesAll(turn.person) ? undefined : turn.person.id)
  const meet = await meetings(
    turn,
    list.map((i) => i.projectId),
  )
  const card = interviewsCard(
    list.map((i) => ({ ...i, meet: meet.get(i.projectId) ?? [] })),
    turn.ctx.demo,
  )
  return { messages: [turn.reply({ kind: 'card', card })] }
}

/** 约谈 dates as people write them: 2026-11-05, 11月5日 (this year), 11-05. */
function parseHeldOn(text: string, today: string): string | null {
  const t = text.trim()
  const iso = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(t)
  const short = /^(\d{1,2})[-/.月](\d{1,2})日?$/.exec(t)
  const [y, m, d] = iso
    ? [Number(iso[1]), Number(iso[2]), Number(iso[3])]
    : short
      ? [Number(today.slice(0, 4)), Number(short[1]), Number(short[2])]
      : []
  if (y === undefined || m === undefined || d === undefined) return null
  const date = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`
  try {
    parseLocalDate(date)
  } catch {
    return null
  }
  return date <= today ? date : null
}

const heldArgs = z.object({ id, form })

async function interviewHeldCommand(turn: Turn, args: z.output<typeof heldArgs>): Promise<BotResult> {
  const interview = await interviewById(turn.ctx.db, args.id)
  if (!interview) return say(turn, '没有找到这项约谈任务。发送「约谈」查看待开展的约谈。')
  if (interview.commanderPersonId !== turn.person.id && !seesAll(turn.person))
    return say(turn, '这项约谈由分指挥部指挥长开展，请由指挥长本人或{office}记录。')
  const project = await projectById(turn.ctx.db, interview.projectId)
  const name = project?.name ?? '该项目'
  if (interview.heldOn) return say(turn, `「${name}」的约谈已于 ${formatDay(interview.heldOn)} 记录，无需重复记录。`)
  const today = localDate(turn.ctx.now)
  const heldOn = parseHeldOn(args.form['heldOn'] ?? '', today)
  const notes = (args.form['notes'] ?? '').trim()
  if (!heldOn) return say(turn, '请填写约谈日期（例如 2026-11-05 或 11月5日，不晚于今天），再点「记录约谈」。')
  if (!notes) return say(turn, '请用一句话写明约谈情况（例如「已约谈，承诺月底前追上序时」），再点「记录约谈」。')
  if (notes.length > 200) return say(turn, `约谈情况请控制在 200 字以内（现在 ${notes.length} 字）。`)
  if (!(await recordInterviewHeld(turn.ctx.db, interview.id, heldOn, notes, turn.person.id)))
    return say(turn, `「${name}」的约谈已有记录，无需重复记录。`)
  return say(turn, `已记录：「${name}」${periodLabel(interview.period)}黄牌约谈于 ${formatDay(heldOn)} 开展。约谈情况：${notes}`)
}

async function pledgesCommand(turn: Turn): Promise<BotResult> {
  const period = await latestPublishedPeriod(turn.ctx.db)
  if (!period) return say(turn, '还没有发布过月度排名，暂无表态发言清单。')
  const list = await pledgesFor(turn.ctx.db, period)
  return { messages: [turn.reply({ kind: 'card', card: pledgesCard(period, list, turn.ctx.demo) })] }
}

export const colourCommands = [
  command({
    name: 'interviews',
    words: ['约谈', '我的约谈', '约谈任务', '约谈清单', '待办', '我的待办'],
    args: z.object({}),
    allowed: leadersOfficeExecutive,
    help: { line: '**约谈**：「我的待办」查看黄牌项目待开展的约谈，并在卡片上记录约谈情况' },
    run: interviewsCommand,
  }),
  command({ name: 'interviewHeld', args: heldArgs, allowed: leadersOfficeExecutive, run: interviewHeldCommand }),
  command({
    name: 'pledges',
    words: ['表态清单', '表态发言清单', '表态名单', '表态发言'],
    args: z.object({}),
    allowed: leadersOfficeExecutive,
    help: { line: '**表态清单**：「表态清单」查看红牌项目在指挥部会议上表态发言的名单' },
    run: pledgesCommand,
  }),
]
