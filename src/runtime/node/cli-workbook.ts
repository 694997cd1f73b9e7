/**
 * The workbook and settings commands of `diaodu` (template, import, export, config): the Node side only —
 * arguments, reading and writing files, the database and its transaction. The work is in src/services.
 * A person's mistake (bad arguments, a file that is not a usable spreadsheet, a bad setting) is a RangeError
 * with one line in Chinese and English, which the CLI's entry prints and exits with code 2.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { loadConfig } from '../../config.ts'
import { openNodeDatabase, type NodeDatabase } from './sqlite.ts'
import { shanghaiParts } from '../../domain/time.ts'
import { reclaimer } from './reclaim.ts'
// SheetJS and excelts are large: loaded by the commands that use them, not by every `diaodu` run.
const workbook = () => import('../../services/workbook/index.ts')
const settings = () => import('../../services/settings.ts')

export const WORKBOOK_COMMANDS: ReadonlySet<string> = new Set(['template', 'import', 'export', 'config'])

export const WORKBOOK_USAGE = `  template [--out 项目清单模板.xlsx]                  导入模板 the import template (项目, 单位, 人员, with drop-downs)
  import FILE [--dry-run] [--partial] [--json] [--year YYYY]  导入 .xlsx / .xls / .csv 项目清单、单位、人员
  export --period YYYY-MM [--out FILE]            月度调度通报工作簿 the monthly 通报 workbook
  config show | set KEY VALUE [--dry-run] | presets  查看和修改规则 (rules.*) 与调度日历 (dispatch.*)`

/** A person's mistake: printed as one line, exit code 2 (the CLI entry treats RangeError so). */
export class WorkbookUsageError extends RangeError {}

/** A negative number given as a value (config set dispatch.x -2): a positional, not an option named 2. */
const NEGATIVE = /^-\d+(\.\d+)?$/
const MARK = '\u2063'

function args(rest: string[]) {
  try {
    const parsed = parseArgs({
      args: rest.map((a) => (NEGATIVE.test(a) ? MARK + a : a)),
      allowPositionals: true,
      options: {
        out: { type: 'string' },
        json: { type: 'boolean', default: false },
        'dry-run': { type: 'boolean', default: false },
        partial: { type: 'boolean', default: false },
        year: { type: 'string' },
        period: { type: 'string' },
      },
    })
    return { ...parsed, positionals: parsed.positionals.map((p) => (p.startsWith(MARK) ? p.slice(MARK.length) : p)) }
  } catch (e) {
    const option = /'(-{1,2}[^' ]+)/.exec((e as Error).message ?? '')?.[1] ?? ''
    throw new WorkbookUsageError(`参数错误 ${option}（diaodu help 查看用法） (bad arguments ${option}; see diaodu help)`)
  }
}

async function withDb<T>(fn: (d: NodeDatabase) => Promise<T>): Promise<T> {
  const config = loadConfig(process.env)
  const database = openNodeDatabase(config.DATABASE_PATH)
  try {
    return await fn(database)
  } finally {
    database.close()
  }
}

function yearOf(value: string | undefined, now: Date): number {
  if (value === undefined) return shanghaiParts(now).year
  if (!/^20\d\d$/.test(value)) throw new WorkbookUsageError(`--year: 年份应为四位数字，例如 2026 (year must be like 2026)`)
  return Number(value)
}

function writeOut(path: string, bytes: Uint8Array) {
  try {
    writeFileSync(path, bytes)
  } catch (e) {
    throw new WorkbookUsageError(`无法写入 ${path}：${(e as NodeJS.ErrnoException).code ?? (e as Error).message} (cannot write the file)`)
  }
}

function readIn(path: string, max: number): Uint8Array {
  let size: number
  try {
    const st = statSync(path)
    if (!st.isFile()) throw new WorkbookUsageError(`${path} 不是文件 (not a file)`)
    size = st.size
  } catch (e) {
    if (e instanceof WorkbookUsageError) throw e
    throw new WorkbookUsageError(`找不到文件 ${path} (no such file)`)
  }
  // refused before reading it into memory
  if (size > max) {
    const mb = (n: number) => (n / 1024 / 1024).toFixed(1)
    throw new WorkbookUsageError(`文件过大（${mb(size)} MB），上限 ${mb(max)} MB，请拆分后导入 (file too large: ${mb(size)} MB, limit ${mb(max)} MB)`)
  }
  return new Uint8Array(readFileSync(path))
}

