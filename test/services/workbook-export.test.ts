/**
 * The 通报 workbook's 督办 sheet and its 开复工 / 双过半 lines, for the demo county after two 督办 typed by a
 * leader in chat: what the office hands the 指挥部 meeting.
 */
import { describe, expect, it } from 'vitest'
import * as XLSX from '@e965/xlsx'
import { Workbook } from '@cj-tech-master/excelts'
import { harness, promptForm } from '../harness.ts'
import { shanghaiTime } from '../../src/domain/time.ts'
import { exportMonth } from '../../src/services/workbook/export.ts'
import { monthlyBulletin } from '../../src/services/bulletin.ts'
import { loadRules } from '../../src/services/rules.ts'

describe('the 通报 workbook', () => {
  it('lists open 督办 overdue first, with working days left or past, and the 开复工 and 双过半 lines', async () => {
    const h = await harness({ now: shanghaiTime(2026, 11, 26, 10) })
    const leader = h.as('leader', { title: '县长' })
    const projects = h.sqlite.prepare('select code, name from projects order by id limit 2').all() as { code: string; name: string }[]
    await leader.send(`督办 ${projects[0]!.code} 加快管网施工`) // due 3 working days on: 12月1日
    h.at(shanghaiTime(2026, 12, 3, 10))
    await leader.send(`督办 ${projects[1]!.code} 解决用地报批`) // due 12月8日

    const bytes = await exportMonth(h.db, '2026-11', shanghaiTime(2026, 12, 4, 10))
    const wb = XLSX.read(bytes, { type: 'array' })
    expect(wb.SheetNames).toEqual(['总览', '乡镇排名', '开发区排名', '县直部门排名', '项目明细', '问题台账', '督办', '通报事项'])
    const rows = XLSX.utils.sheet_to_json<Record<string, unknown>>(wb.Sheets['督办']!)
    expect(rows.map((r) => [r['项目'], r['督办事项'], r['办理时限'], r['剩余工作日'], r['状态']])).toEqual([
      [projects[0]!.name, '加快管网施工', '2026-12-01', -3, '已逾期 3 个工作日'],
      [projects[1]!.name, '解决用地报批', '2026-12-08', 2, '督办中'],
    ])
    expect(rows[0]!['督办领导']).toBe(leader.person.name)
    const styled = new Workbook()
    await styled.xlsx.load(bytes)
    const sheet = styled.getWorksheet('督办')!
    expect(sheet.getCell(1, 1).font?.bold).toBe(true)
    expect((sheet.getCell(2, 9).fill as { fgColor?: { argb?: string } }).fgColor?.argb).toBe('FFFF7C80')
    expect(sheet.getCell(3, 9).fill).toBeUndefined()

    // 万元 amounts and percentages formatted as such, counts as plain numbers
    const formats = new Map<unknown, unknown>()
    styled.getWorksheet('总览')!.eachRow((row) => formats.set(row.getCell(1).value, row.getCell(2).numFmt))
    expect([...formats].filter(([, f]) => f)).toEqual([
      ['年度计划投资（万元）', '#,##0.00'],
      ['本年累计完成（万元）', '#,##0.00'],
      ['完成率（%）', '0.00"%"'],
      ['序时进度（%）', '0.00"%"'],
    ])
    const overview = new Map(XLSX.utils.sheet_to_json<[string, unknown]>(wb.Sheets['总览']!, { header: 1 }).map((r) => [r[0], r[1]]))
    expect(overview.get('计划新开工项目')).toBeGreaterThan(0)
    expect(Number(overview.get('其中已开工'))).toBeLessThanOrEqual(Number(overview.get('计划新开工项目')))
    expect(overview.get('开工率')).toMatch(/^\d+(\.\d)?%$/)
    expect(overview.get('续建项目')).toBeGreaterThan(0)
    expect(overview.get('双过半')).toMatch(/^(已实现|未实现)（1—6月完成 \d+\.\d+%，\d+\/\d+ 个项目过半）$/)
    // the 通报's named projects, as the 通报 card has them
    const named = XLSX.utils.sheet_to_json<Record<string, string>>(wb.Sheets['通报事项']!)
    const bulletin = await monthlyBulletin(h.db, await loadRules(h.db), '2026-11', shanghaiTime(2026, 12, 4, 10))
    expect(named.filter((r) => r['类别'] === '黄牌').map((r) => r['项目'])).toEqual(bulletin.yellow.map((p) => p.name))
    expect(named.filter((r) => r['类别'] === '红牌').map((r) => r['项目'])).toEqual(bulletin.red.map((p) => p.name))
    for (const i of bulletin.inspections) expect(named.filter((r) => r['类别'] === i.label)).toHaveLength(i.items.length)
    expect(named.length).toBeGreaterThan(0)
    // before June it says what is due by then
    const may = XLSX.read(await exportMonth(h.db, '2026-05', shanghaiTime(2026, 12, 4, 10)), { type: 'array' })
    const mayOverview = new Map(XLSX.utils.sheet_to_json<[string, unknown]>(may.Sheets['总览']!, { header: 1 }).map((r) => [r[0], r[1]]))
    expect(mayOverview.get('双过半')).toMatch(/^6月底前完成年度计划 50%：目前 \d+\.\d+%/)
    h.close()
  })
})

describe('a published month’s workbook', () => {
  it('is the month as published: a correction after it closed changes none of its rankings or its 项目明细', async () => {
    const h = await harness({ now: shanghaiTime(2026, 11, 26, 10) }) // October published on 30 Oct
    try {
      const project = h.sqlite
        .prepare(
          `select p.id, p.code, p.annual_plan plan from projects p join project_colours c on c.project_id = p.id and c.period = '2026-10'
           join units u on u.id = p.unit_id where c.colour = 'red' and u.league = '乡镇' order by p.id limit 1`,
        )
        .get() as { id: number; code: string; plan: number }
      const sheets = async () => {
        const wb = XLSX.read(await exportMonth(h.db, '2026-10', shanghaiTime(2026, 11, 26, 11)), { type: 'array' })
        return Object.fromEntries(
          ['乡镇排名', '开发区排名', '县直部门排名', '项目明细'].map((n) => [n, XLSX.utils.sheet_to_json(wb.Sheets[n]!, { header: 1 })]),
        )
      }
      const before = await sheets()
      expect((await h.as('office').send(`补报 ${project.code} 2026-10`)).all).toContain('已为')
      const contactId = (
        h.sqlite.prepare('select person_id id from project_contacts where project_id = ? order by person_id').get(project.id) as {
          id: number
        }
      ).id
      const contact = h.as(h.people.find((p) => p.id === contactId)!)
      const card = (await contact.inbox()).flatMap((b) => (b.kind === 'card' && b.card.template === 'report-prompt' ? [b.card] : [])).at(-1)!
      const form = promptForm(card)
      const corrected = await contact.click('submitReport', form.args, { ytd: String(project.plan / 10_000), progress: '更正' })
      expect(corrected.result.toast?.kind, corrected.all).toBe('success')
      // the correction is stored (the live month figure moved) …
      const live = h.sqlite.prepare(`select reported_ytd y from month_figures where project_id = ? and period = '2026-10'`).get(project.id) as {
        y: number
      }
      expect(live.y).toBe(project.plan)
      // … and October's workbook is what was published
      expect(await sheets()).toEqual(before)
    } finally {
      h.close()
    }
  }, 120_000)
})
