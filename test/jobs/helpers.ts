/** Shared set-up for the dispatch clock's tests: the demo county, board groups, ticking through time. */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openNodeDatabase, type NodeDatabase } from '../../src/runtime/node/sqlite.ts'
import { loadDemoCounty } from '../../src/demo/county.ts'
import { demoDatabase } from '../demo-image.ts'
import { upsertGroup } from '../../src/store/repos/directory.ts'
import { groups } from '../../src/store/schema.ts'
import { eq } from 'drizzle-orm'
import { runTick, type TickReport } from '../../src/jobs/tick.ts'
import { submitReport } from '../../src/store/repos/rounds.ts'
import type { MessageBody } from '../../src/model/index.ts'

export interface County extends NodeDatabase {
  /** Board groups (receive boards) and one group that does not. */
  boardGroupIds: number[]
  quietGroupId: number
}

/**
 * The demo county as of `now`, with two board groups and a group without boards, all on 'local'.
 * `ledger: false` closes the demo's problems, so their 通报 do not mix into a test about rounds.
 */
export async function demoCounty(now: Date, path = ':memory:', o: { ledger?: boolean } = {}): Promise<County> {
  const d = path === ':memory:' ? await demoDatabase(now) : openNodeDatabase(path)
  if (path !== ':memory:') await loadDemoCounty(d.db, now)
  if (o.ledger === false) d.sqlite.exec(`update problems set state = 'closed' where state != 'closed'`)
  const a = await upsertGroup(d.db, 'local', 'county', '县重点项目调度群', now.getTime())
  const b = await upsertGroup(d.db, 'local', 'leaders', '县领导工作群', now.getTime())
  const c = await upsertGroup(d.db, 'local', 'chat', '闲聊群', now.getTime())
  await d.db.update(groups).set({ boards: false }).where(eq(groups.id, c.id))
  return { ...d, boardGroupIds: [a.id, b.id], quietGroupId: c.id }
}

/** A fresh temp file path for databases several connections share. */
export function tempDbPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'diaodu-jobs-')), 'test.sqlite')
}

export interface OutboxRecord {
  id: number
  key: string
  address: string
  createdAt: number
  body: MessageBody
}

export function outboxRows(d: NodeDatabase, prefix = ''): OutboxRecord[] {
  return (
    d.sqlite.prepare(`select id, key, address, created_at as createdAt, body from outbox where key like ? order by id`).all(`${prefix}%`) as (Omit<
      OutboxRecord,
      'body'
    > & { body: string })[]
  ).map((r) => ({ ...r, body: JSON.parse(r.body) as MessageBody }))
}

/**
 * Ticks every `stepMinutes` from `from` (inclusive) to `to` (exclusive); `before(t)` runs before the tick at t
 * (to submit reports between ticks). Returns the non-empty reports.
 */
export async function tickThrough(
  d: NodeDatabase,
  from: Date,
  to: Date,
  stepMinutes: number,
  before?: (t: Date) => Promise<void>,
): Promise<TickReport[]> {
  const out: TickReport[] = []
  for (let t = from.getTime(); t < to.getTime(); t += stepMinutes * 60_000) {
    await before?.(new Date(t))
    const r = await runTick(d.db, new Date(t))
    if (r.jobs.length) out.push(r)
  }
  return out
}

/** Submits a monthly or weekly report for a project, as its contact would. */
export async function report(d: NodeDatabase, roundId: number, projectId: number, at: Date, ytd = 10_000_000) {
  const contact = d.sqlite.prepare('select person_id from project_contacts where project_id = ? order by person_id').get(projectId) as
    { person_id: number } | undefined
  await submitReport(d.db, {
    roundId,
    projectId,
    periodInvestment: 1_000_000,
    ytdInvestment: ytd,
    progressText: '主体施工',
    source: 'api',
    submittedBy: contact?.person_id ?? null,
    submittedAt: at.getTime(),
  })
}

export function one<T>(sqlite: NodeDatabase['sqlite'], q: string, ...args: unknown[]): T {
  return sqlite.prepare(q).get(...args) as T
}

export function all<T>(sqlite: NodeDatabase['sqlite'], q: string, ...args: unknown[]): T[] {
  return sqlite.prepare(q).all(...args) as T[]
}
