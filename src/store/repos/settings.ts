import { eq, sql } from 'drizzle-orm'
import { prepared, type Db } from '../db.ts'
import { settings } from '../schema.ts'

const settingByKey = prepared((db) =>
  db
    .select({ value: settings.value })
    .from(settings)
    .where(eq(settings.key, sql.placeholder('key')))
    .prepare(),
)

export async function getSetting<T>(db: Db, key: string): Promise<T | undefined> {
  const row = await settingByKey(db).get({ key })
  return row?.value as T | undefined
}

export async function setSetting(db: Db, key: string, value: unknown): Promise<void> {
  await db.insert(settings).values({ key, value }).onConflictDoUpdate({ target: settings.key, set: { value } })
}
