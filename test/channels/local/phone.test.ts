/**
 * Issue 12 item 15: /chat at phone width (390 × 844) in headless Chromium — the roster is a drawer, the header
 * blocks nothing, and no element is wider than the screen, with a help card and a 赛马 board on it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { serve, type ServerType } from '@hono/node-server'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { openNodeDatabase, type NodeDatabase } from '../../../src/runtime/node/sqlite.ts'
import { loadDemoCounty } from '../../../src/demo/county.ts'
import { shanghaiTime } from '../../../src/domain/time.ts'
import { CHROMIUM, CHROMIUM_FLAGS, haveChromium, warnWithoutChromium } from '../../browser.ts'
import { silentLogger } from '../../../src/log.ts'
import { createApp } from '../../../src/http/app.ts'
import { people, type Role } from '../../../src/store/schema.ts'

warnWithoutChromium('the phone-width /chat test')

const NOW = shanghaiTime(2026, 11, 22, 10)
const WIDTH = 390
const HEIGHT = 844

/** Elements whose right edge passes the viewport and that no scrolling box of their own clips. */
async function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = window.innerWidth
    const out: string[] = []
    const clippedInside = (e: Element) => {
      for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
        const ox = getComputedStyle(a).overflowX
        if ((ox === 'auto' || ox === 'scroll' || ox === 'hidden') && a.getBoundingClientRect().right <= width + 0.5) return true
      }
      return false
    }
    for (const e of Array.from(document.body.querySelectorAll('*'))) {
      const style = getComputedStyle(e)
      if (style.visibility === 'hidden' || style.display === 'none') continue
      const r = e.getBoundingClientRect()
      if (r.width === 0 && r.height === 0) continue
      if ((r.right > width + 0.5 || r.left < -0.5) && !clippedInside(e))
        out.push(`${e.tagName.toLowerCase()}.${e.className} ${Math.round(r.left)}–${Math.round(r.right)}`)
    }
    if (document.documentElement.scrollWidth > width) out.push(`page scrollWidth ${document.documentElement.scrollWidth}`)
    return out
  })
}

/** Whether a click at the element's centre reaches it (nothing on top of it). */
async function reachable(page: Page, selector: string): Promise<boolean> {
  return page.evaluate((sel) => {
    const e = document.querySelector(sel)
    if (!e) return false
    const r = e.getBoundingClientRect()
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2)
    return !!hit && (hit === e || e.contains(hit))
  }, selector)
}

describe.skipIf(!haveChromium)('the /chat page at 390 × 844', () => {
  let database: NodeDatabase
  let server: ServerType
  let base = ''
  let profile = ''
  let browser: BrowserContext
  let page: Page
  let contact: { id: number; name: string }
  const errors: string[] = []

  beforeAll(async () => {
    database = openNodeDatabase(':memory:')
    await loadDemoCounty(database.db, NOW)
    const all = await database.db.select().from(people).all()
    contact = all.find((p) => (p.roles as Role[]).includes('contact'))!
    const app = createApp({ db: database.db, schemaVersion: 1, logger: silentLogger, now: () => NOW, channels: ['local'] })
    server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s))
    })
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    profile = mkdtempSync(join(tmpdir(), 'diaodu-chromium-phone-'))
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: WIDTH, height: HEIGHT },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      locale: 'zh-CN',
      args: CHROMIUM_FLAGS,
    })
    page = browser.pages()[0] ?? (await browser.newPage())
    page.on('pageerror', (e) => errors.push(String(e)))
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())))
  }, 60_000)

  afterAll(async () => {
    await browser?.close()
    await new Promise((r) => (server ? server.close(r) : r(undefined)))
    database?.close()
    if (profile) rmSync(profile, { recursive: true, force: true })
  })

  it('opens the roster drawer, picks a person, sends a message and sees the reply, nothing clipped', async () => {
    await page.goto(`${base}/chat`)
    await expect.poll(() => page.locator('#demo-banner').textContent()).toContain('【演示数据】')
    expect(await page.evaluate(() => window.innerWidth)).toBe(WIDTH)

    // Closed: the conversation has the whole screen, the drawer button is there and reachable.
    await expect.poll(() => page.locator('#side').isVisible()).toBe(false)
    expect(await page.locator('#roster-toggle').isVisible()).toBe(true)
    expect(await reachable(page, '#roster-toggle')).toBe(true)
    expect(await overflowing(page)).toEqual([])

    // Open: the whole roster drawer on screen, its search box and people reachable.
    await page.locator('#roster-toggle').click()
    await expect.poll(() => page.locator('#side').isVisible()).toBe(true)
    await expect
      .poll(() =>
        page
          .locator('#side')
          .boundingBox()
          .then((b) => b && b.x >= 0 && b.x + b.width <= WIDTH),
      )
      .toBe(true)
    await expect
      .poll(() =>
        page
          .locator('#side')
          .boundingBox()
          .then((b) => b?.x),
      )
      .toBe(0)
    expect(await page.locator('#roster-toggle').getAttribute('aria-expanded')).toBe('true')
    await page.locator('#filter').fill(contact.name)
    const pick = page.locator(`[data-person-id="${contact.id}"]`)
    await pick.waitFor()
    expect(await reachable(page, `[data-person-id="${contact.id}"]`)).toBe(true)
    expect(await overflowing(page)).toEqual([])
    await pick.click()

    // Picked: the drawer closes and the conversation is this person's.
    await expect.poll(() => page.locator('#side').isVisible()).toBe(false)
    await expect.poll(() => page.locator('#me').textContent()).toContain(contact.name)
    expect(await reachable(page, '#text')).toBe(true)
    expect(await reachable(page, '#send')).toBe(true)

    await page.locator('#text').fill('帮助')
    await page.locator('#send').click()
    const help = page.locator('.msg.bot .card[data-template="help"]').last()
    await help.waitFor({ timeout: 10_000 })
    expect(await help.locator('.card-title').textContent()).toContain('使用帮助')
    expect(await page.locator('.msg.mine .msg-text').first().textContent()).toBe('帮助')
    expect(await overflowing(page)).toEqual([])

    // A wide card: the 赛马 board's table scrolls inside its card, the page does not.
    await page.locator('#text').fill('排名 乡镇')
    await page.locator('#send').click()
    const board = page.locator('.msg.bot .card[data-template="leaderboard"]').last()
    await board.waitFor({ timeout: 10_000 })
    expect(await board.textContent()).toContain('🔵')
    const box = await board.boundingBox()
    expect(box!.x).toBeGreaterThanOrEqual(0)
    expect(box!.x + box!.width).toBeLessThanOrEqual(WIDTH)
    expect(await overflowing(page)).toEqual([])

    // The drawer opens again from the conversation, and the backdrop closes it.
    await page.locator('#roster-toggle').click()
    await expect.poll(() => page.locator('#side').isVisible()).toBe(true)
    await page.mouse.click(WIDTH - 10, HEIGHT / 2)
    await expect.poll(() => page.locator('#side').isVisible()).toBe(false)
    expect(errors).toEqual([])
  }, 60_000)
})
