/**
 * A clicked WeCom card shows its new state (update_template_card with the click's single-use ResponseCode,
 * through the outbox), on loopback against the fake API: the office's 新问题待交办 card, out of date after the
 * problem was assigned by typing, is clicked; the click is refused with the problem's state and the very card
 * clicked is replaced, keeping its task_id. The same ResponseCode is never spent twice.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { serve, type ServerType } from '@hono/node-server'
import type { AddressInfo } from 'node:net'
import { and, eq } from 'drizzle-orm'
import { openNodeDatabase, type NodeDatabase } from '../../../src/runtime/node/sqlite.ts'
import { loadDemoCounty } from '../../../src/demo/county.ts'
import { shanghaiTime } from '../../../src/domain/time.ts'
import { createApp } from '../../../src/http/app.ts'
import { loadConfig } from '../../../src/config.ts'
import { silentLogger } from '../../../src/log.ts'
import { outbox, problems, projectContacts } from '../../../src/store/schema.ts'
import { peopleWithRole } from '../../../src/store/repos/people.ts'
import { projectsOfContact } from '../../../src/store/repos/projects.ts'
import { bindIdentity } from '../../../src/store/repos/directory.ts'
import { startWecom, type WecomChannel } from '../../../src/runtime/node/wecom.ts'
import { WECOM_CALLBACK_PATH } from '../../../src/channels/wecom/routes.ts'
import { REPLACED_LABEL } from '../../../src/channels/wecom/outbox.ts'
import { callbackRequest, cardClickXml, startFakeWecom, textXml, type FakeWecom, type WecomApp } from '../../fakes/wecom.ts'

const APP: WecomApp = { corpId: 'ww_updates_corp', agentId: 1000005, token: 'RoundT0ken', aesKey: 'RoundKey0123456789abcdefghijklmnopqrstuvwxy' }
const SECRET = 'updates-app-secret'

let database: NodeDatabase
let fake: FakeWecom
let server: ServerType
let base: string
let channel: WecomChannel
let offset = 0
const now = () => new Date(Date.now() + offset)
const setNow = (d: Date) => void (offset = d.getTime() - Date.now())

beforeEach(async () => {
  database = openNodeDatabase(':memory:')
  await loadDemoCounty(database.db, shanghaiTime(2026, 11, 22, 10))
  setNow(shanghaiTime(2026, 11, 26, 10))
  fake = await startFakeWecom({ corpId: APP.corpId, secret: SECRET, agentId: APP.agentId })
  const config = loadConfig({
    WECOM_CORP_ID: APP.corpId,
    WECOM_AGENT_ID: String(APP.agentId),
    WECOM_SECRET: SECRET,
    WECOM_TOKEN: APP.token,
    WECOM_ENCODING_AES_KEY: APP.aesKey,
    WECOM_API_BASE: fake.url,
  })
  expect(config.channels).toEqual(['wecom'])
  const app = createApp({ db: database.db, schemaVersion: database.schemaVersion, logger: silentLogger, now, channels: config.channels })
  channel = startWecom({ config, db: database.db, logger: silentLogger, app, now, drainEveryMs: 0 })
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

const clock = () => Math.floor(now().getTime() / 1000)

type Tc = { task_id: string; main_title: { title: string }; button_list?: { text: string; key: string }[]; sub_title_text?: string }

describe('card updates on WeCom', () => {
  it('a click on an out-of-date problem card is refused and that card is replaced with the current one', async () => {
    const [office] = await peopleWithRole(database.db, 'office')
    await bindIdentity(database.db, office!.id, 'wecom', 'office1', now().getTime())
    const links = await database.db.select().from(projectContacts).all()
    const counts = new Map<number, number>()
    for (const l of links) counts.set(l.personId, (counts.get(l.personId) ?? 0) + 1)
    const contactId = [...counts][0]![0]
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
    // 请确认 card: the click on 确认提交 stores the report, and that card turns into the receipt.
    const confirm = fake.sent.at(-1)!.body.template_card as Tc
    expect(confirm.main_title.title).toContain('请确认')
    const confirmCode = fake.clickCode(confirm.task_id)
    const yes = confirm.button_list!.find((b) => b.text === '确认提交')!
    await wecomPosts(cardClickXml(APP, 'zhangsan', yes.key, confirm.task_id, { responseCode: confirmCode, createTime: clock() }))
    await deliverAll()
    expect(fake.updates.at(-1)!.body).toMatchObject({ response_code: confirmCode, userids: ['zhangsan'] })
    const receipt = fake.cards.get(confirm.task_id)!.get('zhangsan')!
    expect(JSON.stringify(receipt)).not.toContain('确认提交')
    expect((receipt as Tc).main_title.title).toContain('已收到')
    expect((receipt as Tc).task_id).toBe(confirm.task_id)
    const p = await database.db
      .select()
      .from(problems)
      .where(and(eq(problems.projectId, project!.id), eq(problems.description, '施工用电线路未接通')))
      .get()
    expect(p).toBeDefined()
    const sent = fake.sent.find((s) => s.touser === 'office1' && s.msgtype === 'template_card' && JSON.stringify(s.body).includes('新问题待交办'))!
    expect(sent).toBeDefined()
    const card = sent.body.template_card as Tc
    const button = card.button_list![0]!

    // Assigned by typing: the card the office holds still offers the old buttons.
    await wecomPosts(textXml(APP, 'office1', `交办 #${p!.id} 县能源局 5个工作日`))
    await deliverAll()
    const updatesBefore = fake.updates.length

    // The office clicks it anyway: refused, and the clicked card is replaced by the problem as it is now.
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
