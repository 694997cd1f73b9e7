/**
 * npm run bench:dashboard — the 挂图作战 pages on a 20,000-project county (200 units, twelve months of reports,
 * problems and 督办): each page's server time through the app (signed in as the office, so everything is in
 * scope; the first run — 总览 sums the published months then — and the median and minimum of nine), the bytes it sends, raw and gzip, an action
 * posted on a page (POST /act through the intake, and the page after its redirect), and — where /usr/bin/chromium
 * exists — the time from navigation to the first chart drawn, over loopback. Targets of issue 18: < 150 ms a
 * page, < 600 KB gzip for the first page, < 1.5 s to the first chart. Last line: key=value figures.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { gzipSync } from 'node:zlib'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { openNodeDatabase } from '../src/runtime/node/sqlite.ts'
import { createApp } from '../src/http/app.ts'
import { silentLogger } from '../src/log.ts'
import { shanghaiTime } from '../src/domain/time.ts'
import { seeded } from '../src/demo/random.ts'
import { issueLoginLink } from '../src/web/index.ts'
import { csrfToken } from '../src/web/actions.ts'
import * as XLSX from '@e965/xlsx'
import { settleMonth } from '../src/services/monthly.ts'
import { loadRules } from '../src/services/rules.ts'
import { CHROMIUM, CHROMIUM_FLAGS, haveChromium } from '../test/browser.ts'

const SIZE = Number(process.env.BENCH_PROJECTS ?? 20_000)
const UNITS = 200
const NOW = shanghaiTime(2026, 11, 26, 10)

const dir = mkdtempSync(join(tmpdir(), 'diaodu-bench-dashboard-'))
const database = openNodeDatabase(join(dir, 'county.db'))
const { sqlite, db } = database
let t = performance.now()
generate()
const rules = await loadRules(db)
for (let m = 1; m <= 10; m++) await settleMonth(db, rules, `2026-${String(m).padStart(2, '0')}`, shanghaiTime(2026, m + 1, 1, 18))
console.log(`county of ${SIZE} projects generated and ten months published in ${((performance.now() - t) / 1000).toFixed(1)} s`)

const app = createApp({ db, schemaVersion: 1, logger: silentLogger, now: () => NOW, channels: [] })
const office = (sqlite.prepare(`select id from people where roles like '%office%'`).get() as { id: number }).id
async function signIn(base: string, fetcher: (url: string, init?: RequestInit) => Promise<Response>): Promise<string> {
  const { url } = await issueLoginLink(db, office, NOW, base)
  const r = await fetcher(url, { method: 'POST', redirect: 'manual' })
  return r.headers.get('set-cookie')!.split(';')[0]!
}
const local = (url: string, init?: RequestInit) => Promise.resolve(app.request(new URL(url).pathname + new URL(url).search, init))
const cookie = await signIn('http://bench', local)

const PAGES = [
  '/',
  '/projects',
  '/projects?sort=gap&colour=yellow',
  '/projects/1',
  '/board',
  '/board?period=2026-10&unit=1',
  '/map',
  '/problems',
  `/problems/${(sqlite.prepare(`select min(id) id from problems where state = 'assigned'`).get() as { id: number }).id}`,
  '/supervisions',
  '/supervisions/1',
  '/import',
  '/settings',
]
const figures: string[] = []
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
console.log('page\tfirst ms\tmedian ms\tmin ms\tKB\tKB gzip')
for (const path of PAGES) {
  const times: number[] = []
  let body = ''
  for (let i = 0; i < 9; i++) {
    t = performance.now()
    const r = await app.request(path, { headers: { cookie } })
    body = await r.text()
    times.push(performance.now() - t)
    if (r.status !== 200) throw new Error(`${path} answered ${r.status}`)
  }
  const kb = Buffer.byteLength(body) / 1024
  const gz = gzipSync(body).length / 1024
  console.log(`${path}\t${times[0]!.toFixed(1)}\t${median(times).toFixed(1)}\t${Math.min(...times).toFixed(1)}\t${kb.toFixed(0)}\t${gz.toFixed(0)}`)
  const key =
    path === '/'
      ? 'overview'
      : path
          .slice(1)
          .replace(/[^a-z0-9]+/g, '_')
          .replace(/_$/, '')
  figures.push(`${key.replace(/^(problems|supervisions)_\d+$/, '$1_item')}_ms=${median(times).toFixed(1)}`)
  // 总览's first request sums the published months once (kept afterwards): the cold figure beside the warm median.
  if (path === '/') figures.push(`overview_first_ms=${times[0]!.toFixed(1)}`)
  if (path === '/') figures.push(`overview_gzip_kb=${(gz + gzipSync(await (await app.request('/web/app.css')).text()).length / 1024).toFixed(1)}`)
}

// An action on the page (更新进展 on a problem, as the office): the POST through the intake (the bot's run, its
// writes and the outbox in one transaction) and the page after the redirect, nine times, each a new form.
{
  const problem = (sqlite.prepare(`select min(id) id from problems where state = 'assigned'`).get() as { id: number }).id
  const csrf = csrfToken(cookie.split('=')[1]!)
  const post: number[] = []
  const after: number[] = []
  for (let i = 0; i < 9; i++) {
    const body = new URLSearchParams({
      _csrf: csrf,
      _nonce: `bench-nonce-${i}-${'x'.repeat(24)}`,
      _command: 'update',
      _args: JSON.stringify({ problemId: problem }),
      note: `进展 ${i}`,
    })
    t = performance.now()
    const r = await app.request('/act', { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body })
    post.push(performance.now() - t)
    if (r.status !== 303) throw new Error(`/act answered ${r.status}`)
    t = performance.now()
    const page = await (await app.request(r.headers.get('location')!, { headers: { cookie } })).text()
    after.push(performance.now() - t)
    if (!page.includes('进展已更新')) throw new Error('the answer page does not show the reply')
  }
  console.log(`/act (更新进展)\tPOST median ${median(post).toFixed(1)} ms\tpage after the redirect ${median(after).toFixed(1)} ms`)
  figures.push(`act_post_ms=${median(post).toFixed(1)} act_page_ms=${median(after).toFixed(1)}`)
}

// 导入's preview on this county: a 10-row workbook (5 new projects, 5 of the county's with a new plan), dry run.
{
  const wb = XLSX.utils.book_new()
  const rows = [
    ['项目', '承建单位', '年度计划(万元)'],
    ...Array.from({ length: 10 }, (_, i) => [i < 5 ? `新项目${i}` : `项目${i}`, `单位${1 + i}`, 1000 + i]),
  ]
  XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(rows), '项目清单')
  const bytes = new Uint8Array(XLSX.write(wb, { type: 'array', bookType: 'xlsx' }) as ArrayBuffer)
  const csrf = csrfToken(cookie.split('=')[1]!)
  const times: number[] = []
  for (let i = 0; i < 5; i++) {
    const form = new FormData()
    form.append('_csrf', csrf)
    form.append('file', new File([bytes], '清单.xlsx'))
    t = performance.now()
    const r = await app.request('/import', { method: 'POST', headers: { cookie }, body: form })
    const text = await r.text()
    times.push(performance.now() - t)
    if (r.status !== 200 || !text.includes('试导入')) throw new Error(`/import answered ${r.status}`)
  }
  console.log(`/import (preview of 10 rows)\tmedian ${median(times).toFixed(1)} ms`)
  figures.push(`import_preview_ms=${median(times).toFixed(1)}`)
}

if (haveChromium) {
  const { chromium } = await import('playwright-core')
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s))
  })
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const profile = mkdtempSync(join(tmpdir(), 'diaodu-bench-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1440, height: 900 },
    args: CHROMIUM_FLAGS,
  })
  const page = context.pages()[0] ?? (await context.newPage())
  const { url } = await issueLoginLink(db, office, NOW, base)
  await page.goto(url)
  await page.waitForURL(`${base}/`)
  const runs: number[] = []
  for (let i = 0; i < 5; i++) {
    t = performance.now()
    await page.goto(`${base}/`, { waitUntil: 'commit' })
    await page.locator('svg[role="img"] path').first().waitFor()
    runs.push(performance.now() - t)
  }
  console.log(`first chart in Chromium over loopback: median ${median(runs).toFixed(0)} ms (min ${Math.min(...runs).toFixed(0)})`)
  figures.push(`first_chart_ms=${median(runs).toFixed(0)}`)
  await context.close()
  server.close()
  rmSync(profile, { recursive: true, force: true })
}
database.close()
rmSync(dir, { recursive: true, force: true })
console.log(`projects=${SIZE} ${figures.join(' ')}`)

function generate() {
  const rnd = seeded(SIZE)
  const leagues = ['乡镇', '开发区', '县直部门']
  const sectors = ['工业', '数字经济', '能源', '文旅康养', '乡村振兴', '现代服务业', '基础设施']
  sqlite.transaction(() => {
    const unit = sqlite.prepare('insert into units (code, name, league) values (?, ?, ?)')
    for (let u = 1; u <= UNITS; u++) unit.run(`U${u}`, `单位${u}`, leagues[u % 10 === 0 ? 1 : u % 3 === 0 ? 2 : 0])
    sqlite.prepare(`insert into people (name, mobile, roles) values ('办公室主任', '13900000000', '["office"]')`).run()
    const round = sqlite.prepare(`insert into rounds (kind, period, opens_at, deadline_at, closed_at) values ('monthly', ?, ?, ?, ?)`)
    for (let m = 1; m <= 11; m++) {
      const o = shanghaiTime(2026, m, 25, 9).getTime()
      const d = shanghaiTime(2026, m, 28, 18).getTime()
      round.run(`2026-${String(m).padStart(2, '0')}`, o, d, m === 11 ? null : d + 86_400_000)
    }
    const project =
      sqlite.prepare(`insert into projects (code, name, unit_id, sector, year, total_investment, annual_plan, planned_new_start, started_on, in_stats)
      values (?, ?, ?, ?, 2026, ?, ?, ?, ?, ?)`)
    const report =
      sqlite.prepare(`insert into reports (round_id, project_id, version, current, period_investment, ytd_investment, source, submitted_at, first_submitted_at)
      values (?, ?, 1, 1, ?, ?, 'import', ?, ?)`)
    const problem = sqlite.prepare(`insert into problems (project_id, description, state, due_on, created_at) values (?, ?, ?, ?, ?)`)
    const supervision = sqlite.prepare(`insert into supervisions (project_id, matter, issued_at, due_on, state) values (?, ?, ?, ?, ?)`)
    for (let i = 1; i <= SIZE; i++) {
      const plan = rnd.int(500, 20000) * 10_000
      project.run(
        `P${i}`,
        `项目${i}`,
        1 + (i % UNITS),
        sectors[i % 7],
        plan * 2,
        plan,
        rnd.chance(0.3) ? 1 : 0,
        rnd.chance(0.8) ? '2026-03-01' : null,
        0,
      )
      const pace = 0.5 + rnd.next() * 0.8
      let ytd = 0
      for (let m = 1; m <= 11; m++) {
        if (m === 11 && rnd.chance(0.6)) continue
        const next = Math.max(ytd, Math.round((plan * m * pace) / 12 / 10_000) * 10_000)
        report.run(m, i, next - ytd, next, shanghaiTime(2026, m, 26).getTime(), shanghaiTime(2026, m, 26).getTime())
        ytd = next
      }
      if (i % 20 === 0)
        problem.run(i, `问题${i}`, rnd.chance(0.5) ? 'closed' : 'assigned', '2026-11-10', shanghaiTime(2026, 1 + (i % 10), 5).getTime())
      if (i % 50 === 0) supervision.run(i, `督办事项${i}`, shanghaiTime(2026, 11, 2).getTime(), '2026-11-20', 'open')
    }
  })()
  sqlite.exec('analyze')
}
