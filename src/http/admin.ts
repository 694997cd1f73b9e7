/**
 * The admin API for the dashboard to come, behind `Authorization: Bearer $DIAODU_ADMIN_TOKEN` until the
 * dashboard brings sign-in (no token configured: the routes are not mounted; a wrong or missing one: 401).
 *
 *   POST /api/import   multipart: file, dryRun=1, partial=1 → the same JSON as `diaodu import --json`
 *                      (400 for a file that is not a usable spreadsheet, 413 for one too large — refused as the
 *                      body streams in, before it is held — 422 when rows have errors and nothing was written)
 *   GET  /api/export?period=YYYY-MM → the monthly 通报 workbook (.xlsx)
 *   GET  /api/config   → the rules and dispatch settings, stored and in force
 *   POST /api/config   JSON { key, value, dryRun } → what `diaodu config set --json` says (400 naming the key)
 */
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { sql } from 'drizzle-orm'
import type { Db } from '../store/db.ts'
import { importWorkbook, MAX_WORKBOOK_BYTES, WorkbookError, type Transact } from '../services/workbook/index.ts'
import { exportMonth } from '../services/workbook/export.ts'
import { setConfig, SettingError, showConfig } from '../services/settings.ts'

export interface AdminDeps {
  db: Db
  now: () => Date
  /** DIAODU_ADMIN_TOKEN; when absent the process environment's is used, and with none the API is off. */
  adminToken?: string
  /** The runtime's transaction (openNodeDatabase's `transact`); default BEGIN IMMEDIATE … COMMIT on the handle. */
  transact?: Transact
  /**
   * A full garbage collection, where the runtime can do one on demand (Node: runtime/node/reclaim.ts; Workers
   * pass none, an isolate is dropped whole). An import runs it once the file is parsed, before the rows are
   * written, and again once the answer is built: a 20,000-row workbook's cells are dead by then but would
   * otherwise keep the server's heap a few hundred MB larger until V8 next gets to them.
   */
  reclaim?: () => void
}

/** A transaction by SQL on a synchronous SQLite handle, for runtimes that pass none. */
function sqlTransact(db: Db): Transact {
  return async (fn) => {
    await db.run(sql`BEGIN IMMEDIATE`)
    try {
      const out = await fn()
      await db.run(sql`COMMIT`)
      return out
    } catch (e) {
      await db.run(sql`ROLLBACK`)
      throw e
    }
  }
}

function envToken(): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env
  const t = env?.DIAODU_ADMIN_TOKEN
  return t ? t : undefined
}

/** Equal strings in time independent of where they differ. */
function sameToken(a: string, b: string): boolean {
  let diff = a.length ^ b.length
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a.charCodeAt(i) || 0) ^ (b.charCodeAt(i) || 0)
  return diff === 0
}

const truthy = (v: unknown) => typeof v === 'string' && /^(1|true|yes|on)$/i.test(v)

export function adminRoutes(deps: AdminDeps): Hono {
  const app = new Hono()
  const token = deps.adminToken ?? envToken()
  if (!token) return app
  const transact = deps.transact ?? sqlTransact(deps.db)

  app.use('/api/*', async (c, next) => {
    const auth = c.req.header('authorization') ?? ''
    const given = /^Bearer\s+(.+)$/i.exec(auth)?.[1]?.trim() ?? ''
    if (!given || !sameToken(given, token)) {
      return c.json({ ok: false, error: '需要管理令牌 (Authorization: Bearer DIAODU_ADMIN_TOKEN)' }, 401, { 'WWW-Authenticate': 'Bearer' })
    }
    await next()
  })

  const tooLarge = `文件过大，上限 ${MAX_WORKBOOK_BYTES / 1024 / 1024} MB (file too large)`

  // the multipart envelope around a file at the limit
  const maxBody = MAX_WORKBOOK_BYTES + 64 * 1024
  const refuseLarge = bodyLimit({ maxSize: maxBody, onError: (c) => c.json({ ok: false, error: tooLarge }, 413) })

  app.post('/api/import', refuseLarge, async (c) => {
    const answer = await importUpload(c.req.parseBody())
    // the workbook's cells and the rows built from them are unreachable now (only the upload's bytes stay with the
    // request until it ends): collected before the answer goes, not left to swell the server's heap
    deps.reclaim?.()
    return c.json(answer.body, answer.status)
  })

  /** The upload's import as the answer's body and status: what it parsed and built ends with it. */
  async function importUpload(
    parsing: Promise<Record<string, string | File | (string | File)[]>>,
  ): Promise<{ body: Record<string, unknown>; status: 200 | 400 | 413 | 422 }> {
    let form: Record<string, string | File | (string | File)[]>
    try {
      form = await parsing
    } catch {
      return { body: { ok: false, error: '请以 multipart/form-data 上传 file 字段 (upload the workbook as multipart field "file")' }, status: 400 }
    }
    const file = form.file
    if (!(file instanceof File)) return { body: { ok: false, error: '缺少 file 字段 (the multipart field "file" is missing)' }, status: 400 }
    if (file.size > MAX_WORKBOOK_BYTES) return { body: { ok: false, error: tooLarge }, status: 413 }
    try {
      const r = await importWorkbook(deps.db, new Uint8Array(await file.arrayBuffer()), {
        transact,
        now: deps.now(),
        dryRun: truthy(form.dryRun) || truthy(form['dry-run']),
        partial: truthy(form.partial),
        reclaim: deps.reclaim,
      })
      const { created, updated, unchanged, errors, written, dryRun, details } = r
      return { body: { created, updated, unchanged, errors, written, dryRun, details }, status: errors.length && !written && !dryRun ? 422 : 200 }
    } catch (e) {
      if (e instanceof WorkbookError) return { body: { ok: false, error: e.message }, status: e.kind === 'tooLarge' ? 413 : 400 }
      throw e
    }
  }

  app.get('/api/export', async (c) => {
    const period = c.req.query('period') ?? ''
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(period))
      return c.json({ ok: false, error: 'period 应为 YYYY-MM，例如 2026-10 (period must be YYYY-MM)' }, 400)
    const bytes = await exportMonth(deps.db, period, deps.now(), { reclaim: deps.reclaim })
    const name = encodeURIComponent(`${period}调度通报.xlsx`)
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'Content-Disposition': `attachment; filename="${period}.xlsx"; filename*=UTF-8''${name}`,
    })
  })

  app.get('/api/config', async (c) => c.json(await showConfig(deps.db)))

  app.post('/api/config', async (c) => {
    const body = (await c.req.json().catch(() => null)) as { key?: unknown; value?: unknown; dryRun?: unknown } | null
    if (!body || typeof body.key !== 'string' || body.value === undefined)
      return c.json({ ok: false, error: '需要 JSON {"key": "rules.colour", "value": "pointBands"} (key and value needed)' }, 400)
    try {
      const value = typeof body.value === 'string' ? body.value : JSON.stringify(body.value)
      return c.json(await setConfig(deps.db, transact, body.key, value, { now: deps.now(), dryRun: body.dryRun === true }))
    } catch (e) {
      if (e instanceof SettingError) return c.json({ ok: false, error: e.message }, 400)
      throw e
    }
  })
  return app
}
