/**
 * scripts/workers-config.mjs: the wrangler configuration for a list of counties, as the Worker reads it.
 */
import { describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bindCommand, parseCounties, wranglerToml } from '../../scripts/workers-config.mjs'
import { countiesOf, countyOfRequest, countySecretOf } from '../../src/runtime/workers/counties.ts'
import { openNodeDatabase } from '../../src/runtime/node/sqlite.ts'
import { loadDemoCounty } from '../../src/demo/county.ts'
import { bindIdentity, identityOfPerson } from '../../src/store/repos/directory.ts'
import { shanghaiTime } from '../../src/domain/time.ts'

const ROOT = join(import.meta.dirname, '../..')
const CSV = 'id,name,database_id,hosts\nqinshui,沁水县,1b2c3d,qinshui.diaodu.example.cn\nyang-cheng,阳城县,4e5f6a,\n'

/** The COUNTIES var as the Worker receives it (a TOML basic string, which shares JSON's escapes). */
const countiesVar = (toml: string) => JSON.parse(/^COUNTIES = (".*")$/m.exec(toml)![1]!) as string
/** Every COUNTIES, COUNTIES_<n> var of the file. */
const countyVars = (toml: string) =>
  Object.fromEntries([...toml.matchAll(/^(COUNTIES(?:_\d+)?) = (".*")$/gm)].map((m) => [m[1]!, JSON.parse(m[2]!) as string]))

