/**
 * Sheets of cells → typed rows of projects, units and people, with an error per bad cell naming sheet, row and
 * column. Takes the sheets people really send: title rows and merged cells above the header, the header found
 * by its names in any order, amounts in 元/万元/亿元 from the header or the cell, dates as Excel dates or text,
 * blank, 合计 and section rows skipped.
 */
import { readAmount } from '../../domain/parse/amounts.ts'
import { normalizeWidth, stripInvisible } from '../../domain/parse/numbers.ts'
import { daysInMonth, formatDate } from '../../domain/time.ts'
import { LEAGUES, LEVELS, STAGES, type League, type Role } from '../../store/schema.ts'
import type { Yuan } from '../../domain/money.ts'
import { serialDate, type Cell, type Sheet } from './read.ts'
import {
  columnOf,
  headerInfo,
  PERSON_COLUMNS,
  PROJECT_COLUMNS,
  ROLE_WORDS,
  UNIT_COLUMNS,
  type AmountUnit,
  type ColumnDef,
  type PersonKey,
  type ProjectKey,
  type UnitKey,
} from './columns.ts'

export interface RowError {
  sheet: string
  /** The Excel row number (from 1); 0 for the sheet as a whole. */
  row: number
  /** The column's header as written in the sheet, or '' for the whole row. */
  column: string
  message: string
}

interface Located {
  sheet: string
  row: number
}

export interface PersonRef {
  name: string | null
  mobile: string | null
}

export interface ProjectRow extends Located {
  code: string | null
  name: string
  unit: string | null
  dept: string | null
  leader: PersonRef | null
  /** null when the sheet has no contact column (the contacts are left as they are). */
  contacts: PersonRef[] | null
  sector: string | null
  level: string | null
  stage: string | null
  plannedNewStart: boolean | null
  totalInvestment: Yuan | null
  annualPlan: Yuan | null
  plannedStart: string | null
  plannedFinish: string | null
  weekly: boolean | null
  /** The plan year from the header (2026年计划投资), else null. */
  year: number | null
  /** Header text by column key, for errors found when the row is applied. */
  columns: Partial<Record<ProjectKey, string>>
}

export interface UnitRow extends Located {
  name: string
  league: League | null
  head: PersonRef | null
  columns: Partial<Record<UnitKey, string>>
}

export interface PersonRow extends Located {
  name: string
  mobile: string | null
  title: string | null
  unit: string | null
  roles: Role[] | null
  columns: Partial<Record<PersonKey, string>>
}

export interface ParsedWorkbook {
  projects: ProjectRow[]
  units: UnitRow[]
  people: PersonRow[]
  errors: RowError[]
  /** Sheets that were recognised, with their kind and how many data rows they had. */
  sheets: { name: string; kind: SheetKind; rows: number }[]
}

export type SheetKind = 'projects' | 'units' | 'people'

const KINDS: { kind: SheetKind; defs: readonly ColumnDef[]; required: string[]; sheetNames: RegExp }[] = [
  { kind: 'projects', defs: PROJECT_COLUMNS, required: ['name'], sheetNames: /项目/ },
  { kind: 'units', defs: UNIT_COLUMNS, required: ['name', 'league'], sheetNames: /单位/ },
  { kind: 'people', defs: PERSON_COLUMNS, required: ['name', 'mobile'], sheetNames: /人员|名册|通讯录|联系人/ },
]

/** How many rows from the top are searched for the header. */
const HEADER_SEARCH_ROWS = 30

const text = (c: Cell | null | undefined): string => {
  if (!c) return ''
  if (typeof c.v === 'number') return c.w ?? String(c.v)
  return String(c.v).trim()
}

interface Header {
  row: number
  /** Data starts here (after a second header row when the header spans two). */
  dataFrom: number
  cols: { index: number; def: ColumnDef; header: string; unit: AmountUnit | null; year: number | null }[]
  /** Header text by column key: one object for the sheet, shared by its rows. */
  names?: Record<string, string>
  byKey?: Map<string, Header['cols'][number]>
}

