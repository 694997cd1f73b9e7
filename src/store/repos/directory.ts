/** Units, people, platform identities and groups: who is who. */
import { and, eq, sql } from 'drizzle-orm'
import { prepared, type Db } from '../db.ts'
import { groups, identities, people, projectContacts, units } from '../schema.ts'
import type { Platform } from '../../model/index.ts'

export type Unit = typeof units.$inferSelect
export type Person = typeof people.$inferSelect
export type Group = typeof groups.$inferSelect

export const listUnits = (db: Db) => db.select().from(units).orderBy(units.id).all()
export const unitById = (db: Db, id: number) => db.select().from(units).where(eq(units.id, id)).get()
export const personById = (db: Db, id: number) => db.select().from(people).where(eq(people.id, id)).get()
export const personByMobile = (db: Db, mobile: string) => db.select().from(people).where(eq(people.mobile, mobile)).get()

const personOfAccount = prepared((db) =>
  db
    .select({ person: people })
    .from(identities)
    .innerJoin(people, eq(people.id, identities.personId))
    .where(and(eq(identities.platform, sql.placeholder('platform')), eq(identities.userId, sql.placeholder('userId'))))
    .prepare(),
)

/** The person behind a platform account, if bound. Every message asks this first, so it is prepared. */
export async function personByIdentity(db: Db, platform: Platform, userId: string): Promise<Person | undefined> {
  const row = await personOfAccount(db).get({ platform, userId })
  return row?.person
}

/** Binds a platform account to a person; rebinding the same account to another person moves it. */
export async function bindIdentity(db: Db, personId: number, platform: Platform, userId: string, at: number) {
  await db
    .insert(identities)
    .values({ personId, platform, userId, boundAt: at })
    .onConflictDoUpdate({ target: [identities.platform, identities.userId], set: { personId, boundAt: at } })
}

export async function contactsOfProject(db: Db, projectId: number): Promise<Person[]> {
  const rows = await db
    .select({ person: people })
    .from(projectContacts)
    .innerJoin(people, eq(people.id, projectContacts.personId))
    .where(eq(projectContacts.projectId, projectId))
    .all()
  return rows.map((r) => r.person)
}

export async function upsertGroup(db: Db, platform: Platform, chatId: string, name: string, at: number): Promise<Group> {
  await db
    .insert(groups)
    .values({ platform, chatId, name, addedAt: at, active: true })
    .onConflictDoUpdate({ target: [groups.platform, groups.chatId], set: { active: true, ...(name ? { name } : {}) } })
  return (await db.select().from(groups).where(and(eq(groups.platform, platform), eq(groups.chatId, chatId))).get())!
}

export async function deactivateGroup(db: Db, platform: Platform, chatId: string) {
  await db.update(groups).set({ active: false }).where(and(eq(groups.platform, platform), eq(groups.chatId, chatId)))
}

export const boardGroups = (db: Db) =>
  db.select().from(groups).where(and(eq(groups.active, true), eq(groups.boards, true))).all()

export const groupById = (db: Db, id: number) => db.select().from(groups).where(eq(groups.id, id)).get()
