/** What every platform's outbox sender does the same way: read a row's message, and report a platform's refusal. */
import type { MessageBody } from '../model/index.ts'
import type { SendOutcome } from './sender.ts'

/** A row's message (stored JSON, or already parsed), or undefined when it is not one we can send. */
export function messageOf(row: { body: unknown }): MessageBody | undefined {
  let v = row.body
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v)
    } catch {
      return undefined
    }
  }
  if (typeof v !== 'object' || v === null) return undefined
  const b = v as { kind?: unknown; text?: unknown; card?: unknown }
  const ok = (b.kind === 'text' && typeof b.text === 'string') || (b.kind === 'card' && typeof b.card === 'object' && b.card !== null)
  return ok ? (v as MessageBody) : undefined
}

/** A platform client's failure as the outbox reads it (rate limits and configuration errors keep their meaning). */
export function refusal(r: { retryable: boolean; retryAfterMs?: number; reason: string; code?: number | string; config?: boolean }): SendOutcome {
  return {
    ok: false,
    retryable: r.retryable,
    ...(r.retryAfterMs !== undefined && { retryAfterMs: r.retryAfterMs }),
    reason: r.reason,
    ...(r.code !== undefined && { code: r.code }),
    ...(r.config && { config: true }),
  }
}

/** The outbox row fields a platform's sender reads (a subset of `OutboxRow`). */
export interface SenderRow {
  platform: string
  address: string
  addressKind: 'user' | 'chat'
  body: unknown
  key: string
  /** An update row: the outbox row whose delivered card this one replaces. */
  updatesId?: number | null
}

/** How a platform client says a call failed. */
export interface PlatformFailure {
  ok: false
  /** True when the same call may succeed later (rate limit, server or network trouble). */
  retryable: boolean
  /** How long to wait before retrying, when the platform said so (rate limits). */
  retryAfterMs?: number
  /** The platform's error code, or 'http' (non-2xx without one) / 'network' (no response). */
  code: number | 'http' | 'network'
  /** The app's configuration is wrong (credentials, capability, scopes, trusted IP): not this message's fault. */
  config?: true
  /** For people: what went wrong, in Chinese, with the platform's own message. */
  reason: string
}
