/**
 * The workbook import: workbooks generated here with SheetJS for each messy case people really send (title rows,
 * merged cells, headers in any order and with variants, amounts in 元/万元/亿元, text and Excel dates, 合计 rows,
 * a real legacy .xls, a GBK CSV), the template, re-import, audited updates, every bad-input case, and a new
 * county going from an empty database to its first prompt cards with nothing but the import and the clock.
 */
import { describe, expect, it } from 'vitest'
import * as XLSX from '@e965/xlsx'
import { eq } from 'drizzle-orm'
import { openNodeDatabase, type NodeDatabase } from '../../src/runtime/node/sqlite.ts'
import { importWorkbook, WorkbookError, type ImportReport } from '../../src/services/workbook/index.ts'
import { templateWorkbook } from '../../src/services/workbook/template.ts'
import { readDate } from '../../src/services/workbook/parse.ts'
import { leagueFromName } from '../../src/services/workbook/apply.ts'
import { auditLog, outbox, people, projectContacts, projects, units } from '../../src/store/schema.ts'
import { runTick } from '../../src/jobs/tick.ts'
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import type * as schema from '../../src/store/schema.ts'

const NOW = new Date('2026-11-20T10:00:00+08:00')

type Aoa = (string | number | Date | null)[][]

function book(sheets: Record<string, { aoa: Aoa; merges?: string[] }>, bookType: XLSX.BookType = 'xlsx'): Uint8Array {
  const wb = XLSX.utils.book_new()
  for (const [name, s] of Object.entries(sheets)) {
    const ws = XLSX.utils.aoa_to_sheet(s.aoa, { cellDates: false })
    if (s.merges) ws['!merges'] = s.merges.map((m) => XLSX.utils.decode_range(m))
    XLSX.utils.book_append_sheet(wb, ws, name)
  }
  const out = XLSX.write(wb, { type: 'array', bookType }) as ArrayBuffer
  return new Uint8Array(out)
}

/** The database as the synchronous better-sqlite3 handle it is here, for reads in the tests. */
const sync = (d: NodeDatabase) => d.db as unknown as BetterSQLite3Database<typeof schema>

function fresh(): NodeDatabase {
  return openNodeDatabase(':memory:')
}

async function imp(d: NodeDatabase, bytes: Uint8Array, opts: { dryRun?: boolean; partial?: boolean; now?: Date } = {}): Promise<ImportReport> {
  return importWorkbook(d.db, bytes, { transact: d.transact, now: opts.now ?? NOW, dryRun: opts.dryRun, partial: opts.partial })
}

const count = (d: NodeDatabase, table: string) => (d.sqlite.prepare(`select count(*) n from ${table}`).get() as { n: number }).n

/** A sheet as counties send it: a title merged across, a date line, a two-row header, sections, a 合计 row. */
const MESSY: Aoa = [
  ['2026年全县重点项目建设推进情况表', null, null, null, null, null, null, null, null, null, null],
  ['填报单位：县发改局                         2026年3月', null, null, null, null, null, null, null, null, null, null],
  ['序号', '项目名称', '建设单位', '包联县领导', '项目联系人', '联系电话', '建设性质', '计划投资（万元）', null, '计划开工时间', '计划竣工时间'],
  [null, null, null, null, null, null, null, '总投资', '2026年计划投资', null, null],
  ['一、工业项目（2个）', null, null, null, null, null, null, null, null, null, null],
  [1, '城关镇机械产业园标准化厂房', '城关镇', '李明', '王芳', '13900000003', '新建', '12,000', '4000万元', '2026年3月', '2026.12'],
  [2, '经开区新能源电池项目', '县经济开发区', '李明', '赵强、钱多', '13900000004,13900000005', '续建', 250000, 60000, 46082, '2027-6-30'],
  ['二、基础设施（1个）', null, null, null, null, null, null, null, null, null, null],
  [3, '县城至河口镇公路改造', '县交通运输局', '周红', '孙丽 13900000006', null, '续建', '1.5亿', 5000.5, '2026-3-15', '2026年底'],
  [null, null, null, null, null, null, null, null, null, null, null],
  ['合计', null, null, null, null, null, null, 277000, 69000.5, null, null],
]

