/** 分指挥部: a county's sectors with their 指挥长, 副指挥长 and 总联络人 (projects.sector names one). */
import { asc } from 'drizzle-orm'
import type { Db } from '../db.ts'
import { sectors } from '../schema.ts'

export type SectorRow = typeof sectors.$inferSelect

export const listSectors = (db: Db) => db.select().from(sectors).orderBy(asc(sectors.sortOrder), asc(sectors.id)).all()

/** Adds the sectors not yet there (by name); the ones already there keep their people. */
export async function addSectors(db: Db, rows: Omit<typeof sectors.$inferInsert, 'id' | 'createdAt'>[]): Promise<void> {
  for (const r of rows) await db.insert(sectors).values(r).onConflictDoNothing()
}
