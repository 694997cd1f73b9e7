/**
 * What a group and the night get: 填报 typed in a group goes to the person's own chat, a group the bot joins
 * starts with the latest published board and 通报, and a 督办 at night waits for the morning unless 紧急.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { harness } from '../harness.ts'
import { drainOutbox } from '../../src/outbox/sender.ts'
import { quietHoursHold } from '../../src/outbox/quiet.ts'
import { DEFAULT_DISPATCH } from '../../src/domain/dispatch.ts'
import { shanghaiTime } from '../../src/domain/time.ts'
import { runTick } from '../../src/jobs/tick.ts'

let h: Awaited<ReturnType<typeof harness>>
beforeEach(async () => {
  h = await harness({ now: shanghaiTime(2026, 11, 26, 10) })
})
afterEach(() => h.close())

const rows = (where: string, ...args: unknown[]) =>
  h.sqlite.prepare(`select key, address, status, body from outbox where ${where} order by id`).all(...args) as {
    key: string
    address: string
    status: string
    body: string
  }[]

describe('groups', () => {
  it('填报 typed in a group sends the form to the person’s own chat and one line to the group', async () => {
    const contact = h.as('contact', { unit: '县住建局' })
    const r = await contact.inGroup('填报')
    expect(r.cards).toHaveLength(0)
    expect(r.texts.join('')).toContain('私聊')
    const mine = rows(`address = ? and key like 'in:%'`, `person:${contact.person.id}`)
    expect(mine.length).toBeGreaterThan(0)
    expect(JSON.parse(mine[0]!.body).card.template).toBe('report-prompt')
  })

  it('a group the bot joins starts with the latest published board and 通报', async () => {
    const r = await h.deliver({
      type: 'bot_added',
      id: 'g-added-1',
      platform: 'local',
      receivedAt: h.now,
      chat: { platform: 'local', chatId: 'group:new-one', kind: 'group', name: '县领导群' },
    })
    const bodies = r.messages.map((m) => (m.body.kind === 'card' ? m.body.card.template : 'text'))
    expect(bodies).toEqual(expect.arrayContaining(['text', 'leaderboard', 'bulletin']))
  })
})

describe('the night', () => {
  it('a 督办 at 04:10 answers the leader at once; the cards to others wait until 07:30, unless 紧急', async () => {
    h.at(shanghaiTime(2026, 11, 27, 4, 10))
    const leader = h.as('leader', { title: '县长' })
    await leader.send('督办 城东污水 加快管网施工 3个工作日')
    await leader.send('督办 城关镇城市综合体 消除安全隐患 紧急')
    const hold = quietHoursHold(DEFAULT_DISPATCH)
    await drainOutbox(h.db, {}, shanghaiTime(2026, 11, 27, 4, 10), { platforms: ['local'], holdUntil: hold, notifyOffice: false })
    const sent = rows(`status = 'sent' and (key like 'supervise:%' or key like 'urgent:supervise:%' or address = ?)`, `person:${leader.person.id}`)
    expect(sent.every((r) => r.key.startsWith('urgent:') || r.address === `person:${leader.person.id}`)).toBe(true)
    expect(sent.some((r) => r.key.startsWith('urgent:supervise:'))).toBe(true)
    expect(rows(`status = 'pending' and key like 'supervise:%'`).length).toBeGreaterThan(0)
    await drainOutbox(h.db, {}, shanghaiTime(2026, 11, 27, 7, 31), { platforms: ['local'], holdUntil: hold, notifyOffice: false })
    expect(rows(`status = 'pending' and key like 'supervise:%'`)).toHaveLength(0)
    void runTick
  })
})
