/**
 * Idempotency keys: one message per key, ever (the outbox's unique index; sent as Feishu's `uuid`). Every
 * key the product uses is built here, from the event that caused the message or from the data it is about
 * — never from the wall clock — so a tick run twice, an event retried or resumed after its work was done,
 * queues nothing new. They read like `open:monthly:2026-11:p12:u34`; platforms cap theirs (Feishu `uuid`
 * ≤ 50 characters), so a longer key is sent as a stable hash of itself (`platformKey`).
 */

/** FNV-1a, 64 bits, as 16 hex digits: stable across runtimes and restarts. */
export function fnv1a64(text: string): string {
  let h = 0xcbf29ce484222325n
  const bytes = new TextEncoder().encode(text)
  for (const b of bytes) {
    h ^= BigInt(b)
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn
  }
  return h.toString(16).padStart(16, '0')
}

/** The key itself when it fits in `max` characters, else `k:` + its hash (`platformKey(long, 50)`). */
export function platformKey(key: string, max = 50): string {
  return key.length <= max ? key : `k:${fnv1a64(key)}`
}

/** The key of the i-th reply to an inbound event: `in:feishu:ev_123:0`. */
export function replyKey(platform: string, eventId: string, i: number): string {
  return `in:${platform}:${eventId}:${i}`
}

/**
 * The key of the update an inbound event makes to the card sent in outbox row `rowId` (its item changed):
 * `card:feishu:ev_123:r45`. One per event and card, so a retried event queues it once.
 */
export function cardUpdateKey(platform: string, eventId: string, rowId: number): string {
  return `card:${platform}:${eventId}:r${rowId}`
}

/** The i-th message to the direct chat of the person who wrote in a group (still a reply: `in:` goes at once). */
export function directReplyKey(platform: string, eventId: string, i: number): string {
  return `in:${platform}:${eventId}:d${i}`
}

/** The key of the i-th message an inbound event's turn sends to someone else (no key of its own): `push:feishu:ev_123:1`. */
export function pushKey(platform: string, eventId: string, i: number): string {
  return `push:${platform}:${eventId}:${i}`
}

/** Whether an outbox key is a reply to someone who just wrote (not a push the clock or a job started). */
export function isReplyKey(key: string): boolean {
  return key.startsWith('in:')
}

type RoundRef = { kind: string; period: string }
/** The inbound event behind a message a person's command sent to others. */
type EventRef = { platform: string; id: string }
const ev = (e: EventRef) => `${e.platform}:${e.id}`

/** Keys of messages a command sends to people other than the sender (by the event that ran it). */
export const commandKeys = {
  bindRequest: (requestId: number, personId: number) => `bind:request:${requestId}:p${personId}`,
  bindDecided: (requestId: number, state: string) => `bind:${state}:${requestId}`,
  supervision: (supervisionId: number, personId: number) => `supervise:${supervisionId}:p${personId}`,
  /** A 督办's 复函 to its issuer, its 办结 and 退回 to the unit's people. */
  supervisionReplied: (e: EventRef, supervisionId: number) => `supervise:reply:${supervisionId}:${ev(e)}`,
  supervisionClosed: (supervisionId: number, personId: number) => `supervise:closed:${supervisionId}:p${personId}`,
  supervisionReturned: (e: EventRef, supervisionId: number, personId: number) => `supervise:return:${supervisionId}:p${personId}:${ev(e)}`,
  /** A problem 提级 to the next 调度 level, to that level's leader. */
  problemLevel: (e: EventRef, problemId: number, personId: number) => `problem:level:${problemId}:p${personId}:${ev(e)}`,
  urge: (e: EventRef, roundId: number, projectId: number, personId: number) => `urge:${roundId}:${projectId}:p${personId}:${ev(e)}`,
  /** A leader's 进度催办 of a project behind 序时, to a contact or (unitId) the unit's head. */
  lagUrge: (e: EventRef, projectId: number, personId: number) => `urge:lag:${projectId}:p${personId}:${ev(e)}`,
  lagUrgeHead: (e: EventRef, unitId: number) => `urge:lag-head:n${unitId}:${ev(e)}`,
  problemRaised: (problemId: number, personId: number) => `problem:new:${problemId}:p${personId}`,
  problemAssigned: (e: EventRef, problemId: number) => `problem:assign:${problemId}:${ev(e)}`,
  /** The unit's head, when a 交办 names another 责任人 of the unit. */
  problemAssignedHead: (e: EventRef, problemId: number) => `problem:assign-head:${problemId}:${ev(e)}`,
  /** To the unit a problem was taken from by a new 交办. */
  problemReassigned: (e: EventRef, problemId: number) => `problem:unassign:${problemId}:${ev(e)}`,
  closeRequested: (e: EventRef, problemId: number) => `problem:close:${problemId}:${ev(e)}`,
  problemClosed: (problemId: number) => `problem:closed:${problemId}`,
  problemRejected: (e: EventRef, problemId: number) => `problem:reject:${problemId}:${ev(e)}`,
}

