import { eq, sql } from 'drizzle-orm'
import { prepared, type Db } from '../db.ts'
import { settings } from '../schema.ts'

/**
 * The settings version: a counter row that every `setSetting` bumps in the same statement as its write, so
 * a reader that keeps what it derived from settings (the bot's rules, county names and demo flag, loaded
 * once per version instead of once per event) sees any change, by this process or another, at its next
 * read. Settings are written through `setSetting` (diaodu config, the demo loader, the Feishu bot identity);
 * a hand edit of the table takes effect at the next such write or restart.
 */
export const SETTINGS_VERSION_KEY = '_version'

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

/** The current settings version (0 before the first write). */
export async function settingsVersion(db: Db): Promise<number> {
  return Number((await getSetting<number>(db, SETTINGS_VERSION_KEY)) ?? 0)
}

/** Stores `key = value` and bumps the settings version, in one statement (so atomically, in or out of a transaction). */
export async function setSetting(db: Db, key: string, value: unknown): Promise<void> {
  if (key === SETTINGS_VERSION_KEY) throw new RangeError(`${SETTINGS_VERSION_KEY} is kept by setSetting itself`)
  await db
    .insert(settings)
    .values([
      { key, value },
      { key: SETTINGS_VERSION_KEY, value: 1 },
    ])
    .onConflictDoUpdate({
      target: settings.key,
      set: { value: sql`case when ${settings.key} = ${SETTINGS_VERSION_KEY} then ${settings.value} + 1 else excluded.value end` },
    })
}
