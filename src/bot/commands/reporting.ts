/**
 * 填报: the prompt card, form submits, free-text replies with their confirmation, edits until the round
 * closes. Every path ends in `submit`: fileReport (src/services/reporting.ts) checks and stores the new version
 * and its problems; `submit` answers with a receipt and sends the new problems to the office.
 */
import { z } from 'zod'
import type { BotResult, OutboundMessage } from '../../model/index.ts'
import type { Turn } from '../handle.ts'
import type { ReplyParse } from '../../domain/parse/index.ts'
import { readAmount, readDate, readPercent, resolveDate } from '../../domain/parse/index.ts'
import { localDate } from '../../domain/time.ts'
import { restoreClipped } from '../../cards/text.ts'
import { openProblemsOfProject, type Problem } from '../../store/repos/problems.ts'
import { peopleWithRole } from '../../store/repos/people.ts'
import { projectById, projectsOfContact, type Project } from '../../store/repos/projects.ts'
import {
  currentReport,
  ensureRound,
  grantReopen,
  previousMonthlyReport,
  reopenedRounds,
  roundById,
  roundByKey,
  roundsTakingReports,
  type Report,
  type Round,
} from '../../store/repos/rounds.ts'
import {
  formatDeadline,
  periodLabel,
  newProblemCard,
  reportConfirmCard,
  reportMismatchCard,
  reportPromptCard,
  receiptCard,
  receiptSubject,
  reportSubject,
} from '../../cards/conversation.ts'
import { command, say } from '../registry.ts'
import { form, id, words } from '../args.ts'
import { hasRole, officeOnly } from '../permissions.ts'
import { contactsOfProject } from '../../store/repos/directory.ts'
import { checkReport, figuresAfterReport, fileReport, type ReportValues } from '../../services/reporting.ts'
import { projectMonths, viewOf } from '../../services/monthly.ts'
import { decisionMonth } from '../../services/urges.ts'
import { monthlyWindow } from '../../domain/dispatch.ts'
import { loadDispatchCalendar } from '../../services/rules.ts'
import { shanghaiParts } from '../../domain/time.ts'
import { monthKey, next as nextPeriod } from '../../domain/periods.ts'
import { formatWan } from '../../domain/money.ts'
import { findProject } from '../lookup.ts'
import { clearPending, getPending, setPending } from '../pending.ts'
import { isOffice } from '../permissions.ts'
import { listUnits } from '../../store/repos/directory.ts'
import { commandKeys, directReplyKey } from '../../outbox/keys.ts'

/**
 * The round a report goes into: the open round of that kind (the month's round once the dispatch calendar
 * has opened it, created here if the clock has not run yet), or a closed round the office reopened for this
 * project (补报). Before a round opens there is none: people are told when it opens.
 */
export async function roundForReport(turn: Turn, kind: 'monthly' | 'weekly' = 'monthly', projectId?: number): Promise<Round | null> {
  const { db } = turn.ctx
  const at = turn.ctx.now.getTime()
  const open = (await roundsTakingReports(db, at)).filter((r) => r.kind === kind)
  if (open.length) return open.at(-1)!
  if (kind === 'monthly') {
    const p = shanghaiParts(turn.ctx.now)
    const period = monthKey(p.year, p.month)
    const window = monthlyWindow(await loadDispatchCalendar(db), turn.ctx.calendar, period)
    if (window && window.opensAt <= at && at < window.closesAt) {
      const round = await ensureRound(db, { kind: 'monthly', period, opensAt: window.opensAt, deadlineAt: window.deadlineAt })
      if (round.closedAt === null || round.closedAt > at) return round
    }
  }
  if (projectId !== undefined) return (await reopenedRounds(db, projectId)).filter((r) => r.kind === kind).at(-1) ?? null
  return null
}

/** 「12月调度将于12月25日 09:00 开始填报」: the next monthly round by the dispatch calendar. */
export async function nextRoundNote(turn: Turn): Promise<string> {
  const at = turn.ctx.now.getTime()
  const dispatch = await loadDispatchCalendar(turn.ctx.db)
  const p = shanghaiParts(turn.ctx.now)
  let period = monthKey(p.year, p.month)
  for (let i = 0; i < 13; i++, period = nextPeriod(period)) {
    const w = monthlyWindow(dispatch, turn.ctx.calendar, period)
    if (w && w.opensAt > at) return `${Number(period.slice(5))}月调度将于${formatDeadline(w.opensAt)}开始填报，届时会推送填报卡片。`
  }
  return '月度调度暂未安排，请联系{office}。'
}

