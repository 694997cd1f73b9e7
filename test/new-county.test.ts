/**
 * A new county from nothing: `npm start`'s server on an empty database (DEMO=off), the office fills in
 * `diaodu template`, imports it with `diaodu import` while the server runs, and then — with nothing else —
 * the bot knows the people and projects: the roster lists them, the server's own clock opens the round and
 * the contact's inbox gets the prompt card of each of his projects, and his 「填报」 answers with them. The
 * month's 通报 exported with `diaodu export` imports back changing nothing.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import * as XLSX from '@e965/xlsx'

const exec = promisify(execFile)
const dir = mkdtempSync(join(tmpdir(), 'diaodu-new-county-'))
const children: ChildProcess[] = []
afterAll(() => {
  for (const c of children) c.kill('SIGKILL')
  rmSync(dir, { recursive: true, force: true })
})

const ROOT = new URL('..', import.meta.url)
const NOW = '2026-11-25T10:00:00+08:00' // the day the November round opens
const env = { ...process.env, DATABASE_PATH: join(dir, 'county.db'), LOG_LEVEL: 'warn', DEMO: 'off', LOCAL_CHANNEL: 'on', DIAODU_NOW: NOW }
for (const k of Object.keys(env)) if (k.startsWith('FEISHU_') || k.startsWith('WECOM_')) delete (env as Record<string, unknown>)[k]

async function diaodu(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    return { code: 0, ...(await exec(process.execPath, ['--experimental-strip-types', 'bin/diaodu.js', ...args], { env, cwd: ROOT })) }
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string }
    return { code: err.code, stdout: err.stdout, stderr: err.stderr }
  }
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })

/** The template as the office fills it in: its example rows overwritten with the county's own. */
function fill(template: string, out: string) {
  const wb = XLSX.read(readFileSync(template), { type: 'buffer' })
  const put = (sheet: string, rows: (string | number)[][]) => XLSX.utils.sheet_add_aoa(wb.Sheets[sheet]!, rows, { origin: 'A2' })
  put('单位', [
    ['城关镇', '乡镇', '张伟', '13900000001'],
    ['县住房和城乡建设局', '县直部门', '刘洋', '13900000009'],
  ])
  put('人员', [
    ['王芳', '13900000003', '项目联络员', '城关镇', '填报人'],
    ['李明', '13900000002', '副县长', '', '县领导'],
  ])
  // 编号 名称 责任单位 主管部门 包联领导 联系人 联系人手机 分指挥部/领域 级别 建设性质 阶段 总投资 年度计划 计划开工 计划竣工 是否周调度
  put('项目', [
    [
      'GC-001',
      '城关镇污水处理厂提标改造工程',
      '城关镇',
      '县住房和城乡建设局',
      '李明',
      '王芳',
      '13900000003',
      '基础设施',
      '县重点',
      '续建',
      '续建',
      12000,
      4000,
      '2026-03',
      '2026-12',
      '否',
    ],
    [
      'GC-002',
      '城关镇老旧小区改造',
      '城关镇',
      '县住房和城乡建设局',
      '李明',
      '王芳',
      '13900000003',
      '基础设施',
      '县重点',
      '续建',
      '续建',
      6000,
      2400,
      '2026-04',
      '2027-06',
      '否',
    ],
  ])
  writeFileSync(out, XLSX.write(wb, { type: 'buffer', bookType: 'xlsx' }) as Buffer)
}

describe('a new county', () => {
  it('goes from an empty database to its first prompt cards with diaodu import and npm start, and its 通报 round-trips', async () => {
    const template = join(dir, '项目清单模板.xlsx')
    expect((await diaodu('template', '--out', template)).code).toBe(0)
    const filled = join(dir, '项目清单.xlsx')
    fill(template, filled)

    const port = await freePort()
    const scripts = (JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')) as { scripts: Record<string, string> }).scripts
    const [, ...args] = scripts.start!.split(' ')
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...env, PORT: String(port) } })
    children.push(child)
    let output = ''
    child.stdout.on('data', (b: Buffer) => (output += b.toString()))
    child.stderr.on('data', (b: Buffer) => (output += b.toString()))
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    const base = `http://127.0.0.1:${port}`
    const get = (path: string) => fetch(base + path).then((r) => r.json() as Promise<any>)
    for (let i = 0; i < 300; i++) {
      if (
        await fetch(`${base}/healthz`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break
      await new Promise((r) => setTimeout(r, 100))
    }
    try {
      expect((await get('/local/roster')).people, output).toEqual([])

      const imported = await diaodu('import', filled, '--json')
      expect(imported.code, imported.stderr).toBe(0)
      const report = JSON.parse(imported.stdout)
      expect(report).toMatchObject({ written: true, errors: [] })
      expect(report.details.projects).toEqual({ created: 2, updated: 0, unchanged: 0 })

      // the server knows the people the file named, with their units
      const roster = await get('/local/roster')
      const wang = roster.people.find((p: { name: string }) => p.name === '王芳')
      expect(wang).toMatchObject({ unit: { name: '城关镇' }, roleNames: ['填报人'] })
      expect(roster.people.find((p: { name: string }) => p.name === '李明')).toMatchObject({ roleNames: ['县领导'] })

      // the server's own clock (every minute) opens the round: a prompt card per project in his inbox
      const prompts = async () =>
        ((await get(`/local/inbox?address=person:${wang.id}`)).messages as { html: string }[]).filter((m) =>
          /城关镇(污水处理厂|老旧小区)/.test(m.html),
        )
      for (let i = 0; i < 100 && (await prompts()).length < 2; i++) await new Promise((r) => setTimeout(r, 1000))
      const cards = (await prompts()).map((m) => m.html).join('\n')
      expect(cards, output).toContain('城关镇污水处理厂提标改造工程')
      expect(cards).toContain('城关镇老旧小区改造')

      // and his 填报 answers with his projects
      const said = await fetch(`${base}/local/send`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ personId: wang.id, text: '填报' }),
      }).then((r) => r.json() as Promise<any>)
      expect(said.ok).toBe(true)
      const answer = JSON.stringify(said.messages)
      expect(answer).toContain('城关镇污水处理厂提标改造工程')
      expect(answer).toContain('城关镇老旧小区改造')

      // the 通报 workbook, imported back: nothing changes
      const exported = join(dir, '2026-11调度通报.xlsx')
      expect((await diaodu('export', '--period', '2026-11', '--out', exported)).code).toBe(0)
      const back = await diaodu('import', exported, '--json')
      expect(JSON.parse(back.stdout)).toMatchObject({ created: 0, updated: 0, unchanged: 2, errors: [] })
    } finally {
      child.kill('SIGTERM')
    }
    expect(await exited).toBe(0)
  }, 240_000)
})
