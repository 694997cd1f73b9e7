import { describe, expect, it } from 'vitest'
import { createNameMatcher, editDistance, matchName, normalizeName } from '../../src/domain/match.ts'

const projects = [
  { id: 1, name: '城东污水处理厂项目' },
  { id: 2, name: '城东污水处理厂二期工程' },
  { id: 3, name: '城关镇', aliases: ['城关'] },
  { id: 4, name: '经济技术开发区', aliases: ['经开区'] },
  { id: 5, name: '县自然资源局' },
  { id: 6, name: '城西综合管廊工程' },
  { id: 7, name: 'G207国道改扩建工程' },
  { id: 8, name: '光伏发电项目' },
]

const summary = (query: string) => matchName(query, projects).map((m) => [m.id, m.via, m.confidence])

describe('normalizeName', () => {
  it.each([
    ['城东污水处理厂项目', '城东污水处理厂'],
    ['城东污水处理厂 建设工程项目', '城东污水处理厂'],
    ['Ｇ２０７国道（改扩建）', 'g207国道改扩建'],
    ['“城关镇”', '城关镇'],
    ['项目', '项目'],
  ])('%s → %s', (raw, expected) => {
    expect(normalizeName(raw)).toBe(expected)
  })
})

describe('editDistance', () => {
  it.each([
    ['城东污水处理厂', '城东污水处理厂', 0],
    ['城东污水处里厂', '城东污水处理厂', 1],
    ['城东水污处理厂', '城东污水处理厂', 1], // transposition
    ['城东', '城东污水处理厂', 5],
  ])('%s / %s → %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d)
  })
})

describe('matchName', () => {
  const cases: Array<[string, Array<[number, string, string]>]> = [
    [
      '城东污水处理厂',
      [
        [1, 'exact', 'exact'],
        [2, 'substring', 'unsure'],
      ],
    ],
    [
      '城东污水处理厂项目',
      [
        [1, 'exact', 'exact'],
        [2, 'substring', 'unsure'],
      ],
    ],
    ['城关', [[3, 'exact', 'exact']]],
    ['经开区', [[4, 'exact', 'exact']]],
    ['自然资源局', [[5, 'substring', 'likely']]],
    ['g207', [[7, 'substring', 'likely']]],
    ['Ｇ２０７国道', [[7, 'substring', 'likely']]],
    ['城西管廊', [[6, 'abbreviation', 'likely']]],
    ['光伏', [[8, 'substring', 'likely']]],
    // two plants fit the abbreviation: ask
    [
      '城东污水厂',
      [
        [1, 'abbreviation', 'unsure'],
        [2, 'abbreviation', 'unsure'],
      ],
    ],
    [
      '污水厂',
      [
        [1, 'abbreviation', 'unsure'],
        [2, 'abbreviation', 'unsure'],
      ],
    ],
    // a typo is found, but one character can also be a different project: ask
    ['城东污水处里厂', [[1, 'edit', 'unsure']]],
    ['城北污水处理厂', [[1, 'edit', 'unsure']]],
    ['教育局', []],
    ['项目', []],
  ]
  it.each(cases)('%s', (query, expected) => {
    expect(summary(query)).toEqual(expected)
  })

  it('is likely when only one candidate fits the abbreviation', () => {
    const only = [projects[0]!, projects[2]!, projects[4]!]
    const [top] = matchName('城东污水厂', only)
    expect(top).toMatchObject({ id: 1, name: '城东污水处理厂项目', matched: '城东污水处理厂项目', via: 'abbreviation', confidence: 'likely' })
  })

  it('says which alias matched', () => {
    expect(matchName('经开区', projects)[0]).toMatchObject({ id: 4, matched: '经开区', score: 1 })
  })

  it('limits and orders results best first', () => {
    const many = Array.from({ length: 20 }, (_, i) => ({ id: i, name: `第${i}污水处理厂` }))
    const found = matchName('污水处理厂', many, { limit: 3 })
    expect(found).toHaveLength(3)
    expect(found[0]!.score).toBeGreaterThanOrEqual(found[1]!.score)
    expect(found[1]!.score).toBeGreaterThanOrEqual(found[2]!.score)
  })

  it('answers within a few milliseconds against 5,000 candidates', () => {
    const kinds = ['污水处理厂', '综合管廊', '安置小区', '产业园', '道路']
    const towns = ['城东', '城西', '南关', '北关', '高新']
    const big = Array.from({ length: 5000 }, (_, i) => ({ id: i, name: `${towns[i % 5]}${i}号${kinds[i % 5]}项目`, aliases: [`${i}号`] }))
    const find = createNameMatcher(big)
    find('城东100号污水厂') // warm up
    const start = performance.now()
    const queries = ['城东100号污水厂', '南关安置小区', '高新4号产业园', '不存在的名字']
    for (let k = 0; k < 40; k++) find(queries[k % queries.length]!)
    const perQuery = (performance.now() - start) / 40
    expect(perQuery).toBeLessThan(50)
    expect(find('城东100号污水处理厂')[0]).toMatchObject({ id: 100, confidence: 'exact' })
  })
})
