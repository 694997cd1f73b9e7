/**
 * Input that used to be misread (issue 11): signs, invisible characters, bad percentages, amounts past the bound.
 */
import { describe, expect, it } from 'vitest'
import {
  findAmounts,
  parseAmount,
  parseMessage,
  parseReply,
  readAmount,
  readPercent,
  stripInvisible,
  normalizeWidth,
} from '../../../src/domain/parse/index.ts'
import { MAX_AMOUNT_YUAN } from '../../../src/domain/money.ts'

const WAN = 10_000

describe('negative amounts are read as negative, so the checks can refuse them', () => {
  const cases: Array<[string, number | null, number | null]> = [
    // text, 本期 (万元), 本年累计 (万元)
    ['本月完成投资-1200万元，本年累计8600万元', -1200, 8600],
    ['本月完成投资负1200万元，本年累计8600万元', -1200, 8600],
    ['本月完成投资－1200万元，本年累计8600万元', -1200, 8600], // full-width minus
    ['本月完成投资−1200万元，本年累计8600万元', -1200, 8600], // U+2212
    ['本月完成投资 -1200，累计-8600', -1200, -8600], // bare numbers after keywords
    ['本年累计负8600万', null, -8600],
    // not signs: a range, a code, a word
    ['1-10月累计8600万元', null, 8600],
    ['G207-1200万元改造，本年累计100万元', 1200, 100], // a code's dash: positive, as before
    ['负责人说本月完成投资1200万元，累计8600万元', 1200, 8600],
  ]
  it.each(cases)('%s', (text, period, ytd) => {
    const m = parseMessage(text)
    expect(m.intent).toBe('report')
    expect([m.periodInvestment, m.ytdInvestment]).toEqual([period, ytd])
  })

  it('marks the match as negative and keeps the sign in its text', () => {
    const [a] = findAmounts('本月完成投资-1200万元')
    expect(a).toMatchObject({ text: '-1200万元', yuan: -1200 * WAN, negative: true, overflow: false })
  })

  const whole: Array<[string, number | null]> = [
    ['-1200', -1200 * WAN],
    ['负1200', -1200 * WAN],
    ['负1200万元', -1200 * WAN],
    ['-1.5亿', -150_000_000],
    ['－0', 0],
    ['--1200', null],
    ['1200-', null],
  ]
  it.each(whole)('parseAmount(%j) → %j', (text, yuan) => expect(parseAmount(text)).toBe(yuan))
})

describe('invisible characters are normalised away before parsing', () => {
  const invisible = ['\u200b', '\u200c', '\u200d', '\ufeff', '\u00ad', '\u2060', '\u202e']
  it.each(invisible.map((c) => [c.codePointAt(0)!.toString(16), c]))('U+%s inside 12·00万元 reads 1200万元', (_, c) => {
    expect(parseMessage(`本年累计12${c}00万元`).ytdInvestment).toBe(1200)
    expect(parseAmount(`12${c}00万元`)).toBe(1200 * WAN)
    expect(parseMessage(`本月完成投资1${c}2${c}0${c}0万元，本年累计86${c}00万元`)).toMatchObject({ periodInvestment: 1200, ytdInvestment: 8600 })
  })
  it('in words too: 填\\u200b报 is 填报, 主体\\u200b封顶 is kept without it', () => {
    expect(parseMessage('填\u200b报')).toMatchObject({ intent: 'command', command: 'report' })
    expect(parseReply('本年累计100万元，主体\u200b封顶').progressText).toBe('主体封顶')
  })
  it('odd spaces become plain spaces; line separators become line breaks', () => {
    expect(stripInvisible('a\u2003b\u202fc\u2028d')).toBe('a b c\nd')
    expect(normalizeWidth('１２\u200b００')).toBe('1200')
  })
})

describe('percentages: the right reason, never "enter a 万元 amount"', () => {
  const reply: Array<[string, number | null]> = [
    ['形象进度65%，本年累计100万元', 65],
    ['形象进度150%，本年累计100万元', 150], // kept as written: the check refuses it with its reason
    ['形象进度-10%，本年累计100万元', -10],
    ['形象进度负10%，本年累计100万元', -10],
    ['投资完成率120%，形象进度60%', 60], // a rate that is not 形象进度 is not taken
    ['完成年度计划的130%', null],
    ['形象进度10-20%', 20], // a range's dash is not a sign
    ['形象进度百分之abc，本年累计100万元', null],
  ]
  it.each(reply)('parseReply(%j).progressPercent → %j', (text, pct) => expect(parseReply(text).progressPercent).toBe(pct))

  const form: Array<[string, { ok: true; value: number } | { ok: false; reason: RegExp }]> = [
    ['65', { ok: true, value: 65 }],
    ['65%', { ok: true, value: 65 }],
    ['６５％', { ok: true, value: 65 }],
    ['65.5', { ok: true, value: 65.5 }],
    ['百分之六十五', { ok: true, value: 65 }],
    ['六十五%', { ok: true, value: 65 }],
    ['0', { ok: true, value: 0 }],
    ['100', { ok: true, value: 100 }],
    ['150', { ok: false, reason: /应在 0–100 之间/ }],
    ['150%', { ok: false, reason: /应在 0–100 之间/ }],
    ['-5', { ok: false, reason: /应在 0–100 之间/ }],
    ['百分之abc', { ok: false, reason: /不是有效的数字，请填写 0–100 之间的数/ }],
    ['abc', { ok: false, reason: /不是有效的数字/ }],
    ['5万', { ok: false, reason: /不是有效的数字/ }],
    ['', { ok: false, reason: /不是有效的数字/ }],
  ]
  it.each(form)('readPercent(%j)', (text, want) => {
    const r = readPercent(text)
    if (want.ok) expect(r).toEqual(want)
    else {
      expect(r.ok).toBe(false)
      if (!r.ok) {
        expect(r.reason).toMatch(want.reason)
        expect(r.reason).not.toMatch(/万元/)
      }
    }
  })
})

describe('readAmount: a form amount, or the reason it is refused', () => {
  const cases: Array<[string, number | RegExp]> = [
    ['1200', 1200 * WAN],
    ['1,250.5', 12_505_000],
    ['1.2亿', 120_000_000],
    ['9000000', MAX_AMOUNT_YUAN], // 900 亿 exactly: the largest accepted
    ['9000000.0001', /超过单项金额上限/],
    ['86000000', /超过单项金额上限 9,000,000 万元（900 亿元）/], // 元 typed into a 万元 field
    ['99999999999999999999999999', /超过单项金额上限/], // beyond 2^53: refused, never a float
    ['-1200', /本年累计不能为负数/],
    ['负1200', /本年累计不能为负数/],
    ['12a', /本年累计不是有效的金额/],
    ['', /本年累计不是有效的金额/],
  ]
  it.each(cases)('readAmount(%j)', (text, want) => {
    const r = readAmount(text, '本年累计')
    if (typeof want === 'number') expect(r).toEqual({ ok: true, yuan: want })
    else expect(r.ok ? 'ok' : r.reason).toMatch(want)
  })

  it('an amount beyond 2^53 元 in free text is flagged and saturates, so no inexact float is carried', () => {
    const [a] = findAmounts('本年累计99999999999999999999亿元')
    expect(a).toMatchObject({ overflow: true, yuan: Number.MAX_SAFE_INTEGER })
    expect(parseAmount('99999999999999999999亿元')).toBeNull()
  })
})
