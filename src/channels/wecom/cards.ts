/**
 * The response codes of WeCom template cards (table wecom_card_codes, drizzle/0009_wecom_cards.sql).
 *
 * WeCom lets a sent template card be replaced only with a response_code (doc /94945): `message/send` answers one
 * for each card it takes, and every click's callback carries a fresh one; each is good for one
 * `update_template_card` within 72 hours, for the card of its task_id. The click's own code is spent on the
 * click's answer (routes.ts); the send's code, and a click's that its answer did not need, are kept here so a
 * card whose item changed by another route (a report on the form page or in Feishu, a problem closed by someone
 * else) can be brought up to date once (outbox.ts). When no code is left, the card is not touched: it stays as
 * it was until clicked, and a click on an out-of-date card is refused with the current state and replaces it.
 *
 * Runtime-agnostic.
 *
 * @example
 *   await keepResponseCode(db, { code, taskId, userId: 'zhangsan', issuedAt: now })
 *   const code = await takeResponseCode(db, taskId, 'zhangsan', now)   // undefined: none valid
 */
import { and, desc, eq, gt, isNull } from 'drizzle-orm'
import type { Db } from '../../store/db.ts'
import { wecomCardCodes } from '../../store/schema.ts'

/** How long WeCom honours a response_code (doc /94945: 72 h, once). */
export const RESPONSE_CODE_TTL_MS = 72 * 3600_000

/** Keeps a code WeCom gave for a member's card (a repeat of the same code is ignored). */
export async function keepResponseCode(db: Db, c: { code: string; taskId: string; userId: string; issuedAt: number }): Promise<void> {
  await db.insert(wecomCardCodes).values(c).onConflictDoNothing({ target: wecomCardCodes.code })
}

/**
 * The newest unspent code of a member's card still inside its 72 h, marked spent (compare-and-set: two updates
 * racing for one card never get the same code); undefined when there is none.
 */
export async function takeResponseCode(db: Db, taskId: string, userId: string, at: number): Promise<string | undefined> {
  for (let tries = 0; tries < 3; tries++) {
    const row = await db
      .select({ code: wecomCardCodes.code })
      .from(wecomCardCodes)
      .where(
        and(
          eq(wecomCardCodes.taskId, taskId),
          eq(wecomCardCodes.userId, userId),
          isNull(wecomCardCodes.spentAt),
          gt(wecomCardCodes.issuedAt, at - RESPONSE_CODE_TTL_MS),
        ),
      )
      .orderBy(desc(wecomCardCodes.issuedAt))
      .get()
    if (!row) return undefined
    const taken = await db
      .update(wecomCardCodes)
      .set({ spentAt: at })
      .where(and(eq(wecomCardCodes.code, row.code), isNull(wecomCardCodes.spentAt)))
      .returning({ code: wecomCardCodes.code })
    if (taken.length) return row.code
  }
  return undefined
}

/** Hands a taken code back: the update it was taken for never reached WeCom (network trouble, a rate limit). */
export async function returnResponseCode(db: Db, code: string): Promise<void> {
  await db.update(wecomCardCodes).set({ spentAt: null }).where(eq(wecomCardCodes.code, code))
}
