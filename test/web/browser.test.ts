/**
 * The 挂图作战 pages in a real browser: Debian's Chromium driven by playwright-core against the real server on
 * loopback, at the office's 1440 px and a phone's 390 px. Skipped (with a reason) only where /usr/bin/chromium
 * is absent; CI installs it with fonts-noto-cjk. Screenshots are kept in .cache/test-artifacts/web/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { eq } from 'drizzle-orm'
import { startWeb } from './helpers.ts'
import { projects } from '../../src/store/schema.ts'
import { monthlyBulletin } from '../../src/services/bulletin.ts'
import { loadRules } from '../../src/services/rules.ts'
import { formatWan } from '../../src/domain/money.ts'
import { IN_ROUND } from './helpers.ts'

const CHROMIUM = '/usr/bin/chromium'
const haveChromium = existsSync(CHROMIUM)
if (!haveChromium) console.warn(`skipping the 挂图作战 browser test: ${CHROMIUM} not found (apt-get install -y chromium fonts-noto-cjk)`)

export const ARTIFACTS = resolve('.cache/test-artifacts/web')

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

describe.skipIf(!haveChromium)('the 挂图作战 pages in Chromium', () => {
  let w: Awaited<ReturnType<typeof startWeb>>
  const profiles: string[] = []
  const contexts: BrowserContext[] = []
  const errors: string[] = []

  /** A fresh browser (its own profile, so its own cookies) at a width. */
  async function browser(width: number, height: number): Promise<Page> {
    const profile = mkdtempSync(join(tmpdir(), 'diaodu-web-chromium-'))
    profiles.push(profile)
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width, height },
      locale: 'zh-CN',
      args: FLAGS,
    })
    contexts.push(context)
    const page = context.pages()[0] ?? (await context.newPage())
    page.on('pageerror', (e) => errors.push(String(e)))
    // Requests anywhere but this server would fail on a county intranet.
    page.on('request', (r) => void (!r.url().startsWith(w.base) && !r.url().startsWith('data:') && errors.push(`request to ${r.url()}`)))
    return page
  }

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true })
    w = await startWeb()
  })

  afterAll(async () => {
    for (const c of contexts) await c.close()
    await w?.close()
    for (const p of profiles) rmSync(p, { recursive: true, force: true })
  })

  it('signs the office in through the chat link; 总览 shows the county in Chinese; the link does not work twice', async () => {
    const page = await browser(1440, 900)
    const link = await w.loginLink(w.find('office'))
    await page.goto(link)
    await page.waitForURL(`${w.base}/`)
    expect(await page.locator('h1').textContent()).toContain('总览')
    const b = await monthlyBulletin(w.db, await loadRules(w.db), '2026-11', IN_ROUND)
    const kpis = await page.locator('.kpi').allTextContents()
    expect(kpis.join(' ')).toContain(`${formatWan(b.plan, 0)}万元`)
    expect(await page.locator('svg[aria-label="完成率与序时进度"] circle').count()).toBe(22)
    expect(await page.locator('#round').textContent()).toContain('未报')
    // Chinese is drawn with a CJK font, not boxes: the heading is as wide as CJK glyphs make it.
    const fontOk = await page.evaluate(() => document.fonts.check('16px "Noto Sans CJK SC"'))
    expect(fontOk).toBe(true)
    await page.screenshot({ path: join(ARTIFACTS, 'overview-1440.png'), fullPage: true })

    const again = await browser(1440, 900)
    const r = await again.goto(link)
    expect(r?.status()).toBe(410)
    expect(await again.locator('h1').textContent()).toBe('无法登录')
    expect(await again.locator('main').textContent()).toContain('已经用过')
    expect(errors).toEqual([])
  })

  it('filters the 清单 on the page, and opens a project with its curve', async () => {
    const page = await browser(1440, 900)
    await page.goto(await w.loginLink(w.find('office')))
    await page.waitForURL(`${w.base}/`)
    await page.locator('nav a', { hasText: '项目' }).click()
    const all = await page.locator('#projects tbody tr').count()
    await page.locator('select[name="unit"]').selectOption({ label: '城关镇' })
    await page.locator('form.filters button').click()
    await page.waitForURL(/unit=/)
    const rows = page.locator('#projects tbody tr')
    const n = await rows.count()
    expect(n).toBeGreaterThan(0)
    expect(n).toBeLessThan(all)
    for (const unit of await rows.locator('td:nth-child(3)').allTextContents()) expect(unit).toBe('城关镇')
    await rows.first().locator('a').first().click()
    await page.locator('#reports').waitFor()
    expect(await page.locator('svg[role="img"]').count()).toBeGreaterThan(0)
    await page.screenshot({ path: join(ARTIFACTS, 'project-1440.png'), fullPage: true })
    for (const path of ['/board', '/map', '/problems', '/supervisions']) {
      const r = await page.goto(`${w.base}${path}`)
      expect(r?.status(), path).toBe(200)
      await page.screenshot({ path: join(ARTIFACTS, `${path.slice(1)}-1440.png`), fullPage: true })
    }
    expect(errors).toEqual([])
  })

  it('a unit head on a phone sees his unit; another unit’s project is refused; nothing overflows 390 px', async () => {
    const head = w.find('unit_head', { unit: '城东镇' })
    const page = await browser(390, 844)
    await page.goto(await w.loginLink(head))
    await page.waitForURL(`${w.base}/`)
    expect(await page.locator('.who').textContent()).toContain('城东镇')
    for (const path of ['/', '/projects', '/board', '/map', '/problems', '/supervisions']) {
      await page.goto(`${w.base}${path}`)
      const wide = await page.evaluate(() => document.documentElement.scrollWidth)
      expect(wide, `${path} at 390 px`).toBeLessThanOrEqual(390)
    }
    await page.goto(`${w.base}/`)
    await page.screenshot({ path: join(ARTIFACTS, 'overview-390.png'), fullPage: true })
    const other = (await w.db.select().from(projects).all()).find((p) => p.unitId !== head.unitId)!
    const r = await page.goto(`${w.base}/projects/${other.id}`)
    expect(r?.status()).toBe(404)
    expect(await page.locator('main').textContent()).not.toContain(other.name)
    const own = (await w.db.select().from(projects).where(eq(projects.unitId, head.unitId!)).all())[0]!
    expect((await page.goto(`${w.base}/projects/${own.id}`))?.status()).toBe(200)
    expect(errors).toEqual([])
  })
})