describe('reading the sheets people send', () => {
  it('finds the header under title rows and merged cells, in any order and with variants', async () => {
    const d = fresh()
    const r = await imp(d, book({ 项目推进表: { aoa: MESSY, merges: ['A1:K1', 'A2:K2', 'H3:I3'] } }))
    expect(r.errors).toEqual([])
    expect(r.written).toBe(true)
    expect(r.details.projects).toEqual({ created: 3, updated: 0, unchanged: 0 })
    const rows = sync(d).select().from(projects).orderBy(projects.id).all()
    expect(rows.map((p) => p.name)).toEqual(['城关镇机械产业园标准化厂房', '经开区新能源电池项目', '县城至河口镇公路改造'])
    const [a, b, c] = rows
    expect(a).toMatchObject({
      totalInvestment: 120_000_000,
      annualPlan: 40_000_000,
      plannedStart: '2026-03-01',
      plannedFinish: '2026-12-31',
      plannedNewStart: true,
      year: 2026,
    })
    expect(b).toMatchObject({
      totalInvestment: 2_500_000_000,
      annualPlan: 600_000_000,
      plannedStart: '2026-03-01',
      plannedFinish: '2027-06-30',
      plannedNewStart: false,
    })
    expect(c).toMatchObject({ totalInvestment: 150_000_000, annualPlan: 50_005_000, plannedStart: '2026-03-15', plannedFinish: '2026-12-31' })
    // units from their names' league, people created with their mobiles, contacts linked
    const us = sync(d).select().from(units).orderBy(units.id).all()
    expect(us.map((u) => [u.name, u.league])).toEqual([
      ['城关镇', '乡镇'],
      ['县经济开发区', '开发区'],
      ['县交通运输局', '县直部门'],
    ])
    const contacts = sync(d).select().from(projectContacts).where(eq(projectContacts.projectId, b!.id)).all()
    expect(contacts).toHaveLength(2)
    const sun = sync(d).select().from(people).where(eq(people.name, '孙丽')).get()
    expect(sun).toMatchObject({ mobile: '13900000006', roles: ['contact'] })
    const li = sync(d).select().from(people).where(eq(people.name, '李明')).all()
    expect(li).toHaveLength(1)
    expect(li[0]!.roles).toEqual(['leader'])
    expect(a!.leaderPersonId).toBe(li[0]!.id)
  })

  it('reads a legacy .xls (BIFF8) and a CSV, UTF-8 or GBK, the same way', async () => {
    const simple: Aoa = [
      ['项目', '承建单位', '联系人', '手机', '总投资(亿元)', '年度计划(万元)'],
      ['河口镇农旅融合示范园', '河口镇', '吴刚', '13900000010', 1.2, '3,500'],
    ]
    for (const type of ['biff8', 'csv'] as const) {
      const d = fresh()
      const bytes = book({ Sheet1: { aoa: simple } }, type)
      if (type === 'biff8') expect([...bytes.slice(0, 4)]).toEqual([0xd0, 0xcf, 0x11, 0xe0])
      const r = await imp(d, bytes)
      expect(r.errors).toEqual([])
      expect(sync(d).select().from(projects).get()).toMatchObject({
        name: '河口镇农旅融合示范园',
        totalInvestment: 120_000_000,
        annualPlan: 35_000_000,
      })
    }
    const gbk = new Uint8Array(
      Buffer.from(
        // 项目名称,责任单位,总投资,年度计划投资\n 城南学校,县教育局,8000,2000 — in GB18030
        'cfeec4bfc3fbb3c62cd4f0c8ceb5a5cebb2cd7dccdb6d7ca2cc4eab6c8bcc6bbaecdb6d7ca0ab3c7c4cfd1a7d0a32ccfd8bdccd3fdbed62c383030302c323030300a',
        'hex',
      ),
    )
    const d = fresh()
    const r = await imp(d, gbk)
    expect(r.errors).toEqual([])
    expect(sync(d).select().from(projects).get()).toMatchObject({ name: '城南学校', totalInvestment: 80_000_000, annualPlan: 20_000_000 })
  })

  it('reads dates as Excel dates or text', () => {
    expect(readDate({ v: 46082, date: true })).toBe('2026-03-01')
    expect(readDate({ v: '2026年3月' })).toBe('2026-03-01')
    expect(readDate({ v: '2026年3月' }, true)).toBe('2026-03-31')
    expect(readDate({ v: '2026.03' })).toBe('2026-03-01')
    expect(readDate({ v: 2026.1, w: '2026.10' })).toBe('2026-10-01')
    expect(readDate({ v: '2026-3-15' })).toBe('2026-03-15')
    expect(readDate({ v: '2026/03/15' })).toBe('2026-03-15')
    expect(readDate({ v: '2026年3月15日' })).toBe('2026-03-15')
    expect(readDate({ v: '202603' })).toBe('2026-03-01')
    expect(readDate({ v: '2026-2-30' })).toBeUndefined()
    expect(readDate({ v: '三月' })).toBeUndefined()
  })

  it('tells a unit’s league from its name, or says it cannot', () => {
    expect(leagueFromName('城关镇')).toBe('乡镇')
    expect(leagueFromName('红旗乡')).toBe('乡镇')
    expect(leagueFromName('县高新技术产业开发区')).toBe('开发区')
    expect(leagueFromName('县自然资源局')).toBe('县直部门')
    expect(leagueFromName('县城投公司')).toBe('县直部门')
    expect(leagueFromName('某某')).toBeNull()
  })
})

