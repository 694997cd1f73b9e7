/**
 * The dispatch clock's tick: everything due as of `now`, each job × period claimed once (job_runs) and each
 * message queued once (outbox key), so duplicate ticks, restarts and two processes ticking together never
 * send twice. Nothing is pushed in the quiet hours (work due then waits until they end); work found more than
 * `lateAfterMinutes` late is collapsed into one catch-up message per recipient.
 *
 * @example
 *   // CLI `diaodu tick --at 2026-11-25T09:00+08:00 --dry-run --json`, and node-cron every minute:
 *   const report = await runTick(db, new Date(), false, ['feishu'])
 */
import type { Db } from '../store/db.ts'
import type { Button, OutboundMessage, Platform } from '../model/index.ts'
import { enqueue } from '../outbox/enqueue.ts'
import { clockKeys } from '../outbox/keys.ts'
import { existingKeys } from '../store/repos/outbox.ts'
import { claimJob, finishJob, jobRunsFor } from '../store/repos/job-runs.ts'
import { getSetting } from '../store/repos/settings.ts'
import { loadCalendar, loadDispatchCalendar, loadRules } from '../services/rules.ts'
import { dateOf, inQuietHours, outOfQuietHours } from '../domain/dispatch.ts'
import { localDateTime } from '../domain/time.ts'
import { catchUpCard, markLate } from '../cards/clock.ts'
import { recipientTag, type Job, type JobContext, type JobItem, type Slot, type SlotOutput } from './job.ts'
import { closeRoundsJob, openRoundsJob, overdueJob, remindersJob } from './rounds.ts'
import { awardsJob, bulletinJob, halfwayJob, weeklyBoardJob } from './boards.ts'
import { escalationJob } from './escalation.ts'
import { startsJob } from './starts.ts'
import { decisionJob } from './decisions.ts'

const MINUTE = 60_000

/** Every job, in the order a tick runs them (a round closes before its board, 通报 and awards). */
export const JOBS: readonly { name: string; job: Job }[] = [
  { name: 'open', job: openRoundsJob },
  { name: 'remind', job: remindersJob },
  { name: 'overdue', job: overdueJob },
  { name: 'close', job: closeRoundsJob },
  { name: 'bulletin', job: bulletinJob },
  { name: 'awards', job: awardsJob },
  { name: 'halfway', job: halfwayJob },
  { name: 'starts', job: startsJob },
  { name: 'weekly-board', job: weeklyBoardJob },
  { name: 'escalation', job: escalationJob },
  { name: 'decide', job: decisionJob },
]

/** 'ran' = claimed and done now; 'retaken' = a crashed claim taken over; 'would-run' = dry run; 'busy' = another tick has it. */
export type SlotStatus = 'ran' | 'retaken' | 'would-run' | 'busy'

export interface TickJobReport {
  job: string
  period: string
  dueAt: string
  /** Found more than `lateAfterMinutes` after it was due: its messages went into catch-ups. */
  late: boolean
  status: SlotStatus
  /** Messages the job produced (before catch-up merging). */
  messages: number
  /** Recipients of those messages: 'person:12', 'group:3'. */
  recipients: string[]
  result?: Record<string, unknown>
}

export interface TickReport {
  at: string
  dryRun: boolean
  /** The tick fell in the quiet hours: nothing was done; due work waits until `resumesAt`. */
  quiet: boolean
  resumesAt?: string
  jobs: TickJobReport[]
  /** Messages queued (or, in a dry run, that would be): on-time ones plus one per catch-up recipient. */
  messages: number
  /** Of those, rows new in the outbox (0 in a dry run). */
  queued: number
  catchUp: { recipients: number; merged: number }
  /** Recipients with no account on any enabled platform. */
  unreachable: string[]
  warnings: string[]
}

export interface TickOptions {
  dryRun?: boolean
}

interface Ran {
  slot: Slot
  out: SlotOutput
  late: boolean
  status: SlotStatus
}

