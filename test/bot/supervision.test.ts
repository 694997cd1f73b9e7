/**
 * Issue 16 item 1 and issue 12's 督办 cards: a 挂牌督办 answered by the unit (复函 with the five 落实, by the card's
 * form or typed), 退回 by the issuing leader with a reason and answered again, 办结; every card of it shows the
 * state it is in, and an outdated card is refused.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { and, eq } from 'drizzle-orm'
import { cardText, harness } from '../harness.ts'
import { auditLog, outbox, projects, supervisions, units } from '../../src/store/schema.ts'
import { shanghaiTime } from '../../src/domain/time.ts'
import type { Card, MessageBody } from '../../src/model/index.ts'
import { renderCard, validateCard } from '../../src/channels/feishu/render.ts'
import { setConfig } from '../../src/services/settings.ts'

let h: Awaited<ReturnType<typeof harness>>
beforeEach(async () => {
  h = await harness() // Thu 26 Nov 2026, 10:00
})
afterEach(() => h.close())

const cardsOf = (bodies: MessageBody[], id: number) =>
  bodies.flatMap((b) => (b.kind === 'card' && b.card.subject === `supervision:${id}` ? [b.card] : []))
/** What a reader can do on a card (buttons and form submits); each card asked about must render for Feishu. */
const acts = (c: Card) => {
  expect(validateCard(renderCard(c))).toEqual([])
  return c.elements.flatMap((e) => (e.kind === 'actions' ? e.buttons.map((b) => b.label) : e.kind === 'form' ? [e.submit.label] : []))
}
const row = (id: number) => h.db.select().from(supervisions).where(eq(supervisions.id, id)).get()
const audits = async (id: number) =>
  (
    await h.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entity, 'supervision'), eq(auditLog.entityId, id)))
      .all()
  ).map((a) => a.action)

const FULL = { plan: '协调供电公司架设临时线路', unit: '县能源局', leader: '李副县长', person: '王局长', deadline: '12月20日前' }

/** A 督办 by the 副县长 in charge of a project, and the project's unit head and contact who answer it. */
async function issue(matter = '施工用电线路接入') {
  const leader = h.as('leader', { title: '副县长' })
  const [project] = await h.db.select().from(projects).where(eq(projects.leaderPersonId, leader.person.id)).limit(1).all()
  const unit = (await h.db.select().from(units).where(eq(units.id, project!.unitId)).get())!
  const r = await leader.send(`督办 ${project!.code} ${matter}`)
  const id = Number(/（D(\d+)）/.exec(r.all)![1])
  const head = h.as(h.people.find((p) => p.id === unit.headPersonId)!)
  const contactId = (h.sqlite.prepare('select person_id id from project_contacts where project_id = ?').get(project!.id) as { id: number }).id
  const contact = h.as(h.people.find((p) => p.id === contactId)!)
  return { id, r, leader, head, contact, project: project! }
}