describe('errors and re-imports', () => {
  it('reports duplicates and bad cells by sheet, row and column, and writes nothing unless --partial', async () => {
    const d = fresh()
    const aoa: Aoa = [
      ['编号', '名称', '责任单位', '总投资(万元)', '年度计划投资(万元)', '联系人', '联系人手机', '计划开工'],
      ['A-1', '甲项目', '城关镇', 1000, 500, '王芳', '13900000003', '2026-03'],
      ['A-1', '乙项目', '城关镇', 1000, 500, '王芳', '13900000003', null],
      ['A-3', '丙项目', '城关镇', '一千万', -5, null, null, '下个月'],
      ['A-4', '丁项目', '某某', 1000, 500, null, null, null],
      ['A-5', '戊项目', '城关镇', 1000, 500, '无名氏', null, null],
      ['A-6', '甲项目', '城关镇', 1000, 500, null, null, null],
    ]
    const bytes = book({ 项目: { aoa } })
    const r = await imp(d, bytes)
    expect(r.written).toBe(false)
    expect(count(d, 'projects')).toBe(0)
    expect(count(d, 'units')).toBe(0)
    const by = (row: number) => r.errors.filter((e) => e.row === row)
    expect(by(3)[0]).toMatchObject({ sheet: '项目', column: '编号', message: expect.stringContaining('重复（与项目第 2 行）') })
    expect(
      by(4)
        .map((e) => e.column)
        .sort(),
    ).toEqual(['年度计划投资(万元)', '计划开工'])
    expect(by(4).find((e) => e.column === '年度计划投资(万元)')!.message).toContain('负数')
    expect(by(5)[0]).toMatchObject({ column: '责任单位', message: expect.stringContaining('无法从名称判断类别') })
    expect(by(6)[0]).toMatchObject({ column: '联系人手机', message: expect.stringContaining('请填写其手机号') })
    expect(by(7)[0]).toMatchObject({ column: '名称', message: expect.stringContaining('项目名称「甲项目」重复') })

    const partial = await imp(d, bytes, { partial: true })
    expect(partial.written).toBe(true)
    expect(
      sync(d)
        .select({ code: projects.code })
        .from(projects)
        .all()
        .map((p) => p.code),
    ).toEqual(['A-1'])
  })

  it('keeps names as written: full-width brackets in a project or unit name are stored as typed and import back unchanged', async () => {
    const d = fresh()
    const aoa: Aoa = [
      ['项目名称', '责任单位', '总投资（万元）', '年度计划投资（万元）'],
      ['标准化厂房建设项目（二期）', '县经济开发区（高新区）', '１２０００', 4000],
    ]
    expect((await imp(d, book({ 项目: { aoa } }))).errors).toEqual([])
    const stored = d.sqlite.prepare('select p.name, u.name unit, p.total_investment total from projects p join units u on u.id = p.unit_id').get()
    // the amount's full-width digits are still read as a number
    expect(stored).toEqual({ name: '标准化厂房建设项目（二期）', unit: '县经济开发区（高新区）', total: 120_000_000 })
    expect(await imp(d, book({ 项目: { aoa } }))).toMatchObject({ created: 0, updated: 0, errors: [] })
  })

  it('changes nothing on a re-import; a changed cell updates that field, audited; --dry-run writes nothing', async () => {
    const d = fresh()
    const first = book({ 项目推进表: { aoa: MESSY, merges: ['A1:K1', 'A2:K2', 'H3:I3'] } })
    const r1 = await imp(d, first)
    expect(r1.created).toBe(3 + 3 + 6) // projects, units, people
    const audits = count(d, 'audit_log')
    const again = await imp(d, first)
    expect(again).toMatchObject({ created: 0, updated: 0, errors: [] })
    expect(again.details.projects.unchanged).toBe(3)
    expect(count(d, 'audit_log')).toBe(audits)

    const changed = MESSY.map((r) => [...r])
    changed[5]![8] = '4500' // 城关镇 project's 2026年计划投资 4000万元 → 4500 万元
    changed[8]![4] = '孙丽 13900000006、郑伟 13900000007'
    const bytes = book({ 项目推进表: { aoa: changed } })
    const dry = await imp(d, bytes, { dryRun: true })
    expect(dry).toMatchObject({ written: false, dryRun: true })
    expect(dry.details.projects).toEqual({ created: 0, updated: 2, unchanged: 1 })
    expect(dry.details.people.created).toBe(1)
    expect(count(d, 'audit_log')).toBe(audits)
    expect(sync(d).select().from(projects).where(eq(projects.name, '城关镇机械产业园标准化厂房')).get()!.annualPlan).toBe(40_000_000)

    const r3 = await imp(d, bytes)
    expect(r3.details.projects).toEqual({ created: 0, updated: 2, unchanged: 1 })
    const p = sync(d).select().from(projects).where(eq(projects.name, '城关镇机械产业园标准化厂房')).get()!
    expect(p.annualPlan).toBe(45_000_000)
    const entry = sync(d)
      .select()
      .from(auditLog)
      .where(eq(auditLog.entityId, p.id))
      .all()
      .find((a) => a.entity === 'project' && a.action === 'import.update')
    expect(entry).toMatchObject({ before: { annualPlan: 40_000_000 }, after: { annualPlan: 45_000_000 } })
    expect(r3.changes.find((c) => c.entity === 'project' && c.action === 'updated')!.fields).toEqual(['年度计划投资'])
  })

  it('refuses what is not a usable spreadsheet with one line, writing nothing', async () => {
    const d = fresh()
    const refuse = async (bytes: Uint8Array, kind: string, pattern: RegExp) => {
      const e = await imp(d, bytes).catch((x) => x)
      expect(e).toBeInstanceOf(WorkbookError)
      expect((e as WorkbookError).kind).toBe(kind)
      expect((e as Error).message).toMatch(pattern)
      expect((e as Error).message).not.toContain('\n')
    }
    await refuse(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), 'notSpreadsheet', /不是电子表格.*not a spreadsheet/)
    await refuse(new Uint8Array([0x50, 0x4b, 3, 4, 20, 0, 0, 0, 8, 0, 1, 2, 3]), 'corrupt', /损坏.*corrupt/)
    const cfb = XLSX.CFB.utils.cfb_new()
    XLSX.CFB.utils.cfb_add(cfb, '/EncryptionInfo', new Uint8Array([4, 0, 4, 0, 0x40, 0, 0, 0]))
    XLSX.CFB.utils.cfb_add(cfb, '/EncryptedPackage', new Uint8Array(64))
    await refuse(new Uint8Array(XLSX.CFB.write(cfb, { type: 'array' }) as ArrayBuffer), 'encrypted', /密码.*password/)
    await refuse(book({ Sheet1: { aoa: [] } }), 'empty', /没有任何数据|空/)
    await refuse(new Uint8Array(50 * 1024 * 1024), 'tooLarge', /过大.*50\.0 MB.*too large/)
    await refuse(new Uint8Array(0), 'empty', /空/)
    expect(count(d, 'projects') + count(d, 'units') + count(d, 'people')).toBe(0)
    // a sheet with data but no header it knows: one error, nothing written
    const r = await imp(
      d,
      book({
        随便: {
          aoa: [
            ['a', 'b'],
            [1, 2],
          ],
        },
      }),
    )
    expect(r.written).toBe(false)
    expect(r.errors[0]).toMatchObject({ sheet: '随便', row: 0, message: expect.stringContaining('未找到表头') })
  })
})

