/**
 * 分指挥部: a county's sectors with their 指挥长, 副指挥长 and 总联络人 (projects.sector names one), and the boards of
 * their projects as published with each month (board_snapshots, kind 'monthly', league '分指挥部').
 */
import { and, asc, eq, sql } from 'drizzle-orm'
import type { Db } from '../db.ts'
import { boardSnapshots, interviews, people, sectors } from '../schema.ts'

export type SectorRow = typeof sectors.$inferSelect

/** People of the roster with this name, for picking a sector's 指挥长, 副指挥长 or 总联络人 (never by a typed mobile). */
export const peopleNamed = (db: Db, name: string) => db.select().from(people).where(eq(people.name, name)).orderBy(asc(people.id)).all()

/** Who a sector names, by the column that holds them. */
export const SECTOR_POSTS = {
  commander: { column: 'commanderPersonId', label: '指挥长' },
  deputy: { column: 'deputyPersonId', label: '副指挥长' },
  liaison: { column: 'liaisonPersonId', label: '总联络人' },
} as const
export type SectorPost = keyof typeof SECTOR_POSTS

export const listSectors = (db: Db) => db.select().from(sectors).orderBy(asc(sectors.sortOrder), asc(sectors.id)).all()

/** Adds the sectors not yet there (by name); the ones already there keep their people. */
export async function addSectors(db: Db, rows: Omit<typeof sectors.$inferInsert, 'id' | 'createdAt'>[]): Promise<void> {
  for (const r of rows) await db.insert(sectors).values(r).onConflictDoNothing()
}

/**
 * Every sector the county has: those set up (in their order) and those only active projects name (an imported
 * county's, before the office set them up), each with its number of active projects.
 */
export async function knownSectors(db: Db): Promise<{ name: string; row: SectorRow | null; projects: number }[]> {
  const rows = await listSectors(db)
  const counts = await db.all<{ sector: string; n: number }>(
    sql`select sector, count(*) as n from projects where active = 1 and sector != '' group by sector order by sector`,
  )
  const countOf = new Map(counts.map((c) => [c.sector, c.n]))
  return [
    ...rows.map((row) => ({ name: row.name, row, projects: countOf.get(row.name) ?? 0 })),
    ...counts.filter((c) => !rows.some((r) => r.name === c.sector)).map((c) => ({ name: c.sector, row: null, projects: c.n })),
  ]
}

/**
 * Sets one post of a sector (creating its row when only projects named it). A new 指挥长 takes over the sector's
 * open 约谈, and the sector joins his own list when he has one. The row as it was and as it is now, and how many
 * 约谈 moved.
 */
export async function setSectorPost(
  db: Db,
  name: string,
  post: SectorPost,
  personId: number,
): Promise<{ before: SectorRow | null; after: SectorRow; movedInterviews: number }> {
  const before = (await db.select().from(sectors).where(eq(sectors.name, name)).get()) ?? null
  const column = SECTOR_POSTS[post].column
  const after = before
    ? (
        await db
          .update(sectors)
          .set({ [column]: personId })
          .where(eq(sectors.id, before.id))
          .returning()
      )[0]!
    : (
        await db
          .insert(sectors)
          .values({
            name,
            [column]: personId,
            sortOrder: 1 + (await db.get<{ n: number }>(sql`select coalesce(max(sort_order), 0) as n from sectors`))!.n,
          })
          .returning()
      )[0]!
  let movedInterviews = 0
  if (post === 'commander') {
    // A 副县长 who acts within listed sectors now leads this one too (an empty list already means all of them).
    const leader = await db.select({ sectors: people.sectors }).from(people).where(eq(people.id, personId)).get()
    const listed = (leader?.sectors as string[] | undefined) ?? []
    if (listed.length && !listed.includes(name))
      await db
        .update(people)
        .set({ sectors: [...listed, name] })
        .where(eq(people.id, personId))
    const moved = await db
      .update(interviews)
      .set({ commanderPersonId: personId })
      .where(and(eq(interviews.sectorId, after.id), sql`${interviews.heldOn} is null`))
      .returning({ id: interviews.id })
    movedInterviews = moved.length
  }
  return { before, after, movedInterviews }
}

const BOARD_LEAGUE = '分指挥部'

/** The 分指挥部 boards frozen with a month's publication, by sector name; undefined when none were frozen. */
export async function frozenSectorBoards<T>(db: Db, period: string): Promise<Record<string, T> | undefined> {
  const row = await db
    .select({ data: boardSnapshots.data })
    .from(boardSnapshots)
    .where(and(eq(boardSnapshots.kind, 'monthly'), eq(boardSnapshots.period, period), eq(boardSnapshots.league, BOARD_LEAGUE)))
    .get()
  return row?.data as Record<string, T> | undefined
}

/** Keeps the first copy of a month's 分指挥部 boards; later calls change nothing. */
export async function freezeSectorBoards(db: Db, period: string, data: Record<string, unknown>, at: number): Promise<void> {
  await db.insert(boardSnapshots).values({ kind: 'monthly', period, league: BOARD_LEAGUE, publishedAt: at, data }).onConflictDoNothing()
}
