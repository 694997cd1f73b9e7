/**
 * Idempotency keys. Outbox keys read like `open:monthly:2026-11:p12:u34`; platforms cap theirs (Feishu `uuid`
 * ≤ 50 characters), so a longer key is sent as a stable hash of itself.
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

/** Whether an outbox key is a reply to someone who just wrote (not a push the clock or a job started). */
export function isReplyKey(key: string): boolean {
  return key.startsWith('in:')
}