describe('主管部门', () => {
  it('is stored as a unit matched or created like the 责任单位; a change is audited; the export carries it', async () => {
    const d = fresh()
    const aoa: Aoa = [
      ['名称', '责任单位', '行业主管部门', '总投资(万元)', '年度计划投资(万元)'],
      ['城关镇污水处理厂提标改造工程', '城关镇', '县住房和城乡建设局', 12000, 4000],
      ['河口镇农旅融合示范园', '河口镇', '县文化和旅游局', 8000, 2000],
      ['县城至河口镇公路改造', '县交通运输局', '县交通运输局', 15000, 5000],
      ['某某项目', '城关镇', '某某', 1000, 500],
    ]
    const r = await imp(d, book({ 项目: { aoa } }), { partial: true })
    expect(r.errors).toEqual([expect.objectContaining({ row: 5, column: '行业主管部门', message: expect.stringContaining('无法从名称判断类别') })])
    const unitId = (name: string) => sync(d).select().from(units).where(eq(units.name, name)).get()!.id
    const deptOf = (name: string) => sync(d).select().from(projects).where(eq(projects.name, name)).get()!.competentUnitId
    expect(sync(d).select().from(units).where(eq(units.name, '县住房和城乡建设局')).get()).toMatchObject({ league: '县直部门' })
    expect(deptOf('城关镇污水处理厂提标改造工程')).toBe(unitId('县住房和城乡建设局'))
    expect(deptOf('县城至河口镇公路改造')).toBe(unitId('县交通运输局'))
    expect(count(d, 'units')).toBe(5) // 城关镇, 河口镇, 县交通运输局 and the two departments; 某某 none
    aoa.pop()
    expect((await imp(d, book({ 项目: { aoa } }))).details.projects).toEqual({ created: 0, updated: 0, unchanged: 3 })

    aoa[2]![2] = '县农业农村局'
    const r2 = await imp(d, book({ 项目: { aoa } }))
    expect(r2.details.projects).toEqual({ created: 0, updated: 1, unchanged: 2 })
    expect(r2.changes.find((c) => c.entity === 'project')).toMatchObject({ action: 'updated', fields: ['主管部门'] })
    const p = sync(d).select().from(projects).where(eq(projects.name, '河口镇农旅融合示范园')).get()!
    expect(p.competentUnitId).toBe(unitId('县农业农村局'))
    const entry = sync(d)
      .select()
      .from(auditLog)
      .all()
      .filter((a) => a.entity === 'project' && a.entityId === p.id && a.action === 'import.update')
    expect(entry).toEqual([
      expect.objectContaining({ before: { competentUnitId: unitId('县文化和旅游局') }, after: { competentUnitId: unitId('县农业农村局') } }),
    ])

    const { exportMonth } = await import('../../src/services/workbook/export.ts')
    const wb = XLSX.read(await exportMonth(d.db, '2026-11', NOW), { type: 'array' })
    const detail = XLSX.utils.sheet_to_json<Record<string, unknown>>(wb.Sheets['项目明细']!)
    expect(detail.map((x) => [x['名称'], x['主管部门']])).toEqual([
      ['城关镇污水处理厂提标改造工程', '县住房和城乡建设局'],
      ['河口镇农旅融合示范园', '县农业农村局'],
      ['县城至河口镇公路改造', '县交通运输局'],
    ])
    // and back: nothing changes
    const back = await imp(d, new Uint8Array(XLSX.write(wb, { type: 'array', bookType: 'xlsx' }) as ArrayBuffer))
    expect(back).toMatchObject({ created: 0, updated: 0, errors: [] })
  })
})

