/**
 * npm run bench:import — a county's 20,000-project list imported into an empty database, then imported again
 * (nothing changes), from .xlsx, legacy .xls and .csv; then the month's 通报 exported. Each step runs in its own
 * process, as `diaodu import` would, so its peak RSS is its own: the high-water mark the kernel keeps for the
 * process image (VmHWM in /proc/self/status; resourceUsage().maxRSS would carry the parent's peak across the
 * fork) beside the largest of process.memoryUsage().rss sampled every 20 ms (which misses what a synchronous
 * parse holds between two samples). CPU seconds are printed beside the wall time: on a shared machine the wall
 * time is mostly the neighbours'. Targets (issue 14): import < 10 s, < 500 MB;
 * export < 5 s. `http` posts the .xlsx to POST /api/import of the app served on loopback (a fresh database) and
 * also prints the resident and heap size once it has answered: what the server keeps of the upload.
 * Last line: key=value figures.
 *
 *   BENCH_ROWS=20000 BENCH_FORMATS=xlsx,xls,csv BENCH_KEEP=1 npm run bench:import   (KEEP: leave the files)
 *   BENCH_LEAN_HEAP=0 npm run bench:import   (without bin/diaodu.js's V8 flag for import and export)
 *   BENCH_RECLAIM=0 npm run bench:import     (without the collection between parsing and writing)
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { setFlagsFromString } from 'node:v8'

const SELF = fileURLToPath(import.meta.url)
const ROOT = fileURLToPath(new URL('..', import.meta.url))
const NOW = new Date('2026-11-20T10:00:00+08:00')
const TIME = '/usr/bin/time'

interface StepResult {
  step: string
  ms: number
  cpuMs: number
  maxRssMb: number
  sampledRssMb: number
  /** /usr/bin/time -v's maximum resident set size, where the machine has it. */
  timeRssMb?: number
  /** http: resident and heap size once the answer has come. */
  afterRssMb?: number
  afterHeapMb?: number
  created: number
  updated: number
  unchanged: number
  errors: number
}

// As bin/diaodu.js runs import and export: V8's young generation kept at its first size, set before anything
// loads (BENCH_LEAN_HEAP=0 measures without).
if (process.argv[2] === '--child' && process.env.BENCH_LEAN_HEAP !== '0') setFlagsFromString('--semi-space-growth-factor=1')
if (process.argv[2] === '--child') await child(process.argv[3]!, process.argv[4]!, process.argv[5]!)
else await main()

async function main() {
  const rows = Number(process.env.BENCH_ROWS ?? 20_000)
  const formats = (process.env.BENCH_FORMATS ?? 'xlsx,xls,csv').split(',') as ('xlsx' | 'xls' | 'csv')[]
  const dir = mkdtempSync(join(tmpdir(), 'diaodu-bench-import-'))
  const XLSX = await import('@e965/xlsx')
  const aoa = county(rows)
  const figures: string[] = []
  try {
    for (const format of formats) {
      const file = join(dir, `项目清单-${rows}.${format}`)
      const wb = XLSX.utils.book_new()
      XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(aoa), '项目')
      writeFileSync(file, XLSX.write(wb, { type: 'buffer', bookType: format === 'xls' ? 'biff8' : format, compression: true }) as Buffer)
      const db = join(dir, `${format}.db`)
      const size = (statSync(file).size / 1024 / 1024).toFixed(1)
      console.log(`${format}: ${rows} rows, ${size} MB`)
      const steps = [run('import', file, db), run('reimport', file, db)]
      if (format === formats[0]) steps.push(run('export', file, db), run('http', file, join(dir, 'http.db')))
      for (const s of steps) {
        console.log(
          `  ${s.step.padEnd(8)} ${(s.ms / 1000).toFixed(2)} s (CPU ${(s.cpuMs / 1000).toFixed(2)} s)  peak RSS ${s.maxRssMb} MB (sampled ${s.sampledRssMb} MB` +
            (s.timeRssMb ? `, time -v ${s.timeRssMb} MB)` : ')') +
            (s.step === 'export' ? '' : `  created ${s.created}, updated ${s.updated}, unchanged ${s.unchanged}, errors ${s.errors}`) +
            (s.afterRssMb ? `  after the answer: RSS ${s.afterRssMb} MB, heap ${s.afterHeapMb} MB` : ''),
        )
        figures.push(
          `${format}_${s.step}_s=${(s.ms / 1000).toFixed(2)}`,
          `${format}_${s.step}_cpu_s=${(s.cpuMs / 1000).toFixed(2)}`,
          `${format}_${s.step}_rss_mb=${s.maxRssMb}`,
          ...(s.afterRssMb ? [`${format}_${s.step}_after_rss_mb=${s.afterRssMb}`, `${format}_${s.step}_after_heap_mb=${s.afterHeapMb}`] : []),
        )
      }
    }
  } finally {
    if (process.env.BENCH_KEEP) console.log(`files kept in ${dir}`)
    else rmSync(dir, { recursive: true, force: true })
  }
  console.log(figures.join(' '))
}

