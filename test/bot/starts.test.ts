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
import { setConfig } from '../../src/services/settings.ts'

let h: Awaited<ReturnType<typeof harness>>
afterEach(() => h.close())

const projectNamed = async (name: string) => (await h.db.select().from(projects).where(eq(projects.name, name)).get())!

/** The demo's projects as the 台账 reads them, found by what they are rather than by name. */
interface Row {
  name: string
  unit: string
  isNew: number
  plannedStart: string
  startedOn: string | null
  resumedOn: string | null
  inStats: number
}
const rows = () =>
  h.sqlite
    .prepare(
      `select p.name, u.name as unit, p.planned_new_start as isNew, p.planned_start as plannedStart, p.started_on as startedOn,
        p.resumed_on as resumedOn, p.in_stats as inStats from projects p join units u on u.id = p.unit_id order by p.id`,
    )
    .all() as Row[]
/** 计划新开工 projects that have not started (the demo has a few that do not start this year). */
const unstarted = () => rows().filter((r) => r.isNew && !r.startedOn)
const day = (d: string) => `${Number(d.slice(5, 7))}月${Number(d.slice(8, 10))}日`
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
    const target = unstarted()[0]!
    const unit = target.unit
    const oct = counts(unit, '2026-10-31')
    expect(oct.planned).toBeGreaterThan(oct.plannedStarted)

    const { project, draft, receipt } = await typedReport(
      target.name,
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
    expect(text).not.toContain(`开工率 ${points(20, oct.plannedStarted, oct.planned)}/20 分`)
  })

  it('本月已入库 moves 入库纳统率 on the next board', async () => {
    h = await harness()
    const target = rows().find((r) => r.startedOn && !r.inStats)!
    const unit = target.unit
    const oct = counts(unit, '2026-10-31')
    expect(oct.started).toBeGreaterThan(oct.inStats)
    const { project, receipt } = await typedReport(
      target.name,
      (prev) => `本月完成投资200万元，本年累计${prev + 200}万元，管网铺设，本月已入库，无问题`,
    )
    expect(cardText(receipt)).toContain('入库纳统：11月26日入库纳统')
    expect(await projectNamed(project.name)).toMatchObject({ inStats: true, statsOn: '2026-11-26' })
    await closeNovember()
    const nov = counts(unit, '2026-11-30')
    expect(nov.inStats).toBe(oct.inStats + 1)
    const text = await partsOf(unit)
    expect(text).toContain(`入库纳统率 ${points(15, nov.inStats, nov.started)}/15 分`)
    expect(text).not.toContain(`入库纳统率 ${points(15, oct.inStats, oct.started)}/15 分`)
  })

  it('a correction that takes the start back reverts the project, and the form carries 开复工 too', async () => {
    h = await harness()
    const { project, contact } = await typedReport(
      unstarted()[0]!.name,
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
    const project = await projectNamed(rows().find((r) => !r.isNew)!.name)
    const before = project.startedOn
    await typedReport(project.name, (prev) => `本月完成投资100万元，本年累计${prev + 100}万元，设备安装，无问题`)
    expect((await projectNamed(project.name)).startedOn).toBe(before)
    void units
  })
})

describe('「开复工」 and the quarter-end check', () => {
  it('「开复工」 shows the 台账 against the targets; a unit head sees their unit', async () => {
    h = await harness()
    const county = cardText((await h.as('leader', { title: '县长' }).send('开复工')).cards[0]!)
    expect(county).toContain('重点项目开复工台账')
    expect(county).toContain('一季度续建项目全部复工')
    expect(county).toContain('一季度新建项目开工50%以上')
    const behind = unstarted()[0]!
    expect(county).toContain(`${behind.name} ${behind.unit} 新建 ${day(behind.plannedStart)} 未开工`)
    // A unit head sees their own unit: a new project with its 开工 and a continuing one with its 复工, as reported.
    const all = rows()
    const started = all.find((r) => r.isNew && r.startedOn && all.some((c) => c.unit === r.unit && !c.isNew))!
    const continuing = all.find((c) => c.unit === started.unit && !c.isNew)!
    const other = h.units.find((u) => u.league === '乡镇' && u.name !== started.unit)!.name
    const head = h.people.find((p) => (p.roles as string[]).includes('unit_head') && h.units.find((u) => u.id === p.unitId)?.name === started.unit)!
    const own = cardText((await h.as(head).send('开复工台账')).cards[0]!)
    expect(own).toContain(`${started.unit}重点项目开复工台账`)
    expect(own).not.toContain(other)
    expect(own).toContain(`${started.name} ${started.unit} 新建 ${day(started.plannedStart)} ${day(started.startedOn!)}开工`)
    expect(own).toMatch(new RegExp(`${continuing.name.replace(/[()（）]/g, '.')} ${continuing.unit} 续建 \\S+ ${day(continuing.resumedOn!)}复工`))
  })

  it('after the quarter’s last round closes, the leaders get the check naming who is behind', async () => {
    h = await harness({ now: shanghaiTime(2026, 12, 25, 9, 1) })
    await runTick(h.db, h.now)
    const [starting, stillBehind] = unstarted()
    await typedReport(starting!.name, (prev) => `本月完成投资300万元，本年累计${prev + 300}万元，已于12月3日开工，无问题`)
    await typedReport(rows().find((r) => !r.isNew)!.name, (prev) => `本月完成投资100万元，本年累计${prev + 100}万元，设备安装，3月2日复工，无问题`)
    for (const at of [shanghaiTime(2026, 12, 29, 18, 5), shanghaiTime(2026, 12, 29, 18, 30)]) {
      h.at(at)
      await runTick(h.db, at)
    }
    const leader = h.as('leader', { title: '县长' })
    const checks = (await leader.inbox()).flatMap((b) => (b.kind === 'card' && b.card.template === 'starts-check' ? [b.card] : []))
    expect(checks).toHaveLength(1)
    const text = cardText(checks[0]!)
    expect(text).toContain('2026年全年示例县重点项目开复工检查')
    expect(text).toMatch(/❌ 三季度新建项目全部开工：已开工 \d+\/\d+/)
    expect(text).toContain(`${stillBehind!.name} ${stillBehind!.unit} 新建 ${day(stillBehind!.plannedStart)}`)
    expect(text).not.toContain(starting!.name)
    // a second tick sends nothing twice
    await runTick(h.db, shanghaiTime(2026, 12, 29, 19, 0))
    expect((await leader.inbox()).filter((b) => b.kind === 'card' && b.card.template === 'starts-check')).toHaveLength(1)
  })

  it('with the county-2023 preset the check is the year’s 开工率 83 %', async () => {
    h = await harness({ now: shanghaiTime(2026, 12, 25, 9, 1) })
    const set = await setConfig(h.db, h.transact, 'dispatch.starts.targets', 'county2023', { now: h.now })
    void set
    for (const at of [shanghaiTime(2026, 12, 25, 9, 1), shanghaiTime(2026, 12, 29, 18, 5), shanghaiTime(2026, 12, 29, 18, 30)]) {
      h.at(at)
      await runTick(h.db, at)
    }
    const check = (await h.as('leader', { title: '县长' }).inbox()).flatMap((b) =>
      b.kind === 'card' && b.card.template === 'starts-check' ? [b.card] : [],
    )
    const text = cardText(check[0]!)
    expect(text).toMatch(/全年重点工程开工率83%以上：已开工 \d+\/\d+（[\d.]+%），(已达标|未达标)/)
    expect(text).not.toContain('续建项目全部复工')
  })
})
