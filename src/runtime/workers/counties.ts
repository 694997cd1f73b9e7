/**
 * Many counties in one Worker: which counties there are, and each one's own database, credentials, intake,
 * app and senders — built once per isolate from the bindings, never shared between counties.
 *
 * The deployment's bindings (scripts/workers-config.mjs writes them for a list of counties):
 * - `COUNTIES` (var): `[{"id": "qinshui", "name": "沁水县", "hosts": ["qinshui.diaodu.example.cn"]}]`, continued
 *   in `COUNTIES_2`, `COUNTIES_3`… (a variable holds at most 5 KB, about 70 counties with a host each);
 * - `DB_<ID>` (D1), one database per county, `<ID>` being the id upper-cased with `-` as `_` (`DB_QINSHUI`);
 * - `COUNTY_<ID>` (secret): the county's variables as JSON, the same names `npm start` reads
 *   (`{"FEISHU_APP_ID": "cli_…", "FEISHU_APP_SECRET": "…", "FEISHU_ENCRYPT_KEY": "…", …}`), validated by the
 *   same schema (src/config.ts); plain vars of the Worker (`LOG_LEVEL`, `WEBHOOK_MAX_AGE_SECONDS`) are the
 *   defaults under it. A Worker may have 128 variables (secrets and text together; 64 on the Free plan), so
 *   beyond ~120 counties several share a secret: `COUNTY_SECRETS_<n>`, `{"qinshui": {…}, "yangcheng": {…}}`
 *   (each under 5 KB, about 8 counties with both platforms);
 * - `OUTBOX_QUEUE` (Queue producer) and `COUNTY_OBJECT` (Durable Object), shared: their messages and objects are
 *   per county by name.
 *
 * A request names its county by path (`/c/<id>/webhooks/feishu/events`) or by host (`hosts`); nothing else
 * selects a database.
 */
import { z } from 'zod'
import { sql } from 'drizzle-orm'
import { Hono } from 'hono'
import { loadConfig, type Config } from '../../config.ts'
import { createLogger, type Logger } from '../../log.ts'
import type { Db } from '../../store/db.ts'
import type { Platform } from '../../model/index.ts'
import { createApp } from '../../http/app.ts'
import { createIntake, type Intake } from '../../intake/index.ts'
import { decoders } from '../../channels/index.ts'
import { createFeishuReceiver, feishuRoutes, FEISHU_BOT_SETTING } from '../../channels/feishu/routes.ts'
import { feishuOutboxSender } from '../../channels/feishu/outbox.ts'
import type { FeishuSender } from '../../channels/feishu/send.ts'
import { createFetchSender } from './feishu-fetch.ts'
import { webCryptoAes } from '../../channels/feishu/crypto.ts'
import { wecomKeys } from '../../channels/wecom/crypto.ts'
import { createWecomReceiver, wecomRoutes } from '../../channels/wecom/routes.ts'
import { createWecomClient } from '../../channels/wecom/send.ts'
import { wecomOutboxSender } from '../../channels/wecom/outbox.ts'
import { getSetting } from '../../store/repos/settings.ts'
import type { Senders } from '../../outbox/sender.ts'
import { openCountyDatabase, type D1Binding, type UnitStats } from './d1.ts'

/** The bindings of the deployment (wrangler.toml). */
export interface WorkerEnv {
  COUNTIES: string
  OUTBOX_QUEUE: { send(body: unknown, opts?: { delaySeconds?: number }): Promise<void> }
  COUNTY_OBJECT: DurableObjectNamespaceLike
  LOG_LEVEL?: string
  [binding: string]: unknown
}

export interface DurableObjectNamespaceLike {
  idFromName(name: string): unknown
  get(id: unknown): { drain(county: string): Promise<unknown>; tick(county: string, scheduledTime: number): Promise<unknown> }
}

const countyList = z.array(
  z.object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,40}$/, 'county ids are lower-case letters, digits and -'),
    name: z.string().optional(),
    hosts: z.array(z.string().toLowerCase()).default([]),
  }),
)
export type CountyEntry = z.infer<typeof countyList>[number]

/** `qinshui-xian` → `QINSHUI_XIAN`: the suffix of the county's binding names. */
export const bindingSuffix = (id: string) => id.toUpperCase().replace(/-/g, '_')

let parsedCounties: { from: string; counties: CountyEntry[] } | undefined

