/**
 * Each event's work happens exactly once: for every command that writes, a turn that fails after its writes
 * leaves nothing behind (one transaction with its outbox rows and the mark), a retry then does the work
 * once, and resuming, retrying or redelivering the processed event afterwards writes and queues nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { harness, promptForm } from '../harness.ts'
import { createIntake } from '../../src/intake/index.ts'
import { handleEvent } from '../../src/bot/handle.ts'
import { localDecoder } from '../../src/channels/local/routes.ts'
import { projectsOfContact } from '../../src/store/repos/projects.ts'
import { silentLogger } from '../../src/log.ts'
import { shanghaiTime } from '../../src/domain/time.ts'
import type { InboundEvent } from '../../src/model/index.ts'

let h: Awaited<ReturnType<typeof harness>>
beforeAll(async () => {
  h = await harness({ now: shanghaiTime(2026, 11, 26, 10) })
})
afterAll(() => h.close())

const TABLES = ['outbox', 'reports', 'supervisions', 'problems', 'problem_events', 'reminders', 'audit_log', 'pending_actions'] as const
const counts = () => Object.fromEntries(TABLES.map((t) => [t, (h.sqlite.prepare(`select count(*) n from ${t}`).get() as { n: number }).n]))

let seq = 0
const direct = (personId: number) => ({ platform: 'local' as const, chatId: `person:${personId}`, kind: 'direct' as const })
const sender = (personId: number) => ({ platform: 'local' as const, userId: String(personId) })
function text(personId: number, t: string): InboundEvent {
  return {
    type: 'text',
    id: `once-${++seq}`,
    platform: 'local',
    receivedAt: h.now,
    sender: sender(personId),
    chat: direct(personId),
    text: t,
    mentionedBot: false,
  }
}
function click(personId: number, command: string, args: Record<string, unknown>, form?: Record<string, string>): InboundEvent {
  return {
    type: 'card_action',
    id: `once-${++seq}`,
    platform: 'local',
    receivedAt: h.now,
    sender: sender(personId),
    chat: direct(personId),
    command,
    args,
    ...(form && { form }),
  }
}

/**
 * Delivers `event` to an intake whose bot crashes once after doing all its work, then retries, resumes and
 * redelivers it; returns what the one successful run changed.
 */
async function exactlyOnce(event: InboundEvent) {
  let crash = true
  const intake = createIntake({
    db: h.db,
    logger: silentLogger,
    now: () => h.now,
    platforms: ['local'],
    decoders: { local: localDecoder },
    transact: h.transact,
    bot: async (ctx, e) => {
      const result = await handleEvent(ctx, e)
      if (crash) {
        crash = false
        throw new Error('the process fell over after the writes')
      }
      return result
    },
  })
  const raw = JSON.stringify({ event })
  const before = counts()
  const first = await intake.accept({ platform: 'local', dedupeKey: event.id, raw, event }, { waitMs: Infinity })
  if (first.kind !== 'answered') throw new Error(`not answered: ${first.kind}`)
  expect(first.result).toBeUndefined()
  expect(counts()).toEqual(before) // rolled back: not a row of the turn's work is left
  const row = h.sqlite.prepare('select id, status from inbound_log where dedupe_key = ?').get(event.id) as { id: number; status: string }
  expect(row.status).toBe('failed')

  expect(await intake.retry(row.id)).toBe('processed')
  const after = counts()
  // And then nothing more, however the event comes back.
  expect(await intake.resume()).toBe(0)
  await expect(intake.retry(row.id)).rejects.toThrow(RangeError)
  expect((await intake.accept({ platform: 'local', dedupeKey: event.id, raw, event }, { waitMs: Infinity })).kind).toBe('duplicate')
  await intake.idle()
  expect(counts()).toEqual(after)
  return Object.fromEntries(TABLES.map((t) => [t, after[t]! - before[t]!]).filter(([, n]) => n !== 0))
}

