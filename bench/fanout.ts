/**
 * Fan-out bench: 10,000 prompt cards to 2,000 recipients through the outbox, against the fake Feishu open API
 * on loopback enforcing the documented limits with Feishu's error codes (5 QPS per receiver as documented;
 * the app-wide 50/s and 1000/min are multiplied by --scale, default 10, or 10,000 cards would take 10 minutes
 * per phase at the real 1000/min).
 *
 * Phase 1: one sender process drains everything. Phase 2: a fresh batch; the sender runs in a child process
 * that is killed with SIGKILL halfway through, then a new child finishes (rows the dead one held come back
 * when their lease ends; their Feishu `uuid` keeps them from being delivered twice).
 *
 *   npm run bench:fanout            (node --experimental-strip-types bench/fanout.ts [--scale 10])
 *
 * Last line: key=value figures (ratio, rate_limited, duplicates, lost, and the same for the restart phase).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { openNodeDatabase, type NodeDatabase } from '../src/runtime/node/sqlite.ts'
import { identities, people } from '../src/store/schema.ts'
import { insertMany } from '../src/store/bulk.ts'
import { enqueue } from '../src/outbox/enqueue.ts'
import { drainOutbox } from '../src/outbox/sender.ts'
import { systemClock } from '../src/outbox/clock.ts'
import { createLimiter, PLATFORM_LIMITS, scaleAppLimits, sustainedPerSecond } from '../src/outbox/limits.ts'
import { createSdkSender } from '../src/channels/feishu/sdk.ts'
import { feishuOutboxSender } from '../src/channels/feishu/outbox.ts'
import { reportPromptCard } from '../src/cards/conversation.ts'
import type { OutboundMessage } from '../src/model/index.ts'
import type { Project } from '../src/store/repos/projects.ts'
import type { Round } from '../src/store/repos/rounds.ts'
import { shanghaiTime } from '../src/domain/time.ts'
import { startFakeFeishu, type FakeFeishu, type SentRecord } from '../test/fakes/feishu.ts'

const APP = { appId: 'cli_bench', appSecret: 'bench-secret' }
const SELF = fileURLToPath(import.meta.url)
const LEASE_MS = 5000

const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: '10' },
    messages: { type: 'string', default: '10000' },
    recipients: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '16' },
    child: { type: 'boolean', default: false },
    db: { type: 'string' },
    url: { type: 'string' },
  },
})
const scale = Number(values.scale)
const limits = { ...PLATFORM_LIMITS, feishu: scaleAppLimits(PLATFORM_LIMITS.feishu!, scale) }
const concurrency = Number(values.concurrency)

/** The sender: drains the outbox until nothing is left (also what the child process runs). */
async function drain(d: NodeDatabase, url: string) {
  const sender = createSdkSender({ ...APP, domain: url, timeoutMs: 10_000 })
  return drainOutbox(d.db, { feishu: feishuOutboxSender(sender, d.db) }, systemClock, {
    platforms: ['feishu'],
    limiter: createLimiter({ limits }),
    leaseMs: LEASE_MS,
    concurrency,
    waitMs: 4 * LEASE_MS,
  })
}

if (values.child) {
  const d = openNodeDatabase(values.db!)
  const stats = await drain(d, values.url!)
  process.stdout.write(JSON.stringify(stats))
  d.close()
  process.exit(0)
}

// ---------------------------------------------------------------------------------------------------------

const total = Number(values.messages)
const recipients = Number(values.recipients)
const perRecipient = Math.ceil(total / recipients)

function project(i: number): Project {
  return {
    id: i,
    code: `XM2026-${String(i).padStart(5, '0')}`,
    name: `示例县重点项目${i}号`,
    unitId: 1,
    leaderPersonId: null,
    sector: '工业',
    level: '县重点',
    stage: '续建',
    year: 2026,
    totalInvestment: 300_000_000,
    annualPlan: 120_000_000,
    planCurve: null,
    plannedStart: null,
    plannedFinish: null,
    plannedNewStart: false,
    startedOn: '2025-06-01',
    resumedOn: null,
    inStats: true,
    statsOn: null,
    competentUnitId: null,
    weekly: false,
    active: true,
    createdAt: 0,
  }
}

