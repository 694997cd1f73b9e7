/**
 * A monthly round through the Feishu channel end to end, on loopback: our server (startFeishu: the SDK sender,
 * the webhook routes, the outbox drain) talks to the fake Feishu open API, which checks tokens, card schema
 * and rate limits like the real one. A bound contact types 填报, fills in the card form, gets the receipt;
 * after the round closes the board goes to the group the bot was added to.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { serve, type ServerType } from '@hono/node-server'
import type { AddressInfo } from 'node:net'
import { eq } from 'drizzle-orm'
import { openNodeDatabase, type NodeDatabase } from '../../../src/runtime/node/sqlite.ts'
import { loadDemoCounty } from '../../../src/demo/county.ts'
import { shanghaiTime } from '../../../src/domain/time.ts'
import { createApp } from '../../../src/http/app.ts'
import { loadConfig } from '../../../src/config.ts'
import { silentLogger } from '../../../src/log.ts'
import { outbox, people, projectContacts, reports, rounds } from '../../../src/store/schema.ts'
import { bindIdentity } from '../../../src/store/repos/directory.ts'
import { runTick } from '../../../src/jobs/tick.ts'
import { DEFAULT_DISPATCH } from '../../../src/domain/dispatch.ts'
import { startFeishu, type FeishuChannel } from '../../../src/runtime/node/feishu.ts'
import { FEISHU_BOT_SETTING, FEISHU_CARDS_PATH, FEISHU_EVENTS_PATH } from '../../../src/channels/feishu/routes.ts'
import { getSetting } from '../../../src/store/repos/settings.ts'
import { feishuOutboxSender, feishuUuid, targetOfRow } from '../../../src/channels/feishu/outbox.ts'
import { createSdkSender } from '../../../src/channels/feishu/sdk.ts'
import { validateCard } from '../../../src/channels/feishu/render.ts'
import { botAddedEvent, cardActionEvent, startFakeFeishu, textMessageEvent, webhookRequest, type FakeFeishu } from '../../fakes/feishu.ts'

const APP = { appId: 'cli_round', appSecret: 'round-secret' }
const ENCRYPT_KEY = 'round-encrypt-key'
const TOKEN = 'vtoken'
const BOT = 'ou_bot_round'

type Json = Record<string, unknown>

let database: NodeDatabase
let fake: FakeFeishu
let server: ServerType
let base: string
let channel: FeishuChannel
/** Pinned to the county's calendar, but flowing with real time (the fake's rate windows use real time). */
let offset = 0
const now = () => new Date(Date.now() + offset)
const setNow = (d: Date) => void (offset = d.getTime() - Date.now())

beforeEach(async () => {
  database = openNodeDatabase(':memory:')
  await loadDemoCounty(database.db, shanghaiTime(2026, 11, 22, 10))
  setNow(shanghaiTime(2026, 11, 26, 10))
  fake = await startFakeFeishu({ ...APP, botOpenId: BOT })
  const config = loadConfig({
    FEISHU_APP_ID: APP.appId,
    FEISHU_APP_SECRET: APP.appSecret,
    FEISHU_ENCRYPT_KEY: ENCRYPT_KEY,
    FEISHU_VERIFICATION_TOKEN: TOKEN,
    FEISHU_DOMAIN: fake.url,
  })
  const app = createApp({ db: database.db, schemaVersion: database.schemaVersion, logger: silentLogger, now, channels: ['feishu'] })
  channel = await startFeishu({ config, db: database.db, logger: silentLogger, app, now, drainEveryMs: 0 })
  server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })
  await new Promise<void>((resolve) => server.once('listening', () => resolve()))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterEach(async () => {
  await channel.stop()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  await fake.close()
  database.close()
})

/** What Feishu POSTs for `body`, signed and encrypted, stamped with the test clock. */
async function feishuPosts(path: string, body: unknown): Promise<{ status: number; json: Json }> {
  const r = await webhookRequest(body, { encryptKey: ENCRYPT_KEY, timestamp: String(Math.floor(now().getTime() / 1000)) })
  const res = await fetch(base + path, { method: 'POST', headers: r.headers, body: r.rawBody })
  const json = (await res.json()) as Json
  await channel.receiver.idle()
  return { status: res.status, json }
}

/** Drains the outbox until nothing is pending (rate-limited rows are retried when their time comes). */
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

/** The contact with the most projects (more cards than Feishu's 5-per-second per chat). */
async function busiestContact() {
  const links = await database.db.select().from(projectContacts).all()
  const counts = new Map<number, number>()
  for (const l of links) counts.set(l.personId, (counts.get(l.personId) ?? 0) + 1)
  const [personId, n] = [...counts].sort((a, b) => b[1] - a[1])[0]!
  const person = (await database.db.select().from(people).where(eq(people.id, personId)).get())!
  return { person, projects: n }
}

