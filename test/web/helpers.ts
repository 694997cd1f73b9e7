/**
 * The real server on loopback over the demo county, with the local channel to talk to the bot: a person sends
 * 「驾驶舱」 through POST /local/send (as the /chat page does) and opens the link the bot answers with.
 */
import type { AddressInfo } from 'node:net'
import { serve, type ServerType } from '@hono/node-server'
import { openNodeDatabase, type NodeDatabase } from '../../src/runtime/node/sqlite.ts'
import { loadDemoCounty } from '../../src/demo/county.ts'
import { shanghaiTime } from '../../src/domain/time.ts'
import { silentLogger } from '../../src/log.ts'
import { createApp } from '../../src/http/app.ts'
import { runTick } from '../../src/jobs/tick.ts'
import { people, units, type Role } from '../../src/store/schema.ts'
import type { BotResult } from '../../src/model/index.ts'

export type Person = typeof people.$inferSelect

/** Thursday 26 November 2026, 10:00: the November round opened on the 25th and is taking reports. */
export const IN_ROUND = shanghaiTime(2026, 11, 26, 10)

export async function startWeb() {
  const database: NodeDatabase = openNodeDatabase(':memory:')
  const { db } = database
  await loadDemoCounty(db, shanghaiTime(2026, 11, 22, 10))
  await runTick(db, shanghaiTime(2026, 11, 25, 9, 1)) // the round opens
  let now = IN_ROUND
  const app = createApp({
    db,
    schemaVersion: 1,
    logger: silentLogger,
    now: () => now,
    channels: ['local'],
    transact: database.transact,
  } as Parameters<typeof createApp>[0])
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s))
  })
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  // The links the bot writes start with the public URL: this server.
  process.env.DIAODU_PUBLIC_URL = base
  const everyone = await db.select().from(people).all()
  const unitRows = await db.select().from(units).all()

  const find = (role: Role, where: { unit?: string; title?: string } = {}): Person => {
    const unitId = where.unit ? unitRows.find((u) => u.name === where.unit)?.id : undefined
    const p = everyone.find(
      (x) => (x.roles as Role[]).includes(role) && (unitId === undefined || x.unitId === unitId) && (!where.title || x.title === where.title),
    )
    if (!p) throw new Error(`no ${role} ${JSON.stringify(where)}`)
    return p
  }

  /** What the bot answered a person who typed `text` in their direct chat on the /chat page. */
  async function chat(person: Person, text: string): Promise<string[]> {
    const r = await fetch(`${base}/local/send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: base },
      body: JSON.stringify({ personId: person.id, text }),
    })
    const result = (await r.json()) as BotResult & { ok: boolean }
    if (!result.ok) throw new Error(`send failed: ${JSON.stringify(result)}`)
    return result.messages.map((m) => (m.body.kind === 'text' ? m.body.text : m.body.card.title))
  }

  /** The sign-in link the bot sends for 「驾驶舱」. */
  async function loginLink(person: Person): Promise<string> {
    const texts = await chat(person, '驾驶舱')
    const url = /https?:\/\/\S+\/login\/[A-Za-z0-9_-]+/.exec(texts.join('\n'))?.[0]
    if (!url) throw new Error(`no link in ${JSON.stringify(texts)}`)
    return url
  }

  /** Opens the link as a browser would without scripts: GET, then the confirmation POST; the session cookie. */
  async function signIn(person: Person): Promise<string> {
    const url = await loginLink(person)
    await fetch(url)
    const r = await fetch(url, { method: 'POST', redirect: 'manual', headers: { origin: base } })
    if (r.status !== 303) throw new Error(`sign-in answered ${r.status}`)
    return r.headers.get('set-cookie')!.split(';')[0]!
  }

  const get = (path: string, cookie?: string) => fetch(`${base}${path}`, { headers: cookie ? { cookie } : {}, redirect: 'manual' })

  return {
    db,
    database,
    base,
    people: everyone,
    units: unitRows,
    find,
    chat,
    loginLink,
    signIn,
    get,
    at: (d: Date) => void (now = d),
    get now() {
      return now
    },
    close: async () => {
      await new Promise((r) => server.close(r))
      database.close()
    },
  }
}

/** The cells of a page's table by id, row by row, as text. */
export function tableRows(page: string, id: string): string[][] {
  const table = new RegExp(`<table id="${id}">([\\s\\S]*?)</table>`).exec(page)?.[1] ?? ''
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(table)?.[1] ?? ''
  return [...body.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((m) =>
    [...m[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => c[1]!.replace(/<[^>]+>/g, '').trim()),
  )
}