/** One step in a fresh process, under /usr/bin/time -v where the machine has it (its figure is printed too). */
function run(step: string, file: string, db: string): StepResult {
  const args = ['--experimental-strip-types', '--disable-warning=ExperimentalWarning', '--import', './src/runtime/node/preload.ts', SELF]
  const time = existsSync(TIME) ? [TIME, '-v'] : []
  const [cmd, ...rest] = [...time, process.execPath, ...args, '--child', step, file, db]
  const out = spawnSync(cmd!, rest, { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 24 })
  if (out.status !== 0) throw new Error(`${step} failed: ${out.stderr}`)
  const result = JSON.parse(out.stdout.trim().split('\n').pop()!) as StepResult
  const kb = /Maximum resident set size \(kbytes\): (\d+)/.exec(out.stderr)?.[1]
  if (kb) result.timeRssMb = Math.round(Number(kb) / 1024)
  return result
}

async function child(step: string, file: string, dbPath: string) {
  const { openNodeDatabase } = await import('../src/runtime/node/sqlite.ts')
  let sampled = process.memoryUsage().rss
  const timer = setInterval(() => (sampled = Math.max(sampled, process.memoryUsage().rss)), 20)
  const database = openNodeDatabase(dbPath)
  const t0 = performance.now()
  const c0 = process.cpuUsage()
  let counts = { created: 0, updated: 0, unchanged: 0, errors: 0 }
  let after: { afterRssMb: number; afterHeapMb: number } | undefined
  if (step === 'http') {
    // the admin API as npm start serves it: createApp with the runtime's transaction and reclaim, on loopback
    const { createApp } = await import('../src/http/app.ts')
    const { silentLogger } = await import('../src/log.ts')
    const { serve } = await import('@hono/node-server')
    const { reclaimer } = await import('../src/runtime/node/reclaim.ts')
    process.env.DIAODU_ADMIN_TOKEN = 'bench-admin-token-0123456789'
    const reclaim = process.env.BENCH_RECLAIM === '0' ? undefined : reclaimer()
    const app = createApp({
      db: database.db,
      schemaVersion: 0,
      logger: silentLogger,
      now: () => NOW,
      channels: [],
      transact: database.transact,
      reclaim,
    })
    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s))
    })
    const { port } = server.address() as { port: number }
    const form = new FormData()
    form.append('file', new File([readFileSync(file)], 'list.xlsx'))
    const res = await fetch(`http://127.0.0.1:${port}/api/import`, {
      method: 'POST',
      body: form,
      headers: { Authorization: `Bearer ${process.env.DIAODU_ADMIN_TOKEN}` },
    })
    const r = (await res.json()) as { created: number; updated: number; unchanged: number; errors: unknown[] }
    if (res.status !== 200) throw new Error(JSON.stringify(r).slice(0, 500))
    counts = { created: r.created, updated: r.updated, unchanged: r.unchanged, errors: r.errors.length }
    const mem = process.memoryUsage()
    after = { afterRssMb: Math.round(mem.rss / 1024 / 1024), afterHeapMb: Math.round(mem.heapUsed / 1024 / 1024) }
    server.close()
  } else if (step === 'export') {
    const { exportMonth } = await import('../src/services/workbook/export.ts')
    const { reclaimer } = await import('../src/runtime/node/reclaim.ts')
    const bytes = await exportMonth(database.db, '2026-10', NOW, { reclaim: process.env.BENCH_RECLAIM === '0' ? undefined : reclaimer() })
    if (bytes.length < 1000) throw new Error('empty export')
  } else {
    const { importWorkbook } = await import('../src/services/workbook/index.ts')
    // as diaodu import: the reader's cells collected before the rows are written (BENCH_RECLAIM=0 measures without)
    const { reclaimer } = await import('../src/runtime/node/reclaim.ts')
    const reclaim = process.env.BENCH_RECLAIM === '0' ? undefined : reclaimer()
    const r = await importWorkbook(database.db, new Uint8Array(readFileSync(file)), { transact: database.transact, now: NOW, year: 2026, reclaim })
    counts = { created: r.created, updated: r.updated, unchanged: r.unchanged, errors: r.errors.length }
    if (r.errors.length) throw new Error(JSON.stringify(r.errors.slice(0, 3)))
  }
  const ms = performance.now() - t0
  const cpu = process.cpuUsage(c0)
  clearInterval(timer)
  sampled = Math.max(sampled, process.memoryUsage().rss)
  database.close()
  const mb = (n: number) => Math.round(n / 1024 / 1024)
  const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) * 1024
  const result: StepResult = {
    step,
    ms,
    cpuMs: (cpu.user + cpu.system) / 1000,
    maxRssMb: mb(hwm || process.resourceUsage().maxRSS * 1024),
    sampledRssMb: mb(sampled),
    ...counts,
    ...after,
  }
  console.log(JSON.stringify(result))
}

