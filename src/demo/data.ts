/**
 * The fictional 示例县 (demo county) as data: its units, shaped like the Shanxi counties of the seeds
 * (lingchuan-2021's 指挥部 members, lingchuan-2025's 项目攻坚专班, qinshui-2024's 专班 leads), its 分指挥部 with their
 * 主管部门, and the projects each kind of unit builds, each with the sector and the 主管部门 that fit it. Nothing
 * here is a real place or person: the townships are made up and the people are drawn from common names.
 */
import type { League, Sector } from '../store/schema.ts'

export const DEMO_COUNTY = '示例县'
/** The demo county's dispatch office, as every card names it (the `county` setting's `office`). */
export const DEMO_OFFICE = '县重点项目建设指挥部办公室'

/** How big a project is: L = a 重大项目 (年度计划 5000万 and more), M = 亿元级 total or a sizeable plan, S = the many small ones. */
export type Size = 'L' | 'M' | 'S'

/**
 * One project of a unit's list. `name` is the whole name, or with `{u}` where the unit's (township's) name goes;
 * `competent` is the 主管部门 of a township's or the zone's project (a department's own project answers to
 * itself); `livelihood` marks the 民生 projects (schools, hospitals, water, heating, housing).
 */
export interface ProjectStem {
  name: string
  sector: Sector
  size: Size
  competent?: string
  livelihood?: boolean
}

export interface DemoUnit {
  code: string
  name: string
  league: League
  /** Short name shown in tight places (boards): the name without the leading 县. */
  shortName: string
  /** Head's title and how many 填报人 (联络员) the unit has. */
  headTitle: string
  contacts: number
  projects: ProjectStem[]
}

const s = (name: string, sector: Sector, size: Size, more: Partial<ProjectStem> = {}): ProjectStem => ({ name, sector, size, ...more })
const live = { livelihood: true }

/** Projects of the county seat and the larger towns, beyond what every township builds. */
const TOWN_EXTRA: Record<string, ProjectStem[]> = {
  城关镇: [
    s('{u}老旧小区改造工程', '基础设施', 'M', { competent: '县住建局', ...live }),
    s('{u}城市综合体项目', '现代服务业', 'M', { competent: '县商务局' }),
    s('{u}农贸市场提质改造项目', '现代服务业', 'S', { competent: '县商务局', ...live }),
    s('{u}第二幼儿园建设项目', '基础设施', 'S', { competent: '县教育局', ...live }),
    s('{u}城中村改造项目', '基础设施', 'M', { competent: '县住建局', ...live }),
  ],
  城东镇: [s('{u}煤层气综合利用项目', '能源', 'L', { competent: '县能源局' }), s('{u}精细化工技改项目', '工业', 'M', { competent: '县工信局' })],
  河西镇: [s('{u}铸造产业升级项目', '工业', 'M', { competent: '县工信局' }), s('{u}新型建材产业园', '工业', 'M', { competent: '县工信局' })],
  马坊镇: [s('{u}50MW风电场建设项目', '能源', 'L', { competent: '县能源局' })],
}

/** What a township builds: a pick of these, by the township's place in the list. */
const TOWN_STEMS: ProjectStem[] = [
  s('{u}高标准农田建设项目', '乡村振兴', 'S', { competent: '县农业农村局' }),
  s('{u}中心学校教学综合楼建设项目', '基础设施', 'S', { competent: '县教育局', ...live }),
  s('{u}卫生院改扩建项目', '基础设施', 'S', { competent: '县卫体局', ...live }),
  s('{u}农村供水管网改造工程', '基础设施', 'S', { competent: '县水务局', ...live }),
  s('{u}中药材种植加工基地', '乡村振兴', 'S', { competent: '县农业农村局' }),
  s('{u}乡村旅游示范村建设项目', '文旅康养', 'S', { competent: '县文旅局' }),
  s('{u}分布式光伏发电项目', '能源', 'S', { competent: '县能源局' }),
  s('{u}农村人居环境整治项目', '乡村振兴', 'S', { competent: '县农业农村局', ...live }),
  s('{u}杂粮加工产业园', '乡村振兴', 'S', { competent: '县农业农村局' }),
  s('{u}集镇道路提升改造工程', '基础设施', 'S', { competent: '县交通运输局' }),
  s('{u}冷链物流仓储项目', '现代服务业', 'S', { competent: '县商务局' }),
  s('{u}肉牛标准化养殖基地', '乡村振兴', 'S', { competent: '县农业农村局' }),
  s('{u}采煤沉陷区综合治理项目', '基础设施', 'S', { competent: '县自然资源局', ...live }),
  s('{u}康养民宿集群项目', '文旅康养', 'S', { competent: '县文旅局' }),
]