/** Keys of what the dispatch clock sends (by the round, period or item and the recipient). */
export const clockKeys = {
  prompt: (r: RoundRef, projectId: number, personId: number) => `open:${r.kind}:${r.period}:p${projectId}:u${personId}`,
  reminder: (spec: string, r: RoundRef, projectId: number, personId: number) => `remind:${spec}:${r.kind}:${r.period}:p${projectId}:u${personId}`,
  overdue: (r: RoundRef, projectId: number, personId: number) => `overdue:${r.kind}:${r.period}:p${projectId}:u${personId}`,
  overdueHead: (r: RoundRef, unitId: number) => `overdue-head:${r.kind}:${r.period}:n${unitId}`,
  monthlyBoard: (period: string, groupId: number) => `board:monthly:${period}:g${groupId}`,
  weeklyBoard: (period: string, groupId: number) => `board:weekly:${period}:g${groupId}`,
  bulletin: (period: string, personId: number) => `bulletin:${period}:u${personId}`,
  /** The month's 通报 posted to a group the bot joined (or the demo's county group) after the month closed. */
  groupBulletin: (period: string, groupId: number) => `bulletin:${period}:g${groupId}`,
  awards: (quarter: string, groupId: number) => `awards:${quarter}:g${groupId}`,
  halfwayGroup: (year: string, groupId: number) => `halfway:${year}:g${groupId}`,
  halfwayPerson: (year: string, personId: number) => `halfway:${year}:u${personId}`,
  /** The quarter-end 开复工 check (quarter '2026-Q1'). */
  startsGroup: (quarter: string, groupId: number) => `starts:${quarter}:g${groupId}`,
  startsPerson: (quarter: string, personId: number) => `starts:${quarter}:u${personId}`,
  notice: (kind: 'sv' | 'pb', id: number, count: number, personId: number) => `notice:${kind}:${id}:${count}:u${personId}`,
  /** The n-th reminder to decide the 复函 that came in at `repliedAt` (a new 复函 after 退回 starts again). */
  decide: (supervisionId: number, repliedAt: number, n: number, personId: number) => `decide:${supervisionId}:${repliedAt}:${n}:u${personId}`,
  /** A 进度催办 of one occasion ('settle:2026-10', 'weekly:2026-W44') to a project's contact, and to its unit's head. */
  lagUrge: (occasion: string, projectId: number, personId: number) => `lag:${occasion}:p${projectId}:u${personId}`,
  lagUrgeHead: (occasion: string, unitId: number) => `lag-head:${occasion}:n${unitId}`,
  /** The 约谈 a yellow card opened, to the 指挥长; the 表态发言 a red card asks, to the speaker. */
  interview: (interviewId: number, personId: number) => `interview:${interviewId}:u${personId}`,
  pledge: (period: string, projectId: number, personId: number) => `pledge:${period}:p${projectId}:u${personId}`,
  /** One message for several late ones: named by the keys it stands for, so a re-run merges into the same one. */
  catchUp: (mergedKeys: string[], recipientTag: string) => `catchup:${fnv1a64([...mergedKeys].sort().join('\n')).slice(0, 12)}:${recipientTag}`,
}

/** Keys of what the outbox itself tells the office (once per platform, kind and day). */
export const outboxKeys = {
  deliveryFailed: (day: string, platform: string, kind: string, personId: number) => `delivery-failed:${day}:${platform}:${kind}:u${personId}`,
  deliveryPaused: (day: string, platform: string, personId: number) => `delivery-paused:${day}:${platform}:u${personId}`,
}
