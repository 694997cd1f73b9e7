/** Units, people, platform identities and groups: who is who. */
import { and, count, eq, gt, isNotNull, isNull, ne, sql } from 'drizzle-orm'
import { prepared, type Db } from '../db.ts'
import { bindCodes, bindRequests, groups, identities, people, projectContacts, units, type BindRequestState } from '../schema.ts'
import type { Platform } from '../../model/index.ts'

export type Unit = typeof units.$inferSelect
export type Person = typeof people.$inferSelect
export type Group = typeof groups.$inferSelect

export const listUnits = (db: Db) => db.select().from(units).orderBy(units.id).all()
export const unitById = (db: Db, id: number) => db.select().from(units).where(eq(units.id, id)).get()
export const personById = (db: Db, id: number) => db.select().from(people).where(eq(people.id, id)).get()
export const personByMobile = (db: Db, mobile: string) => db.select().from(people).where(eq(people.mobile, mobile)).get()

// A subquery, not a join: the join's nested { person } result cost 45–64 µs a message to map, this 3.
const personOfAccount = prepared((db) =>
  db
    .select()
    .from(people)
    .where(
      eq(
        people.id,
        sql`(select ${identities.personId} from ${identities} where ${identities.platform} = ${sql.placeholder('platform')} and ${identities.userId} = ${sql.placeholder('userId')})`,
      ),
    )
    .prepare(),
)

/** The person behind a platform account, if bound. Every message asks this first, so it is prepared. */
export async function personByIdentity(db: Db, platform: Platform, userId: string): Promise<Person | undefined> {
  return (await personOfAccount(db).get({ platform, userId })) ?? undefined
}

/**
 * Binds a platform account to a person; rebinding the same account to another person moves it. Only for the
 * operator's own act (`diaodu bind --user`): everything a chat can start goes through `bindIfFree`.
 */
export async function bindIdentity(db: Db, personId: number, platform: Platform, userId: string, at: number) {
  await db
    .insert(identities)
    .values({ personId, platform, userId, boundAt: at })
    .onConflictDoUpdate({ target: [identities.platform, identities.userId], set: { personId, boundAt: at } })
}

export type BindOutcome = 'bound' | 'already' | 'accountTaken' | 'personTaken'

/**
 * Binds an account to a person only when neither is bound on that platform yet: an existing binding is never
 * replaced here (changing one is the office's act on the server). `already`: this very pair exists.
 */
export async function bindIfFree(db: Db, personId: number, platform: Platform, userId: string, at: number): Promise<BindOutcome> {
  const account = await db
    .select()
    .from(identities)
    .where(and(eq(identities.platform, platform), eq(identities.userId, userId)))
    .get()
  if (account) return account.personId === personId ? 'already' : 'accountTaken'
  if (await identityOfPerson(db, personId, platform)) return 'personTaken'
  await db.insert(identities).values({ personId, platform, userId, boundAt: at })
  return 'bound'
}

/** The person's account on a platform, if bound. */
export const identityOfPerson = (db: Db, personId: number, platform: Platform) =>
  db
    .select()
    .from(identities)
    .where(and(eq(identities.personId, personId), eq(identities.platform, platform)))
    .get()

/** Roster people with a mobile and no account on `platform` yet (what a directory sync looks up). */
export async function unboundWithMobile(db: Db, platform: Platform): Promise<Person[]> {
  const rows = await db
    .select({ person: people, bound: identities.id })
    .from(people)
    .leftJoin(identities, and(eq(identities.personId, people.id), eq(identities.platform, platform)))
    .where(isNotNull(people.mobile))
    .orderBy(people.id)
    .all()
  return rows.filter((r) => r.bound === null).map((r) => r.person)
}

/** The people who confirm bindings: everyone with the office role. */
export async function bindApprovers(db: Db): Promise<Person[]> {
  const rows = await db.select().from(people).orderBy(people.id).all()
  return rows.filter((p) => (p.roles as string[]).includes('office'))
}

export type BindRequest = typeof bindRequests.$inferSelect

/** An account's 「绑定」 attempts since `since` (ms): the rate limit counts these. */
export async function bindAttemptsSince(db: Db, platform: Platform, userId: string, since: number): Promise<number> {
  const row = await db
    .select({ n: count() })
    .from(bindRequests)
    .where(and(eq(bindRequests.platform, platform), eq(bindRequests.userId, userId), gt(bindRequests.createdAt, since)))
    .get()
  return row?.n ?? 0
}