const TOWNSHIPS = ['城关镇', '城东镇', '河西镇', '南岭镇', '北塬乡', '石门乡', '柳林镇', '青龙乡', '白水镇', '东坡乡', '马坊镇', '杏花乡']

function townProjects(name: string, i: number): ProjectStem[] {
  const count = name === '城关镇' ? 3 : i < 4 ? 4 : 5
  const picks = Array.from({ length: count }, (_, k) => TOWN_STEMS[(i * 5 + k * 3) % TOWN_STEMS.length]!)
  return [...(TOWN_EXTRA[name] ?? []), ...new Set(picks)]
}

/** The 转型综改示范区's list: industry 招商 brings in, its 园区 and its logistics. */
const ZONE_PROJECTS: ProjectStem[] = [
  s('年产10万吨新型建材项目', '工业', 'L', { competent: '县工信局' }),
  s('装备制造产业园一期', '工业', 'L', { competent: '县工信局' }),
  s('年产5000吨新材料生产线建设项目', '工业', 'M', { competent: '县工信局' }),
  s('精密铸件智能化改造项目', '工业', 'M', { competent: '县工信局' }),
  s('高端煤机配件生产项目', '工业', 'S', { competent: '县工信局' }),
  s('农副产品精深加工项目', '工业', 'S', { competent: '县工信局' }),
  s('医药中间体生产项目', '工业', 'M', { competent: '县工信局' }),
  s('标准化厂房建设项目（二期）', '工业', 'M', { competent: '县工信局' }),
  s('大数据中心建设项目', '数字经济', 'L', { competent: '县工信局' }),
  s('电子信息产业园', '数字经济', 'M', { competent: '县工信局' }),
  s('工业互联网平台建设项目', '数字经济', 'S', { competent: '县工信局' }),
  s('100MW光伏发电项目', '能源', 'L', { competent: '县能源局' }),
  s('储能电站项目', '能源', 'L', { competent: '县能源局' }),
  s('氢能综合利用示范项目', '能源', 'M', { competent: '县能源局' }),
  s('商贸物流园', '现代服务业', 'M', { competent: '县商务局' }),
  s('电商产业园', '现代服务业', 'S', { competent: '县商务局' }),
  s('园区污水处理及中水回用工程', '基础设施', 'S', { competent: '县住建局' }),
  s('园区道路及管网配套工程', '基础设施', 'M', { competent: '县住建局' }),
  s('冰雪运动小镇项目', '文旅康养', 'L', { competent: '县文旅局' }),
  s('温泉康养度假区项目', '文旅康养', 'M', { competent: '县文旅局' }),
]

