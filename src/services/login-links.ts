/**
 * The sign-in links of the 挂图作战 pages, issued by 「驾驶舱」 (the bot) and `diaodu login-link` (the CLI): a
 * single-use token that expires, only its SHA-256 stored. Here, below the bot and the pages, so both can use it
 * (the pages run the bot's commands, so the bot must not import the pages). Runtime-free and synchronous
 * underneath (crypto.getRandomValues, @noble/hashes): 「驾驶舱」 issues its link inside the turn's transaction.
 */
import type { Db } from '../store/db.ts'
import { accessLinks } from '../store/schema.ts'
import { toHex } from '../lib/bytes.ts'
import { sha256 } from '@noble/hashes/sha2.js'

/** A sign-in link is good for 30 minutes: long enough to switch from phone to the office PC, short if forwarded. */
export const LOGIN_LINK_VALID_MS = 30 * 60_000

/** 32 random bytes, base64url: a sign-in link, a session cookie, a form's nonce. */
export function newToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32))
  let s = ''
  for (const b of bytes) s += String.fromCharCode(b)
  return btoa(s).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '')
}

export function tokenHash(token: string): string {
  return toHex(sha256(new TextEncoder().encode(token)))
}

/**
 * The base of links people open: DIAODU_PUBLIC_URL, else PUBLIC_URL, else this machine on PORT. Read from the
 * environment where there is one (Node; Workers with nodejs_compat) — a Workers entry may pass its own.
 */
export function publicBase(env: Record<string, string | undefined> = processEnv()): string {
  const url = env.DIAODU_PUBLIC_URL || env.PUBLIC_URL || `http://localhost:${env.PORT || 8787}`
  return url.replace(/\/+$/, '')
}

function processEnv(): Record<string, string | undefined> {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {}
}

/** Issues a sign-in link for a person: `{ url, expiresAt }`. */
export async function issueLoginLink(db: Db, personId: number, now: Date, base = publicBase()): Promise<{ url: string; expiresAt: Date }> {
  const token = newToken()
  const at = now.getTime()
  await db.insert(accessLinks).values({
    purpose: 'login',
    tokenHash: tokenHash(token),
    personId,
    data: null,
    createdAt: at,
    expiresAt: at + LOGIN_LINK_VALID_MS,
  })
  return { url: `${base}/login/${token}`, expiresAt: new Date(at + LOGIN_LINK_VALID_MS) }
}
