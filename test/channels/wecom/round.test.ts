/**
 * The WeCom channel end to end on loopback: our server (startWecom: the callback routes, our fetch client,
 * the outbox drain) talks to the fake WeCom API, which checks tokens, message shapes and the per-member
 * limit like the real one. A bound member types 帮助, clicks a button of the card that comes back, asks to
 * report and gets one template card per project with a 填报 button; a token WeCom expired early is
 * refetched once. A clicked card shows its new state: in the callback's encrypted response when the bot answers
 * within the budget (passive.ts; the click's code stays unspent), else through update_template_card with the
 * click's single-use ResponseCode (the suite API_SUITE turns the passive reply off): the office's 新问题待交办
 * card, refreshed with its send's response_code when the problem is assigned by typing, is clicked; the click is
 * refused with the problem's state and the very card clicked is replaced, keeping its task_id. The same
 * ResponseCode is never spent twice.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { serve, type ServerType } from '@hono/node-server'
import type { AddressInfo } from 'node:net'
import { and, eq } from 'drizzle-orm'
import { openNodeDatabase, type NodeDatabase } from '../../../src/runtime/node/sqlite.ts'
import { loadDemoCounty } from '../../../src/demo/county.ts'
import { shanghaiTime } from '../../../src/domain/time.ts'
import { createApp } from '../../../src/http/app.ts'
import { loadConfig, describeConfig } from '../../../src/config.ts'
import { silentLogger } from '../../../src/log.ts'
import { inboundLog, outbox, people, problems, projectContacts, wecomCardCodes } from '../../../src/store/schema.ts'
import { decryptWecom, wecomKeys, wecomSignature } from '../../../src/channels/wecom/crypto.ts'
import { parseFlatXml } from '../../../src/channels/wecom/events.ts'
import { PASSIVE_REPLACED_LABEL } from '../../../src/channels/wecom/passive.ts'
import { peopleWithRole } from '../../../src/store/repos/people.ts'
import { projectsOfContact } from '../../../src/store/repos/projects.ts'
import { OUTDATED_LABEL, REPLACED_LABEL } from '../../../src/channels/wecom/outbox.ts'
import { bindIdentity } from '../../../src/store/repos/directory.ts'
import { startWecom, type WecomChannel } from '../../../src/runtime/node/wecom.ts'
import { WECOM_CALLBACK_PATH } from '../../../src/channels/wecom/routes.ts'
import { callbackRequest, cardClickXml, startFakeWecom, textXml, type FakeWecom, type WecomApp, type WecomSent } from '../../fakes/wecom.ts'
import { wecomConfig } from './helpers.ts'

const APP: WecomApp = { corpId: 'ww_round_corp', agentId: 1000005, token: 'RoundT0ken', aesKey: 'RoundKey0123456789abcdefghijklmnopqrstuvwxy' }
const SECRET = 'round-app-secret'

let database: NodeDatabase
let fake: FakeWecom
let server: ServerType
let base: string
let channel: WecomChannel
let offset = 0
const now = () => new Date(Date.now() + offset)
const setNow = (d: Date) => void (offset = d.getTime() - Date.now())

/** The suite whose clicks are answered through update_template_card (no passive reply in the response). */
const API_SUITE = 'card updates through update_template_card'

beforeEach(async (ctx) => {
  database = openNodeDatabase(':memory:')
  await loadDemoCounty(database.db, shanghaiTime(2026, 11, 22, 10))
  setNow(shanghaiTime(2026, 11, 26, 10))
  fake = await startFakeWecom({ corpId: APP.corpId, secret: SECRET, agentId: APP.agentId })
  const config = wecomConfig(APP, SECRET, fake.url)
  expect(config.channels).toEqual(['wecom'])
  const app = createApp({ db: database.db, schemaVersion: database.schemaVersion, logger: silentLogger, now, channels: config.channels })
  const passiveReplyMs = ctx.task.suite?.name === API_SUITE ? 0 : undefined
  channel = startWecom({
    config,
    db: database.db,
    logger: silentLogger,
    app,
    now,
    drainEveryMs: 0,
    ...(passiveReplyMs !== undefined && { passiveReplyMs }),
  })
  server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })
  await new Promise<void>((resolve) => server.once('listening', () => resolve()))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterEach(async () => {
  await channel.stop()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  await fake.close()
  database.close()
})

