/**
 * The Worker's bundle as `wrangler deploy --dry-run` builds it: under the issue's 1 MiB gzip, with nothing of the
 * Node runtime reachable from it (layers.mjs checks the sources; this checks what esbuild actually pulled in).
 * The Worker running — webhooks, the Cron Trigger, the Queue, the county object, two counties — is tested inside
 * workerd by test/workers/ (@cloudflare/vitest-plugin); test/runtime/workers-dev.test.ts runs this bundle under
 * `wrangler dev --local`.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'

const ROOT = join(import.meta.dirname, '../..')
const figures: Record<string, number> = {}
let bundled: string[] = []

beforeAll(() => {
  const out = mkdtempSync(join(tmpdir(), 'diaodu-worker-'))
  const t = performance.now()
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
  console.log(
    `workers bundle: ${Object.entries(figures)
      .map(([k, v]) => `${k}=${Math.round(v)}`)
      .join(' ')}`,
  )
}, 120_000)

describe('the Worker bundle', () => {
  it('builds under 1 MiB gzip, with nothing of the Node runtime in it', () => {
    expect(figures.bundleKiB).toBeGreaterThan(100)
    expect(figures.gzipKiB).toBeLessThan(1024) // the issue's target: under 1 MiB gzip
    expect(bundled.some((f) => f.startsWith('src/runtime/workers/'))).toBe(true)
    const nodeOnly =
      /(^|\/)src\/runtime\/node\/|node_modules\/(echarts|zrender|better-sqlite3|@hono\/node-server|node-cron|ws|@wecom\/aibot-node-sdk|@resvg\/resvg-js|@larksuiteoapi)\//
    expect(bundled.filter((f) => nodeOnly.test(f))).toEqual([])
  })
})
