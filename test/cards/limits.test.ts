/**
 * Every card of the catalogue, built from the largest and most hostile inputs a county could store (12,000-character
 * 形象进度, names full of markup, thousands of units and problems, hundreds of late contacts), renders into Feishu
 * card JSON that passes validateCard, stays under 30 KB, and carries no user markup (issue 11).
 */
import { describe, expect, it } from 'vitest'
import type { Card, Mention } from '../../src/model/index.ts'
import { CARD_MAX_BYTES, renderBody, renderCard, validateCard } from '../../src/channels/feishu/render.ts'
import { renderCard as renderLocal } from '../../src/channels/local/render.ts'
import * as conv from '../../src/cards/conversation.ts'
import * as clock from '../../src/cards/clock.ts'
import { supervisionCard, type SupervisionView } from '../../src/cards/supervision.ts'
import { dispatchListCard, raisedCard } from '../../src/cards/dispatch.ts'
import { LIMITS, clip, inert, md, restoreClipped } from '../../src/cards/text.ts'
import type { Project } from '../../src/store/repos/projects.ts'
import type { Report, Round } from '../../src/store/repos/rounds.ts'
import type { BoardLine, MonthBoard, MonthView } from '../../src/services/monthly.ts'
import { ratio } from '../../src/domain/ratio.ts'
import { gapPoints, monthLinear } from '../../src/domain/schedule.ts'
import { LEAGUES } from '../../src/domain/scoring.ts'
import { MAX_AMOUNT_YUAN } from '../../src/domain/money.ts'

/** What a hostile person types: a mention of everyone, links, tags, emphasis, entities, controls, astral characters. */
const HOSTILE =
  '<at user_id="all">所有人</at><at id=all></at>[点我](https://evil.example)<a href="https://evil.example">链接</a>**粗**~~删~~`代码`#标题_斜_|\\&amp;"\u0000\u0007\u200b𠀀😀<font color=red>红</font>'
/** Three fillers: the hostile mix, all CJK (3 bytes each), all '<' (5 bytes each once escaped for markdown). */
const FILLERS = { hostile: HOSTILE, cjk: '县', angle: '<' } as const
type Filler = keyof typeof FILLERS

function text(filler: Filler, n = 12_000): string {
  const unit = FILLERS[filler]
  return unit.repeat(Math.ceil(n / unit.length)).slice(0, n)
}

