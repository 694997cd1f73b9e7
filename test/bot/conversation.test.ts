import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { and, eq } from 'drizzle-orm'
import { harness, promptForm, textOf } from '../harness.ts'
import { auditLog, problemEvents, problems, projects, reminders, reports, rounds, supervisions } from '../../src/store/schema.ts'
import { projectsOfContact } from '../../src/store/repos/projects.ts'
import { formatWan } from '../../src/domain/money.ts'

let h: Awaited<ReturnType<typeof harness>>
beforeEach(async () => {
  h = await harness()
})
afterEach(() => h.close())

const novemberReports = async (projectId: number) =>
  h.db
    .select({ r: reports })
    .from(reports)
    .innerJoin(rounds, eq(rounds.id, reports.roundId))
    .where(and(eq(rounds.period, '2026-11'), eq(reports.projectId, projectId)))
    .all()

describe('identity', () => {
  it('asks a stranger to bind; a typed mobile waits for the office, who binds it; then the bot knows them', async () => {
    const s = h.stranger('ou_new')
    expect((await s.send('排名')).all).toContain('绑定 手机号')
    expect((await s.send('绑定 13800000000')).all).toContain('等待县重点项目建设指挥部办公室确认')
    const head = h.find('unit_head', { unit: '城关镇' })
    const asked = await s.send(`绑定 ${head.mobile}`)
    expect(asked.all).toContain('等待县重点项目建设指挥部办公室确认')
    expect(asked.all).not.toContain(head.name)
    expect((await s.send('帮助')).all).toContain('绑定 手机号')
    const card = asked.result.messages.flatMap((m) => (m.body.kind === 'card' ? [m.body.card] : []))[0]!
    const approve = card.elements.flatMap((e) => (e.kind === 'actions' ? e.buttons : [])).find((b) => b.command === 'approveBind')!
    expect((await h.as('office').click('approveBind', approve.args)).result.toast?.kind).toBe('success')
    const help = (await s.send('帮助')).result.messages[0]!.body
    expect(help.kind).toBe('card')
    expect(textOf(help)).toContain(head.name)
  })
})

