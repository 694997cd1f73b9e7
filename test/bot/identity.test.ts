/**
 * Issue 11: identity comes from the platform's directory or from the office, never from what a user types.
 * Every test here failed on the old 「绑定 手机号」, which bound any account to whoever had that mobile.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { and, eq } from 'drizzle-orm'
import { harness, cardText, textOf } from '../harness.ts'
import { bindRequests, identities } from '../../src/store/schema.ts'
import { bindIdentity, issueBindCode, personByIdentity } from '../../src/store/repos/directory.ts'
import {
  BIND_LIMITED as LIMITED,
  BIND_SUBMITTED as SUBMITTED,
  BIND_CODE_VALID_MS,
  firstContactResolver,
  resolveIdentities,
  type Directory,
} from '../../src/bot/identity.ts'
import { createSdkSender } from '../../src/channels/feishu/sdk.ts'
import { startFakeFeishu, type FakeFeishu } from '../fakes/feishu.ts'
import { shanghaiTime } from '../../src/domain/time.ts'
import type { BotResult, Card } from '../../src/model/index.ts'

let h: Awaited<ReturnType<typeof harness>>
beforeEach(async () => {
  h = await harness({ now: shanghaiTime(2026, 11, 26, 10) })
})
afterEach(() => h.close())

const mayor = () => h.find('leader', { title: '县长' })
const officeIds = () => h.people.filter((p) => (p.roles as string[]).includes('office')).map((p) => p.id)

/** Everything the bot said into the sender's own chat (texts and cards). */
const toChat = (r: BotResult, chatId: string) =>
  r.messages
    .filter((m) => m.to.kind === 'chat' && m.to.chat.chatId === chatId)
    .map((m) => textOf(m.body))
    .join('\n')
/** The cards addressed to the office. */
const officeCards = (r: BotResult): Card[] =>
  r.messages.flatMap((m) => (m.to.kind === 'person' && officeIds().includes(m.to.personId) && m.body.kind === 'card' ? [m.body.card] : []))
const buttonArgs = (card: Card, command: string) => {
  for (const e of card.elements) if (e.kind === 'actions') for (const b of e.buttons) if (b.command === command) return b.args ?? {}
  return undefined
}
const identitiesOf = (personId: number) =>
  h.db
    .select()
    .from(identities)
    .where(and(eq(identities.personId, personId), eq(identities.platform, 'feishu')))
    .all()

// The replies name the office as the demo county sets it.
const OFFICE = '县重点项目建设指挥部办公室'
const BIND_SUBMITTED = SUBMITTED.replaceAll('{office}', OFFICE)
const BIND_LIMITED = LIMITED.replaceAll('{office}', OFFICE)

describe('a typed mobile does not bind', () => {
  it('the 县长’s mobile from a stranger files a request, binds nothing and names no one', async () => {
    const m = mayor()
    const s = h.stranger('ou_stranger')
    const r = await s.send(`绑定 ${m.mobile}`)
    const said = toChat(r.result, 'oc_ou_stranger')
    expect(said).toContain(BIND_SUBMITTED)
    expect(said).not.toContain(m.name)
    expect(said).not.toContain('县长')
    expect(await personByIdentity(h.db, 'feishu', 'ou_stranger')).toBeUndefined()
    expect(await identitiesOf(m.id)).toHaveLength(0)
    // Still a stranger: 督办 and 帮助 get the binding hint, not the 县长's powers.
    const after = await s.send('督办 XM2026-001 加快施工许可办理')
    expect(after.all).toContain('绑定 手机号')
    expect(after.all).not.toContain(m.name)
    // The office got a card to confirm, naming the person and the account.
    const cards = officeCards(r.result)
    expect(cards).toHaveLength(officeIds().length)
    expect(cardText(cards[0]!)).toContain(m.name)
    expect(cardText(cards[0]!)).toContain('ou_stranger')
    expect(buttonArgs(cards[0]!, 'approveBind')).toMatchObject({ requestId: expect.any(Number) })
  })

  it('an unknown mobile gets the same answer as a known one (no roster oracle)', async () => {
    const s = h.stranger('ou_guess')
    const unknown = toChat((await s.send('绑定 13800000000')).result, 'oc_ou_guess')
    const known = toChat((await s.send(`绑定 ${mayor().mobile}`)).result, 'oc_ou_guess')
    expect(unknown).toBe(known)
  })
})

