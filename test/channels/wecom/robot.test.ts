/**
 * Group robots (WECOM_GROUP_ROBOTS) get the clock's 赛马 board on loopback: the month closes (runTick), the board
 * goes to each robot's group as markdown of at most 4,096 bytes a message and as a PNG (base64 + md5, ≤ 2 MB)
 * drawn with the shipped Noto Sans SC subset; the fake robot webhook checks sizes and the md5 like WeCom. A 应用群聊
 * the app created (appchat/create) is a board group too and gets the board as markdown (appchat/send).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { writeFileSync } from 'node:fs'
import { eq, like } from 'drizzle-orm'
import { openNodeDatabase, type NodeDatabase } from '../../../src/runtime/node/sqlite.ts'
import { loadDemoCounty } from '../../../src/demo/county.ts'
import { shanghaiTime } from '../../../src/domain/time.ts'
import { createApp } from '../../../src/http/app.ts'
import { loadConfig } from '../../../src/config.ts'
import { silentLogger } from '../../../src/log.ts'
import { groups, outbox } from '../../../src/store/schema.ts'
import { runTick } from '../../../src/jobs/tick.ts'
import { startRobots, startWecom, type WecomChannel } from '../../../src/runtime/node/wecom.ts'
import { createPngRenderer } from '../../../src/runtime/node/png.ts'
import { chartOfCard, chartSize } from '../../../src/render/chart.ts'
import { parseRobots, robotMarkdown } from '../../../src/channels/wecom/robot.ts'
import { createWecomAppChat } from '../../../src/channels/wecom/appchat.ts'
import type { Card } from '../../../src/model/index.ts'
import { startFakeWecom, type FakeWecom } from '../../fakes/wecom.ts'
import { wecomConfig } from './helpers.ts'

const APP = { corpId: 'ww_robot_corp', agentId: 1000007, token: 'RobotT0ken', aesKey: 'RobotKey0123456789abcdefghijklmnopqrstuvwxy' }
const SECRET = 'robot-app-secret'
const KEYS = { county: 'aaaa1111-2222-3333-4444-555566667777', towns: 'bbbb1111-2222-3333-4444-555566667777' }

let database: NodeDatabase
let fake: FakeWecom
let channel: WecomChannel
const at = shanghaiTime(2026, 12, 1, 18, 30)

beforeEach(async () => {
  database = openNodeDatabase(':memory:')
  await loadDemoCounty(database.db, shanghaiTime(2026, 11, 22, 10))
  fake = await startFakeWecom({ corpId: APP.corpId, secret: SECRET, agentId: APP.agentId, robotKeys: Object.values(KEYS) })
  const config = wecomConfig(APP, SECRET, fake.url, { WECOM_GROUP_ROBOTS: `县指挥部群=${KEYS.county}, 乡镇群=${KEYS.towns}` })
  const now = () => at
  const app = createApp({ db: database.db, schemaVersion: database.schemaVersion, logger: silentLogger, now, channels: config.channels })
  const robots = await startRobots({ config, db: database.db, logger: silentLogger, now })
  channel = startWecom({ config, db: database.db, logger: silentLogger, app, now, drainEveryMs: 0, robots })
})

afterEach(async () => {
  await channel.stop()
  await fake.close()
  database.close()
})

/** PNG width and height from its IHDR chunk. */
function pngSize(png: Uint8Array): { width: number; height: number } {
  expect([...png.subarray(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10])
  const v = new DataView(png.buffer, png.byteOffset)
  return { width: v.getUint32(16), height: v.getUint32(20) }
}

describe('group robot boards', () => {
  it('the month’s board reaches each robot as markdown ≤ 4,096 bytes and a PNG with drawn Chinese', async () => {
    const robotGroups = await database.db.select().from(groups).where(like(groups.chatId, 'robot:%')).all()
    expect(robotGroups.map((g) => g.name).sort()).toEqual(['乡镇群', '县指挥部群'])
    // And a 应用群聊 the app creates: a board group too.
    const made = await createWecomAppChat(
      database.db,
      channel.client,
      { name: '重点项目调度群', owner: 'office1', userlist: ['zhangsan'], chatid: 'ddboard' },
      at,
    )
    expect(made).toMatchObject({ ok: true, chatid: 'ddboard' })
    expect(fake.appChats.get('ddboard')?.userlist.sort()).toEqual(['office1', 'zhangsan'])

    // The clock from the demo's day to after the month's close: the round opens, closes, the board goes out.
    for (let t = shanghaiTime(2026, 11, 22, 10).getTime(); t <= at.getTime(); t += 3600_000) await runTick(database.db, new Date(t), false, ['wecom'])
    const boards = await database.db.select().from(outbox).where(like(outbox.key, 'board:monthly:%')).all()
    expect(boards.map((b) => b.address).sort()).toEqual(['ddboard', 'robot:乡镇群', 'robot:县指挥部群'])
    await channel.drainOnce()
    expect((await database.db.select().from(outbox).where(like(outbox.key, 'board:monthly:%')).all()).map((b) => b.status)).toEqual([
      'sent',
      'sent',
      'sent',
    ])
    // The 应用群聊 gets the board as markdown (appchat/send has no template cards).
    const inChat = fake.appChatSent.filter((s) => s.chatid === 'ddboard').map((s) => JSON.stringify(s.body))
    expect(inChat.some((b) => b.includes('赛马比拼'))).toBe(true)

    for (const key of Object.values(KEYS)) {
      const posts = fake.robotSent.filter((p) => p.key === key)
      const md = posts.filter((p) => p.msgtype === 'markdown').map((p) => (p.body.markdown as { content: string }).content)
      expect(md.length).toBeGreaterThan(0)
      expect(md.every((m) => Buffer.byteLength(m) <= 4096)).toBe(true)
      expect(md.some((m) => m.includes('赛马比拼'))).toBe(true)
      // The monthly board's chart, as the shipped renderer draws it, is among the robot's images.
      const card = (boards[0]!.body as { card: Card }).card
      const chart = chartOfCard(card)!
      const expected = await createPngRenderer().png(chart)
      const image = posts.find((p) => p.msgtype === 'image' && Buffer.compare(Buffer.from(p.png!), Buffer.from(expected)) === 0)!
      expect(image).toBeDefined()
      expect(image.png!.length).toBeLessThanOrEqual(2 * 1024 * 1024)
      expect(pngSize(image.png!)).toEqual(chartSize(chart))
      // Drawn with the shipped font: the same chart drawn without any font has no glyphs and differs.
      const bare = await createPngRenderer({ fontFiles: [] }).png(chart)
      expect(Buffer.compare(Buffer.from(bare), Buffer.from(image.png!))).not.toBe(0)
      expect(image.png!.length).toBeGreaterThan(bare.length * 1.5)
      writeFileSync(`${process.env.TMPDIR ?? '/tmp'}/diaodu-robot-board.png`, image.png!)
    }
    expect(fake.requests.filter((r) => r.errcode !== 0)).toEqual([])
  })

  it('a long board is split at line ends into at most three messages, the last saying where the rest is', () => {
    const rows = Array.from({ length: 400 }, (_, i) => ({ rank: i + 1, unit: `第${i + 1}个单位（很长的单位名称）`, score: 90 }))
    const card: Card = {
      template: 'leaderboard',
      colour: 'purple',
      title: '赛马比拼',
      elements: [
        {
          kind: 'table',
          columns: [
            { key: 'rank', label: '名次', numeric: true },
            { key: 'unit', label: '单位' },
            { key: 'score', label: '得分', numeric: true },
          ],
          rows,
        },
      ],
    }
    const parts = robotMarkdown({ kind: 'card', card })
    expect(parts).toHaveLength(3)
    expect(parts.every((p) => Buffer.byteLength(p) <= 4096)).toBe(true)
    expect(parts[2]).toContain('完整榜单请在应用中发送「排名」查看')
  })

  it('WECOM_GROUP_ROBOTS that is not name=key pairs stops start-up with a line naming it', () => {
    expect(() => parseRobots('县指挥部群')).toThrow(/群名=机器人key/)
    expect(() =>
      loadConfig({
        WECOM_CORP_ID: 'ww',
        WECOM_AGENT_ID: '5',
        WECOM_SECRET: 's',
        WECOM_TOKEN: 't',
        WECOM_ENCODING_AES_KEY: APP.aesKey,
        WECOM_GROUP_ROBOTS: 'x',
      }),
    ).toThrow(/配置错误 WECOM_GROUP_ROBOTS/)
    expect(parseRobots(`a=${KEYS.county};b=${KEYS.towns}`).get('b')).toBe(KEYS.towns)
  })
})
