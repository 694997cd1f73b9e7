/**
 * The columns of the three import sheets (项目, 单位, 人员): the template's header, the names real sheets use for
 * it, and how a header is normalised before it is compared (spaces, line breaks, full-width brackets, a year
 * before 计划投资, the amount unit in brackets).
 */
import { normalizeWidth } from '../../domain/parse/numbers.ts'
import type { Role } from '../../store/schema.ts'

export type AmountUnit = '元' | '万元' | '亿元'

export interface ColumnDef<K extends string = string> {
  key: K
  /** The template's header (with its unit). */
  header: string
  /** Normalised names that mean this column. */
  names: readonly string[]
  amount?: boolean
  date?: boolean
  /** A note for the template's header comment. */
  note?: string
}

export const PROJECT_COLUMNS = [
  { key: 'code', header: '编号', names: ['编号', '项目编号', '项目代码', '代码', '项目编码'] },
  { key: 'name', header: '名称', names: ['名称', '项目名称', '项目', '项目名', '建设项目', '项目名称及建设内容'] },
  {
    key: 'unit',
    header: '责任单位',
    names: ['责任单位', '承建单位', '建设单位', '牵头单位', '实施单位', '责任主体', '项目单位', '业主单位', '牵头责任单位'],
  },
  { key: 'dept', header: '主管部门', names: ['主管部门', '行业主管部门', '县直主管部门'] },
  {
    key: 'leader',
    header: '包联领导',
    names: ['包联领导', '包联县领导', '包抓领导', '包抓县领导', '县级包联领导', '分管县领导', '联系县领导', '包保领导', '包保县领导'],
  },
  { key: 'contact', header: '联系人', names: ['联系人', '项目联系人', '填报人', '联络员', '项目联络员'], note: '多人用 、 或 , 分隔' },
  {
    key: 'mobile',
    header: '联系人手机',
    names: ['联系人手机', '联系人手机号', '手机', '手机号', '手机号码', '联系电话', '联系方式', '电话'],
    note: '多人用 、 或 , 分隔，与联系人一一对应',
  },
  {
    key: 'sector',
    header: '分指挥部/领域',
    names: ['分指挥部/领域', '分指挥部', '领域', '所属领域', '行业领域', '所属分指挥部', '产业类别', '项目类别'],
  },
  { key: 'level', header: '级别', names: ['级别', '项目级别', '重点级别', '项目层级'] },
  { key: 'nature', header: '建设性质', names: ['建设性质', '性质', '新建/续建', '新建续建'] },
  { key: 'stage', header: '阶段', names: ['阶段', '项目阶段', '建设阶段', '推进阶段'] },
  { key: 'total', header: '总投资(万元)', names: ['总投资', '计划总投资', '项目总投资', '总投资额'], amount: true },
  {
    key: 'annual',
    header: '年度计划投资(万元)',
    names: ['年度计划投资', '年度计划', '计划投资', '年度投资计划', '本年计划投资', '当年计划投资', '年计划投资', '年度计划完成投资'],
    amount: true,
  },
  { key: 'start', header: '计划开工', names: ['计划开工', '计划开工时间', '计划开工日期', '开工时间', '开工日期'], date: true },
  {
    key: 'finish',
    header: '计划竣工',
    names: ['计划竣工', '计划竣工时间', '计划竣工日期', '竣工时间', '竣工日期', '计划完工时间', '完工时间'],
    date: true,
  },
  { key: 'weekly', header: '是否周调度', names: ['是否周调度', '周调度', '是否重点调度'] },
] as const satisfies readonly ColumnDef[]

export const UNIT_COLUMNS = [
  { key: 'name', header: '名称', names: ['名称', '单位名称', '单位'] },
  { key: 'league', header: '类别', names: ['类别', '单位类别', '赛道', '联赛', '分组', '类型'], note: '乡镇 / 开发区 / 县直部门' },
  { key: 'head', header: '负责人', names: ['负责人', '单位负责人', '主要负责人'] },
  { key: 'headMobile', header: '负责人手机', names: ['负责人手机', '负责人手机号', '负责人电话'] },
] as const satisfies readonly ColumnDef[]

export const PERSON_COLUMNS = [
  { key: 'name', header: '姓名', names: ['姓名', '名字', '人员'] },
  { key: 'mobile', header: '手机', names: ['手机', '手机号', '手机号码', '联系电话', '电话'] },
  { key: 'title', header: '职务', names: ['职务', '职位'] },
  { key: 'unit', header: '单位', names: ['单位', '所在单位', '工作单位', '单位名称'] },
  { key: 'roles', header: '角色', names: ['角色', '身份'], note: '填报人 / 单位负责人 / 县领导 / 指挥部办公室 / 常务副县长 / 县长，多个用 、 分隔' },
] as const satisfies readonly ColumnDef[]

export type ProjectKey = (typeof PROJECT_COLUMNS)[number]['key']
export type UnitKey = (typeof UNIT_COLUMNS)[number]['key']
export type PersonKey = (typeof PERSON_COLUMNS)[number]['key']

export const ROLE_WORDS: Readonly<Record<string, Role>> = {
  填报人: 'contact',
  联系人: 'contact',
  联络员: 'contact',
  单位负责人: 'unit_head',
  负责人: 'unit_head',
  县领导: 'leader',
  包联领导: 'leader',
  领导: 'leader',
  指挥部办公室: 'office',
  办公室: 'office',
  常务副县长: 'executive',
  县长: 'county_head',
}
export const ROLE_LABELS = {
  contact: '填报人',
  unit_head: '单位负责人',
  leader: '县领导',
  office: '指挥部办公室',
  executive: '常务副县长',
  county_head: '县长',
} as const satisfies Record<Role, string>

export interface HeaderInfo {
  /** The name to compare with `names`. */
  name: string
  unit: AmountUnit | null
  /** A year written in the header (2026年计划投资). */
  year: number | null
}

/** '2026年计划投资\n（万元）' → { name: '计划投资', unit: '万元', year: 2026 }. */
export function headerInfo(text: string): HeaderInfo {
  let s = normalizeWidth(text).replace(/\s+/g, '').replace(/[*※★]/g, '').replace(/，/g, ',')
  let unit: AmountUnit | null = null
  const u = /[(\[【]?(?:单位[:：]?)?(万元|亿元|元)[)\]】]?$/.exec(s)
  if (u) {
    unit = u[1] as AmountUnit
    s = s.slice(0, u.index)
  }
  let year: number | null = null
  const y = /^(20\d\d)年(?:度)?/.exec(s)
  if (y) {
    year = Number(y[1])
    s = s.slice(y[0].length)
    if (/^计划投资|^投资计划|^计划$/.test(s) || s === '') s = '年度计划投资'
  }
  s = s.replace(/[()（）]/g, '')
  return { name: s, unit, year }
}

/** The column `text` names among `defs`, or null. */
export function columnOf<D extends ColumnDef>(defs: readonly D[], text: string): D | null {
  const { name } = headerInfo(text)
  if (!name) return null
  for (const d of defs) if (d.names.includes(name) || headerInfo(d.header).name === name) return d
  return null
}
