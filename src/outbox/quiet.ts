/** The quiet hours as the outbox applies them: pushes wait for the morning, replies go at once. */
import { outOfQuietHours, type DispatchCalendar } from '../domain/dispatch.ts'
import { isReplyKey } from './keys.ts'

/**
 * The key prefix that marks a push as urgent (a leader's 「督办 … 紧急」): it goes out in the quiet hours too.
 * `urgentKey(commandKeys.supervision(id, personId))` → `urgent:supervise:12:p34`.
 */
export const URGENT_KEY_PREFIX = 'urgent:'

/** The key of an urgent push: the same key, marked, so the same 督办 still queues each message once. */
export function urgentKey(key: string): string {
  return key.startsWith(URGENT_KEY_PREFIX) ? key : URGENT_KEY_PREFIX + key
}

/** Whether an outbox row may go out in the quiet hours: its key says urgent, or its body carries `urgent: true`. */
export function isUrgent(row: { key: string; body?: unknown }): boolean {
  if (row.key.startsWith(URGENT_KEY_PREFIX)) return true
  const body = row.body
  return typeof body === 'object' && body !== null && (body as { urgent?: unknown }).urgent === true
}

/**
 * The outbox's `holdUntil` for the quiet hours: every push to someone other than the person who just wrote
 * (催办, 督办, new-problem cards, boards, 通报 — whether the clock or another person's command started it) waits
 * for the end of the quiet hours, even when a retry falls due at night; replies into the chat of the person
 * who wrote (`in:` keys) and urgent pushes (`urgentKey`, or `urgent: true` in the body) go at once. Every
 * platform's drain uses it, the local one included.
 */
export function quietHoursHold(
  d: Pick<DispatchCalendar, 'quietHours'>,
): (row: { key: string; body?: unknown; updatesId?: number | null }, now: number) => number {
  // A card update (updatesId) changes a card already in someone's chat and notifies nobody: it goes at once.
  return (row, now) => (isReplyKey(row.key) || isUrgent(row) || row.updatesId != null ? now : outOfQuietHours(d, now))
}