/** A county's list as its office keeps it: a title row, the header, 20,000 projects over 300 units. */
function county(n: number): (string | number)[][] {
  let seed = 7
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff
  const towns = Array.from({ length: 200 }, (_, i) => `第${i + 1}镇`)
  const zones = Array.from({ length: 20 }, (_, i) => `第${i + 1}产业园区`)
  const depts = Array.from({ length: 80 }, (_, i) => `县第${i + 1}局`)
  const units = [...towns, ...zones, ...depts]
  const sectors = ['工业', '数字经济', '能源', '文旅康养', '乡村振兴', '现代服务业', '基础设施']
  const leaders = Array.from({ length: 20 }, (_, i) => `领导${String.fromCharCode(0x4e00 + i)}`)
  const out: (string | number)[][] = [
    ['2026年全县重点项目清单'],
    [
      '编号',
      '项目名称',
      '责任单位',
      '主管部门',
      '包联县领导',
      '联系人',
      '联系电话',
      '分指挥部',
      '级别',
      '建设性质',
      '总投资（万元）',
      '2026年计划投资（万元）',
      '计划开工时间',
      '计划竣工时间',
      '是否周调度',
    ],
  ]
  for (let i = 0; i < n; i++) {
    const total = 1000 + Math.floor(rand() * 200_000)
    const contact = Math.floor(rand() * 8000)
    out.push([
      `XM2026-${String(i + 1).padStart(5, '0')}`,
      `第${i + 1}号重点建设项目`,
      units[i % units.length]!,
      depts[Math.floor(rand() * depts.length)]!,
      leaders[i % leaders.length]!,
      `联${String.fromCharCode(0x4e00 + (contact % 2000))}${String.fromCharCode(0x5000 + Math.floor(contact / 2000))}`,
      `139${String(10_000_000 + contact).padStart(8, '0')}`,
      sectors[i % sectors.length]!,
      ['省重点', '市重点', '县重点'][i % 3]!,
      i % 4 === 0 ? '新建' : '续建',
      total,
      Math.max(100, Math.floor(total * (0.2 + rand() * 0.5))),
      `2026-${String(1 + (i % 12)).padStart(2, '0')}-01`,
      `${2026 + (i % 3)}年12月`,
      total >= 50_000 ? '是' : '否',
    ])
  }
  return out
}
