import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openNodeDatabase, type NodeDatabase } from '../../src/runtime/node/sqlite.ts'
import { INBOUND_BATCH, recordInbound, recordInboundMany, type InboundRow } from '../../src/store/repos/inbound.ts'
import { coalesce } from '../../src/store/coalesce.ts'
import { inboundLog } from '../../src/store/schema.ts'

let database: NodeDatabase
beforeEach(() => {
  database = openNodeDatabase(':memory:')
})
afterEach(() => database.close())

const row = (key: string, platform = 'feishu'): InboundRow => ({ platform, dedupeKey: key, raw: `{"k":"${key}"}`, receivedAt: 1 })
const stored = () => database.db.select().from(inboundLog).orderBy(inboundLog.id).all()

describe('the inbound log', () => {
  it('stores a batch in one statement and tells each delivery apart from a repeat', async () => {
    expect(await recordInbound(database.db, 'feishu', 'ev_old', '{}', 1)).toBeTypeOf('number')
    const ids = await recordInboundMany(database.db, [row('ev_a'), row('ev_old'), row('ev_b'), row('ev_a'), row('ev_a', 'local')])
    expect(ids.map((id) => id === null)).toEqual([false, true, false, true, false])
    expect(new Set(ids.filter((id) => id !== null)).size).toBe(3)
    expect((await stored()).map((r) => `${r.platform}:${r.dedupeKey}`)).toEqual(['feishu:ev_old', 'feishu:ev_a', 'feishu:ev_b', 'local:ev_a'])
    // The first copy of a repeat is the one that gets the row.
    expect((await stored()).find((r) => r.dedupeKey === 'ev_a' && r.platform === 'feishu')!.id).toBe(ids[0])
  })

  it('gives each delivery of a batch of new ones the id of its own row, and a batch of repeats none', async () => {
    await recordInbound(database.db, 'feishu', 'ev_first', '{}', 1)
    const keys = Array.from({ length: INBOUND_BATCH }, (_, i) => `ev_${i}`)
    const ids = await recordInboundMany(
      database.db,
      keys.map((k) => row(k)),
    )
    const byId = new Map((await stored()).map((r) => [r.id, r.dedupeKey]))
    expect(ids.map((id) => byId.get(id!))).toEqual(keys)
    expect(
      await recordInboundMany(
        database.db,
        keys.slice(0, 3).map((k) => row(k)),
      ),
    ).toEqual([null, null, null])
    // A repeat in the middle: the new ones around it still get their own rows.
    const mixed = await recordInboundMany(database.db, [row('ev_x'), row('ev_1'), row('ev_y')])
    const after = new Map((await stored()).map((r) => [r.id, r.dedupeKey]))
    expect(mixed.map((id) => (id === null ? null : after.get(id)))).toEqual(['ev_x', null, 'ev_y'])
  })

  it('refuses a batch larger than one statement may bind on D1', async () => {
    await expect(
      recordInboundMany(
        database.db,
        Array.from({ length: INBOUND_BATCH + 1 }, (_, i) => row(`ev_${i}`)),
      ),
    ).rejects.toThrow(RangeError)
    expect(await stored()).toEqual([])
  })
})

describe('group commit', () => {
  it('sends the calls of one turn as one batch, in order, each caller getting its own result', async () => {
    const batches: string[][] = []
    const record = coalesce(async (rows: InboundRow[]) => {
      batches.push(rows.map((r) => r.dedupeKey))
      return recordInboundMany(database.db, rows)
    }, 4)
    const ids = await Promise.all(['a', 'b', 'a', 'c', 'd', 'e'].map((k) => record(row(k))))
    expect(batches).toEqual([
      ['a', 'b', 'a', 'c'],
      ['d', 'e'],
    ])
    expect(ids.map((id) => id === null)).toEqual([false, false, true, false, false, false])
    expect(await record(row('f'))).toBeTypeOf('number')
    expect(batches).toHaveLength(3)
  })

  it('fails every call of a failed batch, so each webhook is answered with an error and retried', async () => {
    const record = coalesce(async (_rows: InboundRow[]): Promise<(number | null)[]> => {
      throw new Error('SQLITE_IOERR: disk I/O error')
    }, 8)
    const results = await Promise.allSettled([record(row('x')), record(row('y'))])
    expect(results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok'))).toEqual([
      'Error: SQLITE_IOERR: disk I/O error',
      'Error: SQLITE_IOERR: disk I/O error',
    ])
    expect(await stored()).toEqual([])
  })

  it('fails the callers, not the process, when the flush throws before it returns a promise', async () => {
    const record = coalesce((_rows: InboundRow[]): Promise<(number | null)[]> => {
      throw new TypeError('bad statement')
    }, 8)
    await expect(record(row('z'))).rejects.toThrow('bad statement')
  })
})
