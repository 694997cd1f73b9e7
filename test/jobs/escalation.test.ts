/**
 * 一通报两约谈 on working days: a 督办 issued on 30 September 2026 (reply in 3 working days → 10 October, the
 * 国庆 make-up Saturday) and a ledger problem due just before the 2026 Spring Festival.
 */
import { describe, expect, it } from 'vitest'
import { all, demoCounty, one, outboxRows, tickThrough, type County } from './helpers.ts'
import { harness } from '../harness.ts'
import { runTick } from '../../src/jobs/tick.ts'
import { shanghaiTime } from '../../src/domain/time.ts'
import { replyDueDate } from '../../src/domain/escalation.ts'
import { createWorkdayCalendar } from '../../src/domain/workdays.ts'
import { problems, supervisions } from '../../src/store/schema.ts'
import type { Card } from '../../src/model/index.ts'

const cal = createWorkdayCalendar()

/** Ticks at 09:00 and 15:00 every day. */
async function twiceDaily(c: County, from: Date, days: number) {
  for (let i = 0; i < days; i++) {
    const day = new Date(from.getTime() + i * 86_400_000)
    await tickThrough(c, new Date(day.getTime() + 9 * 3600_000), new Date(day.getTime() + 9 * 3600_000 + 1), 1)
    await tickThrough(c, new Date(day.getTime() + 15 * 3600_000), new Date(day.getTime() + 15 * 3600_000 + 1), 1)
  }
}

function people(c: County, projectId: number) {
  const p = one<{ unit_id: number; leader_person_id: number }>(c.sqlite, 'select unit_id, leader_person_id from projects where id = ?', projectId)
  const head = one<{ head_person_id: number }>(c.sqlite, 'select head_person_id from units where id = ?', p.unit_id).head_person_id
  const contacts = all<{ person_id: number }>(c.sqlite, 'select person_id from project_contacts where project_id = ?', projectId).map(
    (r) => r.person_id,
  )
  const mayor = one<{ id: number }>(c.sqlite, `select id from people where title = '县长'`).id
  return { head, contacts, leader: p.leader_person_id, mayor }
}

const addressesOf = (rows: { address: string }[]) => rows.map((r) => Number(r.address.slice('person:'.length))).sort((a, b) => a - b)
const sorted = (ids: number[]) => [...new Set(ids)].sort((a, b) => a - b)