function matchRow(defs: readonly ColumnDef[], row: (Cell | null)[]): Header['cols'] {
  const cols: Header['cols'] = []
  const seen = new Set<string>()
  row.forEach((cell, index) => {
    const t = typeof cell?.v === 'string' ? cell.v : ''
    if (!t || t.length > 40) return
    const def = columnOf(defs, t)
    if (!def || seen.has(def.key)) return
    seen.add(def.key)
    const info = headerInfo(t)
    cols.push({ index, def, header: t.replace(/\s+/g, ''), unit: info.unit, year: info.year })
  })
  return cols
}

/** The header of a sheet for one kind: the row within the top rows that names the most of its columns. */
function findHeader(sheet: Sheet, kind: (typeof KINDS)[number]): Header | null {
  let best: Header | null = null
  for (let r = 0; r < Math.min(sheet.rows.length, HEADER_SEARCH_ROWS); r++) {
    const cols = matchRow(kind.defs, sheet.rows[r]!)
    if (!kind.required.every((k) => cols.some((c) => c.def.key === k))) continue
    if (cols.length < 2) continue
    if (!best || cols.length > best.cols.length) best = { row: r, dataFrom: r + 1, cols }
  }
  if (!best) return null
  // A two-row header (计划投资 over 总投资 | 年度计划): columns the second row names are added or refined.
  const next = sheet.rows[best.row + 1]
  if (next) {
    const sub = matchRow(kind.defs, next).filter((c) => !best!.cols.some((b) => b.index === c.index && b.def.key === c.def.key))
    const dataLike = next.some((c) => c !== null && typeof c.v === 'number')
    if (sub.length > 0 && !dataLike) {
      for (const s of sub) {
        best.cols = best.cols.filter((b) => b.index !== s.index && b.def.key !== s.def.key)
        best.cols.push(s)
      }
      best.dataFrom = best.row + 2
    }
  }
  return best
}

/** Which kind a sheet holds: by its header, the sheet's name breaking ties. */
function classify(sheet: Sheet): { kind: (typeof KINDS)[number]; header: Header } | null {
  // the 通报's other sheets (exported here, sent back): not lists to import
  if (NOT_LISTS.test(sheet.name)) return null
  let best: { kind: (typeof KINDS)[number]; header: Header; score: number } | null = null
  for (const kind of KINDS) {
    const header = findHeader(sheet, kind)
    if (!header) continue
    const score = header.cols.length + (kind.sheetNames.test(sheet.name) ? 3 : 0)
    if (!best || score > best.score) best = { kind, header, score }
  }
  return best
}

const NOT_LISTS = /问题台账|台账|排名|总览|说明|督办|^通报事项$/

const SUMMARY = /^(合计|小计|总计|累计|总合计|汇总)$/
const SECTION = /^([一二三四五六七八九十]+|\d+)[、.．]/

/** Blank rows, 合计/小计 rows and section rows (一、工业项目（12个）) are not data. */
function skipRow(row: (Cell | null)[], nameIndex: number): boolean {
  const filled = row.filter((c) => c !== null && text(c) !== '')
  if (filled.length === 0) return true
  // the template's example row
  if (typeof filled[0]!.v === 'string' && filled[0]!.v.trim().startsWith('【示例】')) return true
  if (filled.some((c) => typeof c!.v === 'string' && SUMMARY.test(text(c).replace(/\s+/g, '')))) return true
  if (filled.length === 1 && typeof filled[0]!.v === 'string' && SECTION.test(text(filled[0]))) return true
  // a title-like row: only the name column is filled and it is a section or sums-up line
  const name = text(row[nameIndex]).replace(/\s+/g, '')
  if (/^(合计|小计|总计)/.test(name)) return true
  return false
}

/**
 * Parses every recognised sheet. Sheets that are none of the three kinds are left out (listed nowhere).
 * Consumes the sheets: each row is dropped once read, so a 20,000-row list is not held as cells and as rows.
 */
