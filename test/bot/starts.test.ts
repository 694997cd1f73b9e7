/**
 * Issue 16 item 4: 开工 / 复工 and 入库纳统 said in a report move 开工率 and 入库纳统率 on the next board; a correction
 * that takes them back reverts the project. Everything goes through the bot (typed replies, card forms) and the clock.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { cardText, harness, promptForm, type Person } from '../harness.ts'
import { projects, units } from '../../src/store/schema.ts'
import { runTick } from '../../src/jobs/tick.ts'
import { shanghaiTime } from '../../src/domain/time.ts'

let h: Awaited<ReturnType<typeof harness>>
afterEach(() => h.close())

const projectNamed = async (name: string) => (await h.db.select().from(projects).where(eq(projects.name, name)).get())!
const contactOf = (projectId: number): Person => {
  const row = h.sqlite.prepare('select person_id as id from project_contacts where project_id = ? order by person_id').get(projectId) as {
    id: number
  }
  return h.people.find((p) => p.id === row.id)!
}

/** Types a report for one project as its contact (picking the project when they have several) and confirms it. */
async function typedReport(projectName: string, text: (prevYtdWan: number) => string) {
  const project = await projectNamed(projectName)
  const contact = h.as(contactOf(project.id))
  const prompt = (await contact.send(`填报 ${project.name}`)).cards.find((c) => c.template === 'report-prompt')!
  const said = await contact.send(text(promptForm(prompt).prevYtdWan))
  const draft = said.cards.find((c) => c.template === 'report-confirm') ?? (await contact.send(project.name)).cards[0]!
  expect(draft.template).toBe('report-confirm')
  const done = await contact.send('确认')
  expect(done.cards.map((c) => c.template)).toContain('receipt')
  return { project, contact, draft, receipt: done.cards.find((c) => c.template === 'receipt')! }
}

/** The November round closes (24 h after the deadline of Monday 30 November) and its board is published. */
async function closeNovember() {
  for (const at of [shanghaiTime(2026, 12, 1, 18, 5), shanghaiTime(2026, 12, 1, 19, 0)]) {
    h.at(at)
    await runTick(h.db, at)
  }
}

/** 「查 单位」 as the 县长: the unit's score parts on the latest published board, e.g. 「开工率 10/20 分」. */
async function partsOf(unit: string): Promise<string> {
  const card = (await h.as('leader', { title: '县长' }).send(`查 ${unit}`)).cards[0]!
  return cardText(card)
}

/** A unit's counts as the board counts them for a month (read only). */
function counts(unitName: string, end: string) {
  return h.sqlite
    .prepare(
      `select sum(p.planned_new_start) as planned,
        sum(p.planned_new_start and coalesce(p.started_on <= @end, 0)) as plannedStarted,
        sum(coalesce(p.started_on <= @end, 0) or coalesce(p.resumed_on <= @end, 0)) as started,
        sum((coalesce(p.started_on <= @end, 0) or coalesce(p.resumed_on <= @end, 0)) and p.in_stats and coalesce(p.stats_on <= @end, 1)) as inStats
      from projects p join units u on u.id = p.unit_id where u.name = @unit and p.active = 1 and p.year = 2026`,
    )
    .get({ unit: unitName, end }) as { planned: number; plannedStarted: number; started: number; inStats: number }
}
const points = (weight: number, actual: number, target: number) => (target ? (weight * actual) / target : weight).toFixed(2)

