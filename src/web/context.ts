/** What every page needs: the signed-in person, their scope, the rules, the month, and a few formatters. */
import type { Db } from '../store/db.ts'
import { loadCalendar, loadRules, type Rules } from '../services/rules.ts'
import type { WorkdayCalendar } from '../domain/workdays.ts'
import { getSetting } from '../store/repos/settings.ts'
import { listProjects, type Project } from '../store/repos/projects.ts'
import { listUnits, type Person, type Unit } from '../store/repos/directory.ts'
import { statisticalMonth } from '../domain/periods.ts'
import { localDate } from '../domain/time.ts'
import { formatPercent, type Ratio } from '../domain/ratio.ts'
import { formatWan } from '../domain/money.ts'
import { COLOUR_LABELS, type Colour } from '../domain/colours.ts'
import { scopeOf, sees, type Scope } from './scope.ts'
import { html, page, type Html } from './html.ts'

export interface WebCtx {
  db: Db
  now: Date
  rules: Rules
  calendar: WorkdayCalendar
  person: Person
  scope: Scope
  demo: boolean
  /** The statistical month of today (the live one once its round opens), as 「查」 and 「排名」 take it. */
  month: string
  projects: Project[]
  units: Map<number, Unit>
}

export async function webContext(db: Db, person: Person, now: Date): Promise<WebCtx> {
  const [rules, calendar, demo, scope, projects, units] = await Promise.all([
    loadRules(db),
    loadCalendar(db),
    getSetting(db, 'demo'),
    scopeOf(db, person),
    listProjects(db),
    listUnits(db),
  ])
  return {
    db,
    now,
    rules,
    calendar,
    person,
    scope,
    demo: Boolean(demo),
    month: statisticalMonth(localDate(now), { openDay: rules.monthlyOpenDay }),
    projects,
    units: new Map(units.map((u) => [u.id, u])),
  }
}

/** The projects the person may see. */
export const visibleProjects = (c: WebCtx) => c.projects.filter((p) => sees(c.scope, p))

export function frame(c: WebCtx, title: string, active: string, body: Html): Html {
  return page({
    title,
    active,
    county: c.rules.county.name === '本县' ? '' : c.rules.county.name,
    who: { name: c.person.name, title: c.person.title, scope: c.scope.label },
    demo: c.demo,
    body,
  })
}

export const pct = (r: Ratio | null | undefined) => (r ? formatPercent(r, 1) : '—')
export const wan = (yuan: number) => formatWan(yuan, 0)
export const dot = (colour: Colour) => html`<span class="dot c-${colour}" title="${COLOUR_LABELS[colour]}"></span>${COLOUR_LABELS[colour]}`
export const monthLabel = (period: string) => `${Number(period.slice(5, 7))}月`

/** A month from a query (?period=2026-10), when it is one up to the live month; else the live month. */
export function periodParam(c: WebCtx, v: string | undefined): string {
  return v && /^\d{4}-(0[1-9]|1[0-2])$/.test(v) && v <= c.month && v.slice(0, 4) === c.month.slice(0, 4) ? v : c.month
}