export function parseSheets(sheets: Sheet[]): ParsedWorkbook {
  const out: ParsedWorkbook = { projects: [], units: [], people: [], errors: [], sheets: [] }
  for (const sheet of sheets) {
    if (sheet.rows.every((r) => r.every((c) => c === null))) continue
    const found = classify(sheet)
    if (!found) continue
    const { kind, header } = found
    const nameCol = header.cols.find((c) => c.def.key === 'name')!.index
    let n = 0
    for (let r = header.dataFrom; r < sheet.rows.length; r++) {
      const row = sheet.rows[r]!
      sheet.rows[r] = []
      if (skipRow(row, nameCol)) continue
      n++
      const reader = new RowReader(sheet.name, r + 1, row, header, out.errors)
      if (kind.kind === 'projects') {
        const p = readProject(reader)
        if (p) out.projects.push(p)
      } else if (kind.kind === 'units') {
        const u = readUnit(reader)
        if (u) out.units.push(u)
      } else {
        const p = readPerson(reader)
        if (p) out.people.push(p)
      }
    }
    out.sheets.push({ name: sheet.name, kind: kind.kind, rows: n })
  }
  if (out.sheets.length === 0) {
    const sheet = sheets.find((s) => s.rows.some((r) => r.some((c) => c !== null)))?.name ?? ''
    out.errors.push({
      sheet,
      row: 0,
      column: '',
      message:
        '未找到表头：项目表需要「名称」列（及责任单位、年度计划投资等），单位表需要「名称」「类别」，人员表需要「姓名」「手机」 (no header row found)',
    })
  }
  duplicates(out)
  return out
}

class RowReader {
  ok = true
  readonly sheet: string
  readonly row: number
  readonly cells: (Cell | null)[]
  readonly header: Header
  readonly errors: RowError[]
  constructor(sheet: string, row: number, cells: (Cell | null)[], header: Header, errors: RowError[]) {
    this.sheet = sheet
    this.row = row
    this.cells = cells
    this.header = header
    this.errors = errors
  }

  col(key: string) {
    this.header.byKey ??= new Map(this.header.cols.map((c) => [c.def.key, c]))
    return this.header.byKey.get(key)
  }
  has(key: string): boolean {
    return this.col(key) !== undefined
  }
  cell(key: string): Cell | null {
    const c = this.col(key)
    return c ? (this.cells[c.index] ?? null) : null
  }
  columnName(key: string): string {
    return this.col(key)?.header ?? ''
  }
  columns(): Record<string, string> {
    return (this.header.names ??= Object.fromEntries(this.header.cols.map((c) => [c.def.key, c.header])))
  }
  error(key: string, message: string): null {
    this.ok = false
    this.errors.push({ sheet: this.sheet, row: this.row, column: this.columnName(key), message })
    return null
  }
  str(key: string): string | null {
    const t = normalizeWidth(text(this.cell(key)))
      .replace(/\s+/g, ' ')
      .trim()
    return t === '' ? null : t
  }
  /**
   * A name as written (项目名称, 单位, 领域): spaces collapsed and invisible characters dropped, but full-width
   * forms kept — 「标准化厂房建设项目（二期）」 is stored as typed, so the export of it imports back unchanged.
   */
  name(key: string): string | null {
    const t = stripInvisible(text(this.cell(key)))
      .replace(/\s+/g, ' ')
      .trim()
    return t === '' ? null : t
  }

  amount(key: string, label: string): Yuan | null {
    const cell = this.cell(key)
    if (!cell) return null
    const unit = this.col(key)!.unit ?? '万元'
    const suffix = unit === '亿元' ? '亿' : unit === '万元' ? '万' : '元'
    let s: string
    if (typeof cell.v === 'number') s = numberText(cell.v)
    else s = normalizeWidth(String(cell.v)).replace(/[\s,，]/g, '')
    if (s === '' || s === '-' || s === '—' || s === '/') return null
    // a unit in the cell wins (4000万元 in a 万元 column, 1.2亿 in any); a bare number takes the header's unit
    const withUnit = /[万萬亿億元]$/.test(s) ? s : `${s}${suffix}`
    const r = readAmount(withUnit, label)
    if (!r.ok) return this.error(key, r.reason)
    return r.yuan
  }

  date(key: string, end: boolean): string | null {
    const cell = this.cell(key)
    if (!cell) return null
    const d = readDate(cell, end)
    if (d === undefined) return this.error(key, `「${text(cell)}」不是日期，请写成 2026-03-15、2026年3月 或 2026.03`)
    return d
  }

