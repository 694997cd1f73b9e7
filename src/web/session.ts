/**
 * Sign-in from chat, no passwords: 「驾驶舱」 (or `diaodu login-link`) issues a single-use link that expires;
 * opening it starts a web session held in an HttpOnly cookie. Only SHA-256 of each token is stored, so a copy
 * of the database opens nothing. Runtime-free (crypto.getRandomValues, @noble/hashes): the same code runs on Node
 * and Workers, and synchronously — 「驾驶舱」 issues its link inside the turn's transaction, which awaits nothing
 * but statements.
 */
import { and, eq, isNull } from 'drizzle-orm'
import type { Db } from '../store/db.ts'
import { accessLinks, people, webSessions } from '../store/schema.ts'
import { newToken, tokenHash } from '../services/login-links.ts'
import type { Person } from '../store/repos/directory.ts'

/** A session lasts a working week; the wall screen signs in again on Monday. */
export const SESSION_VALID_MS = 7 * 24 * 3600_000
export const SESSION_COOKIE = 'diaodu_session'

export { issueLoginLink, LOGIN_LINK_VALID_MS, publicBase, tokenHash } from '../services/login-links.ts'

export type LinkState = { ok: true; personId: number } | { ok: false; reason: 'unknown' | 'used' | 'expired' }

/** What a sign-in link is now, without using it (the page that asks to confirm). */
export async function loginLinkState(db: Db, token: string, now: Date): Promise<LinkState> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return { ok: false, reason: 'unknown' }
  const row = await db
    .select()
    .from(accessLinks)
    .where(and(eq(accessLinks.tokenHash, tokenHash(token)), eq(accessLinks.purpose, 'login')))
    .get()
  if (!row) return { ok: false, reason: 'unknown' }
  if (row.usedAt !== null) return { ok: false, reason: 'used' }
  if (row.expiresAt <= now.getTime()) return { ok: false, reason: 'expired' }
  return { ok: true, personId: row.personId }
}

/**
 * Uses a sign-in link once and opens a session: `{ ok, sessionToken, expiresAt }`. The link is marked used by
 * an update that only an unused, unexpired row matches, so two tabs racing get one session.
 */
export async function redeemLoginLink(
  db: Db,
  token: string,
  now: Date,
): Promise<{ ok: true; personId: number; sessionToken: string; expiresAt: Date } | { ok: false; reason: 'unknown' | 'used' | 'expired' }> {
  const state = await loginLinkState(db, token, now)
  if (!state.ok) return state
  const at = now.getTime()
  const used = await db
    .update(accessLinks)
    .set({ usedAt: at })
    .where(and(eq(accessLinks.tokenHash, tokenHash(token)), isNull(accessLinks.usedAt)))
    .returning({ id: accessLinks.id })
    .all()
  if (used.length === 0) return { ok: false, reason: 'used' }
  const sessionToken = newToken()
  await db.insert(webSessions).values({
    tokenHash: tokenHash(sessionToken),
    personId: state.personId,
    createdAt: at,
    expiresAt: at + SESSION_VALID_MS,
    lastSeenAt: at,
  })
  return { ok: true, personId: state.personId, sessionToken, expiresAt: new Date(at + SESSION_VALID_MS) }
}

/** The person a session cookie stands for, or undefined (unknown, expired or revoked). */
export async function sessionPerson(db: Db, sessionToken: string | undefined, now: Date): Promise<{ person: Person; sessionId: number } | undefined> {
  if (!sessionToken || !/^[A-Za-z0-9_-]{20,100}$/.test(sessionToken)) return undefined
  const row = await db
    .select({ s: webSessions, p: people })
    .from(webSessions)
    .innerJoin(people, eq(people.id, webSessions.personId))
    .where(eq(webSessions.tokenHash, tokenHash(sessionToken)))
    .get()
  if (!row || row.s.revokedAt !== null || row.s.expiresAt <= now.getTime()) return undefined
  // lastSeenAt to the minute: one write a minute per session at most, not one per page.
  if (row.s.lastSeenAt === null || now.getTime() - row.s.lastSeenAt > 60_000)
    await db.update(webSessions).set({ lastSeenAt: now.getTime() }).where(eq(webSessions.id, row.s.id))
  return { person: row.p, sessionId: row.s.id }
}

/** Ends one session (退出). */
export async function revokeSession(db: Db, sessionId: number, now: Date): Promise<void> {
  await db
    .update(webSessions)
    .set({ revokedAt: now.getTime() })
    .where(and(eq(webSessions.id, sessionId), isNull(webSessions.revokedAt)))
}

/** Ends every session of a person (退出所有设备; a phone lost). Returns how many were open. */
export async function revokeSessionsOf(db: Db, personId: number, now: Date): Promise<number> {
  const rows = await db
    .update(webSessions)
    .set({ revokedAt: now.getTime() })
    .where(and(eq(webSessions.personId, personId), isNull(webSessions.revokedAt)))
    .returning({ id: webSessions.id })
    .all()
  return rows.length
}
