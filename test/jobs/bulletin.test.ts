/**
 * Issue 16 item 5: the monthly 通报 the seeds ask for, posted by the clock after the round closes — each of the
 * four 督查 kinds of zhangzi-2020 names a project built to fall into it (imported from a project list, a 督办
 * issued in chat), and the 通报 of a published month stays byte for byte as sent after a later correction.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { demoCounty, outboxRows, type County } from './helpers.ts'
import { runTick } from '../../src/jobs/tick.ts'
import { shanghaiTime } from '../../src/domain/time.ts'
import { importWorkbook } from '../../src/services/workbook/index.ts'
import { createIntake } from '../../src/intake/index.ts'
import { silentLogger } from '../../src/log.ts'
import { cardText } from '../harness.ts'
import type { BotResult, Card } from '../../src/model/index.ts'

let c: County
let seq = 0
let now = shanghaiTime(2026, 11, 22, 10)

/** A message typed by a person of the roster, through the intake as a channel delivers it. */
async function send(personId: number, text: string): Promise<BotResult> {
  const intake = createIntake({ db: c.db, logger: silentLogger, now: () => now, platforms: ['local'], decoders: {}, transact: c.transact })
  const event = {
    id: `b${++seq}`,
    platform: 'local' as const,
    type: 'text' as const,
    receivedAt: now,
    sender: { platform: 'local' as const, userId: String(personId) },
    chat: { platform: 'local' as const, chatId: `person:${personId}`, kind: 'direct' as const },
    text,
    mentionedBot: true,
  }
  const r = await intake.accept({ platform: 'local', dedupeKey: event.id, raw: JSON.stringify({ event }), event }, { waitMs: Infinity })
  if (r.kind !== 'answered' || !r.result) throw new Error(`the bot failed on ${text}`)
  return r.result
}
const texts = (r: BotResult) => r.messages.map((m) => (m.body.kind === 'text' ? m.body.text : cardText(m.body.card))).join('\n')
const personWith = (role: string, title?: string) =>
  (
    c.sqlite
      .prepare(`select id from people where roles like ? and (? is null or title = ?) order by id`)
      .get(`%${role}%`, title ?? null, title ?? null) as {
      id: number
    }
  ).id

async function tickAt(at: Date) {
  now = at
  await runTick(c.db, at)
}

const CSV = [
  '编号,名称,责任单位,分指挥部/领域,阶段,建设性质,总投资(万元),年度计划投资(万元),计划开工,计划竣工',
  'TB-1,城关镇文旅康养综合体谋划项目,城关镇,文旅康养,谋划,,30000,0,2026-09-01,2028-12-31',
  'TB-2,城关镇新建污水处理厂,城关镇,基础设施,前期,新建,8000,3000,2026-10-10,2027-12-31',
  'TB-3,城关镇老旧小区改造工程,城关镇,基础设施,续建,续建,5000,2000,2025-04-01,2026-10-31',
].join('\n')

let sent: Card

beforeAll(async () => {
  c = await demoCounty(now, ':memory:', { ledger: false })
  const imported = await importWorkbook(c.db, new TextEncoder().encode(CSV), { transact: c.transact, now, year: 2026 })
  expect(imported.errors).toEqual([])
  expect(imported.written).toBe(true)
  // 调度任务: a 督办 issued in chat by the 县长, never answered
  now = shanghaiTime(2026, 11, 23, 10)
  const issued = await send(personWith('leader', '县长'), '督办 城关镇老旧小区改造工程 加快雨污管网改造 3个工作日')
  expect(texts(issued)).toContain('督办')
  await tickAt(shanghaiTime(2026, 11, 25, 9, 1))
  await tickAt(shanghaiTime(2026, 12, 1, 18, 5))
  await tickAt(shanghaiTime(2026, 12, 1, 18, 30))
  const groupRows = outboxRows(c, 'bulletin:2026-11:').filter((r) => r.address === `group:${c.boardGroupIds[0]}`)
  expect(groupRows).toHaveLength(1)
  sent = (groupRows[0]!.body as { card: Card }).card
})
afterAll(() => c.close())

