/**
 * Set-up shared by the WeCom suites on loopback: the configuration of an app that talks to the fake WeCom, and a
 * server that listens before the app exists (the form links it sends carry the server's address, PUBLIC_URL).
 */
import { serve, type ServerType } from '@hono/node-server'
import type { AddressInfo } from 'node:net'
import { loadConfig, type Config } from '../../../src/config.ts'
import type { WecomApp } from '../../fakes/wecom.ts'

/** The configuration of `app` (with its `secret`) calling the fake WeCom at `apiBase`; `extra` adds variables (robots, PUBLIC_URL). */
export function wecomConfig(app: WecomApp, secret: string, apiBase: string, extra: Record<string, string> = {}): Config {
  return loadConfig({
    WECOM_CORP_ID: app.corpId,
    WECOM_AGENT_ID: String(app.agentId),
    WECOM_SECRET: secret,
    WECOM_TOKEN: app.token,
    WECOM_ENCODING_AES_KEY: app.aesKey,
    WECOM_API_BASE: apiBase,
    ...extra,
  })
}

type Fetch = (req: Request) => Response | Promise<Response>

/** A server on 127.0.0.1 that answers 503 until `handle` gives it the app's fetch. */
export async function serveBeforeApp(): Promise<{ server: ServerType; base: string; handle: (fetch: Fetch) => void }> {
  let handler: Fetch = () => new Response('starting', { status: 503 })
  const server = serve({ fetch: (req) => handler(req), port: 0, hostname: '127.0.0.1' })
  await new Promise<void>((resolve) => server.once('listening', () => resolve()))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return { server, base, handle: (fetch) => void (handler = fetch) }
}
