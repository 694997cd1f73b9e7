/**
 * Issue 12, items 1–3 as officials met them in the local channel: every card of a problem shows its current
 * state wherever it was sent, a click on an outdated card is refused with that state and changes nothing, and
 * 驳回 / 申请销号 carry their reason / 说明.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { and, eq } from 'drizzle-orm'
import { cardText, harness, promptForm, textOf } from '../harness.ts'
import { outbox, problemEvents, problems } from '../../src/store/schema.ts'
import { projectsOfContact } from '../../src/store/repos/projects.ts'
import type { Card, MessageBody } from '../../src/model/index.ts'
import { renderCard, validateCard } from '../../src/channels/feishu/render.ts'

let h: Awaited<ReturnType<typeof harness>>
beforeEach(async () => {
  h = await harness()
})
afterEach(() => h.close())

const cardsOf = (bodies: MessageBody[], id: number) =>
  bodies.flatMap((b) => (b.kind === 'card' && b.card.subject === `problem:${id}` ? [b.card] : []))
const buttons = (c: Card) =>
  c.elements.flatMap((e) => (e.kind === 'actions' ? e.buttons.map((b) => b.label) : e.kind === 'form' ? [e.submit.label] : []))
/** Whether a card has a form; every card asked about is also checked to render as a valid Feishu card. */
const hasForm = (c: Card | undefined) => {
  if (c) expect(validateCard(renderCard(c))).toEqual([])
  return !!c?.elements.some((e) => e.kind === 'form')
}

/** A problem raised by a 县住建局 contact's report: its id, the contact, and the office person. */
async function raise(description: string) {
  const contact = h.as('contact', { unit: '县住建局' })
  const [project] = await projectsOfContact(h.db, contact.person.id)
  const form = promptForm((await contact.send(`填报 ${project!.code}`)).cards[0]!)
  await contact.click('submitReport', form.args, { ytd: String(form.prevYtdWan), problems: description })
  const p = await h.db
    .select()
    .from(problems)
    .where(and(eq(problems.projectId, project!.id), eq(problems.description, description)))
    .get()
  return { id: p!.id, contact, office: h.as('office') }
}

const problem = (id: number) => h.db.select().from(problems).where(eq(problems.id, id)).get()
const history = async (id: number) => (await h.db.select().from(problemEvents).where(eq(problemEvents.problemId, id)).all()).map((e) => e.toState)
const unitId = (name: string) => h.units.find((u) => u.name === name)!.id