/** A database with `recipients` people bound on Feishu and `total` prompt cards queued, each person's in a row. */
async function seed(dir: string, name: string, period: string): Promise<{ path: string; keys: string[] }> {
  const path = join(dir, `${name}.sqlite`)
  const d = openNodeDatabase(path)
  await insertMany(
    d.db,
    people,
    Array.from({ length: recipients }, (_, i) => ({ name: `联络员${i}`, roles: ['contact' as const] })),
  )
  const ids = (d.sqlite.prepare('select id from people order by id').all() as { id: number }[]).map((r) => r.id)
  await insertMany(
    d.db,
    identities,
    ids.map((id, i) => ({ personId: id, platform: 'feishu' as const, userId: `ou_bench_${i}`, boundAt: 0 })),
  )
  const [y, m] = period.split('-').map(Number)
  const round: Round = {
    id: 1,
    kind: 'monthly',
    period,
    opensAt: shanghaiTime(y!, m!, 25, 9).getTime(),
    deadlineAt: shanghaiTime(y!, m!, 28, 18).getTime(),
    closedAt: null,
    createdAt: 0,
  }
  const messages: OutboundMessage[] = []
  for (let i = 0; i < total; i++) {
    const who = Math.floor(i / perRecipient)
    const p = project(i + 1)
    messages.push({
      to: { kind: 'person', personId: ids[who]! },
      key: `open:monthly:${period}:p${p.id}:u${ids[who]}`,
      body: { kind: 'card', card: reportPromptCard({ project: p, round, previous: null, current: null, openProblems: [], demo: true }) },
    })
  }
  await enqueue(d.db, { platforms: ['feishu'] }, messages, Date.now(), String)
  d.close()
  return { path, keys: messages.map((m) => m.key!) }
}

interface Figures {
  sent: number
  /** Sends Feishu answered with the earlier message because it had the uuid already (resent after a crash). */
  deduped: number
  seconds: number
  perSecond: number
  ratio: number
  rateLimited: number
  duplicates: number
  lost: number
}

/** What the fake saw of one batch, measured against the enforced binding limit. */
function measure(fake: FakeFeishu, from: { sent: number; requests: number }, path: string, keys: string[]): Figures {
  const sent = fake.sent.slice(from.sent).filter((s) => s.kind === 'send')
  const requests = fake.requests.slice(from.requests)
  const rateLimited = requests.filter((r) => r.code === 99991400 || r.code === 230020).length
  const accepted = requests.filter((r) => r.method === 'POST' && r.path === '/open-apis/im/v1/messages' && r.code === 0).length
  // The same card delivered twice to the same person would have the same receiver and content.
  const seen = new Map<string, number>()
  for (const s of sent) seen.set(`${s.receiveId}\n${s.content}`, (seen.get(`${s.receiveId}\n${s.content}`) ?? 0) + 1)
  const duplicates = [...seen.values()].reduce((sum, n) => sum + n - 1, 0)
  const delivered = new Set(sent.map((s: SentRecord) => s.uuid))
  const d = openNodeDatabase(path)
  const unsent = (d.sqlite.prepare(`select count(*) n from outbox where status != 'sent'`).get() as { n: number }).n
  d.close()
  const lost = Math.max(unsent, keys.filter((k) => !delivered.has(k)).length)
  const times = sent.map((s) => s.at)
  const seconds = (Math.max(...times) - Math.min(...times)) / 1000
  const perSecond = (sent.length - 1) / seconds
  return {
    sent: sent.length,
    deduped: accepted - sent.length,
    seconds,
    perSecond,
    ratio: perSecond / sustainedPerSecond(limits.feishu!),
    rateLimited,
    duplicates,
    lost,
  }
}

function runChild(path: string, url: string): { child: ChildProcess; done: Promise<{ code: number | null; signal: string | null; out: string }> } {
  const child = spawn(
    process.execPath,
    ['--experimental-strip-types', SELF, '--child', '--db', path, '--url', url, '--scale', String(scale), '--concurrency', String(concurrency)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  let out = ''
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()))
  const done = new Promise<{ code: number | null; signal: string | null; out: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, out })),
  )
  return { child, done }
}

const fmt = (f: Figures) =>
  `${f.sent} sent in ${f.seconds.toFixed(1)} s = ${f.perSecond.toFixed(1)}/s, ratio ${f.ratio.toFixed(3)} of the enforced limit; ` +
  `rate-limit answers ${f.rateLimited} (${((100 * f.rateLimited) / Math.max(1, f.sent)).toFixed(2)} %), duplicates ${f.duplicates}, lost ${f.lost}`