describe('the office confirms', () => {
  it('同意 binds the account; the requester is told, and their next 帮助 is the person’s help', async () => {
    const m = mayor()
    const s = h.stranger('ou_mayor_phone')
    const r = await s.send(`绑定 ${m.mobile}`)
    const { requestId } = buttonArgs(officeCards(r.result)[0]!, 'approveBind')!
    // Only the office may decide.
    expect((await h.as('leader', { title: '县长' }).click('approveBind', { requestId })).all).toContain('限县重点项目建设指挥部办公室')
    expect(await personByIdentity(h.db, 'feishu', 'ou_mayor_phone')).toBeUndefined()

    const office = h.as('office')
    const ok = await office.click('approveBind', { requestId })
    expect(ok.result.toast?.kind).toBe('success')
    expect(ok.result.updateCard && cardText(ok.result.updateCard)).toContain('已同意')
    expect(toChat(ok.result, 'oc_ou_mayor_phone')).toContain(m.name)
    expect((await personByIdentity(h.db, 'feishu', 'ou_mayor_phone'))?.id).toBe(m.id)
    const [row] = await h.db
      .select()
      .from(bindRequests)
      .where(eq(bindRequests.id, Number(requestId)))
      .all()
    expect(row).toMatchObject({ state: 'approved', decidedBy: office.person.id })

    const help = await s.send('帮助')
    const body = help.result.messages[0]!.body
    expect(body.kind).toBe('card')
    expect(textOf(body)).toContain(m.name)
    // A second click (the other office person's copy of the card) changes nothing.
    expect(
      (await h.as(h.people.find((p) => officeIds().includes(p.id) && p.id !== office.person.id)!).click('approveBind', { requestId })).all,
    ).toContain('无需再处理')
  })

  it('拒绝 leaves the account unbound and tells the requester without naming anyone', async () => {
    const m = mayor()
    const s = h.stranger('ou_impostor')
    const { requestId } = buttonArgs(officeCards((await s.send(`绑定 ${m.mobile}`)).result)[0]!, 'rejectBind')!
    const no = await h.as('office').click('rejectBind', { requestId })
    const told = toChat(no.result, 'oc_ou_impostor')
    expect(told).toContain('未通过')
    expect(told).not.toContain(m.name)
    expect(await personByIdentity(h.db, 'feishu', 'ou_impostor')).toBeUndefined()
    expect((await h.as('office').click('approveBind', { requestId })).all).toContain('无需再处理')
    expect(await personByIdentity(h.db, 'feishu', 'ou_impostor')).toBeUndefined()
  })
})

describe('existing bindings stay as they are', () => {
  it('a person bound on the platform cannot be re-bound by a typed mobile; the office is alerted', async () => {
    const head = h.find('unit_head', { unit: '城关镇' })
    await bindIdentity(h.db, head.id, 'feishu', 'ou_head_real', h.now.getTime())
    const s = h.stranger('ou_attacker')
    const r = await s.send(`绑定 ${head.mobile}`)
    expect(toChat(r.result, 'oc_ou_attacker')).toContain(BIND_SUBMITTED)
    expect(toChat(r.result, 'oc_ou_attacker')).not.toContain(head.name)
    expect((await identitiesOf(head.id)).map((i) => i.userId)).toEqual(['ou_head_real'])
    expect(await personByIdentity(h.db, 'feishu', 'ou_attacker')).toBeUndefined()
    const [alert] = officeCards(r.result)
    expect(cardText(alert!)).toContain('不会')
    expect(buttonArgs(alert!, 'approveBind')).toBeUndefined()
    // Even an approve aimed at that request does nothing.
    const [req] = await h.db.select().from(bindRequests).where(eq(bindRequests.userId, 'ou_attacker')).all()
    await h.as('office').click('approveBind', { requestId: req!.id })
    expect(await personByIdentity(h.db, 'feishu', 'ou_attacker')).toBeUndefined()
  })

  it('a bound account typing someone else’s mobile stays bound to itself', async () => {
    const head = h.find('unit_head', { unit: '城关镇' })
    await bindIdentity(h.db, head.id, 'feishu', 'ou_head_real', h.now.getTime())
    const r = await h.stranger('ou_head_real').send(`绑定 ${mayor().mobile}`)
    expect(r.all).toContain(head.name)
    expect(r.all).not.toContain(mayor().name)
    expect((await personByIdentity(h.db, 'feishu', 'ou_head_real'))?.id).toBe(head.id)
    expect(await h.db.select().from(bindRequests).all()).toHaveLength(0)
  })

  it('approving a request after the person got bound another way does not move the binding', async () => {
    const m = mayor()
    const r = await h.stranger('ou_late').send(`绑定 ${m.mobile}`)
    const { requestId } = buttonArgs(officeCards(r.result)[0]!, 'approveBind')!
    await bindIdentity(h.db, m.id, 'feishu', 'ou_mayor_cli', h.now.getTime())
    const late = await h.as('office').click('approveBind', { requestId })
    expect(late.result.toast?.kind).toBe('warning')
    expect((await identitiesOf(m.id)).map((i) => i.userId)).toEqual(['ou_mayor_cli'])
  })
})

