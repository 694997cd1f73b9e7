#!/usr/bin/env node
// The Workers configuration for a list of counties: one deployment, one D1 database per county.
//
//   node scripts/workers-config.mjs counties.csv > wrangler.toml        (or counties.json; --name diaodu-sx)
//
// Input, one county a row: id (lower-case letters, digits, -), name, database_id (from `wrangler d1 create
// diaodu-<id>`; leave empty for a local-only run), hosts (space-separated, optional).
//   CSV:  id,name,database_id,hosts
//         qinshui,沁水县,1b2c…,qinshui.diaodu.example.cn
//   JSON: [{"id": "qinshui", "name": "沁水县", "database_id": "1b2c…", "hosts": ["qinshui.diaodu.example.cn"]}]
// Output: wrangler.toml with the COUNTIES var, a DB_<ID> binding per county (migrations from ./drizzle), the
// minute Cron Trigger, the outbox Queue (producer and consumer) and the county Durable Object. Each county's
// credentials are a secret, set once: `wrangler secret put COUNTY_<ID>` with its variables as JSON (the
// README's "Adding a county"); the last lines of the output list the commands.
//
// Cloudflare's limits (developers.cloudflare.com/workers/platform/limits): 128 variables per Worker on the Paid
// plan, 64 on Free, secrets and text counted together, 5 KB each. So the county list is split over COUNTIES,
// COUNTIES_2, … (each under 5 KB), and past 128 variables counties share a secret: `COUNTY_SECRETS_<n>`, a JSON
// object of several counties' variables by id (`{"qinshui": {"FEISHU_APP_ID": …}, …}`, under 5 KB).
//
//   node scripts/workers-config.mjs bind <county> --mobile 139… --platform feishu|wecom --user ou_…
// prints what `diaodu bind --user` does on a county's SQLite file, for its D1 database: one `wrangler d1
// execute --remote` statement (the same upsert as bindIdentity in src/store/repos/directory.ts), run with the
// operator's Cloudflare login; a mobile not in the roster fails on identities.person_id (NOT NULL) and binds nothing.
import { readFileSync } from 'node:fs'

export function parseCounties(text, isJson) {
  const rows = isJson ? JSON.parse(text) : csvRows(text)
  const seen = new Set()
  return rows.map((r, i) => {
    const id = String(r.id ?? '').trim()
    if (!/^[a-z0-9][a-z0-9-]{0,40}$/.test(id)) throw new Error(`row ${i + 1}: id "${id}" must be lower-case letters, digits and -`)
    if (seen.has(id)) throw new Error(`row ${i + 1}: county ${id} listed twice`)
    seen.add(id)
    const hosts = Array.isArray(r.hosts)
      ? r.hosts
      : String(r.hosts ?? '')
          .split(/[\s;]+/)
          .filter(Boolean)
    return {
      id,
      name: String(r.name ?? '').trim(),
      databaseId: String(r.database_id ?? r.databaseId ?? '').trim(),
      hosts: hosts.map((h) => h.toLowerCase()),
    }
  })
}

function csvRows(text) {
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .filter((l) => l.trim())
  const head = lines
    .shift()
    .split(',')
    .map((h) => h.trim())
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [head[i], v.trim()])))
}

const suffix = (id) => id.toUpperCase().replace(/-/g, '_')
const str = (s) => JSON.stringify(s) // TOML basic strings share JSON's escapes

/** A variable's value may be 5 KB (Cloudflare's limit); the list is cut a little below it. */
export const VAR_MAX_BYTES = 4800

/** The county list as COUNTIES, COUNTIES_2, … each a JSON array under VAR_MAX_BYTES (the Worker joins them). */
export function countyVars(list) {
  const chunks = [[]]
  for (const c of list) {
    const last = chunks[chunks.length - 1]
    if (last.length && Buffer.byteLength(JSON.stringify([...last, c])) > VAR_MAX_BYTES) chunks.push([c])
    else last.push(c)
  }
  return chunks.map((chunk, i) => [i === 0 ? 'COUNTIES' : `COUNTIES_${i + 1}`, JSON.stringify(chunk)])
}

/** Variables a Worker may have, secrets and text together (Paid; Free allows 64). */
export const WORKER_VARS_MAX = 128

/** The `wrangler d1 execute` command that binds a chat account to a roster person of one county (`diaodu bind --user`). */
export function bindCommand(county, { mobile, platform, user }) {
  if (!/^[a-z0-9][a-z0-9-]{0,40}$/.test(county ?? '')) throw new Error(`county id "${county ?? ''}" must be lower-case letters, digits and -`)
  if (!/^1[3-9]\d{9}$/.test(mobile ?? '')) throw new Error('--mobile must be an 11-digit mobile (手机号应为 11 位)')
  if (platform !== 'feishu' && platform !== 'wecom') throw new Error('--platform must be feishu or wecom (平台应为 feishu 或 wecom)')
  if (!/^[A-Za-z0-9_.@-]{1,128}$/.test(user ?? '')) throw new Error('--user must be the platform user id, e.g. a Feishu open_id (需要平台用户 ID)')
  // INSERT … SELECT needs a WHERE before ON CONFLICT (SQLite's upsert parsing); no such mobile → person_id NULL → refused.
  const sql =
    `INSERT INTO identities (person_id, platform, user_id, bound_at) ` +
    `SELECT (SELECT id FROM people WHERE mobile = '${mobile}'), '${platform}', '${user}', CAST(unixepoch('subsec') * 1000 AS INTEGER) WHERE true ` +
    `ON CONFLICT (platform, user_id) DO UPDATE SET person_id = excluded.person_id, bound_at = excluded.bound_at ` +
    `RETURNING person_id, platform, user_id`
  return { sql, command: `npx wrangler d1 execute diaodu-${county} --remote --command "${sql}"` }
}

