/**
 * The local channel's protection, over real HTTP on 127.0.0.1: the app is served by @hono/node-server as
 * npm start serves it, and requests are made the way a browser on another site (or a DNS-rebinding page)
 * would make them. Then the start-up guard that keeps the local channel off a real county's database, as a
 * function and as the `npm start` process.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { request as httpRequest } from 'node:http'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { networkInterfaces, tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { serve, type ServerType } from '@hono/node-server'
import { Hono } from 'hono'
import { openNodeDatabase, type NodeDatabase } from '../../../src/runtime/node/sqlite.ts'
import { loadDemoCounty } from '../../../src/demo/county.ts'
import { shanghaiTime } from '../../../src/domain/time.ts'
import { silentLogger } from '../../../src/log.ts'
import { createApp } from '../../../src/http/app.ts'
import { localChannelRefusal, localChannelRoutes, REAL_COUNTY_REFUSAL } from '../../../src/channels/local/index.ts'
import { ConfigError, listenHost, loadConfig } from '../../../src/config.ts'

const NOW = shanghaiTime(2026, 11, 22, 10)

let database: NodeDatabase
let server: ServerType
let base: string
let port: number

async function listen(fetch: (req: Request) => Response | Promise<Response>) {
  server = serve({ fetch, port: 0, hostname: '127.0.0.1' })
  await new Promise<void>((resolve) => server.once('listening', () => resolve()))
  port = (server.address() as AddressInfo).port
  base = `http://127.0.0.1:${port}`
}

beforeEach(async () => {
  database = openNodeDatabase(':memory:')
  await loadDemoCounty(database.db, NOW)
  await listen(createApp({ db: database.db, schemaVersion: 1, logger: silentLogger, now: () => NOW, channels: ['local'] }).fetch)
})
afterEach(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()))
  database.close()
})

/** A raw HTTP request, so that any Host header can be sent (fetch always sends the URL's). */
function raw(method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        headers: { ...headers, ...(body !== undefined && { 'content-length': String(Buffer.byteLength(body)) }) },
      },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (c: string) => (text += c))
        res.on('end', () => {
          let json: unknown
          try {
            json = JSON.parse(text)
          } catch {
            json = text
          }
          resolve({ status: res.statusCode ?? 0, json })
        })
      },
    )
    req.on('error', reject)
    if (body !== undefined) req.write(body)
    req.end()
  })
}

function counts() {
  const tables = ['outbox', 'inbound_log', 'groups', 'audit_log', 'pending_actions', 'reports', 'identities']
  return Object.fromEntries(tables.map((t) => [t, (database.sqlite.prepare(`select count(*) n from ${t}`).get() as { n: number }).n]))
}

const someone = () => (database.sqlite.prepare(`select id from people order by id limit 1`).get() as { id: number }).id