const dir = mkdtempSync(join(tmpdir(), 'diaodu-fanout-'))
const fake = await startFakeFeishu({
  ...APP,
  limits: { appPerSecond: limits.feishu!.app[0]!.count, appPerMinute: limits.feishu!.app[1]!.count },
})
const binding = sustainedPerSecond(limits.feishu!)
console.log(`fan-out: ${total} prompt cards to ${recipients} recipients (${perRecipient} each, queued one person at a time)`)
console.log(
  `fake Feishu enforces ${limits.feishu!.app[0]!.count}/s and ${limits.feishu!.app[1]!.count}/min per app ` +
    `(documented 50/s and 1000/min, scaled ×${scale} so a phase takes about ${Math.round(total / binding)} s instead of ${Math.round(total / (1000 / 60))} s) ` +
    `and 5/s per receiver (as documented); binding limit ${binding.toFixed(1)}/s; sender concurrency ${concurrency}`,
)

// Phase 1: one process.
const a = await seed(dir, 'phase1', '2026-11')
const d1 = openNodeDatabase(a.path)
const t0 = Date.now()
const mark1 = { sent: fake.sent.length, requests: fake.requests.length }
const stats1 = await drain(d1, fake.url)
d1.close()
const f1 = measure(fake, mark1, a.path, a.keys)
console.log(
  `phase 1 (one sender): ${fmt(f1)}; wall ${((Date.now() - t0) / 1000).toFixed(1)} s; retried ${stats1.retried}, rate-limited ${stats1.rateLimited}`,
)

// Phase 2: killed halfway with SIGKILL, then restarted.
const b = await seed(dir, 'phase2', '2026-12')
const mark2 = { sent: fake.sent.length, requests: fake.requests.length }
const first = runChild(b.path, fake.url)
// Kill it the moment Feishu accepts the halfway message, before the answer is on the wire: that message
// (and any other in flight) is delivered but never recorded as sent — the case the uuid has to cover.
const push = fake.sent.push.bind(fake.sent)
let killedAt = 0
fake.sent.push = (...items: SentRecord[]) => {
  const n = push(...items)
  if (!killedAt && n - mark2.sent >= total / 2) {
    killedAt = n
    first.child.kill('SIGKILL')
  }
  return n
}
const killed = await first.done
fake.sent.push = push
const atKill = fake.sent.length - mark2.sent
const d2 = openNodeDatabase(b.path)
const held = (d2.sqlite.prepare(`select count(*) n from outbox where status = 'sending'`).get() as { n: number }).n
d2.close()
console.log(`phase 2: sender killed (${killed.signal}) after ${atKill} deliveries, holding ${held} claimed rows; restarting`)
const second = runChild(b.path, fake.url)
const done = await second.done
if (done.code !== 0) throw new Error(`restarted sender exited with ${done.code}`)
const f2 = measure(fake, mark2, b.path, b.keys)
console.log(`phase 2 (killed and restarted): ${fmt(f2)} (includes the restart and the ${LEASE_MS / 1000} s lease)`)
console.log(`phase 2: ${f2.deduped} row(s) the killed sender had delivered but not recorded were sent again and deduplicated by Feishu's uuid`)
await fake.close()
rmSync(dir, { recursive: true, force: true })

const pass = f1.ratio >= 0.9 && f1.rateLimited <= f1.sent / 100 && f1.duplicates === 0 && f1.lost === 0 && f2.duplicates === 0 && f2.lost === 0
console.log(pass ? 'targets met: ratio ≥ 0.9, rate-limit answers ≤ 1 %, no duplicates, nothing lost' : 'TARGETS MISSED')
console.log(
  [
    `ratio=${f1.ratio.toFixed(3)}`,
    `rate_limited=${f1.rateLimited}`,
    `duplicates=${f1.duplicates}`,
    `lost=${f1.lost}`,
    `per_second=${f1.perSecond.toFixed(1)}`,
    `limit_per_second=${binding.toFixed(1)}`,
    `scale=${scale}`,
    `restart_ratio=${f2.ratio.toFixed(3)}`,
    `restart_rate_limited=${f2.rateLimited}`,
    `restart_duplicates=${f2.duplicates}`,
    `restart_lost=${f2.lost}`,
    `restart_held=${held}`,
    `restart_deduped=${f2.deduped}`,
  ].join(' '),
)
process.exit(pass ? 0 : 1)
