/**
 * A whole monthly round on WeCom, end to end on loopback, with the form page in a real browser: the clock opens the
 * month's round and the contact's prompt template card reaches the fake WeCom API; the card's 填报 button (a URL
 * to /r/<token>) is opened in Debian's Chromium through playwright-core at a phone's 390 px, the fields are filled
 * (本月 and 累计 disagreeing), the page asks which is right as the card would (请核对), 本月数正确 submits, and the
 * answer page confirms what was stored; the prompt card the contact holds is then replaced
 * through update_template_card with the response_code its send returned (its 填报 now a fresh link); the clock
 * closes the round and the board goes to the group robot as markdown ≤ 4,096 bytes and the board's chart as a PNG
 * (≤ 2 MB, its IHDR the chart's size). Skipped (with a reason) only where /usr/bin/chromium is absent. Screenshots go to
 * .cache/test-artifacts/wecom/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { ServerType } from '@hono/node-server'
import { and, eq, like } from 'drizzle-orm'
import { openNodeDatabase, type NodeDatabase } from '../../../src/runtime/node/sqlite.ts'
import { loadDemoCounty } from '../../../src/demo/county.ts'
import { shanghaiTime } from '../../../src/domain/time.ts'
import { createApp } from '../../../src/http/app.ts'
import { silentLogger } from '../../../src/log.ts'
import { outbox, people, projectContacts, reports, rounds } from '../../../src/store/schema.ts'
import { bindIdentity } from '../../../src/store/repos/directory.ts'
import { runTick } from '../../../src/jobs/tick.ts'
import { startRobots, startWecom, type WecomChannel } from '../../../src/runtime/node/wecom.ts'
import { chartOfCard, chartSize } from '../../../src/render/chart.ts'
import { createPngRenderer } from '../../../src/runtime/node/png.ts'
import type { Card } from '../../../src/model/index.ts'
import { formatWan } from '../../../src/domain/money.ts'
import { startFakeWecom, type FakeWecom, type WecomSent } from '../../fakes/wecom.ts'
import { haveChromium, launchChromium, warnWithoutChromium, type Chromium } from '../../browser.ts'
import { serveBeforeApp, wecomConfig } from './helpers.ts'

warnWithoutChromium('the WeCom browser round')

const ARTIFACTS = resolve('.cache/test-artifacts/wecom')

const APP = { corpId: 'ww_browser_round', agentId: 1000009, token: 'BrowserT0ken', aesKey: 'BrowserKey0123456789abcdefghijklmnopqrstuvw' }
const SECRET = 'browser-round-secret'
const ROBOT_KEY = 'cccc1111-2222-3333-4444-555566667777'

type Tc = {
  task_id: string
  main_title: { title: string }
  button_list: { type: number; text: string; url?: string; key?: string }[]
  horizontal_content_list?: { keyname: string; value: string }[]
}

/** PNG width and height from its IHDR chunk (the signature checked first). */
function pngSize(png: Uint8Array): { width: number; height: number } {
  expect([...png.subarray(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10])
  const v = new DataView(png.buffer, png.byteOffset)
  return { width: v.getUint32(16), height: v.getUint32(20) }
}

describe.skipIf(!haveChromium)('a monthly round on WeCom, its form page in Chromium', () => {
  let database: NodeDatabase
  let fake: FakeWecom
  let server: ServerType
  let base: string
  let channel: WecomChannel
  let browser: Chromium
  let clock = shanghaiTime(2026, 11, 22, 10).getTime()
  const now = () => new Date(clock)

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true })
    database = openNodeDatabase(':memory:')
    await loadDemoCounty(database.db, now())
    fake = await startFakeWecom({ corpId: APP.corpId, secret: SECRET, agentId: APP.agentId, robotKeys: [ROBOT_KEY], now: () => clock })
    // The server first: the form links carry its address (PUBLIC_URL).
    const listening = await serveBeforeApp()
    server = listening.server
    base = listening.base
    const config = wecomConfig(APP, SECRET, fake.url, { WECOM_GROUP_ROBOTS: `县指挥部群=${ROBOT_KEY}`, PUBLIC_URL: base })
    const app = createApp({ db: database.db, schemaVersion: database.schemaVersion, logger: silentLogger, now, channels: config.channels })
    const robots = await startRobots({ config, db: database.db, logger: silentLogger, now })
    channel = startWecom({ config, db: database.db, logger: silentLogger, app, now, drainEveryMs: 0, robots })
    listening.handle((req) => app.fetch(req))
    browser = await launchChromium({ width: 390, height: 844 }, 'diaodu-wecom-chromium-')
  }, 120_000)

  afterAll(async () => {
    await browser?.close()
    await channel?.stop()
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()))
    await fake?.close()
    database?.close()
  })

  /** Ticks the clock an hour at a time until `done()`, delivering what each tick queued. */
  async function tickUntil(done: () => boolean | Promise<boolean>, limitHours: number) {
    for (let h = 0; h < limitHours && !(await done()); h++) {
      clock += 3600_000
      await runTick(database.db, now(), false, ['wecom'])
      await channel.drainOnce()
    }
    expect(await done()).toBe(true)
  }

  it('prompt card → form page at 390 px → the prompt card updated → the round closes → board markdown and PNG to the robot', async () => {
    // A contact with one project of the demo county, on WeCom.
    const links = await database.db.select().from(projectContacts).all()
    const counts = new Map<number, number>()
    for (const l of links) counts.set(l.personId, (counts.get(l.personId) ?? 0) + 1)
    const personId = [...counts].find(([, n]) => n === 1)?.[0] ?? links[0]!.personId
    const person = (await database.db.select().from(people).where(eq(people.id, personId)).get())!
    const projectId = links.find((l) => l.personId === personId)!.projectId
    await bindIdentity(database.db, person.id, 'wecom', 'zhangsan', clock)

    // The clock opens November's round: the prompt card reaches the contact, its 填报 a link to the form page.
    const prompts = () => fake.sent.filter((s) => s.touser === 'zhangsan' && s.msgtype === 'template_card')
    const promptOf = (s: WecomSent) => s.body.template_card as Tc
    const hasForm = () => prompts().some((s) => promptOf(s).button_list.some((b) => b.type === 1 && b.text === '填报'))
    await tickUntil(hasForm, 10 * 24)
    const round = (await database.db
      .select()
      .from(rounds)
      .where(and(eq(rounds.period, '2026-11'), eq(rounds.kind, 'monthly')))
      .get())!
    expect(round.opensAt).toBeLessThanOrEqual(clock)
    const sent = prompts().find((s) => promptOf(s).button_list.some((b) => b.type === 1))!
    const prompt = promptOf(sent)
    const url = prompt.button_list.find((b) => b.type === 1 && b.text === '填报')!.url!
    expect(url.startsWith(`${base}/r/`)).toBe(true)
    expect(sent.responseCode).toBeTruthy()
    const prev = Number((prompt.horizontal_content_list ?? []).find((f) => f.keyname === '上期本年累计')?.value.replace(/[^\d.]/g, '') ?? '0')

    // The form page in Chromium at a phone's width: the card's figures, the inputs, nothing wider than the screen.
    const page = browser.context.pages()[0] ?? (await browser.context.newPage())
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(String(e)))
    page.on('request', (r) => void (!r.url().startsWith(base) && !r.url().startsWith('data:') && errors.push(`request to ${r.url()}`)))
    expect((await page.goto(url))?.status()).toBe(200)
    await expect(page.locator('h1').textContent()).resolves.toContain(prompt.main_title.title.split(' · ').at(-1)!.slice(0, 4))
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    // 本月 120 but 累计 up by 150: the page asks which is right, as the card would (请核对), and stores nothing yet.
    await page.locator('#f_period').fill('120')
    await page.locator('#f_ytd').fill(String(prev + 150))
    if (await page.locator('#f_progress').count()) await page.locator('#f_progress').fill('主体结构施工，完成三层')
    await page.screenshot({ path: join(ARTIFACTS, 'form-390.png'), fullPage: true })
    const before = (await database.db.select().from(reports).where(eq(reports.projectId, projectId)).all()).length
    await Promise.all([page.waitForURL(url), page.locator('form:not(.confirm) button[type="submit"]').click()])
    await expect(page.locator('form.confirm .msg').innerText()).resolves.toContain('两者不一致')
    expect(await page.locator('#f_ytd').inputValue()).toBe(String(prev + 150))
    expect((await database.db.select().from(reports).where(eq(reports.projectId, projectId)).all()).length).toBe(before)
    await page.screenshot({ path: join(ARTIFACTS, 'confirm-390.png'), fullPage: true })
    // 本月数正确: 累计 follows from 本月 — the confirmation submits, and the answer page says what was stored.
    await Promise.all([page.waitForURL(url), page.locator('form.confirm button', { hasText: '本月数正确' }).click()])
    await page.locator('.msg').waitFor()
    const answer = await page.locator('main').innerText()
    expect(answer).toContain('已提交')
    expect(answer).toContain('已收到')
    expect(answer).toContain(`本年累计：${formatWan((prev + 120) * 10_000)} 万元`)
    await page.screenshot({ path: join(ARTIFACTS, 'answer-390.png'), fullPage: true })
    expect(errors).toEqual([])
    const stored = await database.db.select().from(reports).where(eq(reports.projectId, projectId)).all()
    expect(stored.length).toBe(before + 1)
    expect(stored.at(-1)).toMatchObject({ roundId: round.id, ytdInvestment: (prev + 120) * 10_000 })

    // The prompt card the contact holds is replaced with its send's response_code: same task_id, a fresh 填报 link.
    await channel.receiver.idle()
    await channel.drainOnce()
    const update = fake.updates.find((u) => u.body.response_code === sent.responseCode)
    expect(update?.body).toMatchObject({ userids: ['zhangsan'], agentid: APP.agentId })
    const shown = fake.cards.get(prompt.task_id)!.get('zhangsan') as Tc
    expect(shown.task_id).toBe(prompt.task_id)
    expect(JSON.stringify(shown)).not.toEqual(JSON.stringify(prompt))
    const again = shown.button_list.find((b) => b.type === 1)?.url
    if (again) expect(again).not.toBe(url)
    // The receipt came to the chat too.
    expect(fake.sent.some((s) => s.touser === 'zhangsan' && JSON.stringify(s.body).includes('已收到'))).toBe(true)
    expect((await page.goto(url))?.status()).toBe(410)

    // The clock closes the round; the month's board reaches the group robot as markdown and a PNG.
    const boards = () => database.db.select().from(outbox).where(like(outbox.key, 'board:monthly:%')).all()
    await tickUntil(async () => (await boards()).some((b) => b.address === 'robot:县指挥部群' && b.status === 'sent'), 10 * 24)
    expect((await database.db.select().from(rounds).where(eq(rounds.id, round.id)).get())!.closedAt).not.toBeNull()
    const board = (await boards()).find((b) => b.address === 'robot:县指挥部群')!
    const posts = fake.robotSent.filter((p) => p.key === ROBOT_KEY)
    const md = posts.filter((p) => p.msgtype === 'markdown').map((p) => (p.body.markdown as { content: string }).content)
    expect(md.length).toBeGreaterThan(0)
    expect(md.every((m) => Buffer.byteLength(m) <= 4096)).toBe(true)
    const chart = chartOfCard((board.body as { card: Card }).card)!
    // The monthly board's chart, as the shipped renderer draws it, is among the robot's images.
    const expected = await createPngRenderer().png(chart)
    const image = posts.find((p) => p.msgtype === 'image' && Buffer.compare(Buffer.from(p.png!), Buffer.from(expected)) === 0)!
    expect(image).toBeDefined()
    expect(image.png!.length).toBeLessThanOrEqual(2 * 1024 * 1024)
    expect(pngSize(image.png!)).toEqual(chartSize(chart))
    expect(fake.requests.filter((r) => r.errcode !== 0)).toEqual([])
  }, 600_000)
})
