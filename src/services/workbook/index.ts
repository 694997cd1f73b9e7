/**
 * Import a county's workbook (项目清单, 单位, 人员) in one transaction: bytes → sheets (read.ts) → typed rows with
 * errors (parse.ts) → the database (apply.ts). With errors nothing is written unless `partial`; `dryRun`
 * computes everything and writes nothing. Runtime-free: the runtime hands in the bytes and its transaction.
 */
import type { Db } from '../../store/db.ts'
import { shanghaiParts } from '../../domain/time.ts'
import { readWorkbook } from './read.ts'
import { parseSheets, type RowError } from './parse.ts'
import { applyRows, type ApplyResult, type Change, type Counts } from './apply.ts'

export { readWorkbook, WorkbookError, MAX_WORKBOOK_BYTES } from './read.ts'
export type { RowError } from './parse.ts'
export type { Change } from './apply.ts'

/** Runs `fn` in one transaction: all of it lands or none (openNodeDatabase's `transact`). */
export type Transact = <T>(fn: () => Promise<T>) => Promise<T>

export interface ImportOptions {
  transact: Transact
  now: Date
  dryRun?: boolean
  /** Write the rows without errors even when other rows have some. */
  partial?: boolean
  /** Plan year for sheets that do not name one; default the current year in Shanghai. */
  year?: number
  actorPersonId?: number | null
  onProgress?: (done: number, total: number) => void
  /**
   * Called once the file is parsed, before anything is written: a runtime that can collect garbage on demand
   * (Node) reclaims the reader's cells here, which are dead by then but would otherwise stay in the heap while
   * the rows are applied (a 20,000-row .xls: 600 MB resident at the peak instead of under 400).
   */
  reclaim?: () => void
}

export interface ImportReport extends Counts {
  errors: RowError[]
  /** True when the changes were committed. */
  written: boolean
  dryRun: boolean
  details: ApplyResult['counts']
  changes: Change[]
  sheets: { name: string; kind: string; rows: number }[]
}

class Rollback extends Error {}

/** Imports a workbook's bytes. Throws WorkbookError for a file that is not a usable spreadsheet. */
export async function importWorkbook(db: Db, bytes: Uint8Array, opts: ImportOptions): Promise<ImportReport> {
  const parsed = parseSheets(readWorkbook(bytes))
  opts.reclaim?.()
  const year = opts.year ?? shanghaiParts(opts.now).year
  let applied: ApplyResult | undefined
  let written = false
  try {
    await opts.transact(async () => {
      applied = await applyRows(db, parsed, { at: opts.now.getTime(), year, actorPersonId: opts.actorPersonId ?? null, onProgress: opts.onProgress })
      const errors = parsed.errors.length + applied.errors.length
      if (opts.dryRun || (errors > 0 && !opts.partial)) throw new Rollback()
    })
    written = true
  } catch (e) {
    if (!(e instanceof Rollback)) throw e
  }
  const a = applied!
  const sum = (k: keyof Counts) => a.counts.projects[k] + a.counts.units[k] + a.counts.people[k]
  const errors = [...parsed.errors, ...a.errors].sort((x, y) => (x.sheet === y.sheet ? x.row - y.row : 0))
  return {
    created: sum('created'),
    updated: sum('updated'),
    unchanged: sum('unchanged'),
    errors,
    written,
    dryRun: Boolean(opts.dryRun),
    details: a.counts,
    changes: a.changes,
    sheets: parsed.sheets,
  }
}

const ENTITY = { project: '项目', unit: '单位', person: '人员' } as const
const ACTION = { created: '新增', updated: '更新', unchanged: '未变' } as const

/** The report as lines for a person: counts per sheet kind, the changes (up to `limit`), the errors. */
export function formatImportReport(r: ImportReport, limit = 50): string {
  const lines: string[] = []
  const d = r.details
  const head = r.dryRun
    ? '试导入（未写入） dry run, nothing written'
    : r.written
      ? '已导入 imported'
      : '未导入：有错误，未写入任何数据（可修正后重试，或加 --partial 只导入无误的行） nothing written'
  lines.push(head)
  lines.push(
    `项目 新增 ${d.projects.created}，更新 ${d.projects.updated}，未变 ${d.projects.unchanged}；` +
      `单位 新增 ${d.units.created}，更新 ${d.units.updated}，未变 ${d.units.unchanged}；` +
      `人员 新增 ${d.people.created}，更新 ${d.people.updated}，未变 ${d.people.unchanged}`,
  )
  for (const c of r.changes.slice(0, limit))
    lines.push(
      `  ${ACTION[c.action]}${ENTITY[c.entity]} ${c.name}${c.action === 'updated' ? `：${c.fields.join('、')}` : ''}（${c.sheet} 第 ${c.row} 行）`,
    )
  if (r.changes.length > limit) lines.push(`  …… 另有 ${r.changes.length - limit} 项`)
  if (r.errors.length) {
    lines.push(`错误 ${r.errors.length} 处 errors:`)
    for (const e of r.errors.slice(0, 200))
      lines.push(`  ${e.sheet}${e.row ? ` 第 ${e.row} 行` : ''}${e.column ? ` 「${e.column}」列` : ''}：${e.message}`)
    if (r.errors.length > 200) lines.push(`  …… 另有 ${r.errors.length - 200} 处`)
  }
  return lines.join('\n')
}
