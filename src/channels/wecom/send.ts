/**
 * Our small WeCom API client over fetch (there is no official server SDK; research/wecom.md §0.5, §5).
 *
 * - access_token: `GET /cgi-bin/gettoken?corpid&corpsecret`, cached per client (one client per app), renewed
 *   5 minutes before `expires_in` runs out, with a single-flight refresh (concurrent sends share one
 *   gettoken). An answer of 40014 (invalid) or 42001 (expired) drops it, refetches once and retries once.
 * - `message/send` (text, markdown, template_card) and `message/update_template_card`;
 * - 应用群聊: `appchat/create` and `appchat/send` (text, markdown).
 * - Results are values, never exceptions: `{ok: true, msgid}` or `{ok: false, retryable, retryAfterMs?, code,
 *   reason, config?}`; `classifyWecomError` is the one place that decides (codes, never errmsg):
 *   45009 (frequency) and 45033 (concurrency) are rate limits (RATE_LIMIT_CODES.wecom pauses the app), -1 and
 *   HTTP 5xx and network trouble are retried; 60020 (caller IP not in 企业可信IP), 40001/40013/40056/42009/48002
 *   are configuration errors (`config: true`: the outbox pauses WeCom and tells the office, the message waits);
 *   81013 (recipient outside the app's visibility) and others are permanent.
 *
 * Runtime-agnostic (fetch). The token never leaves this module and is never logged.
 */
import type { WecomMessage } from './render.ts'
import type { PlatformFailure } from '../../outbox/rows.ts'

/** A WeCom call's answer; a failure's `code` is WeCom's `errcode`, or 'http' / 'network'. */
export type WecomResult = { ok: true; msgid: string; responseCode?: string } | PlatformFailure

export type WecomFailure = Extract<WecomResult, { ok: false }>

export interface WecomClientOptions {
  corpId: string
  secret: string
  agentId: number
  /** WECOM_API_BASE (default https://qyapi.weixin.qq.com). */
  apiBase?: string
  fetch?: typeof fetch
  /** ms clock for the token's expiry (default Date.now). */
  now?: () => number
  /** Per request (default 10 s). */
  timeoutMs?: number
}

export interface WecomClient {
  /** `message/send` to one member (userid). */
  send(touser: string, message: WecomMessage): Promise<WecomResult>
  /** `message/update_template_card` with a click's single-use response_code (72 h). */
  updateTemplateCard(
    userids: string[],
    responseCode: string,
    body: { button: { replace_name: string } } | { template_card: Record<string, unknown> },
  ): Promise<WecomResult>
  /**
   * `appchat/create` (doc /90245): a 应用群聊 of 2–2,000 members the app can post to (visibility must be the root
   * department). `chatid` ≤ 32 letters and digits, optional (WeCom makes one).
   */
  createAppChat(chat: { name: string; owner: string; userlist: string[]; chatid?: string }): Promise<{ ok: true; chatid: string } | WecomFailure>
  /** `appchat/send` (doc /90248) to a chat the app created: text or markdown (no template cards there). */
  sendAppChat(chatid: string, message: Extract<WecomMessage, { msgtype: 'text' | 'markdown' }>): Promise<WecomResult>
  /** A valid access token (fetched or cached). */
  token(): Promise<{ ok: true; token: string } | WecomFailure>
  /** Gettoken calls made (tests). */
  readonly tokenFetches: number
}

/** Early renewal: a token is renewed when less than this is left of its validity. */
const RENEW_BEFORE_MS = 5 * 60_000

const RATE: Record<number, { waitMs: number; reason: string }> = {
  45009: { waitMs: 60_000, reason: '企业微信接口调用频率超限' },
  45033: { waitMs: 2_000, reason: '企业微信接口并发调用超限' },
}

/**
 * WeCom's answer to update_template_card with a response_code that is spent, older than 72 h or unknown:
 * 60140 无效的response_code (global code list, doc /90313: 「可能是response_code已经过期」).
 */
export const RESPONSE_CODE_INVALID = 60140