describe('the monthly 通报', () => {
  it('goes to every board group and every leader, once', () => {
    const addresses = outboxRows(c, 'bulletin:2026-11:').map((r) => r.address)
    for (const g of c.boardGroupIds) expect(addresses.filter((a) => a === `group:${g}`)).toHaveLength(1)
    expect(addresses).not.toContain(`group:${c.quietGroupId}`)
    expect(addresses).toContain(`person:${personWith('leader', '县长')}`)
  })

  it('lists each of the four 督查 kinds with the project built to fall into it', () => {
    const text = cardText(sent)
    const line = (n: string) => text.split('\n').find((l) => l.startsWith(n)) ?? ''
    expect(line('一、谋划项目前期工作未按时完成')).toContain('城关镇文旅康养综合体谋划项目（城关镇）')
    expect(line('二、计划开工项目未按时开工')).toMatch(/城关镇新建污水处理厂（城关镇）|等 \d+ 个/)
    expect(line('三、在建项目未按时竣工')).toMatch(/\d+ 个/)
    expect(line('四、调度任务未按时落实')).toContain('城关镇老旧小区改造工程（城关镇）')
    expect(text).toContain('2026年11月 示例县重点项目建设通报')
    expect(text).toMatch(/\*\*乡镇\*\* 前三：/)
  })

  it('keeps the projects of each kind in its typed data (what the Excel export reads)', async () => {
    const { monthlyBulletin } = await import('../../src/services/bulletin.ts')
    const { loadRules } = await import('../../src/services/rules.ts')
    const b = await monthlyBulletin(c.db, await loadRules(c.db), '2026-11', now)
    const of = (kind: string) => b.inspections.find((x) => x.kind === kind)!.items.map((p) => p.code)
    expect(of('preparation')).toContain('TB-1')
    expect(of('start')).toContain('TB-2')
    expect(of('finish')).toContain('TB-3')
    expect(of('task')).toContain('TB-3')
    expect(of('start')).not.toContain('TB-1')
    expect(b.frozenAt).not.toBeNull()
  })

  it('stays byte for byte as sent after a later correction (补报 of a start)', async () => {
    now = shanghaiTime(2026, 12, 2, 10)
    const office = personWith('office')
    // A 计划新开工 project that has not started yet and reported in October.
    const project = c.sqlite
      .prepare(
        `select id, code, name from projects p where planned_new_start = 1 and started_on is null and exists (select 1 from reports r
          join rounds d on d.id = r.round_id where d.period = '2026-10' and r.project_id = p.id and r.current = 1) order by id`,
      )
      .get() as {
      id: number
      code: string
      name: string
    }
    const contact = (
      c.sqlite.prepare('select person_id as id from project_contacts where project_id = ? order by person_id').get(project.id) as { id: number }
    ).id
    expect(texts(await send(office, `补报 ${project.code} 2026-11`))).toContain('补报一次')
    const prev = c.sqlite
      .prepare(
        `select ytd_investment as y from reports r join rounds d on d.id = r.round_id where d.period = '2026-10' and r.project_id = ? and r.current = 1`,
      )
      .get(project.id) as { y: number }
    let r = await send(contact, `本月完成投资100万元，本年累计${prev.y / 10_000 + 100}万元，已于11月20日开工，无问题`)
    if (texts(r).includes('这条进展是哪个项目的')) r = await send(contact, project.name)
    expect(texts(await send(contact, '确认'))).toContain('已收到')
    expect(c.sqlite.prepare('select started_on as s from projects where id = ?').get(project.id)).toEqual({ s: '2026-11-20' })
    const asked = await send(personWith('leader', '县长'), '通报 11月')
    const card = asked.messages.map((m) => m.body).find((b) => b.kind === 'card')
    expect(card && card.kind === 'card' && JSON.stringify(card.card)).toBe(JSON.stringify(sent))
  })
})
