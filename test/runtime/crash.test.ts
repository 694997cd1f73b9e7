/**
 * kill -9 in the middle of a county's morning: `npm start` (the real server, as child processes) against the
 * Feishu fake on loopback, a burst of 督办 from the 县长 while the round's prompt cards fan out, the server
 * killed with SIGKILL halfway, an overlapping second process on the same database, and a third that cannot
 * take the port. Feishu redelivers what was not acknowledged (and some of what was). Counted at the end:
 * lost and duplicated work, both zero.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { openNodeDatabase } from '../../src/runtime/node/sqlite.ts'
import { loadDemoCounty } from '../../src/demo/county.ts'
import { bindIdentity } from '../../src/store/repos/directory.ts'
import { shanghaiTime } from '../../src/domain/time.ts'
import { FEISHU_EVENTS_PATH } from '../../src/channels/feishu/routes.ts'
import { startFakeFeishu, textMessageEvent, webhookRequest } from '../fakes/feishu.ts'

const APP = { appId: 'cli_crash', appSecret: 'crash-secret' }
const ENCRYPT_KEY = 'crash-encrypt-key'
const TOKEN = 'vtoken'
const BOT = 'ou_bot_crash'
const dir = mkdtempSync(join(tmpdir(), 'diaodu-crash-'))
const children: ChildProcess[] = []
afterAll(() => {
  for (const c of children) c.kill('SIGKILL')
  rmSync(dir, { recursive: true, force: true })
})

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })

interface Server {
  child: ChildProcess
  port: number
  output: () => string
  exited: Promise<number | null>
}

function server(port: number, db: string, feishu: string, now: Date): Server {
  const env: Record<string, string | undefined> = {
    ...process.env,
    PORT: String(port),
    DATABASE_PATH: db,
    LOG_LEVEL: 'warn',
    DEMO: 'off',
    FEISHU_APP_ID: APP.appId,
    FEISHU_APP_SECRET: APP.appSecret,
    FEISHU_ENCRYPT_KEY: ENCRYPT_KEY,
    FEISHU_VERIFICATION_TOKEN: TOKEN,
    FEISHU_DOMAIN: feishu,
    DIAODU_NOW: now.toISOString(),
  }
  const child = spawn(process.execPath, ['--experimental-strip-types', '--import', './src/runtime/node/preload.ts', 'src/runtime/node/main.ts'], {
    cwd: new URL('../..', import.meta.url),
    env,
  })
  children.push(child)
  let out = ''
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()))
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return { child, port, output: () => out, exited }
}

async function ready(s: Server) {
  for (let i = 0; i < 300; i++) {
    const ok = await fetch(`http://127.0.0.1:${s.port}/healthz`).then(
      (r) => r.ok,
      () => false,
    )
    if (ok) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`server did not start:\n${s.output()}`)
}

async function until(what: string, check: () => boolean, ms = 30_000) {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (check()) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`timed out waiting for ${what}`)
}

describe('kill -9', () => {
  it('loses and duplicates nothing: a burst of 督办 and the round’s fan-out through a SIGKILL, an overlapping process and one that cannot start', async () => {
    const fake = await startFakeFeishu({ ...APP, botOpenId: BOT })
    const path = join(dir, 'county.db')
    const t0 = shanghaiTime(2026, 11, 26, 10)
    const d = openNodeDatabase(path)
    await loadDemoCounty(d.db, shanghaiTime(2026, 11, 22, 10))
    // Everyone bound on Feishu (the office does this at set-up): cards reach contacts and unit heads.
    const everyone = d.sqlite.prepare('select id, title from people').all() as { id: number; title: string | null }[]
    for (const p of everyone) await bindIdentity(d.db, p.id, 'feishu', `ou_p${p.id}`, t0.getTime())
    const boss = everyone.find((p) => p.title === '县长')!
    let check = d
    const projects = d.sqlite.prepare('select id, code from projects order by id').all() as { id: number; code: string }[]
    // Who answers for a project: its contacts and its unit's head (the 督办 card goes to each).
    const responsible = (projectId: number) =>
      (
        check.sqlite
          .prepare(
            `select count(*) n from (select person_id from project_contacts where project_id = @id union select u.head_person_id from projects p join units u on u.id = p.unit_id where p.id = @id and u.head_person_id is not null)`,
          )
          .get({ id: projectId }) as { n: number }
      ).n
    d.close()

    const N = 80
    const events = Array.from({ length: N }, (_, i) => {
      const project = projects[i % projects.length]!
      return {
        i,
        project,
        body: textMessageEvent({
          text: `督办 ${project.code} 事项T${i}号 3个工作日`,
          senderOpenId: `ou_p${boss.id}`,
          chatId: `oc_boss`,
          chatType: 'p2p',
          eventId: `ev_crash_${i}`,
        }),
      }
    })
    // Feishu signs with its clock; the servers run on the county's clock (DIAODU_NOW), which Feishu shares here.
    const started = Date.now()
    const feishuNow = () => String(Math.floor((t0.getTime() + Date.now() - started) / 1000))
    const post = async (port: number, body: unknown) => {
      const { rawBody, headers } = await webhookRequest(body, { encryptKey: ENCRYPT_KEY, timestamp: feishuNow() })
      return fetch(`http://127.0.0.1:${port}${FEISHU_EVENTS_PATH}`, { method: 'POST', headers, body: rawBody }).then(
        (r) => r.status,
        () => 0,
      )
    }

    // Process A: the round's prompts start fanning out (its first tick), the 县长's burst comes in, and at
    // the halfway mark A is killed with SIGKILL.
    const a = server(await freePort(), path, fake.url, t0)
    await ready(a)
    const acked = new Set<number>()
    let next = 0
    const sender = async () => {
      while (next < N) {
        const e = events[next++]!
        if ((await post(a.port, e.body)) === 200) acked.add(e.i)
        if (acked.size >= N / 2 && a.child.exitCode === null) a.child.kill('SIGKILL')
      }
    }
    await Promise.all(Array.from({ length: 8 }, sender))
    if (a.child.exitCode === null) a.child.kill('SIGKILL')
    await a.exited
    expect(acked.size).toBeGreaterThanOrEqual(N / 2)
    expect(acked.size).toBeLessThan(N)

    // Process B starts two minutes later (A's leases have run out) and Feishu redelivers everything A did
    // not acknowledge, plus every tenth event it did (a lost ack).
    const b = server(await freePort(), path, fake.url, new Date(t0.getTime() + 120_000))
    await ready(b)
    // C: an overlapping deploy on the same database (another port), started while B works.
    const c = server(await freePort(), path, fake.url, new Date(t0.getTime() + 125_000))
    await ready(c)
    const redeliver = events.filter((e) => !acked.has(e.i) || e.i % 10 === 0)
    await Promise.all(redeliver.map(async (e, k) => expect(await post(k % 2 ? b.port : c.port, e.body)).toBe(200)))

    check = openNodeDatabase(path)
    const count = (q: string, ...args: unknown[]) => (check.sqlite.prepare(q).get(...args) as { n: number }).n
    await until('every event processed', () => count(`select count(*) n from inbound_log where status != 'processed'`) === 0)
    await until('the outbox drained', () => count(`select count(*) n from outbox where status != 'sent'`) === 0, 60_000)

    // D: a third process on B's port dies at once (EADDRINUSE), before it opens the database.
    const state = () =>
      check.sqlite
        .prepare(
          `select (select count(*) from inbound_log) i, (select count(*) from outbox) o, (select max(lease_until) from inbound_log) l, (select count(*) from job_runs) j`,
        )
        .get()
    const before = state()
    const dead = server(b.port, path, fake.url, new Date(t0.getTime() + 130_000))
    expect(await dead.exited).toBe(1)
    expect(dead.output()).toContain('已被占用')
    expect(state()).toEqual(before)

    // Counted: each 督办 once in the ledger, its reply and each of its cards delivered once, the prompts too.
    const lost: number[] = []
    const duplicated: number[] = []
    for (const e of events) {
      const rows = count(`select count(*) n from supervisions where matter like ?`, `%事项T${e.i}号%`)
      if (rows === 0) lost.push(e.i)
      if (rows > 1) duplicated.push(e.i)
      const delivered = fake.sent.filter((s) => s.content.includes(`事项T${e.i}号`)).length
      const expected = 1 + responsible(e.project.id)
      if (delivered < expected) lost.push(e.i)
      if (delivered > expected) duplicated.push(e.i)
    }
    expect({ lost, duplicated }).toEqual({ lost: [], duplicated: [] })
    expect(count(`select count(*) n from inbound_log where platform = 'feishu'`)).toBe(N)
    const prompts = fake.sent.filter((s) => s.content.includes('2026年11月调度'))
    const keys = new Set(prompts.map((s) => `${s.receiveId}|${s.uuid}`))
    expect(prompts.length).toBe(keys.size)
    // Whether the first minute's tick (prompts, or one catch-up per contact) fell inside the test or not.
    expect(prompts.length).toBe(count(`select count(*) n from outbox where body like '%2026年11月调度%'`))
    check.close()
    for (const s of [b, c]) s.child.kill('SIGTERM')
    await Promise.all([b.exited, c.exited])
    await fake.close()
  }, 120_000)
})