/** COUNTIES, COUNTIES_2, COUNTIES_3…: the parts of the county list, in order. */
function countyListParts(env: Record<string, unknown>): unknown[] {
  const parts = Object.keys(env)
    .map((k) => ({ k, n: k === 'COUNTIES' ? 1 : Number(/^COUNTIES_(\d+)$/.exec(k)?.[1] ?? NaN) }))
    .filter((p) => Number.isInteger(p.n))
    .sort((a, b) => a.n - b.n)
  return parts.flatMap(({ k }) => {
    const v = env[k]
    const list: unknown = typeof v === 'string' ? JSON.parse(v) : v
    if (!Array.isArray(list)) throw new Error(`配置错误 ${k}: 应为县的 JSON 数组 (a JSON array of counties)`)
    return list
  })
}

/** The deployment's counties (COUNTIES and its continuations), parsed once per isolate. */
export function countiesOf(env: Pick<WorkerEnv, 'COUNTIES'> & Record<string, unknown>): CountyEntry[] {
  const from = Object.keys(env)
    .filter((k) => /^COUNTIES(_\d+)?$/.test(k))
    .map((k) => `${k}=${typeof env[k] === 'string' ? env[k] : JSON.stringify(env[k])}`)
    .join('\n')
  if (parsedCounties?.from === from) return parsedCounties.counties
  const parsed = countyList.safeParse(countyListParts(env))
  if (!parsed.success) throw new Error(`配置错误 COUNTIES: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`)
  const twice = parsed.data.find((c, i) => parsed.data.findIndex((o) => o.id === c.id) !== i)
  if (twice) throw new Error(`配置错误 COUNTIES: 县 ${twice.id} 出现两次 (listed twice)`)
  parsedCounties = { from, counties: parsed.data }
  return parsed.data
}

/**
 * A county's own variables: its `COUNTY_<ID>` secret, or its entry in a shared `COUNTY_SECRETS_<n>` secret
 * (`{"<id>": {…}}`); none at all is an empty object (the county then runs without platforms).
 */
export function countySecretOf(env: Record<string, unknown>, id: string): Record<string, string> {
  const parse = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : v)
  const own = env[`COUNTY_${bindingSuffix(id)}`]
  if (own !== undefined) return parse(own) as Record<string, string>
  for (const k of Object.keys(env).filter((k) => /^COUNTY_SECRETS_\w+$/.test(k))) {
    const shared = parse(env[k]) as Record<string, Record<string, string>> | null
    if (shared && typeof shared === 'object' && shared[id]) return shared[id]
  }
  return {}
}

/** The county a request is for, and its path inside the county (`/c/qinshui/healthz` → `/healthz`). */
export function countyOfRequest(counties: CountyEntry[], url: URL): { county: CountyEntry; path: string } | undefined {
  const m = /^\/c\/([a-z0-9-]+)(\/.*)?$/.exec(url.pathname)
  if (m) {
    const county = counties.find((c) => c.id === m[1])
    return county && { county, path: m[2] ?? '/' }
  }
  const host = url.hostname.toLowerCase()
  const county = counties.find((c) => c.hosts.includes(host))
  return county && { county, path: url.pathname }
}

/** One county's everything, as this isolate holds it. */
export interface County {
  id: string
  config: Config
  db: Db
  logger: Logger
  /** The county's clock: real time, or real time from DIAODU_NOW on (as `npm start`). */
  now: () => Date
  /** ms added to real time by DIAODU_NOW (0 without it): the tick adds it to the trigger's time. */
  offset: number
  platforms: Platform[]
  intake: Intake
  app: Hono
  senders: Senders
  feishu?: FeishuSender
  /** The bot's own open_id as last learnt (the FEISHU_BOT_SETTING setting). */
  botOpenId?: string
}

const built = new Map<string, Promise<County>>()

/**
 * The county's runtime for one request, built for it alone. workerd ties timers, fetches and the promises
 * they settle to the request that made them, and the intake's work queue, its group commit and the senders'
 * token fetch are shared state of that kind: two webhooks of one county overlapping in an isolate then fail
 * with "Cannot perform I/O on behalf of a different request" and hang. So `fetch` builds its own (the config
 * parse and two D1 reads); the county's Durable Object keeps one for its calls (`county`).
 */
export function countyForRequest(env: WorkerEnv, entry: CountyEntry): Promise<County> {
  return buildCounty(env, entry, {})
}

/** The county's runtime, built on first use in this isolate (the county's Durable Object). */
export function county(env: WorkerEnv, entry: CountyEntry, opts: { onUnit?: (s: UnitStats) => void } = {}): Promise<County> {
  let c = built.get(entry.id)
  if (!c) {
    c = buildCounty(env, entry, opts)
    built.set(entry.id, c)
    c.catch(() => built.delete(entry.id))
  }
  return c
}

