/**
 * A 复函 left undecided: the 督办's issuer is reminded to 办结 or 退回 it two working days after it came in and
 * every five working days after that (dispatch.escalation), with his own card, whose 办结 acts; a decision
 * stops the reminders, and a new 复函 after 退回 starts them again.
 */
import { describe, expect, it } from 'vitest'
import { all, one } from './helpers.ts'
import { cardText, harness } from '../harness.ts'
import { runTick } from '../../src/jobs/tick.ts'
import { shanghaiTime } from '../../src/domain/time.ts'
import type { Card } from '../../src/model/index.ts'

const FULL = '解决办法：加快征收补偿谈判 责任单位：县自然资源局 责任领导：分管副县长 责任人：局长 解决时限：12月31日前'

async function replied() {
  const h = await harness() // Thu 26 Nov 2026
  const leader = h.as('leader', { title: '县长' })
  const project = one<{ code: string; unit_id: number }>(h.sqlite, 'select code, unit_id from projects order by id limit 1 offset 1')
  const id = Number(/（D(\d+)）/.exec((await leader.send(`督办 ${project.code} 土地征收`)).all)![1])
  const head = h.as(
    h.people.find((p) => p.id === one<{ h: number }>(h.sqlite, 'select head_person_id h from units where id = ?', project.unit_id).h)!,
  )
  h.at(shanghaiTime(2026, 11, 27, 10)) // Fri
  expect((await head.send(`复函 D${id} ${FULL}`)).all).toContain(`已复函督办 D${id}`)
  const reminders = (n?: number) =>
    all<{ address: string; created_at: number; body: string }>(
      h.sqlite,
      'select address, created_at, body from outbox where key like ? order by id',
      `decide:${id}:%${n === undefined ? '' : `:${n}:u%`}`,
    )
  return { h, leader, head, id, reminders }
}

describe('复函待审核 reminders', () => {
  it('reminds the issuer on the 2nd working day and every 5th after, with a card whose 办结 acts; 办结 stops them', async () => {
    const { h, leader, id, reminders } = await replied()
    try {
      // Fri 27 Nov + 2 working days = Tue 1 Dec 09:00 (the weekend does not count).
      await runTick(h.db, shanghaiTime(2026, 11, 30, 9, 1))
      expect(reminders()).toHaveLength(0)
      await runTick(h.db, shanghaiTime(2026, 12, 1, 9, 1))
      await runTick(h.db, shanghaiTime(2026, 12, 1, 15))
      const first = reminders(1)
      expect(first.map((r) => r.address)).toEqual([`person:${leader.person.id}`])
      const card = (JSON.parse(first[0]!.body) as { card: Card }).card
      expect(card.subject).toBe(`supervision:${id}`)
      expect(card.subtitle).toBe('复函待审核 · 第 1 次提醒')
      expect(JSON.stringify(card)).toContain('11月27日 已提交，2 个工作日未办结或退回')
      expect(cardText(card)).toContain('责任单位：县自然资源局')

      // Nothing more until five working days later: Tue 8 Dec.
      for (let d = 2; d <= 7; d++) await runTick(h.db, shanghaiTime(2026, 12, d, 9, 1))
      expect(reminders()).toHaveLength(1)
      await runTick(h.db, shanghaiTime(2026, 12, 8, 9, 1))
      expect(reminders(2)).toHaveLength(1)

      // The card's own 办结 button closes it; no 3rd reminder follows.
      h.at(shanghaiTime(2026, 12, 9, 10))
      const button = (JSON.parse(reminders(2)[0]!.body) as { card: Card }).card.elements
        .flatMap((e) => (e.kind === 'actions' ? e.buttons : []))
        .find((b) => b.label === '办结')!
      expect((await leader.click(button.command, button.args ?? {})).all).toContain(`D${id}`)
      expect(one<{ state: string }>(h.sqlite, 'select state from supervisions where id = ?', id).state).toBe('closed')
      for (let d = 9; d <= 31; d++) await runTick(h.db, shanghaiTime(2026, 12, d, 9, 1))
      expect(reminders()).toHaveLength(2)
    } finally {
      h.close()
    }
  }, 60_000)

  it('a 退回 stops them, and the new 复函 starts its own count', async () => {
    const { h, leader, head, id, reminders } = await replied()
    try {
      h.at(shanghaiTime(2026, 11, 30, 10)) // Mon: sent back before any reminder
      expect((await leader.send(`退回 D${id} 解决时限过长`)).all).toContain(`D${id}`)
      for (let d = 1; d <= 3; d++) await runTick(h.db, shanghaiTime(2026, 12, d, 9, 1))
      expect(reminders()).toHaveLength(0)
      h.at(shanghaiTime(2026, 12, 3, 11)) // Thu: answered again
      expect((await head.send(`复函 D${id} ${FULL.replace('12月31日前', '12月15日前')}`)).all).toContain(`已复函督办 D${id}`)
      await runTick(h.db, shanghaiTime(2026, 12, 4, 9, 1))
      expect(reminders()).toHaveLength(0)
      await runTick(h.db, shanghaiTime(2026, 12, 7, 9, 1)) // Thu 3 Dec + 2 working days = Mon 7 Dec
      expect(reminders(1)).toHaveLength(1)
      expect(JSON.parse(reminders(1)[0]!.body).card.elements[0].text).toContain('12月3日 已提交')
    } finally {
      h.close()
    }
  }, 60_000)
})