describe('the local channel refuses what another site could make a browser send', () => {
  it('refuses a cross-origin text/plain POST to /local/send, and stores nothing', async () => {
    await fetch(`${base}/local/roster`) // the county group exists before we count
    const before = counts()
    const body = JSON.stringify({ personId: someone(), text: '督办 城东污水处理厂 加快林地手续办理 3个工作日' })
    // What a <form enctype="text/plain"> or a no-cors fetch from evil.example sends (no preflight needed).
    const r = await fetch(`${base}/local/send`, {
      method: 'POST',
      headers: {
        'content-type': 'text/plain;charset=UTF-8',
        origin: 'http://evil.example',
        'sec-fetch-site': 'cross-site',
        'sec-fetch-mode': 'no-cors',
      },
      body,
    })
    expect(r.status).toBe(403)
    expect(((await r.json()) as { error: string }).error).toMatch(/其他网站/)
    // Without Fetch Metadata (older browsers) the Origin alone is enough; without either, the content type.
    expect(
      (await fetch(`${base}/local/send`, { method: 'POST', headers: { 'content-type': 'text/plain', origin: 'http://evil.example' }, body })).status,
    ).toBe(403)
    expect((await fetch(`${base}/local/send`, { method: 'POST', headers: { 'content-type': 'text/plain', origin: 'null' }, body })).status).toBe(403)
    expect((await fetch(`${base}/local/send`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body })).status).toBe(415)
    expect(
      (
        await fetch(`${base}/local/send`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'personId=1&text=x',
        })
      ).status,
    ).toBe(415)
    // JSON from another origin (a preflighted fetch, or a tool) and another port of this machine (same-site).
    expect(
      (await fetch(`${base}/local/send`, { method: 'POST', headers: { 'content-type': 'application/json', origin: 'http://evil.example' }, body }))
        .status,
    ).toBe(403)
    expect(
      (
        await fetch(`${base}/local/send`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin: `http://127.0.0.1:${port + 1}`, 'sec-fetch-site': 'same-site' },
          body,
        })
      ).status,
    ).toBe(403)
    expect(
      (await fetch(`${base}/local/action`, { method: 'POST', headers: { 'content-type': 'text/plain', origin: 'http://evil.example' }, body: '{}' }))
        .status,
    ).toBe(403)
    expect(counts()).toEqual(before)
  })

  it('refuses a Host that is not this machine on /chat and /local/* (DNS rebinding), and stores nothing', async () => {
    await fetch(`${base}/local/roster`)
    const before = counts()
    const body = JSON.stringify({ personId: someone(), text: '帮助' })
    for (const host of [
      'evil.example',
      `evil.example:${port}`,
      `rebind.attacker.test:${port}`,
      '192.168.1.20',
      `localhost.evil.example:${port}`,
      '127.0.0.1.nip.io',
    ]) {
      for (const path of ['/chat', '/local/roster', '/local/chat.js', `/local/inbox?address=person:${someone()}`]) {
        const r = await raw('GET', path, { host })
        expect({ host, path, status: r.status }).toEqual({ host, path, status: 403 })
      }
      // Same-origin as far as the browser can tell: a rebinding page's origin is the attacker's name.
      const post = await raw(
        'POST',
        '/local/send',
        { host, 'content-type': 'application/json', origin: `http://${host}`, 'sec-fetch-site': 'same-origin' },
        body,
      )
      expect({ host, status: post.status }).toEqual({ host, status: 403 })
    }
    expect((await raw('GET', '/chat', { host: 'local host' })).status).toBeGreaterThanOrEqual(400)
    expect(counts()).toEqual(before)
    // The health check is not the local channel's: it answers any Host (a reverse proxy's, say).
    expect((await raw('GET', '/healthz', { host: 'diaodu.example.gov.cn' })).status).toBe(200)
  })

  it('answers the names of this machine, and a host it was told to', async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`, 'localhost', '127.0.0.1']) {
      expect({ host, status: (await raw('GET', '/chat', { host })).status }).toEqual({ host, status: 200 })
    }
    await new Promise<void>((resolve) => server.close(() => resolve()))
    const app = new Hono().route(
      '/',
      localChannelRoutes({ db: database.db, logger: silentLogger, now: () => NOW, channels: ['local'], allowedHosts: ['demo.county.lan'] }),
    )
    await listen(app.fetch)
    expect((await raw('GET', '/chat', { host: `demo.county.lan:${port}` })).status).toBe(200)
    expect((await raw('GET', '/chat', { host: 'other.county.lan' })).status).toBe(403)
    const me = someone()
    const sent = await raw(
      'POST',
      '/local/send',
      { host: 'demo.county.lan', 'content-type': 'application/json', origin: 'http://demo.county.lan' },
      JSON.stringify({ personId: me, text: '帮助' }),
    )
    expect(sent.status).toBe(200)
  })

  it('lets the page itself post JSON from its own origin', async () => {
    const me = someone()
    const headers = { 'content-type': 'application/json; charset=utf-8', origin: base, 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors' }
    const r = await fetch(`${base}/local/send`, { method: 'POST', headers, body: JSON.stringify({ personId: me, text: '帮助' }) })
    expect(r.status).toBe(200)
    expect(((await r.json()) as { ok: boolean; messages: unknown[] }).messages.length).toBeGreaterThan(0)
    // A tool (curl) sends neither Origin nor Fetch Metadata: JSON is enough.
    const plain = await fetch(`${base}/local/send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ personId: me, text: '红黄牌' }),
    })
    expect(plain.status).toBe(200)
    const box = (await (await fetch(`${base}/local/inbox?address=person:${me}`, { headers: { 'sec-fetch-site': 'same-origin' } })).json()) as {
      messages: { from: string }[]
    }
    expect(box.messages.filter((m) => m.from === 'person')).toHaveLength(2)
    expect(box.messages.some((m) => m.from === 'bot')).toBe(true)
  })
})

