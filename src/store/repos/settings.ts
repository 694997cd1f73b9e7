import { eq } from 'drizzle-orm'
import type { Db } from '../db.ts'
import { settings } from '../schema.ts'

export async function getSetting<T>(db: Db, key: string): Promise<T | undefined> {
  const row = await db.select().from(settings).where(eq(settings.key, key)).get()
  return row?.value as T | undefined
}

export async function setSetting(db: Db, key: string, value: unknown): Promise<void> {
  await db.insert(settings).values({ key, value }).onConflictDoUpdate({ target: settings.key, set: { value } })
}
