/**
 * The 挂图作战 pages over real HTTP on loopback: signing in from chat, single-use and expiring links, what each
 * person's scope shows, and the county's figures as the 通报 states them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { startWeb, tableRows, IN_ROUND } from './helpers.ts'
import { accessLinks, projects, reports, webSessions } from '../../src/store/schema.ts'
import { monthlyBulletin } from '../../src/services/bulletin.ts'
import { loadRules } from '../../src/services/rules.ts'
import { formatWan } from '../../src/domain/money.ts'
import { formatPercent, ratio } from '../../src/domain/ratio.ts'
import { tokenHash } from '../../src/web/session.ts'
import { COLOUR_LABELS } from '../../src/domain/colours.ts'
import { run } from '../../src/runtime/node/cli.ts'
import { roundByKey } from '../../src/store/repos/rounds.ts'
import { report } from '../jobs/helpers.ts'

let w: Awaited<ReturnType<typeof startWeb>>

beforeAll(async () => {
  w = await startWeb()
})
afterAll(async () => {
  await w?.close()
})

describe('signing in from chat', () => {
  it('「驾驶舱」 sends a link that signs the person in once, with an HttpOnly SameSite cookie', async () => {
    const office = w.find('office')
    const before = await w.get('/')
    expect(before.status).toBe(401)
    expect(await before.text()).toContain('「驾驶舱」')

    const link = await w.loginLink(office)
    expect(link.startsWith(`${w.base}/login/`)).toBe(true)
    // Only the hash of the token is kept.
    const token = link.split('/login/')[1]!
    const rows = await w.db.select().from(accessLinks).where(eq(accessLinks.personId, office.id)).all()
    expect(rows.map((r) => r.tokenHash)).toContain(tokenHash(token))
    expect(JSON.stringify(rows)).not.toContain(token)

    // Opening it (GET) only asks to confirm: a chat app's link preview must not use it up.
    const opened = await fetch(link)
    expect(opened.status).toBe(200)
    expect(await opened.text()).toContain('进入驾驶舱')
    const signed = await fetch(link, { method: 'POST', redirect: 'manual', headers: { origin: w.base } })
    expect(signed.status).toBe(303)
    expect(signed.headers.get('location')).toBe('/')
    const cookie = signed.headers.get('set-cookie')!
    expect(cookie).toMatch(/^diaodu_session=[A-Za-z0-9_-]{40,}/)
    expect(cookie).toContain('HttpOnly')
    expect(cookie).toContain('SameSite=Lax')
    expect(cookie).not.toContain('Secure') // plain http on loopback; behind https it is Secure

    const home = await w.get('/', cookie.split(';')[0])
    expect(home.status).toBe(200)
    const text = await home.text()
    expect(text).toContain(office.name)
    expect(text).toContain('范围：全县')

    // The same link again: refused, and no second session.
    const again = await fetch(link, { method: 'POST', redirect: 'manual', headers: { origin: w.base } })
    expect(again.status).toBe(410)
    expect(await again.text()).toContain('已经用过')
    expect((await fetch(link)).status).toBe(410)
    expect(await w.db.select().from(webSessions).where(eq(webSessions.personId, office.id)).all()).toHaveLength(1)
  })

  it('refuses a link after 30 minutes and one from another site', async () => {
    const head = w.find('unit_head', { unit: '城关镇' })
    const link = await w.loginLink(head)
    const foreign = await fetch(link, { method: 'POST', redirect: 'manual', headers: { origin: 'https://evil.example' } })
    expect(foreign.status).toBe(403)
    w.at(new Date(IN_ROUND.getTime() + 31 * 60_000))
    try {
      const late = await fetch(link, { method: 'POST', redirect: 'manual', headers: { origin: w.base } })
      expect(late.status).toBe(410)
      expect(await late.text()).toContain('已过期')
    } finally {
      w.at(IN_ROUND)
    }
  })

  it('sends the link to the person’s own chat when asked in a group, never into the group', async () => {
    const office = w.find('office')
    const r = await fetch(`${w.base}/local/roster`)
    const group = ((await r.json()) as { groups: { id: number }[] }).groups[0]!
    const sent = await fetch(`${w.base}/local/send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: w.base },
      body: JSON.stringify({ personId: office.id, text: '@调度助手 驾驶舱', groupId: group.id }),
    })
    const result = (await sent.json()) as { messages: { to: { kind: string }; body: { kind: string; text?: string } }[] }
    const inGroup = result.messages.filter((m) => m.to.kind === 'chat')
    expect(inGroup.map((m) => m.body.text).join()).not.toContain('/login/')
    expect(inGroup.map((m) => m.body.text).join()).toContain('私聊')
    expect(result.messages.find((m) => m.to.kind === 'person')?.body.text).toContain(`${w.base}/login/`)
  })

  it('退出 ends the session; the cookie opens nothing afterwards', async () => {
    const leader = w.find('leader', { title: '县长' })
    const cookie = await w.signIn(leader)
    expect((await w.get('/board', cookie)).status).toBe(200)
    const out = await fetch(`${w.base}/logout`, {
      method: 'POST',
      headers: { cookie, origin: w.base, 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    })
    expect(await out.text()).toContain('已退出')
    expect((await w.get('/board', cookie)).status).toBe(401)
  })

  it('diaodu login-link --person prints a link for set-up', async () => {
    const { openNodeDatabase } = await import('../../src/runtime/node/sqlite.ts')
    const { mkdtempSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const { join } = await import('node:path')
    const { loadDemoCounty } = await import('../../src/demo/county.ts')
    const file = join(mkdtempSync(join(tmpdir(), 'diaodu-web-')), 'cli.db')
    const d = openNodeDatabase(file)
    await loadDemoCounty(d.db, IN_ROUND)
    d.close()
    const saved = process.env.DATABASE_PATH
    process.env.DATABASE_PATH = file
    try {
      const office = w.find('office')
      const out: string[] = []
      await run(['login-link', '--person', office.mobile!], IN_ROUND, (s) => out.push(s))
      expect(out[0]).toMatch(new RegExp(`^${w.base}/login/[A-Za-z0-9_-]{40,}$`))
      await expect(run(['login-link', '--person', '没有这个人'], IN_ROUND, () => {})).rejects.toThrow('名册中没有')
    } finally {
      process.env.DATABASE_PATH = saved
    }
  })
})

describe('what each person sees', () => {
  it('总览 shows the demo county’s totals as the 通报 states them, and the live round', async () => {
    const cookie = await w.signIn(w.find('office'))
    const page = await (await w.get('/', cookie)).text()
    const b = await monthlyBulletin(w.db, await loadRules(w.db), '2026-11', IN_ROUND)
    expect(page).toContain(`${formatWan(b.plan, 0)}万元`)
    expect(page).toContain(`${formatWan(b.ytd, 0)}万元`)
    expect(page).toContain(formatPercent(ratio(b.ytd, b.plan), 1))
    expect(page).toContain('本月调度：2026年11月')
    expect(page).toMatch(/未报 <b class="down">\d+<\/b>/)
    expect(page).toContain('<svg') // the 完成率 / 序时 chart
  })

  it('a unit head sees only his unit’s projects; another unit’s project answers 404', async () => {
    const head = w.find('unit_head', { unit: '城关镇' })
    const cookie = await w.signIn(head)
    const list = await (await w.get('/projects', cookie)).text()
    const rows = tableRows(list, 'projects')
    const own = await w.db.select().from(projects).where(eq(projects.unitId, head.unitId!)).all()
    expect(rows.length).toBe(own.length)
    expect(rows.length).toBeGreaterThan(0)
    expect(new Set(rows.map((r) => r[2]))).toEqual(new Set(['城关镇']))
    expect(list).toContain('范围：城关镇')

    const other = (await w.db.select().from(projects).all()).find((p) => p.unitId !== head.unitId)!
    const refused = await w.get(`/projects/${other.id}`, cookie)
    expect(refused.status).toBe(404)
    expect(await refused.text()).not.toContain(other.name)
    // The 通报 is for leaders and the office, as in chat.
    expect((await w.get('/bulletin', cookie)).status).toBe(403)
    const mine = await w.get(`/projects/${own[0]!.id}`, cookie)
    expect(mine.status).toBe(200)
    expect(await mine.text()).toContain(own[0]!.name)
  })

  it('a 副县长 sees the projects of his sectors, a contact only his own', async () => {
    const vice = w.people.find((p) => p.title === '副县长' && (p.sectors as string[]).length > 0)!
    const cookie = await w.signIn(vice)
    const rows = tableRows(await (await w.get('/projects', cookie)).text(), 'projects')
    const sectors = vice.sectors as string[]
    const expected = (await w.db.select().from(projects).all()).filter((p) => sectors.includes(p.sector) || p.leaderPersonId === vice.id)
    expect(rows.length).toBe(expected.length)
    expect(rows.length).toBeLessThan((await w.db.select().from(projects).all()).length)
    // His 总览 counts the same projects, in the live month and in the closed months summed in SQL (双过半 is June's).
    const overview = await (await w.get('/', cookie)).text()
    expect(overview).toContain(`${expected.length}个`)
    expect(overview).toMatch(new RegExp(`\\d+/${expected.length}个项目过半`))

    const contact = w.find('contact', { unit: '城关镇' })
    const theirs = tableRows(await (await w.get('/projects', await w.signIn(contact))).text(), 'projects')
    const { projectsOfContact } = await import('../../src/store/repos/projects.ts')
    expect(theirs.map((r) => r[0]).sort()).toEqual((await projectsOfContact(w.db, contact.id)).map((p) => p.code).sort())
  })

  it('filters the 清单 by colour and sorts it by the gap to 序时', async () => {
    const cookie = await w.signIn(w.find('office'))
    const all = tableRows(await (await w.get('/projects', cookie)).text(), 'projects')
    // The month's least common colour among the projects (the demo's November: 预警 before any 催办).
    const counts = new Map<string, number>()
    for (const r of all) counts.set(r[10]!, (counts.get(r[10]!) ?? 0) + 1)
    const [label] = [...counts].sort((a, b) => a[1] - b[1])[0]!
    const key = (Object.keys(COLOUR_LABELS) as (keyof typeof COLOUR_LABELS)[]).find((k) => COLOUR_LABELS[k] === label)!
    const page = await (await w.get(`/projects?colour=${key}&sort=gap`, cookie)).text()
    const some = tableRows(page, 'projects')
    expect(some.length).toBe(counts.get(label))
    expect(some.length).toBeLessThan(all.length)
    expect(some.every((r) => r[10] === label)).toBe(true)
    const gaps = some.map((r) => (r[9] === '—' ? Infinity : Number(r[9])))
    expect(gaps).toEqual([...gaps].sort((a, b) => a - b))
  })

  it('renders every page for the office', async () => {
    const cookie = await w.signIn(w.find('office'))
    const workbook = await w.get('/export?period=2026-10', cookie)
    expect(workbook.status).toBe(200)
    expect(workbook.headers.get('content-type')).toContain('spreadsheetml')
    expect(new Uint8Array(await workbook.arrayBuffer()).slice(0, 2)).toEqual(new Uint8Array([0x50, 0x4b])) // a zip: .xlsx
    for (const [path, words] of [
      ['/board?period=2026-10', ['乡镇', '开发区', '县直部门', '投资完成率', '升降']],
      ['/board?period=2026-10&unit=1', ['历月走势']],
      ['/map', ['一张图', '<svg']],
      ['/problems', ['问题台账', '剩余']],
      ['/supervisions', ['督办']],
      ['/projects/1', ['填报记录', '色牌记录', '催办']],
      ['/bulletin?period=2026-10', ['2026年10月调度通报', '前三', '后三']],
    ] as const) {
      const r = await w.get(path, cookie)
      expect(r.status, path).toBe(200)
      const text = await r.text()
      for (const word of words) expect(text, `${path} shows ${word}`).toContain(word)
    }
  })
})

describe('驾驶舱 on the cards', () => {
  interface Inbox {
    messages: {
      id: number | string
      from: string
      body: { kind: string; card?: { title: string; elements: { kind: string; buttons?: { label: string; command: string }[] }[] } }
    }[]
  }
  const inbox = async (address: string) => ((await (await fetch(`${w.base}/local/inbox?address=${address}`)).json()) as Inbox).messages
  const dashboardButton = (m: Inbox['messages'][number]) =>
    m.body.card?.elements.flatMap((e) => (e.kind === 'actions' ? e.buttons! : [])).find((b) => b.label === '驾驶舱')
  const tap = async (personId: number, messageId: number | string, command: string) =>
    (await (
      await fetch(`${w.base}/local/action`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: w.base },
        body: JSON.stringify({ personId, messageId, command, args: {} }),
      })
    ).json()) as { ok: boolean; messages: { to: { kind: string }; body: { kind: string; text?: string } }[] }

  it('the 通报 and the 赛马 card carry 驾驶舱; tapping it sends a sign-in link that opens 总览', async () => {
    const leader = w.find('leader', { title: '县长' })
    const cards = await w.chat(leader, '通报')
    expect(cards.join()).toContain('通报')
    expect((await w.chat(leader, '排名')).length).toBeGreaterThan(0)
    const mine = (await inbox(`person:${leader.id}`)).filter((m) => m.from === 'bot' && m.body.kind === 'card')
    const bulletin = mine.find((m) => m.body.card!.title.includes('重点项目建设通报'))!
    const board = mine.find((m) => m.body.card!.title.includes('赛马比拼'))!
    expect(bulletin).toBeDefined()
    expect(board).toBeDefined()
    for (const card of [bulletin, board]) {
      const button = dashboardButton(card)!
      expect(button).toBeDefined()
      const result = await tap(leader.id, card.id, button.command)
      expect(result.ok).toBe(true)
      const link = /https?:\/\/\S+\/login\/[A-Za-z0-9_-]+/.exec(result.messages.map((m) => m.body.text ?? '').join('\n'))?.[0]
      expect(link).toBeDefined()
      const signed = await fetch(link!, { method: 'POST', redirect: 'manual', headers: { origin: w.base } })
      expect(signed.status).toBe(303)
      const home = await (await w.get('/', signed.headers.get('set-cookie')!.split(';')[0])).text()
      expect(home).toContain(leader.name)
      expect(home).toContain('总览')
    }
  })

  it('tapped on a card in a group, the link goes to the tapper’s own chat only', async () => {
    const office = w.find('office')
    const group = ((await (await fetch(`${w.base}/local/roster`)).json()) as { groups: { id: number }[] }).groups[0]!
    await fetch(`${w.base}/local/send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: w.base },
      body: JSON.stringify({ personId: office.id, text: '@调度助手 排名', groupId: group.id }),
    })
    const card = (await inbox(`group:${group.id}`)).filter((m) => m.from === 'bot' && dashboardButton(m)).at(-1)!
    expect(card).toBeDefined()
    const result = await tap(office.id, card.id, dashboardButton(card)!.command)
    const inGroup = result.messages.filter((m) => m.to.kind === 'chat').map((m) => m.body.text ?? '')
    expect(inGroup.join()).not.toContain('/login/')
    expect(inGroup.join()).toContain('私聊')
    expect(result.messages.find((m) => m.to.kind === 'person')?.body.text).toContain(`${w.base}/login/`)
  })

  // Last: it adds a report to the shared county. The published months are kept once summed; the open one is not.
  it('总览 stays live for the open month: a report just confirmed shows at once, as the 通报 counts it', async () => {
    const cookie = await w.signIn(w.find('office'))
    const kpi = (page: string, label: string) => new RegExp(`<span>${label}</span><b>([^<]+)</b>`).exec(page)?.[1]
    const before = await (await w.get('/', cookie)).text()
    const round = (await roundByKey(w.db, 'monthly', '2026-11'))!
    const reported = new Set((await w.db.select().from(reports).where(eq(reports.roundId, round.id)).all()).map((r) => r.projectId))
    const project = (await w.db.select().from(projects).all()).find((p) => p.active && p.year === 2026 && !reported.has(p.id))!
    expect(project).toBeDefined()
    await report(w.database, round.id, project.id, IN_ROUND, project.annualPlan)
    const after = await (await w.get('/', cookie)).text()
    const b = await monthlyBulletin(w.db, await loadRules(w.db), '2026-11', IN_ROUND)
    expect(kpi(after, '本年累计完成')).toBe(`${formatWan(b.ytd, 0)}万元`)
    expect(kpi(after, '本年累计完成')).not.toBe(kpi(before, '本年累计完成'))
    // The closed months' 完成率 and 三色 as the charts title them: the same before and after.
    const closed = (page: string) =>
      [...page.matchAll(/<title>([^<]+)<\/title>/g)].map((m) => m[1]!).filter((t) => /^\d+月/.test(t) && !t.startsWith('11月'))
    expect(closed(after).length).toBeGreaterThan(10)
    expect(closed(after)).toEqual(closed(before))
  })
})