async function buildCounty(env: WorkerEnv, entry: CountyEntry, opts: { onUnit?: (s: UnitStats) => void }): Promise<County> {
  const suffix = bindingSuffix(entry.id)
  const binding = env[`DB_${suffix}`] as D1Binding | undefined
  if (!binding) throw new Error(`县 ${entry.id} 没有数据库绑定 DB_${suffix} (no D1 binding DB_${suffix})`)
  const own = countySecretOf(env, entry.id)
  const plain = Object.fromEntries(
    Object.entries(env).filter(
      ([k, v]) => typeof v === 'string' && /^(LOG_LEVEL|WEBHOOK_MAX_AGE_SECONDS|FEISHU_DOMAIN|WECOM_API_BASE|DIAODU_NOW)$/.test(k),
    ),
  ) as Record<string, string>
  const config = loadConfig({ ...plain, ...own })
  const logger = withCounty(createLogger(config.LOG_LEVEL), entry.id)
  // No local channel on Workers: its /chat page lets whoever reaches it act as any official.
  const platforms = config.channels.filter((p) => p !== 'local')
  const { db, transact } = openCountyDatabase(binding, opts.onUnit)
  const offset = config.DIAODU_NOW === undefined ? 0 : Date.parse(config.DIAODU_NOW) - Date.now()
  const now = () => new Date(Date.now() + offset)
  const intake = createIntake({ db, logger, now, platforms, decoders: decoders(db), transact })
  const app = createApp({ db, schemaVersion: await schemaVersion(db), logger, now, channels: platforms, intake })
  const c: County = { id: entry.id, config, db, logger, now, offset, platforms, intake, app, senders: {} }
  c.botOpenId = (await getSetting<{ openId: string }>(db, FEISHU_BOT_SETTING))?.openId

  if (platforms.includes('feishu') && config.FEISHU_APP_ID && config.FEISHU_APP_SECRET) {
    const sender = createFetchSender({ appId: config.FEISHU_APP_ID, appSecret: config.FEISHU_APP_SECRET, domain: config.FEISHU_DOMAIN })
    c.feishu = sender
    c.senders.feishu = feishuOutboxSender(sender, db)
    const receiver = createFeishuReceiver({
      db,
      logger,
      now,
      botOpenId: () => c.botOpenId,
      intake,
      updateCardLater: (t, card) => sender.updateCardByToken(t, card),
    })
    app.route(
      '/',
      feishuRoutes({
        db,
        logger,
        now,
        botOpenId: () => c.botOpenId,
        receiver,
        secrets: {
          ...(config.FEISHU_ENCRYPT_KEY && { encryptKey: config.FEISHU_ENCRYPT_KEY }),
          ...(config.FEISHU_VERIFICATION_TOKEN && { verificationToken: config.FEISHU_VERIFICATION_TOKEN }),
          maxAgeSeconds: config.WEBHOOK_MAX_AGE_SECONDS,
          // WebCrypto's AES-CBC; the signature's SHA-256 stays the core's synchronous @noble/hashes (WebCrypto's
          // digest is asynchronous, and the signature seam is synchronous).
          aes: webCryptoAes,
        },
      }),
    )
  }
  const { WECOM_CORP_ID: corpId, WECOM_AGENT_ID: agentId, WECOM_SECRET: wecomSecret, WECOM_TOKEN: token, WECOM_ENCODING_AES_KEY: aesKey } = config
  if (platforms.includes('wecom') && corpId && agentId && wecomSecret && token && aesKey) {
    const client = createWecomClient({ corpId, secret: wecomSecret, agentId: Number(agentId), apiBase: config.WECOM_API_BASE })
    c.senders.wecom = wecomOutboxSender(client, db, () => now().getTime())
    const receiver = createWecomReceiver({ db, logger, now, intake })
    // The core's WebCrypto AES with WeCom's 32-byte padding (webCryptoRawAes, the default).
    app.route(
      '/',
      wecomRoutes({
        db,
        logger,
        now,
        receiver,
        secrets: { token, keys: wecomKeys(aesKey), corpId, agentId, maxAgeSeconds: config.WEBHOOK_MAX_AGE_SECONDS },
      }),
    )
  }
  return c
}

/** Migrations wrangler applied (`d1_migrations`), 0 when the table is not there. */
async function schemaVersion(db: Db): Promise<number> {
  try {
    const row = await db.get<{ n: number }>(sqlCount)
    return row?.n ?? 0
  } catch {
    return 0
  }
}
const sqlCount = sql`select count(*) as n from d1_migrations`

/** Every log line of a county names it. */
function withCounty(logger: Logger, id: string): Logger {
  const add = (f?: Record<string, unknown>) => ({ county: id, ...f })
  return {
    debug: (m, f) => logger.debug(m, add(f)),
    info: (m, f) => logger.info(m, add(f)),
    warn: (m, f) => logger.warn(m, add(f)),
    error: (m, f) => logger.error(m, add(f)),
  }
}

/** Forget the built counties (tests that change bindings). */
export function forgetCounties(): void {
  built.clear()
}
