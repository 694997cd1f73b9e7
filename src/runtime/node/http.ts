/**
 * The Node HTTP server: the Hono app through @hono/node-server, except for the few paths a channel serves
 * straight from node:http (the Feishu webhooks, `feishuNodeRoute`). Those are the requests that come in
 * bursts — every message and click of a county — and on Node the Web Request and Response that Hono's adapter
 * builds around each one, its routing and its body stream cost about as much CPU as verifying, decrypting and
 * storing the webhook (bench:webhook). The answer is the same function the Hono routes call
 * (`feishuWebhookHandler`), so both paths behave alike; a request with a query string, or any other method,
 * goes to Hono.
 *
 * @example
 *   const fast = new Map<string, NodeRoute>()
 *   const server = nodeServer((req) => app.fetch(req), fast)
 *   server.listen(port)
 *   for (const [path, route] of feishuNodeRoutes(handler, logger)) fast.set(path, route)
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { getRequestListener } from '@hono/node-server'
import type { Logger } from '../../log.ts'
import {
  FEISHU_CARDS_PATH,
  FEISHU_EVENTS_PATH,
  MAX_BODY_BYTES,
  type FeishuWebhookAnswer,
  type FeishuWebhookRequest,
} from '../../channels/feishu/routes.ts'

/** Serves one POST path from node:http. */
export type NodeRoute = (req: IncomingMessage, res: ServerResponse) => void

/** A server that answers POSTs to the paths in `routes` (looked up per request: channels add theirs once started) itself, the rest with `fetch`. */
export function nodeServer(
  fetch: (req: Request) => Response | Promise<Response>,
  routes: ReadonlyMap<string, NodeRoute>,
  opts: { hostname?: string } = {},
): Server {
  const hono = getRequestListener(fetch, opts.hostname === undefined ? {} : { hostname: opts.hostname })
  return createServer((req, res) => {
    const route = req.method === 'POST' ? routes.get(req.url ?? '') : undefined
    if (route) route(req, res)
    else void hono(req, res)
  })
}

/** The Feishu webhook paths answered by `handler` (feishuWebhookHandler) straight from node:http. */
export function feishuNodeRoutes(handler: (req: FeishuWebhookRequest) => Promise<FeishuWebhookAnswer>, logger: Logger): [string, NodeRoute][] {
  const route =
    (path: string): NodeRoute =>
    (req, res) => {
      const reply = (status: number, body: Record<string, unknown>) => {
        const text = JSON.stringify(body)
        res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
        res.end(text)
      }
      const tooLarge = () => {
        logger.warn('feishu webhook too large', { path })
        reply(413, { error: 'payload too large' })
      }
      // As the Hono route: judged by Content-Length before reading; a chunked body is counted as it streams.
      const length = req.headers['content-length']
      if (length !== undefined && Number(length) > MAX_BODY_BYTES) return tooLarge()
      const chunks: Buffer[] = []
      let size = 0
      let refused = false
      req.on('data', (chunk: Buffer) => {
        if (refused) return
        size += chunk.length
        if (size > MAX_BODY_BYTES) {
          refused = true
          tooLarge()
          return
        }
        chunks.push(chunk)
      })
      req.on('end', () => {
        if (refused) return
        const rawBody = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')
        handler({ rawBody, headers: req.headers as Record<string, string | undefined>, path }).then(
          // On Node work after the response needs nothing: its promise runs on (and never rejects).
          (a) => reply(a.status, a.body),
          (e: unknown) => {
            logger.error('unhandled error', { path, error: String(e) })
            reply(500, { ok: false, error: '服务器内部错误' })
          },
        )
      })
    }
  return [
    [FEISHU_EVENTS_PATH, route(FEISHU_EVENTS_PATH)],
    [FEISHU_CARDS_PATH, route(FEISHU_CARDS_PATH)],
  ]
}