function fixtures(f: Filler) {
  const long = text(f)
  const name = text(f, 500)
  const project = { id: 7, code: name, name, unitId: 1, sector: name, totalInvestment: MAX_AMOUNT_YUAN, annualPlan: 1 } as unknown as Project
  const supervisionView = (state: SupervisionView['state']): SupervisionView => ({
    id: 99_999,
    matter: long,
    project: name,
    issuer: name,
    state,
    replyDueOn: '2026-12-31',
    cadence: 'default',
    fields: { plan: long, unit: long, leader: long, person: long, deadline: long },
    returnReason: long,
  })
  const round = { id: 3, kind: 'monthly', period: '2026-11', opensAt: 0, deadlineAt: Date.UTC(2026, 10, 28, 10), closedAt: null } as Round
  const report = {
    id: 1,
    roundId: 3,
    projectId: 7,
    version: 99,
    current: true,
    periodInvestment: MAX_AMOUNT_YUAN,
    ytdInvestment: MAX_AMOUNT_YUAN,
    progressPercent: 100,
    progressText: long,
    problemsText: long,
    coordination: long,
    nextSteps: long,
    correctionReason: long,
    source: 'text',
    submittedAt: 0,
    firstSubmittedAt: 0,
  } as unknown as Report
  const completion = ratio(MAX_AMOUNT_YUAN, 1) // an absurd 完成率 from a 1 元 plan
  const schedule = monthLinear(11)
  const gap = gapPoints(completion, schedule)
  const view = {
    projectId: 7,
    unitId: 1,
    annualPlan: 1,
    planCurve: null,
    ytd: MAX_AMOUNT_YUAN,
    reported: true,
    onTime: false,
    urges: 99,
    previousColour: 'red',
    plannedNewStart: true,
    started: true,
    inStats: true,
    completion,
    schedule,
    verdict: { colour: 'red', band: 'red', gap, heldForUrges: false, repeated: true },
  } as unknown as MonthView
  const people: Mention[] = Array.from({ length: 600 }, (_, i) => ({ personId: i + 1, name }))
  const line = (i: number, league: (typeof LEAGUES)[number]): BoardLine => ({
    rank: i + 1,
    deltaRank: -(i + 1),
    unitId: i + 1,
    unit: name,
    league,
    score: 1_200_000,
    plan: MAX_AMOUNT_YUAN,
    ytd: MAX_AMOUNT_YUAN,
    completion,
    schedule,
    colours: { blue: 9999, watch: 9999, yellow: 9999, red: 9999, none: 9999 },
    projects: 9999,
    late: 9999,
  })
  const board: MonthBoard = {
    period: '2026-11',
    leagues: LEAGUES.map((l) => ({ league: l, lines: Array.from({ length: 2_000 }, (_, i) => line(i, l)) })),
    snapshot: {} as MonthBoard['snapshot'],
    skipped: Array.from({ length: 500 }, (_, i) => ({ projectId: i, field: '本年累计', reason: long })),
  }
  const problems = Array.from({ length: 2_000 }, (_, i) => ({ id: 100_000 + i, description: long, state: 'in_progress' as const }))
  const problemView = { id: 123_456, description: long, state: 'assigned' as const, project: name, unit: name, dueOn: name, note: long }
  const units = Array.from({ length: 2_000 }, (_, i) => ({ id: i + 1, name }))
  const award = { code: name, name, sector: name, annualPlan: 1, completion, schedule, gap }
  const many = <T>(n: number, v: T) => Array.from({ length: n }, () => v)
  const mention = (n: number) => people.slice(0, n)
  const cards: Array<[string, Card]> = [
    ['help', conv.helpCard(name, many(30, '**填报**：发送「填报」打开本期调度表'), [{ label: '填报', command: 'report' }], true)],
    [
      'unit-status',
      conv.unitStatusCard({ name, league: name }, '2026-11', { rank: 9999, completion, schedule }, many(2_000, { ...view, name }), true),
    ],
    ['report-prompt', conv.reportPromptCard({ project, round, previous: report, current: report, openProblems: problems, demo: true })],
    [
      'report-confirm',
      conv.reportConfirmCard(
        project,
        round,
        {
          periodInvestment: Number.MAX_SAFE_INTEGER,
          ytdInvestment: -Number.MAX_SAFE_INTEGER,
          progressPercent: 150,
          progressText: long,
          problems: many(500, long),
          coordination: long,
          nextSteps: long,
          correctionReason: long,
        },
        many(10, long),
        many(200, long),
      ),
    ],
    ['receipt', conv.receiptCard(project, round, report, view, true)],
    ...(['before', 'deadline', 'overdue', 'manual'] as const).map((k): [string, Card] => [
      `reminder-${k}`,
      conv.reminderCard(project, round, k, name),
    ]),
    ['project-status', conv.projectStatusCard({ project, unit: name, period: '2026-11', view, latest: report, openProblems: problems }, true)],
    ['leaderboard-all', conv.boardCard(board, { late: mention(600), demo: true })],
    ['leaderboard-one', conv.boardCard(board, { league: '乡镇', late: mention(600), demo: true, title: name })],
    [
      'red-yellow',
      conv.redYellowCard(
        '2026-11',
        [
          ...many(2_000, { code: name, name, unit: name, colour: 'red' as const, detail: long }),
          ...many(2_000, { code: name, name, unit: name, colour: 'yellow' as const, detail: long }),
        ],
        true,
      ),
    ],
    ['supervision', supervisionCard(supervisionView('returned'), 'unit')],
    ['supervision-replied', supervisionCard(supervisionView('replied'), 'issuer')],
    [
      'problem-raised',
      raisedCard(
        { ...problemView, leader: name, person: name, plan: long, severity: 'major', level: name },
        { key: 'vice', label: name },
        long,
        many(500, { at: name, person: name, note: long }),
        true,
      ),
    ],
    [
      'dispatch-list',
      dispatchListCard(
        name,
        many(4, name),
        many(2_000, { id: 123_456, project: name, description: long, unit: name, state: 'assigned' as const, dueOn: '2026-12-31', since: name }),
        many(2_000, { id: 99_999, project: name, matter: long, state: 'returned' as const, replyDueOn: '2026-12-31' }),
        true,
      ),
    ],
    ['problem', conv.problemCard(problemView, name, many(6, { label: '更新进展', command: 'update', args: { problemId: 123_456 } }))],
    ['problem-list', conv.problemListCard(name, many(2_000, problemView), true)],
    [
      'bulletin',
      conv.bulletinCard(
        {
          period: '2026-11',
          plan: 100_000 * MAX_AMOUNT_YUAN,
          ytd: 100_000 * MAX_AMOUNT_YUAN,
          completion: '100.00%',
          schedule: '91.67%',
          gap: '超序时 8.33 个百分点',
          colours: { blue: 99_999, watch: 99_999, yellow: 99_999, red: 99_999, none: 99_999 },
          top: many(3, name),
          bottom: many(3, name),
          late: many(2_000, name),
          openProblems: 99_999,
          overdueProblems: 99_999,
        },
        true,
      ),
    ],
    ['report-mismatch', conv.reportMismatchCard(project, long)],
    ['new-problem', conv.newProblemCard(problemView, units)],
    ['catch-up', clock.catchUpCard(many(500, long), many(20, { label: name, command: 'report', args: { target: name } }), 0, true)],
    ['late-card', (clock.markLate({ kind: 'card', card: supervisionCard(supervisionView('open'), 'unit') }, 0) as { card: Card }).card],
    ['overdue-head', clock.overdueHeadCard(name, round, many(2_000, { name, contacts: mention(50) }), true)],
    [
      'weekly-board',
      clock.weeklyBoardCard(
        {
          period: '2026-W48',
          hadRound: false,
          schedule,
          leagues: LEAGUES.map((l) => ({
            league: l,
            lines: Array.from({ length: 2_000 }, (_, i) => ({
              rank: i + 1,
              unit: name,
              projects: 9999,
              reported: 9999,
              onTime: 9999,
              week: MAX_AMOUNT_YUAN,
              ytd: MAX_AMOUNT_YUAN,
              plan: 1,
              completion,
            })),
          })),
          late: mention(600),
        },
        true,
      ),
    ],
    [
      'awards',
      clock.awardsCard({ quarter: '2026-Q3', metric: 'gap', sectors: [], antelope: many(200, award), snail: many(200, award) }, () => name, true),
    ],
    [
      'halfway',
      clock.halfwayCard(
        {
          year: 2026,
          plan: MAX_AMOUNT_YUAN,
          ytd: 0,
          completion,
          met: false,
          projects: 99_999,
          projectsMet: 0,
          unitsBehind: many(2_000, { unit: name, completion, shortfall: MAX_AMOUNT_YUAN }),
          projectsBehind: many(2_000, { name, unit: name, completion, shortfall: MAX_AMOUNT_YUAN }),
        },
        true,
      ),
    ],
    [
      'escalation',
      clock.escalationCard(
        {
          kind: 'supervision',
          id: 1,
          ref: name,
          project: name,
          unit: name,
          matter: long,
          dueOn: name,
          overdueDays: 999,
          count: 99,
          rung: { fromNotices: 3, level: 'mainLeader', label: name, talkBy: name },
        } as unknown as clock.EscalationNotice,
        true,
      ),
    ],
  ]
  return cards
}

