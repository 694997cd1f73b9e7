/** The quiet hours as the outbox applies them: pushes wait for the morning, replies go at once. */
import { outOfQuietHours, type DispatchCalendar } from '../domain/dispatch.ts'
import { isReplyKey } from './keys.ts'

/**
 * The outbox's `holdUntil` for the quiet hours: pushes (催办, boards, 通报) wait for the morning, even when a
 * retry falls due at night; replies to someone who just wrote go at once.
 */
export function quietHoursHold(d: Pick<DispatchCalendar, 'quietHours'>): (row: { key: string }, now: number) => number {
  return (row, now) => (isReplyKey(row.key) ? now : outOfQuietHours(d, now))
}
