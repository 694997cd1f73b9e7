/**
 * 填报: the prompt card, form submits, free-text replies with their confirmation, edits until the round
 * closes. Every path ends in `submit`, which checks, stores a new version, answers with a receipt and
 * routes reported problems to the office.
 */
import { z } from 'zod'
import type { BotResult, OutboundMessage } from '../../model/index.ts'
import type { Turn } from '../handle.ts'
import type { ReplyParse } from '../../domain/parse/index.ts'
import { readAmount, readPercent } from '../../domain/parse/index.ts'
import { restoreClipped } from '../../cards/text.ts'
import { openProblemsOfProject, raiseProblem } from '../../store/repos/problems.ts'
import { peopleWithRole } from '../../store/repos/people.ts'
import { projectById, projectsOfContact, type Project } from '../../store/repos/projects.ts'
import { currentReport, ensureRound, openRounds, previousMonthlyReport, roundById, submitReport, type Round } from '../../store/repos/rounds.ts'
import { newProblemCard, reportConfirmCard, reportMismatchCard, reportPromptCard, receiptCard } from '../../cards/conversation.ts'
import { command, say } from '../registry.ts'
import { form, id, words } from '../args.ts'
import { hasRole } from '../permissions.ts'
import { applyTrust, checkReport, type ReportValues } from '../../services/reporting.ts'
import { projectMonths, viewOf } from '../../services/monthly.ts'
import { monthlyWindow } from '../../domain/dispatch.ts'
import { loadDispatchCalendar } from '../../services/rules.ts'
import { shanghaiParts } from '../../domain/time.ts'
import { monthKey } from '../../domain/periods.ts'
import { formatWan } from '../../domain/money.ts'
import { findProject } from '../lookup.ts'
import { clearPending, getPending, setPending } from '../pending.ts'
import { isOffice } from '../permissions.ts'
import { listUnits } from '../../store/repos/directory.ts'
import { commandKeys } from '../../outbox/keys.ts'


/**
 * The round a report goes into: the open round of that kind, or — before the month's round opens — this
 * month's round, so a contact can report early (created with the times of the dispatch calendar).
 */
export async function roundForReport(turn: Turn, kind: 'monthly' | 'weekly' = 'monthly'): Promise<Round | null> {
  const at = turn.ctx.now.getTime()
  const open = (await openRounds(turn.ctx.db, at)).filter((r) => r.kind === kind)
  if (open.length) return open.at(-1)!
  if (kind !== 'monthly') return null
  const p = shanghaiParts(turn.ctx.now)
  const period = monthKey(p.year, p.month)
  const window = monthlyWindow(await loadDispatchCalendar(turn.ctx.db), turn.ctx.calendar, period)
  if (!window || at > window.deadlineAt) return null
  return ensureRound(turn.ctx.db, { kind: 'monthly', period, opensAt: window.opensAt, deadlineAt: window.deadlineAt })
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
    if (found.kind === 'unsure') return say(turn, `您要找的是不是：${found.options.map((p, i) => `${i + 1}. ${p.name}`).join('；')}？请发送「填报 完整项目名」。`)
    list = [found.item]
  }
  if (list.length === 0) return say(turn, '名册中没有您负责填报的项目。如有出入，请联系县重点项目办公室。')
  const round = await roundForReport(turn)
  if (!round) return say(turn, '当前没有开放的调度轮次。月度调度每月25日开始填报，届时会推送填报卡片。')
  const cards = await Promise.all(list.map((p) => promptFor(turn, p, round)))
  return { messages: cards.map((card) => turn.reply({ kind: 'card', card })) }
}

const emptyValues = (): ReportValues => ({ periodInvestment: null, ytdInvestment: null, progressPercent: null, progressText: '', problems: [], coordination: '', nextSteps: '', correctionReason: '' })

function valuesFromParse(p: ReplyParse): ReportValues {
  return { ...emptyValues(), periodInvestment: p.periodInvestment, ytdInvestment: p.ytdInvestment, progressPercent: p.progressPercent, progressText: p.progressText ?? '', problems: [...p.problems], nextSteps: p.nextSteps ?? '' }
}

const MISSING_LABELS: Record<string, string> = { periodInvestment: '本期完成投资', ytdInvestment: '本年累计', progress: '形象进度', problems: '存在问题（无问题请写「无问题」）' }