describe('rate limit', () => {
  it('refuses the 6th attempt within an hour, counted in the database, and allows again an hour later', async () => {
    const s = h.stranger('ou_brute')
    const base = 13950007000
    const answers: string[] = []
    for (let i = 0; i < 6; i++) answers.push(toChat((await s.send(`绑定 ${base + i}`)).result, 'oc_ou_brute'))
    expect(answers.slice(0, 5).every((a) => a === BIND_SUBMITTED)).toBe(true)
    expect(answers[5]).toBe(BIND_LIMITED)
    // The count lives in bind_requests: a fresh intake (a restart) still refuses.
    expect(await h.db.select().from(bindRequests).where(eq(bindRequests.userId, 'ou_brute')).all()).toHaveLength(5)
    expect(toChat((await s.send(`绑定 ${mayor().mobile}`)).result, 'oc_ou_brute')).toBe(BIND_LIMITED)
    expect(await h.db.select().from(bindRequests).where(eq(bindRequests.personId, mayor().id)).all()).toHaveLength(0)
    h.at(shanghaiTime(2026, 11, 26, 11, 1))
    expect(toChat((await s.send(`绑定 ${mayor().mobile}`)).result, 'oc_ou_brute')).toBe(BIND_SUBMITTED)
  })

  it('limits code guesses the same way', async () => {
    const m = mayor()
    await issueBindCode(h.db, m.id, '482913', h.now.getTime(), BIND_CODE_VALID_MS)
    const s = h.stranger('ou_guesser')
    for (let i = 0; i < 5; i++) expect((await s.send(`绑定 ${m.mobile} ${String(100000 + i)}`)).all).toContain('验证码不正确')
    expect((await s.send(`绑定 ${m.mobile} 482913`)).all).toBe(BIND_LIMITED)
    expect(await personByIdentity(h.db, 'feishu', 'ou_guesser')).toBeUndefined()
  })
})

describe('one-time codes from the office', () => {
  it('binds with the right code once; a wrong, used or expired code binds nothing', async () => {
    const m = mayor()
    await issueBindCode(h.db, m.id, '482913', h.now.getTime(), BIND_CODE_VALID_MS)
    const s = h.stranger('ou_mayor_new')
    const wrong = await s.send(`绑定 ${m.mobile} 111111`)
    expect(wrong.all).toContain('验证码不正确')
    expect(wrong.all).not.toContain(m.name)
    expect((await s.send(`绑定 ${m.mobile} 验证码 482913`)).all).toContain(`绑定成功：${m.name}`)
    expect((await personByIdentity(h.db, 'feishu', 'ou_mayor_new'))?.id).toBe(m.id)
    expect((await h.stranger('ou_other').send(`绑定 ${m.mobile} 482913`)).all).toContain('验证码不正确')
    expect(await personByIdentity(h.db, 'feishu', 'ou_other')).toBeUndefined()

    const head = h.find('unit_head', { unit: '城关镇' })
    await issueBindCode(h.db, head.id, '555666', h.now.getTime(), BIND_CODE_VALID_MS)
    h.at(shanghaiTime(2026, 11, 29, 10, 1)) // 72 h and a minute later
    expect((await h.stranger('ou_head').send(`绑定 ${head.mobile} 555666`)).all).toContain('验证码不正确')
    expect(await personByIdentity(h.db, 'feishu', 'ou_head')).toBeUndefined()
  })
})

