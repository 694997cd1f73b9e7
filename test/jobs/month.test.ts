/**
 * A month of the dispatch clock, ticking every 15 minutes from 20 November to 3 December 2026 over the demo
 * county, with contacts reporting in batches between ticks. November 2026: the round opens Wed 25th 09:00;
 * the 28th is a Saturday, so the deadline is Mon 30th 18:00 (顺延); it closes Tue 1 Dec 18:00.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { all, demoCounty, one, outboxRows, report, tickThrough, type County } from './helpers.ts'
import { shanghaiParts, shanghaiTime } from '../../src/domain/time.ts'
import type { TickReport } from '../../src/jobs/tick.ts'
import type { Card } from '../../src/model/index.ts'

let c: County
let reports: TickReport[]
const projects: number[] = []
const contactsOf = new Map<number, number[]>()
const batch1: number[] = [] // report on 26 Nov, before any reminder
const batch2: number[] = [] // report on 30 Nov 12:00, after the deadline-day reminder
const batch3: number[] = [] // report on 1 Dec 10:00, late but before the close
const never: number[] = []
const weeklyReported: number[] = []
const counts = () => one<{ n: number }>(c.sqlite, 'select count(*) n from outbox').n

const at = (m: number, d: number, h = 0, min = 0) => shanghaiTime(2026, m, d, h, min)
const idsOf = (prefix: string, re: RegExp) =>
  all<{ key: string }>(c.sqlite, `select key from outbox where key like ?`, `${prefix}%`).map((r) => Number(re.exec(r.key)![1]))

beforeAll(async () => {
  c = await demoCounty(at(11, 20, 10))
  for (const r of all<{ id: number }>(c.sqlite, 'select id from projects where active = 1 and year = 2026 order by id')) projects.push(r.id)
  for (const r of all<{ project_id: number; person_id: number }>(c.sqlite, 'select project_id, person_id from project_contacts'))
    contactsOf.set(r.project_id, [...(contactsOf.get(r.project_id) ?? []), r.person_id])
  const n = projects.length
  batch1.push(...projects.slice(0, Math.floor(n * 0.4)))
  batch2.push(...projects.slice(batch1.length, batch1.length + Math.floor(n * 0.3)))
  batch3.push(...projects.slice(batch1.length + batch2.length, batch1.length + batch2.length + 5))
  never.push(...projects.filter((p) => !batch1.includes(p) && !batch2.includes(p) && !batch3.includes(p)))

  const roundId = (kind: string, period: string) =>
    one<{ id: number }>(c.sqlite, 'select id from rounds where kind = ? and period = ?', kind, period).id
  reports = await tickThrough(c, at(11, 20, 10), at(12, 3), 15, async (t) => {
    const ms = t.getTime()
    if (ms === at(11, 23, 11).getTime()) {
      const weekly = all<{ id: number }>(c.sqlite, 'select id from projects where weekly = 1 order by id').map((r) => r.id)
      weeklyReported.push(...weekly.filter((_, i) => i % 2 === 0))
      for (const p of weeklyReported) await report(c, roundId('weekly', '2026-W48'), p, t)
    }
    if (ms === at(11, 26, 10).getTime()) for (const p of batch1) await report(c, roundId('monthly', '2026-11'), p, t)
    if (ms === at(11, 30, 12).getTime()) for (const p of batch2) await report(c, roundId('monthly', '2026-11'), p, t)
    if (ms === at(12, 1, 10).getTime()) for (const p of batch3) await report(c, roundId('monthly', '2026-11'), p, t)
  })
}, 60_000)

describe('a month of dispatch', () => {
  it('opens the round on the 25th and gives every contact exactly one prompt per project', () => {
    const rows = outboxRows(c, 'open:monthly:2026-11:')
    const pairs = rows.map((r) => /:p(\d+):u(\d+)$/.exec(r.key)!.slice(1).join('/'))
    const expected = projects.flatMap((p) => (contactsOf.get(p) ?? []).map((u) => `${p}/${u}`))
    expect(new Set(pairs)).toEqual(new Set(expected))
    expect(rows).toHaveLength(expected.length)
    expect(new Set(rows.map((r) => r.createdAt))).toEqual(new Set([at(11, 25, 9).getTime()]))
    // Each prompt is the report form, prefilled with October's 本年累计.
    const card = (rows[0]!.body as { card: Card }).card
    expect(card.template).toBe('report-prompt')
    const form = card.elements.find((e) => e.kind === 'form')!
    expect(form.kind === 'form' && form.inputs.find((i) => i.name === 'ytd')!.initial).toBeTruthy()
    const round = one<{ opens_at: number; deadline_at: number }>(c.sqlite, `select * from rounds where kind = 'monthly' and period = '2026-11'`)
    expect([round.opens_at, round.deadline_at]).toEqual([at(11, 25, 9).getTime(), at(11, 30, 18).getTime()])
  })

  it('reminds only the projects not reported yet, before and on the deadline day', () => {
    const before = idsOf('remind:before:monthly:2026-11:', /:p(\d+):/)
    expect(new Set(before)).toEqual(new Set(projects.filter((p) => !batch1.includes(p))))
    const deadline = idsOf('remind:deadline:monthly:2026-11:', /:p(\d+):/)
    expect(new Set(deadline)).toEqual(new Set(projects.filter((p) => !batch1.includes(p))))
    expect(outboxRows(c, 'remind:before:monthly:2026-11:').every((r) => r.createdAt === at(11, 27, 9).getTime())).toBe(true)
    expect(outboxRows(c, 'remind:deadline:monthly:2026-11:').every((r) => r.createdAt === at(11, 30, 9).getTime())).toBe(true)
    const kinds = all<{ kind: string; n: number }>(
      c.sqlite,
      `select m.kind, count(*) n from reminders m join rounds r on r.id = m.round_id where r.period = '2026-11' group by m.kind order by m.kind`,
    )
    // A courtesy reminder is one row per contact (some projects have two); the overdue 催办 one per project.
    const late = projects.filter((p) => !batch1.includes(p)).reduce((n, p) => n + (contactsOf.get(p)?.length ?? 0), 0)
    expect(Object.fromEntries(kinds.map((k) => [k.kind, k.n]))).toEqual({ before: late, deadline: late, overdue: never.length + batch3.length })
  })

  it('counts one overdue 催办 per late project and tells each unit head once', () => {
    const lateProjects = [...batch3, ...never]
    expect(new Set(idsOf('overdue:monthly:2026-11:', /:p(\d+):/))).toEqual(new Set(lateProjects))
    const urges = all<{ project_id: number; n: number }>(
      c.sqlite,
      `select project_id, count(*) n from reminders m join rounds r on r.id = m.round_id where r.period = '2026-11' and m.kind = 'overdue' group by project_id`,
    )
    expect(urges.every((u) => u.n === 1)).toBe(true)
    expect(new Set(urges.map((u) => u.project_id))).toEqual(new Set(lateProjects))
    const heads = outboxRows(c, 'overdue-head:monthly:2026-11:')
    const lateUnits = all<{ unit_id: number }>(c.sqlite, `select distinct unit_id from projects where id in (${lateProjects.join(',')})`)
    expect(heads).toHaveLength(lateUnits.length)
    expect(heads.every((h) => h.createdAt === at(11, 30, 19).getTime())).toBe(true)
    // One missing-report 催办 per late project, however many contacts it has (they count toward the card only
    // when the rules say so: lingchuan counts the 催办 for lag).
    const missing = all<{ project_id: number; n: number }>(
      c.sqlite,
      `select project_id, count(*) n from urges u join rounds r on r.id = u.round_id where r.kind = 'monthly' and u.period = '2026-11' and u.kind = 'missing' group by project_id`,
    )
    expect(missing.every((u) => u.n === 1)).toBe(true)
    expect(new Set(missing.map((u) => u.project_id))).toEqual(new Set(lateProjects))
  })

  it('closes and settles the month, then posts one board per board group with the laggards @-mentioned', () => {
    const round = one<{ closed_at: number }>(c.sqlite, `select closed_at from rounds where kind = 'monthly' and period = '2026-11'`)
    expect(round.closed_at).toBe(at(12, 1, 18).getTime())
    expect(one<{ n: number }>(c.sqlite, `select count(*) n from project_colours where period = '2026-11'`).n).toBe(projects.length)
    expect(
      one<{ n: number }>(c.sqlite, `select count(*) n from board_snapshots where kind = 'monthly' and league = 'all' and period = '2026-11'`).n,
    ).toBe(1)
    const boards = outboxRows(c, 'board:monthly:2026-11:')
    expect(boards.map((b) => b.address).sort()).toEqual(c.boardGroupIds.map((g) => `group:${g}`).sort())
    const card = (boards[0]!.body as { card: Card }).card
    const mentions = card.elements.find((e) => e.kind === 'mentions')
    const expected = new Set(never.flatMap((p) => contactsOf.get(p) ?? []))
    expect(mentions?.kind === 'mentions' && new Set(mentions.people.map((p) => p.personId))).toEqual(expected)
    // The 通报 went to each leader and each board group once (issue 16: the groups too).
    const leaders = all<{ id: number }>(c.sqlite, `select id from people where roles like '%leader%'`)
    expect(
      outboxRows(c, 'bulletin:2026-11:')
        .map((r) => r.address)
        .sort(),
    ).toEqual([...leaders.map((l) => `person:${l.id}`), ...c.boardGroupIds.map((g) => `group:${g}`)].sort())
  })

  it('runs the weekly round for key projects and posts the Friday board to each board group once', () => {
    const weekly = all<{ id: number }>(c.sqlite, 'select id from projects where weekly = 1').map((r) => r.id)
    expect(new Set(idsOf('open:weekly:2026-W48:', /:p(\d+):/))).toEqual(new Set(weekly))
    expect(new Set(idsOf('overdue:weekly:2026-W48:', /:p(\d+):/))).toEqual(new Set(weekly.filter((p) => !weeklyReported.includes(p))))
    for (const week of ['2026-W47', '2026-W48']) {
      const rows = outboxRows(c, `board:weekly:${week}:`)
      expect(rows.map((r) => r.address).sort()).toEqual(c.boardGroupIds.map((g) => `group:${g}`).sort())
    }
    expect(outboxRows(c, 'board:weekly:2026-W48:')[0]!.createdAt).toBe(at(11, 27, 17).getTime())
    expect(outboxRows(c).some((r) => r.address === `group:${c.quietGroupId}`)).toBe(false)
  })

  it('never queues anything in the quiet hours', () => {
    for (const r of outboxRows(c)) {
      const p = shanghaiParts(new Date(r.createdAt))
      const m = p.hour * 60 + p.minute
      expect(m >= 7 * 60 + 30 && m < 22 * 60).toBe(true)
    }
  })

  it('sends nothing more when every tick is run again', async () => {
    const before = counts()
    const reminders = one<{ n: number }>(c.sqlite, 'select count(*) n from reminders').n
    const notices = one<{ n: number }>(c.sqlite, 'select sum(notice_count) n from problems').n
    const again = await tickThrough(c, at(11, 20, 10), at(12, 3), 15)
    expect(again).toEqual([])
    expect(counts()).toBe(before)
    expect(one<{ n: number }>(c.sqlite, 'select count(*) n from reminders').n).toBe(reminders)
    expect(one<{ n: number }>(c.sqlite, 'select sum(notice_count) n from problems').n).toBe(notices)
    expect(reports.every((r) => r.queued === r.messages)).toBe(true)
  }, 30_000)
})
