/**
 * What the cards set off, as commands: a 指挥长's open 约谈 (「约谈」, 「我的待办」) and recording one held (the card's
 * form: date and a line of notes); the 指挥部 meeting: its 表态发言 list (「表态清单」), its date (「指挥部会议 12月10日」,
 * the speakers told) and who spoke (「表态 XM2026-012 已发言」 or the list's button); the 分指挥部 and their people
 * (「分指挥部」, 「设置分指挥部 工业 指挥长 张三」), edited by the office from the roster and audited.
 */
import { z } from 'zod'
import type { BotResult, OutboundMessage } from '../../model/index.ts'
import type { Turn } from '../handle.ts'
import { askWhich, command, say } from '../registry.ts'
import { form, id, words } from '../args.ts'
import { hasRole, isLeader, isOffice, officeOnly } from '../permissions.ts'
import {
  interviewById,
  nextMeeting,
  openInterviews,
  openPledges,
  pledgesFor,
  recordInterviewHeld,
  recordPledgeSpoken,
  setNextMeeting,
} from '../../store/repos/interviews.ts'
import { knownSectors, peopleNamed, setSectorPost, SECTOR_POSTS, type SectorPost } from '../../store/repos/sectors.ts'
import { projectById, projectsById } from '../../store/repos/projects.ts'
import { listUnits } from '../../store/repos/directory.ts'
import { peopleById } from '../../store/repos/people.ts'
import { recordAudit } from '../../store/repos/audit.ts'
import { findProject } from '../lookup.ts'
import { interviewsCard, pledgeNoticeCard, pledgesCard, sectorsCard } from '../../cards/colours.ts'
import { formatDay, periodLabel } from '../../cards/conversation.ts'
import { addDays, parseLocalDate, localDate } from '../../domain/time.ts'
import { latestPublishedPeriod, resolveSector } from '../../services/boards.ts'

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

/** The 表态发言 list card as this person sees it (the office's copy records who spoke). */
async function pledgesListCard(turn: Turn) {
  const period = await latestPublishedPeriod(turn.ctx.db)
  if (!period) return undefined
  const [list, meeting] = await Promise.all([pledgesFor(turn.ctx.db, period), nextMeeting(turn.ctx.db)])
  const today = localDate(turn.ctx.now)
  return pledgesCard(
    period,
    list,
    { on: meeting?.on ?? null, past: !!meeting && meeting.on < today },
    { demo: turn.ctx.demo, office: isOffice(turn.person) },
  )
}

async function pledgesCommand(turn: Turn): Promise<BotResult> {
  const card = await pledgesListCard(turn)
  if (!card) return say(turn, '还没有发布过月度排名，暂无表态发言清单。')
  return { messages: [turn.reply({ kind: 'card', card })] }
}

/**
 * A meeting date as the office writes it: 12月10日 / 12-10 (the next such day from today), 2026-12-10 or
 * 2026年12月10日. Null for anything else, a day already past, or one more than a year ahead.
 */
