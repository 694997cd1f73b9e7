import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { openNodeDatabase, type NodeDatabase } from '../../../src/runtime/node/sqlite.ts'
import { loadDemoCounty } from '../../../src/demo/county.ts'
import { shanghaiTime } from '../../../src/domain/time.ts'
import { silentLogger } from '../../../src/log.ts'
import { createApp } from '../../../src/http/app.ts'
import { CHAT_JS, localChannelRoutes, type InboxMessage } from '../../../src/channels/local/index.ts'
import { enqueue } from '../../../src/outbox/enqueue.ts'
import { outbox, people, type Role } from '../../../src/store/schema.ts'
import type { BotResult, Card, InboundEvent } from '../../../src/model/index.ts'
import type { BotContext } from '../../../src/bot/context.ts'

const NOW = shanghaiTime(2026, 11, 22, 10)

let database: NodeDatabase
beforeEach(async () => {
  database = openNodeDatabase(':memory:')
  await loadDemoCounty(database.db, NOW)
})
afterEach(() => database.close())

const app = () => createApp({ db: database.db, schemaVersion: 1, logger: silentLogger, now: () => NOW, channels: ['local'] })

async function call(a: { request: (path: string, init?: RequestInit) => Response | Promise<Response> }, path: string, body?: unknown) {
  const init: RequestInit | undefined =
    body === undefined
      ? undefined
      : { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) }
  const res = await a.request(path, init)
  return { status: res.status, json: (await res.json()) as any }
}

async function personWith(role: Role) {
  const all = await database.db.select().from(people).all()
  return all.find((p) => (p.roles as Role[]).includes(role))!
}

async function inboxOf(a: ReturnType<typeof app>, address: string): Promise<InboxMessage[]> {
  const r = await call(a, `/local/inbox?address=${address}`)
  expect(r.status).toBe(200)
  return r.json.messages
}

/** Row counts of every table a request could write to. */
function counts() {
  const tables = ['outbox', 'inbound_log', 'groups', 'audit_log', 'pending_actions', 'problems', 'supervisions', 'reports', 'identities']
  return Object.fromEntries(tables.map((t) => [t, (database.sqlite.prepare(`select count(*) n from ${t}`).get() as { n: number }).n]))
}