describe('the local channel never serves a real county unless asked', () => {
  it('decides from the database: empty and demo are fine, units without the demo setting are a real county', async () => {
    const empty = openNodeDatabase(':memory:')
    expect(await localChannelRefusal(empty.db, {})).toBeUndefined()
    empty.sqlite.exec(`insert into units (code, name, league) values ('U001', '城关镇', '乡镇')`)
    expect(await localChannelRefusal(empty.db, {})).toBe(REAL_COUNTY_REFUSAL)
    expect(await localChannelRefusal(empty.db, { LOCAL_CHANNEL: 'auto' })).toBe(REAL_COUNTY_REFUSAL)
    expect(await localChannelRefusal(empty.db, { LOCAL_CHANNEL: 'on' })).toBeUndefined()
    empty.close()
    expect(await localChannelRefusal(database.db, {})).toBeUndefined() // the demo county
    expect(REAL_COUNTY_REFUSAL).not.toContain('\n')
    for (const v of ['FEISHU_APP_ID', 'FEISHU_APP_SECRET', 'LOCAL_CHANNEL=on']) expect(REAL_COUNTY_REFUSAL).toContain(v)
  })

  it('listens on 127.0.0.1 by default while the local channel is on, and where HOST says otherwise', () => {
    expect(listenHost(loadConfig({}))).toBe('127.0.0.1')
    expect(listenHost(loadConfig({ HOST: '0.0.0.0' }))).toBe('0.0.0.0')
    expect(listenHost(loadConfig({ FEISHU_APP_ID: 'cli_x', FEISHU_APP_SECRET: 's', FEISHU_ENCRYPT_KEY: 'k' }))).toBeUndefined()
    expect(loadConfig({ LOCAL_HOST: ' Demo.County.lan, 192.168.1.20 ,' }).LOCAL_HOST).toEqual(['demo.county.lan', '192.168.1.20'])
    expect(loadConfig({}).LOCAL_CHANNEL).toBe('auto')
    expect(() => loadConfig({ LOCAL_CHANNEL: 'yes' })).toThrow(ConfigError)
    expect(() => loadConfig({ LOCAL_HOST: 'http://evil/' })).toThrow(/LOCAL_HOST/)
  })
})

describe('npm start on a real county with no platform configured', () => {
  const dir = mkdtempSync(join(tmpdir(), 'diaodu-guard-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const scripts = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> }).scripts
  const [, ...args] = scripts.start!.split(' ')

  function start(env: Record<string, string>) {
    const full: Record<string, string | undefined> = { ...process.env, LOG_LEVEL: 'info', ...env }
    for (const k of Object.keys(full))
      if (k.startsWith('FEISHU_') || k === 'HOST' || k === 'LOCAL_CHANNEL' || k === 'DEMO') if (!(k in env)) delete full[k]
    const child = spawn(process.execPath, args, { cwd: new URL('../../..', import.meta.url), env: full })
    let output = ''
    child.stdout.on('data', (b: Buffer) => (output += b.toString()))
    child.stderr.on('data', (b: Buffer) => (output += b.toString()))
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    return { child, exited, output: () => output }
  }

  it('stops with one line naming the variables; with LOCAL_CHANNEL=on it serves, on loopback only', async () => {
    const path = join(dir, 'real.db')
    const d = openNodeDatabase(path)
    d.sqlite.exec(`insert into units (code, name, league) values ('U001', '城关镇', '乡镇')`)
    d.close()
    const port = 20000 + Math.floor(Math.random() * 20000)

    const refused = start({ PORT: String(port), DATABASE_PATH: path, DEMO: 'off' })
    expect(await refused.exited).toBe(2)
    const lines = refused.output().trim().split('\n')
    expect(lines.at(-1)).toBe(REAL_COUNTY_REFUSAL)
    expect(lines.filter((l) => l.includes('LOCAL_CHANNEL'))).toHaveLength(1)
    // DEMO=auto does not load the demo over a real county either: the same refusal.
    expect(await start({ PORT: String(port), DATABASE_PATH: path }).exited).toBe(2)

    const served = start({ PORT: String(port), DATABASE_PATH: path, DEMO: 'off', LOCAL_CHANNEL: 'on' })
    try {
      let health: Record<string, unknown> | undefined
      for (let i = 0; i < 200 && !health; i++) {
        await new Promise((r) => setTimeout(r, 100))
        health = await fetch(`http://127.0.0.1:${port}/healthz`).then(
          (r) => r.json() as Promise<Record<string, unknown>>,
          () => undefined,
        )
      }
      expect(health, served.output()).toMatchObject({ ok: true, channels: ['local'] })
      expect((await fetch(`http://127.0.0.1:${port}/chat`)).status).toBe(200)
      // Not reachable on this machine's other addresses.
      const lan = Object.values(networkInterfaces())
        .flat()
        .find((a) => a && a.family === 'IPv4' && !a.internal)
      if (lan) await expect(fetch(`http://${lan.address}:${port}/healthz`, { signal: AbortSignal.timeout(2000) })).rejects.toThrow()
      expect(served.output()).toContain('"HOST":"127.0.0.1"')
    } finally {
      served.child.kill('SIGTERM')
    }
    expect(await served.exited).toBe(0)
  }, 60_000)
})
