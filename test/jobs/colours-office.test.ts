/**
 * 三色管理's follow-up as the office and the leaders run it, through the bot and the live clock, on the demo county
 * of 22 November 2026 (October published): the 分指挥部 boards (「排名 工业」, a published month as published), the
 * 分指挥部 and their people edited from the roster (「设置分指挥部 …」, audited), and the 指挥部 meeting — its date set
 * and told to the heads on the 表态 list, pledges added at November's settle carrying it, and who spoke recorded
 * after the meeting (typed or by the list's button).
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { cardText, harness } from '../harness.ts'
import { runTick } from '../../src/jobs/tick.ts'
import { shanghaiTime } from '../../src/domain/time.ts'
import type { Card, MessageBody } from '../../src/model/index.ts'
import type { Role } from '../../src/store/schema.ts'
import { importWorkbook } from '../../src/services/workbook/index.ts'
import * as XLSX from '@e965/xlsx'

type H = Awaited<ReturnType<typeof harness>>
let h: H
const at = (m: number, d: number, hour = 10) => shanghaiTime(2026, m, d, hour)
const one = <T>(q: string, ...args: unknown[]) => h.sqlite.prepare(q).get(...args) as T
const all = <T>(q: string, ...args: unknown[]) => h.sqlite.prepare(q).all(...args) as T[]
const cardsTo = async (personId: number, template: string): Promise<Card[]> =>
  (await h.inboxOf(`person:${personId}`)).flatMap((b: MessageBody) => (b.kind === 'card' && b.card.template === template ? [b.card] : []))
/** The table rows of a card, as the cells read. */
const rowsOf = (card: Card) => card.elements.flatMap((e) => (e.kind === 'table' ? e.rows : []))

async function tickUntil(to: Date) {
  for (let t = h.now.getTime(); t <= to.getTime(); t += 2 * 3_600_000) {
    h.at(new Date(t))
    await runTick(h.db, new Date(t))
  }
  h.at(to)
}

/** A leader in charge of some sectors, and one of them with projects. */
let leader: H['people'][number]
let sector: string

beforeAll(async () => {
  h = await harness({ demoAt: at(11, 22), now: at(11, 26) })
  leader = h.people.find((p) => (p.roles as Role[]).includes('leader') && (p.sectors as string[]).length > 0)!
  sector = one<{ sector: string }>(
    `select sector from projects where active = 1 and sector in (select value from json_each(?)) group by sector order by count(*) desc limit 1`,
    JSON.stringify(leader.sectors),
  ).sector
}, 60_000)

describe('分指挥部 boards', () => {
  it('「排名 工业」 ranks the sector’s projects by 完成率 against 序时; a leader’s 排名 offers his sectors', async () => {
    const me = h.as(leader)
    const county = (await me.send('排名')).cards[0]!
    const buttons = county.elements.flatMap((e) => (e.kind === 'actions' ? e.buttons : []))
    expect(buttons.map((b) => b.label)).toContain(`${sector}分指挥部排名`)
    const tapped = await me.click('board', buttons.find((b) => b.label === `${sector}分指挥部排名`)!.args)
    const typed = await me.send(`排名 ${sector}`)
    expect(JSON.stringify(tapped.cards)).toBe(JSON.stringify(typed.cards))
    const card = typed.cards[0]!
    expect(card.title).toContain(`${sector}分指挥部项目排名`)
    const projects = all<{ name: string }>(`select name from projects where active = 1 and sector = ?`, sector)
    const rows = rowsOf(card)
    expect(rows).toHaveLength(projects.length)
    // Best first: the gap to 序时 never rises down the list, and ranks follow it.
    const gaps = rows.filter((r) => r.rank !== '—').map((r) => Number(String(r.gap).replace(/ 个百分点$/, '')))
    expect(gaps).toEqual([...gaps].sort((a, b) => b - a))
    expect(rows[0]!.rank).toBe(1)
    // The same board by its other names.
    expect(JSON.stringify((await me.send(`${sector}分指挥部排名`)).cards)).toBe(JSON.stringify(typed.cards))
    expect(JSON.stringify((await me.send(`分指挥部排名 ${sector}`)).cards)).toBe(JSON.stringify(typed.cards))
  })

  it('a published month’s sector board is the one frozen with it, and says so', async () => {
    const r = await h.as(leader).send(`10月排名 ${sector}`)
    expect(r.cards[0]!.title).toContain('2026年10月')
    expect(r.all).toContain('2026年10月排名已发布，以上为发布时的数据；此后的更正和规则调整计入下月')
    const frozen = one<{ data: string }>(`select data from board_snapshots where kind = 'monthly' and period = '2026-10' and league = '分指挥部'`)
    const lines = (JSON.parse(frozen.data) as Record<string, { name: string }[]>)[sector]!
    expect(rowsOf(r.cards[0]!).map((x) => x.project)).toEqual(lines.map((l) => l.name))
  })

  it('a unit named where a sector would be is its 查; an unknown name lists the sectors', async () => {
    const town = one<{ name: string }>(`select name from units where league = '乡镇' order by id limit 1`).name
    const r = await h.as(leader).send(`排名 ${town}`)
    expect(r.cards[0]!.title).toContain(town)
    const none = await h.as(leader).send('排名 航天航空')
    expect(none.all).toContain('没有「航天航空」分指挥部')
    expect(none.all).toContain(sector)
  })
})