describe('一通报两约谈', () => {
  it('escalates an overdue 督办 on the right working days across 国庆 and its 调休', async () => {
    const c = await demoCounty(shanghaiTime(2026, 9, 20, 10), ':memory:', { ledger: false })
    const projectId = one<{ id: number }>(c.sqlite, 'select id from projects order by id limit 1 offset 3').id
    const dueOn = replyDueDate('2026-09-30', cal)
    expect(dueOn).toBe('2026-10-10') // 3 working days after 30 Sep: 8, 9 and 10 Oct (1–7 Oct are off)
    const [sv] = await c.db
      .insert(supervisions)
      .values({ projectId, matter: '施工用电线路接入', issuedAt: shanghaiTime(2026, 9, 30, 10).getTime(), dueOn })
      .returning()
    await twiceDaily(c, shanghaiTime(2026, 9, 30), 40)

    const notices = [1, 2, 3].map((n) => outboxRows(c, `notice:sv:${sv!.id}:${n}:`))
    // 10 Oct (Sat, make-up day) is still in time; Sun 11 is off; the first 通报 is Mon 12 Oct 09:00,
    // then every 5 working days: 19 Oct, 26 Oct.
    expect(notices.map((rows) => new Set(rows.map((r) => r.createdAt)))).toEqual([
      new Set([shanghaiTime(2026, 10, 12, 9).getTime()]),
      new Set([shanghaiTime(2026, 10, 19, 9).getTime()]),
      new Set([shanghaiTime(2026, 10, 26, 9).getTime()]),
    ])
    expect(outboxRows(c, `notice:sv:${sv!.id}:4:`)).toHaveLength(0)
    expect(one<{ notice_count: number }>(c.sqlite, 'select notice_count from supervisions where id = ?', sv!.id).notice_count).toBe(3)

    // 1st to the unit head and the contacts; 2nd also to the 分管领导; 3rd also to the 县长.
    const p = people(c, projectId)
    expect(addressesOf(notices[0]!)).toEqual(sorted([p.head, ...p.contacts]))
    expect(addressesOf(notices[1]!)).toEqual(sorted([p.head, ...p.contacts, p.leader]))
    expect(addressesOf(notices[2]!)).toEqual(sorted([p.head, ...p.contacts, p.leader, p.mayor]))
    const card = (notices[1]![0]!.body as { card: Card }).card
    expect(card.title).toBe(`第 2 次通报 · 督办 D${sv!.id} 逾期未办结`)
    expect(JSON.stringify(card)).toContain('请县政府分管领导约谈')
    const overdue = card.elements[0]!
    expect(overdue.kind === 'fields' && overdue.fields.find((f) => f.label === '已逾期')!.value).toBe('6 个工作日') // 12–16 and 19 Oct
  }, 60_000)

  it('stops once the item is answered: not on an incomplete 复函, on a complete one (through the bot)', async () => {
    const h = await harness() // Thu 26 Nov 2026
    try {
      const leader = h.as('leader', { title: '县长' })
      const project = one<{ id: number; code: string; unit_id: number }>(h.sqlite, 'select id, code, unit_id from projects order by id limit 1')
      const r = await leader.send(`督办 ${project.code} 土地征收`)
      const id = Number(/（D(\d+)）/.exec(r.all)![1]) // due Tue 1 Dec
      const head = h.as(
        h.people.find((p) => p.id === one<{ h: number }>(h.sqlite, 'select head_person_id h from units where id = ?', project.unit_id).h)!,
      )
      const tick = (d: Date) => runTick(h.db, d)
      const noticesOf = (n: number) => all<{ key: string }>(h.sqlite, 'select key from outbox where key like ?', `notice:sv:${id}:${n}:%`)
      await tick(shanghaiTime(2026, 12, 2, 9, 1))
      expect(noticesOf(1).length).toBeGreaterThan(0)
      // An incomplete 复函 changes nothing: the 2nd 通报 comes five working days later (Wed 9 Dec).
      h.at(shanghaiTime(2026, 12, 3, 10))
      expect((await head.send(`复函 D${id} 解决办法：加快征收补偿谈判`)).all).toContain('还缺')
      await tick(shanghaiTime(2026, 12, 9, 9, 1))
      expect(noticesOf(2).length).toBeGreaterThan(0)
      // A complete one stops them.
      h.at(shanghaiTime(2026, 12, 10, 10))
      const full = `复函 D${id} 解决办法：加快征收补偿谈判 责任单位：县自然资源局 责任领导：分管副县长 责任人：局长 解决时限：12月31日前`
      expect((await head.send(full)).all).toContain(`已复函督办 D${id}`)
      for (let d = 11; d <= 31; d++) await tick(shanghaiTime(2026, 12, d, 9, 1))
      expect(noticesOf(3)).toHaveLength(0)
    } finally {
      h.close()
    }
  }, 60_000)

  it('a 退回 restarts the clock: the next 通报 comes only after the new reply date', async () => {
    const h = await harness() // Thu 26 Nov 2026
    try {
      const leader = h.as('leader', { title: '县长' })
      const project = one<{ code: string; unit_id: number }>(h.sqlite, 'select code, unit_id from projects order by id limit 1 offset 2')
      const id = Number(/（D(\d+)）/.exec((await leader.send(`督办 ${project.code} 施工许可办理`)).all)![1]) // due Tue 1 Dec
      const head = h.as(
        h.people.find((p) => p.id === one<{ h: number }>(h.sqlite, 'select head_person_id h from units where id = ?', project.unit_id).h)!,
      )
      const noticesOf = (n: number) =>
        all<{ created_at: number }>(h.sqlite, 'select created_at from outbox where key like ?', `notice:sv:${id}:${n}:%`)
      await runTick(h.db, shanghaiTime(2026, 12, 2, 9, 1))
      expect(noticesOf(1).length).toBeGreaterThan(0)
      h.at(shanghaiTime(2026, 12, 3, 10))
      await head.send(`复函 D${id} 解决办法：并联审批 责任单位：县行政审批局 责任领导：分管副县长 责任人：局长 解决时限：12月20日前`)
      // 退回 on Thu 10 Dec: the new 复函 is due Tue 15 Dec; nothing before Wed 16 Dec.
      h.at(shanghaiTime(2026, 12, 10, 10))
      expect((await leader.send(`退回 D${id} 解决时限过长`)).all).toContain('时限 12月15日')
      for (let d = 10; d <= 15; d++) await runTick(h.db, shanghaiTime(2026, 12, d, 9, 1))
      expect(noticesOf(2)).toHaveLength(0)
      await runTick(h.db, shanghaiTime(2026, 12, 16, 9, 1))
      expect(new Set(noticesOf(2).map((r) => r.created_at))).toEqual(new Set([shanghaiTime(2026, 12, 16, 9, 1).getTime()]))
    } finally {
      h.close()
    }
  }, 60_000)

  it('counts a ledger problem across the Spring Festival, make-up Saturdays included', async () => {
    const c = await demoCounty(shanghaiTime(2026, 2, 10, 10), ':memory:', { ledger: false })
    const project = one<{ id: number; unit_id: number; leader_person_id: number }>(c.sqlite, 'select * from projects order by id limit 1 offset 5')
    const assignee = one<{ id: number; head_person_id: number }>(c.sqlite, `select * from units where name = '县自然资源局'`)
    const [pb] = await c.db
      .insert(problems)
      .values({
        projectId: project.id,
        description: '林地手续未批',
        state: 'assigned',
        assigneeUnitId: assignee.id,
        leaderPersonId: project.leader_person_id,
        dueOn: '2026-02-13',
        createdAt: shanghaiTime(2026, 2, 2, 10).getTime(),
      })
      .returning()
    await twiceDaily(c, shanghaiTime(2026, 2, 10), 30)
    const times = [1, 2, 3].map((n) => [...new Set(outboxRows(c, `notice:pb:${pb!.id}:${n}:`).map((r) => r.createdAt))])
    // Sat 14 Feb and Sat 28 Feb are 春节 make-up working days; 15–23 Feb are off.
    expect(times).toEqual([
      [shanghaiTime(2026, 2, 14, 9).getTime()],
      [shanghaiTime(2026, 2, 28, 9).getTime()],
      [shanghaiTime(2026, 3, 6, 9).getTime()],
    ])
    // Problems go to the assignee unit's head; the 2nd adds the 分管领导, the 3rd the 县长.
    const mayor = one<{ id: number }>(c.sqlite, `select id from people where title = '县长'`).id
    expect(addressesOf(outboxRows(c, `notice:pb:${pb!.id}:1:`))).toEqual([assignee.head_person_id])
    expect(addressesOf(outboxRows(c, `notice:pb:${pb!.id}:3:`))).toEqual(sorted([assignee.head_person_id, project.leader_person_id, mayor]))
  }, 60_000)
})
