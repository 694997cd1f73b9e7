/**
 * A small world for outbox tests: a database with people bound on Feishu, the fake Feishu open API on
 * loopback sharing a manual clock with the sender, and the real SDK sender behind the outbox's Feishu sender.
 */
import { openNodeDatabase, type NodeDatabase } from '../../src/runtime/node/sqlite.ts'
import { identities, people, groups } from '../../src/store/schema.ts'
import { insertMany } from '../../src/store/bulk.ts'
import { enqueue } from '../../src/outbox/enqueue.ts'
import { manualClock, type ManualClock } from '../../src/outbox/clock.ts'
import { createSdkSender } from '../../src/channels/feishu/sdk.ts'
import { feishuOutboxSender } from '../../src/channels/feishu/outbox.ts'
import { startFakeFeishu, type FakeFeishu, type FakeFeishuOptions } from '../fakes/feishu.ts'
import { shanghaiTime } from '../../src/domain/time.ts'
import type { OutboundMessage } from '../../src/model/index.ts'
import type { Senders } from '../../src/outbox/sender.ts'

export const APP = { appId: 'cli_outbox', appSecret: 'secret' }

export interface World extends NodeDatabase {
  fake: FakeFeishu
  clock: ManualClock
  senders: Senders
  /** Person ids of the users, in order; user i is `ou_user{i}` on Feishu. */
  users: number[]
  office: number[]
  /** Group ids: group i is `oc_group{i}`. */
  groups: number[]
  /** Queues messages (text unless given) with the given keys, due now. */
  queue(messages: OutboundMessage[]): Promise<void>
  close(): void
}

export const START = shanghaiTime(2026, 11, 25, 9).getTime()

export async function world(o: { users?: number; groups?: number; path?: string; fake?: Partial<FakeFeishuOptions> } = {}): Promise<World> {
  const d = openNodeDatabase(o.path ?? ':memory:')
  const clock = manualClock(START)
  const fake = await startFakeFeishu({ ...APP, now: () => clock.now(), ...o.fake })
  const n = o.users ?? 10
  await insertMany(d.db, people, [
    { name: '办公室主任', roles: ['office'] },
    { name: '办公室科员', roles: ['office'] },
    ...Array.from({ length: n }, (_, i) => ({ name: `联络员${i}`, roles: ['contact' as const] })),
  ])
  const rows = d.sqlite.prepare('select id from people order by id').all() as { id: number }[]
  const office = rows.slice(0, 2).map((r) => r.id)
  const users = rows.slice(2).map((r) => r.id)
  await insertMany(d.db, identities, [
    ...office.map((id, i) => ({ personId: id, platform: 'feishu' as const, userId: `ou_office${i}`, boundAt: 0 })),
    ...users.map((id, i) => ({ personId: id, platform: 'feishu' as const, userId: `ou_user${i}`, boundAt: 0 })),
  ])
  const g = o.groups ?? 0
  if (g)
    await insertMany(
      d.db,
      groups,
      Array.from({ length: g }, (_, i) => ({ platform: 'feishu' as const, chatId: `oc_group${i}`, name: `群${i}`, addedAt: 0 })),
    )
  const groupIds = (d.sqlite.prepare('select id from groups order by id').all() as { id: number }[]).map((r) => r.id)
  const sender = createSdkSender({ ...APP, domain: fake.url, timeoutMs: 5000 })
  return {
    ...d,
    fake,
    clock,
    senders: { feishu: feishuOutboxSender(sender, d.db) },
    users,
    office,
    groups: groupIds,
    async queue(messages) {
      await enqueue(d.db, { platforms: ['feishu'] }, messages, clock.now(), (i) => `test:${i}`)
    },
    close() {
      void fake.close()
      d.close()
    },
  }
}

export const text = (personId: number, key: string, t = '请填报本月调度'): OutboundMessage => ({
  to: { kind: 'person', personId },
  key,
  body: { kind: 'text', text: t },
})

/** The most events in any window of `windowMs` (half-open, as the fake counts). */
export function maxInWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b)
  let best = 0
  let lo = 0
  for (let hi = 0; hi < sorted.length; hi++) {
    while (sorted[lo]! <= sorted[hi]! - windowMs) lo++
    best = Math.max(best, hi - lo + 1)
  }
  return best
}

export function statuses(d: NodeDatabase): Record<string, number> {
  const rows = d.sqlite.prepare('select status, count(*) n from outbox group by status').all() as { status: string; n: number }[]
  return Object.fromEntries(rows.map((r) => [r.status, r.n]))
}
