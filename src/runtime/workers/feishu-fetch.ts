/**
 * FeishuSender over `fetch`, for Workers: the six Feishu calls the product makes, without the official SDK
 * (5 MB of bundle, 447 KiB gzip, most of the Worker; it also needs a `__dirname` define to load). Same
 * contract as sdk.ts: results are values, `classifyFeishuError` decides what is retried, the tenant token is
 * cached (one fetch at a time) and refetched once when Feishu calls it invalid.
 *
 * @example
 *   const sender = createFetchSender({ appId, appSecret, domain: 'https://open.feishu.cn' })
 *   await sender.send({ openId: 'ou_…' }, renderBody(body, opts), { uuid: row.key })
 */
import { FEISHU_MOBILES_PER_LOOKUP, classifyFeishuError, receiveIdOf, type FeishuSender, type SendResult } from '../../channels/feishu/send.ts'

export interface FetchSenderOptions {
  appId: string
  appSecret: string
  /** FEISHU_DOMAIN (default https://open.feishu.cn). */
  domain?: string
  /** Per request (default 10 s). */
  timeoutMs?: number
  fetch?: typeof fetch
}

interface FeishuBody {
  code?: number
  msg?: string
  tenant_access_token?: string
  expire?: number
  data?: { message_id?: string; user_list?: { user_id?: string; mobile?: string }[] }
  bot?: { open_id?: string; app_name?: string }
}

type Failure = Extract<SendResult, { ok: false }>
const RENEW_BEFORE_MS = 5 * 60_000

export function createFetchSender(o: FetchSenderOptions): FeishuSender {
  const base = (o.domain ?? 'https://open.feishu.cn').replace(/\/$/, '')
  const doFetch = o.fetch ?? fetch
  const timeoutMs = o.timeoutMs ?? 10_000
  let token: { value: string; until: number } | undefined
  let fetching: Promise<{ ok: true; token: string } | Failure> | undefined

  async function request(method: string, path: string, body: unknown, auth: string | undefined): Promise<{ ok: true; body: FeishuBody } | Failure> {
    let res: Response
    try {
      res = await doFetch(`${base}${path}`, {
        method,
        headers: { 'content-type': 'application/json; charset=utf-8', ...(auth && { authorization: `Bearer ${auth}` }) },
        ...(body !== undefined && { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      })
    } catch (e) {
      return classifyFeishuError({ networkError: e instanceof Error ? e.message : String(e) })
    }
    let parsed: FeishuBody | undefined
    try {
      parsed = (await res.json()) as FeishuBody
    } catch {
      parsed = undefined
    }
    if (res.ok && parsed?.code === 0) return { ok: true, body: parsed }
    const reset = res.headers.get('x-ogw-ratelimit-reset')
    return classifyFeishuError({
      status: res.status,
      code: typeof parsed?.code === 'number' ? parsed.code : -1,
      ...(parsed?.msg !== undefined && { msg: parsed.msg }),
      ...(reset !== null && { rateLimitReset: reset }),
    })
  }

  function tenantToken(): Promise<{ ok: true; token: string } | Failure> {
    if (token && token.until > Date.now()) return Promise.resolve({ ok: true, token: token.value })
    fetching ??= request('POST', '/open-apis/auth/v3/tenant_access_token/internal', { app_id: o.appId, app_secret: o.appSecret }, undefined)
      .then((r) => {
        if (!r.ok) return r
        const value = r.body.tenant_access_token
        if (!value) return { ok: false as const, retryable: true, code: -1, reason: '飞书未返回访问凭证' }
        token = { value, until: Date.now() + (r.body.expire ?? 7200) * 1000 - RENEW_BEFORE_MS }
        return { ok: true as const, token: value }
      })
      .finally(() => (fetching = undefined))
    return fetching
  }

  /** One API call with the tenant token; an invalid token is dropped and the call made once more. */
  async function call(method: string, path: string, body?: unknown): Promise<{ ok: true; body: FeishuBody } | Failure> {
    for (let attempt = 0; ; attempt++) {
      const t = await tenantToken()
      if (!t.ok) return t
      const r = await request(method, path, body, t.token)
      if (!r.ok && attempt === 0 && (r.code === 99991663 || r.code === 99991661)) {
        token = undefined
        continue
      }
      return r
    }
  }

  const messageResult = (r: Awaited<ReturnType<typeof call>>, fallbackId?: string): SendResult => {
    if (!r.ok) return r
    const id = r.body.data?.message_id ?? fallbackId
    return id ? { ok: true, messageId: id } : { ok: false, retryable: false, code: -1, reason: '飞书未返回消息 ID' }
  }

  return {
    async send(to, message, opts = {}) {
      const { receive_id_type, receive_id } = receiveIdOf(to)
      const data = { receive_id, msg_type: message.msg_type, content: message.content, ...(opts.uuid && { uuid: opts.uuid }) }
      return messageResult(await call('POST', `/open-apis/im/v1/messages?receive_id_type=${receive_id_type}`, data))
    },
    async reply(messageId, message, opts = {}) {
      const data = {
        msg_type: message.msg_type,
        content: message.content,
        ...(opts.inThread && { reply_in_thread: true }),
        ...(opts.uuid && { uuid: opts.uuid }),
      }
      return messageResult(await call('POST', `/open-apis/im/v1/messages/${encodeURIComponent(messageId)}/reply`, data))
    },
    async patchCard(messageId, card) {
      const content = typeof card === 'string' ? card : JSON.stringify(card)
      return messageResult(await call('PATCH', `/open-apis/im/v1/messages/${encodeURIComponent(messageId)}`, { content }), messageId)
    },
    async updateCardByToken(t, card) {
      const r = await call('POST', '/open-apis/interactive/v1/card/update', { token: t, card })
      return r.ok ? { ok: true } : r
    },
    async botInfo() {
      const r = await call('GET', '/open-apis/bot/v3/info')
      if (!r.ok) return r
      const bot = r.body.bot
      if (!bot?.open_id) return { ok: false, retryable: false, code: -1, reason: '飞书未返回机器人信息' }
      return { ok: true, openId: bot.open_id, name: bot.app_name ?? '' }
    },
    async userIdsByMobile(mobiles) {
      const users: { mobile: string; userId?: string }[] = []
      for (let i = 0; i < mobiles.length; i += FEISHU_MOBILES_PER_LOOKUP) {
        const slice = mobiles.slice(i, i + FEISHU_MOBILES_PER_LOOKUP)
        const r = await call('POST', '/open-apis/contact/v3/users/batch_get_id?user_id_type=open_id', { mobiles: slice })
        if (!r.ok) return r
        const list = r.body.data?.user_list ?? []
        for (const mobile of slice) {
          const hit = list.find((u) => u.mobile === mobile && u.user_id)
          users.push(hit?.user_id ? { mobile, userId: hit.user_id } : { mobile })
        }
      }
      return { ok: true, users }
    },
  }
}