function findAll(node: unknown, pred: (n: Json) => boolean, out: Json[] = []): Json[] {
  if (Array.isArray(node)) for (const x of node) findAll(x, pred, out)
  else if (node && typeof node === 'object') {
    const n = node as Json
    if (pred(n)) out.push(n)
    for (const v of Object.values(n)) findAll(v, pred, out)
  }
  return out
}

describe('a monthly round through Feishu', () => {
  it('填报 → card form → submit → receipt card; the board goes to the group after the round', async () => {
    expect(channel.botOpenId()).toBe(BOT)

    // The bot is added to the county group first.
    expect((await feishuPosts(FEISHU_EVENTS_PATH, botAddedEvent('oc_county_group'))).status).toBe(200)

    // A contact, bound to their Feishu account, asks to report.
    const { person, projects } = await busiestContact()
    expect(projects).toBeGreaterThan(5)
    await bindIdentity(database.db, person.id, 'feishu', 'ou_contact', now().getTime())
    const asked = await feishuPosts(
      FEISHU_EVENTS_PATH,
      textMessageEvent({ text: '填报', senderOpenId: 'ou_contact', chatId: 'oc_p2p_contact', chatType: 'p2p', token: TOKEN }),
    )
    expect(asked).toEqual({ status: 200, json: {} })
    await deliverAll()

    // One interactive card per project in the direct chat, each a valid card 2.0 with a form.
    const cards = fake.sent.filter((s) => s.receiveId === 'oc_p2p_contact' && s.msgType === 'interactive')
    expect(cards).toHaveLength(projects)
    expect(fake.requests.some((r) => r.code === 230020)).toBe(false) // our limiter kept under 5/s per chat
    for (const c of cards) {
      expect(c.receiveIdType).toBe('chat_id')
      expect(validateCard(c.parsed)).toEqual([])
      expect(c.uuid).toMatch(/^in:feishu:/)
    }
    const card = cards[0]!
    const [form] = findAll(card.parsed, (n) => n.tag === 'form')
    expect(form).toBeDefined()
    const [submit] = findAll(form, (n) => n.tag === 'button' && n.form_action_type === 'submit')
    const value = (submit!.behaviors as { value: Json }[])[0]!.value
    expect(value.cmd).toBe('submitReport')
    const ytdInput = findAll(form, (n) => n.tag === 'input' && n.name === 'ytd')[0]!
    const prevYtd = Number(ytdInput.default_value ?? 0)

    // Submitting the form: the callback answers with a toast and the receipt card, in place.
    const submitted = await feishuPosts(
      FEISHU_CARDS_PATH,
      cardActionEvent({
        value,
        formValue: { period: '500', ytd: String(prevYtd + 500), progress: '主体封顶' },
        operatorOpenId: 'ou_contact',
        messageId: card.messageId,
        chatId: 'oc_p2p_contact',
        name: String(submit!.name),
        token: TOKEN,
      }),
    )
    expect(submitted.status).toBe(200)
    expect(submitted.json.toast).toMatchObject({ type: 'success' })
    const receipt = submitted.json.card as { type: string; data: Json }
    expect(receipt.type).toBe('raw')
    expect(validateCard(receipt.data)).toEqual([])
    expect(JSON.stringify(receipt.data)).toContain('已收到')
    const stored = await database.db
      .select()
      .from(reports)
      .where(eq(reports.projectId, Number(value.projectId)))
      .all()
    expect(stored.some((r) => r.current && r.source === 'card' && r.progressText === '主体封顶')).toBe(true)

    // When the round's close is due, the dispatch clock closes it and posts the board to the group.
    const round = (await database.db
      .select()
      .from(rounds)
      .where(eq(rounds.id, Number(value.roundId)))
      .get())!
    setNow(new Date(round.deadlineAt + DEFAULT_DISPATCH.monthly.closeAfterMinutes * 60_000 + 5 * 60_000))
    await runTick(database.db, now(), false, ['feishu'])
    expect((await database.db.select().from(rounds).where(eq(rounds.id, round.id)).get())!.closedAt).not.toBeNull()
    await deliverAll()
    const toGroup = fake.sent.filter((s) => s.receiveId === 'oc_county_group' && s.msgType === 'interactive')
    expect(toGroup.length).toBeGreaterThanOrEqual(1)
    // The group got October's published board when the bot joined it; the close posts November's.
    const board = toGroup.find((s) => JSON.stringify(s.parsed).includes('2026年11月') && JSON.stringify(s.parsed).includes('赛马比拼'))!
    expect(board).toBeDefined()
    expect(validateCard(board.parsed)).toEqual([])
    expect(findAll(board.parsed, (n) => n.tag === 'table').length).toBeGreaterThan(0)
    // The contact still owes five reports: the board @-mentions them by their Feishu open_id.
    expect(JSON.stringify(board.parsed)).toContain('<at id=ou_contact></at>')

    // Every call carried a valid token; nothing was refused.
    expect(fake.requests.filter((r) => r.status !== 200)).toEqual([])
    expect(fake.tokenRequests).toBe(1)
  })
})

