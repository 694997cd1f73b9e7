import { describe, expect, it, beforeAll } from 'vitest'
import { execFile } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const exec = promisify(execFile)
const dir = mkdtempSync(join(tmpdir(), 'diaodu-cli-'))
// The demo county and every command as of one fixed day, whatever the clock says.
const env = { ...process.env, DATABASE_PATH: join(dir, 'cli.db'), LOG_LEVEL: 'silent', DIAODU_NOW: '2026-11-22T10:00:00+08:00' }

async function diaodu(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return diaoduWith(env, ...args)
}

async function diaoduWith(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await exec(process.execPath, ['--experimental-strip-types', 'bin/diaodu.js', ...args], { env })
    return { code: 0, ...r }
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string }
    return { code: err.code, stdout: err.stdout, stderr: err.stderr }
  }
}

describe('the diaodu command', () => {
  beforeAll(async () => {
    const r = await diaodu('demo')
    expect(r.stdout).toContain('已载入演示县')
  }, 60_000)

  it('loads the demo once', async () => {
    expect((await diaodu('demo')).stdout).toContain('已存在')
  })

  it('prints a board as JSON with ranks per league', async () => {
    const r = await diaodu('board', '--period', '2026-10', '--league', '乡镇', '--json')
    expect(r.code).toBe(0)
    const board = JSON.parse(r.stdout)
    expect(board.leagues).toHaveLength(1)
    const rows = board.leagues[0].rows
    expect(rows[0]).toMatchObject({ rank: 1 })
    expect(rows).toHaveLength(12)
    expect(Object.keys(rows[0])).toEqual(expect.arrayContaining(['unit', 'score', 'completionPercent', 'gapPoints', 'colours', 'deltaRank']))
    expect(board.demo).toBe(true)
  })

  it('marks the demo county as demo data on every print, and a real county not', async () => {
    const text = await diaodu('board', '--period', '2026-10', '--league', '开发区')
    expect(text.stdout.trim().split('\n').at(-1)).toMatch(/^【演示数据】/)
    expect((await diaodu('status', '--project', 'XM2026-001', '--period', '2026-10')).stdout).toContain('【演示数据】')
    expect(JSON.parse((await diaodu('status', '--project', 'XM2026-001', '--json')).stdout).demo).toBe(true)

    const { openNodeDatabase } = await import('../src/runtime/node/sqlite.ts')
    const realEnv = { ...env, DATABASE_PATH: join(dir, 'real.db') }
    const real = openNodeDatabase(realEnv.DATABASE_PATH)
    real.sqlite.exec(`insert into units (code, name, league) values ('U1', '城关镇', '乡镇');
      insert into projects (code, name, unit_id, sector, year, total_investment, annual_plan) values ('P1', '真实项目', 1, '工业', 2026, 100000000, 50000000)`)
    real.close()
    const board = await diaoduWith(realEnv, 'board', '--period', '2026-10', '--league', '乡镇')
    expect(board.stdout).toContain('城关镇')
    expect(board.stdout).not.toContain('演示')
    expect(JSON.parse((await diaoduWith(realEnv, 'status', '--project', 'P1', '--json')).stdout).demo).toBe(false)
  })

  it('prints one project’s status', async () => {
    const r = await diaodu('status', '--project', 'XM2026-001', '--period', '2026-10', '--json')
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ code: 'XM2026-001', period: '2026-10', schedulePercent: 83.33 })
  })

  it('counts working days across the National Day holiday', async () => {
    expect((await diaodu('deadline', '--from', '2026-09-30', '--workdays', '3')).stdout.trim()).toBe('2026-10-10')
  })

  it('parses a reply as JSON', async () => {
    const r = await diaodu('parse', '本月完成投资1200万元，本年累计8600万元，主体封顶，问题：林地手续未批')
    expect(JSON.parse(r.stdout)).toEqual({
      intent: 'report',
      periodInvestment: 1200,
      ytdInvestment: 8600,
      progressPercent: null,
      problems: ['林地手续未批'],
      command: null,
      args: {},
    })
  })

  it('pre-binds a chat account by mobile so the person is known on first contact', async () => {
    const bad = await diaodu('bind', '--mobile', '13800000000', '--platform', 'feishu', '--user', 'ou_x')
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('名册中没有手机号')
    const { openNodeDatabase } = await import('../src/runtime/node/sqlite.ts')
    const d = openNodeDatabase(env.DATABASE_PATH)
    const { mobile, name } = d.sqlite.prepare("select mobile, name from people where title = '县长'").get() as { mobile: string; name: string }
    d.close()
    const ok = await diaodu('bind', '--mobile', mobile, '--platform', 'feishu', '--user', 'ou_mayor')
    expect(ok.stdout).toContain(`已绑定 ${name}`)
  })

  it('prints a one-time bind code, valid 72 h and unused, for 「绑定 手机号 验证码」', async () => {
    const { openNodeDatabase } = await import('../src/runtime/node/sqlite.ts')
    const d = openNodeDatabase(env.DATABASE_PATH)
    const { mobile, name } = d.sqlite.prepare("select mobile, name from people where title = '指挥部办公室科员'").get() as {
      mobile: string
      name: string
    }
    d.close()
    expect((await diaodu('bind', '--code', '--mobile', '13800000000')).code).toBe(2)
    const r = await diaodu('bind', '--code', '--mobile', mobile)
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(`${name} 的绑定验证码`)
    expect(r.stdout).toContain('11-25 10:00') // DIAODU_NOW + 72 h
    const code = /验证码：(\d{6})/.exec(r.stdout)![1]!
    const again = openNodeDatabase(env.DATABASE_PATH)
    const row = again.sqlite.prepare('select code, expires_at - created_at as ttl, used_at from bind_codes where code = ?').get(code)
    again.close()
    expect(row).toEqual({ code, ttl: 72 * 3600_000, used_at: null })
  })

  it('bind --sync binds the roster through the Feishu directory (fake on 127.0.0.1)', async () => {
    const { startFakeFeishu } = await import('./fakes/feishu.ts')
    const { openNodeDatabase } = await import('../src/runtime/node/sqlite.ts')
    const d = openNodeDatabase(env.DATABASE_PATH)
    const vice = d.sqlite.prepare("select id, mobile, name from people where title = '副县长' order by id limit 1").get() as {
      id: number
      mobile: string
      name: string
    }
    const mayor = d.sqlite.prepare("select mobile from people where title = '县长'").get() as { mobile: string }
    d.close()
    const fake = await startFakeFeishu({
      appId: 'cli_sync',
      appSecret: 'sync-secret',
      directory: { [vice.mobile]: 'ou_vice_dir', [mayor.mobile]: 'ou_mayor_dir' },
    })
    try {
      const feishuEnv = { ...env, FEISHU_APP_ID: 'cli_sync', FEISHU_APP_SECRET: 'sync-secret', FEISHU_DOMAIN: fake.url }
      const r = await diaoduWith(feishuEnv, 'bind', '--sync')
      expect(r.code).toBe(0)
      expect(r.stdout).toContain(`已绑定 ${vice.name} → ou_vice_dir`)
      expect(r.stdout).not.toContain('ou_mayor_dir') // bound by the operator before: not asked, not moved
      expect(fake.directoryLookups.flat()).not.toContain(mayor.mobile)
      const after = openNodeDatabase(env.DATABASE_PATH)
      expect(after.sqlite.prepare("select user_id from identities where person_id = ? and platform = 'feishu'").all(vice.id)).toEqual([
        { user_id: 'ou_vice_dir' },
      ])
      after.close()
      expect((await diaodu('bind', '--sync')).code).toBe(2) // no Feishu credentials
    } finally {
      await fake.close()
    }
  })

  it('ticks at a given time: opens the November round once, then has nothing new', async () => {
    const dry = await diaodu('tick', '--at', '2026-11-25T09:01:00+08:00', '--dry-run', '--json')
    expect(dry.code).toBe(0)
    const plan = JSON.parse(dry.stdout)
    expect(plan.dryRun).toBe(true)
    expect(plan.jobs.some((j: { job: string; period: string }) => j.period === '2026-11')).toBe(true)
    const first = JSON.parse((await diaodu('tick', '--at', '2026-11-25T09:01:00+08:00', '--json')).stdout)
    expect(first.queued).toBeGreaterThan(80)
    const again = JSON.parse((await diaodu('tick', '--at', '2026-11-25T09:02:00+08:00', '--json')).stdout)
    expect(again.queued).toBe(0)
    expect((await diaodu('tick', '--at', 'yesterday')).code).toBe(2)
  })

  it('lists failed inbound messages and runs the bot on one again, once', async () => {
    const { openNodeDatabase } = await import('../src/runtime/node/sqlite.ts')
    const { recordInbound, markInbound } = await import('../src/store/repos/inbound.ts')
    const { textMessageEvent } = await import('./fakes/feishu.ts')
    const d = openNodeDatabase(env.DATABASE_PATH)
    const event = textMessageEvent({ text: '帮助', senderOpenId: 'ou_cli_retry', chatId: 'oc_cli_retry', eventId: 'ev_cli_retry' })
    const stored = JSON.stringify({ kind: 'event', id: 'ev_cli_retry', type: 'im.message.receive_v1', event: event.event })
    const id = (await recordInbound(d.db, 'feishu', 'ev_cli_retry', stored, Date.UTC(2026, 10, 26, 2)))!
    await markInbound(d.db, id, 'failed', 'Error: database on fire')
    d.close()

    const list = await diaodu('inbound')
    expect(list.code).toBe(0)
    expect(list.stdout).toContain(`#${id}\tfeishu\t2026-11-26 10:00\tev_cli_retry\tfailed\tError: database on fire`)
    const retried = await diaodu('inbound', '--retry', String(id))
    expect(retried.stdout).toContain(`#${id} 已重新处理`)
    const again = await diaodu('inbound', '--retry', String(id))
    expect(again.code).toBe(2)
    expect(again.stderr).toContain('已处理')
    expect((await diaodu('inbound', '--retry', '999999')).code).toBe(2)
    expect((await diaodu('inbound', '--status', 'lost')).code).toBe(2)

    const after = openNodeDatabase(env.DATABASE_PATH)
    expect(after.sqlite.prepare('select status from inbound_log where id = ?').get(id)).toEqual({ status: 'processed' })
    expect(after.sqlite.prepare(`select count(*) as n from outbox where key = 'in:feishu:ev_cli_retry:0'`).get()).toEqual({ n: 1 })
    after.close()
  })

  it.each([
    [['board', '--period', '2026-13'], /YYYY-MM/],
    [['status', '--project', 'NOPE'], /没有编号或名称为 NOPE 的项目/],
    [['deadline', '--from', '2026-02-30', '--workdays', '3'], /YYYY-MM-DD/],
    [['board', '--league', '火星'], /联赛/],
    [['frobnicate'], /未知命令/],
    [['deadline', '--from', '2026-09-30', '--workdays', '-3'], /工作日数应为 0–366 的整数 \(workdays must be a whole number/],
    [['deadline', '--from', '2026-09-30', '--workdays', 'abc'], /工作日数应为 0–366 的整数/],
    [['deadline', '--from', '2026-09-30', '--workdays', '1.5'], /工作日数应为/],
    [['deadline', '--from', '2026-09-30', '--workdays'], /--workdays 缺少值 \(--workdays needs a value\)/],
    [['deadline', '--workdays', '3'], /--from: 缺少该参数 \(missing\)/],
    [['board', '--colour', 'red'], /未知参数 --colour.*\(unknown option --colour/],
    [['inbound', '--retry', 'abc'], /消息记录编号应为不小于 1 的整数/],
    [['inbound', '--retry', '-1'], /消息记录编号应为不小于 1 的整数/],
    [['status', '--project', '火星基地'], /没有编号或名称为 火星基地 的项目/],
    [[], /请给出命令/],
  ])('refuses %j with one line and exit code 2', async (args, message) => {
    const r = await diaodu(...args)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(message)
    expect(r.stderr).not.toMatch(/\n\s+at /)
    // One line, in Chinese and in English; none of Node's or zod's raw English.
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toMatch(/[\u4e00-\u9fff].*\(.*[a-z]{3}/i)
    expect(r.stderr).not.toMatch(/Invalid input|ambiguous|expected number|ERR_/)
  })

  it.each([['--help'], ['help'], ['-h'], ['board', '--help']])('%s lists every command and exits 0', async (...args) => {
    const r = await diaodu(...args)
    expect(r.code).toBe(0)
    for (const c of ['demo', 'board', 'status', 'deadline', 'parse', 'bind', 'tick', 'inbound']) expect(r.stdout).toMatch(new RegExp(`^  ${c} `, 'm'))
  })

  it('status takes a project name, fuzzily as the bot does, and prints states in Chinese', async () => {
    const { openNodeDatabase } = await import('../src/runtime/node/sqlite.ts')
    const d = openNodeDatabase(env.DATABASE_PATH)
    const p = d.sqlite
      .prepare("select p.code, p.name from problems pr join projects p on p.id = pr.project_id where pr.state = 'new' order by pr.id limit 1")
      .get() as { code: string; name: string }
    d.close()
    const byCode = await diaodu('status', '--project', p.code, '--period', '2026-10')
    const byName = await diaodu('status', '--project', p.name, '--period', '2026-10')
    const positional = await diaodu('status', p.name.slice(0, -2), '--period', '2026-10')
    expect(byName.code).toBe(0)
    expect(byName.stdout).toBe(byCode.stdout)
    expect(positional.stdout.split('\n')[0]).toContain(p.code)
    expect(byName.stdout).toMatch(/（新增）/)
    expect(byName.stdout).not.toMatch(/\((new|assigned|in_progress|close_requested)\)|（(new|assigned|in_progress|close_requested)）/)
    const json = JSON.parse((await diaodu('status', '--project', p.name, '--json')).stdout)
    expect(json.code).toBe(p.code)
    expect(json.openProblems.some((x: { stateLabel: string }) => x.stateLabel === '新增')).toBe(true)
  })

  it('takes DIAODU_NOW as today, and refuses a malformed one naming the variable', async () => {
    const board = async (now: string) => JSON.parse((await diaoduWith({ ...env, DIAODU_NOW: now }, 'board', '--json')).stdout) as { period: string }
    expect((await board('2026-10-08T09:00:00+08:00')).period).toBe('2026-09')
    expect((await board('2026-11-05T09:00:00+08:00')).period).toBe('2026-10')
    const bad = await diaoduWith({ ...env, DIAODU_NOW: 'yesterday' }, 'deadline', '--from', '2026-09-30', '--workdays', '3')
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/^配置错误 DIAODU_NOW/)
  })
})
