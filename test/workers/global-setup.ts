/**
 * The Node side of the Workers suite, started once before workerd: the platforms' fakes on loopback (a Feishu
 * app per county, and county two's WeCom 自建应用, whose keys are the official vector A's), a control server the
 * tests inside workerd read the fakes through (what each received, failures to inject, a reset between files),
 * and each county's data as `diaodu demo` and `diaodu bind --user` leave it on SQLite, dumped into statements
 * within D1's 100 bound values — what a county moving from `npm start` copies in with `wrangler d1 execute --file`.
 */
import type { TestProject } from 'vitest/node'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { openNodeDatabase, type NodeDatabase } from '../../src/runtime/node/sqlite.ts'
import { loadDemoCounty } from '../../src/demo/county.ts'
import { bindIdentity } from '../../src/store/repos/directory.ts'
import { people } from '../../src/store/schema.ts'
import { startFakeFeishu, type FakeFeishu, type InjectedFailure } from '../fakes/feishu.ts'
import { startFakeWecom, type FakeWecom } from '../fakes/wecom.ts'
import { A } from '../channels/wecom/vectors.ts'
import { COUNTIES, LOADED, type SeedStatement } from './counties.ts'

export default async function setup(project: TestProject) {
  const feishu: Record<string, FakeFeishu> = {}
  for (const c of COUNTIES) feishu[c.id] = await startFakeFeishu({ appId: c.appId, appSecret: c.appSecret, botOpenId: `ou_bot_${c.id}` })
  const wecom: FakeWecom = await startFakeWecom({ corpId: A.corpId, secret: 'wecom-secret-two', agentId: 218 })

  const seeds: Record<string, SeedStatement[]> = {}
  // What the tests read: GET /feishu/<county> and /wecom (what each fake accepted, and every request's answer);
  // POST /feishu/<county>/fail (the next answers, as `failNext`); POST /reset before each file;
  // GET /seed/<county> (its dump; megabytes, more than vitest's provide channel carries to workerd).
  const control = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined
      const [kind, id, action] = (req.url ?? '/').split('?')[0]!.split('/').filter(Boolean)
      const answer = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' })
        res.end(JSON.stringify(value))
      }
      if (req.method === 'POST' && kind === 'reset') {
        for (const f of Object.values(feishu)) ((f.sent.length = 0), (f.requests.length = 0))
        wecom.sent.length = 0
        wecom.requests.length = 0
        return answer(200, {})
      }
      if (kind === 'seed' && id && seeds[id]) return answer(200, seeds[id])
      if (kind === 'wecom') return answer(200, { sent: wecom.sent, requests: wecom.requests })
      const f = kind === 'feishu' && id ? feishu[id] : undefined
      if (!f) return answer(404, { error: `no fake ${req.url}` })
      if (req.method === 'POST' && action === 'fail') {
        const { failure, count } = body as { failure: InjectedFailure; count?: number }
        f.failNext(failure, count)
        return answer(200, {})
      }
      return answer(200, { sent: f.sent, requests: f.requests })
    })
  })
  await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve))

  for (const c of COUNTIES) {
    const local = openNodeDatabase(':memory:')
    await loadDemoCounty(local.db, LOADED)
    for (const p of await local.db.select({ id: people.id }).from(people).all()) {
      await bindIdentity(local.db, p.id, 'feishu', `ou_${c.id}_${p.id}`, LOADED.getTime())
      if (c.wecom) await bindIdentity(local.db, p.id, 'wecom', `wc_${c.id}_${p.id}`, LOADED.getTime())
    }
    seeds[c.id] = dump(local)
    local.close()
  }

  project.provide('fakes', {
    control: `http://127.0.0.1:${(control.address() as AddressInfo).port}`,
    feishu: Object.fromEntries(Object.entries(feishu).map(([id, f]) => [id, f.url])),
    wecom: wecom.url,
  })

  return async () => {
    control.closeAllConnections()
    await new Promise((r) => control.close(r))
    for (const f of Object.values(feishu)) await f.close()
    await wecom.close()
  }
}

/** Every row of the database as inserts of at most 100 bound values (month_figures is the database's own: its triggers fill it). */
function dump(from: NodeDatabase): SeedStatement[] {
  const tables = from.sqlite
    .prepare(
      `select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not in ('__drizzle_migrations', 'month_figures') order by rowid`,
    )
    .all() as { name: string }[]
  const statements: SeedStatement[] = []
  for (const { name } of tables) {
    const select = from.sqlite.prepare(`select * from "${name}"`)
    const columns = select.columns().map((c) => c.name)
    const rows = select.raw().all() as unknown[][]
    const per = Math.max(1, Math.floor(100 / columns.length))
    for (let i = 0; i < rows.length; i += per) {
      const chunk = rows.slice(i, i + per)
      const values = chunk.map(() => `(${columns.map(() => '?').join(', ')})`).join(', ')
      statements.push({ sql: `insert into "${name}" (${columns.map((c) => `"${c}"`).join(', ')}) values ${values}`, params: chunk.flat() })
    }
  }
  return statements
}
