/**
 * Long-connection mode (FEISHU_MODE=ws): the SDK's WSClient opens an outbound WebSocket to Feishu, so the
 * server needs no public URL. Node only (the `ws` package; Workers cannot hold the socket).
 *
 * Events arrive in plain JSON (no signature, no encryption: the socket itself is authenticated with the
 * app secret) and take the same path as webhooks: classify → toInboundEvent → dedupe in the inbound log
 * → processEvent (via `FeishuReceiver.accept`). The SDK sends our return value back as the frame's answer,
 * so events return at once (work runs after) and card callbacks return `{toast, card}`.
 *
 * We hand WSClient a minimal dispatcher of our own instead of the SDK's EventDispatcher, because the
 * latter flattens header and event together (`{...header, ...event}`), losing the shape we verify.
 *
 * @example
 *   const ws = startFeishuWs({ appId, appSecret, domain, receiver, logger })
 *   // later: ws.close()
 */
import { LoggerLevel, WSClient } from '@larksuiteoapi/node-sdk'
import type { EventDispatcher, Logger as SdkLogger } from '@larksuiteoapi/node-sdk'
import type { Logger } from '../../log.ts'
import { WebhookAuthError, WebhookPayloadError, classify, type FeishuReceiver } from '../../channels/feishu/index.ts'

/** What WSClient calls: `invoke(parsedBody, {needCheck: false})`, answer sent back as the frame's data. */
export interface WsDispatcher {
  invoke(data: unknown, opts?: { needCheck?: boolean }): Promise<Record<string, unknown> | undefined>
}

/**
 * The dispatcher WSClient feeds: events return `undefined` at once (processing continues), card callbacks
 * return the callback response. Malformed input is logged and dropped, never thrown into the SDK.
 */
export function feishuWsDispatcher(receiver: FeishuReceiver, logger: Logger): WsDispatcher {
  return {
    async invoke(data) {
      try {
        const receipt = await receiver.intake(() => receiver.accept(classify(data)))
        if (receipt.kind === 'card') return receipt.response
        return undefined
      } catch (e) {
        if (e instanceof WebhookPayloadError || e instanceof WebhookAuthError) {
          logger.warn('feishu long-connection event malformed', { reason: e.message })
          return undefined
        }
        logger.error('feishu long-connection event failed', { error: e instanceof Error ? e.message : String(e) })
        return undefined
      }
    },
  }
}

export interface FeishuWsOptions {
  appId: string
  appSecret: string
  /** FEISHU_DOMAIN. */
  domain: string
  receiver: FeishuReceiver
  logger: Logger
}

/** Our logger in the SDK's shape (it passes several arguments per line). */
function sdkLogger(logger: Logger): SdkLogger {
  const line = (args: unknown[]) =>
    args
      .flat()
      .map((a) => (typeof a === 'string' ? a : a instanceof Error ? a.message : JSON.stringify(a)))
      .join(' ')
  return {
    error: (...a: unknown[]) => logger.error('feishu ws', { detail: line(a) }),
    warn: (...a: unknown[]) => logger.warn('feishu ws', { detail: line(a) }),
    info: (...a: unknown[]) => logger.info('feishu ws', { detail: line(a) }),
    debug: (...a: unknown[]) => logger.debug('feishu ws', { detail: line(a) }),
    trace: () => {},
  }
}

/** Connects and keeps reconnecting (SDK default) until `close()`. */
export function startFeishuWs(o: FeishuWsOptions): { close(): void } {
  const client = new WSClient({
    appId: o.appId,
    appSecret: o.appSecret,
    domain: o.domain,
    logger: sdkLogger(o.logger),
    loggerLevel: LoggerLevel.info,
    autoReconnect: true,
    source: 'diaodu',
    onReady: () => o.logger.info('feishu long connection ready'),
    onError: (err) => o.logger.error('feishu long connection gave up', { error: err.message }),
    onReconnecting: () => o.logger.warn('feishu long connection lost; reconnecting'),
    onReconnected: () => o.logger.info('feishu long connection re-established'),
  })
  const dispatcher = feishuWsDispatcher(o.receiver, o.logger) as unknown as EventDispatcher
  client
    .start({ eventDispatcher: dispatcher })
    .catch((e: unknown) => o.logger.error('feishu long connection failed to start', { error: e instanceof Error ? e.message : String(e) }))
  return { close: () => client.close({ force: true }) }
}
