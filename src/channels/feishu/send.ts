/**
 * Sending to Feishu, as an interface the bot core's outbox can call and retry. Results are values, never
 * exceptions: `{ok: true, messageId}` or `{ok: false, retryable, retryAfterMs?, code, reason}`.
 *
 * `classifyFeishuError` is the one place that decides what is worth retrying (Feishu's frequency-control and
 * message/create error tables, https://open.feishu.cn/document/server-docs/api-call-guide/frequency-control):
 * - retryable: 99991400 (app rate limit; wait `x-ogw-ratelimit-reset` s), 230020 (per-chat/per-user
 *   5 QPS), 11232, HTTP 5xx, network errors and an invalid token (99991663/99991661, refetched);
 * - permanent, with a Chinese reason for the admin: 230013, 230053, 230002, 230099, 230001 and anything
 *   else we do not know;
 * - configuration errors (`config: true`, FEISHU_CONFIG_ERROR_CODES): the app itself is set up wrong — App ID
 *   (10003) or App Secret (10014) invalid, bot capability off (230006), a scope missing (99991672). Every
 *   send fails the same way until someone fixes the console or the environment, so the outbox pauses the
 *   platform instead of failing the message (src/outbox/pause.ts).
 *
 * Implementations: `sdk.ts` (official Node SDK). Runtime-agnostic.
 */
import type { ChatRef } from '../../model/index.ts'
import type { FeishuContent } from './render.ts'
import type { PlatformFailure } from '../../outbox/rows.ts'

export type SendResult = { ok: true; messageId: string } | PlatformFailure

/** A user (open_id, `ou_…`) or a chat (chat_id, `oc_…`, group or direct). */
export type FeishuTarget = { openId: string } | { chatId: string }

export interface SendOptions {
  /** Idempotency key (≤ 50 chars): Feishu delivers the same uuid at most once per hour. */
  uuid?: string
}

export interface FeishuSender {
  /** Sends a new message to a user or a chat. */
  send(to: FeishuTarget, message: FeishuContent, opts?: SendOptions): Promise<SendResult>
  /** Replies to a message (quote-reply; `inThread` makes it a thread reply). */
  reply(messageId: string, message: FeishuContent, opts?: SendOptions & { inThread?: boolean }): Promise<SendResult>
  /** Replaces a card the app sent (≤ 14 days old, `update_multi: true`, 5 QPS per message). */
  patchCard(messageId: string, card: Record<string, unknown> | string): Promise<SendResult>
  /**
   * Replaces the card a person clicked, after the callback was answered (`POST /open-apis/interactive/v1/card/
   * update` with the callback's `event.token`: valid 30 min, usable twice). For bot runs that overran the
   * callback's 3 s.
   */
  updateCardByToken(token: string, card: Record<string, unknown>): Promise<{ ok: true } | Extract<SendResult, { ok: false }>>
  /** The bot's own identity (`GET /open-apis/bot/v3/info`), for recognising its @-mention. */
  botInfo(): Promise<{ ok: true; openId: string; name: string } | Extract<SendResult, { ok: false }>>
  /**
   * The directory: which account (open_id) has each mobile (`POST /open-apis/contact/v3/users/batch_get_id
   * ?user_id_type=open_id` with `{"mobiles": […]}`, at most 50; scope contact:user.id:readonly). Every mobile
   * asked comes back once; one Feishu does not know, or outside the app's availability range, has no userId.
   */
  userIdsByMobile(mobiles: string[]): Promise<{ ok: true; users: { mobile: string; userId?: string }[] } | Extract<SendResult, { ok: false }>>
}

/** Feishu's batch_get_id takes at most this many mobiles per call. */
export const FEISHU_MOBILES_PER_LOOKUP = 50

/** The receive_id / receive_id_type pair for a target. */
export function receiveIdOf(to: FeishuTarget): { receive_id_type: 'open_id' | 'chat_id'; receive_id: string } {
  return 'openId' in to ? { receive_id_type: 'open_id', receive_id: to.openId } : { receive_id_type: 'chat_id', receive_id: to.chatId }
}

