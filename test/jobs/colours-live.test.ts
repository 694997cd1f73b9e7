/**
 * 三色管理 as the county runs it (issue 13), through the live clock and the bot: the demo county up to July 2026,
 * then August to November ticked every 2 hours, one project with two contacts reporting on time through its card
 * but behind 序时. 预警 after the first 进度催办, yellow after two consecutive ones (the 指挥长 gets the 约谈 and records
 * it held), red the next month (the 主管部门 head on the 表态 list), blue again once it reaches 序时. A correction to
 * October after it was published leaves October's board and status as published and shows in November.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { harness, promptForm, type Said } from '../harness.ts'
import { runTick } from '../../src/jobs/tick.ts'
import { shanghaiTime } from '../../src/domain/time.ts'
import type { Card, MessageBody } from '../../src/model/index.ts'
import { setConfig } from '../../src/services/settings.ts'
import { loadRules } from '../../src/services/rules.ts'
import { projectStatus } from '../../src/services/status.ts'
import { redYellowList } from '../../src/services/boards.ts'

type H = Awaited<ReturnType<typeof harness>>
let h: H
let project: { id: number; code: string; name: string; annual_plan: number; unit_id: number; competent_unit_id: number; sector: string }
let contacts: number[]
const at = (m: number, d: number, hour = 10) => shanghaiTime(2026, m, d, hour)
const wan = (yuan: number) => yuan / 10_000

/** Ticks every 2 hours from the harness's clock up to `to`, as node-cron would (quiet hours hold what is due). */
async function tickUntil(to: Date) {
  for (let t = h.now.getTime(); t <= to.getTime(); t += 2 * 3_600_000) {
    h.at(new Date(t))
    await runTick(h.db, new Date(t))
  }
  h.at(to)
}

/** Ticks until the month's round has closed (its deadline moves off holidays: September's is after 国庆). */
async function tickPastClose(period: string) {
  const { deadline_at } = one<{ deadline_at: number }>(`select deadline_at from rounds where kind = 'monthly' and period = ?`, period)
  await tickUntil(new Date(deadline_at + 26 * 3_600_000))
}

/** The contact reports the month on the round's card: 本年累计 `ytdWan` 万元, this month's part the difference. */
async function reportMonth(ytdWan: number): Promise<Said> {
  const contact = h.as(h.people.find((p) => p.id === contacts[0])!)
  const card = (await contact.send(`填报 ${project.code}`)).cards[0]!
  const form = promptForm(card)
  return contact.click('submitReport', form.args, { period: String(ytdWan - form.prevYtdWan), ytd: String(ytdWan), progress: '主体施工' })
}

const one = <T>(q: string, ...args: unknown[]) => h.sqlite.prepare(q).get(...args) as T
const colourOf = (period: string) =>
  one<{ colour: string } | undefined>(`select colour from project_colours where project_id = ? and period = ?`, project.id, period)?.colour
const cardsTo = async (personId: number, template: string): Promise<Card[]> =>
  (await h.inboxOf(`person:${personId}`)).flatMap((b: MessageBody) => (b.kind === 'card' && b.card.template === template ? [b.card] : []))

beforeAll(async () => {
  h = await harness({ demoAt: at(8, 20), now: at(8, 20) })
  // A township's project (it has a 主管部门) reported by two contacts, at 序时 in July, not a weekly key project.
  project = one(`
    select p.id, p.code, p.name, p.annual_plan, p.unit_id, p.competent_unit_id, p.sector from projects p
    join project_colours c on c.project_id = p.id and c.period = '2026-07'
    where c.colour = 'blue' and p.weekly = 0 and p.competent_unit_id is not null and c.ytd_investment * 12 < p.annual_plan * 8 - 240000
      and (select count(*) from project_contacts x where x.project_id = p.id) = 2
    order by p.id limit 1`)
  contacts = (
    h.sqlite.prepare(`select person_id from project_contacts where project_id = ? order by person_id`).all(project.id) as { person_id: number }[]
  ).map((r) => r.person_id)
}, 60_000)

