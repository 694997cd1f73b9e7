/**
 * npm run bench:webhook — Feishu event intake over loopback HTTP.
 *
 * Ours: as npm start serves it (src/runtime/node/http.ts) — the two webhook paths straight from node:http
 * into the same handler as the Hono routes (`feishuWebhookHandler`), everything else through Hono on
 * @hono/node-server — with the Feishu routes as deployed: signature over the raw body,
 * node:crypto's synchronous AES and SHA-256 (`nodeAes`, `nodeSha256Hex`: what startFeishu hands the routes
 * under npm start), token and timestamp checks, the durable inbound log with dedupe in a demo-county
 * SQLite file (the decrypted payload kept as received), the 200 ack, and the real bot run after the response
 * (unbound senders asking 帮助, so each event also queues one reply in the outbox), the WAL checkpointed in a
 * thread of its own. BENCH_HONO_ONLY=1 sends the webhooks through Hono's adapter as well, BENCH_AUTOCHECKPOINT=1
 * leaves the checkpoints in the commits (SQLite's default), to compare.
 * Baseline: the SDK's own `adaptDefault` + `EventDispatcher` on node:http with the same signed, encrypted
 * `im.message.receive_v1` events and a no-op handler (no dedupe, no storage, no bot).
 *
 * Also ours with the bot switched off (a no-op in its place, its own SQLite file), to compare intake alone.
 *
 * Closed loop: BENCH_REQUESTS (20,000) requests, BENCH_CONCURRENCY (32) in flight, after 1,000 warm-up
 * requests, for each, in BENCH_ROUNDS (3) rounds of sdk → intake alone → ours, so that a neighbour's burst on
 * a shared machine falls on all three. Then an open-loop run against ours at BENCH_RATE (500) req/s for BENCH_RATE_SECONDS
 * (10 s), latency measured from each request's scheduled time (no coordinated omission). Target p99 < 20 ms.
 * The load generator runs in a worker thread so it does not share the servers' event loop (its own CPU per
 * request is printed too: on two cores it takes about one). Traffic goes to
 * 127.0.0.1 only. Beside req/s, the servers' thread's CPU time per request (process.threadCpuUsage), which a
 * loaded machine disturbs far less. BENCH_PROFILE=DIR writes a CPU profile of the servers' thread over each closed-loop run
 * (DIR/sdk, intake, ours .cpuprofile; the last round's). Last line: key=value figures.
 */