/** What WeCom POSTs for a decrypted callback, signed and encrypted, stamped with the test clock. */
async function wecomPosts(plain: string) {
  const r = await callbackRequest(APP, plain, { timestamp: String(Math.floor(now().getTime() / 1000)) })
  const res = await fetch(`${base}${WECOM_CALLBACK_PATH}?${r.query}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: r.body })
  const text = await res.text()
  await channel.receiver.idle()
  return { status: res.status, text }
}

async function deliverAll(timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs
  for (;;) {
    await channel.drainOnce()
    const left = await database.db.select().from(outbox).where(eq(outbox.status, 'pending')).all()
    if (left.length === 0) return
    if (Date.now() > until) throw new Error(`outbox still has ${left.length} pending rows`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

async function busiestContact() {
  const links = await database.db.select().from(projectContacts).all()
  const counts = new Map<number, number>()
  for (const l of links) counts.set(l.personId, (counts.get(l.personId) ?? 0) + 1)
  const [personId, n] = [...counts].sort((a, b) => b[1] - a[1])[0]!
  const person = (await database.db.select().from(people).where(eq(people.id, personId)).get())!
  return { person, projects: n }
}

type Card = {
  task_id: string
  main_title: { title: string }
  button_list: { text: string; key: string }[]
  horizontal_content_list?: { keyname: string; value: string }[]
  sub_title_text?: string
}
const cardOf = (s: WecomSent) => s.body.template_card as Card

describe('WeCom round trip', () => {
  it('帮助 → help card; a click runs its command; 填报 → one template card per project with a 填报 button', async () => {
    const { person, projects } = await busiestContact()
    await bindIdentity(database.db, person.id, 'wecom', 'zhangsan', now().getTime())

    expect(await wecomPosts(textXml(APP, 'zhangsan', '帮助'))).toEqual({ status: 200, text: '' })
    await deliverAll()
    const help = fake.sent.filter((s) => s.touser === 'zhangsan')
    // The help text is longer than a card's 160 characters: the whole card as markdown, then the buttons.
    expect(help.map((s) => s.msgtype)).toEqual(['markdown', 'template_card'])
    expect(String((help[0]!.body.markdown as { content: string }).content)).toContain('使用帮助')
    const card = cardOf(help[1]!)
    expect(card.main_title.title).toBe('调度助手 · 使用帮助')
    expect(card.button_list.length).toBeGreaterThan(0)
    const rows = await database.db.select().from(outbox).where(eq(outbox.platform, 'wecom')).all()
    expect(rows.every((r) => r.status === 'sent')).toBe(true)
    expect(rows.some((r) => r.messageId === card.task_id)).toBe(true) // a click's TaskId finds its row

    // Clicking a button runs the same command typing its name would.
    const button = card.button_list.find((b) => JSON.parse(b.key).cmd === 'board') ?? card.button_list[0]!
    const before = fake.sent.length
    expect(await wecomPosts(cardClickXml(APP, 'zhangsan', button.key, card.task_id))).toEqual({ status: 200, text: '' })
    await deliverAll()
    const clicked = await database.db.select().from(inboundLog).where(eq(inboundLog.platform, 'wecom')).all()
    expect(clicked.map((r) => r.status)).toEqual(['processed', 'processed'])
    expect(fake.sent.length).toBeGreaterThan(before)
    expect(fake.sent.slice(before).every((s) => s.touser === 'zhangsan')).toBe(true)

    // 填报: one prompt card per project, each with the project's figures and a 填报 button.
    const beforeReport = fake.sent.length
    await wecomPosts(textXml(APP, 'zhangsan', '填报'))
    await deliverAll()
    const prompts = fake.sent.slice(beforeReport).filter((s) => s.msgtype === 'template_card')
    expect(prompts).toHaveLength(projects)
    for (const p of prompts) {
      const c = cardOf(p)
      expect(c.horizontal_content_list?.length).toBeGreaterThan(0)
      const submit = c.button_list.find((b) => b.text === '填报')!
      expect(JSON.parse(submit.key)).toMatchObject({ cmd: 'submitReport' })
      expect(c.sub_title_text).toContain('直接回复文字填报')
    }
    expect(new Set(prompts.map((p) => cardOf(p).task_id)).size).toBe(projects)

    // Until the mobile form page exists, 填报 submits the card's form with nothing in it: the bot says what
    // is missing, and the card's line says to reply in text.
    const first = cardOf(prompts[0]!)
    const beforeClick = fake.sent.length
    await wecomPosts(cardClickXml(APP, 'zhangsan', first.button_list.find((b) => b.text === '填报')!.key, first.task_id))
    await deliverAll()
    const answer = fake.sent.slice(beforeClick)
    expect(answer.length).toBeGreaterThan(0)
    expect(JSON.stringify(answer.map((a) => a.body))).toContain('本年累计')

    // Every call had a valid token, fetched once; nothing was refused.
    expect(fake.requests.filter((r) => r.errcode !== 0)).toEqual([])
    expect(fake.tokenRequests).toBe(1)
  })

  it('a typed report is understood and confirmed through text', async () => {
    const { person } = await busiestContact()
    await bindIdentity(database.db, person.id, 'wecom', 'lisi', now().getTime())
    await wecomPosts(textXml(APP, 'lisi', '本月完成投资500万元，本年累计8600万元，主体封顶'))
    await deliverAll()
    const replies = fake.sent.filter((s) => s.touser === 'lisi')
    expect(replies.length).toBeGreaterThan(0)
    expect(JSON.stringify(replies.map((r) => r.body))).toMatch(/确认|项目/)
  })

  it('a token WeCom expired early is dropped, refetched once and the send retried', async () => {
    const { person } = await busiestContact()
    await bindIdentity(database.db, person.id, 'wecom', 'wangwu', now().getTime())
    await wecomPosts(textXml(APP, 'wangwu', '版本'))
    await deliverAll()
    expect(fake.tokenRequests).toBe(1)
    fake.expireTokens()
    await wecomPosts(textXml(APP, 'wangwu', '帮助'))
    await deliverAll()
    expect(fake.tokenRequests).toBe(2)
    expect(fake.requests.filter((r) => r.errcode === 42001)).toHaveLength(1)
    const rows = await database.db.select().from(outbox).all()
    expect(rows.every((r) => r.status === 'sent')).toBe(true)
  })

  it('the start-up line shows whether each secret is set, never its value', () => {
    const config = loadConfig({
      WECOM_CORP_ID: APP.corpId,
      WECOM_AGENT_ID: '5',
      WECOM_SECRET: SECRET,
      WECOM_TOKEN: APP.token,
      WECOM_ENCODING_AES_KEY: APP.aesKey,
    })
    const line = JSON.stringify(describeConfig(config))
    expect(line).toContain('"WECOM_SECRET":"(set)"')
    expect(line).not.toContain(SECRET)
    expect(line).not.toContain(APP.aesKey)
    expect(config.WECOM_API_BASE).toBe('https://qyapi.weixin.qq.com')
  })

  it('a configuration with a missing or malformed variable stops with a line naming it', () => {
    expect(() => loadConfig({ WECOM_CORP_ID: APP.corpId })).toThrow(/WECOM_SECRET/)
    expect(() =>
      loadConfig({ WECOM_CORP_ID: APP.corpId, WECOM_AGENT_ID: '5', WECOM_SECRET: 's', WECOM_TOKEN: 't', WECOM_ENCODING_AES_KEY: 'short' }),
    ).toThrow(/配置错误 WECOM_ENCODING_AES_KEY: .*43/)
    expect(() =>
      loadConfig({ WECOM_CORP_ID: APP.corpId, WECOM_AGENT_ID: 'abc', WECOM_SECRET: 's', WECOM_TOKEN: 't', WECOM_ENCODING_AES_KEY: APP.aesKey }),
    ).toThrow(/WECOM_AGENT_ID/)
  })
})

const clock = () => Math.floor(now().getTime() / 1000)

type Tc = { task_id: string; main_title: { title: string }; button_list?: { text: string; key: string }[]; sub_title_text?: string }

/**
 * A contact reports by text with a problem and gets the 请确认 card; the office is bound. Returns the card, the
 * contact's project and the office's account.
 */
async function reportAwaitingConfirmation() {
  const [office] = await peopleWithRole(database.db, 'office')
  await bindIdentity(database.db, office!.id, 'wecom', 'office1', now().getTime())
  const links = await database.db.select().from(projectContacts).all()
  const contactId = links[0]!.personId
  await bindIdentity(database.db, contactId, 'wecom', 'zhangsan', now().getTime())
  const [project] = await projectsOfContact(database.db, contactId)
  // The contact reports by text (the prompt card shows last month's 本年累计), naming a problem.
  await wecomPosts(textXml(APP, 'zhangsan', `填报 ${project!.code}`))
  await deliverAll()
  const prompt = fake.sent.filter((s) => s.touser === 'zhangsan' && s.msgtype === 'template_card').at(-1)!.body.template_card as {
    horizontal_content_list: { keyname: string; value: string }[]
  }
  const prev = Number(prompt.horizontal_content_list.find((f) => f.keyname === '上期本年累计')!.value.replace(/[^\d.]/g, ''))
  await wecomPosts(textXml(APP, 'zhangsan', `本月完成投资100万元，本年累计${prev + 100}万元，问题：施工用电线路未接通`))
  await deliverAll()
  if (JSON.stringify(fake.sent.at(-1)!.body).includes('哪个项目')) {
    await wecomPosts(textXml(APP, 'zhangsan', project!.name))
    await deliverAll()
  }
  const confirm = fake.sent.at(-1)!.body.template_card as Tc
  expect(confirm.main_title.title).toContain('请确认')
  return { confirm, project: project! }
}

/** The decrypted plaintext of an encrypted passive reply (what WeCom would read). */
async function passiveOf(text: string) {
  const encrypt = /<Encrypt><!\[CDATA\[([^\]]+)\]\]><\/Encrypt>/.exec(text)?.[1]
  expect(encrypt).toBeDefined()
  const signature = /<MsgSignature><!\[CDATA\[([0-9a-f]+)\]\]>/.exec(text)![1]!
  const ts = /<TimeStamp>(\d+)<\/TimeStamp>/.exec(text)![1]!
  const nonce = /<Nonce><!\[CDATA\[(\d+)\]\]>/.exec(text)![1]!
  expect(wecomSignature(APP.token, ts, nonce, encrypt!)).toBe(signature)
  const { msg, receiveId } = await decryptWecom(wecomKeys(APP.aesKey), encrypt!, APP.corpId)
  expect(receiveId).toBe(APP.corpId)
  return msg
}

describe('card updates in the callback response', () => {
  it('a click answered within the budget replaces its card in the encrypted response, spending no response_code', async () => {
    const { confirm } = await reportAwaitingConfirmation()
    const code = fake.clickCode(confirm.task_id)
    const yes = confirm.button_list!.find((b) => b.text === '确认提交')!
    const updatesBefore = fake.updates.length
    const answer = await wecomPosts(cardClickXml(APP, 'zhangsan', yes.key, confirm.task_id, { responseCode: code, createTime: clock() }))
    expect(answer.status).toBe(200)
    const plain = await passiveOf(answer.text)
    expect(parseFlatXml(plain)).toMatchObject({ ToUserName: 'zhangsan', FromUserName: APP.corpId, MsgType: 'update_template_card' })
    expect(plain).toContain('<CardType><![CDATA[button_interaction]]></CardType>')
    expect(plain).toContain('已收到')
    expect(plain).not.toContain('确认提交')
    await deliverAll()
    // The clicked card was not updated through the API (the report's refresh of the prompt card was): the click's
    // code is kept, unspent, for a later refresh of the receipt.
    expect(fake.updates.slice(updatesBefore).some((u) => u.body.response_code === code)).toBe(false)
    expect(fake.cards.get(confirm.task_id)!.get('zhangsan')).toEqual(confirm)
    const kept = await database.db.select().from(wecomCardCodes).where(eq(wecomCardCodes.code, code)).get()
    expect(kept).toMatchObject({ taskId: confirm.task_id, userId: 'zhangsan', spentAt: null })
    expect(fake.requests.filter((r) => r.errcode !== 0)).toEqual([])
  })

  it('a card whose new state has no buttons is greyed out in the response and follows as a message', async () => {
    const { confirm, project } = await reportAwaitingConfirmation()
    const yes = confirm.button_list!.find((b) => b.text === '确认提交')!
    await wecomPosts(cardClickXml(APP, 'zhangsan', yes.key, confirm.task_id, { responseCode: fake.clickCode(confirm.task_id), createTime: clock() }))
    await deliverAll()
    const p = (await database.db.select().from(problems).where(eq(problems.projectId, project.id)).all()).at(-1)!
    const sent = fake.sent.find((s) => s.touser === 'office1' && s.msgtype === 'template_card' && JSON.stringify(s.body).includes('新问题待交办'))!
    const card = sent.body.template_card as Tc
    await wecomPosts(textXml(APP, 'office1', `交办 #${p.id} 县能源局 5个工作日`))
    await deliverAll()
    const answer = await wecomPosts(
      cardClickXml(APP, 'office1', card.button_list![0]!.key, card.task_id, { responseCode: fake.clickCode(card.task_id), createTime: clock() }),
    )
    const plain = await passiveOf(answer.text)
    expect(parseFlatXml(plain)).toMatchObject({ ToUserName: 'office1', MsgType: 'update_button' })
    expect(plain).toContain(`<ReplaceName><![CDATA[${PASSIVE_REPLACED_LABEL}]]></ReplaceName>`)
    await deliverAll()
    expect(fake.sent.at(-1)!.touser).toBe('office1')
    expect(JSON.stringify(fake.sent.at(-1)!.body)).toContain('县能源局')
  })
})