/** A free-text reply: echo what was understood, ask for what is missing, and wait for 确认. */
export async function textReport(turn: Turn, parsed: ReplyParse): Promise<BotResult> {
  const mine = await projectsOfContact(turn.ctx.db, turn.person.id)
  if (mine.length === 0) return say(turn, '名册中没有您负责填报的项目，无法登记这条进展。如有出入，请联系县重点项目办公室。')
  const values = valuesFromParse(parsed)
  const kind = parsed.period?.unit === 'week' ? 'weekly' : 'monthly'
  const missing = parsed.missing.filter((f) => f !== 'periodInvestment').map((f) => MISSING_LABELS[f] ?? f)
  if (mine.length > 1) {
    await setPending(turn.ctx.db, turn.person.id, { kind: 'chooseProject', options: mine.map((p) => p.id), values, missing, roundKind: kind }, turn.ctx.now)
    return say(turn, `收到。您负责 ${mine.length} 个项目，这条进展是哪个项目的？请回复序号或项目名：\n${mine.map((p, i) => `${i + 1}. ${p.name}`).join('\n')}`)
  }
  return confirmFor(turn, mine[0]!, values, missing, kind)
}

export async function confirmFor(turn: Turn, project: Project, values: ReportValues, missing: string[], kind: 'monthly' | 'weekly'): Promise<BotResult> {
  const round = (await roundForReport(turn, kind)) ?? (kind === 'weekly' ? await roundForReport(turn, 'monthly') : null)
  if (!round) return say(turn, '当前没有开放的调度轮次，这条进展暂不能登记。月度调度每月25日开始填报。')
  const check = checkReport(values, project, round, await previousMonthlyReport(turn.ctx.db, project.id, round.period))
  const stillMissing = [...new Set([...missing.filter((m) => !(m === '本年累计' && values.ytdInvestment !== null)), ...(values.ytdInvestment === null ? ['本年累计'] : [])])]
  await setPending(turn.ctx.db, turn.person.id, { kind: 'confirmReport', projectId: project.id, roundId: round.id, values }, turn.ctx.now)
  return { messages: [turn.reply({ kind: 'card', card: reportConfirmCard(project, round, values, stillMissing.filter((m) => m === '本年累计'), [...check.errors, ...check.warnings, ...stillMissing.filter((m) => m !== '本年累计').map((m) => `未提到${m}`)]) })] }
}

/** A correction typed while a confirmation is pending: newer figures replace older ones. */
export async function correctPending(turn: Turn, parsed: ReplyParse): Promise<BotResult | null> {
  const pending = await getPending(turn.ctx.db, turn.person.id, turn.ctx.now)
  if (!pending || pending.kind !== 'confirmReport') return null
  const project = await projectById(turn.ctx.db, pending.projectId)
  if (!project) return null
  const next = valuesFromParse(parsed)
  const merged: ReportValues = {
    ...pending.values,
    periodInvestment: next.periodInvestment ?? pending.values.periodInvestment,
    ytdInvestment: next.ytdInvestment ?? pending.values.ytdInvestment,
    progressPercent: next.progressPercent ?? pending.values.progressPercent,
    progressText: next.progressText || pending.values.progressText,
    problems: next.problems.length ? next.problems : pending.values.problems,
    nextSteps: next.nextSteps || pending.values.nextSteps,
  }
  const round = await roundById(turn.ctx.db, pending.roundId)
  return confirmFor(turn, project, merged, [], round?.kind === 'weekly' ? 'weekly' : 'monthly')
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
    problems: restoreClipped(form.problems ?? '', current?.problemsText).split(/[；;\n]+/).map((s) => s.replace(/^\s*(?:\d+[.、)）]|[①-⑩])\s*/, '').trim()).filter((s) => s && !/^(无|暂无|无问题|暂无问题)$/.test(s)),
    coordination: restoreClipped((form.coordination ?? '').trim(), current?.coordination),
    nextSteps: restoreClipped((form.nextSteps ?? '').trim(), current?.nextSteps),
    correctionReason: (form.reason ?? '').trim(),
  }
  return submit(turn, project, round, values, 'card', args.trust)
}

