/**
 * checkReport refuses figures past the bounds as errors (nothing stored) with the reason (issue 11).
 */
import { describe, expect, it } from 'vitest'
import { checkReport, type ReportValues } from '../../src/services/reporting.ts'
import type { Project } from '../../src/store/repos/projects.ts'
import type { Round, Report } from '../../src/store/repos/rounds.ts'
import { MAX_AMOUNT_YUAN } from '../../src/domain/money.ts'

const WAN = 10_000
const project = { id: 1, code: 'XM2026-001', name: '城东污水处理厂', totalInvestment: 10_000 * WAN, annualPlan: 3_000 * WAN } as Project
const round = { id: 1, kind: 'monthly', period: '2026-10', opensAt: 0, deadlineAt: 0, closedAt: null } as Round
const previous = { period: '2026-09', report: { ytdInvestment: 1_000 * WAN } as Report }
const values = (v: Partial<ReportValues>): ReportValues => ({
  periodInvestment: null,
  ytdInvestment: 1_200 * WAN,
  progressPercent: null,
  progressText: '',
  problems: [],
  coordination: '',
  nextSteps: '',
  correctionReason: '',
  ...v,
})

describe('checkReport', () => {
  const errors: Array<[string, Partial<ReportValues>, RegExp | null]> = [
    ['a plain report', { periodInvestment: 200 * WAN }, null],
    ['本年累计 at exactly 3× 总投资 (a warning, not an error)', { ytdInvestment: 30_000 * WAN }, null],
    ['本年累计 above 3× 总投资', { ytdInvestment: 30_000 * WAN + 1 }, /本年累计 30,000.00 万元 超过项目总投资 10,000.00 万元 的 3 倍/],
    ['本期 above 3× 总投资', { periodInvestment: 40_000 * WAN, ytdInvestment: 1_500 * WAN }, /本期完成投资 40,000.00 万元 超过项目总投资/],
    ['a negative 本年累计', { ytdInvestment: -1_200 * WAN }, /本年累计不能为负数/],
    ['a negative 本期', { periodInvestment: -1_200 * WAN }, /本期完成投资不能为负数/],
    ['本年累计 past the per-figure bound', { ytdInvestment: MAX_AMOUNT_YUAN + 1 }, /本年累计超过单项金额上限/],
    ['本年累计 saturated by the parser', { ytdInvestment: Number.MAX_SAFE_INTEGER }, /本年累计超过单项金额上限/],
    ['a fractional 元', { ytdInvestment: 1_200.5 * WAN + 0.5 }, /本年累计不是整元金额/],
    ['形象进度 150%', { progressPercent: 150 }, /形象进度百分比应在 0–100 之间/],
    ['形象进度 -10%', { progressPercent: -10 }, /形象进度百分比应在 0–100 之间/],
    ['形象进度 NaN', { progressPercent: Number.NaN }, /形象进度百分比应在 0–100 之间/],
  ]
  it.each(errors)('%s', (_, v, want) => {
    const c = checkReport(values(v), project, round, previous)
    if (want === null) expect(c.errors).toEqual([])
    else expect(c.errors.join('；')).toMatch(want)
  })

  it('a refused 本年累计 asks no mismatch question and is not also "lower than last month"', () => {
    const c = checkReport(values({ ytdInvestment: -5, periodInvestment: 100 * WAN }), project, round, previous)
    expect(c.errors).toEqual(['本年累计不能为负数'])
    expect(c.mismatch).toBeNull()
  })

  it('a project with no 总投资 on record is only held to the per-figure bound', () => {
    const c = checkReport(values({ ytdInvestment: 50_000 * WAN }), { ...project, totalInvestment: 0 }, round, previous)
    expect(c.errors).toEqual([])
  })
})
