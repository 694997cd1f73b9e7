/**
 * The runtime-agnostic core on drizzle's D1 driver (async, D1's 100-parameter limit, batches instead of
 * transactions), over a fake of the D1 binding backed by real SQLite: what the Workers deployment will run.
 * Each figure is compared with the same county on the Node driver.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { drizzle } from 'drizzle-orm/d1'
import { openNodeDatabase, type NodeDatabase } from '../../src/runtime/node/sqlite.ts'
import type { Db } from '../../src/store/db.ts'
import * as schema from '../../src/store/schema.ts'
import { loadDemoCounty } from '../../src/demo/county.ts'
import { shanghaiTime } from '../../src/domain/time.ts'
import { boardUnits, monthBoard, projectMonths, settleMonth } from '../../src/services/monthly.ts'
import { DEFAULT_RULES } from '../../src/services/rules.ts'
import { createFeishuReceiver } from '../../src/channels/feishu/routes.ts'
import { currentReport, reportVersions, roundByKey, submitReport } from '../../src/store/repos/rounds.ts'
import { silentLogger } from '../../src/log.ts'
import { runTick } from '../../src/jobs/tick.ts'
import { classify } from '../../src/channels/feishu/events.ts'
import { textMessageEvent } from '../fakes/feishu.ts'
import { D1_MAX_BOUND_PARAMETERS, fakeD1, type FakeD1 } from '../fakes/d1.ts'

const NOW = shanghaiTime(2026, 11, 22, 10)
let node: NodeDatabase
let d1Backing: NodeDatabase
let binding: FakeD1
let d1: Db

beforeAll(async () => {
  node = openNodeDatabase(':memory:')
  d1Backing = openNodeDatabase(':memory:') // migrations, then the connection is only used through the fake binding
  binding = fakeD1(d1Backing.sqlite)
  d1 = drizzle(binding as never, { schema }) as unknown as Db
  await loadDemoCounty(node.db, NOW)
  await loadDemoCounty(d1, NOW)
})

describe('the core on D1', () => {
  it('loads the demo county within D1’s 100 parameters per statement', async () => {
    expect(binding.maxBound).toBeGreaterThan(50)
    expect(binding.maxBound).toBeLessThanOrEqual(D1_MAX_BOUND_PARAMETERS)
    const count = (table: string) => (db: NodeDatabase) => db.sqlite.prepare(`select count(*) as n from ${table}`).get()
    for (const table of ['units', 'people', 'projects', 'reports', 'problems', 'project_colours', 'board_snapshots']) {
      expect(count(table)(d1Backing)).toEqual(count(table)(node))
    }
  })

  it('computes the same month and the same board as the Node driver', async () => {
    expect(await projectMonths(d1, '2026-10', { detail: true })).toEqual(await projectMonths(node.db, '2026-10', { detail: true }))
    const onD1 = await monthBoard(d1, DEFAULT_RULES, '2026-10', await boardUnits(d1), NOW)
    const onNode = await monthBoard(node.db, DEFAULT_RULES, '2026-10', await boardUnits(node.db), NOW)
    expect(onD1).toEqual(onNode)
    // Settling an already settled month changes nothing, on D1 as on Node.
    expect(await settleMonth(d1, DEFAULT_RULES, '2026-10', NOW)).toEqual(onD1)
  })

  it('keeps every version of a report with batches in place of transactions', async () => {
    const round = (await roundByKey(d1, 'monthly', '2026-10'))!
    const projectId = 1
    const before = await currentReport(d1, round.id, projectId)
    await submitReport(d1, {
      roundId: round.id,
      projectId,
      periodInvestment: 10_000,
      ytdInvestment: before!.ytdInvestment + 10_000,
      source: 'text',
      submittedAt: NOW.getTime(),
    })
    const versions = await reportVersions(d1, round.id, projectId)
    expect(versions.map((v) => v.current)).toEqual([...versions.slice(0, -1).map(() => false), true])
    expect(versions.at(-1)!.ytdInvestment).toBe(before!.ytdInvestment + 10_000)
  })

  it('stores a burst of webhooks in one statement each turn and answers each person once', async () => {
    const receiver = createFeishuReceiver({ db: d1, logger: silentLogger, now: () => NOW, botOpenId: () => 'ou_bot' })
    const events = Array.from({ length: 30 }, (_, i) =>
      classify(textMessageEvent({ text: '帮助', senderOpenId: `ou_d1_${i % 25}`, chatId: `oc_d1_${i % 25}`, eventId: `ev_d1_${i % 27}` })),
    )
    const receipts = await Promise.all(events.map((e) => receiver.accept(e)))
    await receiver.idle()
    expect(receipts.filter((r) => r.kind === 'accepted')).toHaveLength(27)
    expect(receipts.filter((r) => r.kind === 'duplicate')).toHaveLength(3)
    const rows = d1Backing.sqlite.prepare(`select status, count(*) as n from inbound_log group by status`).all()
    expect(rows).toEqual([{ status: 'processed', n: 27 }])
    const replies = d1Backing.sqlite.prepare(`select count(*) as n from outbox where key like 'in:feishu:ev_d1_%'`).get()
    expect(replies).toEqual({ n: 27 })
  })

  it('runs the dispatch clock the same way: the November round opens and every contact is prompted', async () => {
    const at = shanghaiTime(2026, 11, 25, 9)
    const onD1 = await runTick(d1, at)
    const onNode = await runTick(node.db, at)
    expect(onD1.jobs.map((j) => j.job)).toEqual(onNode.jobs.map((j) => j.job))
    expect(onD1.jobs.length).toBeGreaterThan(0)
    const prompts = (db: NodeDatabase) => db.sqlite.prepare(`select key, address from outbox where key not like 'in:%' order by key`).all()
    expect(prompts(d1Backing)).toEqual(prompts(node))
    expect(prompts(node).length).toBeGreaterThan(6) // more rows than one D1 insert may carry
    expect(binding.maxBound).toBeLessThanOrEqual(D1_MAX_BOUND_PARAMETERS)
  })

  it('refuses, like D1, a statement with more than 100 parameters', async () => {
    const stmt = binding.prepare(`select ${Array.from({ length: 101 }, () => '?').join(', ')}`)
    expect(() => stmt.bind(...Array.from({ length: 101 }, (_, i) => i))).toThrow(/too many SQL variables/)
  })
})