describe('开工 / 复工 and 入库 reported in chat', () => {
  it('a start typed in a report moves 开工率 on the next board', async () => {
    h = await harness()
    const unit = '城东镇'
    const oct = counts(unit, '2026-10-31')
    expect(oct.planned).toBeGreaterThan(oct.plannedStarted)
    expect(await partsOf(unit)).toContain(`开工率 ${points(20, oct.plannedStarted, oct.planned)}/20 分`)

    const { project, draft, receipt } = await typedReport(
      '城东镇国道改线工程',
      (prev) => `本月完成投资300万元，本年累计${prev + 300}万元，路基施工，已于11月20日开工，无问题`,
    )
    expect(cardText(draft)).toContain('开复工：11月20日开工')
    expect(cardText(receipt)).toContain('开复工：11月20日开工')
    expect(await projectNamed(project.name)).toMatchObject({ startedOn: '2026-11-20' })

    await closeNovember()
    const nov = counts(unit, '2026-11-30')
    expect(nov.plannedStarted).toBe(oct.plannedStarted + 1)
    const text = await partsOf(unit)
    expect(text).toContain('2026年11月')
    expect(text).toContain(`开工率 ${points(20, nov.plannedStarted, nov.planned)}/20 分`)
  })

  it('本月已入库 moves 入库纳统率 on the next board', async () => {
    h = await harness()
    const unit = '城东镇'
    const oct = counts(unit, '2026-10-31')
    expect(oct.started).toBeGreaterThan(oct.inStats)
    expect(await partsOf(unit)).toContain(`入库纳统率 ${points(15, oct.inStats, oct.started)}/15 分`)
    const { project, receipt } = await typedReport(
      '城东镇煤层气综合利用项目',
      (prev) => `本月完成投资200万元，本年累计${prev + 200}万元，管网铺设，本月已入库，无问题`,
    )
    expect(cardText(receipt)).toContain('入库纳统：11月26日入库纳统')
    expect(await projectNamed(project.name)).toMatchObject({ inStats: true, statsOn: '2026-11-26' })
    await closeNovember()
    const nov = counts(unit, '2026-11-30')
    expect(nov.inStats).toBe(oct.inStats + 1)
    expect(await partsOf(unit)).toContain(`入库纳统率 ${points(15, nov.inStats, nov.started)}/15 分`)
  })

  it('a correction that takes the start back reverts the project, and the form carries 开复工 too', async () => {
    h = await harness()
    const { project, contact } = await typedReport(
      '城东镇国道改线工程',
      (prev) => `本月完成投资300万元，本年累计${prev + 300}万元，已于11月20日开工，无问题`,
    )
    expect((await projectNamed(project.name)).startedOn).toBe('2026-11-20')
    await contact.send('尚未开工')
    const corrected = await contact.send(project.name)
    expect(cardText(corrected.cards[0]!)).toContain('开复工：11月20日开工 → —')
    await contact.send('确认')
    expect((await projectNamed(project.name)).startedOn).toBeNull()

    // The form: 已复工 picked with a typed date
    const prompt = (await contact.send(`填报 ${project.name}`)).cards[0]!
    const form = promptForm(prompt)
    expect(form.inputs.find((i) => i.name === 'start')?.initial).toBe('none')
    const r = await contact.click('submitReport', form.args, {
      ytd: String(form.prevYtdWan),
      start: 'started',
      startedOn: '2026-11-18',
      stats: 'in',
      statsOn: '11月19日',
    })
    expect(r.all).toContain('已修改')
    expect(await projectNamed(project.name)).toMatchObject({ startedOn: '2026-11-18', inStats: true, statsOn: '2026-11-19' })
    // a date after the period is refused with the reason, nothing stored
    const late = await contact.click('submitReport', form.args, { ytd: String(form.prevYtdWan), start: 'started', startedOn: '2026-12-05' })
    expect(late.all).toContain('开工日期 2026-12-05 晚于本期')
    expect((await projectNamed(project.name)).startedOn).toBe('2026-11-18')
  })

  it('a start in the project list stays when a report that never mentioned it is corrected', async () => {
    h = await harness()
    const project = await projectNamed('城东镇精细化工技改项目')
    const before = project.startedOn
    await typedReport(project.name, (prev) => `本月完成投资100万元，本年累计${prev + 100}万元，设备安装，无问题`)
    expect((await projectNamed(project.name)).startedOn).toBe(before)
    void units
  })
})
