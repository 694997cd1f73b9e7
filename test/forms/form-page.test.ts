/**
 * The mobile report form (`/r/<token>`) on loopback: a WeCom 调度 card's 填报 button opens a page with the same
 * fields, bound to the member and the project by a single-use link; the submission takes the chat's path (the
 * intake, the report checks, versions), the receipt comes to WeCom, the link is spent; a bad submission shows
 * why and changes nothing; a forged or used link opens nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ServerType } from '@hono/node-server'
import { eq } from 'drizzle-orm'
import { openNodeDatabase, type NodeDatabase } from '../../src/runtime/node/sqlite.ts'
import { loadDemoCounty } from '../../src/demo/county.ts'
import { shanghaiTime } from '../../src/domain/time.ts'
import { createApp } from '../../src/http/app.ts'
import { silentLogger } from '../../src/log.ts'
import { accessLinks, outbox, people, projectContacts, reports } from '../../src/store/schema.ts'
import { bindIdentity } from '../../src/store/repos/directory.ts'
import { projectsOfContact } from '../../src/store/repos/projects.ts'
import { startWecom, type WecomChannel } from '../../src/runtime/node/wecom.ts'
import { WECOM_CALLBACK_PATH } from '../../src/channels/wecom/routes.ts'
import { callbackRequest, startFakeWecom, textXml, type FakeWecom, type WecomApp } from '../fakes/wecom.ts'
import { serveBeforeApp, wecomConfig } from '../channels/wecom/helpers.ts'

const APP: WecomApp = { corpId: 'ww_form_corp', agentId: 1000005, token: 'RoundT0ken', aesKey: 'RoundKey0123456789abcdefghijklmnopqrstuvwxy' }
const SECRET = 'form-app-secret'

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
  // The server first: the form links carry its address (PUBLIC_URL).
  const listening = await serveBeforeApp()
  server = listening.server
  base = listening.base
  const config = wecomConfig(APP, SECRET, fake.url, { PUBLIC_URL: base })
  const app = createApp({ db: database.db, schemaVersion: database.schemaVersion, logger: silentLogger, now, channels: config.channels })
  channel = startWecom({ config, db: database.db, logger: silentLogger, app, now, drainEveryMs: 0 })
  listening.handle((req) => app.fetch(req))
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

type Tc = {
  task_id: string
  main_title: { title: string }
  button_list: { type: number; text: string; url?: string }[]
  horizontal_content_list: { keyname: string; value: string }[]
}

async function promptFor() {
  const [link] = await database.db.select().from(projectContacts).all()
  const person = (await database.db.select().from(people).where(eq(people.id, link!.personId)).get())!
  await bindIdentity(database.db, person.id, 'wecom', 'zhangsan', now().getTime())
  const project = (await projectsOfContact(database.db, person.id)).find((p) => p.id === link!.projectId)!
  await wecomPosts(textXml(APP, 'zhangsan', `填报 ${project.code}`))
  await deliverAll()
  const card = fake.sent.filter((s) => s.msgtype === 'template_card').at(-1)!.body.template_card as Tc
  const url = card.button_list.find((b) => b.text === '填报')!.url!
  const prev = Number(card.horizontal_content_list.find((f) => f.keyname === '上期本年累计')!.value.replace(/[^\d.]/g, ''))
  return { person, project, card, url, prev }
}

const post = (url: string, fields: Record<string, string>) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() })

describe('the mobile report form', () => {
  it('the 填报 button opens the form; a submission is stored through the chat’s checks, the receipt comes to WeCom, the link is spent', async () => {
    const { project, card, url, prev } = await promptFor()
    expect(card.button_list[0]).toMatchObject({ type: 1, text: '填报' })
    expect(url.startsWith(`${base}/r/`)).toBe(true)
    // Only the hash of the token is kept.
    const token = url.slice(url.lastIndexOf('/') + 1)
    expect(JSON.stringify(await database.db.select().from(accessLinks).all())).not.toContain(token)

    const page = await fetch(url)
    expect(page.status).toBe(200)
    expect(page.headers.get('cache-control')).toBe('no-store')
    const html = await page.text()
    expect(html).toContain(project.name)
    expect(html).toContain('name="ytd"')
    expect(html).toContain('本年累计完成投资（万元）')
    const nonce = /name="_nonce" value="([^"]+)"/.exec(html)![1]!

    const before = (await database.db.select().from(reports).where(eq(reports.projectId, project.id)).all()).length
    const res = await post(url, { _nonce: nonce, period: '100', ytd: String(prev + 100), progress: '主体封顶' })
    expect(res.status).toBe(200)
    const answer = await res.text()
    expect(answer).toContain('已提交')
    expect(answer).toContain('已收到')
    const stored = await database.db.select().from(reports).where(eq(reports.projectId, project.id)).all()
    expect(stored.length).toBe(before + 1)
    expect(stored.at(-1)).toMatchObject({ progressText: '主体封顶', ytdInvestment: (prev + 100) * 10_000 })
    await channel.receiver.idle()
    await deliverAll()
    expect(JSON.stringify(fake.sent.at(-1)!.body)).toContain('已收到')

    // The link is spent: the page and a second submission say so, nothing more is stored.
    expect((await fetch(url)).status).toBe(410)
    const again = await post(url, { _nonce: 'another-nonce-1', period: '1', ytd: String(prev + 1) })
    expect(again.status).toBe(410)
    expect(await again.text()).toContain('已使用过')
    expect((await database.db.select().from(reports).where(eq(reports.projectId, project.id)).all()).length).toBe(before + 1)
  })

  it('a submission the checks refuse shows why above the kept values, stores nothing and leaves the link open', async () => {
    const { project, url } = await promptFor()
    const before = (await database.db.select().from(reports).where(eq(reports.projectId, project.id)).all()).length
    const res = await post(url, { _nonce: 'bad-submission-1', period: '100', ytd: '-5', progress: '基础施工' })
    expect(res.status).toBe(422)
    const html = await res.text()
    expect(html).toContain('未登记')
    expect(html).toContain('value="基础施工"')
    expect((await database.db.select().from(reports).where(eq(reports.projectId, project.id)).all()).length).toBe(before)
    expect((await fetch(url)).status).toBe(200)
  })

  it('a forged token opens nothing', async () => {
    expect((await fetch(`${base}/r/${'A'.repeat(43)}`)).status).toBe(404)
    expect((await fetch(`${base}/r/short`)).status).toBe(404)
    expect((await post(`${base}/r/${'B'.repeat(43)}`, { ytd: '1' })).status).toBe(404)
  })
})
