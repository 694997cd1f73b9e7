import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import { afterAll, describe, expect, it } from 'vitest'
import { openNodeDatabase } from '../../src/store/sqlite-node.ts'
import { loadDemoCounty } from '../../src/demo/county.ts'
import { projectMonths } from '../../src/services/monthly.ts'
import { shanghaiTime } from '../../src/domain/time.ts'
import * as schema from '../../src/store/schema.ts'
import type { Db } from '../../src/store/db.ts'

const dir = mkdtempSync(join(tmpdir(), 'diaodu-migrate-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('upgrading a county database', () => {
  it('applies the newer migrations at start-up and keeps every report', async () => {
    const at = shanghaiTime(2026, 11, 22, 10)
    // A database made by the first release: its migration and nothing later, with a county in it.
    const first = join(dir, 'drizzle-v1')
    cpSync(new URL('../../drizzle', import.meta.url), first, { recursive: true })
    const journalFile = join(first, 'meta', '_journal.json')
    const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: { tag: string }[] }
    writeFileSync(journalFile, JSON.stringify({ ...journal, entries: journal.entries.slice(0, 1) }))
    const file = join(dir, 'county.db')
    const old = new Database(file)
    const oldDb = drizzle({ client: old, schema })
    migrate(oldDb, { migrationsFolder: first })
    await loadDemoCounty(oldDb as unknown as Db, at)
    const reports = old.prepare('select count(*) as n from reports').get()
    expect(old.prepare(`select count(*) as n from sqlite_master where name = 'reports_round_figures'`).get()).toEqual({ n: 0 })
    old.close()

    const upgraded = openNodeDatabase(file)
    expect(upgraded.schemaVersion).toBe(journal.entries.length)
    expect(upgraded.sqlite.prepare(`select count(*) as n from sqlite_master where name = 'reports_round_figures'`).get()).toEqual({ n: 1 })
    expect(upgraded.sqlite.prepare('select count(*) as n from reports').get()).toEqual(reports)
    const fresh = openNodeDatabase(':memory:')
    await loadDemoCounty(fresh.db, at)
    expect(await projectMonths(upgraded.db, '2026-10')).toEqual(await projectMonths(fresh.db, '2026-10'))
    upgraded.close()
    fresh.close()
  })
})