  bool(key: string): boolean | null {
    const s = this.str(key)
    if (s === null) return null
    if (/^(是|√|✓|✔|y|yes|true|1|周调度)$/i.test(s)) return true
    if (/^(否|×|✗|n|no|false|0|不)$/i.test(s)) return false
    return this.error(key, `「${s}」应为 是 或 否`)
  }

  oneOf<T extends string>(key: string, allowed: readonly T[], aliases: Record<string, T> = {}): T | null {
    const s = this.str(key)
    if (s === null) return null
    const v = s.replace(/\s+/g, '')
    if ((allowed as readonly string[]).includes(v)) return v as T
    if (aliases[v]) return aliases[v]
    return this.error(key, `「${s}」不是可选值，应为 ${allowed.join(' / ')}`)
  }
}

/** A number as the text of a decimal, without exponent or binary noise (1234.5 → '1234.5'). */
function numberText(n: number): string {
  if (!Number.isFinite(n)) return 'NaN'
  if (Math.abs(n) >= 1e21) return n.toExponential()
  const s = n.toFixed(6).replace(/\.?0+$/, '')
  return s === '-0' ? '0' : s
}

const MOBILE = /1[3-9]\d{9}/g

/** Splits names or mobiles written in one cell: 、 , ， ; ； / and line breaks (spaces only between mobiles). */
function splitList(s: string): string[] {
  return s
    .split(/[、,，;；/\n]+/)
    .map((x) => x.trim())
    .filter(Boolean)
}

/** 'YYYY-MM-DD' of a cell, null when empty, undefined when it is not a date. A month alone is its first (or last) day. */
export function readDate(cell: Cell, end = false): string | null | undefined {
  const day = (y: number, m: number, d: number | null) => {
    if (y < 1990 || y > 2100 || m < 1 || m > 12) return undefined
    const dd = d ?? (end ? daysInMonth(y, m) : 1)
    if (dd < 1 || dd > daysInMonth(y, m)) return undefined
    return formatDate(y, m, dd)
  }
  if (typeof cell.v === 'number') {
    const n = cell.v
    // 2026.03 typed as a number: year.month (its shown text keeps 2026.10 apart from 2026.1)
    if (n >= 1990 && n < 2101 && !cell.date) {
      const t = cell.w ?? String(n)
      const m = /^(\d{4})(?:\.(\d{1,2}))?$/.exec(t.trim())
      if (m) return m[2] ? day(Number(m[1]), Number(m[2]), null) : day(Number(m[1]), end ? 12 : 1, null)
      return undefined
    }
    // 202603 or 20260315
    if (!cell.date && n >= 199001 && n <= 210012 && Number.isInteger(n)) return day(Math.floor(n / 100), n % 100, null)
    if (!cell.date && n >= 19900101 && n <= 21001231 && Number.isInteger(n)) return day(Math.floor(n / 10000), Math.floor(n / 100) % 100, n % 100)
    const d = serialDate(Math.floor(n))
    if (!d) return undefined
    return day(d.year, d.month, d.day)
  }
  const s = normalizeWidth(String(cell.v)).replace(/\s+/g, '')
  if (s === '' || s === '-' || s === '—' || s === '/') return null
  let m = /^(\d{4})[年.\-/](\d{1,2})(?:[月.\-/](\d{1,2})日?|月(?:份|底|末|初|中旬|上旬|下旬)?)?$/.exec(s)
  if (m) {
    let d: number | null = m[3] ? Number(m[3]) : null
    if (!m[3] && /底|末|下旬/.test(s)) d = daysInMonth(Number(m[1]), Number(m[2]))
    return day(Number(m[1]), Number(m[2]), d)
  }
  m = /^(\d{4})(\d{2})(\d{2})?$/.exec(s)
  if (m) return day(Number(m[1]), Number(m[2]), m[3] ? Number(m[3]) : null)
  m = /^(\d{4})年(?:底|末)?$/.exec(s)
  if (m) return day(Number(m[1]), end || /底|末/.test(s) ? 12 : 1, /底|末/.test(s) ? 31 : null)
  return undefined
}

