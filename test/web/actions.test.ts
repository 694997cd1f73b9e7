/**
 * Acting on the 挂图作战 pages over real HTTP: a form post runs the chat's own command through the intake (the
 * person's reply shown after the redirect, the others' cards queued to their chat), a replayed form does nothing
 * twice, a person out of scope gets 403, a post without the session's token or from another site changes nothing;
 * what is done in chat shows on the page; 导入 and 设置 for the office.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as XLSX from '@e965/xlsx'
import { and, eq, sql } from 'drizzle-orm'
import { formsOn, startWeb, type PageForm, type Person } from './helpers.ts'
import { auditLog, inboundLog, outbox, problemEvents, problems, projects } from '../../src/store/schema.ts'
import { getSetting } from '../../src/store/repos/settings.ts'
import { decoders } from '../../src/channels/index.ts'

let w: Awaited<ReturnType<typeof startWeb>>

beforeAll(async () => {
  w = await startWeb()
})
afterAll(async () => {
  await w?.close()
})

/** Posts a page's form as a browser does (same origin), with `set` filled in; the answer, not followed. */
async function submit(cookie: string, form: PageForm, set: Record<string, string> = {}, headers: Record<string, string> = {}) {
  const body = new URLSearchParams({ ...form.fields, ...set })
  return fetch(`${w.base}${form.action}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, origin: w.base, 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
  })
}

/** The page a redirect goes to. */
const follow = async (cookie: string, r: Response) => (await w.get(r.headers.get('location')!, cookie)).text()

const formFor = (page: string, command: string) => formsOn(page).find((f) => f.fields._command === command)

interface InboxMessage {
  body: { kind: string; text?: string; card?: { template: string; title: string; subject?: string; elements: { kind: string }[] } }
}
const inbox = async (person: Person) =>
  ((await (await fetch(`${w.base}/local/inbox?address=person:${person.id}`)).json()) as { messages: InboxMessage[] }).messages

describe('交办 on the page is the chat’s 交办', () => {
  let problemId: number
  let office: Person
  let reporter: Person
  let cookie: string
  /** The 交办 form as the office sent it, to send again. */
  let sent: { form: PageForm; set: Record<string, string> }

  beforeAll(async () => {
    reporter = w.find('contact', { unit: '城关镇' })
    problemId = await w.raiseProblem(reporter, '网页测试施工临时用电未接通')
    office = w.find('office')
    cookie = await w.signIn(office)
  })

  it('the office assigns it on /problems/:id; the unit head’s chat gets the 交办 card; the page shows the bot’s reply', async () => {
    const list = await (await w.get('/problems', cookie)).text()
    expect(list).toContain(`href="/problems/${problemId}"`)
    const page = await (await w.get(`/problems/${problemId}`, cookie)).text()
    const assign = formFor(page, 'assign')!
    expect(assign).toBeDefined()
    const unit = w.units.find((u) => u.name === '城关镇')!
    const head = w.people.find((p) => p.id === unit.headPersonId)!
    const before = (await inbox(head)).length
    sent = { form: assign, set: { unit: String(unit.id), plan: '供电公司三日内接通', workdays: '5' } }
    const r = await submit(cookie, assign, sent.set)
    expect(r.status).toBe(303)
    expect(r.headers.get('location')).toMatch(new RegExp(`^/problems/${problemId}\\?done=`))
    const after = await follow(cookie, r)
    expect(after).toContain('调度助手回复')
    expect(after).toContain(`问题 #${problemId} 已交办 城关镇`)
    expect(after).toContain('已交办')
    const p = (await w.db.select().from(problems).where(eq(problems.id, problemId)).get())!
    expect(p.state).toBe('assigned')
    expect(p.assigneeUnitId).toBe(unit.id)
    // The same card the chat's 交办 sends, in the unit head's local inbox, with 更新进展 / 申请销号.
    const cards = (await inbox(head)).slice(before).filter((m) => m.body.card?.subject === `problem:${problemId}`)
    expect(cards.map((m) => m.body.card!.title).join()).toContain('交办')
    // The web replies are delivered (shown), not left pending for a sender that never comes.
    const webRows = await w.db.select().from(outbox).where(eq(outbox.platform, 'web')).all()
    expect(webRows.length).toBeGreaterThan(0)
    expect(webRows.every((row) => row.status === 'sent')).toBe(true)
    // The inbound log keeps the event like a chat message's.
    expect((await w.db.select().from(inboundLog).where(eq(inboundLog.platform, 'web')).all()).map((row) => row.status)).toEqual(['processed'])
  })

  it('the stored action reads back through the channels’ decoders (start-up resume and inbound --retry finish it like a chat’s)', async () => {
    const [row] = await w.db.select().from(inboundLog).where(eq(inboundLog.platform, 'web')).all()
    const event = await decoders(w.db)[row!.platform]!(row!.raw, new Date(row!.receivedAt))
    expect(event).toMatchObject({ platform: 'web', type: 'card_action', command: 'assign' })
    expect(JSON.stringify(event)).toContain(String(office.id))
  })

  it('the same form posted again (same nonce) does nothing twice and shows the first answer', async () => {
    const events = async () => (await w.db.select().from(problemEvents).where(eq(problemEvents.problemId, problemId)).all()).length
    const pushes = async () =>
      (
        await w.db
          .select()
          .from(outbox)
          .where(sql`${outbox.key} like 'problem:assign:%'`)
          .all()
      ).length
    const [e0, p0] = [await events(), await pushes()]
    const page = await (await w.get(`/problems/${problemId}`, cookie)).text()
    expect(formFor(page, 'assign')).toBeUndefined() // assigned: the office's card has no 交办 form any more
    // The back button and 重新提交: the very form sent before, its nonce and all.
    const replay = await submit(cookie, sent.form, sent.set)
    expect(replay.status).toBe(303)
    expect(await follow(cookie, replay)).toContain(`问题 #${problemId} 已交办 城关镇`)
    expect(await events()).toBe(e0)
    expect(await pushes()).toBe(p0)
    expect(await w.db.select().from(inboundLog).where(eq(inboundLog.platform, 'web')).all()).toHaveLength(1)
  })

  it('in scope but not allowed: the bot’s own refusal, in Chinese, on the page after the redirect; nothing changes', async () => {
    // The reporter sees his problem, but 交办 is the office's: the command's permission check answers, not the page.
    const theirs = await w.signIn(reporter)
    const page = await (await w.get(`/problems/${problemId}`, theirs)).text()
    expect(formFor(page, 'assign')).toBeUndefined()
    const before = (await w.db.select().from(problemEvents).where(eq(problemEvents.problemId, problemId)).all()).length
    const r = await submit(
      theirs,
      {
        action: '/act',
        fields: { _csrf: await csrfOf(theirs), _nonce: 'r'.repeat(43), _command: 'assign', _args: JSON.stringify({ problemId }) },
        submit: '',
      },
      { unit: String(w.units[0]!.id) },
    )
    expect(r.status).toBe(303)
    const answer = await follow(theirs, r)
    expect(answer).toMatch(/抱歉，这项操作限.*办公室使用/)
    expect(answer).not.toContain('{office}')
    expect((await w.db.select().from(problemEvents).where(eq(problemEvents.problemId, problemId)).all()).length).toBe(before)
  })

  it('a person out of scope gets 403 on the action, and nothing is stored', async () => {
    const other = w.find('unit_head', { unit: '城东镇' })
    const theirs = await w.signIn(other)
    expect((await w.get(`/problems/${problemId}`, theirs)).status).toBe(404)
    // Their own valid token: the refusal is the scope's, not the form's.
    const token = await csrfOf(theirs)
    const r = await submit(
      theirs,
      {
        action: '/act',
        fields: { _csrf: token, _nonce: 'x'.repeat(43), _command: 'update', _args: JSON.stringify({ problemId }) },
        submit: '',
      },
      { note: '越权更新' },
    )
    expect(r.status).toBe(403)
    expect(
      await w.db
        .select()
        .from(inboundLog)
        .where(and(eq(inboundLog.platform, 'web'), sql`${inboundLog.dedupeKey} like ${`${other.id}.%`}`))
        .all(),
    ).toEqual([])
  })

  it('a post without the session’s token, or from another site, is refused and changes nothing', async () => {
    const page = await (await w.get(`/problems/${problemId}`, cookie)).text()
    const form = formsOn(page).find((f) => f.action === '/act')
    const any = form ?? { action: '/act', fields: { _command: 'update', _args: JSON.stringify({ problemId }), _nonce: 'y'.repeat(43) }, submit: '' }
    const n0 = (await w.db.select().from(inboundLog).where(eq(inboundLog.platform, 'web')).all()).length
    expect((await submit(cookie, any, { _csrf: 'forged' })).status).toBe(403)
    expect(
      (await submit(cookie, { ...any, fields: { ...any.fields, _csrf: await csrfOf(cookie) } }, {}, { origin: 'https://evil.example' })).status,
    ).toBe(403)
    expect((await w.db.select().from(inboundLog).where(eq(inboundLog.platform, 'web')).all()).length).toBe(n0)
  })

  it('the unit head updates it on the page; the reporter closes it in chat, and the page shows it closed', async () => {
    const unit = w.units.find((u) => u.name === '城关镇')!
    const head = w.people.find((p) => p.id === unit.headPersonId)!
    const theirs = await w.signIn(head)
    const page = await (await w.get(`/problems/${problemId}`, theirs)).text()
    // The unit head's card: 更新进展 and 申请销号, as in chat. 申请销号 first asks for its 说明 (the chat's next card).
    const ask = formFor(page, 'requestClose')!
    const asked = await follow(theirs, await submit(theirs, ask))
    const withNote = formFor(asked, 'requestClose')!
    expect(Object.keys(withNote.fields)).toContain('note')
    const confirm = await follow(theirs, await submit(theirs, withNote, { note: '已接通临时用电' }))
    const sure = formsOn(confirm).find((f) => f.fields._command === 'requestClose' && f.submit === '确认申请')!
    const done = await follow(theirs, await submit(theirs, sure))
    expect(done).toContain(`问题 #${problemId} 已申请销号，等待提出人确认`)
    // The reporter confirms in chat, through the bot.
    expect((await w.chat(reporter, `确认销号 #${problemId}`)).join()).toContain('已销号')
    const office = await (await w.get(`/problems/${problemId}`, cookie)).text()
    expect(/id="state">([^<]+)</.exec(office)?.[1]).toBe('已销号')
    expect(office).toContain('提出人确认已解决')
  })
})

