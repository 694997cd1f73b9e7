/**
 * The /chat inbox tells the truth about the quiet hours: a 督办 typed at 23:00 answers the leader at once, but
 * the cards it pushes to the project's people appear in their inboxes only at 07:30, when the outbox releases
 * them (through the same drain `npm start` runs every second); 「… 紧急」 appears at once.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openNodeDatabase, type NodeDatabase } from '../../../src/runtime/node/sqlite.ts'
import { loadDemoCounty } from '../../../src/demo/county.ts'
import { shanghaiTime } from '../../../src/domain/time.ts'
import { silentLogger } from '../../../src/log.ts'
import { createApp } from '../../../src/http/app.ts'
import type { InboxMessage } from '../../../src/channels/local/index.ts'
import { drainOutbox } from '../../../src/outbox/sender.ts'
import { quietHoursHold } from '../../../src/outbox/quiet.ts'
import { loadDispatchCalendar } from '../../../src/services/rules.ts'
import { people, type Role } from '../../../src/store/schema.ts'

let database: NodeDatabase
let now: Date
beforeEach(async () => {
  database = openNodeDatabase(':memory:')
  await loadDemoCounty(database.db, shanghaiTime(2026, 11, 22, 10))
})
afterEach(() => database.close())

const app = () => createApp({ db: database.db, schemaVersion: 1, logger: silentLogger, now: () => now, channels: ['local'] })

async function post(a: ReturnType<typeof app>, path: string, body: unknown) {
  const res = await a.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  expect(res.status).toBe(200)
  return res.json()
}
async function inbox(a: ReturnType<typeof app>, address: string): Promise<InboxMessage[]> {
  const res = await a.request(`/local/inbox?address=${address}`)
  return ((await res.json()) as { messages: InboxMessage[] }).messages
}
/** What `npm start` does every second for local rows. */
const drain = async () =>
  drainOutbox(database.db, {}, now, { platforms: ['local'], holdUntil: quietHoursHold(await loadDispatchCalendar(database.db)) })

/** The people a 督办 on the project pushes cards to, other than the leader, by their inbox address. */
function pushedTo(leaderId: number): string[] {
  const rows = database.sqlite.prepare(`select distinct address from outbox where key like '%supervise:%' and address != ?`).all(`person:${leaderId}`)
  return (rows as { address: string }[]).map((r) => r.address)
}

const supervisionCards = (m: InboxMessage[]) => m.filter((x) => x.from === 'bot' && x.html.includes('加快管网施工'))

describe('the /chat inbox in the quiet hours', () => {
  it('shows a night push only from 07:30, when the outbox releases it; the leader’s reply at once', async () => {
    const a = app()
    const all = await database.db.select().from(people).all()
    const leader = all.find((p) => (p.roles as Role[]).includes('leader'))!
    const project = database.sqlite.prepare('select code from projects order by id limit 1').get() as { code: string }

    now = shanghaiTime(2026, 12, 2, 23)
    await post(a, '/local/send', { personId: leader.id, text: `督办 ${project.code} 加快管网施工` })
    const mine = await inbox(a, `person:${leader.id}`)
    expect(mine.some((m) => m.from === 'bot' && m.html.includes('督办'))).toBe(true)
    const others = pushedTo(leader.id)
    expect(others.length).toBeGreaterThan(0)
    for (const address of others) expect(supervisionCards(await inbox(a, address))).toEqual([])

    // the drain holds them; at 07:29 they are still not there
    now = new Date(now.getTime() + 60_000)
    expect((await drain()).held).toBeGreaterThan(0)
    now = shanghaiTime(2026, 12, 3, 7, 29)
    for (const address of others) expect(supervisionCards(await inbox(a, address))).toEqual([])

    // 07:30: released, dated 07:30 — before the drain marks them sent, and after
    now = shanghaiTime(2026, 12, 3, 7, 30)
    for (const address of others) {
      const cards = supervisionCards(await inbox(a, address))
      expect(cards).toHaveLength(1)
      expect(cards[0]!.at).toBe(shanghaiTime(2026, 12, 3, 7, 30).toISOString())
    }
    now = shanghaiTime(2026, 12, 3, 7, 31)
    expect((await drain()).sent).toBeGreaterThan(0)
    for (const address of others) expect(supervisionCards(await inbox(a, address))).toHaveLength(1)
  })

  it('shows an urgent 督办 at once, at night too', async () => {
    const a = app()
    const all = await database.db.select().from(people).all()
    const leader = all.find((p) => (p.roles as Role[]).includes('leader'))!
    const project = database.sqlite.prepare('select code from projects order by id limit 1').get() as { code: string }
    now = shanghaiTime(2026, 12, 2, 23)
    await post(a, '/local/send', { personId: leader.id, text: `督办 ${project.code} 加快管网施工 紧急` })
    const others = pushedTo(leader.id)
    expect(others.length).toBeGreaterThan(0)
    for (const address of others) expect(supervisionCards(await inbox(a, address))).toHaveLength(1)
  })
})