/** A neutral ChatRef (from an InboundEvent) as a send target: Feishu chats are addressed by chat_id. */
export function targetOfChat(chat: ChatRef): FeishuTarget {
  return chat.chatId.startsWith('ou_') ? { openId: chat.chatId } : { chatId: chat.chatId }
}

/** Permanent errors we know, with the reason an admin reads. */
export const FEISHU_ERROR_REASONS: Record<number, string> = {
  230001: '请求参数无效',
  230002: '机器人不在该群中，请先把机器人拉进群',
  230006: '应用未启用机器人能力',
  230013: '该用户不在应用的可用范围内，请在开发者后台调整可用范围',
  230017: '群已解散',
  230025: '消息内容超过长度限制',
  230027: '应用缺少发送消息的权限',
  230053: '该用户已停用机器人',
  230099: '卡片内容无效，飞书无法生成卡片',
  10003: '应用 ID 无效',
  10014: '应用密钥（App Secret）无效',
  99991672: '应用缺少接口权限，请在开发者后台开通并发布新版本',
}

/**
 * Errors that say the app is configured wrong, not that this message is: every other send would fail the
 * same way until the App ID / Secret, the bot capability or the scopes are fixed. (Kept in step with
 * CONFIG_ERROR_CODES.feishu in src/outbox/pause.ts; test/outbox/pause.test.ts checks both.)
 */
export const FEISHU_CONFIG_ERROR_CODES: ReadonlySet<number> = new Set([10003, 10014, 230006, 99991672])

const RETRYABLE_REASONS: Record<number, string> = {
  99991400: '飞书接口调用频率超限（应用级）',
  230020: '发送太频繁（同一用户或同一群每秒最多 5 条）',
  11232: '发送太频繁',
  99991663: '访问凭证无效或已过期',
  99991661: '缺少访问凭证',
}

export interface FeishuFailure {
  /** HTTP status, if there was a response. */
  status?: number
  /** Feishu `code` from the body, if any. */
  code?: number
  msg?: string
  /** The `x-ogw-ratelimit-reset` header (seconds), if present. */
  rateLimitReset?: string | number
  /** Set when there was no response at all (connection refused, timeout…). */
  networkError?: string
}

/** Turns a failed call into a SendResult failure. See the module comment for the rules. */
export function classifyFeishuError(f: FeishuFailure): Extract<SendResult, { ok: false }> {
  const detail = (code: number | string) => `（${code}${f.msg ? `: ${f.msg}` : ''}）`
  if (f.networkError !== undefined) {
    return { ok: false, retryable: true, code: 'network', reason: `无法连接飞书（${f.networkError}）` }
  }
  const reset = Number(f.rateLimitReset)
  const retryAfterMs = f.rateLimitReset !== undefined && Number.isFinite(reset) && reset > 0 ? Math.ceil(reset * 1000) : 1000
  const code = f.code
  if (code !== undefined && code !== 0) {
    if (code === 99991400 || code === 230020 || code === 11232) {
      return { ok: false, retryable: true, retryAfterMs, code, reason: RETRYABLE_REASONS[code] + detail(code) }
    }
    if (code === 99991663 || code === 99991661) {
      return { ok: false, retryable: true, code, reason: RETRYABLE_REASONS[code] + detail(code) }
    }
    if (f.status !== undefined && f.status >= 500) {
      return { ok: false, retryable: true, code, reason: `飞书服务暂时不可用${detail(code)}` }
    }
    const known = FEISHU_ERROR_REASONS[code]
    const reason = (known ?? '飞书返回错误') + detail(code)
    if (FEISHU_CONFIG_ERROR_CODES.has(code)) return { ok: false, retryable: false, config: true, code, reason }
    return { ok: false, retryable: false, code, reason }
  }
  const status = f.status ?? 0
  if (status === 429) return { ok: false, retryable: true, retryAfterMs, code: 'http', reason: `飞书限流（HTTP 429）` }
  if (status >= 500) return { ok: false, retryable: true, code: 'http', reason: `飞书服务暂时不可用（HTTP ${status}）` }
  return { ok: false, retryable: false, code: 'http', reason: `飞书请求失败（HTTP ${status}${f.msg ? `: ${f.msg}` : ''}）` }
}
