/**
 * The 挂图作战 pages in a real browser: Debian's Chromium driven by playwright-core against the real server on
 * loopback, at the office's 1440 px, a phone's 390 px and the wall screen's 1920 px; actions taken on the pages
 * reach chat and the reverse, and the office's 导入 and 设置. Skipped (with a reason) only where /usr/bin/chromium
 * is absent; CI installs it with fonts-noto-cjk. Screenshots are kept in .cache/test-artifacts/web/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Page } from 'playwright-core'
import { eq } from 'drizzle-orm'
import { startWeb } from './helpers.ts'
import * as XLSX from '@e965/xlsx'
import { problems, projects } from '../../src/store/schema.ts'
import { monthlyBulletin } from '../../src/services/bulletin.ts'
import { loadRules } from '../../src/services/rules.ts'
import { formatWan } from '../../src/domain/money.ts'
import { IN_ROUND } from './helpers.ts'
import { haveChromium, launchChromium, warnWithoutChromium, type Chromium } from '../browser.ts'

warnWithoutChromium('the 挂图作战 browser test')

export const ARTIFACTS = resolve('.cache/test-artifacts/web')

describe.skipIf(!haveChromium)('the 挂图作战 pages in Chromium', () => {
  let w: Awaited<ReturnType<typeof startWeb>>
  const browsers: Chromium[] = []
  const errors: string[] = []

  /** A fresh browser (its own profile, so its own cookies) at a width. */
  async function browser(width: number, height: number): Promise<Page> {
    const fresh = await launchChromium({ width, height }, 'diaodu-web-chromium-')
    browsers.push(fresh)
    const page = fresh.context.pages()[0] ?? (await fresh.context.newPage())
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
    for (const b of browsers) await b.close()
    await w?.close()
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

  /** What a person's local chat inbox holds (the /chat page's). */
  const inbox = async (personId: number) =>
    (
      (await (await fetch(`${w.base}/local/inbox?address=person:${personId}`)).json()) as {
        messages: { body: { kind: string; card?: { title: string; subject?: string } } }[]
      }
    ).messages

  it('交办 on the page reaches the unit head’s chat; 销号 done in chat shows on the page', async () => {
    const reporter = w.find('contact', { unit: '城关镇' })
    const id = await w.raiseProblem(reporter, '浏览器测试项目用地红线未确认')
    const unit = w.units.find((u) => u.name === '城关镇')!
    const head = w.people.find((p) => p.id === unit.headPersonId)!
    const page = await browser(1440, 900)
    await page.goto(await w.loginLink(w.find('office')))
    await page.waitForURL(`${w.base}/`)
    await page.locator('nav a', { hasText: '台账' }).click()
    await page.locator(`#problems a[href="/problems/${id}"]`).click()
    await page.waitForURL(`${w.base}/problems/${id}`)
    const form = page.locator('form.act-form')
    await form.locator('select[name="unit"]').selectOption(String(unit.id))
    await form.locator('textarea[name="plan"]').fill('城关镇会同自然资源局三日内确认红线')
    await form.locator('input[name="workdays"]').fill('5')
    const before = (await inbox(head.id)).length
    await form.locator('button[type="submit"]').click()
    await page.waitForURL(new RegExp(`/problems/${id}\\?done=`))
    expect(await page.locator('#answer').textContent()).toContain(`问题 #${id} 已交办 城关镇`)
    expect(await page.locator('#state').textContent()).toBe('已交办')
    await page.screenshot({ path: join(ARTIFACTS, 'problem-1440.png'), fullPage: true })
    const cards = (await inbox(head.id)).slice(before).filter((m) => m.body.card?.subject === `problem:${id}`)
    expect(cards.length).toBeGreaterThan(0)
    // Reloading the answer page runs nothing again.
    await page.reload()
    expect((await w.db.select().from(problems).where(eq(problems.id, id)).get())!.state).toBe('assigned')

    // The reverse: the unit head and the reporter close it in chat, through the bot; the page shows it closed.
    expect((await w.chat(head, `申请销号 #${id} 红线已确认`)).join()).toContain('已申请销号')
    expect((await w.chat(reporter, `确认销号 #${id}`)).join()).toContain('已销号')
    await page.goto(`${w.base}/problems/${id}`)
    expect(await page.locator('#state').textContent()).toBe('已销号')
    expect(await page.locator('#history').textContent()).toContain('提出人确认已解决')
    await page.goto(`${w.base}/problems?state=closed`)
    expect(await page.locator(`#problems a[href="/problems/${id}"]`).count()).toBe(1)
    expect(errors).toEqual([])
  })

  it('a unit head answers a 督办 on his phone; a person out of scope gets 403 on the action', async () => {
    const leader = w.find('leader', { title: '县长' })
    const unit = w.units.find((u) => u.name === '城东镇')!
    const project = (await w.db.select().from(projects).where(eq(projects.unitId, unit.id)).all()).find((p) => p.active)!
    expect((await w.chat(leader, `督办 ${project.name} 加快征地拆迁 3个工作日`)).join()).toContain('已挂牌督办')
    const { supervisions } = await import('../../src/store/schema.ts')
    const s = (await w.db.select().from(supervisions).all()).at(-1)!
    const head = w.people.find((p) => p.id === unit.headPersonId)!
    const page = await browser(390, 844)
    await page.goto(await w.loginLink(head))
    await page.waitForURL(`${w.base}/`)
    await page.goto(`${w.base}/supervisions/${s.id}`)
    const form = page.locator('form.act-form')
    for (const t of await form.locator('textarea, input[type="text"]').all()) await t.fill('按期完成')
    const before = (await inbox(leader.id)).length
    await form.locator('button[type="submit"]').click()
    await page.waitForURL(/done=/)
    expect(await page.locator('#answer').textContent()).toContain(`已复函督办 D${s.id}`)
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    await page.screenshot({ path: join(ARTIFACTS, 'supervision-390.png'), fullPage: true })
    expect((await inbox(leader.id)).slice(before).some((m) => m.body.card?.subject === `supervision:${s.id}`)).toBe(true)

    // Another unit's head: the item is not his (404), and a post about it is refused (403) without running.
    const other = await browser(1440, 900)
    await other.goto(await w.loginLink(w.find('unit_head', { unit: '城关镇' })))
    await other.waitForURL(`${w.base}/`)
    expect((await other.goto(`${w.base}/supervisions/${s.id}`))?.status()).toBe(404)
    // A post of his own making (no page offers it): same origin, his cookie and his session's token; refused by scope.
    const { csrfToken } = await import('../../src/web/actions.ts')
    const session = (await other.context().cookies()).find((c) => c.name === 'diaodu_session')!.value
    const r = await other.request.post(`${w.base}/act`, {
      headers: { origin: w.base },
      form: { _csrf: csrfToken(session), _nonce: 'n'.repeat(43), _command: 'closeSupervision', _args: JSON.stringify({ supervisionId: s.id }) },
    })
    const status = r.status()
    expect(status).toBe(403)
    expect(errors).toEqual([])
  })

  it('导入: the office uploads a workbook, sees the diff, confirms, and the projects appear; a bad file changes nothing', async () => {
    const page = await browser(1440, 900)
    await page.goto(await w.loginLink(w.find('office')))
    await page.waitForURL(`${w.base}/`)
    await page.locator('nav a', { hasText: '导入' }).click()
    const unit = w.units[0]!.name
    const names = ['浏览器导入示范项目甲', '浏览器导入示范项目乙', '浏览器导入示范项目丙']
    const wb = XLSX.utils.book_new()
    XLSX.utils.book_append_sheet(
      wb,
      XLSX.utils.aoa_to_sheet([
        ['项目', '承建单位', '总投资(万元)', '年度计划(万元)'],
        ...names.map((n, i) => [n, unit, 3000 + i * 1000, 800 + i * 100]),
      ]),
      '项目清单',
    )
    const bytes = Buffer.from(XLSX.write(wb, { type: 'array', bookType: 'xlsx' }) as ArrayBuffer)
    const count = async () => (await w.db.select().from(projects).all()).length
    const n0 = await count()
    await page.locator('input[type="file"]').setInputFiles({ name: '重点项目清单.xlsx', mimeType: 'application/octet-stream', buffer: bytes })
    await page.locator('#upload button[type="submit"]').click()
    await page.locator('#preview').waitFor()
    expect(await page.locator('#preview').textContent()).toContain('试导入，未写入')
    const changes = await page.locator('#changes tbody tr').allTextContents()
    for (const n of names) expect(changes.join()).toContain(n)
    expect(await count()).toBe(n0)
    await page.screenshot({ path: join(ARTIFACTS, 'import-preview-1440.png'), fullPage: true })
    await page.locator('#confirm button[type="submit"]').click()
    await page.locator('#result').waitFor()
    expect(await page.locator('#result h2').textContent()).toContain('已导入')
    expect(await count()).toBe(n0 + names.length)
    await page.goto(`${w.base}/projects`)
    const listed = await page.locator('#projects tbody').textContent()
    for (const n of names) expect(listed).toContain(n)

    await page.goto(`${w.base}/import`)
    await page
      .locator('input[type="file"]')
      .setInputFiles({ name: '清单.xlsx', mimeType: 'application/octet-stream', buffer: bytes.subarray(0, 300) })
    await page.locator('#upload button[type="submit"]').click()
    await page.locator('#refused').waitFor()
    expect(await page.locator('#refused').textContent()).toContain('没有写入任何数据')
    expect(await count()).toBe(n0 + names.length)
    expect(errors).toEqual([])
  })

  it('every page on the wall screen at 1920 px, and the new pages on a phone, without overflow', async () => {
    const page = await browser(1920, 1080)
    await page.goto(await w.loginLink(w.find('office')))
    await page.waitForURL(`${w.base}/`)
    const problem = (await w.db.select().from(problems).all()).at(-1)!
    for (const path of [
      '/',
      '/projects',
      '/board',
      '/map',
      '/problems',
      `/problems/${problem.id}`,
      '/supervisions',
      '/bulletin',
      '/import',
      '/settings',
    ]) {
      const r = await page.goto(`${w.base}${path}`)
      expect(r?.status(), path).toBe(200)
      expect(await page.evaluate(() => document.documentElement.scrollWidth), `${path} at 1920 px`).toBeLessThanOrEqual(1920)
      const name = path === '/' ? 'overview' : path.startsWith('/problems/') ? 'problem' : path.slice(1)
      await page.screenshot({ path: join(ARTIFACTS, `${name}-1920.png`), fullPage: true })
    }
    // The wall screen's type is larger than the desk's.
    expect(await page.evaluate(() => getComputedStyle(document.body).fontSize)).toBe('17px')
    const phone = await browser(390, 844)
    await phone.goto(await w.loginLink(w.find('office')))
    await phone.waitForURL(`${w.base}/`)
    for (const path of [`/problems/${problem.id}`, '/import', '/settings']) {
      await phone.goto(`${w.base}${path}`)
      expect(await phone.evaluate(() => document.documentElement.scrollWidth), `${path} at 390 px`).toBeLessThanOrEqual(390)
    }
    await phone.goto(`${w.base}/settings`)
    await phone.screenshot({ path: join(ARTIFACTS, 'settings-390.png'), fullPage: true })
    expect(errors).toEqual([])
  })

  // Last: it changes the county's rules.
  it('设置: a rule change is previewed with how many projects change colour, then saved; a bad value names its key', async () => {
    const page = await browser(1440, 900)
    await page.goto(await w.loginLink(w.find('office')))
    await page.waitForURL(`${w.base}/`)
    await page.locator('nav a', { hasText: '设置' }).click()
    await page.locator('#set select[name="key"]').selectOption('rules.colour')
    await page.locator('#set input[name="value"]').fill('pointBands')
    await page.locator('#set button', { hasText: '预览效果' }).click()
    await page.locator('#effect').waitFor()
    const effect = (await page.locator('#effect').textContent())!
    expect(effect).toContain('预览（未保存）')
    expect(effect).toMatch(/个项目(中 \d+ 个色牌改变|的色牌都不变)/)
    await page.screenshot({ path: join(ARTIFACTS, 'settings-preview-1440.png'), fullPage: true })
    await page.locator('#effect button', { hasText: '确认保存' }).click()
    await page.locator('#effect').waitFor()
    expect(await page.locator('#effect h2').textContent()).toContain('已保存')
    expect(await page.locator('#settings').textContent()).toContain('pointBands')
    await page.locator('#set select[name="key"]').selectOption('dispatch.monthly.openDay')
    await page.locator('#set input[name="value"]').fill('45')
    await page.locator('#set button', { hasText: '预览效果' }).click()
    await page.locator('#refused').waitFor()
    expect(await page.locator('#refused').textContent()).toContain('dispatch.monthly.openDay')
    expect(errors).toEqual([])
  })
})