export function parseMeetingDay(text: string, today: string): string | null {
  const t = text
    .trim()
    .replace(/[（(].*[)）]$/, '')
    .replace(/(?:上午|下午|晚上)?(?:\d{1,2}[:：点时]\d{0,2}分?)?$/, '')
    .trim()
  const full = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?$/.exec(t)
  const short = /^(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?$/.exec(t)
  const pad = (n: number) => String(n).padStart(2, '0')
  const valid = (y: number, m: number, d: number) => {
    const date = `${y}-${pad(m)}-${pad(d)}`
    try {
      parseLocalDate(date)
      return date
    } catch {
      return null
    }
  }
  let date: string | null = null
  if (full) date = valid(Number(full[1]), Number(full[2]), Number(full[3]))
  else if (short) {
    const year = Number(today.slice(0, 4))
    const thisYear = valid(year, Number(short[1]), Number(short[2]))
    // 1月8日 written in December is next year's; 11月20日 written on 26 November is a day already past.
    const next = thisYear && thisYear < today ? valid(year + 1, Number(short[1]), Number(short[2])) : null
    date = next ? (next <= addDays(today, 120) ? next : null) : thisYear
  }
  if (!date || date < today || date > addDays(today, 366)) return null
  return date
}

const meetingArgs = z.object({ when: words })

/** 「指挥部会议 12月10日」: the office sets the next meeting and the heads on the 表态 list are told; bare, it says when. */
async function meetingCommand(turn: Turn, args: z.output<typeof meetingArgs>): Promise<BotResult> {
  const { db, now } = turn.ctx
  const today = localDate(now)
  const current = await nextMeeting(db)
  if (!args.when) {
    const open = new Set((await openPledges(db)).map((p) => p.projectId)).size
    if (current && current.on >= today)
      return say(turn, `下次指挥部会议：${formatDay(current.on)}，${open} 个红牌项目的负责人表态发言。发送「表态清单」查看名单。`)
    return say(turn, '下次指挥部会议时间未定。{office}可发送「指挥部会议 12月10日」设定，表态发言清单上的负责人会收到通知。')
  }
  const refusal = officeOnly(turn.person)
  if (refusal) return say(turn, refusal.replace('这项操作', '设定指挥部会议时间'))
  const on = parseMeetingDay(args.when, today)
  if (!on) return say(turn, `没看懂会议日期「${args.when}」。请写今天或以后的日期，例如「指挥部会议 12月10日」或「指挥部会议 2026-12-10」。`)
  const pledges = await setNextMeeting(db, { on, setBy: turn.person.id, setAt: now.getTime() })
  await recordAudit(db, {
    at: now.getTime(),
    actorPersonId: turn.person.id,
    entity: 'meeting',
    entityId: Number(on.replaceAll('-', '')),
    action: 'meeting.set',
    before: current ?? null,
    after: { on },
  })
  // Each head on the list is told the date, once per project he speaks for.
  const messages: OutboundMessage[] = []
  const told = new Set<string>()
  for (const p of pledges) {
    if (!p.speakerPersonId || told.has(`${p.speakerPersonId}:${p.projectId}`)) continue
    told.add(`${p.speakerPersonId}:${p.projectId}`)
    messages.push({
      to: { kind: 'person', personId: p.speakerPersonId },
      body: { kind: 'card', card: pledgeNoticeCard({ project: p.projectName, period: p.period, meetingOn: on }, turn.ctx.demo) },
    })
  }
  const speakers = new Set(pledges.flatMap((p) => (p.speakerPersonId ? [p.speakerPersonId] : []))).size
  const moved = current && current.on !== on && current.on >= today ? `（原定 ${formatDay(current.on)}）` : ''
  const text = pledges.length
    ? `已设定：下次指挥部会议 ${formatDay(on)}${moved}。已通知 ${speakers} 位负责人就 ${new Set(pledges.map((p) => p.projectId)).size} 个红牌项目在会上表态发言；会后发送「表态 项目编号 已发言」记录。`
    : `已设定：下次指挥部会议 ${formatDay(on)}${moved}。目前没有待表态发言的红牌项目；此后贴红牌的项目会按此日期通知。`
  return { messages: [turn.reply({ kind: 'text', text }), ...messages] }
}

const spokeArgs = z.object({ target: words, projectId: id.optional() })

/** 「表态 XM2026-012 已发言」 (or the list's button): the office records that a red project's head spoke at the meeting. */
async function pledgeSpokeCommand(turn: Turn, args: z.output<typeof spokeArgs>): Promise<BotResult> {
  const { db, now } = turn.ctx
  let project = args.projectId ? await projectById(db, args.projectId) : undefined
  if (!project) {
    if (!args.target) return say(turn, '请写明项目，例如「表态 XM2026-012 已发言」。')
    const found = await findProject(db, args.target)
    if (found.kind === 'none') return say(turn, `没有找到项目「${args.target}」。发送「表态清单」查看待表态发言的项目。`)
    if (found.kind === 'unsure')
      return askWhich(
        turn,
        'pledgeSpoke',
        { ...args },
        'target',
        found.options.map((p) => p.code),
      )
    project = found.item
  }
  const today = localDate(now)
  const meeting = await nextMeeting(db)
  if (meeting && meeting.on > today) return say(turn, `指挥部会议定于 ${formatDay(meeting.on)} 召开，请在会后记录表态发言情况。`)
  const spokeOn = meeting?.on ?? today
  const periods = await recordPledgeSpoken(db, project.id, spokeOn)
  if (!periods.length) return say(turn, `「${project.name}」没有待表态发言的记录。发送「表态清单」查看。`)
  await recordAudit(db, {
    at: now.getTime(),
    actorPersonId: turn.person.id,
    entity: 'pledge',
    entityId: project.id,
    action: 'pledge.spoke',
    before: null,
    after: { periods, spokeOn },
  })
  const text = `已记录：「${project.name}」（${periods.map(periodLabel).join('、')}红牌）的负责人已于 ${formatDay(spokeOn)} 在指挥部会议上表态发言。`
  const card = turn.event.type === 'card_action' ? await pledgesListCard(turn) : undefined
  return {
    toast: { kind: 'success', text: '已记录' },
    messages: [turn.reply({ kind: 'text', text })],
    ...(card && { updateCard: card }),
  }
}

async function sectorsCommand(turn: Turn): Promise<BotResult> {
  const list = await knownSectors(turn.ctx.db)
  const people = await peopleById(
    turn.ctx.db,
    list.flatMap((s) => (s.row ? [s.row.commanderPersonId ?? 0, s.row.deputyPersonId ?? 0, s.row.liaisonPersonId ?? 0] : [])),
  )
  const nameOf = (id: number | null | undefined) => (id ? (people.get(id)?.name ?? '') : '')
  const items = list.map((s) => ({
    name: s.name,
    projects: s.projects,
    commander: nameOf(s.row?.commanderPersonId),
    deputy: nameOf(s.row?.deputyPersonId),
    liaison: nameOf(s.row?.liaisonPersonId),
  }))
  return { messages: [turn.reply({ kind: 'card', card: sectorsCard(items, { demo: turn.ctx.demo, office: isOffice(turn.person) }) })] }
}

const setSectorArgs = z.object({ sector: words, post: z.enum(['commander', 'deputy', 'liaison']).nullish(), person: words })
const SET_SECTOR_EXAMPLE = '例如「设置分指挥部 工业 指挥长 张三」（或 副指挥长、总联络人）'

/** How a roster entry is told apart from others of the same name: 「张三（县发改局 局长）」. */
const rosterLabel = (p: { name: string; title: string | null }, unit: string) =>
  `${p.name}（${[unit, p.title].filter(Boolean).join(' ') || '无单位'}）`

/**
 * 「设置分指挥部 工业 指挥长 张三」: the office names a sector's 指挥长 (a county leader), 副指挥长 or 总联络人 from the
 * roster, by name (the same name twice: which one, by unit and title); audited like the office's other edits.
 */
async function setSectorCommand(turn: Turn, args: z.output<typeof setSectorArgs>): Promise<BotResult> {
  const { db, now } = turn.ctx
  if (!args.sector) return say(turn, `请写明分指挥部和人员，${SET_SECTOR_EXAMPLE}。发送「分指挥部」查看现有的。`)
  const sector = await resolveSector(db, args.sector)
  if (sector.kind === 'none')
    return say(turn, `没有「${args.sector}」分指挥部。现有：${sector.known.join('、') || '无'}（分指挥部来自项目的「分指挥部/领域」一栏）。`)
  if (sector.kind === 'unsure') return askWhich(turn, 'setSector', { ...args }, 'sector', sector.options)
  if (!args.post) return say(turn, `请写明设置的是指挥长、副指挥长还是总联络人，${SET_SECTOR_EXAMPLE}。`)
  const label = SECTOR_POSTS[args.post as SectorPost].label
  if (!args.person) return say(turn, `请写明${sector.name}分指挥部${label}的姓名，${SET_SECTOR_EXAMPLE}。`)
  if (/\d{6,}/.test(args.person)) return say(turn, `请写${label}的姓名（须在花名册中），不用写手机号：人员以花名册为准。`)
  // A name picked from the list below comes back with its unit and title.
  const picked = /^(.+?)（(.*)）$/.exec(args.person)
  const units = new Map((await listUnits(db)).map((u) => [u.id, u.name]))
  const named = (await peopleNamed(db, picked ? picked[1]!.trim() : args.person)).filter(
    (p) => !picked || rosterLabel(p, units.get(p.unitId ?? 0) ?? '') === args.person,
  )
  if (!named.length) return say(turn, `花名册中没有「${args.person}」。请先在花名册（人员表）中添加此人，再设置${label}。`)
  if (named.length > 1) {
    const labels = named.map((p) => rosterLabel(p, units.get(p.unitId ?? 0) ?? ''))
    if (new Set(labels).size < labels.length)
      return say(turn, `花名册中有 ${named.length} 位「${named[0]!.name}」，单位和职务也相同，请先在花名册中区分。`)
    return askWhich(turn, 'setSector', { ...args, sector: sector.name }, 'person', labels)
  }
  const person = named[0]!
  if (args.post === 'commander' && !isLeader(person))
    return say(turn, `指挥长由县领导（分管副县长）担任：花名册中${person.name}${person.title ? `（${person.title}）` : ''}不是县领导。`)
  const { before, after, movedInterviews } = await setSectorPost(db, sector.name, args.post as SectorPost, person.id)
  const column = SECTOR_POSTS[args.post as SectorPost].column
  const was = before?.[column] ?? null
  await recordAudit(db, {
    at: now.getTime(),
    actorPersonId: turn.person.id,
    entity: 'sector',
    entityId: after.id,
    action: `sector.set ${args.post}`,
    before: { name: sector.name, personId: was },
    after: { name: sector.name, personId: person.id },
  })
  if (was === person.id) return say(turn, `${sector.name}分指挥部${label}已是${person.name}，未作改动。`)
  const wasName = was ? (await peopleById(db, [was])).get(was)?.name : undefined
  const moved = movedInterviews ? `${movedInterviews} 个待开展的约谈转由${person.name}开展。` : ''
  return say(turn, `已设置：${sector.name}分指挥部${label} ${person.name}${wasName ? `（原为${wasName}）` : ''}。${moved}`)
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
    help: { line: '**表态清单**：「表态清单」查看红牌项目在指挥部会议上表态发言的名单和会议时间' },
    run: pledgesCommand,
  }),
  command({
    name: 'meeting',
    words: ['指挥部会议', '下次指挥部会议', '会议时间'],
    args: meetingArgs,
    allowed: leadersOfficeExecutive,
    help: { line: '**指挥部会议**：「指挥部会议」查看下次会议时间；{office}「指挥部会议 12月10日」设定并通知表态发言人' },
    run: meetingCommand,
  }),
  command({
    name: 'pledgeSpoke',
    args: spokeArgs,
    allowed: officeOnly,
    help: { line: '**表态记录**：会后「表态 项目编号 已发言」记录负责人已表态发言' },
    run: pledgeSpokeCommand,
  }),
  command({
    name: 'sectors',
    words: ['分指挥部', '分指挥部名单', '分指挥部列表', '各分指挥部', '分指挥部人员'],
    args: z.object({}),
    allowed: leadersOfficeExecutive,
    help: { line: '**分指挥部**：「分指挥部」查看各分指挥部及指挥长；「排名 工业」查看该分指挥部的项目排名' },
    run: sectorsCommand,
  }),
  command({
    name: 'setSector',
    args: setSectorArgs,
    allowed: officeOnly,
    help: { line: '**设置分指挥部**：「设置分指挥部 工业 指挥长 张三」（或 副指挥长、总联络人），人员取自花名册' },
    run: setSectorCommand,
  }),
]