describe('三色 through the live clock', () => {
  const july = () =>
    one<{ ytd_investment: number }>(`select ytd_investment from project_colours where project_id = ? and period = '2026-07'`, project.id)
      .ytd_investment

  it('August: on time but behind 序时 → one 进度催办 to both contacts and the unit head, counted once → 预警', async () => {
    await tickUntil(at(8, 26))
    expect((await reportMonth(wan(july()) + 10)).all).toContain('已收到')
    await tickPastClose('2026-08')
    expect(colourOf('2026-08')).toBe('watch')
    expect(one<{ n: number }>(`select count(*) as n from urges where project_id = ? and period = '2026-08' and kind = 'lag'`, project.id).n).toBe(1)
    for (const c of contacts) {
      const [card] = (await cardsTo(c, 'progress-urge')).filter((x) => x.title.includes(project.name))
      expect(card?.title).toContain(project.name)
      const text = JSON.stringify(card)
      expect(text).toMatch(/落后序时 [\d.]+ 个百分点/)
      expect(text).toMatch(/还需完成 [\d,.]+ 万元才能达到序时进度/)
      expect(text).toContain('已连续催办 1 次')
    }
    const head = one<{ head_person_id: number }>(`select head_person_id from units where id = ?`, project.unit_id).head_person_id
    expect(JSON.stringify(await cardsTo(head, 'progress-urge-head'))).toContain(project.name)
    const status = await h.as('leader', { title: '县长' }).send(`查 ${project.code}`)
    expect(status.all).toContain('预警')
  })

  it('September: still behind after two consecutive 催办 → yellow, and the 指挥长 gets the 约谈 task and records it', async () => {
    // 25 September is 中秋节: the round opens on the 28th.
    await tickUntil(at(9, 28, 12))
    await reportMonth(wan(july()) + 20)
    await tickPastClose('2026-09')
    expect(colourOf('2026-09')).toBe('yellow')
    const commander = one<{ commander_person_id: number }>(
      `select commander_person_id from sectors where name = ?`,
      project.sector,
    ).commander_person_id
    const [task] = (await cardsTo(commander, 'interview-task')).filter((c) => c.title.includes(project.name))
    const competentHead = one<{ name: string }>(
      `select p.name from units u join people p on p.id = u.head_person_id where u.id = ?`,
      project.competent_unit_id,
    ).name
    expect(JSON.stringify(task)).toContain(competentHead)
    const me = h.as(h.people.find((p) => p.id === commander)!)
    const open = async () => Number(/(\d+) 个/.exec((await me.send('我的待办')).cards[0]!.subtitle ?? '')![1])
    const before = await open()
    expect((await me.send('帮助')).all).toContain(`待开展约谈（${before}）`)
    // The task card carries the form that records the 约谈 held.
    const form = task!.elements.find((e) => e.kind === 'form')
    expect(form && form.kind === 'form' && form.submit.command).toBe('interviewHeld')
    const args = form!.kind === 'form' ? form!.submit.args! : {}
    expect((await me.click('interviewHeld', args, { heldOn: '2026-09-31', notes: '已约谈' })).all).toContain('请填写约谈日期')
    const held = `${Number(h.now.toISOString().slice(5, 7))}月${Number(h.now.toISOString().slice(8, 10))}日`
    expect((await me.click('interviewHeld', args, { heldOn: held, notes: '已约谈，承诺月底前追上序时' })).all).toContain('已记录')
    expect(await open()).toBe(before - 1)
    expect((await me.click('interviewHeld', args, { heldOn: held, notes: '再记一次' })).all).toContain('无需重复记录')
  })

  it('October: yellow two months running → red, and the 主管部门 head is on the 表态 list', async () => {
    await tickUntil(at(10, 26))
    await reportMonth(wan(july()) + 30)
    await tickPastClose('2026-10')
    expect(colourOf('2026-10')).toBe('red')
    const speaker = one<{ head_person_id: number }>(`select head_person_id from units where id = ?`, project.competent_unit_id).head_person_id
    expect(JSON.stringify(await cardsTo(speaker, 'pledge-notice'))).toContain(project.name)
    const list = await h.as('office').send('表态清单')
    expect(list.all).toContain('2026年10月红牌项目')
    expect(list.all).toContain(project.name)
  })

  it('a correction after October closed leaves its board, Δrank and status as published and shows in November', async () => {
    await tickUntil(at(11, 10))
    const leader = h.as('leader', { title: '县长' })
    const board = async () => (await leader.send('10月排名')).cards[0]
    const status = async () => (await leader.send(`查 ${project.code}`)).cards[0]
    const sectorBoard = async () => (await leader.send(`10月排名 ${project.sector}`)).cards[0]
    const [boardBefore, statusBefore, sectorBefore] = [await board(), await status(), await sectorBoard()]
    expect((await h.as('office').send(`补报 ${project.code} 2026-10`)).all).toContain('已为')
    const card = (await h.as(h.people.find((p) => p.id === contacts[0])!).inbox())
      .flatMap((b) => (b.kind === 'card' && b.card.template === 'report-prompt' ? [b.card] : []))
      .at(-1)!
    const form = promptForm(card)
    const corrected = form.prevYtdWan + 200
    expect(
      (await h.as(h.people.find((p) => p.id === contacts[0])!).click('submitReport', form.args, { ytd: String(corrected), progress: '更正' })).result
        .toast?.kind,
    ).toBe('success')
    expect(JSON.stringify(await board())).toBe(JSON.stringify(boardBefore))
    expect(JSON.stringify(await status())).toBe(JSON.stringify(statusBefore))
    expect(JSON.stringify(await sectorBoard())).toBe(JSON.stringify(sectorBefore))
    // November's card starts from the corrected 累计.
    await tickUntil(at(11, 26))
    const contact = h.as(h.people.find((p) => p.id === contacts[0])!)
    expect(promptForm((await contact.send(`填报 ${project.code}`)).cards[0]!).prevYtdWan).toBe(corrected)
  })

  it('a rules change leaves October as published (board, Δrank, status, 红黄牌, 通报) and counts from November, and says so', async () => {
    const leader = h.as('leader', { title: '县长' })
    const office = h.as('office')
    // October as the bot shows it, and as the CLI reads it (diaodu status / board use the same services).
    const views = async () => {
      const rules = await loadRules(h.db)
      return [
        (await leader.send('10月排名')).cards,
        (await leader.send(`10月排名 ${project.sector}`)).cards,
        (await leader.send('通报 10月')).cards,
        (await office.send('表态清单')).cards,
        await projectStatus(h.db, rules, project.code, '2026-10'),
        await redYellowList(h.db, rules, '2026-10'),
      ].map((v) => JSON.stringify(v))
    }
    const before = await views()
    expect(before[0]).toContain('名次变化')
    // November, the open month (its round opened on the 25th), as its 红黄牌 shows it.
    expect(h.now.getTime()).toBeGreaterThan(at(11, 25).getTime())
    const novemberList = async () => JSON.stringify([(await leader.send('红黄牌')).cards, (await leader.send(`查 ${project.code}`)).cards])
    const novemberBefore = await novemberList()
    const byPoints = await setConfig(h.db, h.transact, 'rules.colour', 'pointBands', { now: h.now, actorPersonId: office.person.id })
    const fewerUrges = await setConfig(h.db, h.transact, 'rules.colour.urgesBeforeCard', '1', { now: h.now, actorPersonId: office.person.id })
    for (const r of [byPoints, fewerUrges]) {
      expect(r.written).toBe(true)
      expect(r.period).toBe('2026-11')
      expect(r.effect.join('\n')).toContain('已发布的 2026-10 及以前不变（排名、名次变化、色牌和通报按发布时保存），新规则自 2026-11 起执行')
    }
    expect(byPoints.colourChanges!.projects).toBeGreaterThan(0)
    expect(byPoints.effect[0]).toMatch(/^2026-11：\d+ 个项目中 \d+ 个色牌改变/)
    expect(await views()).toEqual(before)
    // The open month follows the new rule.
    expect(await novemberList()).not.toBe(novemberBefore)
    await setConfig(h.db, h.transact, 'rules.colour', 'lingchuan2021', { now: h.now })
    expect(await novemberList()).toBe(novemberBefore)
    expect(await views()).toEqual(before)
  })

  it('November: at 序时 → blue, no 催办, and the count starts again', async () => {
    await reportMonth(Math.ceil((project.annual_plan * 11) / 12 / 10_000))
    await tickPastClose('2026-11')
    expect(colourOf('2026-11')).toBe('blue')
    expect(one<{ n: number }>(`select count(*) as n from urges where project_id = ? and period = '2026-11'`, project.id).n).toBe(0)
    expect(one<{ urges: number }>(`select urges from month_figures where project_id = ? and period = '2026-12'`, project.id).urges).toBe(0)
  })

  it('a month with no reports says so instead of ranking everyone at 100', async () => {
    const r = await h.as('leader', { title: '县长' }).send('2025年12月排名')
    expect(r.all).toContain('2025年12月暂无数据')
    expect(r.cards).toHaveLength(0)
  })
})