/** The last report of a project, in one line (what people see outside a round). */
async function lastReportLine(turn: Turn, project: Project): Promise<string> {
  const last = await previousMonthlyReport(turn.ctx.db, project.id)
  if (!last) return `「${project.name}」还没有填报记录。`
  const r = last.report
  return `「${project.name}」上次填报：${periodLabel(last.period)}，本年累计 ${formatWan(r.ytdInvestment)} 万元${r.periodInvestment === null ? '' : `，当月 ${formatWan(r.periodInvestment)} 万元`}${r.progressText ? `，${r.progressText}` : ''}（${formatDeadline(r.submittedAt)} 提交）。`
}

/** Outside an open round: when the next one opens, and the last report of each project. */
export async function outsideRound(turn: Turn, projects: Project[], lead = '当前不在填报时间。'): Promise<BotResult> {
  const lines = await Promise.all(projects.slice(0, 10).map((p) => lastReportLine(turn, p)))
  return say(turn, [`${lead}${await nextRoundNote(turn)}`, ...lines].join('\n'))
}

async function promptFor(turn: Turn, project: Project, round: Round) {
  const { db } = turn.ctx
  const previous = (await previousMonthlyReport(db, project.id, round.period))?.report ?? null
  const current = (await currentReport(db, round.id, project.id)) ?? null
  const openProblems = await openProblemsOfProject(db, project.id)
  return reportPromptCard({ project, round, previous, current, openProblems, demo: turn.ctx.demo })
}

/** 填报 [project]: the prompt card for each of the person's projects (or the one named). */
const reportArgs = z.object({ target: words })

async function reportCommand(turn: Turn, args: z.output<typeof reportArgs>): Promise<BotResult> {
  const mine = await projectsOfContact(turn.ctx.db, turn.person.id)
  const { target } = args
  let list = mine
  if (target) {
    const found = await findProject(turn.ctx.db, target, isOffice(turn.person) ? undefined : mine)
    if (found.kind === 'none') return say(turn, `没有找到您负责填报的项目「${target}」。您负责的项目：${mine.map((p) => p.name).join('、') || '无'}`)
    if (found.kind === 'unsure')
      return say(turn, `您要找的是不是：${found.options.map((p, i) => `${i + 1}. ${p.name}`).join('；')}？请发送「填报 完整项目名」。`)
    list = [found.item]
  }
  if (list.length === 0) return say(turn, '名册中没有您负责填报的项目。如有出入，请联系{office}。')
  const withRounds = await Promise.all(list.map(async (p) => ({ p, round: await roundForReport(turn, 'monthly', p.id) })))
  const open = withRounds.filter((x) => x.round !== null)
  if (!open.length) return outsideRound(turn, list)
  const cards = await Promise.all(open.map((x) => promptFor(turn, x.p, x.round!)))
  if (turn.chat.kind !== 'group') return { messages: cards.map((card) => turn.reply({ kind: 'card', card })) }
  // In a group the form and its figures go to the person's own chat; the group gets one line.
  return {
    messages: [
      turn.reply({ kind: 'text', text: `已把填报表私聊发给${turn.person.name}，请在与调度助手的单聊中填写。` }),
      ...cards.map((card, i) => ({
        to: { kind: 'person' as const, personId: turn.person.id },
        body: { kind: 'card' as const, card },
        key: directReplyKey(turn.event.platform, turn.event.id, i),
      })),
    ],
  }
}

const emptyValues = (): ReportValues => ({
  periodInvestment: null,
  ytdInvestment: null,
  progressPercent: null,
  progressText: '',
  problems: [],
  coordination: '',
  nextSteps: '',
  correctionReason: '',
})

/** The month a round's dates are read against: a monthly round's period; a weekly one's, the month of the day. */
const monthOfRound = (round: Round, now: Date) => (/^\d{4}-\d{2}$/.test(round.period) ? round.period : localDate(now).slice(0, 7))