/** Configuration errors, with what to fix. */
export const WECOM_CONFIG_ERRORS: Record<number, string> = {
  60020:
    '企业微信拒绝了本服务器的 IP：请在企业微信管理后台 → 应用管理 → 本应用 → 应用详情 → 企业可信IP 中加入本服务器的出口 IP（需先配置可信域名或接收消息服务器 URL；WECOM_API_BASE 指向固定 IP 的代理时加入代理的 IP）',
  40001: '应用 Secret 无效：请核对 WECOM_SECRET（应用管理 → 本应用 → Secret）',
  40013: '企业 ID 无效：请核对 WECOM_CORP_ID（我的企业 → 企业信息 → 企业ID）',
  40056: 'AgentId 无效：请核对 WECOM_AGENT_ID（应用管理 → 本应用 → AgentId）',
  42009: 'Secret 与 AgentId 不属于同一应用：请核对 WECOM_SECRET 和 WECOM_AGENT_ID',
  48002: '应用没有调用该接口的权限（接口权限未开通）',
}

const PERMANENT: Record<number, string> = {
  81013: '该成员不在应用的可见范围内或不存在（请在应用的可见范围中加入此人）',
  45002: '消息内容超过长度限制',
  40003: '成员 UserID 无效',
  60011: '应用没有该成员的权限（请检查应用的可见范围）',
  42014: '卡片 task_id 无效或重复',
  // 应用群聊 (appchat/create, appchat/send; global code list /90313).
  86001: '应用群聊 ID 无效（32 个以内的字母或数字）',
  86003: '应用群聊不存在（只能发到本应用创建的群）',
  86004: '应用群聊名称无效（不能为空，最多 50 个字）',
  86005: '应用群聊群主无效',
  86006: '应用群聊成员过多或过少（2 到 2000 人）',
  86007: '应用群聊成员无效',
  86008: '不能操作其他应用创建的群',
  86207: '群主不在群成员列表中',
  86215: '该群 ID 已被使用（换一个群 ID，或不填由企业微信生成）',
  86216: '群成员中有无效的 UserID（不在通讯录或应用可见范围内）',
  [RESPONSE_CODE_INVALID]: 'response_code 无效：已用过、已过期（72 小时）或不属于这张卡片',
}

/** Turns WeCom's answer (or its absence) into a failure; see the module comment. */
export function classifyWecomError(f: { status?: number; errcode?: number; errmsg?: string; networkError?: string }): WecomFailure {
  if (f.networkError !== undefined) return { ok: false, retryable: true, code: 'network', reason: `无法连接企业微信（${f.networkError}）` }
  const code = f.errcode
  const detail = (c: number | string) => `（${c}${f.errmsg ? `: ${f.errmsg}` : ''}）`
  if (code !== undefined && code !== 0) {
    const rate = RATE[code]
    if (rate) return { ok: false, retryable: true, retryAfterMs: rate.waitMs, code, reason: rate.reason + detail(code) }
    if (code === -1) return { ok: false, retryable: true, code, reason: `企业微信系统繁忙${detail(code)}` }
    if (code === 40014 || code === 42001) return { ok: false, retryable: true, code, reason: `企业微信访问凭证无效或已过期${detail(code)}` }
    const config = WECOM_CONFIG_ERRORS[code]
    if (config) return { ok: false, retryable: false, config: true, code, reason: config + detail(code) }
    if (f.status !== undefined && f.status >= 500) return { ok: false, retryable: true, code, reason: `企业微信服务暂时不可用${detail(code)}` }
    return { ok: false, retryable: false, code, reason: (PERMANENT[code] ?? '企业微信返回错误') + detail(code) }
  }
  const status = f.status ?? 0
  if (status === 429 || status >= 500)
    return {
      ok: false,
      retryable: true,
      ...(status === 429 && { retryAfterMs: 1000 }),
      code: 'http',
      reason: `企业微信服务暂时不可用（HTTP ${status}）`,
    }
  return { ok: false, retryable: false, code: 'http', reason: `企业微信请求失败（HTTP ${status}${f.errmsg ? `: ${f.errmsg}` : ''}）` }
}

type Answer = { status: number; json: Record<string, unknown> } | { networkError: string }

