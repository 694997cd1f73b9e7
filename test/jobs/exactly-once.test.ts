/**
 * Exactly once: concurrent ticks (two connections, and three separate processes) on one database, a tick
 * five hours late, the quiet hours, a crashed tick taken over, and a dry run that writes nothing.
 */
import { describe, expect, it } from 'vitest'
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { openNodeDatabase } from '../../src/runtime/node/sqlite.ts'
import { formatTickReport, runTick } from '../../src/jobs/tick.ts'
import { claimJob } from '../../src/store/repos/job-runs.ts'
import { setSetting } from '../../src/store/repos/settings.ts'
import { shanghaiTime } from '../../src/domain/time.ts'
import { all, demoCounty, one, outboxRows, tempDbPath } from './helpers.ts'
import type { Card } from '../../src/model/index.ts'

const at = (m: number, d: number, h = 0, min = 0) => shanghaiTime(2026, m, d, h, min)
const CHILD = fileURLToPath(new URL('./tick-child.ts', import.meta.url))

function child(path: string, when: Date, startAt: number): Promise<{ queued: number; messages: number; jobs: [string, string, string][] }> {
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      ['--experimental-strip-types', CHILD, path, when.toISOString(), String(startAt)],
      { timeout: 30_000 },
      (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(JSON.parse(stdout))),
    ),
  )
}

/** Contacts of the monthly round's projects, and how many projects each has. */
function contactLoad(c: { sqlite: Parameters<typeof all>[0] }) {
  return new Map(
    all<{ person_id: number; n: number }>(
      c.sqlite,
      `select pc.person_id, count(*) n from project_contacts pc join projects p on p.id = pc.project_id
       where p.active = 1 and p.year = 2026 group by pc.person_id`,
    ).map((r) => [r.person_id, r.n]),
  )
}