/** A typed reply as values; its dates (3月15日开工, 本月已入库) are read against the round's `period`. */
function valuesFromParse(p: ReplyParse, period: string, today: string): ReportValues {
  const start = p.start && p.start.status !== 'none' ? p.start : null
  const statsOn = p.stats && p.stats.status === 'in' ? resolveDate(p.stats.on, period, today) : null
  return {
    ...emptyValues(),
    periodInvestment: p.periodInvestment,
    ytdInvestment: p.ytdInvestment,
    progressPercent: p.progressPercent,
    progressText: p.progressText ?? '',
    problems: [...p.problems],
    nextSteps: p.nextSteps ?? '',
    startStatus: start?.status ?? null,
    startedOn: start ? resolveDate(start.on, period, today) : null,
    statsOn,
    statsUnknownDate: p.stats?.status === 'in' && statsOn === null,
    said: { start: p.start !== null, stats: p.stats !== null, noProblems: p.noProblems && !p.problems.length },
  }
}

const MISSING_LABELS: Record<string, string> = {
  periodInvestment: '本期完成投资',
  ytdInvestment: '本年累计',
  progress: '形象进度',
  problems: '存在问题（无问题请写「无问题」）',
}

/** A free-text reply: echo what was understood, ask for what is missing, and wait for 确认. */
export async function textReport(turn: Turn, parsed: ReplyParse): Promise<BotResult> {
  const mine = await projectsOfContact(turn.ctx.db, turn.person.id)
  if (mine.length === 0) return say(turn, '名册中没有您负责填报的项目，无法登记这条进展。如有出入，请联系{office}。')
  const kind = parsed.period?.unit === 'week' ? 'weekly' : 'monthly'
  const rounds = await Promise.all(mine.map((p) => roundForReport(turn, 'monthly', p.id)))
  const round = rounds.find((r) => r !== null) ?? (await roundForReport(turn, kind))
  if (!round) return outsideRound(turn, mine, '当前不在填报时间，这条进展暂不能登记。')
  const values = valuesFromParse(parsed, monthOfRound(round, turn.ctx.now), localDate(turn.ctx.now))
  const missing = parsed.missing.filter((f) => f !== 'periodInvestment').map((f) => MISSING_LABELS[f] ?? f)
  if (mine.length > 1) {
    await setPending(
      turn.ctx.db,
      turn.person.id,
      { kind: 'chooseProject', options: mine.map((p) => p.id), values, missing, roundKind: kind },
      turn.ctx.now,
    )
    return say(
      turn,
      `收到。您负责 ${mine.length} 个项目，这条进展是哪个项目的？请回复序号或项目名：\n${mine.map((p, i) => `${i + 1}. ${p.name}`).join('\n')}`,
    )
  }
  return confirmFor(turn, mine[0]!, values, missing, kind)
}

/** A stored report as the values a person gave. */
function valuesOfReport(r: Report): ReportValues {
  return {
    periodInvestment: r.periodInvestment,
    ytdInvestment: r.ytdInvestment,
    progressPercent: r.progressPercent,
    progressText: r.progressText,
    problems: r.problemsText
      ? r.problemsText
          .split(/[；;]+/)
          .map((x) => x.trim())
          .filter(Boolean)
      : [],
    coordination: r.coordination,
    nextSteps: r.nextSteps,
    correctionReason: '',
    startStatus: r.startStatus === 'started' || r.startStatus === 'resumed' ? r.startStatus : null,
    startedOn: r.startedOn,
    statsOn: r.statsOn,
  }
}

/**
 * A free-text reply changes only what it mentions: every field it leaves out keeps `base`'s value; what it says
 * outright replaces it even when empty (未开工 takes a start back, 无问题 empties the problems).
 */
function fillFrom(v: ReportValues, base: ReportValues): ReportValues {
  const said = v.said ?? {}
  return {
    periodInvestment: v.periodInvestment ?? base.periodInvestment,
    ytdInvestment: v.ytdInvestment ?? base.ytdInvestment,
    progressPercent: v.progressPercent ?? base.progressPercent,
    progressText: v.progressText || base.progressText,
    problems: v.problems.length || said.noProblems ? v.problems : base.problems,
    coordination: v.coordination || base.coordination,
    nextSteps: v.nextSteps || base.nextSteps,
    correctionReason: v.correctionReason || base.correctionReason,
    startStatus: said.start ? (v.startStatus ?? null) : (base.startStatus ?? null),
    startedOn: said.start ? (v.startedOn ?? null) : (base.startedOn ?? null),
    statsOn: said.stats ? (v.statsOn ?? null) : (base.statsOn ?? null),
    statsUnknownDate: said.stats ? v.statsUnknownDate : base.statsUnknownDate,
  }
}