/** Names and mobiles of one or more people from a name cell and an optional mobile cell. */
function people(r: RowReader, nameKey: string, mobileKey: string | null, label: string): PersonRef[] | null {
  const names = r.str(nameKey)
  const mobiles = mobileKey ? r.str(mobileKey) : null
  if (names === null && mobiles === null) return []
  const refs: PersonRef[] = []
  // 张三13912345678、李四 13800000000: a mobile written with the name
  const nameParts = names ? splitList(names) : []
  const inline = nameParts.map((p) => {
    const mob = p.match(MOBILE)?.[0] ?? null
    return {
      name:
        p
          .replace(MOBILE, '')
          .replace(/[()（）:：\s]/g, '')
          .trim() || null,
      mobile: mob,
    }
  })
  const mobileParts = mobiles ? splitList(mobiles.replace(/\s+/g, ',')) : []
  for (const m of mobileParts) {
    if (!/^1[3-9]\d{9}$/.test(m.replace(/[-\s]/g, ''))) return r.error(mobileKey!, `「${m}」不是 11 位手机号`)
  }
  const mobileList = mobileParts.map((m) => m.replace(/[-\s]/g, ''))
  if (mobileList.length > 0 && inline.length > 0 && mobileList.length !== inline.length)
    return r.error(mobileKey!, `${label} ${inline.length} 人，手机号 ${mobileList.length} 个，应一一对应`)
  const n = Math.max(inline.length, mobileList.length)
  for (let i = 0; i < n; i++) {
    const ref = { name: inline[i]?.name ?? null, mobile: mobileList[i] ?? inline[i]?.mobile ?? null }
    if (ref.name !== null && (ref.name.length > 20 || /\d/.test(ref.name))) return r.error(nameKey, `「${ref.name}」不像是人名`)
    refs.push(ref)
  }
  return refs
}

const LEVEL_ALIASES: Record<string, string> = {
  省级: '省重点',
  省: '省重点',
  省级重点: '省重点',
  市级: '市重点',
  市: '市重点',
  市级重点: '市重点',
  县级: '县重点',
  县: '县重点',
  县级重点: '县重点',
}
const STAGE_ALIASES: Record<string, string> = {
  新建: '新开工',
  开工: '新开工',
  在建: '续建',
  已竣工: '竣工',
  完工: '竣工',
  投产运营: '投产',
  前期工作: '前期',
}

function readProject(r: RowReader): ProjectRow | null {
  const name = r.name('name')
  if (name === null) {
    // a row with figures and no name is a mistake; a row with a code and nothing else too
    return r.error('name', '缺少项目名称')
  }
  const unit = r.name('unit')
  const nature = r.str('nature')
  let plannedNewStart: boolean | null = null
  if (nature !== null) {
    if (/新建|新开工/.test(nature)) plannedNewStart = true
    else if (/续建|在建/.test(nature)) plannedNewStart = false
    else r.error('nature', `「${nature}」应为 新建 或 续建`)
  }
  const contacts = r.has('contact') || r.has('mobile') ? people(r, 'contact', r.has('mobile') ? 'mobile' : null, '联系人') : null
  const leaders = r.has('leader') ? people(r, 'leader', null, '包联领导') : []
  if (leaders && leaders.length > 1) r.error('leader', '包联领导只能填一人')
  const row: ProjectRow = {
    sheet: r.sheet,
    row: r.row,
    code: r.str('code')?.replace(/\s+/g, '') ?? null,
    name,
    unit,
    dept: r.name('dept'),
    leader: leaders?.[0] ?? null,
    contacts: contacts ?? null,
    sector: r.name('sector'),
    level: r.oneOf('level', LEVELS, LEVEL_ALIASES as Record<string, (typeof LEVELS)[number]>),
    stage: r.oneOf('stage', STAGES, STAGE_ALIASES as Record<string, (typeof STAGES)[number]>),
    plannedNewStart,
    totalInvestment: r.amount('total', '总投资'),
    annualPlan: r.amount('annual', '年度计划投资'),
    plannedStart: r.date('start', false),
    plannedFinish: r.date('finish', true),
    weekly: r.bool('weekly'),
    year: r.col('annual')?.year ?? null,
    columns: r.columns(),
  }
  if (row.code !== null && row.code.length > 40) r.error('code', '编号过长（最多 40 个字符）')
  if (name.length > 100) r.error('name', '项目名称过长（最多 100 个字）')
  if (row.totalInvestment !== null && row.annualPlan !== null && row.annualPlan > row.totalInvestment)
    r.error('annual', '年度计划投资大于总投资，请核实单位')
  return r.ok ? row : null
}