/** Runs `template`, `import`, `export` or `config`. */
export async function runWorkbook(command: string, rest: string[], now: Date, out: (s: string) => void): Promise<void> {
  const { values, positionals } = args(rest)
  if (command === 'template') {
    const path = values.out ?? positionals[0] ?? '项目清单模板.xlsx'
    const { templateWorkbook } = await import('../../services/workbook/template.ts')
    writeOut(path, await templateWorkbook(yearOf(values.year, now)))
    out(`已生成导入模板 ${path}（项目、单位、人员三张表，含下拉选项和示例行） (template written)`)
    return
  }
  if (command === 'import') {
    const path = positionals[0]
    if (!path) throw new WorkbookUsageError('import 需要文件，例如 diaodu import 项目清单.xlsx (import needs a file)')
    if (positionals.length > 1) throw new WorkbookUsageError('import 一次导入一个文件 (one file at a time)')
    const { formatImportReport, importWorkbook, MAX_WORKBOOK_BYTES, WorkbookError } = await workbook()
    const bytes = readIn(path, MAX_WORKBOOK_BYTES)
    const year = yearOf(values.year, now)
    const tty = process.stderr.isTTY && !values.json
    let progressed = false
    if (tty) process.stderr.write(`正在读取 ${path} …\n`)
    const report = await withDb(async ({ db, transact }) => {
      try {
        return await importWorkbook(db, bytes, {
          transact,
          now,
          dryRun: values['dry-run'],
          partial: values.partial,
          year,
          reclaim: reclaimer(),
          onProgress: tty ? (done, total) => void ((progressed = true), process.stderr.write(`\r已处理 ${done}/${total} 行 rows`)) : undefined,
        })
      } catch (e) {
        if (e instanceof WorkbookError) throw new WorkbookUsageError(e.message)
        throw e
      }
    })
    if (progressed) process.stderr.write('\n')
    if (values.json) {
      const { created, updated, unchanged, errors, written, dryRun, details } = report
      out(JSON.stringify({ created, updated, unchanged, errors, written, dryRun, details }, null, 2))
    } else out(formatImportReport(report))
    if (report.errors.length && !report.written && !report.dryRun) process.exitCode = 1
    return
  }
  if (command === 'config') {
    return config(positionals, values, now, out)
  }
  if (command === 'export') {
    const period = values.period ?? ''
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(period)) throw new WorkbookUsageError('--period: 月份应为 YYYY-MM，例如 2026-10 (period must be YYYY-MM)')
    const path = values.out ?? positionals[0] ?? `${period}调度通报.xlsx`
    const { exportMonth } = await import('../../services/workbook/export.ts')
    const bytes = await withDb(({ db }) => exportMonth(db, period, now, { reclaim: reclaimer() }))
    writeOut(path, bytes)
    out(`已导出 ${period} 调度通报 ${path}（总览、各赛道排名、项目明细、问题台账、督办） (exported)`)
    return
  }
  throw new WorkbookUsageError(`未知命令 ${command} (unknown command)`)
}

/** `[path, value]` for every leaf of a settings object: arrays and null stay one value. */
function leaves(prefix: string, v: unknown): [string, unknown][] {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return [[prefix, v]]
  return Object.entries(v as Record<string, unknown>).flatMap(([k, x]) => leaves(`${prefix}.${k}`, x))
}

async function config(positionals: string[], values: { json?: boolean; 'dry-run'?: boolean }, now: Date, out: (s: string) => void): Promise<void> {
  const [sub, key, ...valueParts] = positionals
  const { presets, setConfig, SettingError, showConfig } = await settings()
  if (sub === 'presets') {
    const list = presets()
    if (values.json) return out(JSON.stringify(list, null, 2))
    for (const p of list) out(`${p.key} ${p.value}\t${p.meaning}`)
    out('用法 usage: diaodu config set rules.colour pointBands [--dry-run]')
    return
  }
  if (sub === 'show' || sub === undefined) {
    return withDb(async ({ db }) => {
      const view = await showConfig(db)
      if (values.json) return out(JSON.stringify(view, null, 2))
      const stored = new Set([...leaves('rules', view.rules.stored), ...leaves('dispatch', view.dispatch.stored)].map(([k]) => k))
      const isSet = (k: string) => [...stored].some((s) => k === s || k.startsWith(`${s}.`) || s.startsWith(`${k}.`))
      const rules = view.rules.effective
      const shown: [string, unknown][] = [
        ['rules.schedule', rules.schedule],
        ['rules.colour', rules.colour],
        ['rules.indicators', rules.scoring.indicators],
        ['rules.monthlyOpenDay', rules.monthlyOpenDay],
        ...leaves('dispatch', view.dispatch.effective),
      ]
      for (const [k, v] of shown) out(`${k} = ${JSON.stringify(v)}${isSet(k) ? '  （已设置 set）' : ''}`)
    })
  }
  if (sub === 'set') {
    if (!key || valueParts.length === 0)
      throw new WorkbookUsageError(
        '用法：diaodu config set 键 值 [--dry-run]，例如 diaodu config set rules.colour pointBands (usage: config set KEY VALUE)',
      )
    return withDb(async ({ db, transact }) => {
      let r
      try {
        r = await setConfig(db, transact, key, valueParts.join(' '), { now, dryRun: values['dry-run'] })
      } catch (e) {
        if (e instanceof SettingError) throw new WorkbookUsageError(`${e.message} (invalid setting ${key})`)
        throw e
      }
      if (values.json) return out(JSON.stringify(r, null, 2))
      out(`${r.written ? '已设置' : '试设置（未保存） dry run'} ${r.key}：${JSON.stringify(r.before)} → ${JSON.stringify(r.after)}`)
      for (const line of r.effect) out(line)
    })
  }
  throw new WorkbookUsageError(`config 的子命令为 show / set / presets (config show | set KEY VALUE | presets)`)
}
