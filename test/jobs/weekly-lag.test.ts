/**
 * The weekly round's 进度催办 (issue 13: "at each dispatch … the weekly or 旬 round of weekly projects a project behind
 * 序时 gets a 进度催办"), through the live clock and the bot: on the demo county of 5 November 2026 (October
 * published), two key projects behind November's 序时 on October's figures report week 46 on the clock's card —
 * one catches up to November's 序时, one does not. At the week's close only the second is urged, and its card
 * measures the week's 本年累计 against November's 序时 target.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { cardText, harness, promptForm } from '../harness.ts'
import { runTick } from '../../src/jobs/tick.ts'
import { shanghaiTime } from '../../src/domain/time.ts'
import { formatWan } from '../../src/domain/money.ts'
import { formatPercent, ratio } from '../../src/domain/ratio.ts'
import type { Card, MessageBody } from '../../src/model/index.ts'

type H = Awaited<ReturnType<typeof harness>>
let h: H
const at = (m: number, d: number, hour = 10) => shanghaiTime(2026, m, d, hour)
const one = <T>(q: string, ...args: unknown[]) => h.sqlite.prepare(q).get(...args) as T
const all = <T>(q: string, ...args: unknown[]) => h.sqlite.prepare(q).all(...args) as T[]

interface Key {
  id: number
  code: string
  name: string
  annual_plan: number
  october: number
  contact: number
}
let caughtUp: Key
let behind: Key

async function tickUntil(to: Date) {
  for (let t = h.now.getTime(); t <= to.getTime(); t += 2 * 3_600_000) {
    h.at(new Date(t))
    await runTick(h.db, new Date(t))
  }
  h.at(to)
}

const cardsTo = async (personId: number, template: string): Promise<Card[]> =>
  (await h.inboxOf(`person:${personId}`)).flatMap((b: MessageBody) => (b.kind === 'card' && b.card.template === template ? [b.card] : []))

/** The contact reports the week on the clock's card: 本年累计 `ytd` 元. */
async function reportWeek(p: Key, ytd: number) {
  const card = (await cardsTo(p.contact, 'report-prompt')).filter((c) => c.title.includes(p.name) || cardText(c).includes(p.code)).at(-1)!
  expect(cardText(card)).toMatch(/周/)
  const form = promptForm(card)
  const wanOf = (yuan: number) => String(yuan / 10_000)
  const r = await h.as(h.people.find((x) => x.id === p.contact)!).click('submitReport', form.args, {
    period: wanOf(ytd - p.october),
    ytd: wanOf(ytd),
    progress: '主体施工',
  })
  expect(r.result.toast?.kind).toBe('success')
  // The receipt measures the week's 本年累计 against the month the next colour decision sets (November: 91.67 %).
  expect(r.all).toContain(`完成率：${formatPercent(ratio(ytd, p.annual_plan))}`)
  expect(r.all).toContain('序时进度：91.67%')
}

beforeAll(async () => {
  h = await harness({ demoAt: at(11, 5), now: at(11, 5) })
  // Key projects whose October 累计 is well behind November's 序时 (11/12 of the plan).
  const keys = all<Key>(`
    select p.id, p.code, p.name, p.annual_plan, c.ytd_investment as october,
      (select min(person_id) from project_contacts x where x.project_id = p.id) as contact
    from projects p join project_colours c on c.project_id = p.id and c.period = '2026-10'
    where p.weekly = 1 and p.active = 1 and c.ytd_investment * 12 < p.annual_plan * 11 - 12 * 2000000
      and exists (select 1 from project_contacts x where x.project_id = p.id)
    order by p.id limit 2`)
  expect(keys).toHaveLength(2)
  ;[caughtUp, behind] = keys as [Key, Key]
}, 60_000)

describe('the weekly round’s 进度催办', () => {
  it('urges at the week’s close only the key project still behind November’s 序时 on its latest report', async () => {
    await tickUntil(at(11, 9, 12)) // week 46's round opened at 09:00 on Monday
    const november = (p: Key) => Math.ceil((p.annual_plan * 11) / 12 / 10_000) * 10_000
    await reportWeek(caughtUp, november(caughtUp))
    const behindYtd = behind.october + 1_000_000
    await reportWeek(behind, behindYtd)
    await tickUntil(at(11, 13, 16)) // the round closes three days after Tuesday's 12:00 deadline
    const urged = all<{ project_id: number; period: string }>(
      `select project_id, period from urges where occasion = 'weekly:2026-W46' and kind = 'lag'`,
    )
    const ids = urged.map((u) => u.project_id)
    expect(ids).toContain(behind.id)
    expect(ids).not.toContain(caughtUp.id)
    // Counted toward November, the month the next colour decision sets.
    expect(new Set(urged.map((u) => u.period))).toEqual(new Set(['2026-11']))
    const card = (await cardsTo(behind.contact, 'progress-urge')).find((c) => c.title.includes(behind.name))!
    const needed = november(behind) - behindYtd
    // November's 序时 amount is the plan × 11/12 in whole 元 (rounded up), less the week's 本年累计.
    const exact = Math.ceil((behind.annual_plan * 11) / 12) - behindYtd
    expect(cardText(card)).toContain(`还需完成 ${formatWan(exact)} 万元才能达到序时进度`)
    expect(needed).toBeGreaterThan(0)
    expect(cardText(card)).toContain('序时进度 91.67%')
    expect(
      (await cardsTo(caughtUp.contact, 'progress-urge')).filter((c) => c.title.includes(caughtUp.name) && cardText(c).includes('2026年11月')),
    ).toHaveLength(0)
  })

  it('the month’s own colour still waits for the monthly report: the weekly figure does not enter November’s board', () => {
    const f = one<{ reported_ytd: number | null }>(`select reported_ytd from month_figures where project_id = ? and period = '2026-11'`, caughtUp.id)
    expect(f.reported_ytd).toBeNull()
  })
})