export async function recordBindRequest(
  db: Db,
  r: {
    platform: Platform
    userId: string
    chatId: string
    accountName?: string | null
    mobile: string
    personId: number | null
    state: BindRequestState
    at: number
  },
): Promise<BindRequest> {
  const [row] = await db
    .insert(bindRequests)
    .values({
      platform: r.platform,
      userId: r.userId,
      chatId: r.chatId,
      accountName: r.accountName ?? null,
      mobile: r.mobile,
      personId: r.personId,
      state: r.state,
      createdAt: r.at,
    })
    .returning()
  return row!
}

export const bindRequestById = (db: Db, id: number) => db.select().from(bindRequests).where(eq(bindRequests.id, id)).get()

/** The open request of this account for this person, if one is waiting for the office. */
export const pendingBindRequest = (db: Db, platform: Platform, userId: string, personId: number) =>
  db
    .select()
    .from(bindRequests)
    .where(
      and(
        eq(bindRequests.platform, platform),
        eq(bindRequests.userId, userId),
        eq(bindRequests.personId, personId),
        eq(bindRequests.state, 'pending'),
      ),
    )
    .get()

/** Marks a pending request decided; false when it was no longer pending (decided by someone else first). */
export async function decideBindRequest(
  db: Db,
  id: number,
  state: 'approved' | 'rejected' | 'superseded',
  by: number | null,
  at: number,
): Promise<boolean> {
  const rows = await db
    .update(bindRequests)
    .set({ state, decidedAt: at, decidedBy: by })
    .where(and(eq(bindRequests.id, id), eq(bindRequests.state, 'pending')))
    .returning({ id: bindRequests.id })
  return rows.length > 0
}

/** Closes the other pending requests of an account (it is bound now) or for a person on a platform. */
export async function supersedeBindRequests(db: Db, where: { platform: Platform; userId?: string; personId?: number; except?: number }, at: number) {
  const conds = [eq(bindRequests.platform, where.platform), eq(bindRequests.state, 'pending')]
  if (where.userId !== undefined) conds.push(eq(bindRequests.userId, where.userId))
  if (where.personId !== undefined) conds.push(eq(bindRequests.personId, where.personId))
  if (where.except !== undefined) conds.push(ne(bindRequests.id, where.except))
  await db
    .update(bindRequests)
    .set({ state: 'superseded', decidedAt: at })
    .where(and(...conds))
}

/** Stores a new one-time code for a person; the person's earlier unused codes stop working. */
export async function issueBindCode(db: Db, personId: number, code: string, at: number, validMs: number) {
  await db
    .update(bindCodes)
    .set({ usedAt: at, usedBy: 'replaced' })
    .where(and(eq(bindCodes.personId, personId), isNull(bindCodes.usedAt)))
  await db.insert(bindCodes).values({ personId, code, createdAt: at, expiresAt: at + validMs })
}

/** Uses the person's code if `code` is it and it is still valid; true when it was. */
export async function useBindCode(db: Db, personId: number, code: string, at: number, usedBy: string): Promise<boolean> {
  const rows = await db
    .update(bindCodes)
    .set({ usedAt: at, usedBy })
    .where(and(eq(bindCodes.personId, personId), eq(bindCodes.code, code), isNull(bindCodes.usedAt), gt(bindCodes.expiresAt, at)))
    .returning({ id: bindCodes.id })
  return rows.length > 0
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
  return (await db
    .select()
    .from(groups)
    .where(and(eq(groups.platform, platform), eq(groups.chatId, chatId)))
    .get())!
}

export async function deactivateGroup(db: Db, platform: Platform, chatId: string) {
  await db
    .update(groups)
    .set({ active: false })
    .where(and(eq(groups.platform, platform), eq(groups.chatId, chatId)))
}

export const boardGroups = (db: Db) =>
  db
    .select()
    .from(groups)
    .where(and(eq(groups.active, true), eq(groups.boards, true)))
    .all()

export const groupById = (db: Db, id: number) => db.select().from(groups).where(eq(groups.id, id)).get()
