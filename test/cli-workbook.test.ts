/**
 * `diaodu template`, `diaodu import` and `diaodu config` as a person runs them: files on disk, the exit codes,
 * the --json answer, nothing written on a dry run or a bad file.
 */
import { describe, expect, it } from 'vitest'
import { execFile } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import * as XLSX from '@e965/xlsx'
import { openNodeDatabase } from '../src/runtime/node/sqlite.ts'

const exec = promisify(execFile)
const dir = mkdtempSync(join(tmpdir(), 'diaodu-wb-'))

function envFor(name: string) {
  return { ...process.env, DATABASE_PATH: join(dir, `${name}.db`), LOG_LEVEL: 'silent', DIAODU_NOW: '2026-11-20T10:00:00+08:00' }
}

async function diaodu(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await exec(process.execPath, ['--experimental-strip-types', 'bin/diaodu.js', ...args], { env })
    return { code: 0, ...r }
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string }
    return { code: err.code, stdout: err.stdout, stderr: err.stderr }
  }
}

function count(env: NodeJS.ProcessEnv, table: string): number {
  const d = openNodeDatabase(env.DATABASE_PATH!)
  try {
    return (d.sqlite.prepare(`select count(*) n from ${table}`).get() as { n: number }).n
  } finally {
    d.close()
  }
}

function xls(path: string, aoa: unknown[][], bookType: XLSX.BookType = 'biff8') {
  const wb = XLSX.utils.book_new()
  XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(aoa), '项目')
  writeFileSync(path, new Uint8Array(XLSX.write(wb, { type: 'array', bookType }) as ArrayBuffer))
}

const LIST = [
  ['2026年重点项目清单'],
  ['项目名称', '责任单位', '包联领导', '联系人', '联系人手机', '总投资（万元）', '2026年计划投资（万元）'],
  ['城北物流园', '城北镇', '李明', '王芳', '13900000003', 20000, 8000],
  ['县医院门诊楼', '县卫生健康局', '李明', '赵强', '13900000004', '1.2亿', '3,000'],
]

describe('diaodu template and import', () => {
  it('writes the template', async () => {
    const env = envFor('template')
    const out = join(dir, '项目清单模板.xlsx')
    const r = await diaodu(env, 'template', '--out', out)
    expect(r.code).toBe(0)
    const wb = XLSX.read(new Uint8Array(await import('node:fs').then((fs) => fs.readFileSync(out))), { type: 'array' })
    expect(wb.SheetNames.slice(0, 3)).toEqual(['项目', '单位', '人员'])
  }, 60_000)

  it('imports a legacy .xls: dry run first, then for real, then again unchanged', async () => {
    const env = envFor('import')
    const file = join(dir, '清单.xls')
    xls(file, LIST)
    const dry = await diaodu(env, 'import', file, '--dry-run', '--json')
    expect(dry.code).toBe(0)
    expect(JSON.parse(dry.stdout)).toMatchObject({ created: 2 + 2 + 3, updated: 0, unchanged: 0, errors: [], written: false })
    expect(count(env, 'projects')).toBe(0)
    const text = await diaodu(env, 'import', file, '--dry-run')
    expect(text.stdout).toContain('试导入')
    expect(text.stdout).toContain('新增项目 城北物流园')

    const real = await diaodu(env, 'import', file, '--json')
    expect(JSON.parse(real.stdout)).toMatchObject({ created: 7, written: true })
    expect(count(env, 'projects')).toBe(2)
    const again = JSON.parse((await diaodu(env, 'import', file, '--json')).stdout)
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 2, errors: [] }) // the rows: referenced people and units are not counted again
  }, 60_000)

  it('writes nothing when rows have errors unless --partial, and names sheet, row and column', async () => {
    const env = envFor('errors')
    const file = join(dir, '有错.xlsx')
    xls(file, [...LIST, ['某某工程', '某某', null, null, null, 100, 50]], 'xlsx')
    const r = await diaodu(env, 'import', file, '--json')
    expect(r.code).toBe(1)
    const body = JSON.parse(r.stdout)
    expect(body.errors).toEqual([{ sheet: '项目', row: 5, column: '责任单位', message: expect.stringContaining('无法从名称判断类别') }])
    expect(count(env, 'projects')).toBe(0)
    const p = await diaodu(env, 'import', file, '--partial', '--json')
    expect(p.code).toBe(0)
    expect(count(env, 'projects')).toBe(2)
  }, 60_000)

  it('refuses a file that is not a usable spreadsheet with one line and exit code 2', async () => {
    const env = envFor('bad')
    const cases: [string, Uint8Array][] = [
      ['photo.xlsx', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0])],
      ['cut.xlsx', new Uint8Array([0x50, 0x4b, 3, 4, 20, 0, 0, 0, 8, 0])],
      ['big.xlsx', new Uint8Array(50 * 1024 * 1024)],
    ]
    for (const [name, bytes] of cases) {
      const file = join(dir, name)
      writeFileSync(file, bytes)
      const r = await diaodu(env, 'import', file)
      expect(r.code, name).toBe(2)
      expect(r.stderr.trim().split('\n'), name).toHaveLength(1)
      expect(r.stderr).toMatch(/[\u4e00-\u9fff].*\(.*[a-z]/)
    }
    const missing = await diaodu(env, 'import', join(dir, 'none.xlsx'))
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringContaining('找不到文件') })
    expect((await diaodu(env, 'import')).code).toBe(2)
    expect(count(env, 'projects') + count(env, 'units') + count(env, 'people')).toBe(0)
  }, 120_000)
})

