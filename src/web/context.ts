/** What every page needs: the signed-in person, their scope, the rules, the month, and a few formatters. */
import type { Db } from '../store/db.ts'
import { loadCalendar, loadRules, type Rules } from '../services/rules.ts'
import type { WorkdayCalendar } from '../domain/workdays.ts'
import { getSetting } from '../store/repos/settings.ts'
import { projectById, type Project } from '../store/repos/projects.ts'
import { sql } from 'drizzle-orm'
import { listUnits, type Person, type Unit } from '../store/repos/directory.ts'
import { statisticalMonth } from '../domain/periods.ts'
import { localDate } from '../domain/time.ts'
import { formatPercent, type Ratio } from '../domain/ratio.ts'
import { formatWan } from '../domain/money.ts'
import { COLOUR_LABELS, type Colour } from '../domain/colours.ts'
import { hasAnyRole, scopeOf, scopeSql, sees, type Scope } from './scope.ts'
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
  units: Map<number, Unit>
  /** The session's CSRF token, for the forms a page carries (actions.ts). */
  csrf?: string
}

/** A project as the lists need it (read straight from SQL: a province's 100k rows through the ORM cost more). */
export interface ProjectRow {
  id: number
  code: string
  name: string
  unitId: number
  sector: string
  stage: string
  level: string
  weekly: boolean
  year: number
  annualPlan: number
  leaderPersonId: number | null
}

export async function webContext(db: Db, person: Person, now: Date): Promise<WebCtx> {
  const [rules, calendar, demo, scope, units] = await Promise.all([
    loadRules(db),
    loadCalendar(db),
    getSetting(db, 'demo'),
    scopeOf(db, person),
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
    units: new Map(units.map((u) => [u.id, u])),
  }
}

/** The active projects the person may see, in id order. */
export async function visibleProjects(c: WebCtx): Promise<ProjectRow[]> {
  const rows = await c.db.values<[number, string, string, number, string, string, string, number, number, number, number | null]>(sql`
    select p.id, p.code, p.name, p.unit_id, p.sector, p.stage, p.level, p.weekly, p.year, p.annual_plan, p.leader_person_id
    from projects p where p.active = 1 and ${scopeSql(c.scope)} order by p.id`)
  return rows.map(([id, code, name, unitId, sector, stage, level, weekly, year, annualPlan, leaderPersonId]) => ({
    id,
    code,
    name,
    unitId,
    sector,
    stage,
    level,
    weekly: weekly === 1,
    year,
    annualPlan,
    leaderPersonId,
  }))
}

/** One project, when the person may see it. */
export async function visibleProject(c: WebCtx, id: number): Promise<Project | undefined> {
  const p = await projectById(c.db, id)
  return p && p.active && sees(c.scope, p) ? p : undefined
}

export function frame(c: WebCtx, title: string, active: string, body: Html): Html {
  return page({
    title,
    active,
    county: c.rules.county.name === '本县' ? '' : c.rules.county.name,
    who: { name: c.person.name, title: c.person.title, scope: c.scope.label },
    demo: c.demo,
    office: hasAnyRole(c.person, ['office']),
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
