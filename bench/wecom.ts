/**
 * npm run bench:wecom — WeCom 自建应用 callbacks over loopback HTTP, and the board PNG.
 *
 * Ours: as npm start serves it (src/runtime/node/http.ts) — the callback POST straight from node:http into the
 * handler the Hono route wraps too (`wecomCallbackHandler`, put in the route map by startWecom), everything else
 * through Hono on @hono/node-server — with the WeCom routes as deployed (signature and timestamp before
 * decryption, node:crypto AES with WeCom's 32-byte padding, receiveid and AgentID checks, the durable inbound
 * log with dedupe in a demo-county SQLite file, the empty 200), and the real bot after the response (unbound
 * members typing 帮助: each callback also queues one reply). BENCH_HONO_ONLY=1 sends the callbacks through
 * Hono's adapter as well (as before the fast path), to compare. Baseline in the same run: a node:http
 * handler built on the official `@wecom/crypto` (getSignature + decrypt) with a no-op body (no dedupe, no
 * storage, no bot). Same signed, encrypted XML callbacks for both.
 *
 * Closed loop: BENCH_REQUESTS (10,000) callbacks, BENCH_CONCURRENCY (32) in flight, after 500 warm-up ones,
 * for each; then an open loop against ours at BENCH_RATE (500) req/s for BENCH_RATE_SECONDS (10 s), latency from
 * each request's scheduled time. The load generator runs in a worker thread. Then the 赛马 board chart as a PNG
 * (echarts SVG + resvg with the shipped font), warm. Last line: key=value figures.
 */
import '../src/runtime/node/preload.ts'
import { createServer, request, Agent, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads'
import { fileURLToPath } from 'node:url'
import type { NodeRoute } from '../src/runtime/node/http.ts'

interface Req {
  path: string
  body: string
}
interface Job {
  base: string
  requests: Req[]
  concurrency?: number
  rate?: number
}
interface Result {
  latencies: number[]
  seconds: number
  errors: number
  statuses: Record<number, number>
}

if (isMainThread) await main()
else await client(workerData as Job)

async function client(job: Job) {
  const url = new URL(job.base)
  const agent = new Agent({ keepAlive: true, maxSockets: job.concurrency ?? 256 })
  const latencies: number[] = []
  const statuses: Record<number, number> = {}
  let errors = 0
  const send = (r: Req) =>
    new Promise<number>((resolve) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: r.path,
          method: 'POST',
          agent,
          headers: { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(r.body) },
        },
        (res) => {
          res.resume()
          res.on('end', () => resolve(res.statusCode ?? 0))
        },
      )
      req.on('error', () => resolve(0))
      req.end(r.body)
    })
  const record = (status: number, ms: number) => {
    latencies.push(ms)
    statuses[status] = (statuses[status] ?? 0) + 1
    if (status !== 200) errors++
  }
  const t0 = performance.now()
  if (job.rate) {
    const gap = 1000 / job.rate
    await Promise.all(
      job.requests.map(async (r, i) => {
        const at = t0 + i * gap
        const wait = at - performance.now()
        if (wait > 0) await new Promise((res) => setTimeout(res, wait))
        record(await send(r), performance.now() - at)
      }),
    )
  } else {
    let next = 0
    await Promise.all(
      Array.from({ length: job.concurrency ?? 32 }, async () => {
        while (next < job.requests.length) {
          const r = job.requests[next++]!
          const s = performance.now()
          record(await send(r), performance.now() - s)
        }
      }),
    )
  }
  parentPort!.postMessage({ latencies, seconds: (performance.now() - t0) / 1000, errors, statuses } satisfies Result)
  agent.destroy()
}

function runClient(job: Job): Promise<Result> {
  return new Promise((resolve, reject) => {
    const w = new Worker(fileURLToPath(import.meta.url), { workerData: job })
    w.once('message', (m: Result) => {
      resolve(m)
      void w.terminate()
    })
    w.once('error', reject)
  })
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0
}