describe('the template', () => {
  it('has the three sheets with drop-downs and an example row the import skips; filled in, it imports', async () => {
    const bytes = await templateWorkbook(2026)
    const wb = XLSX.read(bytes, { type: 'array' })
    expect(wb.SheetNames).toEqual(['项目', '单位', '人员', '说明'])
    const head = XLSX.utils.sheet_to_json<string[]>(wb.Sheets['项目']!, { header: 1 })[0]
    expect(head).toEqual([
      '编号',
      '名称',
      '责任单位',
      '主管部门',
      '包联领导',
      '联系人',
      '联系人手机',
      '分指挥部/领域',
      '级别',
      '建设性质',
      '阶段',
      '总投资(万元)',
      '年度计划投资(万元)',
      '计划开工',
      '计划竣工',
      '是否周调度',
    ])
    const xml = new TextDecoder().decode(XLSX.CFB.find(XLSX.CFB.read(bytes, { type: 'array' }), '/xl/worksheets/sheet1.xml')!.content as Uint8Array)
    expect(xml.match(/<dataValidation /g)?.length).toBe(7)
    expect(xml).toContain('省重点,市重点,县重点')
    const d = fresh()
    const empty = await imp(d, bytes)
    expect(empty).toMatchObject({ created: 0, errors: [] })

    // the example rows without their mark: a whole county in three sheets
    for (const name of ['项目', '单位', '人员']) {
      const ws = wb.Sheets[name]!
      const a1 = ws['A2']!
      a1.v = String(a1.v).replace('【示例】', '')
      a1.w = undefined
    }
    const filled = new Uint8Array(XLSX.write(wb, { type: 'array', bookType: 'xlsx' }) as ArrayBuffer)
    const r = await imp(d, filled)
    expect(r.errors).toEqual([])
    expect(r.details).toEqual({
      projects: { created: 1, updated: 0, unchanged: 0 },
      units: { created: 2, updated: 0, unchanged: 0 }, // 城关镇 and the 主管部门 县住房和城乡建设局
      people: { created: 4, updated: 0, unchanged: 0 },
    })
    const p = sync(d).select().from(projects).get()!
    expect(sync(d).select().from(units).where(eq(units.id, p.competentUnitId!)).get()).toMatchObject({
      name: '县住房和城乡建设局',
      league: '县直部门',
    })
    expect(p).toMatchObject({
      code: 'XM2026-001',
      sector: '基础设施',
      level: '县重点',
      stage: '新开工',
      plannedNewStart: true,
      plannedStart: '2026-03-01',
      plannedFinish: '2026-12-31',
      annualPlan: 40_000_000,
      weekly: false,
    })
    const unit = sync(d).select().from(units).get()!
    expect(sync(d).select().from(people).where(eq(people.id, unit.headPersonId!)).get()).toMatchObject({ name: '张伟', roles: ['unit_head'] })
    expect(sync(d).select().from(people).where(eq(people.name, '王芳')).get()).toMatchObject({
      title: '项目联络员',
      roles: ['contact'],
      mobile: '13900000003',
    })
    expect((await imp(d, filled)).created + (await imp(d, filled)).updated).toBe(0)
  })
})

