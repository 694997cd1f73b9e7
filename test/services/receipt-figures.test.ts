/**
 * The 确认's receipt works out its month figures before the report's writes (so a D1 unit stays one batch,
 * src/runtime/workers/d1.ts): `figuresAfterReport` must give what month_figures holds once the report is stored,
 * or a receipt would show a colour the board does not. Real SQLite, the demo county, the product's own writes.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { openNodeDatabase } from '../../src/runtime/node/sqlite.ts'
import { loadDemoCounty } from '../../src/demo/county.ts'
import { projectMonths } from '../../src/services/monthly.ts'
import { applyStarts, figuresAfterReport, planStarts } from '../../src/services/reporting.ts'
import { roundByKey, submitReport, type ReportInput } from '../../src/store/repos/rounds.ts'
import { shanghaiTime } from '../../src/domain/time.ts'
import { reports } from '../../src/store/schema.ts'
import { eq } from 'drizzle-orm'

const now = shanghaiTime(2026, 11, 22, 10)
let db: ReturnType<typeof openNodeDatabase>

beforeAll(async () => {
  db = openNodeDatabase(':memory:')
  await loadDemoCounty(db.db, now)
})

async function storeAndCompare(input: Omit<ReportInput, 'roundId' | 'source'>) {
  const round = (await roundByKey(db.db, 'monthly', '2026-10'))!
  const [before] = await projectMonths(db.db, round.period, { projectId: input.projectId })
  const incoming = { roundId: round.id, startStatus: input.startStatus ?? null, startedOn: input.startedOn ?? null, statsOn: input.statsOn ?? null }
  const change = await planStarts(db.db, input.projectId, incoming)
  const report = await submitReport(db.db, { ...input, roundId: round.id, source: 'text' })
  await applyStarts(db.db, change, input.submittedAt, null)
  const [after] = await projectMonths(db.db, round.period, { projectId: input.projectId })
  expect(figuresAfterReport(before!, round.period, round, report, change)).toEqual(after)
  // The row built in code is the row stored.
  expect(report).toEqual(await db.db.select().from(reports).where(eq(reports.id, report.id)).get())
  return { before: before!, after: after!, change }
}

/**
 * Projects that have not started (no 开工, no 复工, not in the statistics), by whether they reported in October
 * (undefined: not late, either way).
 */
const projectsWhere = (reported?: boolean) =>
  (
    db.sqlite
      .prepare(
        `select p.id from projects p where p.active = 1 and p.year = 2026 and p.started_on is null and p.resumed_on is null and p.in_stats = 0
          and ${reported ? '' : 'not'} exists (select 1 from reports r join rounds o on o.id = r.round_id where o.period = '2026-10' and r.project_id = p.id and r.current = 1
            ${reported === undefined ? 'and r.first_submitted_at > o.deadline_at' : ''})
          order by p.id limit 2`,
      )
      .all() as { id: number }[]
  ).map((r) => r.id)

/** Projects with no October report. */
const unreported = () =>
  (
    db.sqlite
      .prepare(
        `select p.id from projects p where p.active = 1 and p.year = 2026
          and not exists (select 1 from reports r join rounds o on o.id = r.round_id where o.period = '2026-10' and r.project_id = p.id and r.current = 1)
          order by p.id`,
      )
      .all() as { id: number }[]
  ).map((r) => r.id)

describe('the receipt’s figures, worked out before the report is stored', () => {
  it('a correction with a 开工 and 入库 in the month: 累计, on time, started and in the statistics as the board will read them', async () => {
    const [id] = projectsWhere(true)
    expect(id).toBeDefined()
    const round = (await roundByKey(db.db, 'monthly', '2026-10'))!
    const { before, after, change } = await storeAndCompare({
      projectId: id!,
      periodInvestment: 5_000_000,
      ytdInvestment: 88_000_000,
      startStatus: 'started',
      startedOn: '2026-10-08',
      statsOn: '2026-10-20',
      correctionReason: '更正',
      submittedAt: round.deadlineAt + 86_400_000,
    })
    expect(change).not.toBeNull()
    expect([before.started, after.started, after.inStats, after.ytd]).toEqual([false, true, true, 88_000_000])
  })

  it('a first report after the deadline with nothing about starts: reported, late, starts unchanged', async () => {
    const [id] = unreported()
    expect(id).toBeDefined()
    const round = (await roundByKey(db.db, 'monthly', '2026-10'))!
    const { after, change } = await storeAndCompare({
      projectId: id!,
      periodInvestment: null,
      ytdInvestment: 1_000_000,
      submittedAt: round.deadlineAt + 1,
    })
    expect(change).toBeNull()
    expect([after.reported, after.onTime, after.ytd]).toEqual([true, false, 1_000_000])
  })

  it('a 复工 on the month’s last day counts in the month; a report before the deadline is on time', async () => {
    const [id] = projectsWhere() // not started and not late: the first test's project has started now
    expect(id).toBeDefined()
    const round = (await roundByKey(db.db, 'monthly', '2026-10'))!
    const { after } = await storeAndCompare({
      projectId: id!,
      periodInvestment: null,
      ytdInvestment: 2_000_000,
      startStatus: 'resumed',
      startedOn: '2026-10-31',
      statsOn: null,
      submittedAt: round.deadlineAt - 1,
    })
    expect([after.started, after.onTime]).toEqual([true, true])
  })
})
