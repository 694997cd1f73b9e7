/**
 * Issue 12 items 11–13: boards that read without a manual (colour chips, a unit on every figure, the score in one
 * plain sentence, its parts per unit, a chart whose axis shows the differences, leagues never mixed), the latest
 * published board and 通报 for a new group, and one configured county and office name on every card.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { harness, cardText } from '../harness.ts'
import { shanghaiTime } from '../../src/domain/time.ts'
import {
  boardCard,
  bulletinCard,
  colourChips,
  formatDay,
  gapText,
  helpCard,
  redYellowCard,
  scoreExplanation,
  scorePartsElement,
} from '../../src/cards/conversation.ts'
import { escalationCard, halfwayCard } from '../../src/cards/clock.ts'
import { boardUnits, monthBoard } from '../../src/services/monthly.ts'
import { leagueEnds, monthlyBulletin } from '../../src/services/bulletin.ts'
import { latestPublishedBoard, publishedMonthBoard, redYellowList } from '../../src/services/boards.ts'
import { DEFAULT_COUNTY, loadCounty, loadRules } from '../../src/services/rules.ts'
import { latestForGroup, postLatestToGroup } from '../../src/jobs/boards.ts'
import { renderCard as renderLocal, axisStart } from '../../src/channels/local/render.ts'
import { renderCard as renderFeishu } from '../../src/channels/feishu/render.ts'
import { setSetting } from '../../src/store/repos/settings.ts'
import { upsertGroup } from '../../src/store/repos/directory.ts'
import { outbox } from '../../src/store/schema.ts'
import { ratio } from '../../src/domain/ratio.ts'
import type { Card } from '../../src/model/index.ts'

type H = Awaited<ReturnType<typeof harness>>
let h: H
const now = shanghaiTime(2026, 11, 26, 10)
beforeAll(async () => {
  h = await harness({ now })
})
afterAll(() => h.close())

const tableOf = (card: Card) => card.elements.flatMap((e) => (e.kind === 'table' ? [e] : []))

describe('the 赛马 board reads plainly', () => {
  it('shows colour chips, 分, %, 个百分点 and the score in one plain sentence', async () => {
    const rules = await loadRules(h.db)
    const board = await monthBoard(h.db, rules, '2026-10', await boardUnits(h.db), now)
    const card = boardCard(board, { league: '乡镇', demo: true, county: rules.county })
    const [table] = tableOf(card)
    expect(table!.columns.map((c) => c.label)).toEqual(['名次', '单位', '得分(分)', '投资完成率', '较序时', '色牌 蓝/黄/红', '名次变化'])
    for (const row of table!.rows) {
      expect(String(row.cards)).toMatch(/^🔵\d+ 🟡\d+ 🔴\d+$/)
      expect(String(row.completion)).toMatch(/^\d+\.\d{2}%$/)
      expect(String(row.gap)).toMatch(/^[+-]?\d+\.\d{2} 个百分点$|^—$/)
    }
    expect(cardText(card)).not.toMatch(/\d+\/\d+\/\d+/)
    expect(card.subtitle).toBe(
      '得分按五项计：投资完成率（对照序时进度）40 分、开工率 20 分、入库纳统率 15 分、按时填报率 15 分、问题销号率 10 分；同一组别内比名次',
    )
    expect(card.subtitle).not.toContain('Σ')
    expect(card.title).toBe('2026年10月 示例县重点项目赛马比拼')
    expect(cardText(card)).toContain('发送「查 单位名」看该单位各项得分')
  })

  it('gives each unit its score’s parts, adding up to the score', async () => {
    const rules = await loadRules(h.db)
    const board = await monthBoard(h.db, rules, '2026-10', await boardUnits(h.db), now)
    for (const line of board.leagues.flatMap((l) => l.lines)) {
      expect(line.parts!.map((p) => p.label)).toEqual(['投资完成率', '开工率', '入库纳统率', '按时填报率', '问题销号率'])
      expect(line.parts!.reduce((s, p) => s + p.points, 0)).toBe(line.score)
    }
    const line = board.leagues[0]!.lines[0]!
    const el = scorePartsElement(line)
    expect(el.kind === 'markdown' && el.text).toMatch(
      new RegExp(
        `^\\*\\*得分 \\d+\\.\\d{2} 分\\*\\*（乡镇第 1 名）：投资完成率 \\d+\\.\\d{2}/40 分，开工率 \\d+\\.\\d{2}/20 分，入库纳统率 \\d+\\.\\d{2}/15 分，按时填报率 \\d+\\.\\d{2}/15 分，问题销号率 \\d+\\.\\d{2}/10 分$`,
      ),
    )
  })

  it('draws the chart with an axis near the lowest score, on Feishu and on the local page', async () => {
    const rules = await loadRules(h.db)
    const board = await monthBoard(h.db, rules, '2026-10', await boardUnits(h.db), now)
    const card = boardCard(board, { league: '乡镇', demo: true })
    const chart = card.elements.find((e) => e.kind === 'chart')
    expect(chart).toBeDefined()
    const json = JSON.stringify(renderFeishu(card))
    expect(json).toMatch(/"orient":"bottom","type":"linear","zero":false/)
    const vertical = JSON.stringify(
      renderFeishu({
        ...card,
        elements: [
          {
            kind: 'chart',
            bars: [
              { label: '甲', value: 92.88 },
              { label: '乙', value: 74.64 },
            ],
            unit: '分',
          },
        ],
      }),
    )
    expect(vertical).toMatch(/"orient":"left","type":"linear","zero":false/)

    const html = renderLocal({
      template: 't',
      colour: 'blue',
      title: 't',
      elements: [
        {
          kind: 'chart',
          bars: [
            { label: '甲', value: 92.88 },
            { label: '乙', value: 74.64 },
          ],
          unit: '分',
        },
      ],
    })
    const widths = [...html.matchAll(/width:([\d.]+)%/g)].map((m) => Number(m[1]))
    expect(widths[0]).toBe(100)
    expect(widths[1]).toBeLessThan(40) // 0-based it would be 80 %: the difference shows
    expect(html).toContain('横轴从 70分 起')
    expect(axisStart(74.64, 92.88)).toBe(70)
    expect(axisStart(5, 100)).toBe(0)
  })

  it('never mixes leagues: the 通报’s 前三 / 后三 are per league', async () => {
    const rules = await loadRules(h.db)
    const b = await monthlyBulletin(h.db, rules, '2026-10', now)
    expect(b.leagues.map((l) => l.league)).toEqual(['乡镇', '开发区', '县直部门'])
    const leagueOf = new Map(b.board.leagues.flatMap((l) => l.lines.map((x) => [x.unit, l.league])))
    for (const l of b.leagues) for (const name of [...l.top, ...l.bottom]) expect(leagueOf.get(name.replace(/（.*$/, ''))).toBe(l.league)
    const 乡镇 = b.board.leagues.find((l) => l.league === '乡镇')!.lines
    expect(b.leagues[0]!.top[0]).toContain(乡镇[0]!.unit)
    expect(b.leagues[0]!.bottom[0]).toContain(乡镇.at(-1)!.unit)
    // A league of one is named once, as its best.
    expect(b.leagues[1]!.top).toHaveLength(1)
    expect(b.leagues[1]!.bottom).toHaveLength(0)
    const text = cardText(bulletinCard(b, true, rules.county))
    expect(text).toMatch(/\*\*乡镇\*\* 前三：.+；后三：.+/)
    expect(text).toMatch(/\*\*县直部门\*\* 前三：/)
    expect(text).not.toContain('赛马前三')
    expect(leagueEnds([])).toEqual({ league: '', top: [], bottom: [] })
  })
})

describe('one county name and one office name', () => {
  it('reads the county setting with the rules; the demo sets 示例县 and its office', async () => {
    expect(await loadCounty(h.db)).toEqual({ name: '示例县', office: '县重点项目建设指挥部办公室' })
    expect((await loadRules(h.db)).county).toEqual({ name: '示例县', office: '县重点项目建设指挥部办公室' })
  })

  it('puts the configured names on every card built here, and dates as 12月7日', async () => {
    const county = { name: '清河县', office: '清河县重点项目办' }
    const rules = await loadRules(h.db)
    const board = await monthBoard(h.db, rules, '2026-10', await boardUnits(h.db), now)
    const b = await monthlyBulletin(h.db, rules, '2026-10', now)
    const cards = [
      boardCard({ ...board, skipped: [{ projectId: 1, code: 'X', field: 'ytd', reason: 'bad' } as never] }, { demo: false, county }),
      bulletinCard(b, false, county),
      redYellowCard('2026-10', await redYellowList(h.db, rules, '2026-10'), false, county),
      helpCard('张三', ['**填报**'], [], false, county),
      halfwayCard(
        { year: 2026, plan: 1, ytd: 1, completion: ratio(1, 1), met: true, projects: 1, projectsMet: 1, unitsBehind: [], projectsBehind: [] },
        false,
        county,
      ),
      escalationCard(
        {
          kind: 'problem',
          id: 7,
          ref: '#7',
          project: '甲项目',
          unit: '城关镇',
          matter: '林地',
          dueOn: '2026-12-07',
          overdueDays: 3,
          count: 1,
          rung: { level: 'notice', label: '通报', talkBy: null } as never,
        },
        false,
        county,
      ),
    ]
    const texts = cards.map(cardText)
    expect(texts.slice(0, 3).every((t) => t.includes('清河县'))).toBe(true)
    for (const t of texts.slice(1, 5)) expect(t).toMatch(/清河县/)
    for (const t of texts) {
      expect(t).not.toMatch(/指挥部办公室(?!主任|科员)|县重点项目办公室|县重点项目办(?!公室)(?<!清河县重点项目办)/)
      expect(t).not.toMatch(/\d{4}-\d{2}-\d{2}/)
    }
    expect(texts[0]).toContain('清河县重点项目办可用')
    expect(texts[1]).toContain('清河县重点项目办')
    expect(texts[5]).toContain('12月7日')
    expect(formatDay('2026-12-07')).toBe('12月7日')
    expect(gapText(ratio(1, 2), ratio(1, 4))).toBe('+25.00 个百分点')
    expect(colourChips({ blue: 3, yellow: 1, red: 0 })).toBe('🔵3 🟡1 🔴0')
    expect(
      scoreExplanation([
        { key: 'investment', label: '投资完成率', weight: 60 },
        { key: 'onTime', label: '按时填报率', weight: 40 },
      ]),
    ).toBe('得分按二项计：投资完成率（对照序时进度）60 分、按时填报率 40 分；同一组别内比名次')
  })

  it('a county without the setting reads as 本县 with the default office; a bad setting is an error', async () => {
    const t = await harness({ now })
    try {
      await setSetting(t.db, 'county', {})
      expect(await loadCounty(t.db)).toEqual(DEFAULT_COUNTY)
      await setSetting(t.db, 'county', { name: '' })
      await expect(loadCounty(t.db)).rejects.toThrow()
    } finally {
      t.close()
    }
  })
})

describe('a new group starts with the latest published board and 通报', () => {
  it('builds them from the published snapshot of the last closed month', async () => {
    const rules = await loadRules(h.db)
    const latest = await latestPublishedBoard(h.db, rules)
    expect(latest?.period).toBe('2026-10')
    const published = await publishedMonthBoard(h.db, rules, '2026-10')
    expect(published!.snapshot.period).toBe('2026-10')
    expect(await publishedMonthBoard(h.db, rules, '2026-11')).toBeUndefined()
    const g = await upsertGroup(h.db, 'local', 'group:test-new', '新建调度群', now.getTime())
    const messages = await latestForGroup(h.db, rules, g.id, now, true)
    expect(messages.map((m) => m.key)).toEqual([`board:monthly:2026-10:g${g.id}`, `bulletin:2026-10:g${g.id}`])
    const [board, bulletin] = messages.map((m) => (m.body.kind === 'card' ? m.body.card : undefined))
    expect(board!.title).toBe('2026年10月 示例县重点项目赛马比拼')
    expect(tableOf(board!)).toHaveLength(3) // each league its own table
    expect(bulletin!.title).toBe('2026年10月 示例县重点项目建设通报')
    expect(bulletin!.subtitle).toBe('县重点项目建设指挥部办公室')
  })

  it('queues them once for the local county group, and nothing before a month closed', async () => {
    const g = await upsertGroup(h.db, 'local', 'group:county-x', '示例县重点项目调度群', now.getTime())
    expect(await postLatestToGroup(h.db, g.id, now, ['local'])).toBe(2)
    await postLatestToGroup(h.db, g.id, now, ['local'])
    const rows = (await h.db.select().from(outbox).all()).filter((r) => r.address === `group:${g.id}`)
    expect(rows).toHaveLength(2)
    expect(rows.map((r) => r.key).sort()).toEqual([`board:monthly:2026-10:g${g.id}`, `bulletin:2026-10:g${g.id}`])

    const fresh = await harness({ now })
    try {
      fresh.sqlite.exec('delete from board_snapshots')
      const g2 = await upsertGroup(fresh.db, 'local', 'group:empty', '空群', now.getTime())
      expect(await latestForGroup(fresh.db, await loadRules(fresh.db), g2.id, now, true)).toEqual([])
    } finally {
      fresh.close()
    }
  })
})
