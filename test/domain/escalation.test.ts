import { describe, expect, it } from 'vitest'
import {
  COUNTY_2023_LADDER,
  DEADLINE_STATE_LABELS,
  SHANXI_13710,
  ZHANGZI_2020_SUPERVISION,
  deadlineState,
  deadlinesFor,
  nextEscalation,
  overdueDays,
  replyDueDate,
} from '../../src/domain/escalation.ts'
import type { CadencePreset, DeadlineState } from '../../src/domain/escalation.ts'
import { createWorkdayCalendar } from '../../src/domain/workdays.ts'

const cal = createWorkdayCalendar()

describe('挂牌督办: reply within 3 working days (zhangzi-2020)', () => {
  it.each([
    ['2026-09-30', '2026-10-10'], // over 国庆 to the Saturday make-up day
    ['2026-02-12', '2026-02-24'], // over 春节
    ['2026-11-09', '2026-11-12'], // a plain Monday
    ['2026-11-06', '2026-11-11'], // Friday: the weekend does not count
    ['2026-11-07', '2026-11-11'], // issued on a Saturday: counting starts Monday
  ])('issued %s → due %s', (issued, due) => {
    expect(replyDueDate(issued, cal)).toBe(due)
    expect(deadlinesFor(ZHANGZI_2020_SUPERVISION, issued, 'ordinary', cal)[0]).toMatchObject({ key: 'reply', due })
  })

  it('moves with a county day off', () => {
    const county = createWorkdayCalendar([{ date: '2026-11-11', kind: 'holiday', note: '县庆' }])
    expect(replyDueDate('2026-11-09', county)).toBe('2026-11-13')
  })

  it('takes another number of working days', () => {
    expect(replyDueDate('2026-11-09', cal, 5)).toBe('2026-11-16')
  })

  it('ends in 销号 with no fixed date', () => {
    expect(deadlinesFor(ZHANGZI_2020_SUPERVISION, '2026-11-09', 'ordinary', cal)[1]).toMatchObject({ key: 'close', due: null })
  })
})

describe('山西 13710 preset', () => {
  it('ordinary problems: deploy in 1 day, report in 3, solve in 7, then 销号 (calendar days)', () => {
    expect(deadlinesFor(SHANXI_13710, '2026-09-30', 'ordinary', cal).map((d) => [d.key, d.due])).toEqual([
      ['deploy', '2026-10-01'],
      ['report', '2026-10-03'],
      ['solve', '2026-10-07'],
      ['close', null],
    ])
  })

  it('major problems: solve within 1 month instead of 7 days', () => {
    const major = deadlinesFor(SHANXI_13710, '2026-01-31', 'major', cal)
    expect(major.map((d) => [d.key, d.due])).toEqual([
      ['deploy', '2026-02-01'],
      ['report', '2026-02-03'],
      ['solve', '2026-02-28'],
      ['close', null],
    ])
    expect(major[2]!.label).toContain('时间节点')
  })

  it('counts working days for steps configured that way', () => {
    const working: CadencePreset = {
      ...SHANXI_13710,
      steps: SHANXI_13710.steps.map((s) => ({ ...s, dayKind: 'working' as const })),
    }
    expect(deadlinesFor(working, '2026-09-30', 'ordinary', cal).map((d) => d.due)).toEqual([
      '2026-10-08',
      '2026-10-10',
      '2026-10-15', // 10/8, 9, 10 (Saturday make-up), 12, 13, 14, 15
      null,
    ])
    // A month that ends on a day off moves to the next working day: 2026-10-05 is in the 国庆 break.
    expect(deadlinesFor(working, '2026-09-05', 'major', cal)[2]!.due).toBe('2026-10-08')
    expect(deadlinesFor(SHANXI_13710, '2026-09-05', 'major', cal)[2]!.due).toBe('2026-10-05')
  })

  it('rejects a malformed step', () => {
    const bad: CadencePreset = { name: 'x', label: 'x', steps: [{ key: 'k', label: 'k', within: { days: -1 }, dayKind: 'calendar' }] }
    expect(() => deadlinesFor(bad, '2026-09-30', 'ordinary', cal)).toThrow(RangeError)
    expect(() => deadlinesFor(SHANXI_13710, '2026-9-30', 'ordinary', cal)).toThrow(RangeError)
  })
})

describe('deadline state', () => {
  it.each<[string | null, string, string | null, DeadlineState]>([
    ['2026-10-10', '2026-10-09', null, 'open'],
    ['2026-10-10', '2026-10-10', null, 'dueToday'],
    ['2026-10-10', '2026-10-11', null, 'overdue'],
    ['2026-10-10', '2026-10-20', '2026-10-10', 'done'],
    ['2026-10-10', '2026-10-20', '2026-10-12', 'doneLate'],
    [null, '2027-01-01', null, 'open'],
    [null, '2027-01-01', '2026-12-01', 'done'],
  ])('due %s, today %s, done %s → %s', (due, today, doneOn, state) => {
    expect(deadlineState(due, today, doneOn)).toBe(state)
  })

  it('has Chinese labels', () => {
    expect(DEADLINE_STATE_LABELS.overdue).toBe('已逾期')
  })

  it('counts days overdue, in calendar or working days', () => {
    expect(overdueDays('2026-09-30', '2026-10-09')).toBe(9)
    expect(overdueDays('2026-09-30', '2026-10-09', cal)).toBe(2)
    expect(overdueDays('2026-10-10', '2026-10-10', cal)).toBe(0)
    expect(overdueDays('2026-10-10', '2026-10-01')).toBe(0)
  })
})

describe('一通报两约谈 (county-2023)', () => {
  it.each([
    [0, 'notice', '通报', null],
    [1, 'notice', '通报', null],
    [2, 'deputyTalk', '通报，并由县政府分管领导约谈责任单位负责人', '县政府分管领导'],
    [3, 'principalTalk', '通报，并由县政府主要领导约谈责任单位负责人', '县政府主要领导'],
    [7, 'principalTalk', '通报，并由县政府主要领导约谈责任单位负责人', '县政府主要领导'],
  ])('after %i 通报, the next step is %s', (notices, level, label, talkBy) => {
    expect(nextEscalation(notices)).toEqual({ fromNotices: expect.any(Number), level, label, talkBy })
  })

  it('walks the ladder when each step is counted as a 通报', () => {
    const steps = []
    for (let n = 0; n < 4; n++) steps.push(nextEscalation(n).level)
    expect(steps).toEqual(['notice', 'notice', 'deputyTalk', 'principalTalk'])
  })

  it('takes a configured ladder, in any order', () => {
    const quicker = [COUNTY_2023_LADDER[2]!, { ...COUNTY_2023_LADDER[1]!, fromNotices: 1 }, COUNTY_2023_LADDER[0]!]
    expect(nextEscalation(1, quicker).level).toBe('deputyTalk')
    expect(nextEscalation(0, quicker).level).toBe('notice')
  })

  it('rejects a bad count and a ladder without a first rung', () => {
    expect(() => nextEscalation(-1)).toThrow(RangeError)
    expect(() => nextEscalation(1.5)).toThrow(RangeError)
    expect(() => nextEscalation(0, [COUNTY_2023_LADDER[1]!])).toThrow(/no rung/)
  })
})
