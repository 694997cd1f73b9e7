import { describe, expect, it } from 'vitest'
import { START_PRESETS, checkStarts, describeCheck, type StartRow } from '../../src/domain/starts.ts'

const row = (id: number, isNew: boolean, startedOn: string | null, resumedOn: string | null = null): StartRow => ({
  id,
  name: `项目${id}`,
  unit: '城关镇',
  isNew,
  plannedStart: isNew ? '2026-03-01' : '2025-05-01',
  startedOn,
  resumedOn,
})

describe('the lingchuan-2025 开复工 targets', () => {
  const rows = [
    row(1, true, '2026-03-10'),
    row(2, true, '2026-05-02'),
    row(3, true, null),
    row(4, true, '2026-02-20'),
    row(5, false, '2024-06-01', '2026-03-02'),
    row(6, false, '2024-06-01', '2025-03-01'),
  ]
  const at = (month: number, asOf: string) => checkStarts(START_PRESETS.lingchuan2025.targets, rows, { year: 2026, month, asOf })

  it('at the end of the first quarter: 续建 must all have resumed this year, 新建 half started', () => {
    expect(at(3, '2026-03-31').map(describeCheck)).toEqual([
      '一季度续建项目全部复工：已复工 1/2（50.00%），未达标',
      '一季度新建项目开工50%以上：已开工 2/4（50.00%），已达标',
      '上半年新建项目开工90%以上：已开工 2/4（50.00%），进行中',
      '三季度新建项目全部开工：已开工 2/4（50.00%），进行中',
    ])
    expect(at(3, '2026-03-31')[0]!.behind.map((r) => r.id)).toEqual([6])
  })

  it('at the end of the third quarter the unstarted one is named', () => {
    const q3 = at(9, '2026-09-30')
    expect(q3[3]).toMatchObject({ due: true, met: false, done: 3, total: 4 })
    expect(q3[3]!.behind.map((r) => r.id)).toEqual([3])
  })

  it('county-2023: 83 % of all projects under construction by the year end', () => {
    const [c] = checkStarts(START_PRESETS.county2023.targets, rows, { year: 2026, month: 12, asOf: '2026-12-31' })
    expect(describeCheck(c!)).toBe('全年重点工程开工率83%以上：已开工 5/6（83.33%），已达标')
  })
})
