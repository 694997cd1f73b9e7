import { describe, expect, it } from 'vitest'
import { parseMessage } from '../../../src/domain/parse/index.ts'
import type { ParsedMessage } from '../../../src/domain/parse/index.ts'
import { parseCommand } from '../../../src/domain/parse/command.ts'

/** The exact JSON of `diaodu parse` for a command. */
const cmd = (command: string, args: Record<string, unknown> = {}): ParsedMessage => ({
  intent: 'command',
  periodInvestment: null,
  ytdInvestment: null,
  progressPercent: null,
  problems: [],
  command: command as ParsedMessage['command'],
  args,
})
const unknown: ParsedMessage = {
  intent: 'unknown',
  periodInvestment: null,
  ytdInvestment: null,
  progressPercent: null,
  problems: [],
  command: null,
  args: {},
}

const cases: Array<[string, ParsedMessage]> = [
  // help
  ['帮助', cmd('help')],
  ['菜单', cmd('help')],
  ['help', cmd('help')],
  ['HELP', cmd('help')],
  ['?', cmd('help')],
  ['？', cmd('help')],
  ['怎么用？', cmd('help')],
  ['/help', cmd('help')],
  // query
  ['查 城东污水厂', cmd('query', { target: '城东污水厂' })],
  ['查询城东污水处理厂项目', cmd('query', { target: '城东污水处理厂项目' })],
  ['查看 城关镇', cmd('query', { target: '城关镇' })],
  ['进展 城东污水厂', cmd('query', { target: '城东污水厂' })],
  ['查一下城东污水厂的进展', cmd('query', { target: '城东污水厂' })],
  ['城东污水厂进展如何？', cmd('query', { target: '城东污水厂' })],
  ['城西管廊情况怎么样了', cmd('query', { target: '城西管廊' })],
  ['查', cmd('query', { target: null })],
  // board, with and without league and period words
  ['排名', cmd('board', { scope: 'month', offset: 0 })],
  ['本月排名', cmd('board', { scope: 'month', offset: 0 })],
  ['上月排名', cmd('board', { scope: 'month', offset: -1 })],
  ['本周赛马', cmd('board', { scope: 'week', offset: 0 })],
  ['上周排行榜', cmd('board', { scope: 'week', offset: -1 })],
  ['上月乡镇排名', cmd('board', { scope: 'month', offset: -1, league: '乡镇' })],
  ['排名 乡镇 上月', cmd('board', { scope: 'month', offset: -1, league: '乡镇' })],
  ['本周开发区赛马', cmd('board', { scope: 'week', offset: 0, league: '开发区' })],
  ['园区排行榜', cmd('board', { scope: 'month', offset: 0, league: '开发区' })],
  ['示范区排名', cmd('board', { scope: 'month', offset: 0, league: '开发区' })],
  ['县直部门榜单', cmd('board', { scope: 'month', offset: 0, league: '县直部门' })],
  ['部门排名', cmd('board', { scope: 'month', offset: 0, league: '县直部门' })],
  ['查看本月乡镇赛马排名', cmd('board', { scope: 'month', offset: 0, league: '乡镇' })],
  // red and yellow cards
  ['红黄牌', cmd('redyellow')],
  ['红黄榜', cmd('redyellow')],
  ['黄牌', cmd('redyellow', { colour: 'yellow' })],
  ['红牌名单', cmd('redyellow', { colour: 'red' })],
  ['本月红黄牌', cmd('redyellow')],
  // supervise
  ['督办 城东污水厂 征地拆迁 3个工作日', cmd('supervise', { target: '城东污水厂', matter: '征地拆迁', workdays: 3 })],
  ['督办城东污水厂项目征地拆迁问题，三个工作日内回复', cmd('supervise', { target: '城东污水厂项目', matter: '征地拆迁问题', workdays: 3 })],
  ['督办 城东污水厂 林地报批 5天', cmd('supervise', { target: '城东污水厂', matter: '林地报批', workdays: 5 })],
  ['督办 城东污水厂 资金缺口3000万 两个工作日', cmd('supervise', { target: '城东污水厂', matter: '资金缺口3000万', workdays: 2 })],
  ['督办 城东污水厂', cmd('supervise', { target: '城东污水厂', matter: null })],
  // urge
  ['催办 城关镇', cmd('urge', { target: '城关镇' })],
  ['催一下城关镇', cmd('urge', { target: '城关镇' })],
  ['提醒城关镇尽快填报', cmd('urge', { target: '城关镇' })],
  ['催 城东污水厂', cmd('urge', { target: '城东污水厂' })],
  // bulletin
  ['通报', cmd('bulletin')],
  ['通报 本月', cmd('bulletin', { period: { relative: 0 } })],
  ['通报 上月', cmd('bulletin', { period: { relative: -1 } })],
  ['通报 2026-10', cmd('bulletin', { period: '2026-10' })],
  ['通报 2026年9月', cmd('bulletin', { period: '2026-09' })],
  ['10月通报', cmd('bulletin', { period: { month: 10 } })],
  ['发布本月通报', cmd('bulletin', { period: { relative: 0 } })],
  // ack
  ['已阅', cmd('ack')],
  ['收到', cmd('ack')],
  ['阅', cmd('ack')],
  ['知道了', cmd('ack')],
  ['收到！', cmd('ack')],
  ['收到，马上落实', cmd('ack')],
  // problems ledger
  ['问题', cmd('problems')],
  ['台账', cmd('problems')],
  ['问题台账', cmd('problems')],
  ['问题台账 城关镇', cmd('problems', { unit: '城关镇' })],
  ['问题 城关镇', cmd('problems', { unit: '城关镇' })],
  ['城关镇问题台账', cmd('problems', { unit: '城关镇' })],
  // bind
  ['绑定 13812345678', cmd('bind', { mobile: '13812345678' })],
  ['绑定 138 1234 5678', cmd('bind', { mobile: '13812345678' })],
  ['绑定138-1234-5678', cmd('bind', { mobile: '13812345678' })],
  ['绑定手机号：+86 13912345678', cmd('bind', { mobile: '13912345678' })],
  ['绑定 12345', cmd('bind', { mobile: null, raw: '12345' })],
  ['绑定 12812345678', cmd('bind', { mobile: null, raw: '12812345678' })],
  ['绑定', cmd('bind', { mobile: null, raw: '' })],
  // workflow commands that card buttons send
  ['填报', cmd('report')],
  ['我要填报', cmd('report')],
  ['上报 城东污水厂', cmd('report', { target: '城东污水厂' })],
  ['交办 #12 城关镇 3个工作日', cmd('assign', { problemId: 12, target: '城关镇', workdays: 3 })],
  ['交办12号给县自然资源局', cmd('assign', { problemId: 12, target: '县自然资源局' })],
  ['交办 问题7 县住建局 五个工作日内办结', cmd('assign', { problemId: 7, target: '县住建局', workdays: 5 })],
  ['申请销号 #12 林地手续已批复', cmd('requestClose', { problemId: 12, note: '林地手续已批复' })],
  ['申请销号 问题12', cmd('requestClose', { problemId: 12 })],
  ['确认销号 #12', cmd('confirmClose', { problemId: 12 })],
  ['销号 12号', cmd('confirmClose', { problemId: 12 })],
  ['驳回 #12 理由：手续未办完', cmd('reject', { problemId: 12, note: '手续未办完' })],
  ['退回 ＃12', cmd('reject', { problemId: 12 })],
  ['更新 #12 已上会研究，下周批复', cmd('update', { problemId: 12, note: '已上会研究，下周批复' })],
  ['更新 #12', cmd('update', { problemId: 12, note: null })],
  ['确认', cmd('confirm')],
  ['对', cmd('confirm')],
  ['是的', cmd('confirm')],
  ['没问题', cmd('confirm')],
  ['取消', cmd('cancel')],
  ['算了', cmd('cancel')],
  // typos and chatter fall through to unknown
  ['拍名', unknown],
  ['排铭', unknown],
  ['红黄排', unknown],
  ['督半 城东污水厂', unknown],
  ['崔办 城关镇', unknown],
  ['bangzhu', unknown],
  ['你好', unknown],
  ['城关镇排名', cmd('query', { target: '城关镇' })],
  ['通报城关镇', unknown],
  ['', unknown],
]