describe('local channel routes', () => {
  it('serves the chat page, its script and stylesheet', async () => {
    const a = app()
    const page = await a.request('/chat')
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toMatch(/text\/html/)
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'")
    const html = await page.text()
    expect(html).toContain('<html lang="zh-CN">')
    expect(html).toContain('/local/chat.js')
    const js = await a.request('/local/chat.js')
    expect(js.headers.get('content-type')).toMatch(/javascript/)
    expect(() => new Function(CHAT_JS)).not.toThrow()
    expect((await a.request('/local/chat.css')).status).toBe(200)
  })

  it('is mounted only when the local channel is enabled', async () => {
    const feishuOnly = createApp({ db: database.db, schemaVersion: 1, logger: silentLogger, now: () => NOW, channels: ['feishu'] })
    expect((await feishuOnly.request('/chat')).status).toBe(404)
    expect((await feishuOnly.request('/local/roster')).status).toBe(404)
  })

  it('lists the roster with units and roles, and creates the county group once', async () => {
    const a = app()
    const first = await call(a, '/local/roster')
    expect(first.status).toBe(200)
    const { json } = await call(a, '/local/roster')
    expect(json.demo).toMatchObject({ county: '示例县', year: 2026 })
    expect(json.people.length).toBeGreaterThan(50)
    const head = json.people.find((p: any) => p.roles.includes('unit_head'))
    expect(head).toMatchObject({
      title: expect.any(String),
      unit: { name: expect.any(String), league: expect.any(String) },
      roleNames: ['单位负责人'],
    })
    expect(json.people.find((p: any) => p.title === '县长')).toMatchObject({ unit: null, roles: ['leader', 'county_head'] })
    expect(json.groups).toEqual([{ id: expect.any(Number), name: '示例县重点项目调度群', address: `group:${json.groups[0].id}`, boards: true }])
    const rows = database.sqlite.prepare("select chat_id, name from groups where platform = 'local'").all()
    expect(rows).toEqual([{ chat_id: `group:${json.groups[0].id}`, name: '示例县重点项目调度群' }])
  })

  it('sending 帮助 as a person puts a reply in that person’s inbox', async () => {
    const a = app()
    const me = await personWith('contact')
    const other = await personWith('leader')
    const r = await call(a, '/local/send', { personId: me.id, text: '帮助' })
    expect(r.status).toBe(200)
    expect(r.json.messages.length).toBeGreaterThan(0)
    const box = await inboxOf(a, `person:${me.id}`)
    expect(box[0]).toMatchObject({ from: 'person', personId: me.id, name: me.name, body: { kind: 'text', text: '帮助' } })
    const help = box.find((m) => m.from === 'bot' && m.body.kind === 'card' && m.body.card.template === 'help')
    expect(help).toBeDefined()
    expect(help!.html).toContain('使用帮助')
    expect(help!.html).toContain('data-command=')
    expect(typeof help!.id).toBe('number')
    expect(help!.at).toBe(NOW.toISOString())
    expect(await inboxOf(a, `person:${other.id}`)).toEqual([])
  })

  it('keeps a conversation in order even when the clock stands still', async () => {
    const a = app()
    const me = await personWith('contact')
    await call(a, '/local/send', { personId: me.id, text: '帮助' })
    await call(a, '/local/send', { personId: me.id, text: '红黄牌' })
    const box = await inboxOf(a, `person:${me.id}`)
    const said = box.map((m) => (m.from === 'person' ? (m.body as { text: string }).text : 'bot'))
    expect(said[0]).toBe('帮助')
    expect(said[1]).toBe('bot')
    const second = said.indexOf('红黄牌')
    expect(second).toBeGreaterThan(1)
    expect(said.slice(second + 1).every((s) => s === 'bot')).toBe(true)
    expect(said.length).toBeGreaterThan(second + 1)
  })

  it('answers in a group only when the bot is @-mentioned', async () => {
    const a = app()
    const { json } = await call(a, '/local/roster')
    const groupId = json.groups[0].id
    const leader = await personWith('leader')
    const quiet = await call(a, '/local/send', { personId: leader.id, text: '大家好', groupId })
    expect(quiet.status).toBe(200)
    expect(quiet.json.messages).toEqual([])
    const asked = await call(a, '/local/send', { personId: leader.id, text: '@调度助手 帮助', groupId })
    expect(asked.status).toBe(200)
    expect(asked.json.messages.length).toBeGreaterThan(0)
    const box = await inboxOf(a, `group:${groupId}`)
    expect(box.filter((m) => m.from === 'person').map((m) => (m.body as { text: string }).text)).toEqual(['大家好', '@调度助手 帮助'])
    expect(box.some((m) => m.from === 'bot')).toBe(true)
    expect(await inboxOf(a, `person:${leader.id}`)).toEqual([])
  })

  it('clicking a card button runs its command as the person who clicked', async () => {
    const a = app()
    const me = await personWith('contact')
    await call(a, '/local/send', { personId: me.id, text: '帮助' })
    const before = await inboxOf(a, `person:${me.id}`)
    const help = before.find((m) => m.from === 'bot' && m.body.kind === 'card')!
    const r = await call(a, '/local/action', { personId: me.id, messageId: help.id, command: 'redyellow', args: {} })
    expect(r.status).toBe(200)
    expect(r.json.ok).toBe(true)
    const after = await inboxOf(a, `person:${me.id}`)
    expect(after.length > before.length || r.json.updateCard !== undefined).toBe(true)
  })

  it('refuses a POST that is not JSON (415), from another origin or for another host (403), and changes nothing', async () => {
    const a = app()
    const me = await personWith('contact')
    await call(a, '/local/roster')
    const before = counts()
    const body = JSON.stringify({ personId: me.id, text: '帮助' })
    const post = (headers: Record<string, string>) => a.request('/local/send', { method: 'POST', headers, body })
    expect((await post({ 'content-type': 'text/plain' })).status).toBe(415)
    expect((await post({})).status).toBe(415)
    expect((await post({ 'content-type': 'application/json', origin: 'https://evil.example' })).status).toBe(403)
    expect((await post({ 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' })).status).toBe(403)
    expect((await post({ 'content-type': 'application/json', host: 'evil.example' })).status).toBe(403)
    expect((await a.request('/chat', { headers: { host: 'evil.example' } })).status).toBe(403)
    expect(counts()).toEqual(before)
    expect((await post({ 'content-type': 'application/json', origin: 'http://localhost', 'sec-fetch-site': 'same-origin' })).status).toBe(200)
  })

  describe('bad input gets 400 in Chinese and changes nothing', () => {
    const sends: [string, unknown][] = [
      ['not JSON', '{"personId": 1,'],
      ['an empty object', {}],
      ['a person id that is not a number', { personId: 'abc', text: '帮助' }],
      ['a negative person id', { personId: -3, text: '帮助' }],
      ['empty text', { personId: 1, text: '' }],
      ['blank text', { personId: 1, text: '   \n ' }],
      ['text that is too long', { personId: 1, text: '字'.repeat(2001) }],
      ['text that is not a string', { personId: 1, text: ['帮助'] }],
      ['a person not in the roster', { personId: 99999, text: '帮助' }],
      ['a group that does not exist', { personId: 1, text: '帮助', groupId: 99999 }],
      ['an array', [1, 2]],
    ]
    it.each(sends)('send: %s', async (_, body) => {
      const a = app()
      await call(a, '/local/roster')
      const before = counts()
      const r = await call(a, '/local/send', body)
      expect(r.status).toBe(400)
      expect(r.json.ok).toBe(false)
      expect(r.json.error).toMatch(/[\u4e00-\u9fff]/)
      expect(counts()).toEqual(before)
    })

    const actions: [string, (outboxId: number) => unknown][] = [
      ['not JSON', () => 'nope'],
      ['no message id', () => ({ personId: 1, command: 'help' })],
      ['a command name that cannot be one', (id) => ({ personId: 1, messageId: id, command: 'drop tables;' })],
      ['args that are not an object', (id) => ({ personId: 1, messageId: id, command: 'help', args: 'x' })],
      ['form values that are not strings', (id) => ({ personId: 1, messageId: id, command: 'help', form: { a: 1 } })],
      ['a message that does not exist', () => ({ personId: 1, messageId: 99999, command: 'help' })],
      ['a person not in the roster', (id) => ({ personId: 99999, messageId: id, command: 'help' })],
    ]
    it.each(actions)('action: %s', async (_, body) => {
      const a = app()
      const me = await personWith('contact')
      await enqueue(
        database.db,
        { platforms: ['local'] },
        [{ to: { kind: 'person', personId: 1 }, body: { kind: 'text', text: 'x' } }],
        NOW.getTime(),
        () => 'k',
      )
      const row = (await database.db.select().from(outbox).get())!
      void me
      const before = counts()
      const r = await call(a, '/local/action', body(row.id))
      expect(r.status).toBe(400)
      expect(r.json.error).toMatch(/[\u4e00-\u9fff]/)
      expect(counts()).toEqual(before)
    })

    it.each(['', 'person:', 'person:abc', 'user:1', 'person:0', 'person:1;drop', 'group:1 ', 'person:1&x=1'])('inbox address %j', async (address) => {
      const r = await call(app(), `/local/inbox?address=${encodeURIComponent(address)}`)
      expect(r.status).toBe(400)
      expect(r.json.error).toMatch(/地址/)
    })
  })
})

describe('local channel with a stand-in bot', () => {
  const seen: InboundEvent[] = []
  let answer: (e: InboundEvent) => BotResult
  const bot = async (_ctx: BotContext, e: InboundEvent) => (seen.push(e), answer(e))
  const routes = () => localChannelRoutes({ db: database.db, logger: silentLogger, now: () => NOW, channels: ['local'], bot })
  beforeEach(() => {
    seen.length = 0
    answer = () => ({ messages: [] })
  })

  async function cardFor(personId: number) {
    const card: Card = {
      template: 'x',
      colour: 'blue',
      title: '原卡片',
      elements: [{ kind: 'actions', buttons: [{ label: '确认', command: 'confirm' }] }],
    }
    await enqueue(
      database.db,
      { platforms: ['local'] },
      [{ to: { kind: 'person', personId }, body: { kind: 'card', card } }],
      NOW.getTime(),
      () => `k${personId}`,
    )
    return (await database.db
      .select()
      .from(outbox)
      .where(eq(outbox.address, `person:${personId}`))
      .get())!
  }

  it('builds the text event the bot expects', async () => {
    const a = routes()
    await call(a, '/local/send', { personId: '7', text: '  查 城关镇 ' })
    const { json } = await call(a, '/local/roster')
    await call(a, '/local/send', { personId: 7, text: '@调度助手 排名', groupId: json.groups[0].id })
    await call(a, '/local/send', { personId: 7, text: '排名', groupId: json.groups[0].id })
    expect(seen[0]).toMatchObject({
      type: 'text',
      platform: 'local',
      receivedAt: NOW,
      sender: { platform: 'local', userId: '7' },
      chat: { platform: 'local', chatId: 'person:7', kind: 'direct' },
      text: '查 城关镇',
      mentionedBot: false,
    })
    expect(seen[0]!.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(seen[1]).toMatchObject({
      chat: { chatId: `group:${json.groups[0].id}`, kind: 'group', name: '示例县重点项目调度群' },
      text: '排名',
      mentionedBot: true,
    })
    expect(seen[2]).toMatchObject({ text: '排名', mentionedBot: false })
    expect(new Set(seen.map((e) => e.id)).size).toBe(3)
    const logged = database.sqlite.prepare("select status from inbound_log where platform = 'local' order by id").all()
    expect(logged).toEqual([{ status: 'processed' }, { status: 'processed' }, { status: 'processed' }])
  })

  it('turns a click into a card_action with the form’s filled inputs', async () => {
    const a = routes()
    const row = await cardFor(7)
    const r = await call(a, '/local/action', {
      personId: 7,
      messageId: row.id,
      command: 'submitReport',
      args: { projectId: 3, x: null },
      form: { ytd: '8600', note: '  ' },
    })
    expect(r.status).toBe(200)
    expect(seen[0]).toMatchObject({
      type: 'card_action',
      platform: 'local',
      sender: { userId: '7' },
      chat: { platform: 'local', chatId: 'person:7', kind: 'direct' },
      messageId: String(row.id),
      command: 'submitReport',
      args: { projectId: 3 },
      form: { ytd: '8600' },
    })
  })

  it('replaces the card in place when the bot updates it, and shows the toast', async () => {
    const a = routes()
    const row = await cardFor(7)
    answer = () => ({
      updateCard: { template: 'x', colour: 'green', title: '已确认', elements: [{ kind: 'note', text: '处理完毕' }] },
      toast: { kind: 'success', text: '已确认' },
      messages: [],
    })
    const r = await call(a, '/local/action', { personId: 7, messageId: row.id, command: 'confirm', args: {} })
    expect(r.json).toMatchObject({ ok: true, toast: { kind: 'success', text: '已确认' } })
    const box = (await call(a, '/local/inbox?address=person:7')).json.messages as InboxMessage[]
    expect(box).toHaveLength(1)
    expect(box[0]!.id).toBe(row.id)
    expect(box[0]!.html).toContain('已确认')
    expect(box[0]!.html).not.toContain('原卡片')
    expect(database.sqlite.prepare('select count(*) n from outbox').get()).toEqual({ n: 1 })
  })

  it('refuses a click on someone else’s direct card', async () => {
    const a = routes()
    const row = await cardFor(7)
    const before = counts()
    const r = await call(a, '/local/action', { personId: 8, messageId: row.id, command: 'confirm', args: {} })
    expect(r.status).toBe(403)
    expect(r.json.error).toContain('只能操作发给自己的卡片')
    expect(seen).toEqual([])
    expect(counts()).toEqual(before)
  })

  it('answers 500 in Chinese when the bot fails, and keeps what was said', async () => {
    const a = routes()
    answer = () => {
      throw new Error('boom')
    }
    const r = await call(a, '/local/send', { personId: 7, text: '帮助' })
    expect(r.status).toBe(500)
    expect(r.json.error).toMatch(/出错/)
    expect(database.sqlite.prepare("select status, error from inbound_log where platform = 'local'").all()).toEqual([
      { status: 'failed', error: 'Error: boom' },
    ])
  })
})
