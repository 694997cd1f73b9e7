/**
 * The 开复工台账 (「开复工」) and the quarter-end 开复工 check: each project 新建 / 续建, its planned start and its
 * 开工 / 复工 date or 未开工, against the county's targets (domain/starts.ts).
 */
import type { Card, CardElement } from '../model/index.ts'
import { demoNote, formatDay } from './conversation.ts'
import { DEFAULT_COUNTY, type CountyNames } from '../services/rules.ts'
import { LIMITS, capList, cell, clip, md } from './text.ts'
import { describeCheck, startedBy, type StartRow, type TargetCheck } from '../domain/starts.ts'
import type { StartsOverview } from '../services/starts.ts'

/** At most this many rows in the 台账 table; the rest are counted. */
const LEDGER_ROWS = 40

const day = (d: string | null) => (d ? formatDay(d) : '—')
/** 新建 before 续建 (a missed 开工 weighs more than a late 复工), then by planned start. */
const newFirst = (a: StartRow, b: StartRow) =>
  Number(b.isNew) - Number(a.isNew) || (a.plannedStart ?? '').localeCompare(b.plannedStart ?? '') || a.id - b.id

/** 「3月15日开工」, 「3月2日复工」, 「未开工」 / 「未复工」 for this year. */
export function startState(r: StartRow, year: number, asOf: string): string {
  if (r.isNew) {
    const on = startedBy(r, 'new', year, asOf)
    return on ? `${formatDay(on)}开工` : '未开工'
  }
  const on = startedBy(r, 'continuing', year, asOf)
  return on ? `${formatDay(on)}复工` : '未复工'
}

function targetLines(checks: readonly TargetCheck[]): CardElement {
  return {
    kind: 'markdown',
    text: md`**开复工目标**\n${capList(
      checks.map((c) => `${c.met ? '✅' : c.due ? '❌' : '⏳'} ${clip(describeCheck(c), LIMITS.text)}`),
      10,
    ).join('\n')}`,
  }
}

/** 「开复工」: the 台账 (projects not yet started first) and the targets as of today. */
export function startsLedgerCard(o: StartsOverview, scope: string, demo: boolean, county: CountyNames = DEFAULT_COUNTY): Card {
  const waiting = (r: StartRow) => (r.isNew ? startedBy(r, 'new', o.year, o.asOf) : startedBy(r, 'continuing', o.year, o.asOf)) === null
  const rows = [...o.rows].sort((a, b) => Number(waiting(b)) - Number(waiting(a)) || newFirst(a, b))
  const newOnes = o.rows.filter((r) => r.isNew)
  const started = newOnes.filter((r) => !waiting(r)).length
  const continuing = o.rows.filter((r) => !r.isNew)
  const resumed = continuing.filter((r) => !waiting(r)).length
  return {
    template: 'starts-ledger',
    colour: o.checks.some((c) => c.due && !c.met) ? 'orange' : 'blue',
    title: `${o.year}年${cell(scope)}重点项目开复工台账`,
    subtitle: `截至 ${formatDay(o.asOf)}：新建 ${started}/${newOnes.length} 个已开工，续建 ${resumed}/${continuing.length} 个已复工`,
    elements: [
      targetLines(o.checks),
      {
        kind: 'table',
        columns: [
          { key: 'name', label: '项目' },
          { key: 'unit', label: '责任单位' },
          { key: 'nature', label: '性质' },
          { key: 'planned', label: '计划开工' },
          { key: 'state', label: '开复工' },
        ],
        rows: rows.slice(0, LEDGER_ROWS).map((r) => ({
          name: cell(r.name),
          unit: cell(r.unit),
          nature: r.isNew ? '新建' : '续建',
          planned: day(r.plannedStart),
          state: startState(r, o.year, o.asOf),
        })),
      },
      ...(rows.length > LEDGER_ROWS ? [{ kind: 'note' as const, text: `另有 ${rows.length - LEDGER_ROWS} 个项目未列出（均已开复工）` }] : []),
      {
        kind: 'note',
        text: `开工、复工、入库在调度填报中登记，例如「已于3月15日开工」「3月2日复工」「本月已入库」。${clip(county.office, LIMITS.name)}`,
      },
      ...demoNote(demo),
    ],
  }
}

/** The quarter-end check: each target due by now, met or not, and the projects behind, named with their unit. */
export function startsCheckCard(o: StartsOverview, quarter: string, demo: boolean, county: CountyNames = DEFAULT_COUNTY): Card {
  const due = o.checks.filter((c) => c.due)
  const failed = due.filter((c) => !c.met)
  const behind = new Map<number, { row: StartRow; targets: string[] }>()
  for (const c of failed)
    for (const r of c.behind) {
      const b = behind.get(r.id) ?? { row: r, targets: [] }
      b.targets.push(c.target.label)
      behind.set(r.id, b)
    }
  const list = [...behind.values()].sort((a, b) => newFirst(a.row, b.row))
  return {
    template: 'starts-check',
    colour: failed.length ? 'red' : 'green',
    title: `${o.year}年${quarter}${cell(county.name)}重点项目开复工检查`,
    subtitle: failed.length ? `${failed.length} 项目标未完成，${list.length} 个项目未按期开复工` : '到期的开复工目标均已完成',
    elements: [
      targetLines(o.checks),
      ...(list.length
        ? [
            {
              kind: 'table' as const,
              columns: [
                { key: 'name', label: '未按期开复工项目' },
                { key: 'unit', label: '责任单位' },
                { key: 'nature', label: '性质' },
                { key: 'planned', label: '计划开工' },
              ],
              rows: list.slice(0, LEDGER_ROWS).map(({ row }) => ({
                name: cell(row.name),
                unit: cell(row.unit),
                nature: row.isNew ? '新建' : '续建',
                planned: day(row.plannedStart),
              })),
            },
            ...(list.length > LEDGER_ROWS ? [{ kind: 'note' as const, text: `另有 ${list.length - LEDGER_ROWS} 个项目未列出` }] : []),
          ]
        : []),
      ...demoNote(demo),
      { kind: 'actions', buttons: [{ label: '查看开复工台账', command: 'starts' }] },
    ],
  }
}
