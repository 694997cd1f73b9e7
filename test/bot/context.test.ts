/**
 * The bot's context keeps the rules, the county's names, the demo flag and the working-day calendar between
 * events (built once per settings version and override rows): a settings change must still hold from the very next event, whoever writes it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { harness } from '../harness.ts'
import { openNodeDatabase, type NodeDatabase } from '../../src/runtime/node/sqlite.ts'
import { createBotContext } from '../../src/bot/context.ts'
import { setSetting, settingsVersion } from '../../src/store/repos/settings.ts'
import { setConfig } from '../../src/services/settings.ts'
import { silentLogger } from '../../src/log.ts'
import { shanghaiTime } from '../../src/domain/time.ts'

let h: Awaited<ReturnType<typeof harness>>
beforeAll(async () => {
  h = await harness({ now: shanghaiTime(2026, 11, 26, 10) })
})
afterAll(() => h.close())

describe('settings in the bot’s context', () => {
  it('a new county name is in the reply to the next event, after events that used the old one', async () => {
    const contact = h.as('contact', { unit: '城关镇' })
    expect((await contact.send('交办 #1 县能源局 5个工作日')).all).toContain('限县重点项目建设指挥部办公室使用')
    expect((await contact.send('交办 #1 县能源局 5个工作日')).all).toContain('限县重点项目建设指挥部办公室使用')
    await setSetting(h.db, 'county', { name: '清河县', office: '清河县重点项目办' })
    const r = await contact.send('交办 #1 县能源局 5个工作日')
    expect(r.all).toContain('限清河县重点项目办使用')
    expect(r.all).not.toContain('县重点项目建设指挥部办公室')
    await setSetting(h.db, 'county', { name: '示例县', office: '县重点项目建设指挥部办公室' })
    expect((await contact.send('交办 #1 县能源局 5个工作日')).all).toContain('限县重点项目建设指挥部办公室使用')
  })

  it('a holiday the admin adds to the calendar by hand counts from the next event', async () => {
    const office = h.as('office')
    const [a, b] = h.sqlite.prepare(`select id from problems where state = 'in_progress' order by id limit 2`).all() as { id: number }[]
    // Thursday 26 November: five working days on is Thursday 3 December.
    expect((await office.send(`交办 #${a!.id} 县能源局 5个工作日`)).all).toContain('解决时限 12月3日')
    h.sqlite.prepare(`insert into holiday_overrides (date, kind, note) values ('2026-11-27', 'holiday', '临时停工日')`).run()
    try {
      expect((await office.send(`交办 #${b!.id} 县能源局 5个工作日`)).all).toContain('解决时限 12月4日')
    } finally {
      h.sqlite.prepare(`delete from holiday_overrides where date = '2026-11-27'`).run()
    }
  })

  it('a rule set by diaodu config holds from the next event; a dry run changes nothing', async () => {
    const now = h.now
    const before = await createBotContext(h.db, now, ['local'], silentLogger)
    expect(before.rules.colour.kind).toBe('lingchuan2021')
    const version = await settingsVersion(h.db)
    await setConfig(h.db, h.transact, 'rules.colour', 'pointBands', { now, dryRun: true })
    expect(await settingsVersion(h.db)).toBe(version)
    expect((await createBotContext(h.db, now, ['local'], silentLogger)).rules.colour.kind).toBe('lingchuan2021')
    await setConfig(h.db, h.transact, 'rules.colour', 'pointBands', { now })
    expect((await createBotContext(h.db, now, ['local'], silentLogger)).rules.colour.kind).toBe('pointBands')
    await setConfig(h.db, h.transact, 'rules.colour', 'lingchuan2021', { now })
    expect((await createBotContext(h.db, now, ['local'], silentLogger)).rules.colour.kind).toBe('lingchuan2021')
  })
})

describe('settings written by another process', () => {
  let dir: string
  let server: NodeDatabase
  let cli: NodeDatabase
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'diaodu-context-'))
    server = openNodeDatabase(join(dir, 'county.db'))
    cli = openNodeDatabase(join(dir, 'county.db'))
  })
  afterAll(() => {
    server.close()
    cli.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('the server’s next event sees a county name `diaodu config` wrote on its own connection', async () => {
    const now = shanghaiTime(2026, 11, 26, 10)
    expect((await createBotContext(server.db, now, ['local'], silentLogger)).rules.county.name).toBe('本县')
    await setSetting(cli.db, 'county', { name: '清河县' })
    expect((await createBotContext(server.db, now, ['local'], silentLogger)).rules.county.name).toBe('清河县')
    await setSetting(cli.db, 'demo', { loadedAt: 1 })
    expect((await createBotContext(server.db, now, ['local'], silentLogger)).demo).toBe(true)
  })
})
