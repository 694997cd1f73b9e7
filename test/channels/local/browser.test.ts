/**
 * The /chat page in a real browser: Debian's Chromium driven by playwright-core against the real server on
 * loopback. Skipped (with a reason) only where /usr/bin/chromium is absent; CI installs it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AddressInfo } from 'node:net'
import { serve, type ServerType } from '@hono/node-server'
import type { Page } from 'playwright-core'
import { openNodeDatabase, type NodeDatabase } from '../../../src/runtime/node/sqlite.ts'
import { loadDemoCounty } from '../../../src/demo/county.ts'
import { shanghaiTime } from '../../../src/domain/time.ts'
import { silentLogger } from '../../../src/log.ts'
import { createApp } from '../../../src/http/app.ts'
import { people, type Role } from '../../../src/store/schema.ts'
import { haveChromium, launchChromium, warnWithoutChromium, type Chromium } from '../../browser.ts'

warnWithoutChromium('the /chat browser test')

const NOW = shanghaiTime(2026, 11, 22, 10)
/** Inside the November monthly round (opens on the 25th), so 填报 brings up the form. */
const IN_ROUND = shanghaiTime(2026, 11, 26, 10)

describe.skipIf(!haveChromium)('the /chat page in Chromium', () => {
  let database: NodeDatabase
  let server: ServerType
  let base = ''
  let browser: Chromium
  let page: Page
  let contact: { id: number; name: string }
  const errors: string[] = []
  let clock = NOW

  beforeAll(async () => {
    database = openNodeDatabase(':memory:')
    await loadDemoCounty(database.db, NOW)
    const all = await database.db.select().from(people).all()
    contact = all.find((p) => (p.roles as Role[]).includes('contact'))!
    const app = createApp({ db: database.db, schemaVersion: 1, logger: silentLogger, now: () => clock, channels: ['local'] })
    server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s))
    })
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    browser = await launchChromium({ width: 1280, height: 860 })
    page = browser.context.pages()[0] ?? (await browser.context.newPage())
    page.on('pageerror', (e) => errors.push(String(e)))
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())))
  })

  afterAll(async () => {
    await browser?.close()
    await new Promise((r) => (server ? server.close(r) : r(undefined)))
    database?.close()
  })

  it('lets a person ask for help, click a card button and see the result', async () => {
    await page.goto(`${base}/chat`)
    await expect.poll(() => page.locator('#demo-banner').textContent()).toContain('【演示数据】')
    await page.locator('#filter').fill(contact.name)
    await page.locator(`[data-person-id="${contact.id}"]`).click()
    await expect.poll(() => page.locator('#me').textContent()).toContain(contact.name)
    expect(await page.locator('.empty-state').textContent()).toContain('帮助')

    await page.locator('#text').fill('帮助')
    await page.locator('#text').press('Enter')
    const help = page.locator('.msg.bot .card[data-template="help"]').last()
    await help.waitFor({ timeout: 10_000 })
    expect(await help.locator('.card-title').textContent()).toContain('使用帮助')
    expect(await page.locator('.msg.mine .msg-text').first().textContent()).toBe('帮助')
    expect(await page.locator('#text').inputValue()).toBe('')

    const botMessages = await page.locator('.msg.bot').count()
    await help.locator('button[data-command="redyellow"]').click()
    await page.waitForFunction((n) => document.querySelectorAll('.msg.bot').length > n || !document.getElementById('toast')!.hidden, botMessages, {
      timeout: 10_000,
    })
    await page.waitForTimeout(300)
    expect(await page.locator('#toast.error').count()).toBe(0)
    expect(await page.locator('.msg.bot').count()).toBeGreaterThan(botMessages)
    await page.screenshot({ path: '/tmp/local-chat.png' })
    expect(page.url()).toContain(`#person=${contact.id}`)
    expect(errors).toEqual([])
  })

  it('speaks in the county group as the chosen person, @-mentioning the bot', async () => {
    await page.locator('[data-conv]:not([data-conv="direct"])').first().click()
    await expect.poll(() => page.locator('#conv-title').textContent()).toBe('示例县重点项目调度群')
    expect(await page.locator('#at-bot').isChecked()).toBe(true)
    await page.locator('#text').fill('帮助')
    await page.locator('#send').click()
    await page.locator('.msg.mine .msg-text', { hasText: '@调度助手 帮助' }).waitFor({ timeout: 10_000 })
    await page.locator('.msg.bot').first().waitFor({ timeout: 10_000 })
    await page.screenshot({ path: '/tmp/local-chat-group.png' })
    expect(errors).toEqual([])
  })

  it('fills in the 调度 form on a card and sees the card replaced by the receipt', async () => {
    clock = IN_ROUND
    await page.locator('[data-conv="direct"]').click()
    await expect.poll(() => page.locator('#conv-title').textContent()).toBe('与调度助手私聊')
    await page.locator('#text').fill('填报')
    await page.locator('#text').press('Enter')
    const card = page.locator('.msg.bot .card[data-template="report-prompt"]').first()
    await card.waitFor({ timeout: 10_000 })
    const title = (await card.locator('.card-title').textContent())!
    const project = title.split(' · ')[1]!
    const form = card.locator('form.card-form')
    const ytd = Number(await form.locator('input[name="ytd"]').inputValue())
    await form.locator('input[name="period"]').fill('500')
    await form.locator('input[name="ytd"]').fill(String(ytd + 500))
    await form.locator('input[name="progress"]').fill('主体封顶')
    await form.locator('button[type="submit"]').click()
    const receipt = page.locator('.msg.bot .card[data-template="receipt"]')
    await receipt.waitFor({ timeout: 10_000 })
    expect(await receipt.locator('.card-title').textContent()).toContain(project)
    expect(await receipt.textContent()).toContain('主体封顶')
    await expect.poll(() => page.locator('#toast').textContent()).toBe('已提交')
    expect(await page.locator('.msg.bot .card-title', { hasText: title }).count()).toBe(0)
    await receipt.scrollIntoViewIfNeeded()
    await page.screenshot({ path: '/tmp/local-chat-form.png' })
    expect(errors).toEqual([])
  })
})
