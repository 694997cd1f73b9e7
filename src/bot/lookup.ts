/** Finding the project or unit a person named, fuzzily, with "您要找的是不是…？" when unsure. */
import type { Db } from '../store/db.ts'
import { listProjects, type Project } from '../store/repos/projects.ts'
import { listUnits, type Unit } from '../store/repos/directory.ts'
import { matchName } from '../domain/match.ts'

export type Found<T> =
  | { kind: 'one'; item: T }
  | { kind: 'unsure'; options: T[] }
  | { kind: 'none' }

type Named = { id: number; name: string; code?: string; shortName?: string | null }

function find<T extends Named>(items: T[], query: string): Found<T> {
  const q = query.trim()
  const byCode = items.find((i) => i.code && i.code.toLowerCase() === q.toLowerCase())
  if (byCode) return { kind: 'one', item: byCode }
  const matches = matchName(q, items.map((i) => ({ id: i.id, name: i.name, aliases: i.shortName ? [i.shortName] : [] })), { limit: 4 })
  const top = matches[0]
  if (!top) return { kind: 'none' }
  const byId = new Map(items.map((i) => [i.id, i]))
  if (top.confidence === 'exact' || top.confidence === 'likely') return { kind: 'one', item: byId.get(top.id as number)! }
  return { kind: 'unsure', options: matches.map((m) => byId.get(m.id as number)!) }
}

export async function findProject(db: Db, query: string, among?: Project[]): Promise<Found<Project>> {
  return find(among ?? (await listProjects(db)), query)
}

export async function findUnit(db: Db, query: string): Promise<Found<Unit>> {
  return find(await listUnits(db), query)
}

/** A project or a unit, whichever the name fits better (查 XX). */
export async function findProjectOrUnit(db: Db, query: string): Promise<Found<{ project: Project } | { unit: Unit }>> {
  const [u, p] = [await findUnit(db, query), await findProject(db, query)]
  if (u.kind === 'one' && (p.kind !== 'one' || u.item.name === query.trim() || u.item.shortName === query.trim())) return { kind: 'one', item: { unit: u.item } }
  if (p.kind === 'one') return { kind: 'one', item: { project: p.item } }
  const options = [...(u.kind === 'unsure' ? u.options.map((unit) => ({ unit })) : []), ...(p.kind === 'unsure' ? p.options.map((project) => ({ project })) : [])]
  return options.length ? { kind: 'unsure', options: options.slice(0, 5) } : { kind: 'none' }
}

export const nameOf = (x: { project: Project } | { unit: Unit }) => ('project' in x ? x.project.name : x.unit.name)