describe('reporting', () => {
  it('sends one prompt card per project, prefilled with last month’s 累计', async () => {
    const contact = h.as('contact', { unit: '县住建局' })
    const mine = await projectsOfContact(h.db, contact.person.id)
    const r = await contact.send('填报')
    expect(r.cards).toHaveLength(mine.length)
    expect(promptForm(r.cards[0]!).inputs.find((i) => i.name === 'ytd')?.initial).toMatch(/^\d+(\.\d+)?$/)
    expect(r.cards[0]!.title).toContain('2026年11月调度')
  })

  it('stores a form submit as a version and answers with 完成率, 序时 and colour; edits make version 2', async () => {
    const contact = h.as('contact', { unit: '县住建局' })
    const [project] = await projectsOfContact(h.db, contact.person.id)
    const form = promptForm((await contact.send(`填报 ${project!.code}`)).cards[0]!)
    const prevYtd = form.prevYtdWan
    const r = await contact.click('submitReport', form.args, { period: '500', ytd: String(prevYtd + 500), progress: '主体封顶' })
    expect(r.result.toast?.kind).toBe('success')
    expect(r.all).toMatch(/完成率：\d+\.\d\d%/)
    expect(r.all).toContain('序时进度：91.67%')
    expect(r.result.updateCard?.title).toContain('已收到')
    const again = await contact.click('submitReport', form.args, { period: '600', ytd: String(prevYtd + 600), progress: '主体封顶' })
    expect(again.all).toContain('第 2 版')
    const rows = await novemberReports(project!.id)
    expect(rows.map((x) => [x.r.version, x.r.current])).toEqual([
      [1, false],
      [2, true],
    ])
    expect(rows[1]!.r.ytdInvestment - rows[0]!.r.ytdInvestment).toBe(100 * 10_000)
    // The audit trail of November's report (the demo's earlier months are in it too, each month a 'submit').
    const audit = await h.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entity, 'report'), eq(auditLog.entityId, project!.id)))
      .all()
    const november = rows[0]!.r.roundId
    expect(audit.filter((a) => (a.after as { roundId?: number }).roundId === november).map((a) => a.action)).toEqual(['submit', 'edit'])
  })

  it('refuses a 累计 below last month without a reason, and stores nothing', async () => {
    const contact = h.as('contact', { unit: '县住建局' })
    const [project] = await projectsOfContact(h.db, contact.person.id)
    const r = await contact.click(
      'submitReport',
      { projectId: project!.id, roundId: promptForm((await contact.send('填报')).cards[0]!).args.roundId },
      { ytd: '1', period: '1' },
    )
    expect(r.all).toContain('低于上期')
    expect(r.result.toast?.kind).toBe('error')
    expect(await novemberReports(project!.id)).toHaveLength(0)
    const bad = await contact.click('submitReport', { projectId: project!.id, roundId: 999 }, { ytd: 'abc' })
    expect(bad.all).toContain('已失效')
  })

  it('asks which figure is right when 本月 and the rise in 累计 disagree', async () => {
    const contact = h.as('contact', { unit: '县住建局' })
    const [project] = await projectsOfContact(h.db, contact.person.id)
    const form = promptForm((await contact.send(`填报 ${project!.code}`)).cards[0]!)
    const prevYtd = form.prevYtdWan
    const r = await contact.click('submitReport', form.args, { period: '300', ytd: String(prevYtd + 500) })
    expect(r.all).toContain('两者不一致')
    expect(await novemberReports(project!.id)).toHaveLength(0)
    const ok = await contact.click('confirm', { trust: 'ytd' })
    expect(ok.all).toContain('已收到')
    const [row] = await novemberReports(project!.id)
    expect(row!.r.periodInvestment).toBe(500 * 10_000)
  })

  it('understands a free-text reply, asks which project, echoes, and stores on 确认', async () => {
    const contact = h.as('contact', { unit: '城关镇' })
    const mine = await projectsOfContact(h.db, contact.person.id)
    expect(mine.length).toBeGreaterThan(1)
    const form = promptForm((await contact.send(`填报 ${mine[1]!.code}`)).cards[0]!)
    const prevYtd = form.prevYtdWan * 10_000
    const ytdWan = formatWan(prevYtd + 1200 * 10_000, 0, false)
    const ask = await contact.send(`本月完成投资1200万元，本年累计${ytdWan}万元，主体封顶，问题：林地手续未批`)
    expect(ask.all).toContain('是哪个项目')
    const echo = await contact.send(mine[1]!.name.slice(-6))
    expect(echo.cards[0]!.title).toContain(mine[1]!.name)
    expect(echo.all).toContain('1,200.00 万元')
    expect(echo.all).toContain('林地手续未批')
    expect(await novemberReports(mine[1]!.id)).toHaveLength(0)
    const done = await contact.send('确认')
    expect(done.all).toContain('已收到')
    const [row] = await novemberReports(mine[1]!.id)
    expect(row!.r.ytdInvestment).toBe(prevYtd + 1200 * 10_000)
    expect(row!.r.source).toBe('text')
    // The problem went to the 问题台账 and to the office.
    const p = await h.db.select().from(problems).where(eq(problems.description, '林地手续未批')).all()
    expect(p.some((x) => x.projectId === mine[1]!.id && x.state === 'new')).toBe(true)
    const office = h.as('office')
    expect((await office.inbox()).map(textOf).join()).toContain('林地手续未批')
  })

  it('takes a correction while the echo is pending', async () => {
    const contact = h.as('contact', { unit: '县住建局' })
    await contact.send('本月完成投资300万元，形象进度60%')
    const echo = await contact.send('1')
    expect(echo.all).toContain('还缺')
    const fixed = await contact.send('本年累计9999万元')
    expect(fixed.all).toContain('9,999.00 万元')
    expect(fixed.all).toContain('300.00 万元')
  })

  it('answers nonsense kindly and stores nothing', async () => {
    const contact = h.as('contact', { unit: '县住建局' })
    const before = (await h.db.select().from(reports).all()).length
    const r = await contact.send('今天天气不错啊')
    expect(r.texts[0]).toContain('没有看懂')
    expect(r.replies).toHaveLength(1) // one short line, no help card (issue 12)
    expect((await h.db.select().from(reports).all()).length).toBe(before)
  })

  it('does not let a contact report for someone else’s project', async () => {
    const a = h.as('contact', { unit: '县住建局' })
    const b = h.as('contact', { unit: '城关镇' })
    const [other] = await projectsOfContact(h.db, b.person.id)
    const roundId = promptForm((await a.send('填报')).cards[0]!).args.roundId
    const r = await a.click('submitReport', { projectId: other!.id, roundId }, { ytd: '99999' })
    expect(r.all).toContain('不是')
    expect(await novemberReports(other!.id)).toHaveLength(0)
  })
})

