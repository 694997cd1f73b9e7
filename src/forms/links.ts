/**
 * Signed single-use links to a card's form as a web page (`/r/<token>`): WeCom cards have no text inputs, so a
 * card with a form gets a 填报 button that opens the same fields on the phone. A link is bound to one person
 * and one form (the card's form element and what it is about, kept in `access_links.data`), expires, and is
 * spent by the submission the bot accepts (one that fails its checks leaves it usable to correct).
 *
 * Only the SHA-256 of the token is stored: the database alone cannot open a form. Tokens are 32 random bytes,
 * base64url. Runtime-agnostic (WebCrypto).
 */
import { and, eq, isNull } from 'drizzle-orm'
import type { Db } from '../store/db.ts'
import { accessLinks } from '../store/schema.ts'
import type { Card, CardElement, Platform } from '../model/index.ts'
import { toBase64, toHex } from '../lib/bytes.ts'

/** How long a form link stays open (the command still refuses a round that has closed). */
export const FORM_LINK_TTL_MS = 7 * 86_400_000

/** What a form link opens: the card's title, its fields and its form. */
export interface FormLinkData {
  /** The account the form was sent to: its submission is that person writing on that platform. */
  to: { platform: Platform; userId: string }
  title: string
  subtitle?: string
  fields: { label: string; value: string }[]
  form: Extract<CardElement, { kind: 'form' }>
}

export type FormLink = typeof accessLinks.$inferSelect & { data: FormLinkData }

const encoder = new TextEncoder()

export async function tokenHash(token: string): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(token))))
}

/** The form of a card and what the page shows with it; undefined when the card has no form. */
export function formOfCard(card: Card, to: FormLinkData['to']): FormLinkData | undefined {
  const form = card.elements.find((e): e is Extract<CardElement, { kind: 'form' }> => e.kind === 'form')
  if (!form) return undefined
  const fields = card.elements.flatMap((e) => (e.kind === 'fields' ? e.fields : []))
  return { to, title: card.title, ...(card.subtitle && { subtitle: card.subtitle }), fields, form }
}

/** Stores a new link for `personId` to `data` and returns its token (shown once, in the card's URL). */
export async function createFormLink(db: Db, personId: number, data: FormLinkData, at: number, ttlMs = FORM_LINK_TTL_MS): Promise<string> {
  const bytes = crypto.getRandomValues(new Uint8Array(32))
  const token = toBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
  await db.insert(accessLinks).values({
    purpose: 'report',
    tokenHash: await tokenHash(token),
    personId,
    data: data as unknown as Record<string, unknown>,
    createdAt: at,
    expiresAt: at + ttlMs,
  })
  return token
}

export type OpenedLink = { ok: true; link: FormLink } | { ok: false; status: 404 | 410; reason: string }

/** The link a token opens, if it is a report link, unused and not expired. */
export async function openFormLink(db: Db, token: string, at: number): Promise<OpenedLink> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return { ok: false, status: 404, reason: '链接无效' }
  const row = await db
    .select()
    .from(accessLinks)
    .where(and(eq(accessLinks.tokenHash, await tokenHash(token)), eq(accessLinks.purpose, 'report')))
    .get()
  if (!row || !row.data) return { ok: false, status: 404, reason: '链接无效' }
  if (row.usedAt !== null)
    return { ok: false, status: 410, reason: '此填报链接已使用过。如需修改，请在企业微信中点回执卡片上的「修改」，会收到新的链接。' }
  if (row.expiresAt <= at) return { ok: false, status: 410, reason: '此填报链接已过期，请在企业微信中重新发送「填报」。' }
  return { ok: true, link: row as FormLink }
}

/** Spends a link (compare-and-set: a second submission racing the first finds it used). */
export async function spendFormLink(db: Db, id: number, at: number): Promise<boolean> {
  const r = await db
    .update(accessLinks)
    .set({ usedAt: at })
    .where(and(eq(accessLinks.id, id), eq(accessLinks.purpose, 'report'), isNull(accessLinks.usedAt)))
    .returning({ id: accessLinks.id })
  return r.length > 0
}