describe('分指挥部 edited by the office', () => {
  it('「分指挥部」 lists each with its 指挥长, 副指挥长, 总联络人 and projects', async () => {
    const r = await h.as('office').send('分指挥部')
    const rows = rowsOf(r.cards[0]!)
    const known = all<{ name: string }>(`select name from sectors order by sort_order, id`)
    expect(rows.map((x) => x.name)).toEqual(known.map((s) => s.name))
    expect(rows.find((x) => x.name === sector)!.commander).toBe(leader.name)
    expect(r.all).toContain('设置分指挥部 工业 指挥长 张三')
  })

  it('refuses what the roster does not back, and changes nothing', async () => {
    const office = h.as('office')
    const before = JSON.stringify(all(`select * from sectors order by id`))
    const contact = h.people.find((p) => (p.roles as Role[]).includes('contact'))!
    expect((await office.send(`设置分指挥部 ${sector} 指挥长 ${contact.name}`)).all).toContain('不是县领导')
    expect((await office.send(`设置分指挥部 ${sector} 指挥长 13912345678`)).all).toContain('不用写手机号')
    expect((await office.send(`设置分指挥部 ${sector} 副指挥长 查无此人`)).all).toContain('花名册中没有「查无此人」')
    expect((await office.send('设置分指挥部 航天航空 指挥长 张三')).all).toContain('没有「航天航空」分指挥部')
    expect((await office.send(`设置分指挥部 ${sector}`)).all).toContain('指挥长、副指挥长还是总联络人')
    expect((await h.as(contact).send(`设置分指挥部 ${sector} 总联络人 ${contact.name}`)).all).toContain('限县重点项目建设指挥部办公室使用')
    expect(JSON.stringify(all(`select * from sectors order by id`))).toBe(before)
  })

  it('a new 指挥长 from the roster takes over the sector’s open 约谈, audited; 副指挥长 and 总联络人 likewise', async () => {
    const office = h.as('office')
    const other = h.people.find(
      (p) =>
        (p.roles as Role[]).includes('leader') &&
        p.id !== leader.id &&
        (p.sectors as string[]).length > 0 &&
        !(p.sectors as string[]).includes(sector),
    )!
    const sectorId = one<{ id: number }>(`select id from sectors where name = ?`, sector).id
    const open = one<{ n: number }>(`select count(*) as n from interviews where sector_id = ? and held_on is null`, sectorId).n
    const r = await office.send(`设置分指挥部 ${sector} 指挥长 ${other.name}`)
    expect(r.all).toContain(`已设置：${sector}分指挥部指挥长 ${other.name}（原为${leader.name}）`)
    if (open) expect(r.all).toContain(`${open} 个待开展的约谈转由${other.name}开展`)
    expect(one<{ c: number }>(`select commander_person_id as c from sectors where id = ?`, sectorId).c).toBe(other.id)
    expect(
      one<{ n: number }>(
        `select count(*) as n from interviews where sector_id = ? and held_on is null and commander_person_id = ?`,
        sectorId,
        other.id,
      ).n,
    ).toBe(open)
    const audit = one<{ before: string; after: string; actor: number }>(
      `select before, after, actor_person_id as actor from audit_log where entity = 'sector' and entity_id = ? and action = 'sector.set commander'`,
      sectorId,
    )
    expect(JSON.parse(audit.before).personId).toBe(leader.id)
    expect(JSON.parse(audit.after).personId).toBe(other.id)
    // The sector joins the new 指挥长's own list, so his 排名 offers it.
    expect(JSON.parse(one<{ s: string }>(`select sectors as s from people where id = ?`, other.id).s)).toContain(sector)
    const head = one<{ id: number; name: string }>(`select p.id, p.name from units u join people p on p.id = u.head_person_id order by u.id limit 1`)
    expect((await office.send(`设置分指挥部${sector}副指挥长${head.name}`)).all).toContain(`已设置：${sector}分指挥部副指挥长 ${head.name}`)
    expect(rowsOf((await office.send('分指挥部')).cards[0]!).find((x) => x.name === sector)).toMatchObject({
      commander: other.name,
      deputy: head.name,
    })
    // Back as it was, for the meeting below.
    expect((await office.send(`设置分指挥部 ${sector} 指挥长 ${leader.name}`)).all).toContain('已设置')
  })
})

