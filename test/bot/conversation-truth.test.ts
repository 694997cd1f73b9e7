/** Issue 12: every card tells the truth — 已阅, the round's calendar, typed labels, corrections, refusals, misunderstandings. */
import { afterEach, describe, expect, it } from 'vitest'
import { and, eq } from 'drizzle-orm'
import { harness, promptForm } from '../harness.ts'
import { auditLog, reminders, reports, rounds, supervisions as supervisionsTable } from '../../src/store/schema.ts'
import { projectsOfContact } from '../../src/store/repos/projects.ts'
import { shanghaiTime } from '../../src/domain/time.ts'

let h: Awaited<ReturnType<typeof harness>>
afterEach(() => h.close())

const reportsOf = async (period: string, projectId: number) =>
  h.db
    .select({ r: reports })
    .from(reports)
    .innerJoin(rounds, eq(rounds.id, reports.roundId))
    .where(and(eq(rounds.period, period), eq(reports.projectId, projectId)))
    .all()

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
    // Outside a round there is nothing to report, but a project behind 序时 still gets its 进度催办 (issue 13).
    const urged = await h.as('leader', { title: '县长' }).send('催办 城关镇')
    expect(urged.all).toMatch(/已催办「城关镇」\d+ 个未达序时进度项目/)
    expect(urged.all).toContain('12月调度将于12月25日 09:00开始填报')
    expect(urged.all).not.toContain('请抓紧填报')
    expect(await manual()).toBe(before)
  })

  it('the office reopens October for one project (补报, audited); its contact reports once', async () => {
    h = await harness({ now: shanghaiTime(2026, 12, 2, 10) })
    const contact = h.as('contact', { unit: '城关镇' })
    const [project] = await projectsOfContact(h.db, contact.person.id)
    expect((await contact.send(`补报 ${project!.code} 2026-10`)).all).toContain('限县重点项目建设指挥部办公室')
    const granted = await h.as('office').send(`补报 ${project!.code} 2026-10`)
    expect(granted.all).toContain('已为')
    expect(granted.all).toContain('2026年10月调度补报一次')
    const audit = await h.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entity, 'reopen'), eq(auditLog.entityId, project!.id)))
      .all()
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

describe('item 3: 已阅 acknowledges what the person received, and says which', () => {
  it('a unit head’s 已阅 acknowledges the 督办 sent to him; then there is nothing left; a contact without a 通报 is told so', async () => {
    h = await harness({ now: shanghaiTime(2026, 11, 26, 10) })
    const contact = h.as('contact', { unit: '城关镇' })
    const [project] = await projectsOfContact(h.db, contact.person.id)
    const none = await contact.send('已阅')
    expect(none.all).toContain('您没有待确认的督办或通报')
    expect(none.all).not.toContain('最新通报')
    await h.as('leader', { title: '县长' }).send(`督办 ${project!.code} 加快管网施工`)
    const [sv] = await h.db.select().from(supervisionsTable).all()
    const head = h.as('unit_head', { unit: '城关镇' })
    const ack = await head.send('已阅')
    expect(ack.all).toContain(`已阅：督办 D${sv!.id}（${project!.name} 加快管网施工）`)
    const audit = await h.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entity, 'supervision'), eq(auditLog.entityId, sv!.id), eq(auditLog.action, 'ack')))
      .all()
    expect(audit.map((a) => a.actorPersonId)).toEqual([head.person.id])
    expect((await head.send('已阅')).all).toContain('您没有待确认的督办或通报')
  })

  it('a leader’s 已阅 after a 通报 acknowledges that month’s 通报', async () => {
    h = await harness({ now: shanghaiTime(2026, 11, 26, 10) })
    const leader = h.as('leader', { title: '县长' })
    await leader.send('通报 上月')
    expect((await leader.send('已阅')).all).toContain('已阅：2026年10月通报')
    expect((await leader.send('已阅')).all).toContain('您没有待确认的督办或通报')
  })
})