describe('a new county', () => {
  it('goes from an empty database to its first prompt cards with the import and the clock', async () => {
    const d = fresh()
    const r = await imp(d, book({ 项目推进表: { aoa: MESSY, merges: ['A1:K1', 'A2:K2', 'H3:I3'] } }))
    expect(r.written).toBe(true)
    const report = await runTick(d.db, new Date('2026-11-25T09:00:00+08:00'))
    const opened = report.jobs.find((j) => j.job.includes('open') && j.status === 'ran')
    expect(opened, JSON.stringify(report.jobs.map((j) => [j.job, j.status]))).toBeDefined()
    const contactIds = [
      ...new Set(
        sync(d)
          .select()
          .from(projectContacts)
          .all()
          .map((c) => c.personId),
      ),
    ].sort()
    expect(contactIds).toHaveLength(4)
    expect(
      opened!.recipients
        .filter((x) => x.startsWith('person:'))
        .map((x) => Number(x.slice(7)))
        .sort(),
    ).toEqual(contactIds)
    expect(report.queued).toBeGreaterThanOrEqual(4)
    expect(sync(d).select().from(outbox).all().length).toBe(report.queued)
  })
})

describe('the admin API', () => {
  const TOKEN = 'test-admin-token-0123456789'
  const auth = { Authorization: `Bearer ${TOKEN}` }

  it('imports a multipart upload with the same JSON answer, exports the month, and refuses without the token', async () => {
    const { adminRoutes } = await import('../../src/http/admin.ts')
    const { createApp } = await import('../../src/http/app.ts')
    const { silentLogger } = await import('../../src/log.ts')
    const d = fresh()
    const app = adminRoutes({ db: d.db, now: () => NOW, adminToken: TOKEN, transact: d.transact })
    const upload = (bytes: Uint8Array, fields: Record<string, string> = {}, headers: Record<string, string> = auth) => {
      const form = new FormData()
      form.append('file', new File([bytes as Uint8Array<ArrayBuffer>], '清单.xlsx'))
      for (const [k, v] of Object.entries(fields)) form.append(k, v)
      return app.request('/api/import', { method: 'POST', body: form, headers })
    }
    const bytes = book({ 项目推进表: { aoa: MESSY, merges: ['A1:K1', 'A2:K2', 'H3:I3'] } })
    expect((await upload(bytes, {}, {})).status).toBe(401)
    expect((await upload(bytes, {}, { Authorization: 'Bearer wrong-token-0123456789xx' })).status).toBe(401)

    const dry = await upload(bytes, { dryRun: '1' })
    expect(dry.status).toBe(200)
    expect(await dry.json()).toMatchObject({ created: 12, updated: 0, unchanged: 0, errors: [], dryRun: true, written: false })
    expect(count(d, 'projects')).toBe(0)
    const real = await upload(bytes)
    expect(await real.json()).toMatchObject({ created: 12, written: true })
    expect(count(d, 'projects')).toBe(3)

    const bad = await upload(new Uint8Array([0x50, 0x4b, 3, 4, 0, 0]))
    expect(bad.status).toBe(400)
    expect((await bad.json()).error).toMatch(/损坏.*corrupt/)

    const exp = await app.request('/api/export?period=2026-11', { headers: auth })
    expect(exp.status).toBe(200)
    expect(exp.headers.get('content-type')).toContain('spreadsheetml')
    const exported = new Uint8Array(await exp.arrayBuffer())
    const wb = XLSX.read(exported, { type: 'array' })
    const { Workbook } = await import('@cj-tech-master/excelts')
    const styled = new Workbook()
    await styled.xlsx.load(exported)
    const detail = styled.getWorksheet('项目明细')!
    expect(detail.getCell(1, 1).font?.bold).toBe(true)
    expect(detail.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 })
    expect(detail.getCell(1, 14).value).toBe('色牌')
    expect(detail.getCell(2, 14).value).toBe('预警') // nothing reported in November: behind 序时, not yet carded
    expect((detail.getCell(2, 14).fill as { fgColor?: { argb?: string } }).fgColor?.argb).toBe('FFFFF2CC')
    expect(detail.getCell(2, 9).numFmt).toBe('#,##0.00')
    expect(wb.SheetNames).toEqual(['总览', '乡镇排名', '开发区排名', '县直部门排名', '项目明细', '问题台账', '督办', '通报事项'])
    // the round trip: the exported 项目明细 imports as unchanged
    const back = await upload(new Uint8Array(XLSX.write(wb, { type: 'array', bookType: 'xlsx' }) as ArrayBuffer))
    expect(await back.json()).toMatchObject({ created: 0, updated: 0, unchanged: 3, errors: [] })
    expect((await app.request('/api/export?period=2026-13', { headers: auth })).status).toBe(400)

    const cfg = await app.request('/api/config', {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ key: 'rules.monthlyOpenDay', value: 40 }),
    })
    expect(cfg.status).toBe(400)
    expect((await cfg.json()).error).toContain('rules.monthlyOpenDay')

    // mounted by the app only with a token
    const deps = { db: d.db, schemaVersion: 1, logger: silentLogger, now: () => NOW, channels: [] }
    expect((await createApp(deps).request('/api/export?period=2026-11')).status).toBe(404)
    process.env.DIAODU_ADMIN_TOKEN = TOKEN
    try {
      expect((await createApp(deps).request('/api/export?period=2026-11')).status).toBe(401)
      expect((await createApp(deps).request('/api/export?period=2026-11', { headers: auth })).status).toBe(200)
    } finally {
      delete process.env.DIAODU_ADMIN_TOKEN
    }
  })
})
