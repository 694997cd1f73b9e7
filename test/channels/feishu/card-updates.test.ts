/**
 * Issue 12 through the Feishu channel on loopback (server + fake open API, as in round.test.ts): a problem card
 * sent to the office is patched in place (PATCH /open-apis/im/v1/messages/:message_id) when the problem
 * changes, and a click on the card as it was before is refused with the problem's state, never applied.
 * Likewise a 督办: the unit head's card renders its 复函 form as a Feishu form; the 复函 submitted from it reaches
 * the leader; once the leader 办结s it the head's card is patched in place (no form left), and the old form
 * submitted anyway is refused with the 督办's state.
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
import { auditLog, outbox, problemEvents, problems, projects, supervisions, units } from '../../../src/store/schema.ts'
import { bindIdentity } from '../../../src/store/repos/directory.ts'
import { peopleWithRole } from '../../../src/store/repos/people.ts'
import { projectsOfContact } from '../../../src/store/repos/projects.ts'
import { startFeishu, type FeishuChannel } from '../../../src/runtime/node/feishu.ts'
import { FEISHU_CARDS_PATH, FEISHU_EVENTS_PATH } from '../../../src/channels/feishu/routes.ts'
import { validateCard } from '../../../src/channels/feishu/render.ts'
import { cardActionEvent, startFakeFeishu, textMessageEvent, webhookRequest, type FakeFeishu } from '../../fakes/feishu.ts'
import { people, projectContacts } from '../../../src/store/schema.ts'

const APP = { appId: 'cli_updates', appSecret: 'updates-secret' }
const ENCRYPT_KEY = 'updates-encrypt-key'
const TOKEN = 'vtoken'

type Json = Record<string, unknown>

let database: NodeDatabase
let fake: FakeFeishu
let server: ServerType
let base: string
let channel: FeishuChannel
let offset = 0
const now = () => new Date(Date.now() + offset)

beforeEach(async () => {
  database = openNodeDatabase(':memory:')
  await loadDemoCounty(database.db, shanghaiTime(2026, 11, 22, 10))
  offset = shanghaiTime(2026, 11, 26, 10).getTime() - Date.now()
  fake = await startFakeFeishu({ ...APP, botOpenId: 'ou_bot_updates' })
  const config = loadConfig({
    FEISHU_APP_ID: APP.appId,
    FEISHU_APP_SECRET: APP.appSecret,
    FEISHU_ENCRYPT_KEY: ENCRYPT_KEY,
    FEISHU_VERIFICATION_TOKEN: TOKEN,
    FEISHU_DOMAIN: fake.url,
  })
  const app = createApp({ db: database.db, schemaVersion: database.schemaVersion, logger: silentLogger, now, channels: ['feishu'] })
  channel = await startFeishu({ config, db: database.db, logger: silentLogger, app, now, drainEveryMs: 0 })
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

async function feishuPosts(path: string, body: unknown): Promise<{ status: number; json: Json }> {
  const r = await webhookRequest(body, { encryptKey: ENCRYPT_KEY, timestamp: String(Math.floor(now().getTime() / 1000)) })
  const res = await fetch(base + path, { method: 'POST', headers: r.headers, body: r.rawBody })
  const json = (await res.json()) as Json
  await channel.receiver.idle()
  return { status: res.status, json }
}

async function deliverAll(timeoutMs = 10_000) {
  const until = Date.now() + timeoutMs
  for (;;) {
    await channel.drainOnce()
    const left = await database.db.select().from(outbox).where(eq(outbox.status, 'pending')).all()
    if (left.length === 0) return
    if (Date.now() > until) throw new Error(`outbox still has ${left.length} pending rows`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

function findAll(node: unknown, pred: (n: Json) => boolean, out: Json[] = []): Json[] {
  if (Array.isArray(node)) for (const x of node) findAll(x, pred, out)
  else if (node && typeof node === 'object') {
    const n = node as Json
    if (pred(n)) out.push(n)
    for (const v of Object.values(n)) findAll(v, pred, out)
  }
  return out
}

const submitOf = (parsed: unknown) => {
  const [submit] = findAll(parsed, (n) => n.tag === 'button' && n.form_action_type === 'submit')
  return { value: (submit!.behaviors as { value: Json }[])[0]!.value, name: String(submit!.name) }
}

describe('problem cards on Feishu', () => {
  it('the office’s 新问题待交办 card is patched when the problem is assigned, and its old form is refused', async () => {
    const [office] = await peopleWithRole(database.db, 'office')
    await bindIdentity(database.db, office!.id, 'feishu', 'ou_office', now().getTime())
    const link = (await database.db.select().from(projectContacts).all())[0]!
    const contact = (await database.db.select().from(people).where(eq(people.id, link.personId)).get())!
    await bindIdentity(database.db, contact.id, 'feishu', 'ou_contact', now().getTime())
    const [project] = await projectsOfContact(database.db, contact.id)

    // The contact reports a problem from the 调度 card.
    await feishuPosts(
      FEISHU_EVENTS_PATH,
      textMessageEvent({ text: `填报 ${project!.code}`, senderOpenId: 'ou_contact', chatId: 'oc_p2p_contact', chatType: 'p2p', token: TOKEN }),
    )
    await deliverAll()
    const prompt = fake.sent.find((s) => s.receiveId === 'oc_p2p_contact' && s.msgType === 'interactive')!
    const report = submitOf(prompt.parsed)
    const prevYtd = Number(findAll(prompt.parsed, (n) => n.tag === 'input' && n.name === 'ytd')[0]!.default_value ?? 0)
    await feishuPosts(
      FEISHU_CARDS_PATH,
      cardActionEvent({
        value: report.value,
        formValue: { ytd: String(prevYtd), problems: '施工用电线路未接通' },
        operatorOpenId: 'ou_contact',
        messageId: prompt.messageId,
        chatId: 'oc_p2p_contact',
        name: report.name,
        token: TOKEN,
      }),
    )
    await deliverAll()
    const p = (await database.db
      .select()
      .from(problems)
      .where(and(eq(problems.projectId, project!.id), eq(problems.description, '施工用电线路未接通')))
      .get())!
    const newCard = fake.sent.find((s) => s.kind === 'send' && s.receiveId === 'ou_office' && JSON.stringify(s.parsed).includes('新问题待交办'))!
    expect(newCard).toBeDefined()
    const assignForm = submitOf(newCard.parsed)
    expect(assignForm.value).toMatchObject({ cmd: 'assign', problemId: p.id, state: 'new' })

    // The office assigns it by typing: the card it holds is patched, form gone, 责任单位 县能源局.
    await feishuPosts(
      FEISHU_EVENTS_PATH,
      textMessageEvent({
        text: `交办 #${p.id} 县能源局 5个工作日`,
        senderOpenId: 'ou_office',
        chatId: 'oc_p2p_office',
        chatType: 'p2p',
        token: TOKEN,
      }),
    )
    await deliverAll()
    const patches = fake.sent.filter((s) => s.kind === 'patch' && s.messageId === newCard.messageId)
    expect(patches).toHaveLength(1)
    expect(validateCard(patches[0]!.parsed)).toEqual([])
    const patched = JSON.stringify(patches[0]!.parsed)
    expect(patched).toContain('县能源局')
    expect(patched).toContain('已交办')
    expect(findAll(patches[0]!.parsed, (n) => n.tag === 'form')).toEqual([])
    expect(fake.messageContent(newCard.messageId)).toEqual(patches[0]!.parsed)
    // The update row keeps the message it changed.
    const update = (await database.db
      .select()
      .from(outbox)
      .where(eq(outbox.updatesId, (await database.db.select().from(outbox).where(eq(outbox.messageId, newCard.messageId)).get())!.id))
      .get())!
    expect(update).toMatchObject({ status: 'sent', messageId: newCard.messageId })

    // The form as it was before the patch, submitted anyway: refused with the state, nothing changes.
    const events = (await database.db.select().from(problemEvents).where(eq(problemEvents.problemId, p.id)).all()).length
    const housing = (await database.db.select().from(units).where(eq(units.name, '县住建局')).get())!
    const stale = await feishuPosts(
      FEISHU_CARDS_PATH,
      cardActionEvent({
        value: assignForm.value,
        formValue: { unit: String(housing.id), workdays: '7' },
        operatorOpenId: 'ou_office',
        messageId: newCard.messageId,
        chatId: 'oc_p2p_office',
        name: assignForm.name,
        token: TOKEN,
      }),
    )
    expect(stale.status).toBe(200)
    expect(JSON.stringify(stale.json.toast)).toContain('此卡片已过期')
    const answered = (stale.json.card as { data: Json }).data
    expect(JSON.stringify(answered)).toContain('县能源局')
    expect(findAll(answered, (n) => n.tag === 'form')).toEqual([])
    const after = (await database.db.select().from(problems).where(eq(problems.id, p.id)).get())!
    expect(after.assigneeUnitId).not.toBe(housing.id)
    expect((await database.db.select().from(problemEvents).where(eq(problemEvents.problemId, p.id)).all()).length).toBe(events)
    await deliverAll()
    expect(fake.sent.filter((s) => s.kind === 'patch' && s.messageId === newCard.messageId)).toHaveLength(1)
  })
})

describe('督办 cards on Feishu', () => {
  it('复函 from the card’s form, 办结 typed: the head’s card is patched without its form, and the old form is refused', async () => {
    const leader = (await database.db.select().from(people).where(eq(people.title, '县长')).get())!
    const project = (await database.db.select().from(projects).limit(1).get())!
    const unit = (await database.db.select().from(units).where(eq(units.id, project.unitId)).get())!
    await bindIdentity(database.db, leader.id, 'feishu', 'ou_leader', now().getTime())
    await bindIdentity(database.db, unit.headPersonId!, 'feishu', 'ou_head', now().getTime())
    const say = (text: string, who: string) =>
      feishuPosts(FEISHU_EVENTS_PATH, textMessageEvent({ text, senderOpenId: who, chatId: `oc_p2p_${who}`, chatType: 'p2p', token: TOKEN }))

    await say(`督办 ${project.code} 加快施工许可办理`, 'ou_leader')
    await deliverAll()
    const sv = (await database.db.select().from(supervisions).get())!
    const card = fake.sent.find((s) => s.kind === 'send' && s.receiveId === 'ou_head' && JSON.stringify(s.parsed).includes(`D${sv.id}`))!
    expect(validateCard(card.parsed)).toEqual([])
    const inputs = findAll(card.parsed, (n) => n.tag === 'input').map((n) => String(n.name))
    expect(inputs).toEqual(['plan', 'unit', 'leader', 'person', 'deadline'])
    const form = submitOf(card.parsed)
    expect(form.value).toMatchObject({ cmd: 'replySupervision', supervisionId: sv.id, state: 'open' })
    const fields = { plan: '并联审批，三日内出证', unit: '县行政审批局', leader: '分管副县长', person: '审批局局长', deadline: '12月4日前' }
    const click = (formValue: Record<string, string>) =>
      feishuPosts(
        FEISHU_CARDS_PATH,
        cardActionEvent({
          value: form.value,
          formValue,
          operatorOpenId: 'ou_head',
          messageId: card.messageId,
          chatId: 'oc_p2p_ou_head',
          name: form.name,
          token: TOKEN,
        }),
      )
    const answered = await click(fields)
    expect(JSON.stringify(answered.json.toast)).toContain('已复函')
    await deliverAll()
    expect(fake.sent.some((s) => s.kind === 'send' && s.receiveId === 'ou_leader' && JSON.stringify(s.parsed).includes('审批局局长'))).toBe(true)

    await say(`办结 D${sv.id}`, 'ou_leader')
    await deliverAll()
    const patches = fake.sent.filter((s) => s.kind === 'patch' && s.messageId === card.messageId)
    expect(patches.length).toBeGreaterThanOrEqual(1)
    const last = patches.at(-1)!.parsed
    expect(validateCard(last)).toEqual([])
    expect(JSON.stringify(last)).toContain('已办结')
    expect(findAll(last, (n) => n.tag === 'form')).toEqual([])

    // The form as it was first sent, submitted again: refused with the state, nothing recorded.
    const before = (await database.db.select().from(auditLog).where(eq(auditLog.entity, 'supervision')).all()).length
    const stale = await click(fields)
    expect(JSON.stringify(stale.json.toast)).toContain('此卡片已过期')
    expect(findAll((stale.json.card as { data: Json }).data, (n) => n.tag === 'form')).toEqual([])
    expect((await database.db.select().from(supervisions).get())!.state).toBe('closed')
    expect((await database.db.select().from(auditLog).where(eq(auditLog.entity, 'supervision')).all()).length).toBe(before)
  })
})
