/**
 * The intake's unit of work on D1 (src/runtime/workers/d1.ts): the bot's writes, its outbox rows and the mark
 * on its inbound row go to D1 as one batch; a turn that fails sends none of its writes; a turn that reads its
 * own write back sees it (what is kept so far goes first). Over the fake D1 binding (test/fakes/d1.ts: real
 * SQLite, batches all-or-nothing, 100 bound values at most), through the real intake and bot.
 */
import { beforeEach, describe, expect, it } from 'vitest'
import { openNodeDatabase, type NodeDatabase } from '../../src/runtime/node/sqlite.ts'
import { openCountyDatabase, type UnitStats } from '../../src/runtime/workers/d1.ts'
import { createIntake, type Intake } from '../../src/intake/index.ts'
import { handleEvent } from '../../src/bot/handle.ts'
import { localDecoder } from '../../src/channels/local/routes.ts'
import { getSetting, setSetting } from '../../src/store/repos/settings.ts'
import { silentLogger } from '../../src/log.ts'
import { shanghaiTime } from '../../src/domain/time.ts'
import type { InboundEvent } from '../../src/model/index.ts'
import { fakeD1, type FakeD1 } from '../fakes/d1.ts'

const NOW = shanghaiTime(2026, 11, 26, 10)
let backing: NodeDatabase
let binding: FakeD1 & { batches: number }
let units: UnitStats[]

function intakeWith(bot?: typeof handleEvent): Intake {
  const { db, transact } = openCountyDatabase(binding, (s) => units.push(s))
  return createIntake({
    db,
    logger: silentLogger,
    now: () => NOW,
    platforms: ['local'],
    decoders: { local: localDecoder },
    transact,
    ...(bot && { bot }),
  })
}

let seq = 0
const help = (text = '帮助'): Extract<InboundEvent, { type: 'text' }> => ({
  type: 'text',
  id: `d1-unit-${++seq}`,
  platform: 'local',
  receivedAt: NOW,
  sender: { platform: 'local', userId: '9001' },
  chat: { platform: 'local', chatId: 'person:9001', kind: 'direct' },
  text,
  mentionedBot: false,
})
const deliver = async (intake: Intake, event: InboundEvent) => {
  const r = await intake.accept({ platform: 'local', dedupeKey: event.id, raw: JSON.stringify({ event }), event }, { waitMs: Infinity })
  if (r.kind !== 'answered') throw new Error(r.kind)
  return r
}
const rows = (sql: string) => backing.sqlite.prepare(sql).all()

beforeEach(() => {
  backing = openNodeDatabase(':memory:')
  const d1 = fakeD1(backing.sqlite)
  const batch = d1.batch.bind(d1)
  binding = Object.assign(d1, {
    batches: 0,
    batch: (s: Parameters<FakeD1['batch']>[0]) => {
      binding.batches++
      return batch(s)
    },
  })
  units = []
})

/** The demo county on D1 after the tick of 25 Nov, and its first contact's way to talk to the bot. */
async function demoContact() {
  const { drizzle } = await import('drizzle-orm/d1')
  const schema = await import('../../src/store/schema.ts')
  const { loadDemoCounty } = await import('../../src/demo/county.ts')
  const { projectsOfContact } = await import('../../src/store/repos/projects.ts')
  await loadDemoCounty(drizzle(binding as never, { schema }) as never, shanghaiTime(2026, 11, 22, 10))
  const { runTick } = await import('../../src/jobs/tick.ts')
  await runTick(drizzle(binding as never, { schema }) as never, shanghaiTime(2026, 11, 25, 9, 1))
  const contact = backing.sqlite.prepare(`select person_id id from project_contacts order by person_id limit 1`).get() as { id: number }
  const [project] = await projectsOfContact(backing.db, contact.id)
  const oct = backing.sqlite
    .prepare(
      `select r.ytd_investment ytd from reports r join rounds o on o.id = r.round_id where o.period = '2026-10' and r.project_id = ? and r.current = 1`,
    )
    .get(project!.id) as { ytd: number }
  const intake = intakeWith()
  const say = (text: string) =>
    deliver(intake, {
      ...help(text),
      sender: { platform: 'local', userId: String(contact.id) },
      chat: { platform: 'local', chatId: `person:${contact.id}`, kind: 'direct' },
    })
  return { project: project!, octYtd: oct.ytd, intake, say }
}

