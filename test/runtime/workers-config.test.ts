/**
 * scripts/workers-config.mjs: the wrangler configuration for a list of counties, as the Worker reads it.
 */
import { describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseCounties, wranglerToml } from '../../scripts/workers-config.mjs'
import { countiesOf, countyOfRequest } from '../../src/runtime/workers/counties.ts'

const ROOT = join(import.meta.dirname, '../..')
const CSV = 'id,name,database_id,hosts\nqinshui,沁水县,1b2c3d,qinshui.diaodu.example.cn\nyang-cheng,阳城县,4e5f6a,\n'

/** The COUNTIES var as the Worker receives it (a TOML basic string, which shares JSON's escapes). */
const countiesVar = (toml: string) => JSON.parse(/^COUNTIES = (".*")$/m.exec(toml)![1]!) as string

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
})