describe('every command that writes does its work exactly once', () => {
  it('a prompt-card submit with a problem: one report version, one problem, one card to each office person', async () => {
    const contact = h.as('contact', { unit: '县住建局' })
    const [project] = await projectsOfContact(h.db, contact.person.id)
    const form = promptForm((await contact.send(`填报 ${project!.code}`)).cards[0]!)
    const office = h.people.filter((p) => (p.roles as string[]).includes('office')).length
    const changed = await exactlyOnce(
      click(contact.person.id, 'submitReport', form.args, {
        period: '100',
        ytd: String(form.prevYtdWan + 100),
        progress: '主体封顶',
        problems: '施工用电未接通',
      }),
    )
    expect(changed).toMatchObject({ reports: 1, problems: 1, problem_events: 1, audit_log: 1 })
    expect(changed.outbox).toBe(office)
  })

  it('a free-text reply, the project picked, and its 确认', async () => {
    const contact = h.as('contact', { unit: '城关镇' })
    const mine = await projectsOfContact(h.db, contact.person.id)
    expect(mine.length).toBeGreaterThan(1)
    // A figure the checks take without a warning: October's 累计 plus 10 万元, within the project's 总投资.
    const octYtd = (id: number) =>
      (
        h.sqlite
          .prepare(
            `select coalesce(max(r.ytd_investment), 0) as y from reports r join rounds o on o.id = r.round_id
              where o.period = '2026-10' and r.project_id = ? and r.current = 1`,
          )
          .get(id) as { y: number }
      ).y
    const pick = mine.findIndex((p) => octYtd(p.id) + 100_000 <= p.totalInvestment)
    const ytdWan = (octYtd(mine[pick]!.id) + 100_000) / 10_000
    expect(await exactlyOnce(text(contact.person.id, `本年累计${ytdWan}万元，主体封顶，无问题`))).toMatchObject({ pending_actions: 1, outbox: 1 })
    expect(await exactlyOnce(text(contact.person.id, String(pick + 1)))).toEqual({ outbox: 1 })
    expect(await exactlyOnce(text(contact.person.id, '确认'))).toMatchObject({ reports: 1, pending_actions: -1, audit_log: 1, outbox: 1 })
  })

  it('督办: one item, one audit row, one card to each responsible person', async () => {
    const leader = h.as('leader', { title: '县长' })
    const changed = await exactlyOnce(text(leader.person.id, '督办 城东污水 加快管网施工 3个工作日'))
    expect(changed).toMatchObject({ supervisions: 1, audit_log: 1 })
    expect(changed.outbox).toBeGreaterThanOrEqual(2)
  })

  it('催办: reminders and cards once', async () => {
    const leader = h.as('leader', { title: '县长' })
    const changed = await exactlyOnce(text(leader.person.id, '催办 城关镇'))
    expect(changed.outbox).toBeGreaterThanOrEqual(1)
  })

  it('交办 → 更新 → 申请销号 → 驳回 → 申请销号 → 确认销号, each step once', async () => {
    const problem = h.sqlite.prepare(`select id, reporter_person_id r from problems where state = 'new' order by id desc`).get() as {
      id: number
      r: number
    }
    const office = h.find('office')
    const energy = h.units.find((u) => u.name === '县能源局')!
    expect(await exactlyOnce(text(office.id, `交办 #${problem.id} 县能源局 5个工作日`))).toMatchObject({ problem_events: 1, outbox: 2 })
    const head = energy.headPersonId!
    expect(await exactlyOnce(text(head, `更新 #${problem.id} 已联系供电公司`))).toMatchObject({ problem_events: 1, outbox: 1 })
    expect(await exactlyOnce(text(head, `申请销号 #${problem.id} 已接通临时用电`))).toMatchObject({ problem_events: 1, outbox: 2 })
    expect(await exactlyOnce(text(problem.r, `驳回 #${problem.id} 仍未通电`))).toMatchObject({ problem_events: 1, outbox: 2 })
    expect(await exactlyOnce(text(head, `申请销号 #${problem.id} 已通电`))).toMatchObject({ problem_events: 1, outbox: 2 })
    expect(await exactlyOnce(click(problem.r, 'confirmClose', { problemId: problem.id }))).toMatchObject({ problem_events: 1 })
    expect((h.sqlite.prepare('select state from problems where id = ?').get(problem.id) as { state: string }).state).toBe('closed')
  })

  it('已阅: one audit row', async () => {
    const contact = h.as('contact', { unit: '县住建局' })
    const [project] = await projectsOfContact(h.db, contact.person.id)
    await h.as('leader', { title: '县长' }).send(`督办 ${project!.code} 加快施工许可办理`)
    expect(await exactlyOnce(text(contact.person.id, '已阅'))).toMatchObject({ audit_log: 1, outbox: 1 })
  })
})

describe('two processes on one database', () => {
  it('never run each other’s pending events; one whose lease ran out is taken over once', async () => {
    let t = h.now.getTime()
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    const common = {
      db: h.db,
      logger: silentLogger,
      now: () => new Date(t),
      platforms: ['local' as const],
      decoders: { local: localDecoder },
      transact: h.transact,
    }
    // Process A acknowledges a 帮助 and is slow to work on it (its queue is long, or it hangs).
    const a = createIntake({ ...common, owner: 'A', bot: async (ctx, e) => (await gate, handleEvent(ctx, e)) })
    const b = createIntake({ ...common, owner: 'B' })
    const contact = h.as('contact', { unit: '县住建局' })
    const event = text(contact.person.id, '帮助')
    const before = counts().outbox!
    const accepted = await a.accept({ platform: 'local', dedupeKey: event.id, raw: JSON.stringify({ event }), event })
    expect(accepted.kind).toBe('queued')
    // B starting up meanwhile leaves A's row alone.
    expect(await b.resume()).toBe(0)
    // A minute and a half later A still has not finished: its lease has run out, B takes the row over.
    t += 90_000
    expect(await b.resume()).toBe(1)
    expect(counts().outbox).toBe(before + 1)
    // A finally gets to it, finds the row is no longer its own, and does nothing.
    release()
    await a.idle()
    expect(counts().outbox).toBe(before + 1)
    expect(
      h.sqlite.prepare('select status, lease_owner o from inbound_log where dedupe_key = ?').get(event.id) as { status: string; o: string },
    ).toEqual({ status: 'processed', o: 'B' })
  })
})
