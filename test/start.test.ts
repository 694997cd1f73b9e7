/**
 * `npm start` as a user runs it: the command from package.json, on a fresh database, with no credentials —
 * the demo county is loaded, /healthz answers, the /chat page is served, and SIGTERM stops it.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

const dir = mkdtempSync(join(tmpdir(), 'diaodu-start-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('npm start', () => {
  it('serves the demo county on a fresh database and stops on SIGTERM', async () => {
    const scripts = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> }).scripts
    const [command, ...args] = scripts.start!.split(' ')
    expect(command).toBe('node')
    const port = 20000 + Math.floor(Math.random() * 20000)
    const env: Record<string, string | undefined> = { ...process.env, PORT: String(port), DATABASE_PATH: join(dir, 'county.db'), LOG_LEVEL: 'info' }
    for (const k of Object.keys(env)) if (k.startsWith('FEISHU_')) delete env[k]
    const child = spawn(process.execPath, args, { cwd: new URL('..', import.meta.url), env })
    let output = ''
    child.stdout.on('data', (b: Buffer) => (output += b.toString()))
    child.stderr.on('data', (b: Buffer) => (output += b.toString()))
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    try {
      let health: Record<string, unknown> | undefined
      for (let i = 0; i < 200 && !health; i++) {
        await new Promise((r) => setTimeout(r, 100))
        health = await fetch(`http://127.0.0.1:${port}/healthz`).then(
          (r) => r.json() as Promise<Record<string, unknown>>,
          () => undefined,
        )
      }
      expect(health, output).toMatchObject({ ok: true, channels: ['local'] })
      expect(output).toContain('loaded the demo county')
      const chat = await fetch(`http://127.0.0.1:${port}/chat`)
      expect(chat.status).toBe(200)
      expect(await chat.text()).toContain('调度助手 · 本地对话')
    } finally {
      child.kill('SIGTERM')
    }
    expect(await exited).toBe(0)
  }, 40_000)
})

describe('npx diaodu', () => {
  it('runs the command from the package’s bin after npm install', async () => {
    const child = spawn('npx', ['--no-install', 'diaodu', 'deadline', '--from', '2026-09-30', '--workdays', '3'], {
      cwd: new URL('..', import.meta.url),
      env: { ...process.env, DATABASE_PATH: join(dir, 'npx.db') },
    })
    let output = ''
    child.stdout.on('data', (b: Buffer) => (output += b.toString()))
    child.stderr.on('data', (b: Buffer) => (output += b.toString()))
    const code = await new Promise<number | null | Error>((resolve) => {
      child.once('exit', resolve)
      child.once('error', resolve)
    })
    expect({ code, output: output.trim() }).toEqual({ code: 0, output: '2026-10-10' })
  }, 30_000)
})

describe('the preload’s resolve hook', () => {
  it('resolves drizzle-orm’s own relative imports to the files Node itself picks', async () => {
    const { drizzleRelative } = await import('../src/runtime/node/preload.ts')
    const parent = import.meta.resolve('drizzle-orm/sqlite-core')
    for (const specifier of ['./table.js', '../sql/sql.js', './columns/index.js']) {
      const url = drizzleRelative(specifier, parent)
      expect(url).toBe(new URL(specifier, parent).href)
      expect(readFileSync(new URL(url!), 'utf8').length).toBeGreaterThan(0)
    }
    // Everything else goes through Node's own resolution.
    expect(drizzleRelative('drizzle-orm', parent)).toBeUndefined()
    expect(drizzleRelative('./table.cjs', parent)).toBeUndefined()
    expect(drizzleRelative('./x.js', import.meta.url)).toBeUndefined()
    expect(drizzleRelative('./x.js', undefined)).toBeUndefined()
  })
})

describe('the Node check (bin/check-node.js)', () => {
  it('lets Node-API 10 and later through and stops older Nodes with a message, not a crash', async () => {
    const { tooOld } = await import('../bin/check-node.js')
    expect(tooOld(process.versions)).toBeNull()
    expect(tooOld({ node: '22.14.0', napi: '10' })).toBeNull()
    expect(tooOld({ node: '24.21.0', napi: '10' })).toBeNull()
    const refusal = tooOld({ node: '22.12.0', napi: '9' })
    expect(refusal).toContain('Node.js ≥ 22.14')
    expect(refusal).toContain('22.12.0')
  })
})