async function main() {
  const { nodeServer } = await import('../src/runtime/node/http.ts')
  // BENCH_HONO_ONLY=1: the callbacks through Hono's adapter too (no fast route), to compare.
  const HONO_ONLY = process.env.BENCH_HONO_ONLY === '1'
  const wecomCrypto = await import('@wecom/crypto')
  const { eq } = await import('drizzle-orm')
  const { openNodeDatabase } = await import('../src/runtime/node/sqlite.ts')
  const { loadDemoCounty } = await import('../src/demo/county.ts')
  const { shanghaiTime } = await import('../src/domain/time.ts')
  const { createApp } = await import('../src/http/app.ts')
  const { loadConfig } = await import('../src/config.ts')
  const { silentLogger } = await import('../src/log.ts')
  const { startWecom } = await import('../src/runtime/node/wecom.ts')
  const { WECOM_CALLBACK_PATH } = await import('../src/channels/wecom/routes.ts')
  const { createPngRenderer } = await import('../src/runtime/node/png.ts')
  const { chartOfCard } = await import('../src/render/chart.ts')
  const { inboundLog } = await import('../src/store/schema.ts')
  const { callbackRequest, textXml } = await import('../test/fakes/wecom.ts')

  const N = Number(process.env.BENCH_REQUESTS ?? 10_000)
  const C = Number(process.env.BENCH_CONCURRENCY ?? 32)
  const RATE = Number(process.env.BENCH_RATE ?? 500)
  const RATE_SECONDS = Number(process.env.BENCH_RATE_SECONDS ?? 10)
  const WARM = 500
  const APP = { corpId: 'ww_bench_corp', agentId: 1000009, token: 'BenchT0ken', aesKey: 'BenchKey0123456789abcdefghijklmnopqrstuvwxy' }

  const dir = mkdtempSync(join(tmpdir(), 'diaodu-bench-wecom-'))
  const database = openNodeDatabase(join(dir, 'county.db'))
  await loadDemoCounty(database.db, shanghaiTime(2026, 11, 22, 10))

  const total = 3 * (WARM + N) + RATE * RATE_SECONDS
  const t0 = performance.now()
  const requests: Req[] = []
  for (let i = 0; i < total; i++) {
    const plain = textXml(APP, `bench_user_${i % 500}`, '帮助', { msgId: String(7_000_000_000_000_000_000n + BigInt(i)) })
    const r = await callbackRequest(APP, plain)
    requests.push({ path: `${WECOM_CALLBACK_PATH}?${r.query}`, body: r.body })
  }
  console.log(`prepared ${total} signed, encrypted callbacks in ${((performance.now() - t0) / 1000).toFixed(1)} s`)

  // Ours, as npm start runs it (drain off: sends are not measured here): startWecom puts the callback POST in
  // the route map the node:http server answers from, main.ts's way.
  const config = loadConfig({
    WECOM_CORP_ID: APP.corpId,
    WECOM_AGENT_ID: String(APP.agentId),
    WECOM_SECRET: 'bench-secret',
    WECOM_TOKEN: APP.token,
    WECOM_ENCODING_AES_KEY: APP.aesKey,
    WECOM_API_BASE: 'http://127.0.0.1:9',
  })
  // The process's intake as main.ts makes it (with the runtime's transaction, so bot runs commit in groups), the
  // WeCom channel on it, and the node:http server; `botOff`: a no-op in the bot's place (intake alone:
  // verify + decrypt + dedupe + store, the measure), on a database of its own.
  const { createIntake } = await import('../src/intake/index.ts')
  const { decoders } = await import('../src/channels/index.ts')
  const startOurs = async (db: typeof database, botOff: boolean) => {
    const app = createApp({ db: db.db, schemaVersion: db.schemaVersion, logger: silentLogger, now: () => new Date(), channels: config.channels })
    const fastRoutes = new Map<string, NodeRoute>()
    const intake = createIntake({
      db: db.db,
      logger: silentLogger,
      now: () => new Date(),
      platforms: config.channels,
      decoders: decoders(db.db),
      transact: db.transact,
      ...(botOff && { bot: async () => ({ messages: [] }) }),
    })
    const channel = startWecom({
      config,
      db: db.db,
      logger: silentLogger,
      app,
      now: () => new Date(),
      drainEveryMs: 0,
      nodeRoutes: fastRoutes,
      intake,
    })
    const server = nodeServer(app.fetch, HONO_ONLY ? new Map() : fastRoutes)
    server.listen(0, '127.0.0.1')
    await new Promise<void>((r) => server.once('listening', () => r()))
    return { channel, server }
  }
  const intakeDatabase = openNodeDatabase(join(dir, 'intake.db'))
  const { channel, server: ours } = await startOurs(database, false)
  const alone = await startOurs(intakeDatabase, true)
  console.log(HONO_ONLY ? 'ours: callbacks through Hono (BENCH_HONO_ONLY=1)' : 'ours: callbacks straight from node:http (as npm start)')

  // Baseline: @wecom/crypto, a no-op body.
  const baseline = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const q = new URL(req.url ?? '/', 'http://x').searchParams
      const body = Buffer.concat(chunks).toString('utf8')
      const encrypt = /<Encrypt><!\[CDATA\[(.*?)\]\]><\/Encrypt>/.exec(body)?.[1] ?? ''
      const sig = wecomCrypto.getSignature(APP.token, q.get('timestamp') ?? '', q.get('nonce') ?? '', encrypt)
      if (sig !== q.get('msg_signature')) {
        res.writeHead(401).end()
        return
      }
      const { id } = wecomCrypto.decrypt(APP.aesKey, encrypt)
      res.writeHead(id === APP.corpId ? 200 : 401).end()
    })
  })
  await new Promise<void>((r) => baseline.listen(0, '127.0.0.1', () => r()))

  const base = (s: Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`
  let cursor = 0
  const take = (n: number) => requests.slice(cursor, (cursor += n))

  // Warm both, then the closed loops: baseline first, ours second (each on callbacks it has not seen).
  await runClient({ base: base(baseline), requests: take(WARM), concurrency: C })
  const cpuBase0 = process.threadCpuUsage()
  const b = await runClient({ base: base(baseline), requests: take(N), concurrency: C })
  const cpuBase = process.threadCpuUsage(cpuBase0)
  await runClient({ base: base(alone.server), requests: take(WARM), concurrency: C })
  const cpuAlone0 = process.threadCpuUsage()
  const i = await runClient({ base: base(alone.server), requests: take(N), concurrency: C })
  const cpuAlone = process.threadCpuUsage(cpuAlone0)
  await alone.channel.receiver.idle()
  await runClient({ base: base(ours), requests: take(WARM), concurrency: C })
  await channel.receiver.idle()
  // BENCH_PROFILE=FILE: a CPU profile of the servers' thread over ours' closed loop.
  const session = process.env.BENCH_PROFILE ? new (await import('node:inspector/promises')).Session() : undefined
  if (session) {
    session.connect()
    await session.post('Profiler.enable')
    await session.post('Profiler.start')
  }
  const cpu0 = process.threadCpuUsage()
  const o = await runClient({ base: base(ours), requests: take(N), concurrency: C })
  const cpu = process.threadCpuUsage(cpu0)
  if (session) {
    const { profile } = await session.post('Profiler.stop')
    ;(await import('node:fs')).writeFileSync(process.env.BENCH_PROFILE!, JSON.stringify(profile))
  }
  await channel.receiver.idle()
  const open = await runClient({ base: base(ours), requests: take(RATE * RATE_SECONDS), rate: RATE })
  await channel.receiver.idle()
  const stored = (await database.db.select().from(inboundLog).where(eq(inboundLog.platform, 'wecom')).all()).length

  // The board PNG, warm.
  const renderer = createPngRenderer()
  const chart = chartOfCard({
    template: 'leaderboard',
    colour: 'purple',
    title: '2026年11月 示例县重点项目赛马比拼',
    elements: [{ kind: 'chart', bars: Array.from({ length: 15 }, (_, i) => ({ label: `乡镇${i + 1}`, value: 90 - i * 3 })), unit: '分' }],
  })!
  for (let i = 0; i < 3; i++) await renderer.png(chart)
  const pngTimes: number[] = []
  let size = 0
  for (let i = 0; i < 20; i++) {
    const s = performance.now()
    size = (await renderer.png(chart)).length
    pngTimes.push(performance.now() - s)
  }

  const rps = (r: Result) => r.latencies.length / r.seconds
  const line = (name: string, r: Result) =>
    console.log(
      `${name.padEnd(22)} ${rps(r).toFixed(0).padStart(6)} req/s  p50 ${pct(r.latencies, 50).toFixed(1)} ms  p99 ${pct(r.latencies, 99).toFixed(1)} ms  errors ${r.errors}`,
    )
  line('baseline @wecom/crypto', b)
  line('ours, bot off (intake)', i)
  line('ours (closed loop)', o)
  line(`ours at ${RATE}/s`, open)
  const us = (c: NodeJS.CpuUsage) => (c.user + c.system) / N
  console.log(
    `servers' thread CPU per callback: baseline ${us(cpuBase).toFixed(0)} µs, intake alone ${us(cpuAlone).toFixed(0)} µs, ours ${us(cpu).toFixed(0)} µs; ${stored} callbacks stored`,
  )
  console.log(
    `ratio ours/baseline ${(rps(o) / rps(b)).toFixed(2)}× (intake alone, the issue's verify + decrypt + dedupe + store: ${(rps(i) / rps(b)).toFixed(2)}×)`,
  )
  console.log(`board PNG ${size} bytes: p50 ${pct(pngTimes, 50).toFixed(1)} ms, p99 ${pct(pngTimes, 99).toFixed(1)} ms (warm)`)
  console.log(
    [
      `baseline_rps=${rps(b).toFixed(0)}`,
      `ours_rps=${rps(o).toFixed(0)}`,
      `ratio=${(rps(o) / rps(b)).toFixed(2)}`,
      `intake_rps=${rps(i).toFixed(0)}`,
      `intake_ratio=${(rps(i) / rps(b)).toFixed(2)}`,
      `baseline_cpu_us=${us(cpuBase).toFixed(0)}`,
      `intake_cpu_us=${us(cpuAlone).toFixed(0)}`,
      `ours_cpu_us=${us(cpu).toFixed(0)}`,
      `open_rate=${RATE}`,
      `open_p99_ms=${pct(open.latencies, 99).toFixed(1)}`,
      `errors=${b.errors + o.errors + open.errors}`,
      `png_ms_p50=${pct(pngTimes, 50).toFixed(1)}`,
      `png_bytes=${size}`,
      `hono_only=${HONO_ONLY ? 1 : 0}`,
    ].join(' '),
  )
  await channel.stop()
  await alone.channel.stop()
  await new Promise<void>((r) => ours.close(() => r()))
  await new Promise<void>((r) => alone.server.close(() => r()))
  await new Promise<void>((r) => baseline.close(() => r()))
  database.close()
  intakeDatabase.close()
  rmSync(dir, { recursive: true, force: true })
}