/** Runs everything due as of `ctx.now`; see the module comment. Returns a JSON-able report. */
export async function tick(context: JobContext, opts: TickOptions = {}): Promise<TickReport> {
  const dryRun = opts.dryRun ?? false
  const ctx: JobContext = { ...context, dryRun }
  const { db, dispatch } = ctx
  const now = ctx.now.getTime()
  const report: TickReport = {
    at: ctx.now.toISOString(),
    dryRun,
    quiet: false,
    jobs: [],
    messages: 0,
    queued: 0,
    catchUp: { recipients: 0, merged: 0 },
    unreachable: [],
    warnings: [],
  }
  const coverage = ctx.calendar.coverage(Number(dateOf(now).slice(0, 4)))
  if (coverage) report.warnings.push(coverage)
  if (inQuietHours(dispatch, now)) {
    report.quiet = true
    report.resumesAt = new Date(outOfQuietHours(dispatch, now)).toISOString()
    return report
  }

  const lease = dispatch.leaseMinutes * MINUTE
  const lateMs = dispatch.lateAfterMinutes * MINUTE
  const ran: Ran[] = []
  for (const { job } of JOBS) {
    const slots = (await job(ctx)).filter((s) => s.dueAt <= now && now < s.expiresAt)
    if (!slots.length) continue
    // Read first: a slot done long ago costs a read per tick, not a write.
    const runs = await jobRunsFor(db, slots)
    for (const slot of slots) {
      const run = runs.get(`${slot.job}|${slot.period}`)
      if (run?.finishedAt != null) continue
      let status: SlotStatus
      if (dryRun) {
        if (run && run.claimedAt > now - lease) status = 'busy'
        else status = 'would-run'
      } else {
        const c = await claimJob(db, slot.job, slot.period, now, lease)
        if (c === 'done') continue
        status = c === 'claimed' ? 'ran' : c === 'retaken' ? 'retaken' : 'busy'
      }
      if (status === 'busy') {
        report.jobs.push({ job: slot.job, period: slot.period, dueAt: iso(slot.dueAt), late: false, status, messages: 0, recipients: [] })
        continue
      }
      const out = await slot.run(dryRun)
      ran.push({ slot, out, late: now - slot.dueAt > lateMs, status })
    }
  }

  const messages: OutboundMessage[] = []
  const late = new Map<string, Pending[]>()
  const onTime: Pending[] = []
  for (const r of ran) {
    for (const item of r.out.items) {
      if (!r.late) onTime.push({ item, slot: r.slot, late: false })
      else {
        const tag = recipientTag(item.to)
        late.set(tag, [...(late.get(tag) ?? []), { item, slot: r.slot, late: true }])
      }
    }
    report.jobs.push({
      job: r.slot.job,
      period: r.slot.period,
      dueAt: iso(r.slot.dueAt),
      late: r.late,
      status: r.status,
      messages: r.out.items.length,
      recipients: [...new Set(r.out.items.map((i) => recipientTag(i.to)))],
      ...(r.out.result && { result: r.out.result }),
    })
  }
  // A step due now on a topic the recipient is being caught up on (today's 催办 for a round whose opening
  // prompt they missed) goes into the catch-up: one message per topic, not a summary and then a reminder.
  for (const x of onTime) {
    const pending = late.get(recipientTag(x.item.to))
    if (pending?.some((p) => p.item.topic === x.item.topic)) pending.push(x)
    else messages.push({ to: x.item.to, key: x.item.key, body: x.item.body })
  }
  for (const [tag, list] of late) {
    messages.push(catchUp(ctx, tag, list))
    report.catchUp.recipients++
    report.catchUp.merged += list.length
  }
  report.messages = messages.length
  if (dryRun) return report

  const keys = messages.map((m) => m.key!)
  const before = await existingKeys(db, keys)
  const { unreachable } = await enqueue(db, { platforms: ctx.platforms }, messages, now, () => {
    throw new Error('every message of the clock carries its key')
  })
  report.queued = keys.filter((k) => !before.has(k)).length
  report.unreachable = [...new Set(unreachable.map((m) => recipientTag(m.to)))]
  for (const r of ran) {
    await r.out.after?.()
    await finishJob(db, r.slot.job, r.slot.period, now, { ...r.out.result, messages: r.out.items.length, late: r.late })
  }
  return report
}