/**
 * What Feishu would interpret in markdown content: our own mentions look like `<at id=ou_…></at>`; any other tag,
 * link or the user's bold came from a user. (Plain-text places — titles, table cells, buttons — are not read as
 * markup by Feishu, so a typed `<at>` there is shown as typed.)
 */
function leaks(markdown: string): string[] {
  const found: string[] = []
  const withoutOurs = markdown.replace(/<at id=ou_[A-Za-z0-9_]+><\/at>/g, '')
  for (const [what, re] of [
    ['<at', /<at\b/],
    ['<a ', /<a\s/],
    ['<font color=red', /<font color=red/],
    ['markdown link', /\]\(https?:/],
    ['user bold', /\*\*粗\*\*/],
  ] as const)
    if (re.test(withoutOurs)) found.push(what)
  return found
}

/** The content of every markdown component of a rendered card, wherever it sits. */
function markdownOf(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(markdownOf)
  if (typeof node !== 'object' || node === null) return []
  const n = node as Record<string, unknown>
  const own = n.tag === 'markdown' || n.tag === 'lark_md' ? [String(n.content)] : []
  return [...own, ...Object.values(n).flatMap(markdownOf)]
}

const resolveMention = (id: number) => `ou_${String(id).padStart(32, 'f')}` // Feishu open_ids are ~35 characters

