/** Issue 12: every card tells the truth — 已阅, the round's calendar, typed labels, corrections, refusals, misunderstandings. */
import { afterEach, describe, expect, it } from 'vitest'
import { and, eq } from 'drizzle-orm'
import { harness, promptForm } from '../harness.ts'
import { auditLog, reminders, reports, rounds } from '../../src/store/schema.ts'
import { projectsOfContact } from '../../src/store/repos/projects.ts'
import { shanghaiTime } from '../../src/domain/time.ts'

let h: Awaited<ReturnType<typeof harness>>
afterEach(() => h.close())

const reportsOf = async (period: string, projectId: number) =>
  h.db.select({ r: reports }).from(reports).innerJoin(rounds, eq(rounds.id, reports.roundId)).where(and(eq(rounds.period, period), eq(reports.projectId, projectId))).all()

describe('item 4: the round’s calendar in chat', () => {
  it('on 2 December 填报 and 催办 say when December’s round opens, create nothing, and show the last report', async () => {
    h = await harness({ now: shanghaiTime(2026, 12, 2, 10) })
    const contact = h.as('contact', { unit: '城关镇' })
    const [project] = await projectsOfContact(h.db, contact.person.id)
    const r = await contact.send('填报')
    expect(r.cards).toHaveLength(0)
    expect(r.all).toContain('12月调度将于12月25日 09:00开始填报')
    expect(r.all).toMatch(/上次填报：2026年\d+月，本年累计 [\d,.]+ 万元/)
    const typed = await contact.send('本月完成投资100万元，本年累计9000万元')
    expect(typed.all).toContain('12月调度将于12月25日 09:00开始填报')
    expect(typed.cards).toHaveLength(0)
    expect(await h.db.select().from(rounds).where(eq(rounds.period, '2026-12')).all()).toHaveLength(0)
    expect(await reportsOf('2026-12', project!.id)).toHaveLength(0)

    const manual = async () => (await h.db.select().from(reminders).where(eq(reminders.kind, 'manual')).all()).length
    const before = await manual()
    const urged = await h.as('leader', { title: '县长' }).send('催办 城关镇')
    expect(urged.all).toContain('无需催办')
    expect(urged.all).toContain('12月调度将于12月25日 09:00开始填报')
    expect(urged.all).not.toContain('请抓紧填报')
    expect(await manual()).toBe(before)
  })

  it('the office reopens October for one project (补报, audited); its contact reports once', async () => {
    h = await harness({ now: shanghaiTime(2026, 12, 2, 10) })
    const contact = h.as('contact', { unit: '城关镇' })
    const [project] = await projectsOfContact(h.db, contact.person.id)
    expect((await contact.send(`补报 ${project!.code} 2026-10`)).all).toContain('限县重点项目办公室')
    const granted = await h.as('office').send(`补报 ${project!.code} 2026-10`)
    expect(granted.all).toContain('已为')
    expect(granted.all).toContain('2026年10月调度补报一次')
    const audit = await h.db.select().from(auditLog).where(and(eq(auditLog.entity, 'reopen'), eq(auditLog.entityId, project!.id))).all()
    expect(audit.map((a) => a.action)).toEqual(['reopen'])
    const card = (await contact.inbox()).flatMap((b) => (b.kind === 'card' && b.card.template === 'report-prompt' ? [b.card] : [])).at(-1)!
    expect(card.title).toContain('2026年10月调度')
    const form = promptForm(card)
    const before = (await reportsOf('2026-10', project!.id)).length
    const ok = await contact.click('submitReport', form.args, { ytd: String(form.prevYtdWan), progress: '补报' })
    expect(ok.result.toast?.kind).toBe('success')
    expect(await reportsOf('2026-10', project!.id)).toHaveLength(before + 1)
    const again = await contact.click('submitReport', form.args, { ytd: String(form.prevYtdWan), progress: '再改' })
    expect(again.all).toContain('已截止')
    expect(await reportsOf('2026-10', project!.id)).toHaveLength(before + 1)
  })

  it('on 25 December at 09:00 the round opens by the calendar and 填报 gives December’s card', async () => {
    h = await harness({ now: shanghaiTime(2026, 12, 25, 9, 30) })
    const r = await h.as('contact', { unit: '城关镇' }).send('填报')
    expect(r.cards[0]!.title).toContain('2026年12月调度')
  })
})