/** Check, store, answer. Nothing is stored when the check finds an error. */
async function submit(turn: Turn, project: Project, round: Round, input: ReportValues, source: 'card' | 'text', trust?: 'period' | 'ytd'): Promise<BotResult> {
  const { db, now } = turn.ctx
  const mine = await projectsOfContact(db, turn.person.id)
  if (!mine.some((p) => p.id === project.id) && !isOffice(turn.person))
    return say(turn, `您不是「${project.name}」的填报人，不能填报该项目。`)
  if (round.closedAt !== null && round.closedAt <= now.getTime())
    return say(turn, `${round.period} 调度已截止，不能再修改。如需更正请联系县重点项目办公室。`)
  const previous = await previousMonthlyReport(db, project.id, round.period)
  const prevYtd = previous && previous.period.slice(0, 4) === round.period.slice(0, 4) ? previous.report.ytdInvestment : 0
  const values = trust ? applyTrust(input, trust, prevYtd) : input
  const check = checkReport(values, project, round, previous)
  if (check.errors.length) {
    const t = `未登记：${check.errors.join('；')}。`
    return { ...say(turn, t), toast: { kind: 'error', text: check.errors[0]! } }
  }
  if (check.mismatch) {
    await setPending(db, turn.person.id, { kind: 'confirmReport', projectId: project.id, roundId: round.id, values }, now)
    const t = `本月完成 ${formatWan(check.mismatch.period)} 万元，但本年累计比上期（${formatWan(prevYtd)} 万元）增加了 ${formatWan(check.mismatch.rise)} 万元，两者不一致。哪个正确？`
    return {
      toast: { kind: 'warning', text: '本月数与累计增加额不一致，请确认' },
      messages: [turn.reply({ kind: 'card', card: reportMismatchCard(project, t) })],
    }
  }
  const report = await submitReport(db, {
    roundId: round.id,
    projectId: project.id,
    periodInvestment: values.periodInvestment,
    ytdInvestment: values.ytdInvestment!,
    progressPercent: values.progressPercent === null ? null : Math.round(values.progressPercent),
    progressText: values.progressText,
    problemsText: values.problems.join('；'),
    coordination: values.coordination,
    nextSteps: values.nextSteps,
    correctionReason: values.correctionReason || null,
    source,
    submittedBy: turn.person.id,
    submittedAt: now.getTime(),
  })
  await clearPending(db, turn.person.id)
  const notices = await routeProblems(turn, project, report.id, values.problems)
  const period = round.kind === 'monthly' ? round.period : round.period
  const [figures] = await projectMonths(db, period, { projectId: project.id })
  const view = viewOf(turn.ctx.rules, figures!, period)
  const card = receiptCard(project, round, report, view, turn.ctx.demo)
  const messages: OutboundMessage[] = [...notices]
  if (turn.event.type !== 'card_action') messages.unshift(turn.reply({ kind: 'card', card }))
  if (check.warnings.length) messages.push(turn.reply({ kind: 'text', text: `已登记，但请核实：${check.warnings.join('；')}` }))
  return { updateCard: card, toast: { kind: 'success', text: report.version > 1 ? '已修改' : '已提交' }, messages }
}

/** New problems from a report become 问题台账 entries and are sent to the office to 交办. */
async function routeProblems(turn: Turn, project: Project, reportId: number, list: string[]): Promise<OutboundMessage[]> {
  const { db, now } = turn.ctx
  if (!list.length) return []
  const open = await openProblemsOfProject(db, project.id)
  const fresh = list.filter((d) => !open.some((o) => o.description === d))
  const office = await peopleWithRole(db, 'office')
  const units = await listUnits(db)
  const messages: OutboundMessage[] = []
  for (const description of fresh) {
    const row = await raiseProblem(db, {
      projectId: project.id, reportId, description, reporterPersonId: turn.person.id, leaderPersonId: project.leaderPersonId, at: now.getTime(), note: '由调度填报提出',
    })
    const card = newProblemCard({ id: row.id, description, state: 'new', project: project.name, unit: null, dueOn: null }, units)
    for (const o of office) messages.push({ to: { kind: 'person', personId: o.id }, body: { kind: 'card', card }, key: commandKeys.problemRaised(row.id, o.id) })
  }
  return messages
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
]
