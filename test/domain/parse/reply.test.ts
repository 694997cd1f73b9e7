import { describe, expect, it } from 'vitest'
import { parseMessage, understandMessage } from '../../../src/domain/parse/index.ts'
import type { ParsedMessage, ReplyField } from '../../../src/domain/parse/index.ts'
import { parseReply, splitProblems } from '../../../src/domain/parse/reply.ts'

/** The exact JSON of `diaodu parse` for a report (investments in 万元). */
const report = (
  periodInvestment: number | null,
  ytdInvestment: number | null,
  progressPercent: number | null,
  problems: string[] = [],
): ParsedMessage => ({
  intent: 'report',
  periodInvestment,
  ytdInvestment,
  progressPercent,
  problems,
  command: null,
  args: {},
})

/** The richer fields the bot uses, for the same text. */
interface Rich {
  progressText: string | null
  noProblems: boolean
  periodWord: string | null
  ytdThroughMonth: number | null
  missing: ReplyField[]
}
const rich = (
  progressText: string | null,
  noProblems: boolean,
  periodWord: string | null,
  ytdThroughMonth: number | null,
  missing: ReplyField[],
): Rich => ({
  progressText,
  noProblems,
  periodWord,
  ytdThroughMonth,
  missing,
})

const cases: Array<[string, ParsedMessage, Rich]> = [
  // the canonical reply
  [
    '本月完成投资1200万元，本年累计8600万元，主体封顶，问题：林地手续未批',
    report(1200, 8600, null, ['林地手续未批']),
    rich('主体封顶', false, '本月', null, []),
  ],
  ['1-10月累计完成投资3.2亿元', report(null, 32000, null), rich(null, false, null, 10, ['periodInvestment', 'progress', 'problems'])],
  ['本月完成投资：壹仟贰佰万元', report(1200, null, null), rich(null, false, '本月', null, ['ytdInvestment', 'progress', 'problems'])],
  ['累计8600万，形象进度65%，暂无问题', report(null, 8600, 65), rich(null, true, null, null, ['periodInvestment'])],
  [
    '存在问题：1.林地手续未批；2.资金缺口3000万',
    report(null, null, null, ['林地手续未批', '资金缺口3000万']),
    rich(null, false, null, null, ['periodInvestment', 'ytdInvestment', 'progress']),
  ],
  // full-width digits and punctuation, trailing 。
  ['本月完成投资１２００万元；本年累计8600万，完成总工程量的65%。', report(1200, 8600, 65), rich(null, false, '本月', null, ['problems'])],
  [
    '本月完成投资1200万元,累计8600万元,主体封顶,存在问题:林地手续未批;资金缺口3000万元',
    report(1200, 8600, null, ['林地手续未批', '资金缺口3000万元']),
    rich('主体封顶', false, '本月', null, []),
  ],
  ['本月完成投资1200万元，本年累计8600万元。形象进度：主体封顶。存在问题：无。', report(1200, 8600, null), rich('主体封顶', true, '本月', null, [])],
  // spaces instead of punctuation
  ['本月完成投资1200万元 本年累计8600万元 主体封顶 无问题', report(1200, 8600, null), rich('主体封顶', true, '本月', null, [])],
  ['本月 完成投资 1200万 主体 封顶', report(1200, null, null), rich('主体 封顶', false, '本月', null, ['ytdInvestment', 'problems'])],
  ['本月完成投资1200万元主体封顶', report(1200, null, null), rich('主体封顶', false, '本月', null, ['ytdInvestment', 'problems'])],
  // period words
  [
    '当月完成投资：伍佰万元，年度累计完成投资8600万元，形象进度：二次结构施工',
    report(500, 8600, null),
    rich('二次结构施工', false, '当月', null, ['problems']),
  ],
  [
    '本周完成投资300万元，累计完成投资2600万元，问题：林地手续未批、资金缺口3000万元',
    report(300, 2600, null, ['林地手续未批', '资金缺口3000万元']),
    rich(null, false, '本周', null, ['progress']),
  ],
  ['本旬完成投资150万元，累计1350万元，桩基施工完成80%，无', report(150, 1350, 80), rich('桩基施工完成80%', true, '本旬', null, [])],
  [
    '上月完成投资约1200余万元，截至10月底累计完成投资近1.1亿元，形象进度：二次结构施工，下步计划：加快装修',
    report(1200, 11000, null),
    rich('二次结构施工', false, '上月', 10, ['problems']),
  ],
  ['10月完成投资4000万，1-10月累计3.2亿元，主体完成65%', report(4000, 32000, 65), rich('主体完成65%', false, '10月', 10, ['problems'])],
  ['1-10月累计完成投资3.2亿元，其中10月完成4000万元', report(4000, 32000, null), rich(null, false, '10月', 10, ['progress', 'problems'])],
  [
    '1至10月累计完成投资3.2亿元，占年度计划的80%',
    report(null, 32000, null),
    rich(null, false, null, 10, ['periodInvestment', 'progress', 'problems']),
  ],
  ['1—10月完成投资3.2亿', report(null, 32000, null), rich(null, false, null, 10, ['periodInvestment', 'progress', 'problems'])],
  ['今年累计完成1.2亿', report(null, 12000, null), rich(null, false, null, null, ['periodInvestment', 'progress', 'problems'])],
  ['2026年10月完成投资1200万元，全年累计完成8600万元', report(1200, 8600, null), rich(null, false, '10月', null, ['progress', 'problems'])],
  // bare numbers after investment keywords are 万元; 元 stays 元
  [
    '本月完成投资1200，累计8600，形象进度：钢结构安装，存在困难：①电力接入滞后②用工紧张',
    report(1200, 8600, null, ['电力接入滞后', '用工紧张']),
    rich('钢结构安装', false, '本月', null, []),
  ],
  ['本月完成投资5000000元', report(500, null, null), rich(null, false, '本月', null, ['ytdInvestment', 'progress', 'problems'])],
  ['本月完成投资 1,234.5万元', report(1234.5, null, null), rich(null, false, '本月', null, ['ytdInvestment', 'progress', 'problems'])],
  ['本月完成投资一千二百万，累计完成投资八千六百万', report(1200, 8600, null), rich(null, false, '本月', null, ['progress', 'problems'])],
  ['本月完成投资近千万元', report(1000, null, null), rich(null, false, '本月', null, ['ytdInvestment', 'progress', 'problems'])],
  // amounts that are not this period's or this year's
  [
    '项目总投资5亿元，本月完成投资800万元，其中设备投资300万元，开工以来累计完成2.1亿元，本年累计9600万元',
    report(800, 9600, null),
    rich(null, false, '本月', null, ['progress', 'problems']),
  ],
  ['本月完成5万方土方，投资200万元', report(200, null, null), rich('本月完成5万方土方', false, '本月', null, ['ytdInvestment', 'problems'])],
  [
    '累计完成年度计划的72%，本年累计完成8600万元',
    report(null, 8600, null),
    rich(null, false, null, null, ['periodInvestment', 'progress', 'problems']),
  ],
  // zero investment
  ['本月无投资，累计8600万元，项目停工待批，问题：环评未批复', report(0, 8600, null, ['环评未批复']), rich('项目停工待批', false, '本月', null, [])],
  ['本月完成投资0元，累计8600万元，问题均已解决', report(0, 8600, null), rich(null, true, '本月', null, ['progress'])],
  // problem lists in their many shapes
  [
    '形象进度达65%，本月完成投资1200万元，需协调解决电力接入问题',
    report(1200, null, 65, ['需协调解决电力接入问题']),
    rich(null, false, '本月', null, ['ytdInvestment']),
  ],
  [
    '本月完成投资1200万元。存在问题：一是林地手续未批；二是资金缺口较大。下一步：加快推进',
    report(1200, null, null, ['林地手续未批', '资金缺口较大']),
    rich(null, false, '本月', null, ['ytdInvestment', 'progress']),
  ],
  [
    '存在问题：1、林地手续未批 2、资金缺口3000万',
    report(null, null, null, ['林地手续未批', '资金缺口3000万']),
    rich(null, false, null, null, ['periodInvestment', 'ytdInvestment', 'progress']),
  ],
  [
    '困难：（1）征地拆迁滞后（2）电力增容未落实',
    report(null, null, null, ['征地拆迁滞后', '电力增容未落实']),
    rich(null, false, null, null, ['periodInvestment', 'ytdInvestment', 'progress']),
  ],
  [
    '堵点：林地指标不足',
    report(null, null, null, ['林地指标不足']),
    rich(null, false, null, null, ['periodInvestment', 'ytdInvestment', 'progress']),
  ],
  [
    '问题和困难：用工紧张；原材料涨价',
    report(null, null, null, ['用工紧张', '原材料涨价']),
    rich(null, false, null, null, ['periodInvestment', 'ytdInvestment', 'progress']),
  ],
  ['问题：无。本月完成投资1200万', report(1200, null, null), rich(null, true, '本月', null, ['ytdInvestment', 'progress'])],
  ['收到，本月完成投资1200万元，累计8600万元，无问题', report(1200, 8600, null), rich(null, true, '本月', null, ['progress'])],
  ['本月完成投资1200万元，本年累计8600万元，形象进度百分之六十五', report(1200, 8600, 65), rich(null, false, '本月', null, ['problems'])],
  [
    '本月完成投资1200万元，形象进度：完成桩基施工的80%',
    report(1200, null, 80),
    rich('完成桩基施工的80%', false, '本月', null, ['ytdInvestment', 'problems']),
  ],
  // no amounts, still a report
  ['无', report(null, null, null), rich(null, true, null, null, ['periodInvestment', 'ytdInvestment', 'progress'])],
  [
    '问题：林地手续未批',
    report(null, null, null, ['林地手续未批']),
    rich(null, false, null, null, ['periodInvestment', 'ytdInvestment', 'progress']),
  ],
  ['进展：主体封顶', report(null, null, null), rich('主体封顶', false, null, null, ['periodInvestment', 'ytdInvestment', 'problems'])],
  ['进展顺利，主体封顶', report(null, null, null), rich('进展顺利，主体封顶', false, null, null, ['periodInvestment', 'ytdInvestment', 'problems'])],
  // a labelled line with 上报 is a report, not the 填报 command
  ['上报：本月完成投资1200万', report(1200, null, null), rich(null, false, '本月', null, ['ytdInvestment', 'progress', 'problems'])],
]