describe('workers-config', () => {
  it('writes one D1 binding per county, the counties the Worker routes by, the tick, the queue and the outbox object', () => {
    const toml = wranglerToml(parseCounties(CSV, false))
    expect(toml).toContain('binding = "DB_QINSHUI"')
    expect(toml).toContain('binding = "DB_YANG_CHENG"')
    expect(toml).toContain('database_id = "4e5f6a"')
    expect(toml.match(/migrations_dir = "drizzle"/g)).toHaveLength(2)
    expect(toml).toContain('crons = ["* * * * *"]')
    expect(toml).toContain('define = { __dirname = "\\"/\\"" }')
    expect(toml).toContain('class_name = "CountyObject"')
    const counties = countiesOf({ COUNTIES: countiesVar(toml) })
    expect(counties.map((c) => c.id)).toEqual(['qinshui', 'yang-cheng'])
    expect(countyOfRequest(counties, new URL('https://qinshui.diaodu.example.cn/webhooks/feishu/events'))).toMatchObject({
      county: { id: 'qinshui' },
      path: '/webhooks/feishu/events',
    })
    expect(countyOfRequest(counties, new URL('https://any.example.cn/c/yang-cheng/webhooks/wecom'))).toMatchObject({
      county: { id: 'yang-cheng' },
      path: '/webhooks/wecom',
    })
    expect(countyOfRequest(counties, new URL('https://any.example.cn/c/nowhere/webhooks/wecom'))).toBeUndefined()
  })

  it('reads JSON as well, and refuses a bad id or a county listed twice with the row', () => {
    const json = JSON.stringify([{ id: 'qinshui', name: '沁水县', database_id: 'x', hosts: ['a.example.cn'] }])
    expect(parseCounties(json, true)).toEqual([{ id: 'qinshui', name: '沁水县', databaseId: 'x', hosts: ['a.example.cn'] }])
    expect(() => parseCounties('id,name\nQinshui,沁水县\n', false)).toThrow(/row 1: id "Qinshui"/)
    expect(() => parseCounties('id,name\na,甲\na,乙\n', false)).toThrow(/row 2: county a listed twice/)
  })

  it('the root wrangler.toml is what the script writes for the demo county', () => {
    const dir = mkdtempSync(join(tmpdir(), 'diaodu-config-'))
    writeFileSync(join(dir, 'counties.csv'), 'id,name,database_id,hosts\ndemo,示例县,,\n')
    const out = execFileSync(process.execPath, [join(ROOT, 'scripts/workers-config.mjs'), join(dir, 'counties.csv')], { encoding: 'utf8' })
    expect(out).toBe(readFileSync(join(ROOT, 'wrangler.toml'), 'utf8'))
  })

  it('a province of 150 counties: the list split over variables under 5 KB each, read back whole and in order; the secrets warn past 128 variables', () => {
    const rows = Array.from({ length: 150 }, (_, i) => `county-${i},第${i}县,db${i},county-${i}.diaodu.example.cn`)
    const toml = wranglerToml(parseCounties(`id,name,database_id,hosts\n${rows.join('\n')}\n`, false))
    const vars = countyVars(toml)
    expect(Object.keys(vars).length).toBeGreaterThan(1)
    for (const v of Object.values(vars)) expect(Buffer.byteLength(v)).toBeLessThanOrEqual(5 * 1024)
    const counties = countiesOf(vars as { COUNTIES: string })
    expect(counties.map((c) => c.id)).toEqual(Array.from({ length: 150 }, (_, i) => `county-${i}`))
    expect(countyOfRequest(counties, new URL('https://county-149.diaodu.example.cn/healthz'))?.county.id).toBe('county-149')
    expect(toml).toMatch(/# \d+ variables with a secret per county: Cloudflare allows 128 per Worker/)
    expect(() => countiesOf({ COUNTIES: '[{"id":"a"}]', COUNTIES_2: '[{"id":"a"}]' })).toThrow(/县 a 出现两次/)
  })

  it('a county’s variables come from its own secret, or from a secret several counties share', () => {
    const env = { COUNTY_QINSHUI: '{"FEISHU_APP_ID":"cli_q"}', COUNTY_SECRETS_1: JSON.stringify({ 'yang-cheng': { FEISHU_APP_ID: 'cli_y' } }) }
    expect(countySecretOf(env, 'qinshui')).toEqual({ FEISHU_APP_ID: 'cli_q' })
    expect(countySecretOf(env, 'yang-cheng')).toEqual({ FEISHU_APP_ID: 'cli_y' })
    expect(countySecretOf(env, 'nowhere')).toEqual({})
  })

  it('bind: the printed wrangler d1 execute statement binds as diaodu bind --user does, and binds nothing for a mobile not in the roster', async () => {
    const at = shanghaiTime(2026, 11, 22, 10)
    const viaScript = openNodeDatabase(':memory:')
    const viaCli = openNodeDatabase(':memory:')
    await loadDemoCounty(viaScript.db, at)
    await loadDemoCounty(viaCli.db, at)
    const person = viaScript.sqlite.prepare(`select id, mobile from people where mobile is not null order by id limit 1`).get() as {
      id: number
      mobile: string
    }
    const out = execFileSync(
      process.execPath,
      [join(ROOT, 'scripts/workers-config.mjs'), 'bind', 'qinshui', '--mobile', person.mobile, '--platform', 'feishu', '--user', 'ou_first_office'],
      { encoding: 'utf8' },
    )
    const sql = /^npx wrangler d1 execute diaodu-qinshui --remote --command "(.*)"\n$/.exec(out)![1]!
    expect(viaScript.sqlite.prepare(sql).all()).toEqual([{ person_id: person.id, platform: 'feishu', user_id: 'ou_first_office' }])
    await bindIdentity(viaCli.db, person.id, 'feishu', 'ou_first_office', at.getTime())
    const pick = ({ personId, platform, userId }: { personId: number; platform: string; userId: string }) => ({ personId, platform, userId })
    expect(pick((await identityOfPerson(viaScript.db, person.id, 'feishu'))!)).toEqual(
      pick((await identityOfPerson(viaCli.db, person.id, 'feishu'))!),
    )
    // The same account again, for another person: moved, as bindIdentity moves it.
    const other = viaScript.sqlite
      .prepare(`select id, mobile from people where mobile is not null and id <> ? order by id limit 1`)
      .get(person.id) as { id: number; mobile: string }
    viaScript.sqlite.prepare(bindCommand('qinshui', { mobile: other.mobile, platform: 'feishu', user: 'ou_first_office' }).sql).all()
    expect((await identityOfPerson(viaScript.db, other.id, 'feishu'))?.userId).toBe('ou_first_office')
    expect(await identityOfPerson(viaScript.db, person.id, 'feishu')).toBeUndefined()
    const before = viaScript.sqlite.prepare(`select count(*) n from identities`).get()
    expect(() => viaScript.sqlite.prepare(bindCommand('qinshui', { mobile: '13000000000', platform: 'wecom', user: 'zhangsan' }).sql).all()).toThrow(
      /NOT NULL constraint failed: identities.person_id/,
    )
    expect(viaScript.sqlite.prepare(`select count(*) n from identities`).get()).toEqual(before)
    expect(() => bindCommand('qinshui', { mobile: person.mobile, platform: 'feishu', user: "ou_x'; drop table people; --" })).toThrow(/--user/)
    expect(() => bindCommand('qinshui', { mobile: person.mobile, platform: 'dingtalk', user: 'ou_x' })).toThrow(/--platform/)
    viaScript.close()
    viaCli.close()
  })
})