describe('commands', () => {
  it.each(cases)('%s', (text, expected) => {
    expect(parseMessage(text)).toEqual(expected)
  })
})

describe('command details', () => {
  it('says which verb was typed', () => {
    expect(parseCommand('赛马排名 乡镇')).toEqual({ command: 'board', verb: '赛马排名', args: { scope: 'month', offset: 0, league: '乡镇' } })
    expect(parseCommand('挂牌督办 城东污水厂 征地')).toEqual({
      command: 'supervise',
      verb: '挂牌督办',
      args: { target: '城东污水厂', matter: '征地' },
    })
  })

  it('resolves a bulletin month without a year against now', () => {
    expect(parseCommand('通报 10月', { now: { year: 2026, month: 11 } })?.args).toEqual({ period: '2026-10' })
    expect(parseCommand('通报 12月', { now: { year: 2026, month: 1 } })?.args).toEqual({ period: '2025-12' })
    expect(parseCommand('通报 十月', { now: { year: 2026, month: 10 } })?.args).toEqual({ period: '2026-10' })
  })

  it('does not take a labelled report line for a command', () => {
    expect(parseCommand('问题：林地手续未批')).toBeNull()
    expect(parseCommand('进展：主体封顶')).toBeNull()
    expect(parseCommand('问题已解决')).toBeNull()
  })

  it('gives an explicit verb precedence over amounts in the text', () => {
    expect(parseMessage('更新 #3 已完成投资500万元').command).toBe('update')
    expect(parseMessage('收到，本月完成投资1200万元').intent).toBe('report')
  })
})