describe('exactly once', () => {
  it('two ticks at the same instant on two connections queue each message once', async () => {
    const path = tempDbPath()
    const c = await demoCounty(at(11, 20, 10), path)
    const other = openNodeDatabase(path)
    const [a, b] = await Promise.all([runTick(c.db, at(11, 25, 9)), runTick(other.db, at(11, 25, 9))])
    const prompts = outboxRows(c, 'open:monthly:2026-11:')
    const pairs = one<{ n: number }>(
      c.sqlite,
      `select count(*) n from project_contacts pc join projects p on p.id = pc.project_id where p.active = 1 and p.year = 2026`,
    ).n
    expect(prompts).toHaveLength(pairs)
    expect(new Set(prompts.map((r) => r.key)).size).toBe(pairs)
    // One of them ran the job, the other found it taken.
    const statuses = [...a.jobs, ...b.jobs]
      .filter((j) => j.job === 'open:monthly')
      .map((j) => j.status)
      .sort()
    expect(statuses).toEqual(['busy', 'ran'])
    expect(a.queued + b.queued).toBe(one<{ n: number }>(c.sqlite, 'select count(*) n from outbox').n)
    expect(one<{ n: number }>(c.sqlite, `select count(*) n from rounds where period = '2026-11'`).n).toBe(1)
    other.close()
    c.close()
  })

  it('three processes ticking together at the deadline send each reminder once', async () => {
    const path = tempDbPath()
    const c = await demoCounty(at(11, 20, 10), path)
    // The clock as it runs: the round opens on the 25th, the courtesy reminder goes out on Friday the 27th (the
    // working day before Monday's deadline), so the deadline-day reminder is due on time, not folded into a
    // catch-up of a reminder nobody sent.
    await runTick(c.db, at(11, 25, 9))
    await runTick(c.db, at(11, 27, 9))
    const startAt = Date.now() + 1500
    const results = await Promise.all([0, 1, 2].map(() => child(path, at(11, 30, 9), startAt)))
    const reminders = outboxRows(c, 'remind:deadline:monthly:2026-11:')
    const pairs = one<{ n: number }>(
      c.sqlite,
      `select count(*) n from project_contacts pc join projects p on p.id = pc.project_id where p.active = 1 and p.year = 2026`,
    ).n
    expect(reminders).toHaveLength(pairs)
    expect(results.reduce((s, r) => s + r.queued, 0)).toBe(
      one<{ n: number }>(c.sqlite, `select count(*) n from outbox where created_at = ?`, at(11, 30, 9).getTime()).n,
    )
    expect(one<{ n: number }>(c.sqlite, `select count(*) n from reminders where kind = 'deadline'`).n).toBe(pairs)
    expect(results.flatMap((r) => r.jobs).filter(([job, , status]) => job === 'remind:deadline:monthly' && status === 'ran')).toHaveLength(1)
    c.close()
  }, 40_000)

  it('a tick five hours late sends each contact one catch-up, not a pile', async () => {
    const c = await demoCounty(at(11, 20, 10), ':memory:', { ledger: false })
    expect((await runTick(c.db, at(11, 25, 8, 55))).jobs).toEqual([])
    const before = one<{ n: number }>(c.sqlite, 'select max(id) n from outbox').n
    const r = await runTick(c.db, at(11, 25, 14))
    expect(r.jobs.map((j) => [j.job, j.late])).toEqual([['open:monthly', true]])
    const rows = outboxRows(c).filter((x) => x.id > before)
    const load = contactLoad(c)
    expect(rows.map((x) => x.address).sort()).toEqual([...load.keys()].map((id) => `person:${id}`).sort())
    for (const row of rows) {
      const card = (row.body as { card: Card }).card
      const person = Number(row.address.slice('person:'.length))
      if (load.get(person) === 1) {
        // One project: the prompt itself, marked as sent late.
        expect(card.template).toBe('report-prompt')
        expect(card.elements[0]).toEqual({ kind: 'note', text: '补发：原定 11月25日 09:00 发送' })
      } else {
        expect(card.template).toBe('catch-up')
        const list = card.elements[0]!
        expect(list.kind === 'markdown' && list.text.split('\n')).toHaveLength(load.get(person)!)
      }
    }
    expect(r.catchUp).toEqual({ recipients: load.size, merged: [...load.values()].reduce((s, n) => s + n, 0) })
    // An hour late is still on time: the next reminder goes out as usual, one card per project.
    const r2 = await runTick(c.db, at(11, 27, 10))
    expect(r2.jobs.map((j) => [j.job, j.late])).toEqual([['remind:before:monthly', false], ...r2.jobs.slice(1).map((j) => [j.job, j.late])])
    expect(r2.catchUp.recipients).toBe(0)
    c.close()
  })

  it('a first tick on the deadline day folds the day’s 催办 into the catch-up: one message per contact', async () => {
    // The server starts on the morning of the deadline (Mon 30 November 09:05): the opening prompts of the
    // 25th and the reminder of the 27th are late, the deadline-day reminder of 09:00 is on time.
    const c = await demoCounty(at(11, 20, 10), ':memory:', { ledger: false })
    const r = await runTick(c.db, at(11, 30, 9, 5))
    const monthly = r.jobs.filter((j) => j.period === '2026-11').map((j) => [j.job, j.late])
    expect(monthly).toEqual([
      ['open:monthly', true],
      ['remind:before:monthly', true],
      ['remind:deadline:monthly', false],
    ])
    const load = contactLoad(c)
    for (const [person, projects] of load) {
      const mine = outboxRows(c).filter((x) => x.address === `person:${person}` && !x.key.includes('weekly'))
      // Weekly prompts are their own topic (and on time); for the monthly round each contact gets one message.
      const monthlyCards = mine.map((x) => (x.body as { card: Card }).card)
      expect(monthlyCards, `person ${person}`).toHaveLength(1)
      const card = monthlyCards[0]!
      if (projects === 1) {
        // One project: today's 催办 itself, on time, with its 填报 button.
        expect(card.template).toBe('reminder')
        expect(JSON.stringify(card)).not.toContain('补发')
      } else {
        expect(card.template).toBe('catch-up')
        const list = card.elements[0]!
        expect(list.kind === 'markdown' && list.text.split('\n')).toHaveLength(projects)
        expect(list.kind === 'markdown' && list.text.split('\n').every((l) => l.includes('尚未填报，截止 11月30日 18:00'))).toBe(true)
      }
    }
    expect(outboxRows(c, 'remind:deadline:monthly:2026-11:').filter((x) => load.get(Number(x.address.slice(7)))! > 1)).toEqual([])
    // The 催办 still count: the deadline reminders are recorded for every project.
    expect(one<{ n: number }>(c.sqlite, `select count(*) n from reminders where kind = 'deadline'`).n).toBe(
      [...load.values()].reduce((s, n) => s + n, 0),
    )
    c.close()
  })

  it('does nothing in the quiet hours and sends at 07:30 what fell due in them', async () => {
    const c = await demoCounty(at(11, 20, 10), ':memory:', { ledger: false })
    await setSetting(c.db, 'dispatch', { monthly: { openTime: '23:00' } })
    const quiet = await runTick(c.db, at(11, 25, 23, 5))
    expect(quiet).toMatchObject({ quiet: true, resumesAt: at(11, 26, 7, 30).toISOString(), jobs: [] })
    expect(await runTick(c.db, at(11, 26, 3))).toMatchObject({ quiet: true, jobs: [] })
    expect(outboxRows(c, 'open:monthly:')).toHaveLength(0)
    const morning = await runTick(c.db, at(11, 26, 7, 30))
    expect(morning.jobs.map((j) => [j.job, j.late])).toEqual([['open:monthly', false]])
    expect(outboxRows(c, 'open:monthly:').every((r) => r.createdAt === at(11, 26, 7, 30).getTime())).toBe(true)
    c.close()
  })

  it('takes over a job a crashed tick claimed and never finished, without sending twice', async () => {
    const c = await demoCounty(at(11, 20, 10))
    await runTick(c.db, at(11, 20, 10))
    // A tick claimed the opening at 09:00 and died.
    expect(await claimJob(c.db, 'open:monthly', '2026-11', at(11, 25, 9).getTime(), 600_000)).toBe('claimed')
    const soon = await runTick(c.db, at(11, 25, 9, 5))
    expect(soon.jobs.filter((j) => j.job === 'open:monthly').map((j) => j.status)).toEqual(['busy'])
    expect(outboxRows(c, 'open:monthly:')).toHaveLength(0)
    const later = await runTick(c.db, at(11, 25, 9, 15))
    expect(later.jobs.filter((j) => j.job === 'open:monthly').map((j) => j.status)).toEqual(['retaken'])
    const n = outboxRows(c, 'open:monthly:').length
    expect(n).toBeGreaterThan(80)
    await runTick(c.db, at(11, 25, 9, 30))
    expect(outboxRows(c, 'open:monthly:')).toHaveLength(n)
    c.close()
  })

  it('a fresh start does not replay the past: no 通报 for a month it did not close, no round past its deadline', async () => {
    // The demo's October was closed on 28 Oct by the loader. On Tue 3 Nov the week's round (Mon 09:00 → Tue 12:00)
    // is past its deadline too.
    const c = await demoCounty(at(11, 3, 14), ':memory:', { ledger: false })
    const r = await runTick(c.db, at(11, 3, 14))
    expect(r.jobs).toEqual([])
    expect(one<{ n: number }>(c.sqlite, 'select count(*) n from outbox').n).toBe(0)
    // Then things happen when they are due: Friday's board, next Monday's round.
    expect((await runTick(c.db, at(11, 6, 17))).jobs.map((j) => [j.job, j.period])).toEqual([['board:weekly', '2026-W45']])
    const next = await runTick(c.db, at(11, 9, 9))
    expect(next.jobs.map((j) => [j.job, j.period])).toEqual([['open:weekly', '2026-W46']])
    c.close()
  })

  it('a dry run reports what would go out and writes nothing', async () => {
    const c = await demoCounty(at(11, 20, 10))
    await runTick(c.db, at(11, 20, 10))
    const snapshot = () => ['outbox', 'rounds', 'job_runs', 'reminders'].map((t) => one<{ n: number }>(c.sqlite, `select count(*) n from ${t}`).n)
    const before = snapshot()
    const dry = await runTick(c.db, at(11, 25, 9), true)
    expect(snapshot()).toEqual(before)
    expect(dry.dryRun).toBe(true)
    const open = dry.jobs.find((j) => j.job === 'open:monthly')!
    expect(open.status).toBe('would-run')
    const real = await runTick(c.db, at(11, 25, 9))
    expect(real.jobs.find((j) => j.job === 'open:monthly')!.messages).toBe(open.messages)
    expect(real.jobs.find((j) => j.job === 'open:monthly')!.recipients).toEqual(open.recipients)
    expect(JSON.parse(JSON.stringify(dry))).toEqual(dry)
    expect(formatTickReport(dry)).toContain('would-run open:monthly 2026-11 (due 2026-11-25 09:00): ')
    // Dry run at the close: the board and the 通报 it would post, without closing anything.
    await runTick(c.db, at(11, 30, 19))
    const close = await runTick(c.db, at(12, 1, 18), true)
    expect(close.jobs.map((j) => j.job)).toEqual(expect.arrayContaining(['close:monthly', 'bulletin:monthly']))
    expect(
      one<{ closed_at: number | null }>(c.sqlite, `select closed_at from rounds where kind = 'monthly' and period = '2026-11'`).closed_at,
    ).toBeNull()
    c.close()
  })
})