const receipts = () => (rows(`select count(*) n from outbox where body like '%已收到%'`)[0] as { n: number }).n
const novemberReports = (projectId: number) =>
  rows(`select r.ytd_investment ytd from reports r join rounds o on o.id = r.round_id where o.period = '2026-11' and r.project_id = ${projectId}`)

describe('the unit of work on D1', () => {
  it('sends a turn’s replies and the mark of its row in one batch', async () => {
    const intake = intakeWith()
    await deliver(intake, help())
    expect(units).toHaveLength(1)
    expect(units[0]).toMatchObject({ batches: 1, flushes: [] })
    expect(units[0]!.statements).toBeGreaterThanOrEqual(2) // the reply row(s) and the mark
    expect(rows(`select status from inbound_log`)).toEqual([{ status: 'processed' }])
    expect(rows(`select count(*) n from outbox where key like 'in:local:d1-unit-%'`)).toEqual([{ n: 1 }])
  })

  it('a turn that fails after writing leaves nothing of it: no write, no reply, the row marked failed', async () => {
    const crashing: typeof handleEvent = async (ctx, event) => {
      const result = await handleEvent(ctx, event)
      await setSetting(ctx.db, 'written-by-the-failed-turn', { at: 1 })
      throw new Error('crash after the work')
      return result
    }
    const before = binding.batches
    await deliver(intakeWith(crashing), help())
    expect(binding.batches).toBe(before) // nothing of the turn was sent to D1
    expect(rows(`select count(*) n from settings where key = 'written-by-the-failed-turn'`)).toEqual([{ n: 0 }])
    expect(rows(`select count(*) n from outbox`)).toEqual([{ n: 0 }])
    expect(rows(`select status, error from inbound_log`)).toEqual([{ status: 'failed', error: 'Error: crash after the work' }])
  })

  it('a turn that reads its own write back sees it: what was kept goes first, the rest in the last batch', async () => {
    const readsBack: typeof handleEvent = async (ctx, event) => {
      await setSetting(ctx.db, 'turn-note', { n: 1 })
      const seen = await getSetting<{ n: number }>(ctx.db, 'turn-note')
      return { messages: [{ to: { kind: 'chat', chat: event.chat }, body: { kind: 'text', text: `seen ${seen?.n}` } }] }
    }
    await deliver(intakeWith(readsBack), help())
    expect(units[0]).toMatchObject({ batches: 2, flushes: ['read settings'] })
    expect(rows(`select json_extract(body, '$.text') t from outbox`)).toEqual([{ t: 'seen 1' }])
    expect(rows(`select status from inbound_log`)).toEqual([{ status: 'processed' }])
  })

  it('a contact’s report on the demo county: the draft turns and the 确认 that stores it with a problem are one batch each', async () => {
    const { project, octYtd, say } = await demoContact()
    const oct = { ytd: octYtd }
    units = []
    const a = await say(`本月完成投资1200万元，本年累计${oct.ytd / 10_000 + 1200}万元，问题：工地临时用电未接通`)
    const b = await say(project!.name.slice(-6))
    const done = await say('确认')
    expect(JSON.stringify(done.result?.messages)).toContain('已收到')
    const stored = backing.sqlite
      .prepare(
        `select r.ytd_investment ytd from reports r join rounds o on o.id = r.round_id where o.period = '2026-11' and r.project_id = ? and r.current = 1`,
      )
      .get(project!.id)
    expect(stored).toEqual({ ytd: oct.ytd + 1200 * 10_000 })
    expect(JSON.stringify(a.result?.messages)).toContain('是哪个项目')
    expect(JSON.stringify(b.result?.messages)).toContain('请确认')
    // Every turn is one batch: the 确认 reads what it needs before its first write and builds the stored rows
    // (the new version, the new problem and its id) in code, so a crash can never leave the report stored with
    // its event unmarked.
    expect(units.map((u) => u.batches)).toEqual([1, 1, 1])
    expect(units[2]!.flushes).toEqual([])
    expect(
      rows(`select p.description, e.to_state from problems p join problem_events e on e.problem_id = p.id where p.project_id = ${project!.id}`),
    ).toEqual([{ description: '工地临时用电未接通', to_state: 'new' }])
    console.log(`d1 units: ${units.map((u) => `batches=${u.batches} statements=${u.statements} flushes=${u.flushes.join('|') || '-'}`).join('; ')}`)
  })
  it('the 确认 whose batch never lands stores nothing; its retry stores the report and its problem once', async () => {
    const { project, octYtd, intake, say } = await demoContact()
    await say(`本月完成投资1200万元，本年累计${octYtd / 10_000 + 1200}万元，问题：工地临时用电未接通`)
    await say(project.name.slice(-6))
    // The isolate dies while the batch that marks the 确认's row is on its way: D1 never commits that batch
    // (when the turn took three batches, the first two had stored the report and the problem by then).
    const send = binding.batch
    const latest = () => (rows(`select status from inbound_log order by id desc limit 1`)[0] as { status: string }).status
    binding.batch = async (statements) => {
      let sent: ReturnType<typeof send> | undefined
      // The fake runs a batch at once, so it can be run inside a transaction of our own and undone.
      backing.sqlite.transaction(() => {
        sent = send(statements)
        if (latest() !== 'processed') return
        binding.batch = send
        throw new Error('D1_ERROR: Network connection lost.')
      })()
      return sent!
    }
    const lost = await say('确认')
    expect(lost.result).toBeUndefined()
    expect(novemberReports(project.id)).toEqual([])
    expect(rows(`select count(*) n from problems where project_id = ${project.id}`)).toEqual([{ n: 0 }])
    const row = rows(`select id, status from inbound_log order by id desc limit 1`)[0] as { id: number; status: string }
    expect(row.status).toBe('failed')
    expect(receipts()).toBe(0)

    expect(await intake.retry(row.id)).toBe('processed')
    expect(novemberReports(project.id)).toEqual([{ ytd: octYtd + 1200 * 10_000 }])
    expect(rows(`select count(*) n from problems p join problem_events e on e.problem_id = p.id where p.project_id = ${project.id}`)).toEqual([
      { n: 1 },
    ])
    expect(receipts()).toBeGreaterThan(0)
  })
  it('a 确认 whose new problem id another isolate took first runs again and stores everything once', async () => {
    const { project, octYtd, say } = await demoContact()
    await say(`本月完成投资1200万元，本年累计${octYtd / 10_000 + 1200}万元，问题：工地临时用电未接通`)
    await say(project.name.slice(-6))
    // Between the 确认's reads and its batch, a leader in another isolate raises a problem on the project.
    const send = binding.batch
    binding.batch = async (statements) => {
      binding.batch = send
      backing.sqlite
        .prepare(`insert into problems (project_id, description, created_at) values (?, '另一处同时提出的问题', ?)`)
        .run(project.id, NOW.getTime())
      return send(statements)
    }
    units = []
    const done = await say('确认')
    expect(JSON.stringify(done.result?.messages)).toContain('已收到')
    expect(units.map((u) => u.batches)).toEqual([1, 1]) // the batch that failed on the taken id, then the one that landed
    expect(novemberReports(project.id)).toEqual([{ ytd: octYtd + 1200 * 10_000 }])
    const mine = rows(
      `select p.id, count(e.id) events from problems p left join problem_events e on e.problem_id = p.id where p.description = '工地临时用电未接通' group by p.id`,
    ) as { id: number; events: number }[]
    expect(mine).toEqual([{ id: expect.any(Number), events: 1 }])
    // The office's card names the problem as stored, so 交办 on it reaches it.
    expect(JSON.stringify(done.result?.messages)).toContain(`#${mine[0]!.id}`)
    expect(rows(`select status from inbound_log order by id desc limit 1`)).toEqual([{ status: 'processed' }])
  })
})
