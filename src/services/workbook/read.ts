/**
 * Bytes → sheets of cells, for .xlsx, legacy .xls (BIFF, WPS / Excel 2003), .csv and the HTML tables some
 * systems save as .xls. Runtime-free (a Uint8Array in, no file system), so a Workers upload can use it too.
 * Bad input — not a spreadsheet, a password-protected or corrupt file, too large — is a WorkbookError with
 * one line in Chinese and English; merged cells are filled with their top-left value (a 责任单位 merged down
 * a block of projects belongs to each of them).
 */
import * as XLSX from '@e965/xlsx'

/** Files above this are refused before parsing (a county's 20,000-project list is about 2 MB as .xlsx). */
export const MAX_WORKBOOK_BYTES = 10 * 1024 * 1024
/** Rows per sheet past which a file is refused (a zip that inflates to millions of rows). */
export const MAX_SHEET_ROWS = 200_000

export type WorkbookErrorKind = 'tooLarge' | 'notSpreadsheet' | 'encrypted' | 'corrupt' | 'empty' | 'noHeader'

/** Input that is not a usable workbook: nothing is read from it, nothing written. */
export class WorkbookError extends Error {
  override name = 'WorkbookError'
  readonly kind: WorkbookErrorKind
  constructor(kind: WorkbookErrorKind, message: string) {
    super(message)
    this.kind = kind
  }
}

export interface Cell {
  /** The value: text, a number, a boolean; dates stay Excel serial numbers with `date` set. */
  v: string | number | boolean
  /** The text as Excel shows it, when the file has it (2026.10 stays 2026.10, not 2026.1). */
  w?: string
  /** A number formatted as a date in the file. */
  date?: boolean
}

export interface Sheet {
  name: string
  /** rows[r][c], r and c from 0 (Excel row r + 1); null for an empty cell. */
  rows: (Cell | null)[][]
}

const mb = (n: number) => (n / 1024 / 1024).toFixed(1)

function kindOf(bytes: Uint8Array): 'zip' | 'cfb' | 'text' | 'binary' {
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) return 'zip'
  if (bytes[0] === 0xd0 && bytes[1] === 0xcf && bytes[2] === 0x11 && bytes[3] === 0xe0) return 'cfb'
  const probe = bytes.subarray(0, 4096)
  let control = 0
  for (const b of probe) if (b === 0 || (b < 9 && b !== 0)) control++
  return control > 0 ? 'binary' : 'text'
}

/** The text of a CSV or HTML file: UTF-8 (with or without BOM), else GB18030 (what Chinese Excel writes). */
function decodeText(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '')
  } catch {
    try {
      return new TextDecoder('gb18030').decode(bytes)
    } catch {
      throw new WorkbookError(
        'notSpreadsheet',
        '无法识别文件的文字编码，请另存为 UTF-8 的 CSV 或 .xlsx (unknown text encoding; save as UTF-8 CSV or .xlsx)',
      )
    }
  }
}

/** True when an OLE file is an encrypted OOXML package (what Excel and WPS write for a password). */
function isEncryptedPackage(bytes: Uint8Array): boolean {
  try {
    const cfb = XLSX.CFB.read(bytes, { type: 'array' }) as { FullPaths: string[] }
    return cfb.FullPaths.some((p) => /EncryptedPackage|EncryptionInfo/i.test(p))
  } catch {
    return false
  }
}

const ENCRYPTED = '文件设有密码保护，请取消密码后再导入 (the file is password-protected; remove the password and try again)'
const CORRUPT = '文件已损坏或不完整，不是有效的 Excel 文件 (the file is corrupt or incomplete, not a valid Excel workbook)'

/** The zip's end-of-central-directory record (PK 5 6) within the last 64 KiB + 22 bytes, pointing inside the file. */
function hasZipDirectory(bytes: Uint8Array): boolean {
  const from = Math.max(0, bytes.length - 65_557)
  for (let i = bytes.length - 22; i >= from; i--) {
    if (bytes[i] === 0x50 && bytes[i + 1] === 0x4b && bytes[i + 2] === 5 && bytes[i + 3] === 6) {
      const size = bytes[i + 12]! | (bytes[i + 13]! << 8) | (bytes[i + 14]! << 16) | (bytes[i + 15]! << 24)
      const offset = (bytes[i + 16]! | (bytes[i + 17]! << 8) | (bytes[i + 18]! << 16)) + bytes[i + 19]! * 0x1000000
      return offset + (size >>> 0) <= i
    }
  }
  return false
}

