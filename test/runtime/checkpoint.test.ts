/**
 * The WAL checkpointed from a thread of its own (npm start: openNodeDatabase(path, { backgroundCheckpoint })):
 * the connection that commits never checkpoints, yet what it writes reaches the database file, the WAL stays
 * bounded, and nothing is lost across close and reopen.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { openNodeDatabase } from '../../src/runtime/node/sqlite.ts'

const dir = mkdtempSync(join(tmpdir(), 'diaodu-checkpoint-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const size = (p: string) => {
  try {
    return statSync(p).size
  } catch {
    return 0
  }
}

async function until(check: () => boolean, ms = 20_000) {
  const end = Date.now() + ms
  while (Date.now() < end && !check()) await new Promise((r) => setTimeout(r, 50))
  return check()
}

describe('background checkpoints', () => {
  it('copy the WAL into the database file while the writer never checkpoints, and keep the WAL bounded', async () => {
    const path = join(dir, 'county.db')
    const d = openNodeDatabase(path, { backgroundCheckpoint: true })
    expect(d.sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(0)
    d.sqlite.exec('create table bulk (id integer primary key, body text not null)')
    const insert = d.sqlite.prepare('insert into bulk (body) values (?)')
    const body = 'x'.repeat(4000)
    const before = size(path)
    let largestWal = 0
    // 6 rounds of 1,000 rows (each row a page and an overflow page: ~8 MB of WAL a round, ~48 MB in all), each
    // more than one autocheckpoint's worth, with a pause between.
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < 1000; i++) insert.run(body)
      largestWal = Math.max(largestWal, size(`${path}-wal`))
      const target = before + (round + 1) * 3_500_000
      expect(await until(() => size(path) >= target)).toBe(true)
    }
    // Without checkpoints the WAL would hold all ~48 MB; restarted after each copy it stays near a round or two.
    expect(largestWal).toBeLessThan(24_000_000)
    d.close()
    const again = openNodeDatabase(path)
    expect(again.sqlite.prepare('select count(*) as n from bulk').get()).toEqual({ n: 6000 })
    again.close()
  })

  it('are not started for an in-memory database', () => {
    const d = openNodeDatabase(':memory:', { backgroundCheckpoint: true })
    expect(d.sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(1000)
    d.close()
  })
})
