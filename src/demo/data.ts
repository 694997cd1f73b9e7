/** The fictional 示例县 (demo county): names only, as data. Nothing here is a real place or person. */
import type { League, Sector } from '../store/schema.ts'

export const DEMO_COUNTY = '示例县'
/** The demo county's dispatch office, as every card names it (the `county` setting's `office`). */
export const DEMO_OFFICE = '县重点项目建设指挥部办公室'

export const DEMO_UNITS: { code: string; name: string; league: League }[] = [
  ...['城关镇', '城东镇', '河西镇', '南岭镇', '北塬乡', '石门乡', '柳林镇', '青龙乡', '白水镇', '东坡乡', '马坊镇', '杏花乡'].map((name, i) => ({
    code: `XZ${String(i + 1).padStart(2, '0')}`,
    name,
    league: '乡镇' as const,
  })),
  { code: 'KF01', name: '转型综改示范区', league: '开发区' },
  ...[
    '县发改局',
    '县工信局',
    '县住建局',
    '县交通运输局',
    '县水利局',
    '县农业农村局',
    '县文旅局',
    '县商务局',
    '县能源局',
    '县自然资源局',
    '县卫健局',
    '县教育局',
    '县行政审批局',
    '县乡村振兴局',
    '县科技局',
    '县城投公司',
  ].map((name, i) => ({ code: `BM${String(i + 1).padStart(2, '0')}`, name, league: '县直部门' as const })),
]

/** Each 分指挥部's 主管部门 (its head is the 副指挥长). */
export const SECTOR_DEPARTMENTS: Record<Sector, string> = {
  工业: '县工信局',
  数字经济: '县科技局',
  能源: '县能源局',
  文旅康养: '县文旅局',
  乡村振兴: '县乡村振兴局',
  现代服务业: '县商务局',
  基础设施: '县住建局',
}

/** Project name stems per sector; a place or unit name is put in front. */
export const PROJECT_STEMS: Record<Sector, string[]> = {
  工业: ['年产10万吨新型建材项目', '装备制造产业园', '精细化工技改项目', '铸造产业升级项目', '新材料生产线建设项目'],
  数字经济: ['大数据中心建设项目', '5G基站补盲工程', '智慧城市一期', '数字农业示范园', '电子信息产业园'],
  能源: ['100MW光伏发电项目', '风电场建设项目', '天然气管网工程', '储能电站项目', '煤层气综合利用项目'],
  文旅康养: ['景区提质升级工程', '康养小镇建设项目', '红色文化旅游区', '温泉度假区项目', '全域旅游集散中心'],
  乡村振兴: ['高标准农田建设项目', '农村人居环境整治项目', '中药材种植加工基地', '冷链物流仓储项目', '特色小米产业园'],
  现代服务业: ['商贸物流园', '城市综合体项目', '职业技能培训中心', '农产品交易市场', '电商产业园'],
  基础设施: ['城东污水处理厂', '县城集中供热扩建工程', '国道改线工程', '水库除险加固工程', '城区道路改造工程', '农村供水保障工程'],
}

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

export const PROBLEM_TEXTS = [
  '林地手续未批',
  '土地征收补偿协议未签完',
  '环评批复待取得',
  '资金缺口较大，配套资金未到位',
  '施工用电线路未接通',
  '规划许可办理滞后',
  '个别群众阻工',
  '砂石料供应紧张',
  '能评手续正在办理',
  '水土保持方案待审批',
]

export const PROGRESS_TEXTS = [
  '土方开挖完成',
  '基础施工中',
  '主体结构施工',
  '主体封顶',
  '设备安装调试',
  '装饰装修阶段',
  '前期手续办理中',
  '场地平整完成',
]