export function createWecomClient(o: WecomClientOptions): WecomClient {
  const base = (o.apiBase ?? 'https://qyapi.weixin.qq.com').replace(/\/+$/, '')
  const doFetch = o.fetch ?? ((input, init) => fetch(input, init))
  const now = o.now ?? (() => Date.now())
  const timeoutMs = o.timeoutMs ?? 10_000
  let cached: { token: string; renewAt: number } | undefined
  let inflight: Promise<{ ok: true; token: string } | WecomFailure> | undefined
  let fetches = 0

  async function call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Answer> {
    try {
      const res = await doFetch(base + path, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' },
        ...(body !== undefined && { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      })
      const text = await res.text()
      let json: Record<string, unknown> = {}
      try {
        const v: unknown = text ? JSON.parse(text) : {}
        if (v && typeof v === 'object' && !Array.isArray(v)) json = v as Record<string, unknown>
      } catch {
        /* not JSON: judged by the status */
      }
      return { status: res.status, json }
    } catch (e) {
      return { networkError: e instanceof Error ? e.message : String(e) }
    }
  }

  const errOf = (a: Answer): WecomFailure =>
    'networkError' in a
      ? classifyWecomError({ networkError: a.networkError })
      : classifyWecomError({
          status: a.status,
          ...(typeof a.json.errcode === 'number' && { errcode: a.json.errcode }),
          ...(typeof a.json.errmsg === 'string' && { errmsg: a.json.errmsg }),
        })

  function token(): Promise<{ ok: true; token: string } | WecomFailure> {
    if (cached && now() < cached.renewAt) return Promise.resolve({ ok: true, token: cached.token })
    if (inflight) return inflight
    inflight = (async () => {
      fetches++
      const a = await call('GET', `/cgi-bin/gettoken?corpid=${encodeURIComponent(o.corpId)}&corpsecret=${encodeURIComponent(o.secret)}`)
      if ('networkError' in a || a.status !== 200 || a.json.errcode !== 0 || typeof a.json.access_token !== 'string') {
        const f = errOf(a)
        // A gettoken refused for its token is not retryable the usual way: it is the secret.
        return f.code === 40014 || f.code === 42001 ? { ...f, retryable: false } : f
      }
      const ttl = typeof a.json.expires_in === 'number' ? a.json.expires_in * 1000 : 7200_000
      cached = { token: a.json.access_token, renewAt: now() + Math.max(ttl - RENEW_BEFORE_MS, ttl / 2) }
      return { ok: true as const, token: a.json.access_token }
    })().finally(() => {
      inflight = undefined
    })
    return inflight
  }

  /** POST with the token; on 40014/42001 the token is dropped, refetched once and the call retried once. */
  async function post(path: string, body: Record<string, unknown>): Promise<{ ok: true; json: Record<string, unknown> } | WecomFailure> {
    for (let attempt = 0; ; attempt++) {
      const t = await token()
      if (!t.ok) return t
      const a = await call('POST', `${path}?access_token=${encodeURIComponent(t.token)}`, body)
      if (!('networkError' in a) && a.status === 200 && a.json.errcode === 0) return { ok: true, json: a.json }
      const f = errOf(a)
      if ((f.code === 40014 || f.code === 42001) && attempt === 0) {
        if (cached?.token === t.token) cached = undefined
        continue
      }
      return f
    }
  }

  const result = (r: { ok: true; json: Record<string, unknown> } | WecomFailure): WecomResult => {
    if (!r.ok) return r
    const invalid = typeof r.json.invaliduser === 'string' ? r.json.invaliduser : ''
    if (invalid) return { ok: false, retryable: false, code: 81013, reason: `${PERMANENT[81013]}（invaliduser: ${invalid}）` }
    const msgid = typeof r.json.msgid === 'string' ? r.json.msgid : ''
    return { ok: true, msgid, ...(typeof r.json.response_code === 'string' && { responseCode: r.json.response_code }) }
  }

  return {
    token,
    get tokenFetches() {
      return fetches
    },
    async send(touser, message) {
      return result(await post('/cgi-bin/message/send', { touser, agentid: o.agentId, ...message }))
    },
    async createAppChat(chat) {
      const r = await post('/cgi-bin/appchat/create', chat)
      if (!r.ok) return r
      return { ok: true, chatid: typeof r.json.chatid === 'string' ? r.json.chatid : (chat.chatid ?? '') }
    },
    async sendAppChat(chatid, message) {
      const r = await post('/cgi-bin/appchat/send', { chatid, ...message })
      return r.ok ? { ok: true, msgid: typeof r.json.msgid === 'string' ? r.json.msgid : '' } : r
    },
    async updateTemplateCard(userids, responseCode, body) {
      const r = await post('/cgi-bin/message/update_template_card', { userids, agentid: o.agentId, response_code: responseCode, ...body })
      // Here invaliduser is a list: members who never had the card.
      const invalid = r.ok && Array.isArray(r.json.invaliduser) ? (r.json.invaliduser as unknown[]).map(String) : []
      if (invalid.length)
        return { ok: false, retryable: false, code: 81013, reason: `该成员没有这张卡片，无法更新（invaliduser: ${invalid.join('|')}）` }
      return result(r)
    },
  }
}
