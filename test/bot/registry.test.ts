/**
 * The command registry: a command added as one entry is understood when typed, listed in help, and every
 * button on every card the product sends names a command the bot knows, with arguments its entry accepts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { harness } from '../harness.ts'
import { COMMANDS, commandNamed } from '../../src/bot/commands/index.ts'
import { runTick } from '../../src/jobs/tick.ts'
import { shanghaiTime } from '../../src/domain/time.ts'
import type { Button, Card, MessageBody } from '../../src/model/index.ts'
import pkg from '../../package.json' with { type: 'json' }

let h: Awaited<ReturnType<typeof harness>>
beforeAll(async () => {
  h = await harness({ now: shanghaiTime(2026, 11, 26, 10) })
})
afterAll(() => h.close())

const buttonsOf = (card: Card): Button[] => card.elements.flatMap((e) => (e.kind === 'actions' ? e.buttons : e.kind === 'form' ? [e.submit] : []))

describe('the command registry', () => {
  it('版本 answers with the running version, and shows in help', async () => {
    const someone = h.as('contact', { unit: '城关镇' })
    expect((await someone.send('版本')).all).toContain(`调度助手 Diaodu ${pkg.version}`)
    expect((await someone.send('帮助')).all).toContain('「版本」')
  })

  it('names every command once', () => {
    const names = COMMANDS.map((c) => c.name)
    expect(new Set(names).size).toBe(names.length)
  })

  it('every button on every card the product sent names a known command with arguments it accepts', async () => {
    // A month's worth of cards: the round's prompts, reminders, 催办, the close with its board and 通报.
    for (const at of [
      shanghaiTime(2026, 11, 25, 9),
      shanghaiTime(2026, 11, 27, 9),
      shanghaiTime(2026, 11, 30, 19, 5),
      shanghaiTime(2026, 12, 1, 18, 5),
    ])
      await runTick(h.db, at)
    const leader = h.as('leader', { title: '县长' })
    for (const t of ['帮助', '本月排名', '红黄牌', '通报', '问题', '查 城关镇', '督办 城东污水 加快进度']) await leader.send(t)
    const office = h.as('office')
    await office.send('帮助')
    const bodies = h.sqlite
      .prepare('select body from outbox')
      .all()
      .map((r) => JSON.parse((r as { body: string }).body) as MessageBody)
    const buttons = bodies.flatMap((b) => (b.kind === 'card' ? buttonsOf(b.card) : []))
    expect(buttons.length).toBeGreaterThan(100)
    const seen = new Set<string>()
    for (const b of buttons) {
      const entry = commandNamed(b.command)
      expect(entry, `button 「${b.label}」 names ${b.command}`).toBeDefined()
      seen.add(b.command)
      // Buttons carry their args; forms add their inputs (strings) when submitted.
      expect(entry!.args.safeParse({ ...b.args, form: {} }).success, `args of 「${b.label}」`).toBe(true)
    }
    expect([...seen]).toEqual(expect.arrayContaining(['report', 'board', 'ack', 'submitReport']))
  })
})

describe('已阅 on a 督办 card', () => {
  it('is refused for a 督办 not addressed to that person, and recorded for one who answers for it', async () => {
    const leader = h.as('leader', { title: '县长' })
    const r = await leader.send('督办 城东污水 加快管网施工 3个工作日')
    const id = Number(/D(\d+)/.exec(r.all)?.[1] ?? (h.sqlite.prepare('select max(id) n from supervisions').get() as { n: number }).n)
    const sv = h.sqlite.prepare('select project_id p from supervisions where id = ?').get(id) as { p: number }
    const outsider = h.people.find(
      (p) =>
        (p.roles as string[]).includes('contact') &&
        !h.sqlite.prepare('select 1 from project_contacts where project_id = ? and person_id = ?').get(sv.p, p.id),
    )!
    const acks = () =>
      (
        h.sqlite.prepare(`select count(*) n from audit_log where entity = 'supervision' and entity_id = ? and action = 'ack'`).get(id) as {
          n: number
        }
      ).n
    expect((await h.as('contact', { name: outsider.name }).click('ack', { supervisionId: id })).all).toContain('不是发给您的')
    expect(acks()).toBe(0)
    const contact = h.sqlite.prepare('select person_id id from project_contacts where project_id = ?').get(sv.p) as { id: number }
    const who = h.people.find((p) => p.id === contact.id)!
    expect((await h.as('contact', { name: who.name }).click('ack', { supervisionId: id })).all).toContain(`已阅：督办 D${id}`)
    expect(acks()).toBe(1)
  })
})

describe('the county’s own names', () => {
  it('every reply names the office as the county set it', async () => {
    const { setSetting } = await import('../../src/store/repos/settings.ts')
    await setSetting(h.db, 'county', { name: '清河县', office: '清河县重点项目办' })
    const contact = h.as('contact', { unit: '城关镇' })
    const r = await contact.send('交办 #1 县能源局 5个工作日')
    expect(r.all).toContain('限清河县重点项目办使用')
    expect(r.all).not.toMatch(/\{office\}|县重点项目建设指挥部办公室/)
    await setSetting(h.db, 'county', { name: '示例县', office: '县重点项目建设指挥部办公室' })
  })
})