/**
 * The echo of a free-text reply: merged into what the round already holds for the project (a form version keeps
 * its 形象进度, 需协调事项 and 下步计划), shown old → new, with every check run now — refusals (no 确认提交 while
 * there are any), the 本月/累计 question with its two answers, warnings — so 确认 stores it at once.
 */
export async function confirmFor(
  turn: Turn,
  project: Project,
  values: ReportValues,
  missing: string[],
  kind: 'monthly' | 'weekly',
  draft?: ReportValues,
): Promise<BotResult> {
  const { db } = turn.ctx
  const round = (await roundForReport(turn, kind, project.id)) ?? (kind === 'weekly' ? await roundForReport(turn, 'monthly', project.id) : null)
  if (!round) return outsideRound(turn, [project], '当前不在填报时间，这条进展暂不能登记。')
  const current = await currentReport(db, round.id, project.id)
  const stored = current ? valuesOfReport(current) : null
  const merged = stored ? fillFrom(values, stored) : values
  const previous = await previousMonthlyReport(db, project.id, round.period)
  const check = checkReport(merged, project, round, previous)
  const known = (m: string) =>
    (m === '本年累计' && merged.ytdInvestment !== null) ||
    (m === MISSING_LABELS.progress && (merged.progressText !== '' || merged.progressPercent !== null)) ||
    (m === MISSING_LABELS.problems && (merged.problems.length > 0 || stored !== null))
  const stillMissing = [...new Set([...missing.filter((m) => !known(m)), ...(merged.ytdInvestment === null ? ['本年累计'] : [])])]
  const errors = check.errors.filter((e) => !(merged.ytdInvestment === null && e.includes('缺少本年累计')))
  const prevYtd = previous && previous.period.slice(0, 4) === round.period.slice(0, 4) ? previous.report.ytdInvestment : 0
  const question = check.mismatch
    ? `本月完成 ${formatWan(check.mismatch.period)} 万元，但本年累计比上期（${formatWan(prevYtd)} 万元）增加了 ${formatWan(check.mismatch.rise)} 万元，两者不一致。哪个正确？`
    : null
  await setPending(db, turn.person.id, { kind: 'confirmReport', projectId: project.id, roundId: round.id, values: merged }, turn.ctx.now)
  // 「无问题」 in a correction empties the stored problems: say so, since the 问题台账 entries stay open.
  const base = stored ?? draft
  const cleared =
    values.said?.noProblems && base && base.problems.length > 0
      ? [`「无问题」：将清空本期填报的存在问题（原 ${base.problems.length} 条）；已转入问题台账的问题仍按销号流程办理`]
      : []
  const card = reportConfirmCard(
    project,
    round,
    merged,
    stillMissing.filter((m) => m === '本年累计'),
    [...cleared, ...check.warnings, ...stillMissing.filter((m) => m !== '本年累计').map((m) => `未提到${m}`)],
    {
      before: stored ?? draft ?? null,
      errors,
      question,
    },
  )
  return { messages: [turn.reply({ kind: 'card', card })] }
}

/** A correction typed while a confirmation is pending: what it mentions replaces the draft's, the rest stays. */
export async function correctPending(turn: Turn, parsed: ReplyParse): Promise<BotResult | null> {
  const pending = await getPending(turn.ctx.db, turn.person.id, turn.ctx.now)
  if (!pending || pending.kind !== 'confirmReport') return null
  const project = await projectById(turn.ctx.db, pending.projectId)
  if (!project) return null
  const round = await roundById(turn.ctx.db, pending.roundId)
  if (!round) return null
  const merged = fillFrom(valuesFromParse(parsed, monthOfRound(round, turn.ctx.now), localDate(turn.ctx.now)), pending.values)
  return confirmFor(turn, project, merged, [], round.kind === 'weekly' ? 'weekly' : 'monthly', pending.values)
}

/** 确认: submit what is pending (optionally resolving a 本月/累计 mismatch the chosen way). */
const trust = z.enum(['period', 'ytd']).optional()
const confirmArgs = z.object({ trust })