describe.each(Object.keys(FILLERS) as Filler[])('every card at its limits (%s text)', (filler) => {
  const cards = fixtures(filler)
  it.each(cards.map(([kind, card]) => [kind, card] as const))('%s renders valid, under 30 KB, with no user markup', (_, card) => {
    const json = renderCard(card, { resolveMention })
    expect(validateCard(json)).toEqual([])
    const str = JSON.stringify(json)
    const bytes = new TextEncoder().encode(str).length
    expect(bytes).toBeLessThan(CARD_MAX_BYTES)
    if (process.env.CARD_SIZES) console.log(`${filler} ${card.template} ${bytes}`)
    expect(leaks(markdownOf(json).join('\n'))).toEqual([])
    expect(renderLocal(card)).not.toMatch(/<at\b|<a\s|<strong>粗<\/strong>/)
  })
  it('covers every template of the catalogue', () => {
    expect(new Set(cards.map(([, c]) => c.template)).size).toBeGreaterThanOrEqual(20)
  })
})

describe('text helpers', () => {
  it('clip cuts to max with 「…」 and never splits a surrogate pair', () => {
    expect(clip('林地手续未批复', 4)).toBe('林地手…')
    expect(clip('短', 4)).toBe('短')
    expect(clip('ab😀cd', 4)).toBe('ab…') // the emoji would have been cut in half
    expect(clip(null, 4)).toBe('')
  })
  it('inert breaks ** and strips controls; md keeps our markup and inerts values', () => {
    expect(inert('**x**\u0000')).toBe('*\u200b*x*\u200b*')
    expect(md`**督办事项**：${'**y** <at id=all>'}`).toBe('**督办事项**：*\u200b*y*\u200b* <at id=all>')
  })
  it('restoreClipped gives back the stored text when the clipped prefill comes back unchanged', () => {
    const long = '主体'.repeat(1_000)
    expect(restoreClipped(clip(long, LIMITS.input), long)).toBe(long)
    expect(restoreClipped(`${clip(long, LIMITS.input)} `, long)).toBe(long)
    expect(restoreClipped('主体封顶', long)).toBe('主体封顶')
    expect(restoreClipped('主体封顶', '主体封顶')).toBe('主体封顶')
  })
  it('a text message echoing hostile input is inert too', () => {
    const out = JSON.parse(renderBody({ kind: 'text', text: `没有看懂「${HOSTILE}」` }).content).text as string
    expect(leaks(out)).toEqual([])
    expect(out).not.toMatch(/<|>/)
  })
})