describe('the outbox adapter', () => {
  it('keeps the bot identity Feishu reported, for processes that cannot ask (diaodu inbound --retry)', async () => {
    expect(channel.botOpenId()).toBe(BOT)
    expect(await getSetting(database.db, FEISHU_BOT_SETTING)).toEqual({ openId: BOT, name: '调度助手' })
  })

  it('keeps short keys, hashes long ones to ≤ 50 characters with a readable prefix', async () => {
    expect(await feishuUuid('in:feishu:ev_1:0')).toBe('in:feishu:ev_1:0')
    const long = `board:monthly:2026-11:g12:${'x'.repeat(60)}`
    const a = await feishuUuid(long)
    expect(a.length).toBeLessThanOrEqual(50)
    expect(a.startsWith('board:monthly:2026-11:g12')).toBe(true)
    expect(await feishuUuid(long)).toBe(a)
    expect(await feishuUuid(`${long}y`)).not.toBe(a)
    const chinese = await feishuUuid('催办:城关镇:2026-11')
    expect(chinese).toMatch(/^[\x21-\x7e]{1,50}$/)
  })

  it('addresses users by open_id and chats (groups and direct) by chat_id', () => {
    expect(targetOfRow({ address: 'ou_1', addressKind: 'user' })).toEqual({ openId: 'ou_1' })
    expect(targetOfRow({ address: 'oc_1', addressKind: 'user' })).toEqual({ chatId: 'oc_1' })
    expect(targetOfRow({ address: 'oc_2', addressKind: 'chat' })).toEqual({ chatId: 'oc_2' })
  })

  it('renders @-mentions with open_ids, sends with the uuid, and maps failures', async () => {
    const [someone, other] = await database.db.select().from(people).limit(2).all()
    await bindIdentity(database.db, someone!.id, 'feishu', 'ou_someone', now().getTime())
    const s = feishuOutboxSender(createSdkSender({ ...APP, domain: fake.url }), database.db)
    const body = {
      kind: 'text',
      text: '请尽快填报',
      mentions: [
        { personId: someone!.id, name: someone!.name },
        { personId: other!.id, name: other!.name },
      ],
    }
    const ok = await s.send({ platform: 'feishu', address: 'oc_g', addressKind: 'chat', body, key: 'k1' })
    expect(ok).toEqual({ ok: true, messageId: fake.sent[0]!.messageId })
    expect(fake.sent[0]!.parsed).toEqual({ text: `<at user_id="ou_someone">${someone!.name}</at> @${other!.name} 请尽快填报` })
    expect(fake.sent[0]!.uuid).toBe('k1')

    fake.outOfRange.add('ou_far')
    const far = await s.send({ platform: 'feishu', address: 'ou_far', addressKind: 'user', body: { kind: 'text', text: 'x' }, key: 'k2' })
    expect(far).toMatchObject({ ok: false, retryable: false })
    expect(far.ok === false && far.reason).toContain('可用范围')

    fake.failNext({ status: 429, code: 99991400, headers: { 'x-ogw-ratelimit-reset': '2' } })
    const limited = await s.send({ platform: 'feishu', address: 'ou_x', addressKind: 'user', body: { kind: 'text', text: 'x' }, key: 'k3' })
    expect(limited).toMatchObject({ ok: false, retryable: true, retryAfterMs: 2000 })

    const broken = await s.send({ platform: 'feishu', address: 'ou_x', addressKind: 'user', body: { kind: 'nonsense' }, key: 'k4' })
    expect(broken).toMatchObject({ ok: false, retryable: false })
  })
})

describe('first contact', () => {
  it('knows a person the Feishu directory has under the roster mobile on their first message', async () => {
    const person = (await database.db.select().from(people).where(eq(people.title, '县长')).get())!
    fake.directory.set(person.mobile!, 'ou_new_county_head')
    const r = await feishuPosts(
      FEISHU_EVENTS_PATH,
      textMessageEvent({ text: '帮助', senderOpenId: 'ou_new_county_head', chatId: 'oc_new_head', chatType: 'p2p' }),
    )
    expect(r.status).toBe(200)
    await deliverAll()
    const sent = fake.sent.filter((s) => s.chatId === 'oc_new_head')
    expect(sent).toHaveLength(1)
    expect(sent[0]!.content).toContain(`${person.name}，您可以`)
    expect(fake.directoryLookups.flat()).toContain(person.mobile)
  })
})