async function confirmCommand(turn: Turn, args: z.output<typeof confirmArgs>): Promise<BotResult> {
  const pending = await getPending(turn.ctx.db, turn.person.id, turn.ctx.now)
  if (!pending || pending.kind !== 'confirmReport') return say(turn, '当前没有待确认的内容。')
  const project = await projectById(turn.ctx.db, pending.projectId)
  const round = await roundById(turn.ctx.db, pending.roundId)
  if (!project || !round) return say(turn, '要确认的项目或调度轮次已不存在，请重新填报。')
  if (!args.trust) {
    // A typed 确认 on a draft whose 本月 and 累计 disagree: say what disagrees and the two ways out, not the same question.
    const previous = await previousMonthlyReport(turn.ctx.db, project.id, round.period)
    const check = checkReport(pending.values, project, round, previous)
    if (check.mismatch && !check.errors.length) {
      const prevYtd = previous && previous.period.slice(0, 4) === round.period.slice(0, 4) ? previous.report.ytdInvestment : 0
      const { period, rise } = check.mismatch
      const t =
        `还不能提交：本月完成 ${formatWan(period)} 万元，但本年累计 ${formatWan(pending.values.ytdInvestment!)} 万元比上期（${formatWan(prevYtd)} 万元）增加了 ${formatWan(rise)} 万元，两者不一致。` +
        `回复「本月数正确」（本年累计改为 ${formatWan(prevYtd + period)} 万元）或「累计数正确」（本月改为 ${formatWan(rise)} 万元），或直接改写。`
      return { messages: [turn.reply({ kind: 'card', card: reportMismatchCard(project, t, round.id) })] }
    }
  }
  return submit(turn, project, round, pending.values, 'text', args.trust)
}

async function cancelCommand(turn: Turn): Promise<BotResult> {
  const pending = await getPending(turn.ctx.db, turn.person.id, turn.ctx.now)
  await clearPending(turn.ctx.db, turn.person.id)
  return say(turn, pending ? '已取消，未做任何登记。' : '当前没有待确认的内容。')
}

/** A prompt-card form submit. */
const submitArgs = z.object({ projectId: id, roundId: id, trust, form })

async function submitReportCommand(turn: Turn, args: z.output<typeof submitArgs>): Promise<BotResult> {
  const project = await projectById(turn.ctx.db, args.projectId)
  const round = await roundById(turn.ctx.db, args.roundId)
  if (!project || !round) return say(turn, '这张填报卡片已失效，请发送「填报」重新打开。')
  const form = args.form
  const reasons: string[] = []
  const amount = (name: string, label: string): number | null => {
    const raw = (form[name] ?? '').trim()
    if (!raw) return null
    const r = readAmount(raw, label, { bareUnit: '万元' })
    if (r.ok) return r.yuan
    reasons.push(r.reason)
    return null
  }
  const period = amount('period', '本月完成投资')
  const ytd = amount('ytd', '本年累计')
  const percentRaw = (form.percent ?? '').trim()
  let percent: number | null = null
  if (percentRaw) {
    const r = readPercent(percentRaw)
    if (r.ok) percent = r.value
    else reasons.push(r.reason)
  }
  // 开复工 and 入库: a select and a date each; the date may be typed (3月15日) or picked (2026-03-15).
  const today = localDate(turn.ctx.now)
  const month = monthOfRound(round, turn.ctx.now)
  const startStatus = form.start === 'started' || form.start === 'resumed' ? form.start : null
  const startedOn = startStatus ? readDate(form.startedOn ?? '', month, today) : null
  if (startStatus && (form.startedOn ?? '').trim() && !startedOn)
    reasons.push(`看不懂${startStatus === 'started' ? '开工' : '复工'}日期「${form.startedOn}」`)
  const inStats = form.stats === 'in'
  const statsOn = inStats ? readDate(form.statsOn ?? '', month, today) : null
  if (inStats && (form.statsOn ?? '').trim() && !statsOn) reasons.push(`看不懂入库日期「${form.statsOn}」`)
  if (reasons.length) {
    const t = `未登记：${reasons.join('；')}。`
    return { ...say(turn, t), toast: { kind: 'error', text: reasons[0]! } }
  }
  // A long prefilled text comes back cut to what the form holds: keep the stored whole when it is unchanged.
  const current = await currentReport(turn.ctx.db, round.id, project.id)
  const base = current ?? (await previousMonthlyReport(turn.ctx.db, project.id, round.period))?.report
  const values: ReportValues = {
    periodInvestment: period,
    ytdInvestment: ytd,
    progressPercent: percent,
    progressText: restoreClipped((form.progress ?? '').trim(), base?.progressText),
    problems: restoreClipped(form.problems ?? '', current?.problemsText)
      .split(/[；;\n]+/)
      .map((s) => s.replace(/^\s*(?:\d+[.、)）]|[①-⑩])\s*/, '').trim())
      .filter((s) => s && !/^(无|暂无|无问题|暂无问题)$/.test(s)),
    coordination: restoreClipped((form.coordination ?? '').trim(), current?.coordination),
    nextSteps: restoreClipped((form.nextSteps ?? '').trim(), current?.nextSteps),
    correctionReason: (form.reason ?? '').trim(),
    startStatus,
    // 已开工 with no date picked: this period (a date inside it), as typed 已开工 reads
    startedOn: startStatus ? (startedOn ?? resolveDate(null, month, today)) : null,
    statsOn: inStats ? (statsOn ?? resolveDate(null, month, today)) : null,
  }
  return submit(turn, project, round, values, 'card', args.trust)
}