describe('the same name twice in the roster', () => {
  it('asks which one, by unit and title, and sets the one picked', async () => {
    const namesake = h.people.find((p) => (p.roles as Role[]).includes('leader') && p.id !== leader.id)!
    // The office adds a second person of that name through the roster import.
    const wb = XLSX.utils.book_new()
    XLSX.utils.book_append_sheet(
      wb,
      XLSX.utils.aoa_to_sheet([
        ['姓名', '手机', '职务', '单位', '角色'],
        [namesake.name, '13999990001', '县委常委', '', '县领导'],
      ]),
      '人员',
    )
    const bytes = new Uint8Array(XLSX.write(wb, { type: 'array', bookType: 'xlsx' }) as ArrayBuffer)
    const imported = await importWorkbook(h.db, bytes, { transact: h.transact, now: h.now })
    expect(imported).toMatchObject({ written: true, errors: [] })
    const twin = one<{ id: number }>(`select id from people where mobile = '13999990001'`).id
    const office = h.as('office')
    const ask = await office.send(`设置分指挥部 ${sector} 总联络人 ${namesake.name}`)
    expect(ask.all).toContain('您要找的是不是')
    expect(ask.all).toContain(`${namesake.name}（县委常委）`)
    const options = ask.all.split('\n').filter((l) => /^\d\. /.test(l))
    const pick = options.find((l) => l.includes('县委常委'))!.slice(0, 1)
    expect((await office.send(pick)).all).toContain(`已设置：${sector}分指挥部总联络人 ${namesake.name}`)
    expect(one<{ l: number }>(`select liaison_person_id as l from sectors where name = ?`, sector).l).toBe(twin)
  })
})