describe('item 5: typing a button’s label runs that button on the latest card that has it', () => {
  it('累计数正确 on the 核对 card, 立即填报 on a 催办 card, 用表单填写 and 确认提交 on the echo', async () => {
    h = await harness({ now: shanghaiTime(2026, 11, 26, 10) })
    const contact = h.as('contact', { unit: '县住建局' })
    const [project] = await projectsOfContact(h.db, contact.person.id)
    const form = promptForm((await contact.send(`填报 ${project!.code}`)).cards[0]!)
    const asked = await contact.click('submitReport', form.args, { period: '300', ytd: String(form.prevYtdWan + 500) })
    expect(asked.all).toContain('哪个正确')
    const ok = await contact.send('累计数正确')
    expect(ok.all).toContain('已收到')
    const [row] = (await reportsOf('2026-11', project!.id)).filter((x) => x.r.current)
    expect(row!.r.periodInvestment).toBe(500 * 10_000)

    await h.as('leader', { title: '县长' }).send('催办 城关镇')
    const townContact = h.as('contact', { unit: '城关镇' })
    const now = await townContact.send('立即填报')
    expect(now.cards[0]?.template).toBe('report-prompt')

    await contact.send('本年累计9000万元')
    if ((await projectsOfContact(h.db, contact.person.id)).length > 1) await contact.send(project!.name)
    const byForm = await contact.send('用表单填写')
    expect(byForm.cards[0]?.template).toBe('report-prompt')
    await contact.send('本月完成投资520万元，本年累计' + (form.prevYtdWan + 520) + '万元')
    if ((await projectsOfContact(h.db, contact.person.id)).length > 1) await contact.send(project!.name)
    const done = await contact.send('确认提交')
    expect(done.all).toContain('已收到')
  })
})

describe('item 8: a misunderstanding gets one short line', () => {
  it('names two or three close commands, no help card; says a draft waits', async () => {
    h = await harness({ now: shanghaiTime(2026, 11, 26, 10) })
    const contact = h.as('contact', { unit: '县住建局' })
    const r = await contact.send('今天天气不错啊')
    expect(r.replies).toHaveLength(1)
    expect(r.cards).toHaveLength(0)
    expect(r.texts[0]).toMatch(/^没有看懂「今天天气不错啊」。可以试试：(「[^」]+」){2,3}$/)
    const close = await contact.send('我想看看赛马的名次')
    expect(close.texts[0]).toContain('「排名」')
    await contact.send('本月完成投资300万元，本年累计9000万元')
    await contact.send('1')
    const waiting = await contact.send('今天天气不错啊')
    expect(waiting.replies).toHaveLength(1)
    expect(waiting.texts[0]).toContain('回复 确认 提交，或直接改写')
  })
})

const formFields = (card: { elements: Array<{ kind: string }> }) =>
  Object.fromEntries(
    card.elements.flatMap((e) =>
      e.kind === 'fields' ? (e as unknown as { fields: { label: string; value: string }[] }).fields.map((f) => [f.label, f.value]) : [],
    ),
  )
const buttonLabels = (card: { elements: Array<{ kind: string }> }) =>
  card.elements.flatMap((e) => (e.kind === 'actions' ? (e as unknown as { buttons: { label: string }[] }).buttons.map((b) => b.label) : []))

describe('item 6: a correction merges into the latest version; the confirm card shows old → new and every check', () => {
  it('keeps the form’s 形象进度, 需协调事项 and 下步计划, shows 累计 old → new, and asks 本月 vs 累计 before 确认', async () => {
    h = await harness({ now: shanghaiTime(2026, 11, 26, 10) })
    const contact = h.as('contact', { unit: '县住建局' })
    const [project] = await projectsOfContact(h.db, contact.person.id)
    const form = promptForm((await contact.send(`填报 ${project!.code}`)).cards[0]!)
    const prev = form.prevYtdWan
    const first = await contact.click('submitReport', form.args, {
      period: '1200',
      ytd: String(prev + 1200),
      progress: '主体封顶，内部装修',
      coordination: '协调10kV供电接入',
      nextSteps: '12月完成室外管网',
    })
    expect(first.result.toast?.kind).toBe('success')

    let echo = await contact.send(`本年累计${prev + 4926}万元`)
    if ((await projectsOfContact(h.db, contact.person.id)).length > 1) echo = await contact.send(project!.name)
    const card = echo.cards[0]!
    expect(card.template).toBe('report-confirm')
    const f = formFields(card)
    expect(f['本年累计']).toMatch(/^[\d,.]+ 万元 → [\d,.]+ 万元$/)
    expect(f['形象进度']).toBe('主体封顶，内部装修')
    expect(f['需协调事项']).toBe('协调10kV供电接入')
    expect(f['下步计划']).toBe('12月完成室外管网')
    // The 本月 1200 vs 累计 rise 4926 question is on the confirm card: its two answers, no 确认提交.
    expect(echo.all).toContain('增加了 4,926.00 万元，两者不一致')
    expect(buttonLabels(card)).toEqual(expect.arrayContaining(['本月数正确', '累计数正确']))
    expect(buttonLabels(card)).not.toContain('确认提交')

    const done = await contact.send('累计数正确')
    expect(done.all).toContain('已收到')
    const rows = await reportsOf('2026-11', project!.id)
    expect(rows).toHaveLength(2)
    const v2 = rows.find((x) => x.r.current)!.r
    expect(v2).toMatchObject({
      version: 2,
      periodInvestment: 4926 * 10_000,
      ytdInvestment: (prev + 4926) * 10_000,
      progressText: '主体封顶，内部装修',
      coordination: '协调10kV供电接入',
      nextSteps: '12月完成室外管网',
    })
  })
})

