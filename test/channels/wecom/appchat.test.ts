/**
 * `diaodu wecom-group create` against the fake WeCom API on loopback: a 应用群聊 made with appchat/create becomes a
 * board group of ours (members given as userids or as roster mobiles of people bound on WeCom); WeCom's refusals
 * come back as one Chinese line with its code (86215 群 ID 已被使用, 86216 无效成员), and what WeCom would refuse
 * anyway (no name, too few members, a bad chat id) is refused before any call.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { eq } from 'drizzle-orm'
import { openNodeDatabase } from '../../../src/runtime/node/sqlite.ts'
import { loadDemoCounty } from '../../../src/demo/county.ts'
import { shanghaiTime } from '../../../src/domain/time.ts'
import { bindIdentity } from '../../../src/store/repos/directory.ts'
import { groups, people } from '../../../src/store/schema.ts'
import { run } from '../../../src/runtime/node/cli.ts'
import { runWecomGroup, WecomGroupError } from '../../../src/runtime/node/cli-wecom.ts'
import { startFakeWecom, type FakeWecom } from '../../fakes/wecom.ts'

const CORP = 'ww_appchat_test'
const SECRET = 'appchat-secret'
const AGENT = 1000011
const at = shanghaiTime(2026, 11, 26, 10)

let fake: FakeWecom
let dir: string
let env: Record<string, string>
let mobile: string

beforeEach(async () => {
  fake = await startFakeWecom({ corpId: CORP, secret: SECRET, agentId: AGENT, invisible: ['outsider'] })
  dir = mkdtempSync(join(tmpdir(), 'diaodu-appchat-'))
  env = {
    DATABASE_PATH: join(dir, 'county.db'),
    WECOM_CORP_ID: CORP,
    WECOM_AGENT_ID: String(AGENT),
    WECOM_SECRET: SECRET,
    WECOM_TOKEN: 'AppchatT0ken',
    WECOM_ENCODING_AES_KEY: 'AppchatKey0123456789abcdefghijklmnopqrstuvw',
    WECOM_API_BASE: fake.url,
  }
  const d = openNodeDatabase(env.DATABASE_PATH!)
  await loadDemoCounty(d.db, at)
  const person = (await d.db.select().from(people).all()).find((p) => p.mobile)!
  mobile = person.mobile!
  await bindIdentity(d.db, person.id, 'wecom', 'lisi', at.getTime())
  d.close()
})

afterEach(async () => {
  await fake.close()
  rmSync(dir, { recursive: true, force: true })
})

const create = async (...args: string[]) => {
  const lines: string[] = []
  await runWecomGroup(['create', ...args], at, (s) => lines.push(s), env)
  return lines.join('\n')
}

describe('diaodu wecom-group create', () => {
  it('makes the 应用群聊 and keeps it as a board group; a roster mobile stands for its bound account', async () => {
    const said = await create('重点项目调度群', '--owner', 'office1', '--members', `zhangsan,${mobile}`, '--chatid', 'ddboard1')
    expect(said).toContain('chatid ddboard1（3 人）')
    expect(fake.appChats.get('ddboard1')).toEqual({ name: '重点项目调度群', owner: 'office1', userlist: ['office1', 'zhangsan', 'lisi'] })
    const d = openNodeDatabase(env.DATABASE_PATH!)
    const g = await d.db.select().from(groups).where(eq(groups.chatId, 'ddboard1')).get()
    d.close()
    expect(g).toMatchObject({ platform: 'wecom', name: '重点项目调度群', active: true, boards: true })
  })

  it("WeCom's refusals come back as one line with the code; nothing is kept", async () => {
    await create('调度群', '--owner', 'office1', '--members', 'zhangsan', '--chatid', 'ddboard2')
    await expect(create('又一个群', '--owner', 'office1', '--members', 'zhangsan', '--chatid', 'ddboard2')).rejects.toThrow(/群 ID 已被使用.*86215/)
    await expect(create('外部群', '--owner', 'office1', '--members', 'outsider')).rejects.toThrow(/无效的 UserID.*86216/)
    const d = openNodeDatabase(env.DATABASE_PATH!)
    const names = (await d.db.select().from(groups).where(eq(groups.platform, 'wecom')).all()).map((g) => g.name)
    d.close()
    expect(names).toEqual(['调度群'])
  })

  it('refuses what WeCom would refuse before calling it, and bad arguments, with exit-code-2 errors', async () => {
    const calls = () => fake.requests.filter((r) => r.path.startsWith('/cgi-bin/appchat')).length
    await expect(create('独群', '--owner', 'office1')).rejects.toThrow(/2 到 2000 名成员/)
    await expect(create('群', '--owner', 'office1', '--members', 'a', '--chatid', 'bad-id!')).rejects.toThrow(/字母或数字/)
    await expect(create('长'.repeat(51), '--owner', 'office1', '--members', 'a')).rejects.toThrow(/最多 50 个字/)
    await expect(create('群', '--members', 'a')).rejects.toThrow(/--owner/)
    await expect(create('群', '--owner', 'office1', '--members', '13900000000')).rejects.toThrow(/名册中没有手机号/)
    await expect(runWecomGroup(['delete', '群'], at, () => {}, env)).rejects.toBeInstanceOf(WecomGroupError)
    await expect(create('群', '--owner', 'o', '--nope', 'x')).rejects.toBeInstanceOf(RangeError)
    expect(calls()).toBe(0)
  })

  it('is listed by diaodu help', async () => {
    const lines: string[] = []
    await run(['help'], at, (s) => lines.push(s))
    expect(lines.join('\n')).toContain('wecom-group create')
  })
})
