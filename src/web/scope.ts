/**
 * What a signed-in person may see on the pages, from their roles: the office (and the 县长 / 常务副县长) all;
 * a 副县长 the sectors he leads (none listed: all, as in chat) and the projects he 包联; a unit head his unit;
 * a contact his projects. Several roles add up.
 */
import { eq, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../store/db.ts'
import { projectContacts, units } from '../store/schema.ts'
import type { Person } from '../store/repos/directory.ts'
import type { Role } from '../store/schema.ts'

const hasRole = (p: Person, role: Role) => (p.roles as Role[]).includes(role)

export interface Scope {
  all: boolean
  sectors: Set<string>
  unitIds: Set<number>
  projectIds: Set<number>
  leaderPersonId: number | null
  /** How the pages name the scope: 全县, 工业、能源分指挥部, 城关镇, 我联系的项目. */
  label: string
}

interface ScopedProject {
  id: number
  unitId: number
  sector: string
  leaderPersonId?: number | null
}

export async function scopeOf(db: Db, person: Person): Promise<Scope> {
  const scope: Scope = { all: false, sectors: new Set(), unitIds: new Set(), projectIds: new Set(), leaderPersonId: null, label: '' }
  const labels: string[] = []
  if (hasRole(person, 'office') || hasRole(person, 'county_head') || hasRole(person, 'executive')) {
    return { ...scope, all: true, label: '全县' }
  }
  if (hasRole(person, 'leader')) {
    const sectors = person.sectors as string[]
    if (sectors.length === 0) return { ...scope, all: true, label: '全县' }
    for (const s of sectors) scope.sectors.add(s)
    scope.leaderPersonId = person.id
    labels.push(`${sectors.join('、')}分指挥部`)
  }
  const headed = await db.select({ id: units.id, name: units.name }).from(units).where(eq(units.headPersonId, person.id)).all()
  for (const u of headed) scope.unitIds.add(u.id)
  if (hasRole(person, 'unit_head') && person.unitId !== null && !scope.unitIds.has(person.unitId)) {
    scope.unitIds.add(person.unitId)
    const u = await db.select({ name: units.name }).from(units).where(eq(units.id, person.unitId)).get()
    if (u) headed.push({ id: person.unitId, name: u.name })
  }
  if (headed.length) labels.push(headed.map((u) => u.name).join('、'))
  const mine = await db.select({ id: projectContacts.projectId }).from(projectContacts).where(eq(projectContacts.personId, person.id)).all()
  for (const m of mine) scope.projectIds.add(m.id)
  if (mine.length && !labels.length) labels.push('我联系的项目')
  scope.label = labels.join('；') || '无'
  return scope
}

export function sees(scope: Scope, p: ScopedProject): boolean {
  return (
    scope.all ||
    scope.sectors.has(p.sector) ||
    scope.unitIds.has(p.unitId) ||
    scope.projectIds.has(p.id) ||
    (scope.leaderPersonId !== null && p.leaderPersonId === scope.leaderPersonId)
  )
}

/** Whether the scope sees the whole county (the pages then show county totals, not a subset's). */
export const seesAll = (scope: Scope) => scope.all

/**
 * `sees` as an SQL condition on a projects row aliased `p`, for the aggregates that should not bring every
 * project into JS. The two say the same thing; the scope tests check both (pages and totals).
 */
export function scopeSql(scope: Scope): SQL {
  if (scope.all) return sql`1 = 1`
  const parts: SQL[] = []
  if (scope.sectors.size) parts.push(sql`p.sector in ${[...scope.sectors]}`)
  if (scope.unitIds.size) parts.push(sql`p.unit_id in ${[...scope.unitIds]}`)
  if (scope.projectIds.size) parts.push(sql`p.id in ${[...scope.projectIds]}`)
  if (scope.leaderPersonId !== null) parts.push(sql`p.leader_person_id = ${scope.leaderPersonId}`)
  return parts.length ? sql`(${sql.join(parts, sql` or `)})` : sql`0 = 1`
}

export const hasAnyRole = (p: Person, roles: Role[]) => roles.some((r) => hasRole(p, r))
