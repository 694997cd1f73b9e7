import { describe, expect, it } from 'vitest'
import { decimalToNumber, findNumerals, normalizeWidth, parseDecimal, parseNumber, roundDecimal } from '../../../src/domain/parse/numbers.ts'
import { findAmounts, parseAmount } from '../../../src/domain/parse/amounts.ts'

describe('parseNumber: Chinese and Arabic numerals, exactly', () => {
  const cases: Array<[string, number | null]> = [
    // the research table (stack.md §5): both npm parsers get some of these wrong silently
    ['三千五百万', 35_000_000],
    ['1.2亿', 120_000_000],
    ['一亿二千万', 120_000_000],
    ['两千', 2_000],
    ['十二', 12],
    ['壹仟贰佰万', 12_000_000],
    ['3千5百万', 35_000_000],
    ['一百零五', 105],
    ['1200万', 12_000_000],
    ['1,234.5万', 12_345_000],
    ['一点二亿', 120_000_000],
    ['十万', 100_000],
    ['二十万零五百', 200_500],
    ['1亿2000万', 120_000_000],
    ['〇', 0],
    ['零', 0],
    // formal characters 拾佰仟
    ['壹拾', 10],
    ['贰佰', 200],
    ['叁仟零伍', 3_005],
    ['玖拾玖', 99],
    // decimals that drift as floats (1.1 * 1e8 = 110000000.00000001)
    ['1.1亿', 110_000_000],
    ['0.3千万', 3_000_000],
    ['2.35亿', 235_000_000],
    ['十二点五万', 125_000],
    ['一点零五亿', 105_000_000],
    // colloquial elision: the last digit takes the next lower unit
    ['三千五', 3_500],
    ['一万五', 15_000],
    ['一亿二', 120_000_000],
    ['两万三千', 23_000],
    ['一千零五十', 1_050],
    ['一十二', 12],
    // digit strings and full width
    ['二〇二六', 2026],
    ['１２００万', 12_000_000],
    ['8600', 8_600],
    // not numbers
    ['万', null],
    ['一千二千', null],
    ['林地', null],
    ['', null],
    ['12万元', null],
  ]
  it.each(cases)('%s → %s', (text, expected) => {
    expect(parseNumber(text)).toBe(expected)
  })

  it('keeps an exact decimal for rounding to whole 元', () => {
    const d = parseDecimal('1234.5678')!
    expect(d).toEqual({ n: 12345678n, scale: 4 })
    expect(decimalToNumber(d)).toBe(1234.5678)
    expect(roundDecimal(d, 10_000)).toBe(12_345_678)
    expect(roundDecimal(parseDecimal('0.00005')!, 10_000)).toBe(1) // half away from zero
  })

  it('finds numeral runs in running text and skips words that merely contain number characters', () => {
    expect(findNumerals('本月完成投资一千二百万，万达广场1-10月').map((n) => [n.text, decimalToNumber(n.value)])).toEqual([
      ['一千二百万', 12_000_000],
      ['1', 1],
      ['10', 10],
    ])
  })
})

describe('normalizeWidth', () => {
  it('folds full-width digits and punctuation but keeps the Chinese comma', () => {
    expect(normalizeWidth('１２００万元，累计：８６００；形象进度６５％')).toBe('1200万元，累计:8600;形象进度65%')
    expect(normalizeWidth('＃12　城关镇')).toBe('#12 城关镇')
  })
})

describe('parseAmount: an amount with its unit → whole 元', () => {
  const cases: Array<[string, number | null]> = [
    ['1200万元', 12_000_000],
    ['1200万', 12_000_000],
    ['3.2亿元', 320_000_000],
    ['3.2亿', 320_000_000],
    ['5000000元', 5_000_000],
    ['3千万', 30_000_000],
    ['0.5千万元', 5_000_000],
    ['壹仟贰佰万元', 12_000_000],
    ['1200', 12_000_000], // bare → 万元
    ['1234.56', 12_345_600],
    ['约1200万元', 12_000_000],
    ['近1.2亿元。', 120_000_000],
    ['1200余万元', 12_000_000],
    ['3千多万', 30_000_000],
    ['人民币伍佰万元', 5_000_000],
    ['0.00015万元', 2], // 1.5 元 rounds half away from zero
    ['主体封顶', null],
    ['万元', null],
  ]
  it.each(cases)('%s → %s', (text, expected) => {
    expect(parseAmount(text)).toBe(expected)
  })

  it('reads a bare number in 元 when asked', () => {
    expect(parseAmount('5000000', { bareUnit: '元' })).toBe(5_000_000)
  })
})

describe('findAmounts', () => {
  const summary = (text: string) => findAmounts(text).map((a) => [a.text, a.yuan, a.unit, a.bare, a.approx])

  it('reads units and bare numbers after investment keywords', () => {
    expect(summary('本月完成投资1200万元，累计8600，总投资3.2亿')).toEqual([
      ['1200万元', 12_000_000, '万元', false, false],
      ['8600', 86_000_000, null, true, false],
      ['3.2亿', 320_000_000, '亿', false, false],
    ])
  })

  it('ignores months, quantities, percentages, codes and bare numbers without a keyword', () => {
    expect(summary('1-10月完成5万方土方，主体完成65%，G207国道3标段，浇筑300')).toEqual([])
  })

  it('marks approximate amounts', () => {
    expect(summary('完成投资约1200余万元，累计近1.1亿元左右')).toEqual([
      ['1200余万元', 12_000_000, '万元', false, true],
      ['1.1亿元', 110_000_000, '亿元', false, true],
    ])
  })

  it('reads 近千万元 but not 千万 as an adverb', () => {
    expect(summary('本月完成投资近千万元，千万注意安全')).toEqual([['千万元', 10_000_000, '千万元', false, true]])
  })
})