describe('diaodu config', () => {
  it('validates a setting and names the key in Chinese; a dry run says how many projects change colour', async () => {
    const { setConfig, showConfig, SettingError } = await import('../src/services/settings.ts')
    const { loadDemoCounty } = await import('../src/demo/county.ts')
    const { getSetting } = await import('../src/store/repos/settings.ts')
    const d = openNodeDatabase(':memory:')
    const now = new Date('2026-10-27T10:00:00+08:00')
    await loadDemoCounty(d.db, now)
    const refused = async (key: string, value: string, pattern: RegExp) => {
      const e = await setConfig(d.db, d.transact, key, value, { now }).catch((x) => x)
      expect(e).toBeInstanceOf(SettingError)
      expect((e as Error).message).toContain(key.split('.').slice(0, 2).join('.'))
      expect((e as Error).message).toMatch(pattern)
    }
    await refused('rules.monthlyOpenDay', '40', /不能大于 28/)
    await refused('rules.monthlyOpenDay', 'abc', /应为数字/)
    await refused('rules.schedule', 'weekly', /monthLinear \/ dayLinear \/ planCurve/)
    await refused('rules.colur', 'x', /没有设置项/)
    await refused('dispatch.monthly.openTime', '9点', /HH:MM/)
    await refused('rules.colour.yellowFrom', '5', /lingchuan2021 没有/)
    await refused('colour', 'pointBands', /rules\. 或 dispatch\./)
    expect(await getSetting(d.db, 'rules')).toBeUndefined()

    const dry = await setConfig(d.db, d.transact, 'rules.colour', 'pointBands', { now, dryRun: true })
    expect(dry).toMatchObject({ written: false, period: '2026-10' })
    expect(dry.colourChanges!.projects).toBeGreaterThan(0)
    expect(dry.effect[0]).toMatch(/2026-10：\d+ 个项目中 \d+ 个色牌改变/)
    expect(await getSetting(d.db, 'rules')).toBeUndefined()

    const real = await setConfig(d.db, d.transact, 'rules.colour', 'pointBands', { now })
    expect(real.written).toBe(true)
    expect((await showConfig(d.db)).rules.effective.colour).toMatchObject({ kind: 'pointBands', yellowFrom: 10 })
    await setConfig(d.db, d.transact, 'rules.colour.yellowFrom', '5', { now })
    expect((await showConfig(d.db)).rules.effective.colour).toMatchObject({ kind: 'pointBands', yellowFrom: 5, redFrom: 30 })
    const moved = await setConfig(d.db, d.transact, 'dispatch.monthly.openDay', '20', { now, dryRun: true })
    expect(moved.effect[0]).toContain('2026-10-20 09:00 开启')
    const audits = d.sqlite.prepare(`select count(*) n from audit_log where entity = 'setting'`).get() as { n: number }
    expect(audits.n).toBe(2)
    d.close()
  }, 60_000)

  it('prints presets, refuses a bad value with exit code 2 and sets a good one', async () => {
    const env = envFor('config')
    expect((await diaodu(env, 'config', 'presets')).stdout).toContain('pointBands')
    const bad = await diaodu(env, 'config', 'set', 'rules.monthlyOpenDay', '40')
    expect(bad).toMatchObject({ code: 2, stderr: expect.stringContaining('rules.monthlyOpenDay') })
    // a negative number is the value, not an option; each key's own words, never another key's or zod's
    const negative = await diaodu(env, 'config', 'set', 'dispatch.escalation.everyWorkdays', '-2')
    expect(negative).toMatchObject({ code: 2, stderr: expect.stringContaining('dispatch.escalation.everyWorkdays：不能小于 1') })
    const quiet = await diaodu(env, 'config', 'set', 'dispatch.quietHours', 'abc')
    expect(quiet).toMatchObject({ code: 2, stderr: expect.stringContaining('免打扰时段 {"start":"22:00","end":"07:30"}') })
    expect(quiet.stderr).not.toMatch(/lingchuan2021|Invalid|expected/)
    const good = await diaodu(env, 'config', 'set', 'dispatch.quietHours', '{"start":"21:30","end":"08:00"}')
    expect(good.code).toBe(0)
    expect((await diaodu(env, 'config', 'show')).stdout).toContain('dispatch.quietHours.start = "21:30"  （已设置 set）')
  }, 60_000)
})

describe('diaodu export', () => {
  it('writes the month’s 通报 workbook, and importing it back changes nothing', async () => {
    const env = { ...envFor('export'), DIAODU_NOW: '2026-11-22T10:00:00+08:00' }
    expect((await diaodu(env, 'demo')).code).toBe(0)
    const file = join(dir, '2026-10通报.xlsx')
    const r = await diaodu(env, 'export', '--period', '2026-10', '--out', file)
    expect(r.code).toBe(0)
    const { readFileSync } = await import('node:fs')
    const wb = XLSX.read(new Uint8Array(readFileSync(file)), { type: 'array' })
    expect(wb.SheetNames).toEqual(['总览', '乡镇排名', '开发区排名', '县直部门排名', '项目明细', '问题台账', '督办', '通报事项'])
    const back = JSON.parse((await diaodu(env, 'import', file, '--dry-run', '--json')).stdout)
    expect(back).toMatchObject({ created: 0, updated: 0, errors: [] })
    expect(back.unchanged).toBeGreaterThan(50)
    expect((await diaodu(env, 'export', '--period', '2026-13')).code).toBe(2)
  }, 90_000)
})