describe('item 7: absurd amounts are refused with the reason', () => {
  it('99,999,999 万元 on a project is refused on the confirm card (no 确认提交) and after 确认; −100 gets the negative reason', async () => {
    h = await harness({ now: shanghaiTime(2026, 11, 26, 10) })
    const contact = h.as('contact', { unit: '县住建局' })
    const [project] = await projectsOfContact(h.db, contact.person.id)
    const pick = async (r: Awaited<ReturnType<typeof contact.send>>) =>
      (await projectsOfContact(h.db, contact.person.id)).length > 1 && !r.cards.length ? contact.send(project!.name) : r
    const echo = await pick(await contact.send('本年累计99,999,999万元'))
    expect(echo.all).toContain('不能登记')
    expect(echo.all).toContain('超过单项金额上限')
    expect(buttonLabels(echo.cards[0]!)).not.toContain('确认提交')
    const fourTimes = (project!.totalInvestment * 4) / 10_000
    const over = await contact.send(`本年累计${fourTimes}万元`)
    expect(over.all).toContain('超过项目总投资')
    expect(over.all).toContain('不能登记')
    expect(buttonLabels(over.cards[0]!)).not.toContain('确认提交')
    const confirmed = await contact.send('确认')
    expect(confirmed.all).toContain('未登记')
    expect(confirmed.all).not.toContain('已登记')
    expect(await reportsOf('2026-11', project!.id)).toHaveLength(0)

    const negative = await contact.send('本月完成投资-100万元')
    expect(negative.all).toContain('本期完成投资不能为负数')
    expect(negative.all).not.toContain('不是有效的数字')
    expect(buttonLabels(negative.cards[0]!)).not.toContain('确认提交')

    const form = promptForm((await contact.send(`填报 ${project!.code}`)).cards[0]!)
    const byForm = await contact.click('submitReport', form.args, { period: '-100', ytd: String(form.prevYtdWan) })
    expect(byForm.all).toContain('不能为负数')
    expect(await reportsOf('2026-11', project!.id)).toHaveLength(0)
  })
})

describe('loose phrasing through the bot', () => {
  it('rank and state questions, politeness, 交办 29 without #, boards of a month by name', async () => {
    h = await harness({ now: shanghaiTime(2026, 11, 26, 10) })
    const leader = h.as('leader', { title: '县长' })
    expect((await leader.send('城关镇排第几')).cards[0]?.template).toBe('unit-status')
    expect((await leader.send('城东污水厂进度怎么样了')).cards[0]?.template).toBe('project-status')
    expect((await leader.send('帮我查一下县住建局的项目')).cards[0]?.template).toBe('unit-status')
    expect((await leader.send('请把本月排名发一下')).cards[0]?.template).toBe('leaderboard')
    const october = await leader.send('十月排名')
    expect(october.cards[0]?.template).toBe('leaderboard')
    expect(october.all).toContain('2026年10月')
    expect((await leader.send('排名 2026-09')).all).toContain('2026年9月')
    expect((await leader.send('上上月排名')).all).toContain('2026年9月')
    expect((await leader.send('麻烦催一下城关镇')).all).toMatch(/已催办「城关镇」|均已填报/)
    const office = h.as('office')
    const r = await office.send('交办 29')
    expect(r.all).not.toContain('没有看懂')
    expect(r.all).toContain('#29')
  })
})