describe('progress replies', () => {
  it.each(cases)('%s', (text, expected, fields) => {
    expect(parseMessage(text)).toEqual(expected)
    const r = parseReply(text)
    expect({
      progressText: r.progressText,
      noProblems: r.noProblems,
      periodWord: r.periodWord,
      ytdThroughMonth: r.ytdThroughMonth,
      missing: r.missing,
    }).toEqual(fields)
  })
})

describe('reply details the bot uses', () => {
  it('keeps amounts in whole 元 and says which period they are for', () => {
    const r = parseReply('上月完成投资1234.5678万元，1-9月累计3.2亿元')
    expect(r.periodInvestment).toBe(12_345_678)
    expect(r.period).toEqual({ word: '上月', unit: 'month', offset: -1, month: null })
    expect(r.ytdInvestment).toBe(320_000_000)
    expect(r.ytdThroughMonth).toBe(9)
    expect(parseReply('本周完成300万').period).toEqual({ word: '本周', unit: 'week', offset: 0, month: null })
    expect(parseReply('本旬完成300万').period).toEqual({ word: '本旬', unit: 'xun', offset: 0, month: null })
    expect(parseReply('10月份完成投资300万').period).toEqual({ word: '10月份', unit: 'month', offset: null, month: 10 })
  })

  it('keeps project-to-date apart from year-to-date', () => {
    const r = parseReply('自开工以来累计完成投资2.1亿元，本年累计9600万元')
    expect(r.sinceStartInvestment).toBe(210_000_000)
    expect(r.ytdInvestment).toBe(96_000_000)
    expect(r.amounts.map((a) => [a.kind, a.label])).toEqual([
      ['sinceStart', '累计完成'],
      ['ytd', '本年累计'],
    ])
  })

  it('takes the next steps apart from the problems', () => {
    const r = parseReply('主体封顶。存在问题：林地手续未批。下步计划：协调林业局加快审批')
    expect(r.problems).toEqual(['林地手续未批'])
    expect(r.nextSteps).toBe('协调林业局加快审批')
    expect(r.progressText).toBe('主体封顶')
  })

  it('splits problems by numbering, semicolons and long 、-separated items only', () => {
    expect(splitProblems('1.林地手续未批；2.资金缺口2.5亿；3.用电')).toEqual(['林地手续未批', '资金缺口2.5亿', '用电'])
    expect(splitProblems('林地、用地手续未批')).toEqual(['林地、用地手续未批'])
    expect(splitProblems('林地手续未批、资金缺口3000万')).toEqual(['林地手续未批', '资金缺口3000万'])
    expect(splitProblems('主要有以下两个：1.林地手续未批2.电力接入滞后')).toEqual(['林地手续未批', '电力接入滞后'])
    expect(splitProblems('林地手续未批\n电力接入滞后')).toEqual(['林地手续未批', '电力接入滞后'])
  })

  it('treats 需协调 inside a problem as part of that problem, not a new list', () => {
    expect(parseReply('存在问题：林地手续未批，需协调解决').problems).toEqual(['林地手续未批，需协调解决'])
  })

  it('does not take 无问题 or 不存在问题 for a problems header', () => {
    expect(parseReply('本月完成投资1200万元，不存在问题').problems).toEqual([])
    expect(parseReply('本月完成投资1200万元，不存在问题').noProblems).toBe(true)
  })

  it('does not read text inside the problems as amounts', () => {
    const r = parseReply('问题：本月资金缺口3000万元')
    expect(r.periodInvestment).toBeNull()
    expect(r.problems).toEqual(['本月资金缺口3000万元'])
  })

  it('lets the bot tell a report with a greeting from chatter', () => {
    expect(understandMessage('你好').intent).toBe('unknown')
    expect(understandMessage('收到，本月完成投资1200万元').intent).toBe('report')
  })
})
