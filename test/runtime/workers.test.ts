/**
 * The Worker really running: the bundle `wrangler deploy --dry-run` builds, started in workerd (miniflare) with
 * two counties, each on its own D1 database with its own Feishu app (a fake on loopback each). Signed webhooks,
 * the minute Cron Trigger, the outbox Queue and its Durable Object run as they would on Cloudflare; what each
 * county's Feishu received and what each database holds is read from outside.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { Miniflare, convertV4MiniflareOptions } from 'miniflare'
import { openNodeDatabase, type NodeDatabase } from '../../src/runtime/node/sqlite.ts'
import { loadDemoCounty } from '../../src/demo/county.ts'
import { bindIdentity } from '../../src/store/repos/directory.ts'
import { people } from '../../src/store/schema.ts'
import { shanghaiTime } from '../../src/domain/time.ts'
import { startFakeFeishu, textMessageEvent, webhookRequest, type FakeFeishu } from '../fakes/feishu.ts'

const ROOT = join(import.meta.dirname, '../..')
// The demo county as the office would have it a few days before the November round; the counties' clocks
// (DIAODU_NOW) start at the round's opening minute.
const LOADED = shanghaiTime(2026, 11, 22, 10)
const OPENS = shanghaiTime(2026, 11, 25, 9, 1)
const COUNTIES = [
  { id: 'one', name: '甲县', key: 'ek-one', token: 'vt-one' },
  { id: 'two', name: '乙县', key: 'ek-two', token: 'vt-two' },
] as const

let mf: Miniflare
let fakes: Record<string, FakeFeishu>
const figures: Record<string, number> = {}
let bundled: string[] = []
const d1s: Record<string, Awaited<ReturnType<Miniflare['getD1Database']>>> = {}

beforeAll(async () => {
  const out = mkdtempSync(join(tmpdir(), 'diaodu-worker-'))
  let t = performance.now()
  execFileSync(join(ROOT, 'node_modules/.bin/wrangler'), ['deploy', '--dry-run', '--outdir', out, '--metafile', join(out, 'meta.json')], {
    cwd: ROOT,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1', NO_COLOR: '1' },
    stdio: 'pipe',
  })
  figures.buildMs = performance.now() - t
  const bundle = readFileSync(join(out, 'index.js'))
  figures.bundleKiB = bundle.length / 1024
  figures.gzipKiB = gzipSync(bundle).length / 1024
  bundled = Object.keys((JSON.parse(readFileSync(join(out, 'meta.json'), 'utf8')) as { inputs: Record<string, unknown> }).inputs)

  fakes = {}
  for (const c of COUNTIES) fakes[c.id] = await startFakeFeishu({ appId: `cli_${c.id}`, appSecret: `secret-${c.id}`, botOpenId: `ou_bot_${c.id}` })
  const suffix = (id: string) => id.toUpperCase()
  t = performance.now()
  // miniflare 5 takes a new shape of options; its converter takes the documented (v4) one.
  mf = new Miniflare(
    convertV4MiniflareOptions({
      workers: [
        {
          name: 'diaodu',
          modules: true,
          scriptPath: join(out, 'index.js'),
          modulesRoot: out,
          compatibilityDate: '2026-11-17',
          compatibilityFlags: ['nodejs_compat'],
          d1Databases: Object.fromEntries(COUNTIES.map((c) => [`DB_${suffix(c.id)}`, `d1-${c.id}`])),
          queueProducers: { OUTBOX_QUEUE: 'outbox' },
          queueConsumers: { outbox: { maxBatchSize: 100, maxBatchTimeout: 1 } },
          durableObjects: { COUNTY_OBJECT: { className: 'CountyObject', useSQLite: true } },
          bindings: {
            COUNTIES: JSON.stringify(COUNTIES.map((c) => ({ id: c.id, name: c.name, hosts: [`${c.id}.diaodu.test`] }))),
            LOG_LEVEL: 'error',
            ...Object.fromEntries(
              COUNTIES.map((c) => [
                `COUNTY_${suffix(c.id)}`,
                JSON.stringify({
                  FEISHU_APP_ID: `cli_${c.id}`,
                  FEISHU_APP_SECRET: `secret-${c.id}`,
                  FEISHU_ENCRYPT_KEY: c.key,
                  FEISHU_VERIFICATION_TOKEN: c.token,
                  FEISHU_DOMAIN: fakes[c.id]!.url,
                  DIAODU_NOW: OPENS.toISOString(),
                }),
              ]),
            ),
          },
        },
      ],
    }),
  )
  await mf.ready
  figures.startMs = performance.now() - t

  // Each county's database as `wrangler d1 migrations apply` leaves it, then the demo county with its people
  // bound to Feishu accounts of that county's app (`diaodu demo` and `diaodu bind --user` on a SQLite file),
  // copied in as a county moving from npm start to Workers would (`wrangler d1 execute --file` of a dump).
  t = performance.now()
  for (const c of COUNTIES) {
    const d1 = await mf.getD1Database(`DB_${suffix(c.id)}`)
    d1s[c.id] = d1
    for (const file of readdirSync(join(ROOT, 'drizzle'))
      .filter((f) => f.endsWith('.sql'))
      .sort())
      for (const statement of readFileSync(join(ROOT, 'drizzle', file), 'utf8').split('--> statement-breakpoint'))
        if (statement.trim()) await d1.prepare(statement).run()
    const local = openNodeDatabase(':memory:')
    await loadDemoCounty(local.db, LOADED)
    for (const p of await local.db.select({ id: people.id }).from(people).all())
      await bindIdentity(local.db, p.id, 'feishu', `ou_${c.id}_${p.id}`, LOADED.getTime())
    await copyInto(d1, local)
    expect(await count(c.id, `select count(*) n from month_figures`)).toBe(
      (local.sqlite.prepare(`select count(*) n from month_figures`).get() as { n: number }).n,
    )
    local.close()
  }
  figures.seedMs = performance.now() - t
}, 240_000)

afterAll(async () => {
  await mf?.dispose()
  for (const f of Object.values(fakes ?? {})) await f.close()
  console.log(
    `workers: ${Object.entries(figures)
      .map(([k, v]) => `${k}=${Math.round(v)}`)
      .join(' ')}`,
  )
})

/** Every row of `from` into the D1 database, within D1's 100 bound values per statement, in one batch. */
async function copyInto(d1: Awaited<ReturnType<Miniflare['getD1Database']>>, from: NodeDatabase) {
  // month_figures is the database's own (its triggers fill it).
  const tables = from.sqlite
    .prepare(
      `select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not in ('__drizzle_migrations', 'month_figures') order by rowid`,
    )
    .all() as { name: string }[]
  const statements = []
  for (const { name } of tables) {
    const select = from.sqlite.prepare(`select * from "${name}"`)
    const columns = select.columns().map((c) => c.name)
    const rows = select.raw().all() as unknown[][]
    const per = Math.max(1, Math.floor(100 / columns.length))
    for (let i = 0; i < rows.length; i += per) {
      const chunk = rows.slice(i, i + per)
      const values = chunk.map(() => `(${columns.map(() => '?').join(', ')})`).join(', ')
      statements.push(d1.prepare(`insert into "${name}" (${columns.map((c) => `"${c}"`).join(', ')}) values ${values}`).bind(...chunk.flat()))
    }
  }
  // One batch, foreign keys checked at its end (D1 honours defer_foreign_keys): the tables' order does not matter.
  await d1.batch([d1.prepare('PRAGMA defer_foreign_keys = on'), ...statements])
}