/** The CSRF token of a session: the one its pages carry. */
async function csrfOf(cookie: string): Promise<string> {
  const page = await (await w.get('/settings', cookie)).text()
  const fromPage = formsOn(page).find((f) => f.fields._csrf)?.fields._csrf
  if (fromPage) return fromPage
  const { csrfToken } = await import('../../src/web/actions.ts')
  return csrfToken(decodeURIComponent(cookie.split('=')[1]!))
}

describe('督办 on the page', () => {
  it('the unit answers a 督办 with its 复函 on the page; the issuer gets it in chat and 办结s it on the page', async () => {
    const leader = w.find('leader', { title: '县长' })
    const project = (await w.db.select().from(projects).where(eq(projects.active, true)).all())[0]!
    expect((await w.chat(leader, `督办 ${project.name} 加快施工许可办理 3个工作日`)).join()).toContain('已挂牌督办')
    const { supervisions } = await import('../../src/store/schema.ts')
    const s = (await w.db.select().from(supervisions).all()).at(-1)!
    const unit = w.units.find((u) => u.id === project.unitId)!
    const head = w.people.find((p) => p.id === unit.headPersonId)!
    const theirs = await w.signIn(head)
    const page = await (await w.get(`/supervisions/${s.id}`, theirs)).text()
    const reply = formFor(page, 'replySupervision')!
    expect(reply).toBeDefined()
    const filled = Object.fromEntries(
      Object.keys(reply.fields)
        .filter((k) => !k.startsWith('_'))
        .map((k) => [k, `${k}：网页复函`]),
    )
    const before = (await inbox(leader)).length
    const answered = await follow(theirs, await submit(theirs, reply, filled))
    expect(answered).toContain(`已复函督办 D${s.id}`)
    expect((await inbox(leader)).slice(before).some((m) => m.body.card?.subject === `supervision:${s.id}`)).toBe(true)
    const issuer = await w.signIn(leader)
    const close = formFor(await (await w.get(`/supervisions/${s.id}`, issuer)).text(), 'closeSupervision')!
    const closed = await follow(issuer, await submit(issuer, close))
    expect(closed).toContain(`督办 D${s.id}（${project.name}）已办结`)
    expect(/id="state">([^<]+)</.exec(closed)?.[1]).toBe('已办结')
  })
})

