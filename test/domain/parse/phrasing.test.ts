/**
 * Loose phrasing as officials write it (after the seeds' language: 调度、督办、催办、通报、赛马、问题销号): questions in
 * plain words, commands wrapped in politeness and particles, months by name. Each maps to one command and its args.
 */
import { describe, expect, it } from 'vitest'
import { parseCommand } from '../../../src/domain/parse/command.ts'

const now = { year: 2026, month: 12 }

const table: Array<[string, string, Record<string, unknown>]> = [
  // a unit's or project's state and rank, asked in plain words
  ['城关镇排第几', 'query', { target: '城关镇' }],
  ['城关镇现在排名第几？', 'query', { target: '城关镇' }],
  ['县住建局第几名了', 'query', { target: '县住建局' }],
  ['河西镇排名怎么样', 'query', { target: '河西镇' }],
  ['城东污水厂进度怎么样了', 'query', { target: '城东污水厂' }],
  ['城东污水处理厂进展如何', 'query', { target: '城东污水处理厂' }],
  ['帮我查一下县住建局的项目', 'query', { target: '县住建局' }],
  ['请查一下城关镇的情况', 'query', { target: '城关镇' }],
  ['麻烦看一下城东污水厂的进展', 'query', { target: '城东污水厂' }],
  // commands wrapped in particles and politeness
  ['麻烦催一下城关镇', 'urge', { target: '城关镇' }],
  ['请催办城关镇抓紧填报', 'urge', { target: '城关镇' }],
  ['帮忙催一下县住建局，谢谢', 'urge', { target: '县住建局' }],
  ['请把本月排名发一下', 'board', { scope: 'month', offset: 0 }],
  ['麻烦把乡镇赛马排名发我看看', 'board', { scope: 'month', offset: 0, league: '乡镇' }],
  ['请帮我看一下红黄牌，谢谢', 'redyellow', {}],
  ['麻烦通报一下上月', 'bulletin', { period: { relative: -1 } }],
  ['请挂牌督办城东污水处理厂项目征地拆迁问题，三个工作日内回复', 'supervise', { target: '城东污水处理厂项目', matter: '征地拆迁问题', workdays: 3 }],
  // problem numbers without #
  ['交办 29 县自然资源局 5个工作日', 'assign', { problemId: 29, target: '县自然资源局', workdays: 5 }],
  ['交办 29', 'assign', { problemId: 29, target: null }],
  ['申请销号 12 已接通临时用电', 'requestClose', { problemId: 12, note: '已接通临时用电' }],
  ['确认销号 12', 'confirmClose', { problemId: 12 }],
  ['驳回 30 管网仍未接通', 'reject', { problemId: 30, note: '管网仍未接通' }],
  // months by name
  ['十月排名', 'board', { scope: 'month', offset: 0, period: '2026-10' }],
  ['10月份乡镇排名', 'board', { scope: 'month', offset: 0, league: '乡镇', period: '2026-10' }],
  ['排名 2026-09', 'board', { scope: 'month', offset: 0, period: '2026-09' }],
  ['2026年9月赛马排名', 'board', { scope: 'month', offset: 0, period: '2026-09' }],
  ['上上月排名', 'board', { scope: 'month', offset: -2 }],
  ['上个月排名', 'board', { scope: 'month', offset: -1 }],
  // 补报 a closed round (office), and plain 补报 is 填报
  ['补报 城东污水处理厂 2026-11', 'reopen', { target: '城东污水处理厂', period: '2026-11' }],
  ['补报 城东污水处理厂 十一月', 'reopen', { target: '城东污水处理厂', period: '2026-11' }],
  ['补报 XM2026-001 2026-11', 'reopen', { target: 'XM2026-001', period: '2026-11' }],
  ['补报', 'report', {}],
]

describe('loose phrasing', () => {
  it.each(table)('%s → %s', (text, command, args) => {
    const c = parseCommand(text, { now })
    expect(c && { command: c.command, args: c.args }).toEqual({ command, args })
  })
})
