/** Who may do what. Every refusal is a polite Chinese sentence; undefined means allowed. */
import type { Person } from '../store/repos/directory.ts'
import type { Project } from '../store/repos/projects.ts'
import type { Role } from '../store/schema.ts'

export const hasRole = (p: Person, role: Role) => (p.roles as Role[]).includes(role)
export const isOffice = (p: Person) => hasRole(p, 'office')
/** 县领导: 分管副县长 (leader), 常务副县长 (executive) and 县长 (county_head) alike may 督办, 催办 and read 通报. */
export const isLeader = (p: Person) => hasRole(p, 'leader') || hasRole(p, 'executive') || hasRole(p, 'county_head')

export const leadersAndOffice = (p: Person): string | undefined => (isLeader(p) || isOffice(p) ? undefined : '抱歉，这项操作限县领导和{office}使用。')

export const officeOnly = (p: Person): string | undefined => (isOffice(p) ? undefined : '抱歉，这项操作限{office}使用。')

/** A leader acts within the sectors they are in charge of (none listed = all); the office everywhere. */
export function leaderCovers(p: Person, project: Project): boolean {
  if (isOffice(p)) return true
  if (!isLeader(p)) return false
  const sectors = p.sectors as string[]
  return sectors.length === 0 || sectors.includes(project.sector) || project.leaderPersonId === p.id
}
