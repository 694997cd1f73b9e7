/**
 * Inside workerd: the minute Cron Trigger (`scheduled`) opens each county's November round in its own D1
 * database and queues its prompts; the outbox Queue's consumer (`queue`) drains each county through its
 * Durable Object to its own Feishu app on loopback. Several consumers at once — the Queue's own and two more,
 * as Cloudflare runs them in several isolates — share the county's one object, so together they keep within
 * Feishu's per-app limits (50 a second, 1,000 a minute). Nothing crosses between the counties.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { env } from 'cloudflare:workers'
import { createExecutionContext, createMessageBatch, createScheduledController, getQueueResult, waitOnExecutionContext } from 'cloudflare:test'
import worker from '../../src/runtime/workers/index.ts'
import { COUNTIES } from './counties.ts'
import { count, freshCounties, feishuOf, until } from './helpers.ts'

beforeAll(() => freshCounties(['one', 'two']))

const tick = async () => {
  const ctx = createExecutionContext()
  // The trigger fires now; each county's clock (DIAODU_NOW) reads it as the round's opening minute.
  await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: '* * * * *' }), env as never, ctx)
  await waitOnExecutionContext(ctx)
}

/** One invocation of the Queue's consumer with these wake messages, and what it acked or retried. */
async function consume(bodies: unknown[]) {
  const batch = createMessageBatch(
    'diaodu-outbox',
    bodies.map((body, i) => ({ id: `m${i}`, timestamp: Date.now(), attempts: 1, body })),
  )
  const ctx = createExecutionContext()
  await worker.queue(batch as never, env as never)
  return getQueueResult(batch, ctx)
}

/** The most sends that fell in any `windowMs` (by the time the fake accepted them). */
function peak(times: number[], windowMs: number): number {
  const t = [...times].sort((a, b) => a - b)
  let most = 0
  for (let i = 0, j = 0; i < t.length; i++) {
    while (t[i]! - t[j]! >= windowMs) j++
    most = Math.max(most, i - j + 1)
  }
  return most
}

const open = (id: string) => count(id, `select count(*) n from outbox where status in ('pending', 'sending')`)

describe('the Cron Trigger and the outbox Queue in workerd', () => {
  it('the minute tick opens each county’s round in its own database and queues its prompts there', async () => {
    await tick()
    for (const c of COUNTIES) {
      expect(await count(c.id, `select count(*) n from rounds where kind = 'monthly' and period = '2026-11' and opens_at is not null`)).toBe(1)
      expect(await count(c.id, `select count(*) n from outbox where key not like 'in:%'`)).toBeGreaterThan(100)
    }
  })

  it('three consumers at once drain each county to its own app, within Feishu’s per-app limits, every row once', async () => {
    // The tick's own wake is being consumed by the Queue; two more consumers wake both counties at the same time.
    const [a, b] = await Promise.all([
      consume([{ county: 'one' }, { county: 'two' }]),
      consume([{ county: 'two' }, { county: 'one' }, { county: 'one' }]),
    ])
    expect(a.explicitAcks.sort()).toEqual(['m0', 'm1'])
    expect(b.explicitAcks.sort()).toEqual(['m0', 'm1', 'm2'])
    expect(a.retryMessages).toEqual([])
    // A consumer returns when its county's drain has nothing due left.
    for (const c of COUNTIES) expect(await open(c.id)).toBe(0)
    for (const c of COUNTIES) {
      const other = COUNTIES.find((o) => o.id !== c.id)!.id
      const { sent, requests } = await feishuOf(c.id)
      expect(await count(c.id, `select count(*) n from outbox where status = 'failed'`)).toBe(0)
      expect(sent.length).toBe(await count(c.id, `select count(*) n from outbox where platform = 'feishu' and status = 'sent'`))
      expect(new Set(sent.map((s) => s.uuid)).size).toBe(sent.length)
      expect(sent.filter((s) => s.receiveId?.startsWith(`ou_${c.id}_`)).length).toBeGreaterThan(50)
      expect(sent.some((s) => s.receiveId?.startsWith(`ou_${other}_`) || s.chatId.includes(other))).toBe(false)
      // The platform never had to say no, and no second or minute held more than Feishu allows.
      expect(requests.filter((r) => r.code === 99991400 || r.status === 429)).toEqual([])
      const times = sent.map((s) => s.at)
      expect(peak(times, 1000)).toBeLessThanOrEqual(50)
      expect(peak(times, 60_000)).toBeLessThanOrEqual(1000)
      console.log(`limits: county=${c.id} sent=${sent.length} peakPerSecond=${peak(times, 1000)} spanMs=${Math.max(...times) - Math.min(...times)}`)
    }
  })

  it('a wake for a county whose database is not bound yet is retried; the tick above ran the other counties all the same', async () => {
    const r = await consume([{ county: 'three' }, { county: 'one' }])
    expect(r.retryMessages.map((m) => m.msgId)).toEqual(['m0'])
    expect(r.explicitAcks).toEqual(['m1'])
  })

  it('a wake for a county no longer listed, or garbage, is acknowledged and drains nothing; a second tick in the minute queues nothing', async () => {
    const before = await count('one', `select count(*) n from outbox`)
    const r = await consume([{ county: 'gone' }, 'garbage', { county: 42 }])
    expect(r.explicitAcks.sort()).toEqual(['m0', 'm1', 'm2'])
    expect(r.retryMessages).toEqual([])
    await tick()
    expect(await count('one', `select count(*) n from outbox`)).toBe(before)
    await until(async () => (await open('one')) === 0)
  })
})
