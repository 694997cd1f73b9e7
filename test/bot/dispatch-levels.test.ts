/**
 * Issue 16 items 2–3: a problem 交办 with 五到位 (county-2023: 责任单位、责任领导、责任人、解决方案、解决时限), 一般 or
 * 重大 (a 重大 one gets the longer deadline); then 四级调度 (qinshui-2024): 提级 from the office to the 分管副县长, the
 * 常务副县长 and the 县长, each told with the history, each with 「我的调度清单」.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { and, eq } from 'drizzle-orm'
import { cardText, harness, promptForm } from '../harness.ts'
import { people, problems, projects } from '../../src/store/schema.ts'
import { projectsOfContact } from '../../src/store/repos/projects.ts'
import { createWorkdayCalendar } from '../../src/domain/workdays.ts'
import { importWorkbook } from '../../src/services/workbook/index.ts'
import { runTick } from '../../src/jobs/tick.ts'
import { shanghaiTime } from '../../src/domain/time.ts'
import type { Card, MessageBody } from '../../src/model/index.ts'
import { renderCard, validateCard } from '../../src/channels/feishu/render.ts'

let h: Awaited<ReturnType<typeof harness>>
beforeEach(async () => {
  h = await harness() // Thu 26 Nov 2026
})
afterEach(() => h.close())

const cal = createWorkdayCalendar()
const problem = (id: number) => h.db.select().from(problems).where(eq(problems.id, id)).get()
const cardsOf = (bodies: MessageBody[], id: number) =>
  bodies.flatMap((b) => (b.kind === 'card' && b.card.subject === `problem:${id}` ? [b.card] : []))
const formOf = (c: Card) => {
  expect(validateCard(renderCard(c))).toEqual([])
  const f = c.elements.find((e) => e.kind === 'form')
  return f?.kind === 'form' ? f : undefined
}
const unitId = (name: string) => h.units.find((u) => u.name === name)!.id

/** A problem raised in a 县住建局 contact's report. */
async function raise(description: string) {
  const contact = h.as('contact', { unit: '县住建局' })
  const [project] = await projectsOfContact(h.db, contact.person.id)
  const f = promptForm((await contact.send(`填报 ${project!.code}`)).cards[0]!)
  await contact.click('submitReport', f.args, { ytd: String(f.prevYtdWan), problems: description })
  const p = await h.db
    .select()
    .from(problems)
    .where(and(eq(problems.projectId, project!.id), eq(problems.description, description)))
    .get()
  return { id: p!.id, project: project!, contact }
}

describe('交办 with 五到位', () => {
  it('the office’s form asks for 解决方案 and 一般 / 重大; a 重大 problem gets the major deadline; the assignee sees all five', async () => {
    const { id, project } = await raise('林地占用手续未批复')
    const office = h.as('office')
    const [card] = cardsOf(await office.inbox(), id)
    const form = formOf(card!)!
    expect(form.inputs.map((i) => i.label)).toEqual(expect.arrayContaining(['责任单位', '解决方案', '问题类别']))
    expect(form.inputs.find((i) => i.name === 'plan')!.required).toBe(true)
    await office.click('assign', form.submit.args, {
      unit: String(unitId('县自然资源局')),
      plan: '县自然资源局牵头，两周内完成林地报批',
      severity: 'major',
    })
    const p = (await problem(id))!
    // No time limit written: a 重大 problem is due in 20 working days, an ordinary one would be in 7.
    expect(p).toMatchObject({
      state: 'assigned',
      severity: 'major',
      plan: '县自然资源局牵头，两周内完成林地报批',
      dueOn: cal.addWorkdays('2026-11-26', 20),
    })
    const land = h.units.find((u) => u.name === '县自然资源局')!
    expect(p.assigneePersonId).toBe(land.headPersonId)
    expect(p.leaderPersonId).toBe(project.leaderPersonId)
    const head = h.as(h.people.find((x) => x.id === land.headPersonId)!)
    const [toHead] = cardsOf(await head.inbox(), id)
    const seen = cardText(toHead!)
    const leader = h.people.find((x) => x.id === project.leaderPersonId)!
    for (const f of [
      '责任单位：县自然资源局',
      `责任领导：${leader.name}`,
      `责任人：${head.person.name}`,
      '解决方案：县自然资源局牵头',
      '类别：重大问题',
    ])
      expect(seen).toContain(f)
    expect(seen).toContain(`解决时限：`)
  })

  it('typed: 责任人 by name and 方案 in any order; without a 方案 it says what is missing, and a second 交办 completes it', async () => {
    const { id } = await raise('施工临时道路未打通')
    const office = h.as('office')
    const r = await office.send(`交办 #${id} 县能源局`)
    expect(r.all).toContain('五到位尚缺解决方案')
    expect((await problem(id))!.dueOn).toBe(cal.addWorkdays('2026-11-26', 7))
    const energy = h.units.find((u) => u.name === '县能源局')!
    const staff = h.people.find((x) => x.unitId === energy.id && x.id !== energy.headPersonId)!
    const done = await office.send(`交办 #${id} 责任人：${staff.name} 方案：能源局协调施工单位先修便道`)
    expect(done.all).toContain(`已交办 县能源局`)
    expect(await problem(id)).toMatchObject({ assigneeUnitId: energy.id, assigneePersonId: staff.id, plan: '能源局协调施工单位先修便道' })
    expect((await office.send(`交办 #${id} 县能源局 责任人：查无此人`)).all).toContain('没有找到责任人「查无此人」')
    expect((await problem(id))!.assigneePersonId).toBe(staff.id)
  })
})

