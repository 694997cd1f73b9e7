/**
 * The Node HTTP server: the Hono app through @hono/node-server, except for the few paths a channel serves
 * straight from node:http (the Feishu webhooks, `feishuNodeRoutes`; the WeCom callback, `wecomNodeRoute`).
 * Those are the requests that come in bursts — every message and click of a county — and on Node the Web
 * Request and Response that Hono's adapter builds around each one, its routing and its body stream cost about
 * as much CPU as verifying, decrypting and storing the webhook (bench:webhook, bench:wecom). The answer is the
 * same function the Hono routes call (`feishuWebhookHandler`, `wecomCallbackHandler`), so both paths behave
 * alike. A route is found by the path before any `?`; a request with a query string goes to Hono unless its
 * route takes one (`acceptsQuery`: WeCom signs its callbacks in the query, Feishu never sends one), and so
 * does any other method.
 *
 * @example
 *   const fast = new Map<string, NodeRoute>()
 *   const server = nodeServer((req) => app.fetch(req), fast)
 *   server.listen(port)
 *   for (const [path, route] of feishuNodeRoutes(handler, logger)) fast.set(path, route)
 *   fast.set(WECOM_CALLBACK_PATH, wecomNodeRoute(wecomHandler, logger))
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { getRequestListener } from '@hono/node-server'
import { getQueryParam } from 'hono/utils/url'
import type { Logger } from '../../log.ts'
import {
  FEISHU_CARDS_PATH,
  FEISHU_EVENTS_PATH,
  MAX_BODY_BYTES as FEISHU_MAX_BODY_BYTES,
  type FeishuWebhookAnswer,
  type FeishuWebhookRequest,
} from '../../channels/feishu/routes.ts'
import {
  MAX_BODY_BYTES as WECOM_MAX_BODY_BYTES,
  TEXT_CONTENT_TYPE,
  WECOM_CALLBACK_PATH,
  type WecomCallbackAnswer,
  type WecomCallbackQuery,
  type WecomCallbackRequest,
} from '../../channels/wecom/routes.ts'

/**
 * Serves one POST path from node:http; `query` is what follows the `?` of the URL ('' without one). Only a
 * route that `acceptsQuery` is handed requests that have a query string.
 */
export type NodeRoute = ((req: IncomingMessage, res: ServerResponse, query: string) => void) & { readonly acceptsQuery?: boolean }

/**
 * A server that answers POSTs to the paths in `routes` (looked up per request: channels add theirs once
 * started) itself, the rest with `fetch`.
 */
export function nodeServer(
  fetch: (req: Request) => Response | Promise<Response>,
  routes: ReadonlyMap<string, NodeRoute>,
  opts: { hostname?: string } = {},
): Server {
  const hono = getRequestListener(fetch, opts.hostname === undefined ? {} : { hostname: opts.hostname })
  return createServer((req, res) => {
    const url = req.url ?? ''
    const mark = url.indexOf('?')
    const route = req.method === 'POST' ? routes.get(mark < 0 ? url : url.slice(0, mark)) : undefined
    if (route && mark < 0) route(req, res, '')
    else if (route?.acceptsQuery) route(req, res, url.slice(mark + 1))
    else void hono(req, res)
  })
}

/**
 * Reads a request's body as UTF-8 into `done`, or calls `tooLarge` once past `limit` bytes instead. As the Hono
 * routes' limit: judged by Content-Length before reading; a chunked body is counted as it streams.
 */
function readBody(req: IncomingMessage, limit: number, tooLarge: () => void, done: (rawBody: string) => void): void {
  const length = req.headers['content-length']
  if (length !== undefined && Number(length) > limit) return tooLarge()
  const chunks: Buffer[] = []
  let size = 0
  let refused = false
  req.on('data', (chunk: Buffer) => {
    if (refused) return
    size += chunk.length
    if (size > limit) {
      refused = true
      tooLarge()
      return
    }
    chunks.push(chunk)
  })
  req.on('end', () => {
    if (refused) return
    done(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8'))
  })
}

/** A response with `body` (none when null) and its content type, as @hono/node-server writes one. */
function send(res: ServerResponse, status: number, body: string | null, contentType?: string): void {
  if (body === null) {
    res.writeHead(status)
    res.end()
    return
  }
  res.writeHead(status, { 'content-type': contentType ?? TEXT_CONTENT_TYPE, 'content-length': Buffer.byteLength(body) })
  res.end(body)
}

const sendJson = (res: ServerResponse, status: number, body: Record<string, unknown>) => send(res, status, JSON.stringify(body), 'application/json')

/** Answers `answer` once it settles; a rejection is what the app's onError answers (src/http/app.ts). */
function settle<A>(res: ServerResponse, logger: Logger, path: string, answer: Promise<A>, reply: (a: A) => void): void {
  // On Node work after the response needs nothing: its promise runs on (and never rejects).
  answer.then(reply, (e: unknown) => {
    logger.error('unhandled error', { path, error: String(e) })
    sendJson(res, 500, { ok: false, error: '服务器内部错误' })
  })
}

/** The Feishu webhook paths answered by `handler` (feishuWebhookHandler) straight from node:http. */
export function feishuNodeRoutes(handler: (req: FeishuWebhookRequest) => Promise<FeishuWebhookAnswer>, logger: Logger): [string, NodeRoute][] {
  const route =
    (path: string): NodeRoute =>
    (req, res) =>
      readBody(
        req,
        FEISHU_MAX_BODY_BYTES,
        () => {
          logger.warn('feishu webhook too large', { path })
          sendJson(res, 413, { error: 'payload too large' })
        },
        (rawBody) =>
          settle(res, logger, path, handler({ rawBody, headers: req.headers as Record<string, string | undefined>, path }), (a) =>
            sendJson(res, a.status, a.body),
          ),
      )
  return [
    [FEISHU_EVENTS_PATH, route(FEISHU_EVENTS_PATH)],
    [FEISHU_CARDS_PATH, route(FEISHU_CARDS_PATH)],
  ]
}

/** The callback's signed parameters, read with Hono's own query parser (what `c.req.query` uses): both paths see the same values. */
function callbackQuery(query: string): WecomCallbackQuery {
  // getQueryParam takes a whole URL (it looks for the `?` past the scheme).
  const url = `http://q/?${query}`
  const param = (key: string) => getQueryParam(url, key) as string | undefined
  return { msg_signature: param('msg_signature'), timestamp: param('timestamp'), nonce: param('nonce') }
}

/**
 * The WeCom callback `POST /webhooks/wecom?msg_signature=…&timestamp=…&nonce=…` answered by `handler`
 * (wecomCallbackHandler) straight from node:http; its GET (URL verification, once per setup) stays on Hono.
 */
export function wecomNodeRoute(handler: (req: WecomCallbackRequest) => Promise<WecomCallbackAnswer>, logger: Logger): NodeRoute {
  const route = (req: IncomingMessage, res: ServerResponse, query: string) =>
    readBody(
      req,
      WECOM_MAX_BODY_BYTES,
      () => {
        logger.warn('wecom callback too large', {})
        send(res, 413, 'payload too large')
      },
      (rawBody) =>
        settle(res, logger, WECOM_CALLBACK_PATH, handler({ rawBody, query: callbackQuery(query) }), (a) =>
          send(res, a.status, a.body, a.contentType),
        ),
    )
  return Object.assign(route, { acceptsQuery: true })
}