describe('the platform directory (fake Feishu on 127.0.0.1)', () => {
  let fake: FakeFeishu
  afterEach(async () => fake?.close())

  const feishuDirectory = (f: FakeFeishu): Directory => {
    const sender = createSdkSender({ appId: 'cli_test', appSecret: 'secret', domain: f.url })
    return { platform: 'feishu', batchSize: 50, userIdsByMobile: (m) => sender.userIdsByMobile(m) }
  }

  it('binds roster people by mobile through batch_get_id, never replacing a binding', async () => {
    const m = mayor()
    const head = h.find('unit_head', { unit: '城关镇' })
    const contact = h.find('contact', { unit: '县住建局' })
    await bindIdentity(h.db, head.id, 'feishu', 'ou_head_old', h.now.getTime())
    fake = await startFakeFeishu({
      appId: 'cli_test',
      appSecret: 'secret',
      directory: { [m.mobile!]: 'ou_mayor_dir', [head.mobile!]: 'ou_head_dir', [contact.mobile!]: 'ou_head_old' },
    })
    const withMobile = h.people.filter((p) => p.mobile).length
    const report = await resolveIdentities(h.db, feishuDirectory(fake), { now: h.now })
    expect(report.failed).toBeUndefined()
    expect(report.looked).toBe(withMobile - 1) // everyone but the bound head
    expect(fake.directoryLookups.every((l) => l.length <= 50)).toBe(true)
    expect(fake.directoryLookups.flat()).not.toContain(head.mobile)
    expect(report.bound).toEqual([{ personId: m.id, name: m.name, userId: 'ou_mayor_dir' }])
    expect(report.conflicts).toEqual([{ personId: contact.id, name: contact.name, userId: 'ou_head_old', reason: 'accountTaken' }])
    expect((await personByIdentity(h.db, 'feishu', 'ou_head_old'))?.id).toBe(head.id)
    expect(await personByIdentity(h.db, 'feishu', 'ou_head_dir')).toBeUndefined()
    // The 县长's account is known on its first message.
    const help = await h.stranger('ou_mayor_dir').send('帮助')
    expect(textOf(help.result.messages[0]!.body)).toContain(m.name)
    // A second sync has nothing new.
    expect((await resolveIdentities(h.db, feishuDirectory(fake), { now: h.now })).bound).toHaveLength(0)
  })

  it('without the contact scope it reports the failure and binds nothing; a token is required', async () => {
    fake = await startFakeFeishu({ appId: 'cli_test', appSecret: 'secret', directory: { [mayor().mobile!]: 'ou_mayor_dir' }, directoryDenied: true })
    const report = await resolveIdentities(h.db, feishuDirectory(fake), { now: h.now })
    expect(report.failed).toContain('99991672')
    expect(report.bound).toHaveLength(0)
    expect(await h.db.select().from(identities).where(eq(identities.platform, 'feishu')).all()).toHaveLength(0)
    const bare = await fetch(`${fake.url}/open-apis/contact/v3/users/batch_get_id?user_id_type=open_id`, {
      method: 'POST',
      body: JSON.stringify({ mobiles: ['13950007919'] }),
    })
    expect(((await bare.json()) as { code: number }).code).toBe(99991661)
  })

  it('a channel’s first-contact hook syncs once for an unknown account, so its first message is recognised', async () => {
    const m = mayor()
    fake = await startFakeFeishu({ appId: 'cli_test', appSecret: 'secret', directory: { [m.mobile!]: 'ou_mayor_dir' } })
    const known = firstContactResolver(h.db, feishuDirectory(fake), { now: () => h.now })
    expect(await known({ platform: 'feishu', userId: 'ou_mayor_dir' })).toBe(true)
    expect(await known({ platform: 'feishu', userId: 'ou_nobody' })).toBe(false)
    expect(fake.directoryLookups).toHaveLength(Math.ceil(h.people.filter((p) => p.mobile).length / 50))
  })
})