/** Check, store, answer (fileReport). Nothing is stored when the check finds an error. */
async function submit(
  turn: Turn,
  project: Project,
  round: Round,
  input: ReportValues,
  source: 'card' | 'text',
  trust?: 'period' | 'ytd',
): Promise<BotResult> {
  const { db, now } = turn.ctx
  const mine = await projectsOfContact(db, turn.person.id)
  if (!mine.some((p) => p.id === project.id) && !isOffice(turn.person)) return say(turn, `您不是「${project.name}」的填报人，不能填报该项目。`)
  // The receipt's figures and the open problems are read before fileReport's first write: on D1 a read of a table
  // just written would send the writes so far as a batch of their own (src/runtime/workers/d1.ts), and a crash
  // after it would leave the report stored with its event unmarked. A weekly (旬) report is measured as the week's
  // 进度催办 measures it: its own 本年累计 against the month the next colour decision sets (2026-W46 is no month).
  const period = round.kind === 'monthly' ? round.period : await decisionMonth(db, turn.ctx.rules, now)
  const [figuresBefore] = await projectMonths(db, period, { projectId: project.id })
  const openProblems = await openProblemsOfProject(db, project.id)
  const filed = await fileReport(db, { project, round, values: input, by: turn.person.id, at: now.getTime(), source, trust, openProblems })
  switch (filed.kind) {
    case 'closed':
      return say(turn, `${periodLabel(round.period)}调度已截止，不能再修改。如需补报或更正，请联系{office}（补报）。`)
    case 'notOpen':
      return outsideRound(turn, [project])
    case 'refused': {
      const t = `未登记：${filed.errors.join('；')}。`
      return { ...say(turn, t), toast: { kind: 'error', text: filed.errors[0]! } }
    }
    case 'mismatch': {
      await setPending(db, turn.person.id, { kind: 'confirmReport', projectId: project.id, roundId: round.id, values: filed.values }, now)
      const t = `本月完成 ${formatWan(filed.mismatch.period)} 万元，但本年累计比上期（${formatWan(filed.prevYtd)} 万元）增加了 ${formatWan(filed.mismatch.rise)} 万元，两者不一致。哪个正确？`
      return {
        toast: { kind: 'warning', text: '本月数与累计增加额不一致，请确认' },
        messages: [turn.reply({ kind: 'card', card: reportMismatchCard(project, t, round.id) })],
      }
    }
  }
  const { report, starts, previous } = filed
  await clearPending(db, turn.person.id)
  const notices = await problemNotices(turn, project, filed.raised)
  const after = figuresAfterReport(figuresBefore!, period, round, report, starts)
  const view = viewOf(turn.ctx.rules, round.kind === 'monthly' ? after : { ...after, ytd: report.ytdInvestment }, period)
  const card = receiptCard(project, round, report, view, turn.ctx.demo)
  // Earlier cards of this report: prompt forms show the stored version, drafts waiting for 确认 become the receipt.
  const prompt = reportPromptCard({
    project: starts ? { ...project, ...starts.after } : project,
    round,
    previous: previous?.report ?? null,
    current: report,
    openProblems: [...openProblems, ...filed.raised],
    demo: turn.ctx.demo,
  })
  const refresh = [
    { subject: reportSubject(round.id, project.id), card: () => prompt },
    { subject: receiptSubject(round.id, project.id), card: () => card },
  ]
  const messages: OutboundMessage[] = [...notices]
  if (turn.event.type !== 'card_action') messages.unshift(turn.reply({ kind: 'card', card }))
  if (filed.warnings.length) messages.push(turn.reply({ kind: 'text', text: `已登记，但请核实：${filed.warnings.join('；')}` }))
  return { updateCard: card, toast: { kind: 'success', text: report.version > 1 ? '已修改' : '已提交' }, messages, refresh }
}

