/**
 * What the tests inside workerd share: the county's database as wrangler and the dump leave it, requests to
 * the Worker (its real `fetch`, `scheduled` and `queue` handlers), and what the fakes on loopback received.
 */
import { env, exports } from 'cloudflare:workers'
import { abortAllDurableObjects, applyD1Migrations, reset, type D1Migration } from 'cloudflare:test'
import { forgetCounties } from '../../src/runtime/workers/counties.ts'
import { inject } from 'vitest'
import type { SentRecord, RequestRecord } from '../fakes/feishu.ts'
import type { WecomSent } from '../fakes/wecom.ts'
import type { SeedStatement } from './counties.ts'

export interface D1 {
  prepare(sql: string): { bind(...v: unknown[]): D1Prepared } & D1Prepared
  batch(statements: D1Prepared[]): Promise<unknown[]>
}
interface D1Prepared {
  first<T = unknown>(): Promise<T | null>
  all<T = unknown>(): Promise<{ results: T[] }>
  run(): Promise<unknown>
}

export const bindings = env as unknown as Record<string, unknown> & { TEST_MIGRATIONS: D1Migration[] }
export const d1 = (county: string) => bindings[`DB_${county.toUpperCase()}`] as D1
export const fakes = inject('fakes')

/** The county's database as `wrangler d1 migrations apply` and the dump of its SQLite file leave it. */
export async function seedCounty(county: string): Promise<void> {
  const db = d1(county)
  await applyD1Migrations(db as never, bindings.TEST_MIGRATIONS)
  const seeds = (await control(`/seed/${county}`)) as SeedStatement[]
  // One batch, foreign keys checked at its end (D1 honours defer_foreign_keys): the tables' order does not matter.
  await db.batch([db.prepare('PRAGMA defer_foreign_keys = on'), ...seeds.map((s) => db.prepare(s.sql).bind(...s.params))])
}

export const count = async (county: string, sql: string, ...params: unknown[]) =>
  (
    (await d1(county)
      .prepare(sql)
      .bind(...params)
      .first()) as { n: number }
  ).n

/** The Worker's default export as Cloudflare calls it. */
export const worker = (exports as unknown as { default: { fetch(input: string, init?: RequestInit): Promise<Response> } }).default

export const post = (path: string, r: { rawBody: string; headers: Record<string, string> }, host = 'localhost') =>
  worker.fetch(`http://${host}${path}`, { method: 'POST', headers: r.headers, body: r.rawBody })

const control = (path: string, body?: unknown) =>
  fetch(`${fakes.control}${path}`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) }).then((r) => r.json())

/** What county `id`'s Feishu app accepted, and every request it answered. */
export const feishuOf = (id: string) => control(`/feishu/${id}`) as Promise<{ sent: SentRecord[]; requests: RequestRecord[] }>
export const wecomOf = () => control('/wecom') as Promise<{ sent: WecomSent[]; requests: { at: number; path: string; errcode: number }[] }>
export const failFeishu = (id: string, failure: { status: number; code?: number; headers?: Record<string, string>; pathPrefix?: string }, n = 1) =>
  control(`/feishu/${id}/fail`, { failure, count: n })
const resetFakes = () => control('/reset', {})

/**
 * What each file starts from: every binding's data deleted, the Durable Objects and this isolate's counties
 * started afresh, the fakes' records cleared, then the counties' databases migrated and loaded. (The files
 * share one workerd isolate, `isolate: false` in project.ts: the plugin's fresh worker per file dies on a
 * too-large WebSocket message after the first file here.)
 */
export async function freshCounties(ids: string[]): Promise<void> {
  await reset()
  await abortAllDurableObjects()
  forgetCounties()
  await resetFakes()
  for (const id of ids) await seedCounty(id)
}

export async function until(what: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms
  while (!(await what())) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 100))
  }
}