describe('四级调度', () => {
  it('提级 moves a problem office → 分管副县长 → 常务副县长 → 县长, each told with the history; each has 我的调度清单', async () => {
    // A 常务副县长 on the roster (imported as the county would, if the demo has none).
    const isExecutive = (x: { title: string | null; roles: unknown }) => x.title === '常务副县长' || (x.roles as string[]).includes('executive')
    if (!h.people.some(isExecutive)) {
      const csv = '姓名,手机,职务,角色\n常务甲,13800000001,常务副县长,县领导\n'
      const report = await importWorkbook(h.db, new TextEncoder().encode(csv), { now: h.now, transact: h.transact })
      expect(report.errors).toEqual([])
    }
    const everyone = await h.db.select().from(people).all()
    const executive = h.as(everyone.find(isExecutive)!)
    const mayor = h.as('leader', { title: '县长' })

    const { id, project, contact } = await raise('园区供水管网未接入')
    const office = h.as('office')
    await office.send(`交办 #${id} 县住建局 方案：住建局协调水务公司接入`)
    const sector = (await h.db.select().from(projects).where(eq(projects.id, project.id)).get())!.sector
    const vice = h.as(everyone.find((x) => x.title === '副县长' && (x.sectors as string[]).includes(sector))!)
    const otherVice = h.as(everyone.find((x) => x.title === '副县长' && !(x.sectors as string[]).includes(sector))!)

    // At the office's level: on the office's list, not on the 副县长's.
    expect((await office.send('我的调度清单')).all).toContain(`#${id}`)
    expect((await vice.send('我的调度清单')).all).not.toContain(`#${id}`)
    // Only the office or the level's own leader, and with a reason.
    expect((await contact.send(`提级 #${id} 太慢了`)).all).toContain('只有')
    expect((await office.send(`提级 #${id}`)).all).toContain('请写明提级理由')
    expect((await problem(id))!.level).toBe('office')

    const up1 = await office.send(`提级 #${id} 水务公司不配合，需分管领导协调`)
    expect(up1.all).toContain('已提级为 分管副县长精准调度')
    expect((await problem(id))!.level).toBe('vice')
    const [told] = cardsOf(await vice.inbox(), id)
    const t = cardText(told!)
    expect(t).toContain('提级调度 · 分管副县长精准调度')
    expect(t).toContain('水务公司不配合')
    expect(t).toContain('交办 县住建局') // the history
    expect((await vice.send('我的调度清单')).all).toContain(`#${id}`)
    expect((await office.send('我的调度清单')).all).not.toContain(`#${id}`)
    expect((await otherVice.send(`提级 #${id} 越级`)).all).toContain('只有')

    // From the card's form this time; the same form submitted again is refused (the problem has moved on).
    const raiseForm = formOf(told!)!
    expect(raiseForm.submit.args).toMatchObject({ problemId: id, level: 'vice' })
    await vice.click('raiseLevel', raiseForm.submit.args, { reason: '涉及供水特许经营协议，需专题调度' })
    expect((await problem(id))!.level).toBe('executive')
    expect((await vice.click('raiseLevel', raiseForm.submit.args, { reason: '再提' })).all).toContain(
      `此卡片已过期：问题 #${id} 当前为 常务副县长专题调度`,
    )
    expect((await problem(id))!.level).toBe('executive')
    expect(cardText(cardsOf(await executive.inbox(), id)[0]!)).toContain('分管副县长精准调度（水务公司不配合')
    expect((await executive.send('我的调度清单')).all).toContain(`#${id}`)

    await executive.send(`提级 #${id} 需县政府协调市级水务部门`)
    expect((await problem(id))!.level).toBe('county')
    const list = await mayor.send('我的调度清单')
    expect(list.all).toContain(`#${id}`)
    expect(list.all).toContain('本月排名')
    expect((await mayor.send(`提级 #${id} 再提`)).all).toContain('已是县长顶格调度')
  })

  it('an overdue problem at the 分管副县长 level is 通报ed to him from the first 通报', async () => {
    const { id, project } = await raise('临时用地审批超期')
    const office = h.as('office')
    await office.send(`交办 #${id} 县自然资源局 1个工作日 方案：加快审批`) // due Fri 27 Nov
    await office.send(`提级 #${id} 审批久拖不决`)
    const everyone = await h.db.select().from(people).all()
    const vice = everyone.find((x) => x.title === '副县长' && (x.sectors as string[]).includes(project.sector))!
    await runTick(h.db, shanghaiTime(2026, 11, 30, 9, 1))
    const to = (h.sqlite.prepare('select address from outbox where key like ?').all(`notice:pb:${id}:1:%`) as { address: string }[]).map(
      (r) => r.address,
    )
    expect(to).toContain(`person:${vice.id}`)
  }, 60_000)
})
