/** Projects and who reports for them. */
import { and, asc, eq, inArray } from 'drizzle-orm'
import type { Db } from '../db.ts'
import { inChunks } from '../bulk.ts'
import { projectContacts, projects } from '../schema.ts'

export type Project = typeof projects.$inferSelect

export const listProjects = (db: Db) => db.select().from(projects).where(eq(projects.active, true)).orderBy(asc(projects.id)).all()
export const projectById = (db: Db, id: number) => db.select().from(projects).where(eq(projects.id, id)).get()
export const projectByCode = (db: Db, code: string) => db.select().from(projects).where(eq(projects.code, code)).get()

/** The projects a person reports for (填报人). */
export async function projectsOfContact(db: Db, personId: number): Promise<Project[]> {
  const rows = await db
    .select({ project: projects })
    .from(projectContacts)
    .innerJoin(projects, eq(projects.id, projectContacts.projectId))
    .where(and(eq(projectContacts.personId, personId), eq(projects.active, true)))
    .orderBy(asc(projects.id))
    .all()
  return rows.map((r) => r.project)
}

export const projectsOfUnit = (db: Db, unitId: number) =>
  db
    .select()
    .from(projects)
    .where(and(eq(projects.unitId, unitId), eq(projects.active, true)))
    .orderBy(asc(projects.id))
    .all()

export async function projectsById(db: Db, ids: number[]): Promise<Map<number, Project>> {
  const uniq = [...new Set(ids)]
  const out = new Map<number, Project>()
  for (const p of await inChunks(uniq, (slice) => db.select().from(projects).where(inArray(projects.id, slice)).all())) out.set(p.id, p)
  return out
}