const LEAGUE_ALIASES: Record<string, League> = {
  乡: '乡镇',
  镇: '乡镇',
  乡镇街道: '乡镇',
  街道: '乡镇',
  园区: '开发区',
  开发区园区: '开发区',
  示范区: '开发区',
  开发区示范区: '开发区',
  县直: '县直部门',
  部门: '县直部门',
  县直单位: '县直部门',
}

function readUnit(r: RowReader): UnitRow | null {
  const name = r.name('name')
  if (name === null) return r.error('name', '缺少单位名称')
  const league = r.oneOf('league', LEAGUES, LEAGUE_ALIASES)
  const heads = r.has('head') ? people(r, 'head', r.has('headMobile') ? 'headMobile' : null, '负责人') : []
  if (heads && heads.length > 1) r.error('head', '负责人只能填一人')
  const row: UnitRow = { sheet: r.sheet, row: r.row, name, league, head: heads?.[0] ?? null, columns: r.columns() }
  return r.ok ? row : null
}

function readPerson(r: RowReader): PersonRow | null {
  const name = r.str('name')
  if (name === null) return r.error('name', '缺少姓名')
  const rawMobile = r.str('mobile')?.replace(/[-\s]/g, '') ?? null
  if (rawMobile !== null && !/^1[3-9]\d{9}$/.test(rawMobile)) r.error('mobile', `「${rawMobile}」不是 11 位手机号`)
  let roles: Role[] | null = null
  const rolesText = r.str('roles')
  if (rolesText !== null) {
    roles = []
    for (const w of splitList(rolesText.replace(/\s+/g, '、'))) {
      const role = ROLE_WORDS[w]
      if (!role) {
        r.error('roles', `「${w}」不是角色，应为 填报人 / 单位负责人 / 县领导 / 指挥部办公室`)
        break
      }
      if (!roles.includes(role)) roles.push(role)
    }
  }
  const row: PersonRow = {
    sheet: r.sheet,
    row: r.row,
    name,
    mobile: rawMobile,
    title: r.str('title'),
    unit: r.name('unit'),
    roles,
    columns: r.columns(),
  }
  return r.ok ? row : null
}

/** Duplicate codes and names within the file: the later row is an error naming the earlier one. */
function duplicates(out: ParsedWorkbook) {
  const dropped = new Set<object>()
  const check = <T extends Located>(rows: T[], key: (x: T) => string | null, column: (x: T) => string, what: string) => {
    const first = new Map<string, T>()
    for (const x of rows) {
      const k = key(x)
      if (k === null) continue
      const prev = first.get(k)
      if (prev) {
        out.errors.push({ sheet: x.sheet, row: x.row, column: column(x), message: `${what}「${k}」重复（与${prev.sheet}第 ${prev.row} 行）` })
        dropped.add(x)
      } else first.set(k, x)
    }
  }
  check(
    out.projects,
    (p) => p.code,
    (p) => p.columns.code ?? '',
    '项目编号',
  )
  check(
    out.projects.filter((p) => !dropped.has(p)),
    (p) => p.name,
    (p) => p.columns.name ?? '',
    '项目名称',
  )
  check(
    out.units,
    (u) => u.name,
    (u) => u.columns.name ?? '',
    '单位名称',
  )
  check(
    out.people,
    (p) => p.mobile,
    (p) => p.columns.mobile ?? '',
    '手机号',
  )
  out.projects = out.projects.filter((p) => !dropped.has(p))
  out.units = out.units.filter((u) => !dropped.has(u))
  out.people = out.people.filter((p) => !dropped.has(p))
}
