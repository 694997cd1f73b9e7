/**
 * Group commit on Node: the bot runs the intake starts in one turn share one SQLite transaction, each in its
 * own savepoint. From outside each is still all-or-nothing: a run that fails leaves nothing, the others keep
 * all of theirs, and nothing is answered before the commit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { harness } from '../harness.ts'
import { createIntake } from '../../src/intake/index.ts'
import { handleEvent } from '../../src/bot/handle.ts'
import { localDecoder } from '../../src/channels/local/routes.ts'
import { serialTransactions } from '../../src/runtime/node/sqlite.ts'
import { silentLogger } from '../../src/log.ts'
import { shanghaiTime } from '../../src/domain/time.ts'
import type { InboundEvent } from '../../src/model/index.ts'

let h: Awaited<ReturnType<typeof harness>>
beforeAll(async () => {
  h = await harness({ now: shanghaiTime(2026, 11, 26, 10) })
})
afterAll(() => h.close())

/**
 * A transaction runner over the harness's connection that records the statements it runs (BEGIN, SAVEPOINT,
 * COMMIT…): serialTransactions prepares them once, so they are seen through the connection's `prepare`.
 */
function tracedTransactions(): { transact: ReturnType<typeof serialTransactions>; seen: string[] } {
  const seen: string[] = []
  const traced = new Proxy(h.sqlite, {
    get(target, name, receiver) {
      if (name !== 'prepare') return Reflect.get(target, name, receiver) as unknown
      return (text: string) => {
        const statement = target.prepare(text)
        return new Proxy(statement, {
          get(st, key, r) {
            if (key !== 'run') return Reflect.get(st, key, r) as unknown
            return (...args: unknown[]) => {
              seen.push(text)
              return st.run(...args)
            }
          },
        })
      }
    },
  })
  return { transact: serialTransactions(traced), seen }
}

let seq = 0
function ask(personId: number, text: string): InboundEvent {
  return {
    type: 'text',
    id: `group-${++seq}`,
    platform: 'local',
    receivedAt: h.now,
    sender: { platform: 'local', userId: String(personId) },
    chat: { platform: 'local', chatId: `person:${personId}`, kind: 'direct' },
    text,
    mentionedBot: false,
  }
}

describe('group commit', () => {
  it('events queued together commit once; the one whose bot run fails leaves nothing, the others are done', async () => {
    const contacts = h.people.filter((p) => (p.roles as string[]).includes('contact')).slice(0, 6)
    expect(contacts.length).toBe(6)
    const failing = contacts[2]!.id
    const traced = tracedTransactions()
    const intake = createIntake({
      db: h.db,
      logger: silentLogger,
      now: () => h.now,
      platforms: ['local'],
      decoders: { local: localDecoder },
      transact: traced.transact,
      concurrency: 16,
      bot: async (ctx, e) => {
        const result = await handleEvent(ctx, e)
        if ('sender' in e && e.sender.userId === String(failing)) throw new Error('this run fell over after its writes')
        return result
      },
    })
    const ids: number[] = []
    await (async () => {
      const accepted = await Promise.all(
        contacts.map((p) => {
          const event = ask(p.id, '本年累计5000万元，主体封顶，无问题')
          return intake.accept({ platform: 'local', dedupeKey: event.id, raw: JSON.stringify({ event }), event })
        }),
      )
      for (const a of accepted) if (a.kind === 'queued') ids.push(a.inboundId)
      await intake.idle()
    })()
    const statements = traced.seen
    expect(ids.length).toBe(6)
    expect(statements.filter((s) => s === 'BEGIN IMMEDIATE')).toHaveLength(1)
    expect(statements.filter((s) => s === 'COMMIT')).toHaveLength(1)

    const status = (id: number) => (h.sqlite.prepare('select status from inbound_log where id = ?').get(id) as { status: string }).status
    expect(ids.map(status)).toEqual(['processed', 'processed', 'failed', 'processed', 'processed', 'processed'])
    // Five runs did their work (a draft waiting for 确认, a reply); the failed one wrote and queued nothing.
    const drafts = (id: number) => (h.sqlite.prepare('select count(*) n from pending_actions where person_id = ?').get(id) as { n: number }).n
    const replies = (id: number) => (h.sqlite.prepare('select count(*) n from outbox where address = ?').get(`person:${id}`) as { n: number }).n
    expect(contacts.map((p) => drafts(p.id))).toEqual([1, 1, 0, 1, 1, 1])
    expect(contacts.map((p) => replies(p.id) > 0)).toEqual([true, true, false, true, true, true])

    // Retried by hand, the failed one does its work once.
    expect(
      await createIntake({
        db: h.db,
        logger: silentLogger,
        now: () => h.now,
        platforms: ['local'],
        decoders: { local: localDecoder },
        transact: h.transact,
      }).retry(ids[2]!),
    ).toBe('processed')
    expect(drafts(failing)).toBe(1)
    expect(replies(failing)).toBe(1)
  })

  it('no unit settles before the commit, and a failed unit’s promise rejects after it', async () => {
    const transact = serialTransactions(h.sqlite)
    const write = (key: string) => h.sqlite.prepare(`insert into settings (key, value) values (?, '1')`).run(key)
    const settled: string[] = []
    const units = ['a', 'b', 'c'].map((k) =>
      transact(async () => {
        write(`group-test-${k}`)
        if (k === 'b') throw new Error('b fails')
        return k
      }).then(
        (v) => settled.push(`${v} ok, in transaction: ${h.sqlite.inTransaction}`),
        (e: Error) => settled.push(`${e.message}, in transaction: ${h.sqlite.inTransaction}`),
      ),
    )
    await Promise.all(units)
    expect(settled).toEqual(['a ok, in transaction: false', 'b fails, in transaction: false', 'c ok, in transaction: false'])
    const keys = (h.sqlite.prepare(`select key from settings where key like 'group-test-%' order by key`).all() as { key: string }[]).map(
      (r) => r.key,
    )
    expect(keys).toEqual(['group-test-a', 'group-test-c'])
  })
})
