/** People by role, title and id (who gets a notice, who is the 主要领导). */
import { eq, inArray } from 'drizzle-orm'
import type { Db } from '../db.ts'
import { people } from '../schema.ts'
import { inChunks } from '../bulk.ts'
import type { Person } from './directory.ts'

export async function peopleWithRole(db: Db, role: string): Promise<Person[]> {
  const rows = await db.select().from(people).orderBy(people.id).all()
  return rows.filter((p) => (p.roles as string[]).includes(role))
}

export async function personWithTitle(db: Db, title: string): Promise<Person | undefined> {
  return db.select().from(people).where(eq(people.title, title)).orderBy(people.id).get()
}

export async function peopleById(db: Db, ids: number[]): Promise<Map<number, Person>> {
  const uniq = [...new Set(ids)]
  const out = new Map<number, Person>()
  for (const p of await inChunks(uniq, (slice) => db.select().from(people).where(inArray(people.id, slice)).all())) out.set(p.id, p)
  return out
}
