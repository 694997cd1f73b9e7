/**
 * Smoke test of the deployment as an operator runs it locally: `wrangler d1 migrations apply --local` on the
 * root wrangler.toml's county, `wrangler dev --local` on loopback, a signed Feishu webhook posted to it, and the
 * reply arriving at a fake Feishu through the outbox Queue and its Durable Object.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startFakeFeishu, textMessageEvent, webhookRequest, type FakeFeishu } from '../fakes/feishu.ts'

const ROOT = join(import.meta.dirname, '../..')
const WRANGLER = join(ROOT, 'node_modules/.bin/wrangler')
const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1', NO_COLOR: '1' }
let fake: FakeFeishu
let dev: ChildProcess
let base: string
let log = ''

beforeAll(async () => {
  fake = await startFakeFeishu({ appId: 'cli_dev', appSecret: 'dev-secret' })
  const state = mkdtempSync(join(tmpdir(), 'diaodu-wrangler-'))
  execFileSync(WRANGLER, ['d1', 'migrations', 'apply', 'diaodu-demo', '--local', '--persist-to', state], { cwd: ROOT, env, stdio: 'pipe' })
  const port = 30000 + Math.floor(Math.random() * 20000)
  const county = { FEISHU_APP_ID: 'cli_dev', FEISHU_APP_SECRET: 'dev-secret', FEISHU_ENCRYPT_KEY: 'dev-key', FEISHU_DOMAIN: fake.url }
  dev = spawn(
    WRANGLER,
    [
      'dev',
      '--local',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--persist-to',
      state,
      '--var',
      `COUNTY_DEMO:${JSON.stringify(county)}`,
      '--var',
      'LOG_LEVEL:error',
    ],
    { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  dev.stdout!.on('data', (d: Buffer) => (log += d.toString()))
  dev.stderr!.on('data', (d: Buffer) => (log += d.toString()))
  base = `http://127.0.0.1:${port}`
  const end = Date.now() + 90_000
  for (;;) {
    const up = await fetch(`${base}/healthz`).then(
      (r) => r.ok,
      () => false,
    )
    if (up) break
    if (Date.now() > end || dev.exitCode !== null) throw new Error(`wrangler dev did not start:\n${log}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}, 150_000)

afterAll(async () => {
  dev?.kill('SIGTERM')
  await fake?.close()
})

describe('wrangler dev --local', () => {
  it('answers a signed webhook on loopback and the reply reaches the county’s Feishu', async () => {
    const body = textMessageEvent({ text: '帮助', senderOpenId: 'ou_dev_1', chatId: 'oc_dev_1', eventId: 'ev_dev_1' })
    const r = await webhookRequest(body, { encryptKey: 'dev-key' })
    const res = await fetch(`${base}/c/demo/webhooks/feishu/events`, { method: 'POST', headers: r.headers, body: r.rawBody })
    expect(res.status).toBe(200)
    const end = Date.now() + 30_000
    while (!fake.sent.some((s) => s.chatId === 'oc_dev_1') && Date.now() < end) await new Promise((r) => setTimeout(r, 200))
    expect(fake.sent.find((s) => s.chatId === 'oc_dev_1')?.content).toContain('绑定')
    const forged = await fetch(`${base}/c/demo/webhooks/feishu/events`, {
      method: 'POST',
      headers: { ...r.headers, 'x-lark-signature': '0'.repeat(64) },
      body: r.rawBody,
    })
    expect(forged.status).toBe(401)
  })
})