describe(API_SUITE, () => {
  it('a click on an out-of-date problem card is refused and that card is replaced with the current one', async () => {
    const { confirm, project } = await reportAwaitingConfirmation()
    // 请确认 card: the click on 确认提交 stores the report, and that card turns into the receipt.
    const confirmCode = fake.clickCode(confirm.task_id)
    const yes = confirm.button_list!.find((b) => b.text === '确认提交')!
    const answer = await wecomPosts(cardClickXml(APP, 'zhangsan', yes.key, confirm.task_id, { responseCode: confirmCode, createTime: clock() }))
    expect(answer).toEqual({ status: 200, text: '' })
    await deliverAll()
    expect(fake.updates.at(-1)!.body).toMatchObject({ response_code: confirmCode, userids: ['zhangsan'] })
    const receipt = fake.cards.get(confirm.task_id)!.get('zhangsan')!
    expect(JSON.stringify(receipt)).not.toContain('确认提交')
    expect((receipt as Tc).main_title.title).toContain('已收到')
    expect((receipt as Tc).task_id).toBe(confirm.task_id)
    const p = await database.db
      .select()
      .from(problems)
      .where(and(eq(problems.projectId, project.id), eq(problems.description, '施工用电线路未接通')))
      .get()
    expect(p).toBeDefined()
    const sent = fake.sent.find((s) => s.touser === 'office1' && s.msgtype === 'template_card' && JSON.stringify(s.body).includes('新问题待交办'))!
    expect(sent).toBeDefined()
    const card = sent.body.template_card as Tc
    const button = card.button_list![0]!

    // The contact's prompt card was brought up to date by the report with the response_code its send returned.
    const promptSent = fake.sent.filter((s) => s.touser === 'zhangsan' && JSON.stringify(s.body).includes('直接回复文字填报')).at(-1)
    if (promptSent) expect(fake.updates.some((u) => u.body.response_code === promptSent.responseCode)).toBe(true)

    // Assigned by typing: the office's card is refreshed with its send's response_code (no buttons left: greyed out).
    await wecomPosts(textXml(APP, 'office1', `交办 #${p!.id} 县能源局 5个工作日`))
    await deliverAll()
    expect(fake.updates.at(-1)!.body).toMatchObject({
      response_code: sent.responseCode,
      userids: ['office1'],
      button: { replace_name: OUTDATED_LABEL },
    })
    const updatesBefore = fake.updates.length

    // A click that left before the card was redrawn: refused, and the clicked card is replaced by the problem as it is now.
    const code = fake.clickCode(card.task_id)
    const clickedAt = clock()
    await wecomPosts(cardClickXml(APP, 'office1', button.key, card.task_id, { responseCode: code, createTime: clickedAt }))
    await deliverAll()
    expect(fake.updates.length).toBe(updatesBefore + 1)
    const update = fake.updates.at(-1)!.body
    expect(update).toMatchObject({ response_code: code, userids: ['office1'], agentid: APP.agentId })
    // The problem's card now has no buttons: the old one's are greyed out and the current card follows.
    expect(fake.cards.get(card.task_id)!.get('office1')).toEqual({ replacedBy: REPLACED_LABEL })
    const current = fake.sent.at(-1)!
    expect(current.touser).toBe('office1')
    expect(JSON.stringify(current.body)).toContain('县能源局')
    const row = (await database.db.select().from(outbox).where(eq(outbox.messageId, card.task_id)).all()).find((r) => r.updatesId === null)!
    const updateRow = (await database.db.select().from(outbox).where(eq(outbox.updatesId, row.id)).get())!
    expect(updateRow).toMatchObject({ status: 'sent', messageId: card.task_id })

    // WeCom retries the same callback: nothing is queued again, the code is not spent twice.
    await wecomPosts(cardClickXml(APP, 'office1', button.key, card.task_id, { responseCode: code, createTime: clickedAt }))
    await deliverAll()
    expect(fake.updates.length).toBe(updatesBefore + 1)
    expect(fake.requests.filter((r) => r.errcode !== 0)).toEqual([])
  })
})
