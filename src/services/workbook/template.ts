/**
 * The import template (项目清单模板.xlsx): sheets 项目, 单位, 人员 and 说明, with drop-downs (data validation lists),
 * frozen bold headers and a grey example row per sheet that the import skips (its first cell starts with 【示例】).
 */
import { Workbook, type Worksheet } from '@cj-tech-master/excelts'
import { LEAGUES, LEVELS, SECTORS, STAGES } from '../../store/schema.ts'
import { PERSON_COLUMNS, PROJECT_COLUMNS, ROLE_LABELS, UNIT_COLUMNS, type ColumnDef } from './columns.ts'

export const EXAMPLE_MARK = '【示例】'
/** Rows the drop-downs cover. */
const ROWS = 2000

const WIDTHS: Record<string, number> = {
  name: 34,
  unit: 18,
  dept: 16,
  leader: 12,
  contact: 16,
  mobile: 26,
  sector: 14,
  total: 16,
  annual: 18,
  start: 12,
  finish: 12,
  weekly: 12,
}

function sheet(wb: Workbook, name: string, defs: readonly ColumnDef[], example: (string | number | Date | null)[]): Worksheet {
  const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] })
  ws.columns = defs.map((d) => ({ header: d.header, key: d.key, width: WIDTHS[d.key] ?? Math.max(10, d.header.length * 2 + 4) }))
  const head = ws.getRow(1)
  head.font = { bold: true }
  head.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true }
  head.height = 24
  defs.forEach((d, i) => {
    const cell = head.getCell(i + 1)
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDDEBF7' } }
    if (d.note) cell.note = d.note
  })
  const row = ws.addRow(example)
  row.font = { italic: true, color: { argb: 'FF808080' } }
  defs.forEach((d, i) => {
    if (d.amount) ws.getColumn(i + 1).numFmt = '#,##0.00'
    if (d.date) ws.getColumn(i + 1).numFmt = 'yyyy-mm-dd'
  })
  return ws
}

function list(ws: Worksheet, defs: readonly ColumnDef[], key: string, formula: string, prompt: string) {
  const i = defs.findIndex((d) => d.key === key)
  const col = columnLetter(i + 1)
  ws.dataValidations.add(`${col}2:${col}${ROWS}`, {
    type: 'list',
    allowBlank: true,
    formulae: [formula],
    showErrorMessage: true,
    errorStyle: 'warning',
    errorTitle: defs[i]!.header,
    error: `请从下拉列表中选择：${prompt}`,
  })
}

const quoted = (values: readonly string[]) => `"${values.join(',')}"`

function columnLetter(n: number): string {
  let s = ''
  for (; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s
  return s
}

/** The template as .xlsx bytes. */
export async function templateWorkbook(year: number): Promise<Uint8Array> {
  const wb = new Workbook()
  wb.creator = '调度助手 Diaodu'
  const at = (m: number, d: number) => new Date(Date.UTC(year, m - 1, d))
  const projects = sheet(wb, '项目', PROJECT_COLUMNS, [
    `${EXAMPLE_MARK}XM${year}-001`,
    '城关镇污水处理厂提标改造工程',
    '城关镇',
    '县住房和城乡建设局',
    '李明',
    '王芳、赵强',
    '13900000003、13900000004',
    '基础设施',
    '县重点',
    '新建',
    '新开工',
    12000,
    4000,
    at(3, 1),
    at(12, 31),
    '否',
  ])
  list(projects, PROJECT_COLUMNS, 'unit', '单位!$A$2:$A$2000', '「单位」表中的单位')
  list(projects, PROJECT_COLUMNS, 'dept', '单位!$A$2:$A$2000', '「单位」表中的单位')
  list(projects, PROJECT_COLUMNS, 'sector', quoted(SECTORS), SECTORS.join(' / '))
  list(projects, PROJECT_COLUMNS, 'level', quoted(LEVELS), LEVELS.join(' / '))
  list(projects, PROJECT_COLUMNS, 'nature', quoted(['新建', '续建']), '新建 / 续建')
  list(projects, PROJECT_COLUMNS, 'stage', quoted(STAGES), STAGES.join(' / '))
  list(projects, PROJECT_COLUMNS, 'weekly', quoted(['是', '否']), '是 / 否')

  const units = sheet(wb, '单位', UNIT_COLUMNS, [`${EXAMPLE_MARK}城关镇`, '乡镇', '张伟', '13900000001'])
  list(units, UNIT_COLUMNS, 'league', quoted(LEAGUES), LEAGUES.join(' / '))

  const roles = Object.values(ROLE_LABELS)
  const persons = sheet(wb, '人员', PERSON_COLUMNS, [`${EXAMPLE_MARK}王芳`, '13900000003', '项目联络员', '城关镇', '填报人'])
  list(persons, PERSON_COLUMNS, 'unit', '单位!$A$2:$A$2000', '「单位」表中的单位')
  list(persons, PERSON_COLUMNS, 'roles', quoted(roles), roles.join(' / '))

  const help = wb.addWorksheet('说明')
  help.getColumn(1).width = 100
  const lines = [
    '调度助手 项目清单模板 使用说明',
    '1. 「项目」「单位」「人员」三张表均可只填需要的部分；导入命令：diaodu import 文件.xlsx（先加 --dry-run 试导入）。',
    `2. 灰色斜体的第 2 行是示例（以${EXAMPLE_MARK}开头），导入时忽略，可删除或覆盖。`,
    '3. 金额单位为万元（表头可改写为「（亿元）」或「（元）」，单元格也可写 4000万元、1.2亿元）；日期可写 2026-03-15、2026年3月 或 2026.03。',
    '4. 联系人与联系人手机可填多人，用 、 或 , 分隔，两列一一对应；名册中没有的联系人须填写手机号。',
    '5. 责任单位、主管部门不在「单位」表中时，能从名称判断类别的（××镇、××乡、××开发区、××局）自动创建，其余请先在「单位」表中填写。',
    '6. 同一文件重复导入不会产生重复数据；修改某一单元格后再导入，只更新该字段，并记入审计日志。',
  ]
  lines.forEach((l, i) => (help.getCell(i + 1, 1).value = l))
  help.getCell(1, 1).font = { bold: true, size: 14 }
  const buf = await wb.xlsx.writeBuffer({ validate: false })
  return new Uint8Array(buf)
}
