import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { openNodeDatabase } from '../../src/runtime/node/sqlite.ts'
import { createApp } from '../../src/http/app.ts'
import { silentLogger } from '../../src/log.ts'
import { loadConfig } from '../../src/config.ts'

describe('health and configuration', () => {
  it('reports ok with the schema version', async () => {
    const { db, schemaVersion, close } = openNodeDatabase(':memory:')
    const app = createApp({ db, schemaVersion, logger: silentLogger, now: () => new Date(0), channels: ['local'] })
    const res = await app.request('/healthz')
    expect(res.status).toBe(200)
    // The schema version is the number of migrations applied: every one in drizzle/.
    const journal = JSON.parse(readFileSync(new URL('../../drizzle/meta/_journal.json', import.meta.url), 'utf8')) as { entries: unknown[] }
    expect(await res.json()).toMatchObject({ ok: true, schemaVersion: journal.entries.length })
    expect(journal.entries.length).toBeGreaterThan(1)
    close()
  })

  it('warns when next year’s holiday schedule is not in the calendar data yet', async () => {
    const { db, schemaVersion, close } = openNodeDatabase(':memory:')
    const at = (d: Date) => createApp({ db, schemaVersion, logger: silentLogger, now: () => d, channels: ['local'] })
    const june = await (await at(new Date('2026-06-01T02:00:00Z')).request('/healthz')).json()
    expect(june.warnings).toEqual([])
    const november = await (await at(new Date('2026-11-22T02:00:00Z')).request('/healthz')).json()
    expect(november.warnings).toHaveLength(1)
    expect(november.warnings[0]).toContain('2027')
    close()
  })

  it('names the variable when a value is wrong', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/)
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/)
    expect(() => loadConfig({ FEISHU_APP_ID: 'cli_x' })).toThrow(/FEISHU_APP_SECRET/)
  })

  it('defaults to the local channel on port 8787', () => {
    const c = loadConfig({})
    expect(c).toMatchObject({ PORT: 8787, DATABASE_PATH: './data/diaodu.db', channels: ['local'] })
  })
})