/** A job's message on its way: sent as it is, or merged into a catch-up. */
interface Pending {
  item: JobItem
  slot: Slot
  late: boolean
}

/**
 * One message for everything a recipient missed: the item itself (marked as sent late) when only one thing
 * is left after keeping the latest step of each topic, otherwise a summary card with a line per topic.
 */
function catchUp(ctx: JobContext, tag: string, list: Pending[]): OutboundMessage {
  const byTopic = new Map<string, Pending>()
  for (const x of list) {
    const kept = byTopic.get(x.item.topic)
    if (!kept || x.item.rank >= kept.item.rank) byTopic.set(x.item.topic, x)
  }
  const kept = [...byTopic.values()]
  const to = list[0]!.item.to
  if (kept.length === 1) {
    const { item, slot, late } = kept[0]!
    return { to, key: item.key, body: late ? markLate(item.body, slot.dueAt) : item.body }
  }
  const since = Math.min(...list.filter((x) => x.late).map((x) => x.slot.dueAt))
  const buttons: Button[] = []
  for (const { item } of kept) if (item.button && !buttons.some((b) => b.label === item.button!.label)) buttons.push(item.button)
  const key = clockKeys.catchUp(
    list.map((x) => x.item.key),
    tag,
  )
  return {
    to,
    key,
    body: {
      kind: 'card',
      card: catchUpCard(
        kept.map((x) => x.item.line),
        buttons,
        since,
        ctx.demo,
      ),
    },
  }
}

const iso = (ms: number) => (Number.isFinite(ms) ? new Date(ms).toISOString() : '')

/** The job context for `now` from what the database holds (rules, calendar overrides, dispatch setting, demo flag). */
export async function createJobContext(db: Db, now: Date, platforms: Platform[]): Promise<JobContext> {
  const [rules, calendar, dispatch, demo] = await Promise.all([loadRules(db), loadCalendar(db), loadDispatchCalendar(db), getSetting(db, 'demo')])
  return { db, rules, calendar, dispatch, now, platforms, demo: Boolean(demo) }
}

/**
 * The entry for the CLI (`diaodu tick --at ISO_TIME [--dry-run] [--json]`) and the node-cron minute tick.
 * `platforms` are the channels that can deliver (the same list the server runs with); default local only.
 */
export async function runTick(db: Db, now: Date, dryRun = false, platforms: Platform[] = ['local']): Promise<TickReport> {
  return tick(await createJobContext(db, now, platforms), { dryRun })
}

/** A tick report as a few readable lines, times in Shanghai (the CLI without --json). */
export function formatTickReport(r: TickReport): string {
  const local = (iso: string) => localDateTime(new Date(iso))
  const lines: string[] = [`tick ${local(r.at)} (Asia/Shanghai)${r.dryRun ? ' — dry run, nothing written' : ''}`]
  if (r.quiet) {
    lines.push(`  quiet hours: nothing sent; due work waits until ${local(r.resumesAt!)}`)
    return lines.join('\n')
  }
  for (const j of r.jobs)
    lines.push(
      `  ${j.status.padEnd(9)} ${j.job} ${j.period} (due ${local(j.dueAt)}${j.late ? ', late → catch-up' : ''}): ${j.messages} message(s) to ${j.recipients.length} recipient(s)`,
    )
  if (!r.jobs.length) lines.push('  nothing due')
  if (r.catchUp.recipients) lines.push(`  catch-up: ${r.catchUp.merged} late message(s) merged into ${r.catchUp.recipients}`)
  lines.push(`  ${r.dryRun ? 'would queue' : 'queued'} ${r.dryRun ? r.messages : `${r.queued} new of ${r.messages}`} message(s)`)
  if (r.unreachable.length) lines.push(`  unreachable (no account on an enabled platform): ${r.unreachable.join(', ')}`)
  for (const w of r.warnings) lines.push(`  ⚠ ${w}`)
  return lines.join('\n')
}
