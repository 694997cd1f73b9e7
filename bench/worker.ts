/**
 * npm run bench:worker — the Worker's bundle and its webhook intake beside `npm start`'s, in the same run.
 *
 * 1. Builds the Worker as `wrangler deploy --dry-run` does; reports its size raw and gzip (target < 1 MiB gzip).
 * 2. Starts it in workerd (miniflare, as `wrangler dev --local` does) with one county on a migrated, empty D1
 *    database and a fake Feishu on loopback; the cold start is from `new Miniflare` to the first answer.
 * 3. Starts `npm start`'s entry (src/runtime/node/main.ts) as a child process with a Feishu app on the same kind
 *    of fake, on a fresh SQLite file.
 * 4. Sends each BENCH_REQUESTS (2,000) signed, encrypted `帮助` events from unbound senders, BENCH_CONCURRENCY
 *    (16) in flight, after 200 warm-up ones: requests/s and latency of the acknowledgement, then the time until
 *    every event's reply reached the fake Feishu (end to end: bot, outbox, Queue, Durable Object, send).
 *
 * Loopback only. Last line: key=value figures.
 */
import '../src/runtime/node/preload.ts'
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { Miniflare, convertV4MiniflareOptions } from 'miniflare'
import { startFakeFeishu, textMessageEvent, webhookRequest, type FakeFeishu } from '../test/fakes/feishu.ts'

const ROOT = join(import.meta.dirname, '..')
const N = Number(process.env.BENCH_REQUESTS ?? 2000)
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16)
const WARMUP = 200
const KEY = 'bench-encrypt-key'
const TOKEN = 'bench-token'

let seq = 0
async function requests(n: number, prefix: string) {
  return Promise.all(
    Array.from({ length: n }, () => {
      const i = ++seq
      const body = textMessageEvent({
        text: '帮助',
        senderOpenId: `ou_${prefix}_${i % 500}`,
        chatId: `oc_${prefix}_${i % 500}`,
        eventId: `ev_${prefix}_${i}`,
        token: TOKEN,
      })
      return webhookRequest(body, { encryptKey: KEY })
    }),
  )
}

async function load(url: string, reqs: { rawBody: string; headers: Record<string, string> }[]) {
  const latencies: number[] = []
  let next = 0
  let errors = 0
  const start = performance.now()
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < reqs.length) {
        const r = reqs[next++]!
        const t = performance.now()
        const res = await fetch(url, { method: 'POST', headers: r.headers, body: r.rawBody })
        await res.arrayBuffer()
        if (res.status !== 200) errors++
        latencies.push(performance.now() - t)
      }
    }),
  )
  const seconds = (performance.now() - start) / 1000
  latencies.sort((a, b) => a - b)
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!
  return { perSecond: reqs.length / seconds, p50: q(0.5), p99: q(0.99), errors }
}

async function until(what: () => boolean, ms: number) {
  const end = Date.now() + ms
  while (!what()) {
    if (Date.now() > end) return false
    await new Promise((r) => setTimeout(r, 50))
  }
  return true
}

