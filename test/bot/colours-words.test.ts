/** The words of 三色管理's follow-up as people type them: a 分指挥部's board, the 指挥部 meeting, 表态 and 分指挥部 edits. */
import { describe, expect, it } from 'vitest'
import { parseCommand } from '../../src/domain/parse/index.ts'
import { parseMeetingDay } from '../../src/bot/commands/colours.ts'

const now = { year: 2026, month: 11 }
const parse = (t: string) => parseCommand(t, { now })

describe('a 分指挥部’s board', () => {
  it.each([
    ['排名 工业', { sector: '工业', offset: 0 }],
    ['上月排名 工业', { sector: '工业', offset: -1 }],
    ['工业分指挥部排名', { sector: '工业' }],
    ['分指挥部排名 基础设施', { sector: '基础设施' }],
    ['10月排名 文旅康养', { sector: '文旅康养', period: '2026-10' }],
    ['分指挥部排名', { sector: '分指挥部' }],
  ])('%s', (text, args) => {
    expect(parse(text)).toMatchObject({ command: 'board', args })
  })

  it('keeps a unit’s rank a 查 and the county board a board', () => {
    expect(parse('城关镇排名')).toMatchObject({ command: 'query', args: { target: '城关镇' } })
    expect(parse('排名 乡镇')).toEqual({ command: 'board', verb: '排名', args: { scope: 'month', offset: 0, league: '乡镇' } })
    expect(parse('本周排名')).toEqual({ command: 'board', verb: '排名', args: { scope: 'week', offset: 0 } })
    expect(parse('赛马排名情况怎么样')?.command).not.toBe('board')
  })
})

describe('the 指挥部 meeting and 表态', () => {
  it.each([
    ['指挥部会议 12月10日', '12月10日'],
    ['指挥部会议定于12月10日召开', '12月10日'],
    ['设置下次指挥部会议 2026-12-10', '2026-12-10'],
    ['下次指挥部会议', null],
  ])('%s', (text, when) => {
    expect(parse(text)).toMatchObject({ command: 'meeting', args: { when } })
  })

  it.each([
    ['表态 XM2026-012 已发言', 'XM2026-012'],
    ['表态发言 城东污水处理厂 已发言', '城东污水处理厂'],
    ['城东污水处理厂已表态', '城东污水处理厂'],
  ])('%s', (text, target) => {
    expect(parse(text)).toMatchObject({ command: 'pledgeSpoke', args: { target } })
  })

  it('reads a meeting day from today on: no year means the next such day, within reason', () => {
    const today = '2026-11-26'
    expect(parseMeetingDay('12月10日', today)).toBe('2026-12-10')
    expect(parseMeetingDay('12-10', today)).toBe('2026-12-10')
    expect(parseMeetingDay('2026年12月10日', today)).toBe('2026-12-10')
    expect(parseMeetingDay('12月10日上午9:00', today)).toBe('2026-12-10')
    expect(parseMeetingDay('1月8日', '2026-12-20')).toBe('2027-01-08')
    expect(parseMeetingDay('11月26日', today)).toBe('2026-11-26')
    for (const bad of ['11月20日', '2026-11-20', '2026-02-30', '13月1日', '下周三', '2028-01-01']) expect(parseMeetingDay(bad, today), bad).toBeNull()
  })
})

describe('分指挥部 edits', () => {
  it.each([
    ['设置分指挥部 工业 指挥长 张三', { sector: '工业', post: 'commander', person: '张三' }],
    ['设置分指挥部工业副指挥长李四', { sector: '工业', post: 'deputy', person: '李四' }],
    ['修改分指挥部 文旅康养 总联络人为王五', { sector: '文旅康养', post: 'liaison', person: '王五' }],
    ['设置分指挥部 工业', { sector: '工业', post: null, person: null }],
  ])('%s', (text, args) => {
    expect(parse(text)).toMatchObject({ command: 'setSector', args })
  })
})
