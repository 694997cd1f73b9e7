import { describe, expect, it } from 'vitest'
import { parseStarts, resolveDate } from '../../../src/domain/parse/starts.ts'
import { parseReply } from '../../../src/domain/parse/reply.ts'
import { understandMessage } from '../../../src/domain/parse/index.ts'

/** What a text says, as [start status, its date in November 2026's round reported on 26 November]. */
function read(text: string, period = '2026-11', today = '2026-11-26') {
  const p = parseStarts(text)
  const when = (m: { status: string; on?: unknown } | null) =>
    m === null
      ? null
      : m.status === 'none'
        ? 'none'
        : `${m.status} ${resolveDate((m as { on: Parameters<typeof resolveDate>[0] }).on, period, today)}`
  return { start: when(p.start), stats: when(p.stats) }
}

describe('开工 / 复工 and 入库 as contacts write them', () => {
  it.each([
    ['已于3月15日开工', 'started 2026-03-15', null],
    ['项目于2026年3月15日正式开工建设', 'started 2026-03-15', null],
    ['3月2日复工', 'resumed 2026-03-02', null],
    ['已复工复产', 'resumed 2026-11-26', null],
    ['本月已入库', null, 'in 2026-11-26'],
    ['已入库纳统', null, 'in 2026-11-26'],
    ['10月20日入库纳统', null, 'in 2026-10-20'],
    ['十月份已纳统', null, 'in 2026-10-01'],
    ['3月中旬开工', 'started 2026-03-11', null],
    ['上月已开工', 'started 2026-10-31', null],
    ['主体封顶，3月2日复工，本月已入库', 'resumed 2026-03-02', 'in 2026-11-26'],
    ['尚未开工', 'none', null],
    ['项目还未入库', null, 'none'],
    ['本月开工，尚未入库', 'started 2026-11-26', 'none'],
  ])('%s', (text, start, stats) => {
    expect(read(text)).toEqual({ start, stats })
  })

  it.each([
    '计划12月开工',
    '争取本月开工',
    '确保6月底前开工',
    '具备开工条件',
    '开工以来累计完成2亿元',
    '开工手续正在办理',
    '入库资料已报送',
    '开工率',
  ])('a plan or another thing is not a start: %s', (text) => {
    expect(read(text)).toEqual({ start: null, stats: null })
  })

  it('dates without a year belong to the round’s year, or the year before for a later month', () => {
    expect(read('12月28日开工', '2027-01', '2027-01-26').start).toBe('started 2026-12-28')
    expect(read('1月5日复工', '2027-01', '2027-01-26').start).toBe('resumed 2027-01-05')
  })

  it('本月 stays inside the period when the report comes in after it', () => {
    expect(read('本月已入库', '2026-11', '2026-12-01').stats).toBe('in 2026-11-30')
    expect(read('已开工', '2026-11', '2026-12-01').start).toBe('started 2026-11-30')
  })

  it('a date that does not exist is not read as a date', () => {
    const p = parseStarts('2月30日开工')
    expect(p.start).toMatchObject({ status: 'started' })
    expect(resolveDate((p.start as { on: Parameters<typeof resolveDate>[0] }).on, '2026-11', '2026-11-26')).toBeNull()
  })
})

describe('in a whole report', () => {
  it('keeps start statements out of 形象进度 and the figures as they were', () => {
    const r = parseReply('本月完成投资500万元，本年累计3000万元，主体封顶，已于3月15日开工，本月已入库，无问题')
    expect(r.periodInvestment).toBe(5_000_000)
    expect(r.ytdInvestment).toBe(30_000_000)
    expect(r.progressText).toBe('主体封顶')
    expect(r.start).toMatchObject({ status: 'started', on: { month: 3, day: 15 } })
    expect(r.stats).toMatchObject({ status: 'in' })
    expect(r.noProblems).toBe(true)
  })

  it('a 未开工 among the problems is a problem, not a statement', () => {
    const r = parseReply('本年累计3000万元，问题：林地未批，尚未开工')
    expect(r.start).toBeNull()
  })

  it('a start said alone is a report', () => {
    expect(understandMessage('已于3月15日开工').intent).toBe('report')
    expect(understandMessage('本月已入库').intent).toBe('report')
  })
})
