/**
 * The shape every scheduled job shares. A job looks at the calendar and the database and names its due
 * slots (job × period, with the instant it was due); the tick claims each slot once and runs it; running a
 * slot yields the messages (items) to queue and the records to write.
 */
import type { Db } from '../store/db.ts'
import type { Button, MessageBody, Platform, Recipient } from '../model/index.ts'
import type { Rules } from '../services/rules.ts'
import type { WorkdayCalendar } from '../domain/workdays.ts'
import type { DispatchCalendar } from '../domain/dispatch.ts'

/** Everything a job may use; `now` is the tick's instant and the only clock. */
export interface JobContext {
  db: Db
  rules: Rules
  /** Working days (holidays, 调休, overrides). */
  calendar: WorkdayCalendar
  /** The dispatch calendar (when things happen). */
  dispatch: DispatchCalendar
  now: Date
  /** Platforms that can deliver now, in order of preference (outbox address resolution). */
  platforms: Platform[]
  /** The database holds the demo county: cards say so. */
  demo: boolean
  /** Planning only: nothing is written, jobs say what they would send. */
  dryRun?: boolean
}

/** One message a job wants delivered. */
export interface JobItem {
  to: Recipient
  /** Idempotency key: the outbox never queues a key twice. */
  key: string
  body: MessageBody
  /** What the message is about ('round:12:p34'); a catch-up keeps only the highest `rank` per topic. */
  topic: string
  rank: number
  /** One line for a catch-up message (markdown). */
  line: string
  /** A button for the catch-up message (e.g. 填报 this project). */
  button?: Button
}

export interface SlotOutput {
  items: JobItem[]
  /** Runs after the items are queued (e.g. counting a 通报, so a crash before queueing re-runs the slot). */
  after?: () => Promise<void>
  /** A short JSON-able summary stored with the job run. */
  result?: Record<string, unknown>
}

/** A job's occurrence that is due: run it once, ever. */
export interface Slot {
  job: string
  period: string
  dueAt: number
  /** After this the slot is skipped, not run late. */
  expiresAt: number
  run(dryRun: boolean): Promise<SlotOutput>
}

/** A job: names the slots due as of `ctx.now` (due ≤ now < expires). */
export type Job = (ctx: JobContext) => Promise<Slot[]>

/** Person recipient. */
export const toPerson = (personId: number): Recipient => ({ kind: 'person', personId })
export const toGroup = (groupId: number): Recipient => ({ kind: 'group', groupId })

/** 'person:12' / 'group:3' for reports and catch-up keys. */
export function recipientTag(r: Recipient): string {
  return r.kind === 'person' ? `person:${r.personId}` : r.kind === 'group' ? `group:${r.groupId}` : `chat:${r.chat.platform}:${r.chat.chatId}`
}