export function wranglerToml(counties, name = 'diaodu') {
  const list = counties.map((c) => ({ id: c.id, ...(c.name && { name: c.name }), hosts: c.hosts }))
  const out = [
    `# Generated by scripts/workers-config.mjs for ${counties.length} ${counties.length === 1 ? 'county' : 'counties'}; edit the list and run it again.`,
    `name = ${str(name)}`,
    `main = "src/runtime/workers/index.ts"`,
    `compatibility_date = "2026-11-17"`,
    `compatibility_flags = ["nodejs_compat"]`,
    `# The Feishu SDK reads __dirname when it loads (the Worker sends through its own fetch client; kept should the SDK be bundled).`,
    `define = { __dirname = "\\"/\\"" }`,
    `# Board images are drawn on Node; Workers send boards as markdown, so echarts stays out of the bundle.`,
    `alias = { "echarts" = "./src/runtime/workers/no-charts.ts" }`,
    '',
    '[vars]',
    ...countyVars(list).map(([k, v]) => `${k} = ${str(v)}`),
    `LOG_LEVEL = "info"`,
    '',
    '# The dispatch clock: one tick a minute (UTC; the schedules themselves are Shanghai time, in the database).',
    '[triggers]',
    'crons = ["* * * * *"]',
    '',
  ]
  for (const c of counties) {
    out.push(
      `[[d1_databases]]${c.name ? ` # ${c.name}` : ''}`,
      `binding = ${str(`DB_${suffix(c.id)}`)}`,
      `database_name = ${str(`diaodu-${c.id}`)}`,
      `database_id = ${str(c.databaseId || `local-${c.id}`)}`,
      'migrations_dir = "drizzle"',
      '',
    )
  }
  out.push(
    '# The outbox wakes: the rows stay in each county’s D1 (claims, keys, retries); a message says "drain county X".',
    '[[queues.producers]]',
    'binding = "OUTBOX_QUEUE"',
    `queue = ${str(`${name}-outbox`)}`,
    '',
    '[[queues.consumers]]',
    `queue = ${str(`${name}-outbox`)}`,
    'max_batch_size = 100',
    'max_batch_timeout = 1',
    'max_retries = 10',
    '',
    '# One object per county (by name): its minute tick, and its outbox sender, whose token buckets hold the per-app limits across isolates.',
    '[[durable_objects.bindings]]',
    'name = "COUNTY_OBJECT"',
    'class_name = "CountyObject"',
    '',
    '[[migrations]]',
    'tag = "v1"',
    'new_sqlite_classes = ["CountyObject"]',
    '',
    ...counties.flatMap((c) => [`# wrangler d1 migrations apply diaodu-${c.id} --remote && wrangler secret put COUNTY_${suffix(c.id)}`]),
    '',
  )
  const vars = countyVars(list).length + 1 + counties.length
  if (vars > WORKER_VARS_MAX)
    out.push(
      `# ${vars} variables with a secret per county: Cloudflare allows ${WORKER_VARS_MAX} per Worker (Paid). Put several counties in one`,
      '# secret instead: wrangler secret put COUNTY_SECRETS_1 with {"<id>": {…its variables…}, …}, each under 5 KB.',
      '',
    )
  return out.join('\n')
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2)
  if (args[0] === 'bind') {
    const flag = (name) => {
      const at = args.indexOf(`--${name}`)
      return at >= 0 ? args[at + 1] : undefined
    }
    try {
      const { command } = bindCommand(args[1], { mobile: flag('mobile'), platform: flag('platform'), user: flag('user') })
      process.stdout.write(`${command}\n`)
      process.exit(0)
    } catch (e) {
      console.error(`workers-config bind: ${e.message}`)
      console.error('usage: node scripts/workers-config.mjs bind <county> --mobile 139… --platform feishu|wecom --user ou_…')
      process.exit(2)
    }
  }
  const nameAt = args.indexOf('--name')
  const workerName = nameAt >= 0 ? args.splice(nameAt, 2)[1] : 'diaodu'
  const file = args[0]
  if (!file) {
    console.error('usage: node scripts/workers-config.mjs COUNTIES.csv|COUNTIES.json [--name WORKER] > wrangler.toml')
    process.exit(2)
  }
  try {
    const text = readFileSync(file, 'utf8')
    process.stdout.write(wranglerToml(parseCounties(text, /\.json$/i.test(file) || text.trim().startsWith('[')), workerName))
  } catch (e) {
    console.error(`workers-config: ${e.message}`)
    process.exit(2)
  }
}