/** The county departments and companies with projects, each with its own list (a department answers for its own). */
const DEPARTMENTS: { name: string; contacts?: number; headTitle?: string; projects: ProjectStem[] }[] = [
  {
    name: '县发改局',
    projects: [s('县城新型城镇化补短板项目', '基础设施', 'M', live), s('以工代赈示范工程', '乡村振兴', 'S', live)],
  },
  {
    name: '县工信局',
    projects: [s('县中小企业创业园建设项目', '工业', 'S'), s('县5G基站补盲工程', '数字经济', 'S'), s('县智慧城市一期', '数字经济', 'M')],
  },
  {
    name: '县住建局',
    contacts: 2,
    projects: [
      s('城东污水处理厂', '基础设施', 'L', live),
      s('县城集中供热扩建工程', '基础设施', 'L', live),
      s('县城燃气管网改造工程', '基础设施', 'M', live),
      s('县城雨污分流改造工程', '基础设施', 'M', live),
      s('保障性租赁住房建设项目', '基础设施', 'M', live),
      s('城区道路改造工程', '基础设施', 'S', live),
      s('县城老旧供水管网改造工程', '基础设施', 'S', live),
    ],
  },
  {
    name: '县交通运输局',
    contacts: 2,
    projects: [
      s('国道改线工程', '基础设施', 'L'),
      s('农村公路提质改造工程', '基础设施', 'L', live),
      s('县城客运综合枢纽站项目', '基础设施', 'S', live),
      s('旅游公路建设项目', '文旅康养', 'M'),
      s('县乡道安全生命防护工程', '基础设施', 'S', live),
    ],
  },
  { name: '县公路段', projects: [s('省道改建工程（示例段）', '基础设施', 'L'), s('国省干线大中修工程', '基础设施', 'S')] },
  {
    name: '县水务局',
    contacts: 2,
    projects: [
      s('城乡供水一体化工程', '基础设施', 'L', live),
      s('农村供水保障工程', '基础设施', 'S', live),
      s('水库除险加固工程', '基础设施', 'M', live),
      s('河道综合治理工程', '基础设施', 'M', live),
      s('中型灌区续建配套与节水改造项目', '乡村振兴', 'M'),
      s('县城第二水源地建设工程', '基础设施', 'M', live),
    ],
  },
  {
    name: '县农业农村局',
    projects: [
      s('县高标准农田建设项目（整县推进）', '乡村振兴', 'M'),
      s('农产品产地冷藏保鲜设施项目', '乡村振兴', 'S'),
      s('现代农业产业园', '乡村振兴', 'M'),
      s('农村生活污水治理项目', '乡村振兴', 'S', live),
    ],
  },
  {
    name: '县文旅局',
    projects: [
      s('太行山景区提质升级工程', '文旅康养', 'L'),
      s('红色文化旅游区', '文旅康养', 'M'),
      s('全域旅游集散中心', '文旅康养', 'S'),
      s('县博物馆提升改造项目', '文旅康养', 'S', live),
    ],
  },
  { name: '县商务局', projects: [s('县域商业体系建设项目', '现代服务业', 'S'), s('县城电商物流配送中心', '现代服务业', 'S')] },
  {
    name: '县能源局',
    projects: [s('天然气长输管线工程', '能源', 'L'), s('县城充电基础设施建设项目', '能源', 'S', live), s('乡村清洁取暖改造项目', '能源', 'M', live)],
  },
  {
    name: '县自然资源局',
    projects: [
      s('全域土地综合整治项目', '乡村振兴', 'M'),
      s('历史遗留矿山生态修复工程', '基础设施', 'M'),
      s('实景三维示例县建设项目', '数字经济', 'S'),
    ],
  },
  {
    name: '县林业局',
    projects: [s('国土绿化示范项目', '乡村振兴', 'S'), s('森林草原防火应急道路工程', '基础设施', 'S'), s('干果经济林提质增效项目', '乡村振兴', 'S')],
  },
  {
    name: '县生态环境分局',
    headTitle: '分局局长',
    projects: [s('县城大气污染综合治理项目', '基础设施', 'S', live), s('重点河流水生态保护修复工程', '基础设施', 'S', live)],
  },
  { name: '县应急局', projects: [s('县应急物资储备库建设项目', '基础设施', 'S', live), s('自然灾害综合监测预警系统', '数字经济', 'S', live)] },
  {
    name: '县卫体局',
    contacts: 2,
    projects: [
      s('县人民医院新院区建设项目', '基础设施', 'L', live),
      s('县中医院门急诊综合楼', '基础设施', 'M', live),
      s('县疾控中心业务楼建设项目', '基础设施', 'S', live),
      s('乡镇卫生院标准化建设项目', '基础设施', 'S', live),
      s('全民健身中心建设项目', '文旅康养', 'S', live),
    ],
  },
  {
    name: '县教育局',
    contacts: 2,
    projects: [
      s('县第一中学新校区建设项目', '基础设施', 'L', live),
      s('县实验小学扩建工程', '基础设施', 'S', live),
      s('县职业中学实训楼建设项目', '基础设施', 'S', live),
      s('农村寄宿制学校改造项目', '基础设施', 'S', live),
      s('城区公办幼儿园建设项目', '基础设施', 'S', live),
    ],
  },
  { name: '县行政审批局', projects: [s('政务服务中心智慧审批改造项目', '数字经济', 'S')] },
  {
    name: '县投资促进中心',
    headTitle: '主任',
    projects: [s('飞地经济产业园项目', '工业', 'M'), s('总部经济楼宇项目', '现代服务业', 'S')],
  },
  {
    name: '县项目推进中心',
    headTitle: '主任',
    projects: [
      s('县市民中心建设项目', '现代服务业', 'M', live),
      s('县档案馆迁建项目', '基础设施', 'S', live),
      s('县体育场改造项目', '文旅康养', 'S', live),
    ],
  },
  {
    name: '县城投公司',
    headTitle: '董事长',
    contacts: 2,
    projects: [
      s('城西片区棚户区改造项目', '基础设施', 'L', live),
      s('县城停车场建设项目', '基础设施', 'S', live),
      s('滨河公园建设项目', '基础设施', 'S', live),
      s('城市更新示范片区项目', '基础设施', 'L', live),
    ],
  },
  {
    name: '县国投公司',
    headTitle: '董事长',
    projects: [s('县城地下综合管廊工程', '基础设施', 'M', live), s('集中式光伏电站项目', '能源', 'M'), s('文化产业园项目', '文旅康养', 'S')],
  },
  {
    name: '县农投公司',
    headTitle: '董事长',
    projects: [s('农产品加工物流园', '乡村振兴', 'M'), s('连翘种植加工一体化项目', '乡村振兴', 'S'), s('食用菌产业园', '乡村振兴', 'S')],
  },
  { name: '县供电公司', headTitle: '经理', projects: [s('110千伏输变电工程', '能源', 'M'), s('农村电网巩固提升工程', '能源', 'S', live)] },
]

