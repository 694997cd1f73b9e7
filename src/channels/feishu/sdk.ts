/**
 * FeishuSender over the official `@larksuiteoapi/node-sdk` Client (Node only: the SDK crashes at load on
 * Workers without a `__dirname` define: it reads `__dirname` when it loads).
 *
 * - `domain` is FEISHU_DOMAIN (`https://open.feishu.cn`, or a fake's `http://127.0.0.1:PORT` in tests).
 * - The tenant token is fetched once and cached (per sender, not the SDK's process-wide cache); when
 *   Feishu says the token is invalid (99991663) it is dropped and the call is retried once.
 * - The SDK throws AxiosError for non-2xx and resolves HTTP 200 bodies with `code ≠ 0`; both
 *   become `{ok: false, …}` through `classifyFeishuError`. Nothing here throws.
 *
 * @example
 *   const sender = createSdkSender({ appId, appSecret, domain: config.FEISHU_DOMAIN })
 *   const r = await sender.send({ chatId: 'oc_…' }, renderBody(body, opts), { uuid: msg.key })
 */
import { Client, LoggerLevel, defaultHttpInstance } from '@larksuiteoapi/node-sdk'
import type { Cache, HttpInstance, Logger } from '@larksuiteoapi/node-sdk'
import type { FeishuContent } from './render.ts'
import { type FeishuSender, type FeishuTarget, type SendResult, FEISHU_MOBILES_PER_LOOKUP, classifyFeishuError, receiveIdOf } from './send.ts'

/** The SDK's token cache interface, plus an optional `clear` we call when Feishu rejects the token. */
export type TokenCache = Cache & { clear?: () => Promise<void> | void }

export interface SdkSenderOptions {
  appId: string
  appSecret: string
  /** FEISHU_DOMAIN; defaults to https://open.feishu.cn. */
  domain?: string
  /** Where the tenant token is kept; defaults to an in-memory cache owned by this sender. */
  cache?: TokenCache
  /** Per-request timeout (default 10 s). The SDK's own default is none. */
  timeoutMs?: number
  /** Receives the SDK's logs (default: silent — failures are returned as values). */
  logger?: Logger
}

export interface SdkSender extends FeishuSender {
  /** The underlying SDK client, for calls this interface does not cover. */
  client: Client
}

/** An in-memory token cache (the SDK Cache contract: values expire at an absolute ms time). */
export class MemoryTokenCache implements TokenCache {
  private values = new Map<string, { value: unknown; expiresAt: number | undefined }>()
  private static key(key: string | Symbol, namespace?: string): string {
    return `${namespace ?? ''}/${key.toString()}`
  }
  async get(key: string | Symbol, options?: { namespace?: string }): Promise<unknown> {
    const hit = this.values.get(MemoryTokenCache.key(key, options?.namespace))
    if (!hit) return undefined
    if (hit.expiresAt !== undefined && hit.expiresAt <= Date.now()) return undefined
    return hit.value
  }
  async set(key: string | Symbol, value: unknown, expire?: number, options?: { namespace?: string }): Promise<boolean> {
    this.values.set(MemoryTokenCache.key(key, options?.namespace), { value, expiresAt: expire })
    return true
  }
  clear(): void {
    this.values.clear()
  }
}

const silent: Logger = { error() {}, warn() {}, info() {}, debug() {}, trace() {} }

/** Wraps the SDK's axios instance (which resolves to the response body) to add a timeout. */
function withTimeout(timeout: number): HttpInstance {
  const base = defaultHttpInstance
  const o = <T extends object | undefined>(opts: T) => ({ timeout, ...opts })
  return {
    request: (opts) => base.request(o(opts)),
    get: (url, opts) => base.get(url, o(opts)),
    delete: (url, opts) => base.delete(url, o(opts)),
    head: (url, opts) => base.head(url, o(opts)),
    options: (url, opts) => base.options(url, o(opts)),
    post: (url, data, opts) => base.post(url, data, o(opts)),
    put: (url, data, opts) => base.put(url, data, o(opts)),
    patch: (url, data, opts) => base.patch(url, data, o(opts)),
  } as HttpInstance
}

interface FeishuBody {
  code?: number
  msg?: string
  data?: { message_id?: string; user_list?: { user_id?: string; mobile?: string; email?: string }[] }
  bot?: { open_id?: string; app_name?: string }
}

type Failure = Extract<SendResult, { ok: false }>

