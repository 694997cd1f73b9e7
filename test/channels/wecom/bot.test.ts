/**
 * WECOM_MODE=bot end to end on loopback: the official SDK (`@wecom/aibot-node-sdk`) against a fake of the
 * 智能机器人 long connection (test/fakes/wecom-bot.ts). It subscribes with the bot's id and secret, keeps the
 * heartbeat, a member's text goes through the shared intake and the answer comes back as `aibot_send_msg`, a
 * clicked card is replaced within 5 s with the click's own req_id, a second process on the same database refuses
 * to open a second connection, and a connection opened elsewhere takes over (WeCom's rule) without a fight.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { eq, ne } from 'drizzle-orm'
import { openNodeDatabase, type NodeDatabase } from '../../../src/runtime/node/sqlite.ts'
import { loadDemoCounty } from '../../../src/demo/county.ts'
import { shanghaiTime } from '../../../src/domain/time.ts'
import { loadConfig, type Config } from '../../../src/config.ts'
import { silentLogger } from '../../../src/log.ts'
import { inboundLog, outbox, projectContacts } from '../../../src/store/schema.ts'
import { bindIdentity } from '../../../src/store/repos/directory.ts'
import { projectsOfContact } from '../../../src/store/repos/projects.ts'
import { BotLeaseError, startWecomBot, type WecomBotChannel } from '../../../src/runtime/node/wecom-bot.ts'
import { startFakeWecomBot, type FakeWecomBot } from '../../fakes/wecom-bot.ts'

const BOT = { botId: 'aib_test_bot', secret: 'bot-secret-value' }

let database: NodeDatabase
let fake: FakeWecomBot
let channel: WecomBotChannel | undefined
let config: Config
let offset = 0
const now = () => new Date(Date.now() + offset)

beforeEach(async () => {
  database = openNodeDatabase(':memory:')
  await loadDemoCounty(database.db, shanghaiTime(2026, 11, 22, 10))
  offset = shanghaiTime(2026, 11, 26, 10).getTime() - Date.now()
  fake = await startFakeWecomBot(BOT)
  config = loadConfig({ WECOM_MODE: 'bot', WECOM_BOT_ID: BOT.botId, WECOM_BOT_SECRET: BOT.secret, WECOM_BOT_WS_URL: fake.url })
  channel = await startWecomBot({ config, db: database.db, logger: silentLogger, now, drainEveryMs: 0, heartbeatMs: 150 })
  await channel.ready
})

afterEach(async () => {
  await channel?.stop()
  await fake.close()
  database.close()
})

/** Waits until every stored frame is processed, then drains the outbox until nothing is pending. */
async function settle(frames: number) {
  const end = Date.now() + 20_000
  for (;;) {
    const rows = await database.db.select().from(inboundLog).where(eq(inboundLog.platform, 'wecom')).all()
    if (rows.length >= frames && rows.every((r) => r.status !== 'received')) break
    if (Date.now() > end) throw new Error('frames not processed in time')
    await new Promise((r) => setTimeout(r, 20))
  }
  await channel!.receiver.idle()
  for (;;) {
    await channel!.drainOnce()
    const left = await database.db.select().from(outbox).where(eq(outbox.status, 'pending')).all()
    if (!left.length) return
    if (Date.now() > end) throw new Error(`outbox still has ${left.length} pending rows`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

type Tc = { task_id: string; main_title: { title: string }; button_list: { text: string; key: string }[] }

describe('the 智能机器人 long connection', () => {
  it('subscribes, keeps the heartbeat, answers a member through aibot_send_msg and replaces a clicked card within 5 s', async () => {
    const subscribe = fake.received.find((f) => f.cmd === 'aibot_subscribe')!
    expect(subscribe.body).toEqual({ bot_id: BOT.botId, secret: BOT.secret })
    await fake.until(() => fake.received.some((f) => f.cmd === 'ping'))

    const [link] = await database.db.select().from(projectContacts).all()
    await bindIdentity(database.db, link!.personId, 'wecom', 'zhangsan', now().getTime())
    const [project] = await projectsOfContact(database.db, link!.personId)

    fake.text('zhangsan', `填报 ${project!.code}`)
    await settle(1)
    const prompt = fake.sent.find((s) => s.msgtype === 'template_card')!
    expect(prompt.chatid).toBe('zhangsan')
    const card = prompt.template_card as Tc & { horizontal_content_list: { keyname: string; value: string }[] }
    expect(card.main_title.title).toContain(project!.name)
    const prev = Number(card.horizontal_content_list.find((f) => f.keyname === '上期本年累计')!.value.replace(/[^\d.]/g, ''))

    // A typed report, then the 请确认 card's 确认提交: the very card turns into the receipt, within 5 s.
    fake.text('zhangsan', `本月完成投资100万元，本年累计${prev + 100}万元，主体完工`)
    await settle(2)
    if (JSON.stringify(fake.sent.at(-1)).includes('哪个项目')) {
      fake.text('zhangsan', project!.name)
      await settle(3)
    }
    const confirm = fake.sent.at(-1)!.template_card as Tc
    expect(confirm.main_title.title).toContain('请确认')
    const reqId = fake.click('zhangsan', confirm.button_list.find((b) => b.text === '确认提交')!.key, confirm.task_id)
    await fake.until(() => fake.updates.length === 1)
    const { frame, afterMs } = fake.updates[0]!
    expect(frame.headers.req_id).toBe(reqId)
    expect(afterMs).toBeLessThan(5000)
    expect(frame.body).toMatchObject({ response_type: 'update_template_card', userids: ['zhangsan'] })
    const receipt = (frame.body as { template_card: Tc }).template_card
    expect(receipt.task_id).toBe(confirm.task_id)
    expect(receipt.main_title.title).toContain('已收到')
    await settle(4)
    expect(await database.db.select().from(outbox).where(ne(outbox.status, 'sent')).all()).toEqual([])
  })

  it('a member’s retried frame (same msgid) is processed once', async () => {
    const [link] = await database.db.select().from(projectContacts).all()
    await bindIdentity(database.db, link!.personId, 'wecom', 'lisi', now().getTime())
    fake.text('lisi', '帮助', { msgid: 'dup-1' })
    fake.text('lisi', '帮助', { msgid: 'dup-1' })
    await settle(1)
    const answers = fake.sent.filter((s) => s.chatid === 'lisi')
    expect(answers.length).toBeGreaterThan(0)
    expect(await database.db.select().from(inboundLog).all()).toHaveLength(1)
    expect(JSON.stringify(answers)).toContain('使用帮助')
  })

  it('a second process on the same database refuses to open a second connection for the bot', async () => {
    await expect(startWecomBot({ config, db: database.db, logger: silentLogger, now, drainEveryMs: 0 })).rejects.toThrow(BotLeaseError)
    await expect(startWecomBot({ config, db: database.db, logger: silentLogger, now, drainEveryMs: 0 })).rejects.toThrow(/只允许一个长连接/)
    expect(fake.subscriptions).toBe(1)
    // Once the first one stops, its lease is given back and a new process may connect.
    await channel!.stop()
    channel = await startWecomBot({ config, db: database.db, logger: silentLogger, now, drainEveryMs: 0 })
    await channel.ready
    expect(fake.subscriptions).toBe(2)
  })

  it('a connection opened elsewhere takes over: the old one is told, stops and does not reconnect', async () => {
    const other = openNodeDatabase(':memory:')
    const second = await startWecomBot({ config, db: other.db, logger: silentLogger, now, drainEveryMs: 0 })
    await second.ready
    await new Promise((r) => setTimeout(r, 1500))
    expect(fake.subscriptions).toBe(2)
    expect(fake.live).toBe(1)
    await second.stop()
    other.close()
  })

  it('WECOM_MODE=bot needs the bot’s id and secret, not the 自建应用; a bot id without the mode is named', () => {
    expect(() => loadConfig({ WECOM_MODE: 'bot', WECOM_BOT_ID: BOT.botId })).toThrow(/配置错误 WECOM_BOT_SECRET/)
    expect(loadConfig({ WECOM_MODE: 'bot', WECOM_BOT_ID: BOT.botId, WECOM_BOT_SECRET: BOT.secret }).channels).toEqual(['wecom'])
    expect(() => loadConfig({ WECOM_BOT_ID: BOT.botId, WECOM_BOT_SECRET: BOT.secret })).toThrow(/WECOM_MODE=bot/)
    expect(() => loadConfig({ WECOM_MODE: 'bot', WECOM_BOT_ID: BOT.botId, WECOM_BOT_SECRET: BOT.secret, WECOM_CORP_ID: 'ww1' })).toThrow(
      /WECOM_SECRET/,
    )
    expect(() => loadConfig({ WECOM_MODE: 'chat' })).toThrow(/WECOM_MODE/)
  })
})