export const DEMO_UNITS: DemoUnit[] = [
  ...TOWNSHIPS.map((name, i) => ({
    code: `XZ${String(i + 1).padStart(2, '0')}`,
    name,
    league: '乡镇' as const,
    shortName: name,
    headTitle: name.endsWith('乡') ? '乡长' : '镇长',
    contacts: 2,
    projects: townProjects(name, i),
  })),
  { code: 'KF01', name: '转型综改示范区', league: '开发区', shortName: '示范区', headTitle: '管委会主任', contacts: 3, projects: ZONE_PROJECTS },
  ...DEPARTMENTS.map((d, i) => ({
    code: `BM${String(i + 1).padStart(2, '0')}`,
    name: d.name,
    league: '县直部门' as const,
    shortName: d.name.replace(/^县/, ''),
    headTitle: d.headTitle ?? '局长',
    contacts: d.contacts ?? 1,
    projects: d.projects,
  })),
]

/**
 * Members of the 指挥部 without projects of their own (lingchuan-2021 / qinshui-2024): the 督查室 runs 督办 beside
 * the office, the 统计局 the 入库纳统专班. They are people with a title, not units: a unit with no project would
 * sit at the top of its league's 赛马 board with full marks on every indicator.
 */
export const MEMBERS_WITHOUT_PROJECTS: { title: string; office: boolean }[] = [
  { title: '县委县政府督查室主任', office: true },
  { title: '县统计局局长', office: false },
  { title: '县财政局局长', office: false },
]

/**
 * Each 分指挥部's 主管部门 (its head is the 副指挥长 and one of its contacts the 总联络人). As lingchuan-2021 pairs
 * them, 工业 and 数字经济 share the 工信局.
 */
export const SECTOR_DEPARTMENTS: Record<Sector, string> = {
  工业: '县工信局',
  数字经济: '县工信局',
  能源: '县能源局',
  文旅康养: '县文旅局',
  乡村振兴: '县农业农村局',
  现代服务业: '县商务局',
  基础设施: '县住建局',
}

/** The 副县长 (指挥长) and their sectors, grouped as lingchuan-2021 groups its 分指挥部. */
export const LEADER_SECTORS: Sector[][] = [['工业', '数字经济'], ['能源', '现代服务业', '基础设施'], ['文旅康养'], ['乡村振兴']]

export const SURNAMES =
  '王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段漕钱汤尹黎易常武乔贺赖龚文'
export const GIVEN = [
  '伟',
  '芳',
  '娜',
  '敏',
  '静',
  '丽',
  '强',
  '磊',
  '军',
  '洋',
  '勇',
  '艳',
  '杰',
  '娟',
  '涛',
  '明',
  '超',
  '秀英',
  '霞',
  '平',
  '刚',
  '桂英',
  '建华',
  '志强',
  '海燕',
  '晓东',
  '红梅',
  '国庆',
  '春生',
  '玉兰',
]

/** Problems a report raises, with the department the office hands each to (交办). */
export const PROBLEM_TEXTS: { text: string; unit: string }[] = [
  { text: '林地手续未批', unit: '县林业局' },
  { text: '土地征收补偿协议未签完', unit: '县自然资源局' },
  { text: '环评批复待取得', unit: '县生态环境分局' },
  { text: '配套资金未到位，资金缺口较大', unit: '县发改局' },
  { text: '施工用电线路未接通', unit: '县供电公司' },
  { text: '规划许可办理滞后', unit: '县行政审批局' },
  { text: '个别群众阻工', unit: '县应急局' },
  { text: '砂石料供应紧张', unit: '县自然资源局' },
  { text: '能评手续正在办理', unit: '县能源局' },
  { text: '水土保持方案待审批', unit: '县水务局' },
  { text: '施工许可证未办理', unit: '县行政审批局' },
  { text: '用地指标未落实', unit: '县自然资源局' },
]

/** What a unit writes when it asks to close a problem, and the office's progress notes. */
export const PROBLEM_PROGRESS = ['已召开专题协调会，明确办理时限', '材料已上报，正在审查', '已现场对接，正在推进']
export const PROBLEM_CLOSED = ['手续已办结，项目正常施工', '已协调解决，企业已确认', '已签订协议，障碍已清除']

/** 形象进度 by how far a project has come. */
export const PROGRESS_TEXTS = {
  before: ['前期手续办理中', '施工图设计审查中', '招投标准备中'],
  early: ['场地平整完成', '土方开挖完成', '基础施工中'],
  middle: ['主体结构施工', '主体封顶', '管网铺设中'],
  late: ['设备安装调试', '装饰装修阶段', '附属工程施工'],
}