describe('挂牌督办: 复函, 退回, 办结', () => {
  it('is answered by the form, 退回 with a reason, answered again by text, 办结; every card follows; a stale card is refused', async () => {
    const { id, r, leader, head, contact } = await issue()
    // Due three working days from receipt: Thu 26 Nov → Tue 1 Dec.
    expect(r.all).toContain('须于 12月1日（3 个工作日）前复函')
    expect(await row(id)).toMatchObject({ state: 'open', replyDueOn: '2026-12-01', receivedAt: h.now.getTime(), cadence: 'default' })
    const [headCard] = cardsOf(await head.inbox(), id)
    expect(acts(headCard!)).toEqual(['提交复函', '已阅'])
    expect(cardText(headCard!)).toContain('解决办法=')
    expect(cardText(headCard!)).toContain('请于 12月1日 前复函')

    // An incomplete form says what is missing and changes nothing.
    const part = await head.click('replySupervision', { supervisionId: id, state: 'open' }, { plan: FULL.plan, unit: FULL.unit })
    expect(part.all).toContain('复函未登记，还缺：责任领导、责任人、解决时限')
    expect((await row(id))!.state).toBe('open')
    expect(await audits(id)).toEqual(['issue'])

    // The whole form: the 复函 goes to the leader with 办结 / 退回; the unit's cards stop asking.
    const replied = await head.click('replySupervision', { supervisionId: id, state: 'open' }, FULL)
    expect(replied.all).toContain(`已复函督办 D${id}`)
    expect(await row(id)).toMatchObject({ state: 'replied', repliedBy: head.person.id, replyFields: FULL })
    const [toLeader] = cardsOf(await leader.inbox(), id)
    expect(acts(toLeader!)).toEqual(['办结', '退回'])
    expect(cardText(toLeader!)).toContain('责任人：王局长')
    for (const who of [head, contact]) for (const c of cardsOf(await who.inbox(), id)) expect(acts(c)).not.toContain('提交复函')

    // 退回 needs a reason; with one, back to the unit, due three working days from the return.
    h.at(shanghaiTime(2026, 11, 27, 15)) // Fri
    const bare = await leader.send(`退回 D${id}`)
    expect(bare.all).toContain(`请写明退回理由，例如「退回 D${id}`)
    expect((await row(id))!.state).toBe('replied')
    const back = await leader.click('returnSupervision', { supervisionId: id, state: 'replied' }, { reason: '解决时限过长，请压缩到本月15日前' })
    expect(back.all).toContain('已退回责任单位重新复函，时限 12月2日')
    expect(await row(id)).toMatchObject({ state: 'returned', replyDueOn: '2026-12-02', returnReason: '解决时限过长，请压缩到本月15日前' })
    expect(acts(back.result.updateCard!)).toEqual([])
    const headNow = cardsOf(await head.inbox(), id)
    expect(headNow.some((c) => cardText(c).includes('退回理由**：解决时限过长') && acts(c).includes('提交复函'))).toBe(true)
    // The form comes back filled with the 复函 that was sent back.
    expect(cardText(headNow.at(-1)!)).toContain('责任人=王局长')

    // Typed, the labels in any order, full-width and half-width colons: answered again.
    const typed = await contact.send(
      `复函 D${id} 责任人:王局长；解决时限：12月15日前 解决办法：临时线路本周架设，正式线路同步报装 责任单位:县能源局 责任领导：李副县长`,
    )
    expect(typed.all).toContain(`已复函督办 D${id}`)
    expect((await row(id))!.replyFields).toMatchObject({ deadline: '12月15日前', person: '王局长', plan: '临时线路本周架设，正式线路同步报装' })

    // 办结 by the leader: every card of the 督办 reads 已办结 and offers nothing.
    const closed = await leader.send(`办结 D${id}`)
    expect(closed.all).toContain(`督办 D${id}`)
    expect(closed.all).toContain('已办结')
    expect(await row(id)).toMatchObject({ state: 'closed', closedBy: leader.person.id })
    expect((await head.inbox()).some((b) => b.kind === 'text' && b.text.includes(`督办 D${id}`) && b.text.includes('办结'))).toBe(true)
    const rows = await h.db
      .select()
      .from(outbox)
      .where(eq(outbox.subject, `supervision:${id}`))
      .all()
    expect(rows.length).toBeGreaterThanOrEqual(4)
    for (const o of rows) {
      const c = (o.body as MessageBody & { kind: 'card' }).card
      expect(c.subtitle).toContain('已办结')
      expect(acts(c)).toEqual([])
    }

    // The old 复函 form submitted now: refused with the state, nothing changes.
    const before = await audits(id)
    const stale = await head.click('replySupervision', { supervisionId: id, state: 'returned' }, FULL)
    expect(stale.all).toContain(`此卡片已过期：督办 D${id} 当前为 已办结`)
    expect(acts(stale.result.updateCard!)).toEqual([])
    const staleClose = await leader.click('closeSupervision', { supervisionId: id, state: 'replied' })
    expect(staleClose.all).toContain('此卡片已过期')
    expect(await audits(id)).toEqual(before)
    expect(before).toEqual(['issue', 'reply', 'return', 'reply', 'close'])
  })

  it('a typed 复函 with fields missing names them and changes nothing; only the unit answers, only the issuer decides', async () => {
    const { id, head, contact } = await issue()
    const miss = await contact.send(`复函 D${id} 解决办法：协调供电公司 责任人：王局长`)
    expect(miss.all).toContain('还缺：责任单位、责任领导、解决时限')
    expect((await row(id))!.state).toBe('open')
    const outsider = h.as('unit_head', { unit: '县住建局' })
    if (outsider.person.id !== head.person.id)
      expect((await outsider.send(`复函 D${id} ${Object.values(FULL).join(' ')}`)).all).toContain('不是发给您单位的')
    // Without the number: the latest 督办 on the person's cards that waits for a 复函.
    const labelled = `解决办法：${FULL.plan} 责任单位：${FULL.unit} 责任领导：${FULL.leader} 责任人：${FULL.person} 解决时限：${FULL.deadline}`
    expect((await head.send(`复函 ${labelled}`)).all).toContain(`已复函督办 D${id}`)
    // Another leader may not 办结 it; nor may the unit.
    const issuedBy = (await row(id))!.issuedBy
    const other = h.people.find((p) => p.title === '副县长' && p.id !== issuedBy)!
    expect((await h.as(other).send(`办结 D${id}`)).all).toContain('须由其办结或退回')
    expect((await head.send(`办结 D${id}`)).all).toContain('须由其办结或退回')
    expect((await row(id))!.state).toBe('replied')
  })

  it('已阅 takes the 已阅 button off that reader’s cards and leaves the 复函 form', async () => {
    const { id, head } = await issue()
    const ack = await head.click('ack', { supervisionId: id })
    expect(ack.all).toContain(`已阅：督办 D${id}`)
    expect(acts(ack.result.updateCard!)).toEqual(['提交复函'])
    for (const c of cardsOf(await head.inbox(), id)) expect(acts(c)).toEqual(['提交复函'])
    expect((await head.send('已阅')).all).toContain('您没有待确认的督办或通报')
  })

  it('follows the 13710 cadence once the county chooses it: 3 days to report back, and a 重大 problem a month', async () => {
    await setConfig(h.db, h.transact, 'dispatch.cadence.supervision', '13710', { now: h.now })
    await setConfig(h.db, h.transact, 'dispatch.cadence.problems', '13710', { now: h.now })
    const { id, r } = await issue()
    // Thu 26 Nov + 3 calendar days (13710 counts plain days): Sun 29 Nov.
    expect(r.all).toContain('须于 11月29日（13710：3日内反馈）前复函')
    expect(await row(id)).toMatchObject({ cadence: '13710', replyDueOn: '2026-11-29' })
    const problemId = (h.sqlite.prepare(`select id from problems where state = 'new' order by id limit 1`).get() as { id: number }).id
    await h.as('office').send(`交办 #${problemId} 县自然资源局 重大 方案：专班推进`)
    expect(h.sqlite.prepare('select due_on d, severity s from problems where id = ?').get(problemId)).toEqual({ d: '2026-12-26', s: 'major' })
  })
})