/** Reads a workbook's sheets. Throws WorkbookError for anything that is not a readable spreadsheet. */
export function readWorkbook(bytes: Uint8Array): Sheet[] {
  if (bytes.byteLength > MAX_WORKBOOK_BYTES)
    throw new WorkbookError(
      'tooLarge',
      `文件过大（${mb(bytes.byteLength)} MB），上限 ${mb(MAX_WORKBOOK_BYTES)} MB，请拆分后导入 (file too large: ${mb(bytes.byteLength)} MB, limit ${mb(MAX_WORKBOOK_BYTES)} MB)`,
    )
  if (bytes.byteLength === 0) throw new WorkbookError('empty', '文件是空的 (the file is empty)')
  const kind = kindOf(bytes)
  if (kind === 'binary')
    throw new WorkbookError('notSpreadsheet', '不是电子表格文件，请上传 .xlsx、.xls 或 .csv (not a spreadsheet: upload .xlsx, .xls or .csv)')
  // SheetJS loops forever on a truncated zip (a download cut short): a zip must end with its directory
  if (kind === 'zip' && !hasZipDirectory(bytes)) throw new WorkbookError('corrupt', CORRUPT)
  let wb: XLSX.WorkBook
  try {
    if (kind === 'text') {
      const text = decodeText(bytes)
      if (/^\s*</.test(text) && !/<table/i.test(text))
        throw new WorkbookError('notSpreadsheet', '不是电子表格文件，请上传 .xlsx、.xls 或 .csv (not a spreadsheet: upload .xlsx, .xls or .csv)')
      // raw: a CSV's 2026-3-15 and 1,200 stay text for the readers here, not SheetJS's guesses
      wb = XLSX.read(text, { type: 'string', raw: true, dense: true })
    } else {
      wb = XLSX.read(bytes, { type: 'array', cellNF: true, cellHTML: false, cellFormula: false, dense: true })
    }
  } catch (e) {
    if (e instanceof WorkbookError) throw e
    const msg = String((e as Error).message ?? e)
    // The container is read a second time only for a file SheetJS refused (reading it costs as much as the
    // workbook: 260 MB for a 7 MB .xls)
    if (kind === 'cfb' && (/password|encrypt/i.test(msg) || isEncryptedPackage(bytes))) throw new WorkbookError('encrypted', ENCRYPTED)
    throw new WorkbookError('corrupt', CORRUPT)
  }
  const sheets: Sheet[] = []
  for (const name of wb.SheetNames) {
    const ws = wb.Sheets[name]
    if (!ws) continue
    sheets.push({ name, rows: gridOf(ws) })
    // SheetJS's cells of this sheet are no longer needed: let them go before the next sheet is converted
    delete wb.Sheets[name]
  }
  if (sheets.every((s) => s.rows.every((r) => r.every((c) => c === null)))) {
    if (kind === 'cfb' && isEncryptedPackage(bytes)) throw new WorkbookError('encrypted', ENCRYPTED)
    throw new WorkbookError('empty', '工作簿中没有任何数据 (the workbook has no data)')
  }
  return sheets
}

function gridOf(ws: XLSX.WorkSheet): (Cell | null)[][] {
  const ref = ws['!ref']
  if (!ref) return []
  const range = XLSX.utils.decode_range(ref)
  if (range.e.r - range.s.r + 1 > MAX_SHEET_ROWS)
    throw new WorkbookError('tooLarge', `工作表行数过多（${range.e.r + 1} 行），上限 ${MAX_SHEET_ROWS} 行 (too many rows: limit ${MAX_SHEET_ROWS})`)
  const width = Math.min(range.e.c + 1, 200)
  const dense = (ws as unknown as { '!data'?: (XLSX.CellObject | undefined)[][] })['!data']
  const rows: (Cell | null)[][] = []
  for (let r = 0; r <= range.e.r; r++) {
    const src = dense ? dense[r] : undefined
    // SheetJS's own row and cells become the grid's (converted in place): a 20,000-row sheet is not held twice
    const row = (src ?? new Array(width)) as (Cell | XLSX.CellObject | null | undefined)[]
    if (row.length > width) row.length = width
    for (let c = 0; c < width; c++) {
      const cell = src ? (row[c] as XLSX.CellObject | undefined) : (ws[XLSX.utils.encode_cell({ r, c })] as XLSX.CellObject | undefined)
      row[c] = cellOf(cell)
    }
    rows.push(row as (Cell | null)[])
  }
  // merged ranges: every cell of a merge carries the top-left value
  for (const m of ws['!merges'] ?? []) {
    const top = rows[m.s.r]?.[m.s.c] ?? null
    if (top === null) continue
    for (let r = m.s.r; r <= Math.min(m.e.r, rows.length - 1); r++)
      for (let c = m.s.c; c <= Math.min(m.e.c, width - 1); c++) if (rows[r]![c] === null) rows[r]![c] = top
  }
  return rows
}

const dateFormats = new Map<string, boolean>()
const isDateFormat = (fmt: string) => {
  let d = dateFormats.get(fmt)
  if (d === undefined) dateFormats.set(fmt, (d = Boolean(XLSX.SSF.is_date(fmt))))
  return d
}

/** A SheetJS cell as a grid cell: text and number cells are reused as they are (they carry v and w), marked as dates. */
function cellOf(cell: XLSX.CellObject | undefined): Cell | null {
  if (!cell || cell.v === undefined || cell.v === null || cell.t === 'z' || cell.t === 'e') return null
  if (cell.t === 's') {
    if (typeof cell.v !== 'string') return { v: String(cell.v) }
    return cell.v.trim() === '' ? null : (cell as Cell)
  }
  if (cell.t === 'd') {
    // only when a reader returned a Date: keep it as a serial (days since 1899-12-30, UTC)
    const d = cell.v as unknown as Date
    return { v: (d.getTime() - Date.UTC(1899, 11, 30)) / 86_400_000, date: true }
  }
  if (cell.t === 'n') {
    const out = cell as Cell
    if (typeof cell.z === 'string' && isDateFormat(cell.z)) out.date = true
    return out
  }
  if (cell.t === 'b') return { v: cell.v as boolean }
  return { v: String(cell.v) }
}

/** The calendar date of an Excel serial number (1900 system), or null when it is not one. */
export function serialDate(serial: number): { year: number; month: number; day: number } | null {
  if (!Number.isFinite(serial) || serial < 1 || serial > 2_958_465) return null
  const p = XLSX.SSF.parse_date_code(serial) as { y: number; m: number; d: number } | undefined
  return p ? { year: p.y, month: p.m, day: p.d } : null
}