/** Any thrown error from the SDK → a classified failure. */
function failureOf(e: unknown): Failure {
  const err = e as {
    isAxiosError?: boolean
    response?: { status?: number; data?: FeishuBody; headers?: Record<string, unknown> }
    code?: string
    message?: string
  }
  if (err?.isAxiosError) {
    if (!err.response) return classifyFeishuError({ networkError: err.code ?? err.message ?? 'unknown' })
    const { status, data, headers } = err.response
    const reset = headers?.['x-ogw-ratelimit-reset']
    return classifyFeishuError({
      ...(status !== undefined && { status }),
      ...(typeof data?.code === 'number' && { code: data.code }),
      ...(data?.msg !== undefined && { msg: data.msg }),
      ...((typeof reset === 'string' || typeof reset === 'number') && { rateLimitReset: reset }),
    })
  }
  // Token fetch answered 200 with code ≠ 0: "failed to get tenant_access_token, code: 10014, msg: …"
  const m = /code: (\d+), msg: (.*)$/.exec(err?.message ?? '')
  if (m?.[1]) return classifyFeishuError({ status: 200, code: Number(m[1]), ...(m[2] && { msg: m[2] }) })
  return classifyFeishuError({ networkError: err?.message ?? String(e) })
}

const isTokenFailure = (f: Failure) => f.code === 99991663 || f.code === 99991661

export function createSdkSender(opts: SdkSenderOptions): SdkSender {
  const cache = opts.cache ?? new MemoryTokenCache()
  const client = new Client({
    appId: opts.appId,
    appSecret: opts.appSecret,
    domain: opts.domain ?? 'https://open.feishu.cn',
    cache,
    httpInstance: withTimeout(opts.timeoutMs ?? 10_000),
    logger: opts.logger ?? silent,
    loggerLevel: opts.logger ? LoggerLevel.warn : LoggerLevel.fatal,
  })

  /** Runs one API call; on an invalid token, drops the cached token and tries once more. */
  async function call(fn: () => Promise<FeishuBody>): Promise<{ ok: true; body: FeishuBody } | Failure> {
    for (let attempt = 0; ; attempt++) {
      let failure: Failure
      try {
        const body = await fn()
        if (body?.code === 0) return { ok: true, body }
        failure = classifyFeishuError({ status: 200, code: body?.code ?? -1, ...(body?.msg && { msg: body.msg }) })
      } catch (e) {
        failure = failureOf(e)
      }
      if (attempt === 0 && isTokenFailure(failure)) {
        await cache.clear?.()
        continue
      }
      return failure
    }
  }

  const messageResult = (r: Awaited<ReturnType<typeof call>>, fallbackId?: string): SendResult => {
    if (!r.ok) return r
    const id = r.body.data?.message_id ?? fallbackId
    if (!id) return { ok: false, retryable: false, code: -1, reason: '飞书未返回消息 ID' }
    return { ok: true, messageId: id }
  }

  return {
    client,
    async send(to: FeishuTarget, message: FeishuContent, o = {}) {
      const { receive_id_type, receive_id } = receiveIdOf(to)
      const r = await call(() =>
        client.im.v1.message.create({
          params: { receive_id_type },
          data: { receive_id, msg_type: message.msg_type, content: message.content, ...(o.uuid && { uuid: o.uuid }) },
        }),
      )
      return messageResult(r)
    },
    async reply(messageId, message, o = {}) {
      const r = await call(() =>
        client.im.v1.message.reply({
          path: { message_id: messageId },
          data: {
            msg_type: message.msg_type,
            content: message.content,
            ...(o.inThread && { reply_in_thread: true }),
            ...(o.uuid && { uuid: o.uuid }),
          },
        }),
      )
      return messageResult(r)
    },
    async patchCard(messageId, card) {
      const content = typeof card === 'string' ? card : JSON.stringify(card)
      const r = await call(() => client.im.v1.message.patch({ path: { message_id: messageId }, data: { content } }))
      return messageResult(r, messageId)
    },
    async updateCardByToken(token, card) {
      const r = await call(() => client.request({ method: 'POST', url: '/open-apis/interactive/v1/card/update', data: { token, card } }))
      return r.ok ? { ok: true } : r
    },
    async botInfo() {
      const r = await call(() => client.request({ method: 'GET', url: '/open-apis/bot/v3/info' }))
      if (!r.ok) return r
      const bot = r.body.bot
      if (!bot?.open_id) return { ok: false, retryable: false, code: -1, reason: '飞书未返回机器人信息' }
      return { ok: true, openId: bot.open_id, name: bot.app_name ?? '' }
    },
    async userIdsByMobile(mobiles) {
      const users: { mobile: string; userId?: string }[] = []
      for (let i = 0; i < mobiles.length; i += FEISHU_MOBILES_PER_LOOKUP) {
        const slice = mobiles.slice(i, i + FEISHU_MOBILES_PER_LOOKUP)
        const r = await call(() =>
          client.request({
            method: 'POST',
            url: '/open-apis/contact/v3/users/batch_get_id',
            params: { user_id_type: 'open_id' },
            data: { mobiles: slice },
          }),
        )
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
