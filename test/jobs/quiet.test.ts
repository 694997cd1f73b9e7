/**
 * Issue 12 item 9: in the quiet hours (22:00–07:30) every push to someone other than the person who just wrote
 * waits in the outbox for 07:30 — on the local drain as on Feishu's — unless it is marked urgent; the reply
 * into the writer's own chat goes at once.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { harness } from '../harness.ts'
import { shanghaiTime } from '../../src/domain/time.ts'
import { drainOutbox } from '../../src/outbox/sender.ts'
import { isUrgent, quietHoursHold, urgentKey } from '../../src/outbox/quiet.ts'
import { loadDispatchCalendar } from '../../src/services/rules.ts'
import { outbox } from '../../src/store/schema.ts'
import { setSetting } from '../../src/store/repos/settings.ts'

let close: (() => void) | undefined
afterEach(() => close?.())

describe('quiet hours on every drain', () => {
  it('holds a 04:10 督办 to other people until 07:30 and sends the leader his reply at once', async () => {
    const h = await harness({ now: shanghaiTime(2026, 11, 27, 4, 10) })
    close = h.close
    const leader = h.as('leader')
    const said = await leader.send('督办 城东污水处理厂 加快林地手续办理 3个工作日')
    expect(said.replies.length).toBeGreaterThan(0)
    const others = said.result.messages.filter((m) => !(m.to.kind === 'chat' && m.to.chat.chatId === `person:${leader.person.id}`))
    expect(others.length).toBeGreaterThan(0)

    const hold = quietHoursHold(await loadDispatchCalendar(h.db))
    const stats = await drainOutbox(h.db, {}, h.now, { platforms: ['local'], holdUntil: hold })
    const rows = await h.db.select().from(outbox).all()
    const reply = rows.filter((r) => r.address === `person:${leader.person.id}` && r.key.startsWith('in:'))
    const pushes = rows.filter((r) => !r.key.startsWith('in:'))
    expect(reply.length).toBeGreaterThan(0)
    expect(reply.every((r) => r.status === 'sent')).toBe(true)
    expect(pushes.length).toBe(others.length)
    expect(stats.held).toBe(pushes.length)
    const at0730 = shanghaiTime(2026, 11, 27, 7, 30).getTime()
    for (const r of pushes) {
      expect(r.status).toBe('pending')
      expect(r.nextAttemptAt).toBe(at0730)
    }

    // 07:29 still nothing; 07:30 they all go, once.
    expect((await drainOutbox(h.db, {}, shanghaiTime(2026, 11, 27, 7, 29), { platforms: ['local'], holdUntil: hold })).sent).toBe(0)
    const morning = await drainOutbox(h.db, {}, shanghaiTime(2026, 11, 27, 7, 30), { platforms: ['local'], holdUntil: hold })
    expect(morning.sent).toBe(pushes.length)
    expect(morning.held).toBe(0)
  })

  it('lets an urgent push through at night, by its key or a flag in its body', async () => {
    const h = await harness({ now: shanghaiTime(2026, 11, 27, 23, 5) })
    close = h.close
    const night = shanghaiTime(2026, 11, 27, 23, 5).getTime()
    const body = { kind: 'text', text: '紧急督办' }
    await h.db.insert(outbox).values([
      {
        key: urgentKey('supervise:901:p1'),
        platform: 'local',
        address: 'person:1',
        addressKind: 'user',
        body,
        status: 'pending',
        nextAttemptAt: night,
        createdAt: night,
      },
      {
        key: 'supervise:902:p1',
        platform: 'local',
        address: 'person:1',
        addressKind: 'user',
        body: { ...body, urgent: true },
        status: 'pending',
        nextAttemptAt: night,
        createdAt: night,
      },
      {
        key: 'supervise:903:p1',
        platform: 'local',
        address: 'person:1',
        addressKind: 'user',
        body,
        status: 'pending',
        nextAttemptAt: night,
        createdAt: night,
      },
    ])
    expect(urgentKey(urgentKey('x'))).toBe('urgent:x')
    expect(isUrgent({ key: 'urgent:supervise:1:p2' })).toBe(true)
    const stats = await drainOutbox(h.db, {}, new Date(night), { platforms: ['local'], holdUntil: quietHoursHold(await loadDispatchCalendar(h.db)) })
    expect(stats.sent).toBe(2)
    expect(stats.held).toBe(1)
    const held = await h.db.select().from(outbox).where(eq(outbox.key, 'supervise:903:p1')).get()
    expect(held?.nextAttemptAt).toBe(shanghaiTime(2026, 11, 28, 7, 30).getTime())
  })

  it('follows the dispatch setting: quiet hours ending at 08:00, or none', async () => {
    const h = await harness({ now: shanghaiTime(2026, 11, 27, 4, 10) })
    close = h.close
    await setSetting(h.db, 'dispatch', { quietHours: { start: '21:00', end: '08:00' } })
    const hold = quietHoursHold(await loadDispatchCalendar(h.db))
    expect(hold({ key: 'urge:1:2:p3:local:t1' }, shanghaiTime(2026, 11, 27, 21, 30).getTime())).toBe(shanghaiTime(2026, 11, 28, 8).getTime())
    expect(hold({ key: 'in:local:t1:0' }, shanghaiTime(2026, 11, 27, 21, 30).getTime())).toBe(shanghaiTime(2026, 11, 27, 21, 30).getTime())
    await setSetting(h.db, 'dispatch', { quietHours: null })
    const none = quietHoursHold(await loadDispatchCalendar(h.db))
    expect(none({ key: 'urge:1:2:p3:local:t1' }, h.now.getTime())).toBe(h.now.getTime())
  })
})