/** The problems a report put in the 问题台账 go to the office to 交办: a card for each, to each office member. */
async function problemNotices(turn: Turn, project: Project, raised: Problem[]): Promise<OutboundMessage[]> {
  if (!raised.length) return []
  const { db } = turn.ctx
  const office = await peopleWithRole(db, 'office')
  const units = await listUnits(db)
  return raised.flatMap((row) => {
    const card = newProblemCard({ id: row.id, description: row.description, state: 'new', project: project.name, unit: null, dueOn: null }, units)
    return office.map((o): OutboundMessage => ({
      to: { kind: 'person', personId: o.id },
      body: { kind: 'card', card },
      key: commandKeys.problemRaised(row.id, o.id),
    }))
  })
}

/** 补报 <project> <month>: the office reopens a closed monthly round for one project, once; audited. */
const reopenArgs = z.object({
  target: words,
  period: z.union([z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/), z.object({ month: z.number().int().min(1).max(12) })]).optional(),
})

async function reopenCommand(turn: Turn, args: z.output<typeof reopenArgs>): Promise<BotResult> {
  const { db, now } = turn.ctx
  if (!args.target || !args.period) return say(turn, '请写明项目和月份，例如「补报 城东污水处理厂 2026-11」。')
  const p = shanghaiParts(now)
  const period = typeof args.period === 'string' ? args.period : monthKey(args.period.month <= p.month ? p.year : p.year - 1, args.period.month)
  const found = await findProject(db, args.target)
  if (found.kind === 'none') return say(turn, `没有找到项目「${args.target}」。`)
  if (found.kind === 'unsure')
    return say(turn, `您要找的是不是：${found.options.map((x, i) => `${i + 1}. ${x.name}`).join('；')}？请发送「补报 完整项目名 ${period}」。`)
  const project = found.item
  const round = await roundByKey(db, 'monthly', period)
  if (!round) return say(turn, `${periodLabel(period)}没有调度轮次，无法补报。`)
  const at = now.getTime()
  if (round.opensAt > at) return say(turn, `${periodLabel(period)}调度尚未开始，无需补报。`)
  if (round.closedAt === null || round.closedAt > at)
    return say(turn, `${periodLabel(period)}调度正在填报中（${formatDeadline(round.deadlineAt)} 截止），无需补报。`)
  if ((await reopenedRounds(db, project.id)).some((r) => r.id === round.id))
    return say(turn, `「${project.name}」${periodLabel(period)}调度已开放补报，等待填报人提交。`)
  await grantReopen(db, { roundId: round.id, projectId: project.id, by: turn.person.id, at })
  const contacts = await contactsOfProject(db, project.id)
  const card = await promptFor(turn, project, round)
  const messages: OutboundMessage[] = contacts.map((c) => ({ to: { kind: 'person', personId: c.id }, body: { kind: 'card', card } }))
  messages.unshift(
    turn.reply({
      kind: 'text',
      text: `已为「${project.name}」开放${periodLabel(period)}调度补报一次，已通知填报人 ${contacts.map((c) => c.name).join('、') || '（无）'}。`,
    }),
  )
  return { messages }
}

export const reportingCommands = [
  command({
    name: 'report',
    args: reportArgs,
    help: {
      line: '**填报**：发送「填报」打开本期调度表；也可以直接回复，如「本月完成投资1200万元，本年累计8600万元，主体封顶，问题：林地手续未批」',
      for: (p) => hasRole(p, 'contact'),
    },
    run: reportCommand,
  }),
  command({ name: 'submitReport', args: submitArgs, run: submitReportCommand }),
  command({ name: 'confirm', args: confirmArgs, run: confirmCommand }),
  command({ name: 'cancel', args: z.object({}), run: cancelCommand }),
  command({
    name: 'reopen',
    args: reopenArgs,
    allowed: officeOnly,
    help: { line: '**补报**：「补报 项目名 2026-11」为一个项目重新开放已截止的调度一次' },
    run: reopenCommand,
  }),
]