const count = async (county: string, sql: string) => ((await d1s[county]!.prepare(sql).first()) as { n: number }).n

async function until(what: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms
  while (!(await what())) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** A signed, encrypted `帮助` from person 1 of `county`, as that county's Feishu app would post it. */
async function helpRequest(county: (typeof COUNTIES)[number], o: { eventId: string; timestamp?: number }) {
  const body = textMessageEvent({
    text: '帮助',
    senderOpenId: `ou_${county.id}_1`,
    chatId: `oc_${county.id}_dm`,
    eventId: o.eventId,
    token: county.token,
  })
  const at = o.timestamp ?? Math.floor(Date.now() / 1000) + Math.floor((OPENS.getTime() - Date.now()) / 1000)
  return webhookRequest(body, { encryptKey: county.key, timestamp: String(at) })
}

const post = (path: string, r: { rawBody: string; headers: Record<string, string> }) =>
  mf.dispatchFetch(`http://localhost${path}`, { method: 'POST', headers: r.headers, body: r.rawBody })

describe('the Worker in workerd', () => {
  it('builds a bundle that starts in workerd, with nothing of the Node runtime in it', () => {
    expect(figures.bundleKiB).toBeGreaterThan(100)
    expect(figures.gzipKiB).toBeLessThan(1024) // the issue's target: under 1 MiB gzip
    expect(bundled.some((f) => f.startsWith('src/runtime/workers/'))).toBe(true)
    const nodeOnly =
      /(^|\/)src\/runtime\/node\/|node_modules\/(echarts|zrender|better-sqlite3|@hono\/node-server|node-cron|ws|@wecom\/aibot-node-sdk|@resvg\/resvg-js|@larksuiteoapi)\//
    expect(bundled.filter((f) => nodeOnly.test(f))).toEqual([])
    expect(figures.startMs).toBeLessThan(30_000)
  })

  it('answers a signed webhook for county one, sends the reply through county one’s Feishu app, and county two sees nothing', async () => {
    const t = performance.now()
    const res = await post('/c/one/webhooks/feishu/events', await helpRequest(COUNTIES[0], { eventId: 'ev_one_1' }))
    figures.firstWebhookMs = performance.now() - t
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({})
    await until(() => fakes.one!.sent.some((s) => s.chatId === 'oc_one_dm'))
    figures.replyMs = performance.now() - t
    const reply = fakes.one!.sent.find((s) => s.chatId === 'oc_one_dm')!
    expect(reply.content).toContain('帮助')
    expect(await count('one', `select count(*) n from inbound_log where status = 'processed'`)).toBe(1)
    expect(await count('one', `select count(*) n from outbox where key like 'in:feishu:ev_one_1%' and status = 'sent'`)).toBeGreaterThan(0)
    expect(await count('two', `select count(*) n from inbound_log`)).toBe(0)
    expect(await count('two', `select count(*) n from outbox`)).toBe(0)
    expect(fakes.two!.sent).toEqual([])

    const warm = performance.now()
    const again = await post('/c/one/webhooks/feishu/events', await helpRequest(COUNTIES[0], { eventId: 'ev_one_2' }))
    figures.warmWebhookMs = performance.now() - warm
    expect(again.status).toBe(200)
  })

  it('refuses replays: county one’s request posted to county two, or a stale one, gets 401 and stores nothing', async () => {
    const signed = await helpRequest(COUNTIES[0], { eventId: 'ev_cross' })
    expect((await post('/c/two/webhooks/feishu/events', signed)).status).toBe(401)
    // By host as well as by path: two.diaodu.test is county two.
    expect(
      (await mf.dispatchFetch('http://two.diaodu.test/webhooks/feishu/events', { method: 'POST', headers: signed.headers, body: signed.rawBody }))
        .status,
    ).toBe(401)
    const stale = await helpRequest(COUNTIES[0], { eventId: 'ev_stale', timestamp: Math.floor(OPENS.getTime() / 1000) - 9 * 3600 })
    expect((await post('/c/one/webhooks/feishu/events', stale)).status).toBe(401)
    expect(await count('two', `select count(*) n from inbound_log`)).toBe(0)
    expect(await count('one', `select count(*) n from inbound_log where dedupe_key in ('ev_cross', 'ev_stale')`)).toBe(0)
    // The same delivery again inside the window is Feishu's retry: answered, done once.
    const first = await helpRequest(COUNTIES[0], { eventId: 'ev_one_1' })
    expect((await post('/c/one/webhooks/feishu/events', first)).status).toBe(200)
    expect(await count('one', `select count(*) n from inbound_log where dedupe_key = 'ev_one_1'`)).toBe(1)
    expect((await mf.dispatchFetch('http://localhost/c/nowhere/webhooks/feishu/events', { method: 'POST' })).status).toBe(404)
  })

  it('the minute tick opens each county’s round in its own database and the queue sends each county’s prompts to its own app', async () => {
    // The Fetcher's `scheduled` (Cron Trigger); its type lives in @cloudflare/workers-types, not installed.
    const worker = (await mf.getWorker()) as unknown as { scheduled(o: { scheduledTime: Date; cron: string }): Promise<unknown> }
    const t = performance.now()
    const repliesBefore = fakes.one!.sent.length
    await worker.scheduled({ scheduledTime: new Date(), cron: '* * * * *' })
    figures.tickMs = performance.now() - t
    expect(repliesBefore).toBeGreaterThan(0)
    for (const c of COUNTIES) {
      expect(await count(c.id, `select count(*) n from rounds where kind = 'monthly' and period = '2026-11' and opens_at is not null`)).toBe(1)
      expect(await count(c.id, `select count(*) n from outbox where key not like 'in:%'`)).toBeGreaterThan(6)
    }
    const open = (id: string) => count(id, `select count(*) n from outbox where status in ('pending', 'sending')`)
    await until(async () => (await open('one')) === 0 && (await open('two')) === 0, 30_000)
    figures.drainMs = performance.now() - t
    for (const c of COUNTIES) {
      const other = COUNTIES.find((o) => o.id !== c.id)!.id
      const sent = fakes[c.id]!.sent
      // Every row the county's outbox marked sent reached its own app, and nothing of the other county did.
      expect(await count(c.id, `select count(*) n from outbox where status = 'failed'`)).toBe(0)
      expect(sent.length).toBe(await count(c.id, `select count(*) n from outbox where status = 'sent'`))
      expect(sent.filter((s) => s.receiveId?.startsWith(`ou_${c.id}_`)).length).toBeGreaterThan(6)
      expect(sent.some((s) => s.receiveId?.startsWith(`ou_${other}_`) || s.chatId.includes(other))).toBe(false)
    }
    // A second tick in the same minute queues nothing more (job runs and outbox keys, as on Node).
    const before = await count('one', `select count(*) n from outbox`)
    await worker.scheduled({ scheduledTime: new Date(), cron: '* * * * *' })
    expect(await count('one', `select count(*) n from outbox`)).toBe(before)
  })

  it('a contact reports in chat on county one’s open round: which project, the echo, 确认, the report and its problem stored on D1', async () => {
    const [one] = COUNTIES
    const contact = (await d1s
      .one!.prepare(
        `select c.person_id id, c.project_id project, p.name name, r.ytd_investment ytd from project_contacts c
           join projects p on p.id = c.project_id
           join reports r on r.project_id = c.project_id and r.current = 1
           join rounds o on o.id = r.round_id and o.period = '2026-10'
         order by c.person_id, c.project_id limit 1`,
      )
      .first()) as { id: number; project: number; name: string; ytd: number }
    const chat = `oc_one_report_${contact.id}`
    let n = 0
    const say = async (text: string) => {
      const body = textMessageEvent({ text, senderOpenId: `ou_one_${contact.id}`, chatId: chat, eventId: `ev_report_${++n}`, token: one.token })
      const at = Math.floor(OPENS.getTime() / 1000) + 60
      const res = await post('/c/one/webhooks/feishu/events', await webhookRequest(body, { encryptKey: one.key, timestamp: String(at) }))
      expect(res.status).toBe(200)
      await until(() => answers().length >= n)
      return answers()[n - 1]!.content
    }
    const answers = () => fakes.one!.sent.filter((s) => s.chatId === chat)
    const ytdWan = contact.ytd / 10_000 + 1200
    const problemsBefore = await count('one', `select count(*) n from problems where description = '林地手续未批'`)
    expect(await say(`本月完成投资1200万元，本年累计${ytdWan}万元，问题：林地手续未批`)).toContain('是哪个项目')
    expect(await say(contact.name.slice(-6))).toContain('1,200.00 万元')
    expect(await say('确认')).toContain('已收到')
    const stored = await d1s
      .one!.prepare(
        `select r.ytd_investment ytd, r.source source from reports r join rounds o on o.id = r.round_id
          where o.period = '2026-11' and r.project_id = ? and r.current = 1`,
      )
      .bind(contact.project)
      .first()
    expect(stored).toEqual({ ytd: contact.ytd + 1200 * 10_000, source: 'text' })
    expect(await count('one', `select count(*) n from problems where description = '林地手续未批'`)).toBe(problemsBefore + 1)
    expect(await count('one', `select count(*) n from inbound_log where dedupe_key like 'ev_report_%' and status = 'processed'`)).toBe(3)
    expect(await count('two', `select count(*) n from reports r join rounds o on o.id = r.round_id where o.period = '2026-11'`)).toBe(0)
  })
})