import '../src/runtime/node/preload.ts' // as npm start does, before anything starts the thread pool
import { createServer, request, Agent, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads'
import { fileURLToPath } from 'node:url'

interface Req {
  body: string
  headers: Record<string, string>
}
interface Job {
  url: string
  requests: Req[]
  /** Closed loop: this many in flight. */
  concurrency?: number
  /** Open loop: requests per second. */
  rate?: number
}
interface Result {
  latencies: number[]
  seconds: number
  /** The load generator's own thread CPU over the run, µs (it shares the machine's cores with the servers). */
  clientCpu: number
  errors: number
  statuses: Record<number, number>
}

if (isMainThread) await main()
else await client(workerData as Job)

// ---------------------------------------------------------------------------------------------------------
// the load generator (worker thread)

async function client(job: Job) {
  const url = new URL(job.url)
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
          path: url.pathname,
          method: 'POST',
          agent,
          headers: { ...r.headers, 'content-length': Buffer.byteLength(r.body) },
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
    statuses[status] = (statuses[status] ?? 0) + 1
    if (status !== 200) errors++
    latencies.push(ms)
  }

  const t0 = performance.now()
  const cpu0 = process.threadCpuUsage()
  if (job.rate) {
    const interval = 1000 / job.rate
    const pending: Promise<void>[] = []
    for (let i = 0; i < job.requests.length; i++) {
      const due = t0 + i * interval
      const wait = due - performance.now()
      if (wait > 1) await new Promise((r) => setTimeout(r, wait))
      const r = job.requests[i]!
      pending.push(send(r).then((s) => record(s, performance.now() - due)))
    }
    await Promise.all(pending)
  } else {
    let next = 0
    const lane = async () => {
      while (next < job.requests.length) {
        const r = job.requests[next++]!
        const start = performance.now()
        const s = await send(r)
        record(s, performance.now() - start)
      }
    }
    await Promise.all(Array.from({ length: job.concurrency ?? 32 }, lane))
  }
  const seconds = (performance.now() - t0) / 1000
  const cpu = process.threadCpuUsage(cpu0)
  agent.destroy()
  parentPort!.postMessage({ latencies, seconds, clientCpu: cpu.user + cpu.system, errors, statuses } satisfies Result)
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

// ---------------------------------------------------------------------------------------------------------
// the servers (main thread)

async function main() {
  const { EventDispatcher, LoggerLevel, adaptDefault } = await import('@larksuiteoapi/node-sdk')
  const { openNodeDatabase } = await import('../src/runtime/node/sqlite.ts')
  const { loadDemoCounty } = await import('../src/demo/county.ts')
  const { shanghaiTime } = await import('../src/domain/time.ts')
  const { createApp } = await import('../src/http/app.ts')
  const { createFeishuReceiver, feishuRoutes, feishuWebhookHandler, FEISHU_EVENTS_PATH } = await import('../src/channels/feishu/routes.ts')
  const { feishuNodeRoutes, nodeServer } = await import('../src/runtime/node/http.ts')
  // BENCH_HONO_ONLY=1: the webhooks through Hono's adapter too (as before src/runtime/node/http.ts), to compare.
  const HONO_ONLY = process.env.BENCH_HONO_ONLY === '1'
  const { silentLogger } = await import('../src/log.ts')
  const { nodeAes, nodeSha256Hex } = await import('../src/runtime/node/aes.ts')
  const { textMessageEvent, webhookRequest } = await import('../test/fakes/feishu.ts')

  const N = Number(process.env.BENCH_REQUESTS ?? 20_000)
  const C = Number(process.env.BENCH_CONCURRENCY ?? 32)
  const RATE = Number(process.env.BENCH_RATE ?? 500)
  const RATE_SECONDS = Number(process.env.BENCH_RATE_SECONDS ?? 10)
  const WARM = 1000
  const ENCRYPT_KEY = 'bench-encrypt-key'
  const TOKEN = 'bench-token'

  const dir = mkdtempSync(join(tmpdir(), 'diaodu-bench-webhook-'))
  // As npm start: the WAL checkpointed in a thread of its own (BENCH_AUTOCHECKPOINT=1: in the commits, SQLite's default).
  const AUTOCHECKPOINT = process.env.BENCH_AUTOCHECKPOINT === '1'
  const database = openNodeDatabase(join(dir, 'county.db'), { backgroundCheckpoint: !AUTOCHECKPOINT })
  await loadDemoCounty(database.db, shanghaiTime(2026, 11, 22, 10))

  // Signed, encrypted events, each with its own event id; 500 different (unbound) senders.
  const total = WARM + N + RATE * RATE_SECONDS
  const t0 = performance.now()
  const requests: Req[] = []
  for (let i = 0; i < total; i++) {
    const sender = `ou_bench_${i % 500}`
    const event = textMessageEvent({ text: '帮助', senderOpenId: sender, chatId: `oc_${sender}`, eventId: `ev_bench_${i}`, token: TOKEN })
    const r = await webhookRequest(event, { encryptKey: ENCRYPT_KEY })
    requests.push({ body: r.rawBody, headers: r.headers })
  }
  console.log(`prepared ${total} signed, encrypted events in ${((performance.now() - t0) / 1000).toFixed(1)} s`)

  // Ours, as deployed; and ours with a no-op in place of the bot (intake alone), on its own database.
  const intakeDb = openNodeDatabase(join(dir, 'intake.db'), { backgroundCheckpoint: !AUTOCHECKPOINT })
  const startOurs = async (db: typeof database.db, botOff: boolean) => {
    const deps = {
      db,
      logger: silentLogger,
      now: () => new Date(),
      botOpenId: () => 'ou_bot',
      ...(botOff && { bot: async () => ({ messages: [] }) }),
      // One transaction per event, as npm start runs it.
      transact: (db === database.db ? database : intakeDb).transact,
    }
    const receiver = createFeishuReceiver(deps)
    // As startFeishu and main.ts serve it: the Hono app, and the two webhook paths straight from node:http.
    const routeDeps = {
      ...deps,
      receiver,
      secrets: { encryptKey: ENCRYPT_KEY, verificationToken: TOKEN, maxAgeSeconds: 28800, aes: nodeAes, sha256Hex: nodeSha256Hex },
    }
    const handler = feishuWebhookHandler(routeDeps)
    const app = createApp({ db, schemaVersion: database.schemaVersion, logger: silentLogger, now: () => new Date(), channels: [] })
    app.route('/', feishuRoutes({ ...routeDeps, handler }))
    const server = nodeServer(app.fetch, HONO_ONLY ? new Map() : new Map(feishuNodeRoutes(handler, silentLogger)))
    server.listen(0, '127.0.0.1')
    await new Promise<void>((r) => server.once('listening', () => r()))
    return { receiver, server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${FEISHU_EVENTS_PATH}` }
  }
  const full = await startOurs(database.db, false)
  const intake = await startOurs(intakeDb.db, true)
  const receiver = full.receiver
  const ours = full.server
  const oursUrl = full.url

  // The SDK's own adapter.
  const SDK_PATH = '/webhook/event'
  const dispatcher = new EventDispatcher({ encryptKey: ENCRYPT_KEY, verificationToken: TOKEN, loggerLevel: LoggerLevel.error }).register({
    'im.message.receive_v1': async () => {},
  })
  const sdk = createServer(adaptDefault(SDK_PATH, dispatcher, { autoChallenge: true }))
  await new Promise<void>((r) => sdk.listen(0, '127.0.0.1', () => r()))
  const sdkUrl = `http://127.0.0.1:${(sdk.address() as AddressInfo).port}${SDK_PATH}`

  // BENCH_PROFILE=DIR: a CPU profile of the servers' thread over each measured closed-loop run, DIR/NAME.cpuprofile.
  const profileDir = process.env.BENCH_PROFILE
  const session = profileDir ? new (await import('node:inspector/promises')).Session() : undefined
  if (session) {
    session.connect()
    await session.post('Profiler.enable')
  }
  // The servers' thread's CPU time over each run (µs per request): what the code costs, which the neighbours on a
  // shared machine change much less than they change the req/s.
  const cpu: Record<string, number> = {}
  const profiled = async (name: string, run: () => Promise<Result>): Promise<Result> => {
    if (session) await session.post('Profiler.start')
    const before = process.threadCpuUsage()
    const out = await run()
    const used = process.threadCpuUsage(before)
    cpu[name] = (cpu[name] ?? 0) + used.user + used.system
    if (session) {
      const { profile } = await session.post('Profiler.stop')
      writeFileSync(join(profileDir!, `${name}.cpuprofile`), JSON.stringify(profile))
    }
    return out
  }

  const warm = requests.slice(0, WARM)
  const main = requests.slice(WARM, WARM + N)
  const paced = requests.slice(WARM + N)

  await runClient({ url: sdkUrl, requests: warm, concurrency: C })
  await runClient({ url: intake.url, requests: warm, concurrency: C })
  await intake.receiver.idle()
  await runClient({ url: oursUrl, requests: warm, concurrency: C })
  await receiver.idle()

  // BENCH_ROUNDS (3) rounds, each sdk → intake alone → ours on N/ROUNDS requests, so that a neighbour's burst on a
  // shared machine falls on all three rather than on one; each waits for the previous one's bot runs to end.
  const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
  const runs: Record<'sdk' | 'intake' | 'ours', Result[]> = { sdk: [], intake: [], ours: [] }
  let e2eSeconds = 0
  let e2eCpu = 0
  for (let r = 0; r < ROUNDS; r++) {
    const part = main.slice(Math.floor((r * N) / ROUNDS), Math.floor(((r + 1) * N) / ROUNDS))
    runs.sdk.push(await profiled('sdk', () => runClient({ url: sdkUrl, requests: part, concurrency: C })))
    runs.intake.push(await profiled('intake', () => runClient({ url: intake.url, requests: part, concurrency: C })))
    await intake.receiver.idle()
    const e2eStart = performance.now()
    const e2eBefore = process.threadCpuUsage()
    runs.ours.push(await profiled('ours', () => runClient({ url: oursUrl, requests: part, concurrency: C })))
    await receiver.idle()
    e2eSeconds += (performance.now() - e2eStart) / 1000
    const e2eUsed = process.threadCpuUsage(e2eBefore)
    e2eCpu += e2eUsed.user + e2eUsed.system
  }
  for (const k of Object.keys(cpu)) cpu[k] = cpu[k]! / N
  cpu.e2e = e2eCpu / N
  const merged = (rs: Result[]): Result => ({
    latencies: rs.flatMap((r) => r.latencies),
    seconds: rs.reduce((a, r) => a + r.seconds, 0),
    clientCpu: rs.reduce((a, r) => a + r.clientCpu, 0),
    errors: rs.reduce((a, r) => a + r.errors, 0),
    statuses: rs.reduce<Record<number, number>>((a, r) => {
      for (const [k, v] of Object.entries(r.statuses)) a[Number(k)] = (a[Number(k)] ?? 0) + v
      return a
    }, {}),
  })
  const sdkRun = merged(runs.sdk)
  const intakeRun = merged(runs.intake)
  const oursRun = merged(runs.ours)
  intake.server.close()
  const rateRun = await runClient({ url: oursUrl, requests: paced, rate: RATE })
  await receiver.idle()

  const sqlite = database.sqlite
  const logged = sqlite.prepare(`select status, count(*) as n from inbound_log group by status`).all() as { status: string; n: number }[]
  const queuedRows = (sqlite.prepare(`select count(*) as n from outbox`).get() as { n: number }).n

  const row = (name: string, r: Result) => {
    const s = [...r.latencies].sort((a, b) => a - b)
    const rps = r.latencies.length / r.seconds
    console.log(
      `${name.padEnd(34)} ${String(r.latencies.length).padStart(6)} req  ${rps.toFixed(0).padStart(6)} req/s  p50 ${pct(s, 50).toFixed(2)} ms  p99 ${pct(s, 99).toFixed(2)} ms  max ${s.at(-1)!.toFixed(1)} ms  non-200: ${r.errors}${r.errors ? ` ${JSON.stringify(r.statuses)}` : ''}`,
    )
    return { rps, p50: pct(s, 50), p99: pct(s, 99) }
  }
  console.log(
    `\nclosed loop: ${N} requests, ${C} in flight, after ${WARM} warm-up requests each, in ${ROUNDS} rounds (sdk, intake, ours)${HONO_ONLY ? '; webhooks through Hono (BENCH_HONO_ONLY)' : ''}`,
  )
  const a = row('ours (verify+decrypt+log+ack+bot)', oursRun)
  console.log(
    `${'  … until every bot run was done'.padEnd(34)} ${String(N).padStart(6)} ev   ${(N / e2eSeconds).toFixed(0).padStart(6)} ev/s (end to end, incl. worker start-up)`,
  )
  const i = row('ours, bot off (intake alone)', intakeRun)
  const b = row('sdk adaptDefault (no-op handler)', sdkRun)
  console.log(`ratio ours/sdk: ${(a.rps / b.rps).toFixed(2)}× (intake alone: ${(i.rps / b.rps).toFixed(2)}×)`)
  console.log(
    `load generator's thread CPU per request: against sdk ${(sdkRun.clientCpu / N).toFixed(0)} µs, against ours ${(oursRun.clientCpu / N).toFixed(0)} µs (on a two-core machine it takes most of the other core)`,
  )
  console.log(
    `servers' thread CPU per request: sdk ${cpu.sdk!.toFixed(0)} µs, ours ${cpu.ours!.toFixed(0)} µs (CPU ratio sdk/ours ${(cpu.sdk! / cpu.ours!).toFixed(2)}×), intake alone ${cpu.intake!.toFixed(0)} µs; ours end to end (ack and bot run) ${cpu.e2e!.toFixed(0)} µs an event`,
  )
  console.log(`\nopen loop against ours at ${RATE} req/s for ${RATE_SECONDS} s (latency from scheduled send time):`)
  const c = row(`ours @ ${RATE} req/s`, rateRun)
  console.log(`p99 target < 20 ms: ${c.p99 < 20 ? 'met' : 'NOT met'}`)
  console.log(`inbound_log: ${logged.map((l) => `${l.status}=${l.n}`).join(' ')}; outbox rows: ${queuedRows}`)

  ours.close()
  sdk.close()
  database.close()
  intakeDb.close()
  rmSync(dir, { recursive: true, force: true })
  console.log(
    `ours_rps=${a.rps.toFixed(0)} ours_intake_rps=${i.rps.toFixed(0)} sdk_rps=${b.rps.toFixed(0)} ratio=${(a.rps / b.rps).toFixed(2)} ours_e2e_eps=${(N / e2eSeconds).toFixed(0)} p50_ms=${a.p50.toFixed(2)} p99_ms=${a.p99.toFixed(2)} p99_at_${RATE}_ms=${c.p99.toFixed(2)} sdk_cpu_us=${cpu.sdk!.toFixed(0)} ours_cpu_us=${cpu.ours!.toFixed(0)} intake_cpu_us=${cpu.intake!.toFixed(0)} ours_e2e_cpu_us=${cpu.e2e!.toFixed(0)} cpu_ratio=${(cpu.sdk! / cpu.ours!).toFixed(2)} client_cpu_us=${(oursRun.clientCpu / N).toFixed(0)} path=${HONO_ONLY ? 'hono' : 'node'} checkpoints=${AUTOCHECKPOINT ? 'in-commit' : 'background'}`,
  )
  process.exit(0)
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}
