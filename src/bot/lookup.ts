/** Finding the project or unit a person named, fuzzily, with "您要找的是不是…？" when unsure. */
import type { Db } from '../store/db.ts'
import { listProjects, type Project } from '../store/repos/projects.ts'
import { listUnits, type Unit } from '../store/repos/directory.ts'
import { matchName } from '../domain/match.ts'
import { and, desc, eq, gt, max, or } from 'drizzle-orm'
import { auditLog, identities, outbox } from '../store/schema.ts'
import type { Card, ChatRef, CommandName, MessageBody } from '../model/index.ts'

export type Found<T> = { kind: 'one'; item: T } | { kind: 'unsure'; options: T[] } | { kind: 'none' }

type Named = { id: number; name: string; code?: string; shortName?: string | null }

function find<T extends Named>(items: T[], query: string): Found<T> {
  const q = query.trim()
  const byCode = items.find((i) => i.code && i.code.toLowerCase() === q.toLowerCase())
  if (byCode) return { kind: 'one', item: byCode }
  const matches = matchName(
    q,
    items.map((i) => ({ id: i.id, name: i.name, aliases: i.shortName ? [i.shortName] : [] })),
    { limit: 4 },
  )
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
  if (u.kind === 'one' && (p.kind !== 'one' || u.item.name === query.trim() || u.item.shortName === query.trim()))
    return { kind: 'one', item: { unit: u.item } }
  if (p.kind === 'one') return { kind: 'one', item: { project: p.item } }
  const options = [
    ...(u.kind === 'unsure' ? u.options.map((unit) => ({ unit })) : []),
    ...(p.kind === 'unsure' ? p.options.map((project) => ({ project })) : []),
  ]
  return options.length ? { kind: 'unsure', options: options.slice(0, 5) } : { kind: 'none' }
}

export const nameOf = (x: { project: Project } | { unit: Unit }) => ('project' in x ? x.project.name : x.unit.name)

// ---------------------------------------------------------------------------------------------------------
// What the person has in front of them: the cards sent to them, newest first (read from the outbox)

/** A card the bot sent this person (directly, or as a reply in their direct chat), newest first. */
export interface SentCard {
  outboxId: number
  card: Card
}

/** How far back in the outbox a person's cards are looked for (rows, newest first). */
const RECENT_ROWS = 20_000

/** The latest cards sent to a person: to their local address, their platform accounts, and the direct chat. */
export async function recentCardsOf(db: Db, personId: number, chat: ChatRef | undefined, limit = 40): Promise<SentCard[]> {
  const ids = await db
    .select({ platform: identities.platform, userId: identities.userId })
    .from(identities)
    .where(eq(identities.personId, personId))
    .all()
  const where = [and(eq(outbox.platform, 'local'), eq(outbox.address, `person:${personId}`))]
  for (const i of ids) where.push(and(eq(outbox.platform, i.platform), eq(outbox.address, i.userId)))
  if (chat && chat.kind === 'direct') where.push(and(eq(outbox.platform, chat.platform), eq(outbox.address, chat.chatId)))
  // The outbox has no index by address: look only at its latest rows (by rowid, cheap), where a person's cards are.
  const top =
    (
      await db
        .select({ id: max(outbox.id) })
        .from(outbox)
        .get()
    )?.id ?? 0
  const rows = await db
    .select({ id: outbox.id, body: outbox.body })
    .from(outbox)
    .where(and(gt(outbox.id, top - RECENT_ROWS), or(...where)))
    .orderBy(desc(outbox.id))
    .limit(limit)
    .all()
  const out: SentCard[] = []
  for (const r of rows) {
    const body = (typeof r.body === 'string' ? JSON.parse(r.body) : r.body) as MessageBody
    if (body?.kind === 'card') out.push({ outboxId: r.id, card: body.card })
  }
  return out
}

/** A button of a card as the command it runs: its args, and for a form's submit the form's prefilled values. */
export interface CardButton {
  label: string
  command: CommandName
  args: Record<string, string | number>
  form?: Record<string, string>
  card: Card
}

export function buttonsOf(card: Card): CardButton[] {
  const out: CardButton[] = []
  for (const e of card.elements) {
    if (e.kind === 'actions') for (const b of e.buttons) out.push({ label: b.label, command: b.command, args: b.args ?? {}, card })
    if (e.kind === 'form') {
      const form: Record<string, string> = {}
      for (const i of e.inputs) if (i.initial) form[i.name] = i.initial
      out.push({ label: e.submit.label, command: e.submit.command, args: e.submit.args ?? {}, form, card })
    }
  }
  return out
}

const labelKey = (s: string) =>
  s
    .normalize('NFKC')
    .replace(/[\s。.!！,，「」"“”]+/g, '')
    .toLowerCase()

/** The button whose label the person typed, on the latest card of theirs that has one. */
export async function buttonForLabel(db: Db, personId: number, chat: ChatRef | undefined, text: string): Promise<CardButton | undefined> {
  const key = labelKey(text)
  if (!key || key.length > 12) return undefined
  for (const sent of await recentCardsOf(db, personId, chat)) {
    const b = buttonsOf(sent.card).find((x) => labelKey(x.label) === key)
    if (b) return b
  }
  return undefined
}

/** Whether a person has acknowledged an item (已阅 in the audit trail). */
export async function hasAcknowledged(db: Db, personId: number, entity: string, entityId: number): Promise<boolean> {
  const row = await db
    .select({ id: auditLog.id })
    .from(auditLog)
    .where(and(eq(auditLog.entity, entity), eq(auditLog.entityId, entityId), eq(auditLog.action, 'ack'), eq(auditLog.actorPersonId, personId)))
    .get()
  return row !== undefined
}