function workbook(rows: (string | number)[][]): Uint8Array {
  const wb = XLSX.utils.book_new()
  XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(rows), '项目清单')
  return new Uint8Array(XLSX.write(wb, { type: 'array', bookType: 'xlsx' }) as ArrayBuffer)
}

async function upload(cookie: string, bytes: Uint8Array, name: string) {
  const page = await (await w.get('/import', cookie)).text()
  const form = formsOn(page).find((f) => f.action === '/import')!
  const body = new FormData()
  body.append('_csrf', form.fields._csrf!)
  body.append('file', new File([bytes as Uint8Array<ArrayBuffer>], name))
  return fetch(`${w.base}/import`, { method: 'POST', headers: { cookie, origin: w.base }, body })
}

describe('导入 and 设置 for the office', () => {
  it('an upload shows the dry run’s diff; 确认导入 writes it, audited as the office; a bad file is refused, nothing written', async () => {
    const office = w.find('office')
    const cookie = await w.signIn(office)
    const unit = w.units[0]!.name
    const names = ['网页导入测试项目甲', '网页导入测试项目乙']
    const bytes = workbook([
      ['项目', '承建单位', '总投资(万元)', '年度计划(万元)'],
      [names[0]!, unit, 5000, 1200],
      [names[1]!, unit, 8000, 2000],
    ])
    const count = async () => (await w.db.select().from(projects).all()).length
    const n0 = await count()
    const preview = await upload(cookie, bytes, '清单.xlsx')
    expect(preview.status).toBe(200)
    const text = await preview.text()
    expect(text).toContain('试导入，未写入')
    for (const n of names) expect(text).toContain(n)
    expect(await count()).toBe(n0)
    const confirm = formsOn(text).find((f) => f.action === '/import/confirm')!
    const body = new FormData()
    for (const [k, v] of Object.entries(confirm.fields)) body.append(k, v)
    const done = await fetch(`${w.base}/import/confirm`, { method: 'POST', headers: { cookie, origin: w.base }, body })
    expect(done.status).toBe(200)
    expect(await done.text()).toContain('已导入')
    expect(await count()).toBe(n0 + 2)
    const audit = await w.db.select().from(auditLog).where(eq(auditLog.actorPersonId, office.id)).all()
    expect(audit.length).toBeGreaterThan(0)

    const bad = await upload(cookie, new TextEncoder().encode('这不是表格 \u0000\u0001\u0002'), '清单.xlsx')
    expect(bad.status).toBe(400)
    expect(await bad.text()).toContain('无法导入')
    expect(await count()).toBe(n0 + 2)
    // Not the office: 403.
    expect((await w.get('/import', await w.signIn(w.find('leader', { title: '县长' })))).status).toBe(403)
  })

  it('设置: a change is previewed with its effect, saved on confirm, and a bad value is refused naming the key', async () => {
    const office = w.find('office')
    const cookie = await w.signIn(office)
    const page = await (await w.get('/settings', cookie)).text()
    expect(page).toContain('rules.colour')
    const form = formsOn(page).find((f) => f.action === '/settings')!
    const stored = await getSetting(w.db, 'rules')
    const preview = await (await submit(cookie, form, { key: 'rules.colour', value: 'pointBands' })).text()
    expect(preview).toContain('预览（未保存）')
    expect(preview).toMatch(/个项目(中 \d+ 个色牌改变|的色牌都不变)/)
    expect(await getSetting(w.db, 'rules')).toEqual(stored)
    const save = formsOn(preview).find((f) => f.submit === '确认保存')!
    const saved = await (await submit(cookie, save, { save: '1' })).text()
    expect(saved).toContain('已保存')
    expect(((await getSetting<Record<string, unknown>>(w.db, 'rules')) ?? {}).colour).toBe('pointBands')
    const bad = await submit(cookie, form, { key: 'dispatch.monthly.openDay', value: '45' })
    expect(bad.status).toBe(400)
    expect(await bad.text()).toContain('dispatch.monthly.openDay')
  })
})
