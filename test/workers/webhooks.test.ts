/**
 * Inside workerd: signed Feishu webhooks through the Worker's `fetch`, each county on its own D1 database with
 * its own app; a contact's report in chat from the question to 确认, stored on D1; county two sees nothing of it.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { textMessageEvent, webhookRequest } from '../fakes/feishu.ts'
import { COUNTIES, OPENS } from './counties.ts'
import { count, freshCounties, d1, feishuOf, post, until } from './helpers.ts'

const [one, two] = COUNTIES as [(typeof COUNTIES)[0], (typeof COUNTIES)[1]]
const figures: Record<string, number> = {}

beforeAll(async () => {
  const t = performance.now()
  await freshCounties(COUNTIES.map((c) => c.id))
  figures.seedMs = performance.now() - t
})

/** The county clock's seconds now (DIAODU_NOW moved it to the round's opening). */
const countySeconds = (plus = 0) => Math.floor(OPENS.getTime() / 1000) + plus

async function say(county: typeof one, o: { text: string; from: string; chat: string; eventId: string; timestamp?: number }) {
  const body = textMessageEvent({ text: o.text, senderOpenId: o.from, chatId: o.chat, eventId: o.eventId, token: county.verificationToken })
  return webhookRequest(body, { encryptKey: county.encryptKey, timestamp: String(o.timestamp ?? countySeconds()) })
}

describe('Feishu webhooks in workerd', () => {
  it('answers county one’s signed 帮助 through county one’s app; county two stores and receives nothing', async () => {
    const req = await say(one, { text: '帮助', from: 'ou_one_1', chat: 'oc_one_dm', eventId: 'ev_one_1' })
    const res = await post('/c/one/webhooks/feishu/events', req)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({})
    await until(async () => (await feishuOf('one')).sent.some((s) => s.chatId === 'oc_one_dm'))
    expect((await feishuOf('one')).sent.find((s) => s.chatId === 'oc_one_dm')!.content).toContain('帮助')
    expect(await count('one', `select count(*) n from inbound_log where status = 'processed'`)).toBe(1)
    expect(await count('two', `select count(*) n from inbound_log`)).toBe(0)
    expect((await feishuOf('two')).sent).toEqual([])
  })

  it('refuses county one’s request at county two (path or host), a stale one and a forged one: 401, nothing stored', async () => {
    const signed = await say(one, { text: '帮助', from: 'ou_one_1', chat: 'oc_one_dm', eventId: 'ev_cross' })
    expect((await post('/c/two/webhooks/feishu/events', signed)).status).toBe(401)
    expect((await post('/webhooks/feishu/events', signed, 'two.diaodu.test')).status).toBe(401)
    const stale = await say(one, { text: '帮助', from: 'ou_one_1', chat: 'oc_one_dm', eventId: 'ev_stale', timestamp: countySeconds(-9 * 3600) })
    expect((await post('/c/one/webhooks/feishu/events', stale)).status).toBe(401)
    const forged = { ...signed, headers: { ...signed.headers, 'x-lark-signature': '0'.repeat(64) } }
    expect((await post('/c/one/webhooks/feishu/events', forged)).status).toBe(401)
    expect(await count('two', `select count(*) n from inbound_log`)).toBe(0)
    expect(await count('one', `select count(*) n from inbound_log where dedupe_key in ('ev_cross', 'ev_stale')`)).toBe(0)
    expect((await post('/c/nowhere/webhooks/feishu/events', signed)).status).toBe(404)
  })

  it('a county listed before its database is bound answers 503 in Chinese; the others keep answering', async () => {
    const res = await post(
      '/c/three/webhooks/feishu/events',
      await say(one, { text: '帮助', from: 'ou_one_1', chat: 'oc_one_dm', eventId: 'ev_three' }),
    )
    expect(res.status).toBe(503)
    expect(((await res.json()) as { error: string }).error).toContain('该县暂不可用')
    const healthy = await post(
      '/c/one/webhooks/feishu/events',
      await say(one, { text: '帮助', from: 'ou_one_1', chat: 'oc_one_dm', eventId: 'ev_after_three' }),
    )
    expect(healthy.status).toBe(200)
    await until(async () => (await feishuOf('one')).sent.filter((s) => s.chatId === 'oc_one_dm').length === 2)
  })

  it('five webhooks of one county at once in one isolate are each answered, once', async () => {
    // Each request builds its own county runtime (countyForRequest): shared, workerd failed them with "Cannot
    // perform I/O on behalf of a different request" and cancelled them as hung.
    const who = [11, 12, 13, 14, 15]
    const posted = await Promise.all(
      who.map(async (p) =>
        post('/c/one/webhooks/feishu/events', await say(one, { text: '帮助', from: `ou_one_${p}`, chat: `oc_many_${p}`, eventId: `ev_many_${p}` })),
      ),
    )
    expect(posted.map((r) => r.status)).toEqual([200, 200, 200, 200, 200])
    await until(async () => new Set((await feishuOf('one')).sent.filter((s) => s.chatId.startsWith('oc_many_')).map((s) => s.chatId)).size === 5)
    expect(await count('one', `select count(*) n from inbound_log where dedupe_key like 'ev_many_%' and status = 'processed'`)).toBe(5)
    expect((await feishuOf('one')).sent.filter((s) => s.chatId.startsWith('oc_many_'))).toHaveLength(5)
  })

  it('a contact reports on county one: which project, the echo, 确认, and the report and its problem stored on D1', async () => {
    const contact = (await d1('one')
      .prepare(
        `select c.person_id id, c.project_id project, p.name name, r.ytd_investment ytd from project_contacts c
           join projects p on p.id = c.project_id
           join reports r on r.project_id = c.project_id and r.current = 1
           join rounds o on o.id = r.round_id and o.period = '2026-10'
         order by c.person_id, c.project_id limit 1`,
      )
      .first()) as { id: number; project: number; name: string; ytd: number }
    const chat = `oc_one_report_${contact.id}`
    const answers = async () => (await feishuOf('one')).sent.filter((s) => s.chatId === chat)
    let n = 0
    const turn = async (text: string) => {
      const req = await say(one, { text, from: `ou_one_${contact.id}`, chat, eventId: `ev_report_${++n}`, timestamp: countySeconds(60) })
      expect((await post('/c/one/webhooks/feishu/events', req)).status).toBe(200)
      await until(async () => (await answers()).length >= n)
      return (await answers())[n - 1]!.content
    }
    const problemsBefore = await count('one', `select count(*) n from problems where description = '林地手续未批'`)
    expect(await turn(`本月完成投资1200万元，本年累计${contact.ytd / 10_000 + 1200}万元，问题：林地手续未批`)).toContain('是哪个项目')
    expect(await turn(contact.name.slice(-6))).toContain('1,200.00 万元')
    expect(await turn('确认')).toContain('已收到')
    const stored = await d1('one')
      .prepare(
        `select r.ytd_investment ytd, r.source source from reports r join rounds o on o.id = r.round_id
          where o.period = '2026-11' and r.project_id = ? and r.current = 1`,
      )
      .bind(contact.project)
      .first()
    expect(stored).toEqual({ ytd: contact.ytd + 1200 * 10_000, source: 'text' })
    expect(await count('one', `select count(*) n from problems where description = '林地手续未批'`)).toBe(problemsBefore + 1)
    expect(await count('two', `select count(*) n from reports r join rounds o on o.id = r.round_id where o.period = '2026-11'`)).toBe(0)
  })
})