async function main() {
  const out = mkdtempSync(join(tmpdir(), 'diaodu-bench-worker-'))
  execFileSync(join(ROOT, 'node_modules/.bin/wrangler'), ['deploy', '--dry-run', '--outdir', out], {
    cwd: ROOT,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1' },
    stdio: 'pipe',
  })
  const bundle = readFileSync(join(out, 'index.js'))
  const figures: Record<string, number | string> = {
    bundle_kib: Math.round(bundle.length / 1024),
    bundle_gzip_kib: Math.round(gzipSync(bundle).length / 1024),
  }

  // The Worker.
  const fakeW: FakeFeishu = await startFakeFeishu({
    appId: 'cli_bench',
    appSecret: 'bench-secret',
    limits: { appPerSecond: 1e6, appPerMinute: 1e9, perReceiverPerSecond: 1e6 },
  })
  let t = performance.now()
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      modules: true,
      scriptPath: join(out, 'index.js'),
      modulesRoot: out,
      compatibilityDate: '2026-11-17',
      compatibilityFlags: ['nodejs_compat'],
      d1Databases: { DB_BENCH: 'd1-bench' },
      queueProducers: { OUTBOX_QUEUE: 'outbox' },
      queueConsumers: { outbox: { maxBatchSize: 100, maxBatchTimeout: 1 } },
      durableObjects: { COUNTY_OBJECT: { className: 'CountyObject', useSQLite: true } },
      bindings: {
        COUNTIES: JSON.stringify([{ id: 'bench' }]),
        COUNTY_BENCH: JSON.stringify({
          FEISHU_APP_ID: 'cli_bench',
          FEISHU_APP_SECRET: 'bench-secret',
          FEISHU_ENCRYPT_KEY: KEY,
          FEISHU_VERIFICATION_TOKEN: TOKEN,
          FEISHU_DOMAIN: fakeW.url,
          LOG_LEVEL: 'error',
        }),
      },
    }),
  )
  const base = await mf.ready
  const d1 = await mf.getD1Database('DB_BENCH')
  for (const file of readdirSync(join(ROOT, 'drizzle'))
    .filter((f) => f.endsWith('.sql'))
    .sort())
    for (const s of readFileSync(join(ROOT, 'drizzle', file), 'utf8').split('--> statement-breakpoint')) if (s.trim()) await d1.prepare(s).run()
  const [first] = await requests(1, 'cold')
  const workerUrl = new URL('/c/bench/webhooks/feishu/events', base).href
  await (await fetch(workerUrl, { method: 'POST', headers: first!.headers, body: first!.rawBody })).arrayBuffer()
  figures.worker_cold_start_ms = Math.round(performance.now() - t)

  // npm start, as deployed on a server.
  const fakeN: FakeFeishu = await startFakeFeishu({
    appId: 'cli_bench',
    appSecret: 'bench-secret',
    limits: { appPerSecond: 1e6, appPerMinute: 1e9, perReceiverPerSecond: 1e6 },
  })
  const port = 20000 + Math.floor(Math.random() * 20000)
  t = performance.now()
  const node = spawn(process.execPath, ['--experimental-strip-types', '--import', './src/runtime/node/preload.ts', 'src/runtime/node/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_PATH: join(out, 'node.db'),
      FEISHU_APP_ID: 'cli_bench',
      FEISHU_APP_SECRET: 'bench-secret',
      FEISHU_ENCRYPT_KEY: KEY,
      FEISHU_VERIFICATION_TOKEN: TOKEN,
      FEISHU_DOMAIN: fakeN.url,
      DEMO: 'off',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const nodeUrl = `http://127.0.0.1:${port}/webhooks/feishu/events`
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.status === 200,
      () => false,
    )
    if (ok) break
    await new Promise((r) => setTimeout(r, 100))
  }
  figures.node_start_ms = Math.round(performance.now() - t)

  try {
    for (const [name, url, fake] of [
      ['worker', workerUrl, fakeW],
      ['node', nodeUrl, fakeN],
    ] as const) {
      await load(url, await requests(WARMUP, `${name}w`))
      const reqs = await requests(N, name)
      const sentBefore = fake.sent.length
      const t0 = performance.now()
      const r = await load(url, reqs)
      const done = await until(() => fake.sent.length - sentBefore >= N, 120_000)
      Object.assign(figures, {
        [`${name}_rps`]: Math.round(r.perSecond),
        [`${name}_p50_ms`]: r.p50.toFixed(1),
        [`${name}_p99_ms`]: r.p99.toFixed(1),
        [`${name}_errors`]: r.errors,
        [`${name}_end_to_end_per_s`]: done ? Math.round(N / ((performance.now() - t0) / 1000)) : 'timeout',
      })
    }
  } finally {
    node.kill('SIGTERM')
    await mf.dispose()
    await fakeW.close()
    await fakeN.close()
  }
  figures.ratio_worker_to_node = (Number(figures.worker_rps) / Number(figures.node_rps)).toFixed(2)
  console.log(
    Object.entries(figures)
      .map(([k, v]) => `${k}=${v}`)
      .join(' '),
  )
}

await main()