describe('every card of a problem tells its current state', () => {
  it('交办 typed, a stale form refused, a deliberate re-assignment told, 申请销号 with 说明, 驳回 with reason, 销号: each card updated', async () => {
    const { id, contact, office } = await raise('施工用电线路未接通')
    const [newCard] = cardsOf(await office.inbox(), id)
    expect(newCard!.title).toContain('新问题待交办')
    expect(hasForm(newCard)).toBe(true)

    // Typed 交办: the office's 新问题待交办 card loses its form and reads 已交办 县自然资源局.
    expect((await office.send(`交办 #${id} 县自然资源局 5个工作日`)).all).toContain('已交办 县自然资源局')
    const [officeCard] = cardsOf(await office.inbox(), id)
    expect(hasForm(officeCard)).toBe(false)
    expect(cardText(officeCard!)).toContain('责任单位：县自然资源局')
    const land = h.as('unit_head', { unit: '县自然资源局' })
    const [landCard] = cardsOf(await land.inbox(), id)
    expect(buttons(landCard!)).toEqual(['更新进展', '申请销号'])

    // The old form submitted later: refused with the state, nothing changes.
    const before = await history(id)
    const stale = await office.click('assign', { problemId: id, state: 'new' }, { unit: String(unitId('县住建局')), workdays: '7' })
    expect(stale.all).toContain(`此卡片已过期：问题 #${id} 当前为 已交办（县自然资源局）`)
    expect(stale.result.updateCard && hasForm(stale.result.updateCard)).toBe(false)
    expect((await problem(id))!.assigneeUnitId).toBe(unitId('县自然资源局'))
    expect(await history(id)).toEqual(before)

    // A deliberate re-assignment (typed): 县自然资源局 is told and its card no longer acts.
    expect((await office.send(`交办 #${id} 县能源局 5个工作日`)).all).toContain('已告知原责任单位 县自然资源局')
    const landInbox = await land.inbox()
    expect(landInbox.map(textOf).join('\n')).toContain(`问题 #${id}（施工用电线路未接通）已改为交办 县能源局`)
    const [landNow] = cardsOf(landInbox, id)
    expect(cardText(landNow!)).toContain('责任单位：县能源局')
    expect(buttons(landNow!)).toEqual([])
    // His old 申请销号 button is refused with the state, not "不是交办给您单位的".
    const landClick = await land.click('requestClose', { problemId: id, state: 'assigned', unit: unitId('县自然资源局') })
    expect(landClick.all).toContain(`此卡片已过期：问题 #${id} 当前为 已交办（县能源局）`)
    expect((await land.send(`申请销号 #${id} 已办结`)).all).toContain(`问题 #${id} 当前为 已交办（县能源局），不是交办给您单位的`)

    // 申请销号 from the button: first the 说明, then what will be filed, then filed.
    const energy = h.as('unit_head', { unit: '县能源局' })
    const [energyCard] = cardsOf(await energy.inbox(), id)
    const request = energyCard!.elements.flatMap((e) => (e.kind === 'actions' ? e.buttons : [])).find((b) => b.label === '申请销号')!
    const ask = await energy.click('requestClose', request.args)
    expect(hasForm(ask.result.updateCard)).toBe(true)
    expect((await problem(id))!.state).toBe('assigned')
    const confirm = await energy.click('requestClose', request.args, { note: '临时用电已接通' })
    expect(cardText(confirm.result.updateCard!)).toContain('临时用电已接通')
    expect(hasForm(confirm.result.updateCard)).toBe(false)
    expect(buttons(confirm.result.updateCard!)).toContain('确认申请')
    expect((await problem(id))!.state).toBe('assigned')
    const go = confirm.result.updateCard!.elements.flatMap((e) => (e.kind === 'actions' ? e.buttons : [])).find((b) => b.label === '确认申请')!
    expect((await energy.click('requestClose', go.args)).all).toContain('等待提出人确认')
    // No card of the problem still reads 已交办 (the assignee's, the office's, the first assignee's).
    for (const who of [energy, office, land]) for (const c of cardsOf(await who.inbox(), id)) expect(c.subtitle).toContain('申请销号')
    const [toReporter] = cardsOf(await contact.inbox(), id)
    expect(buttons(toReporter!)).toEqual(['确认销号', '驳回'])
    expect(cardText(toReporter!)).toContain('临时用电已接通')

    // 驳回 from the card asks for the reason (no canned one); then filed with it.
    const reject = toReporter!.elements.flatMap((e) => (e.kind === 'actions' ? e.buttons : [])).find((b) => b.label === '驳回')!
    const why = await contact.click('reject', reject.args)
    expect(hasForm(why.result.updateCard)).toBe(true)
    expect((await problem(id))!.state).toBe('close_requested')
    const rejected = await contact.click('reject', reject.args, { reason: '临时用电仍未接通' })
    expect(rejected.all).toContain('理由：临时用电仍未接通')
    expect(rejected.all).not.toContain('问题尚未解决')
    // The reporter's own card shows the rejection, not the assignee's buttons.
    expect(buttons(rejected.result.updateCard!)).toEqual([])
    expect(rejected.result.updateCard!.title).toContain('已驳回')
    for (const c of cardsOf(await contact.inbox(), id)) expect(buttons(c)).toEqual([])
    // The assignee gets it with the reason, and can act again.
    const energyCards = cardsOf(await energy.inbox(), id)
    expect(energyCards.some((c) => c.title.includes('销号申请被驳回') && cardText(c).includes('临时用电仍未接通'))).toBe(true)
    for (const c of energyCards) expect(buttons(c)).toEqual(['更新进展', '申请销号'])
    // A typed 驳回 afterwards answers with the state now.
    const again = await contact.send(`驳回 #${id} 还是没电`)
    expect(again.all).toContain(`问题 #${id} 已驳回（理由：临时用电仍未接通），当前为 推进中（县能源局）`)

    // Filed again (typed, with its 说明) and confirmed: every card of the problem reads 已销号, none acts.
    await energy.send(`申请销号 #${id} 已通电`)
    const [confirmCard] = cardsOf(await contact.inbox(), id)
    const close = confirmCard!.elements.flatMap((e) => (e.kind === 'actions' ? e.buttons : [])).find((b) => b.label === '确认销号')!
    expect((await contact.click('confirmClose', close.args)).all).toContain('已销号')
    const rows = await h.db
      .select()
      .from(outbox)
      .where(eq(outbox.subject, `problem:${id}`))
      .all()
    expect(rows.length).toBeGreaterThanOrEqual(5)
    for (const r of rows) {
      const card = (r.body as MessageBody & { kind: 'card' }).card
      expect(card.title).toContain('已销号')
      expect(buttons(card)).toEqual([])
    }
    // A click on any earlier button now: refused, still closed.
    expect((await contact.click('reject', reject.args, { reason: '再驳回' })).all).toContain(`此卡片已过期：问题 #${id} 当前为 已销号`)
    expect(await history(id)).toEqual(['new', 'assigned', 'assigned', 'close_requested', 'in_progress', 'close_requested', 'closed'])
  })

  it('a typed 驳回 without a reason asks for one and changes nothing', async () => {
    const { id, contact, office } = await raise('林地手续未批')
    await office.send(`交办 #${id} 县自然资源局 5个工作日`)
    await h.as('unit_head', { unit: '县自然资源局' }).send(`申请销号 #${id} 已批复`)
    const r = await contact.send(`驳回 #${id}`)
    expect(r.cards.some((c) => hasForm(c) && cardText(c).includes('驳回理由'))).toBe(true)
    expect((await problem(id))!.state).toBe('close_requested')
  })

  it('更新进展 from the card asks for the 进展; a 已交办 card still acts once the problem is 推进中', async () => {
    const { id, office } = await raise('林地手续未批')
    await office.send(`交办 #${id} 县自然资源局 5个工作日`)
    const land = h.as('unit_head', { unit: '县自然资源局' })
    const [card] = cardsOf(await land.inbox(), id)
    const [update, request] = card!.elements.flatMap((e) => (e.kind === 'actions' ? e.buttons : []))
    expect(hasForm((await land.click('update', update!.args)).result.updateCard)).toBe(true)
    expect((await land.click('update', update!.args, { note: '材料已上报' })).all).toContain('进展已更新：材料已上报')
    expect((await problem(id))!.state).toBe('in_progress')
    // The button made for 已交办: the same work now, so not refused.
    const asked = await land.click('requestClose', request!.args)
    expect(asked.all).not.toContain('此卡片已过期')
    expect(hasForm(asked.result.updateCard)).toBe(true)
  })
})
