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
import { eq } from 'drizzle-orm'
import { people, problems, projectContacts, projects, units, type Role } from '../../src/store/schema.ts'
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
  // A test may be busy longer than Node's 5 s keep-alive (loading a county for the CLI): the client's idle socket
  // must not be closed under it (ECONNRESET on the next fetch).
  ;(server as import('node:http').Server).keepAliveTimeout = 120_000
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
    return (await send(person, text)).messages.map((m) => (m.body.kind === 'text' ? m.body.text : m.body.card.title))
  }

  /** The whole BotResult of a person's message in their direct chat. */
  async function send(person: Person, text: string): Promise<BotResult> {
    const r = await fetch(`${base}/local/send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: base },
      body: JSON.stringify({ personId: person.id, text }),
    })
    const result = (await r.json()) as BotResult & { ok: boolean }
    if (!result.ok) throw new Error(`send failed: ${JSON.stringify(result)}`)
    return result
  }

  /**
   * A problem raised as contacts raise them: a report of one of their projects with 问题：… in chat, then 确认.
   * Returns the problem's id (the office gets its card with the 交办 form).
   */
  async function raiseProblem(contact: Person, description: string): Promise<number> {
    const theirs = new Set((await db.select().from(projectContacts).where(eq(projectContacts.personId, contact.id)).all()).map((c) => c.projectId))
    const { name } = (await db.select().from(projects).all()).find((p) => theirs.has(p.id) && p.active && p.year === 2026)!
    const prompt = (await send(contact, `填报 ${name}`)).messages.flatMap((m) => (m.body.kind === 'card' ? [m.body.card] : []))
    const form = prompt.flatMap((c) => c.elements).find((e) => e.kind === 'form' && e.inputs.some((i) => i.name === 'ytd'))
    const prev = Number(form?.kind === 'form' ? (form.inputs.find((i) => i.name === 'ytd')?.initial ?? 0) : 0)
    const said = await chat(contact, `本月完成投资100万元，本年累计${prev + 100}万元，主体施工，问题：${description}`)
    if (said.join().includes('是哪个项目')) await chat(contact, name)
    const confirmed = await chat(contact, '确认')
    const row = (await db.select().from(problems).where(eq(problems.description, description)).all())[0]
    if (!row) throw new Error(`no problem raised: ${[...said, ...confirmed].join(' | ')}`)
    return row.id
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
    send,
    raiseProblem,
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

/** A form of a page: where it posts and its fields (hidden ones with their values; inputs with their initial values). */
export interface PageForm {
  action: string
  fields: Record<string, string>
  submit: string
}

const unescapeHtml = (s: string) =>
  s.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&')

/** The POST forms of a page, as a browser without scripts would send them (first submit button). */
export function formsOn(page: string): PageForm[] {
  return [...page.matchAll(/<form[^>]*method="post"[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/g)].map((m) => {
    const fields: Record<string, string> = {}
    for (const i of m[2]!.matchAll(/<input[^>]*?name="([^"]+)"[^>]*?>/g)) fields[i[1]!] = unescapeHtml(/value="([^"]*)"/.exec(i[0])?.[1] ?? '')
    for (const t of m[2]!.matchAll(/<textarea[^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/textarea>/g)) fields[t[1]!] = unescapeHtml(t[2]!)
    for (const sel of m[2]!.matchAll(/<select[^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g)) {
      const chosen = /<option value="([^"]*)"\s*selected/.exec(sel[2]!) ?? /<option value="([^"]*)"/.exec(sel[2]!)
      fields[sel[1]!] = unescapeHtml(chosen?.[1] ?? '')
    }
    const submit = /<button[^>]*>([\s\S]*?)<\/button>/.exec(m[2]!)?.[1]?.trim() ?? ''
    return { action: unescapeHtml(m[1]!), fields, submit }
  })
}