describe('problems: 交办 → 申请销号 → 销号 only when the reporter confirms', () => {
  it('runs the whole loop with history', async () => {
    const contact = h.as('contact', { unit: '县住建局' })
    const [project] = await projectsOfContact(h.db, contact.person.id)
    const form = promptForm((await contact.send(`填报 ${project!.code}`)).cards[0]!)
    await contact.click('submitReport', form.args, { ytd: String(form.prevYtdWan), problems: '施工用电线路未接通' })
    const [p] = await h.db
      .select()
      .from(problems)
      .where(and(eq(problems.projectId, project!.id), eq(problems.description, '施工用电线路未接通')))
      .all()
    expect(p!.state).toBe('new')
    // A contact cannot 交办; the office can.
    expect((await contact.send(`交办 #${p!.id} 县能源局 5个工作日`)).all).toContain('限县重点项目建设指挥部办公室')
    const office = h.as('office')
    const assigned = await office.send(`交办 #${p!.id} 县能源局 5个工作日`)
    expect(assigned.all).toContain('已交办 县能源局')
    const energyHead = h.as('unit_head', { unit: '县能源局' })
    expect((await energyHead.inbox()).map(textOf).join()).toContain('施工用电线路未接通')
    // Only the reporter may close it.
    expect((await energyHead.send(`申请销号 #${p!.id} 已接通临时用电`)).all).toContain('等待提出人确认')
    expect((await energyHead.send(`确认销号 #${p!.id}`)).all).toContain('须由提出人确认')
    expect((await contact.inbox()).map(textOf).join()).toContain('确认销号')
    expect((await contact.send(`确认销号 #${p!.id}`)).all).toContain('已销号')
    const events = await h.db.select().from(problemEvents).where(eq(problemEvents.problemId, p!.id)).all()
    expect(events.map((e) => e.toState)).toEqual(['new', 'assigned', 'close_requested', 'closed'])
  })
})

describe('leader commands', () => {
  it('shows the board, red and yellow cards, and a project found by a short name', async () => {
    const leader = h.as('leader', { title: '县长' })
    const board = await leader.send('本月排名 乡镇')
    expect(board.cards[0]!.template).toBe('leaderboard')
    expect(board.all).toContain('城关镇')
    expect(board.all).not.toContain('县住建局')
    expect((await leader.send('红黄牌')).cards[0]!.template).toBe('red-yellow')
    const q = await leader.send('查 城东污水厂')
    expect(q.cards[0]?.template ?? q.all).toBe('project-status')
    expect((await leader.send('查 城关镇')).cards[0]!.template).toBe('unit-status')
  })

  it('督办 notifies the project’s people with a reply date 3 working days on', async () => {
    const leader = h.as('leader', { title: '县长' })
    const [project] = await h.db.select().from(projects).limit(1).all()
    const r = await leader.send(`督办 ${project!.code} 加快施工许可办理`)
    expect(r.all).toContain('12月1日') // Thu 26 Nov + 3 working days
    const [s] = await h.db.select().from(supervisions).all()
    expect(s).toMatchObject({ projectId: project!.id, dueOn: '2026-12-01', state: 'open' })
    const contact = (await h.db.select().from(projects).where(eq(projects.id, project!.id)).all())[0]!
    expect(contact).toBeTruthy()
    const ack = await h.as('contact', { unit: h.units.find((u) => u.id === project!.unitId)!.name }).send('已阅')
    expect(ack.all).toContain('已阅')
  })

  it('催办 counts a reminder for each unreported project, and contacts may not 催办', async () => {
    expect((await h.as('contact', { unit: '城关镇' }).send('催办 城关镇')).all).toContain('限县领导')
    const r = await h.as('leader', { title: '县长' }).send('催办 城关镇')
    expect(r.all).toMatch(/已催办「城关镇」\d+ 个未填报项目/)
    expect((await h.db.select().from(reminders).where(eq(reminders.kind, 'manual')).all()).length).toBeGreaterThan(0)
  })

  it('answers in a group only when @-mentioned', async () => {
    const leader = h.as('leader', { title: '县长' })
    expect((await leader.inGroup('排名', false)).replies).toHaveLength(0)
    expect((await leader.inGroup('排名')).cards[0]!.template).toBe('leaderboard')
  })
})