describe('the 指挥部 meeting', () => {
  const october = () =>
    all<{ project_id: number; code: string; speaker: number | null }>(
      `select m.project_id, p.code, m.speaker_person_id as speaker from meeting_pledges m join projects p on p.id = m.project_id
       where m.period = '2026-10' order by p.code`,
    )

  it('the office sets the date; the heads on the 表态 list are told it, and the list shows it', async () => {
    const office = h.as('office')
    expect((await office.send('表态清单')).all).toContain('下次指挥部会议时间待定')
    expect((await office.send('指挥部会议 11月20日')).all).toContain('请写今天或以后的日期')
    const leaderSays = await h.as(leader).send('指挥部会议 12月12日')
    expect(leaderSays.all).toContain('限县重点项目建设指挥部办公室使用')
    const r = await office.send('指挥部会议定于12月10日召开')
    expect(r.all).toContain('已设定：下次指挥部会议 12月10日')
    const speakers = october().filter((p) => p.speaker !== null)
    expect(speakers.length).toBeGreaterThan(0)
    for (const p of speakers) {
      const notice = (await cardsTo(p.speaker!, 'pledge-notice')).at(-1)!
      expect(cardText(notice)).toContain('12月10日的指挥部会议上表态发言')
    }
    expect(all(`select distinct meeting_on from meeting_pledges where spoke_on is null`)).toEqual([{ meeting_on: '2026-12-10' }])
    const list = await h.as(leader).send('表态清单')
    expect(list.cards[0]!.subtitle).toContain('12月10日指挥部会议')
    expect(list.all).toContain('下次指挥部会议：12月10日')
    expect((await h.as(leader).send('指挥部会议')).all).toContain('下次指挥部会议：12月10日')
    expect((await h.as(leader).send('通报')).all).toContain('12月10日指挥部会议表态发言')
    expect(one<{ n: number }>(`select count(*) as n from audit_log where entity = 'meeting' and action = 'meeting.set'`).n).toBe(1)
  })

  it('November’s settle puts its new red projects on the same meeting, and their heads are told the date', async () => {
    await tickUntil(at(11, 26, 12)) // the clock opens November's round
    const { deadline_at } = one<{ deadline_at: number }>(`select deadline_at from rounds where kind = 'monthly' and period = '2026-11'`)
    await tickUntil(new Date(deadline_at + 26 * 3_600_000))
    const added = all<{ meeting_on: string | null; speaker: number | null; name: string }>(
      `select m.meeting_on, m.speaker_person_id as speaker, p.name from meeting_pledges m join projects p on p.id = m.project_id where m.period = '2026-11'`,
    )
    expect(added.length).toBeGreaterThan(0)
    expect(new Set(added.map((a) => a.meeting_on))).toEqual(new Set(['2026-12-10']))
    const told = added.find((a) => a.speaker !== null)!
    expect((await cardsTo(told.speaker!, 'pledge-notice')).some((c) => c.title.includes(told.name) && cardText(c).includes('12月10日'))).toBe(true)
  })

  it('who spoke is recorded after the meeting, typed or by the list’s button, once', async () => {
    const office = h.as('office')
    const [first, second] = october()
    expect((await office.send(`表态 ${first!.code} 已发言`)).all).toContain('请在会后记录')
    expect(one<{ n: number }>(`select count(*) as n from meeting_pledges where spoke_on is not null`).n).toBe(0)
    h.at(at(12, 11))
    const list = (await office.send('表态清单')).cards[0]!
    const button = list.elements.flatMap((e) => (e.kind === 'actions' ? e.buttons : [])).find((b) => b.args?.projectId === first!.project_id)!
    expect(button.label).toContain('已发言')
    const tapped = await office.click('pledgeSpoke', button.args)
    expect(tapped.all).toContain('已于 12月10日 在指挥部会议上表态发言')
    expect(tapped.result.updateCard && cardText(tapped.result.updateCard)).toContain('已于12月10日发言')
    expect((await office.send(`表态 ${second!.code} 已发言`)).all).toContain('已记录')
    expect((await office.send(`表态 ${second!.code} 已发言`)).all).toContain('没有待表态发言的记录')
    expect(one<{ s: string }>(`select spoke_on as s from meeting_pledges where project_id = ? and period = '2026-10'`, second!.project_id).s).toBe(
      '2026-12-10',
    )
    expect(one<{ n: number }>(`select count(*) as n from audit_log where entity = 'pledge' and action = 'pledge.spoke'`).n).toBe(2)
    // A leader reads the list, but only the office records.
    expect((await h.as(leader).send(`表态 ${first!.code} 已发言`)).all).toContain('限县重点项目建设指挥部办公室使用')
    // After the meeting the list asks for the next date.
    expect((await office.send('表态清单')).all).toContain('下次会议时间待定')
  })
})
