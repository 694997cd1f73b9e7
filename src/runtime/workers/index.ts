/**
 * The Cloudflare Workers entry (wrangler.toml `main`): the same Hono app, the same dispatch clock and the
 * same outbox as `npm start`, for many counties at once, each on its own D1 database (counties.ts).
 *
 * - `fetch`: `/c/<county>/…` (or a county's host) → that county's app (src/http/app.ts), built for this
 *   request (`countyForRequest`: nothing of one request's I/O is shared with another's). Work after the
 *   response (the bot's run on a webhook) goes to `ctx.waitUntil`; when it is done the county's outbox is
 *   woken through the Queue.
 * - `scheduled` (the Cron Trigger, every minute): each county's object (`CountyObject`, one per county by name)
 *   runs `runTick` (src/jobs/tick.ts) as of the trigger's time, then wakes its outbox. Each county is its own
 *   call: its D1 queries count against that object's request, not against one invocation for the whole
 *   province (a paid invocation may make 1,000 D1 queries; a tick of one county makes tens, of a hundred
 *   counties thousands). One county's failure is logged and does not stop the others.
 * - `queue`: wake messages `{county}`; each county's drain runs in its object. The outbox rows stay in D1
 *   (claims, keys, retries as on Node); the Queue only says "look". The object is why the per-app limits hold
 *   across isolates: every send of a county's apps goes through the one object, whose token buckets
 *   (outbox/limits.ts) live in its memory — a single instance worldwide, its drains one at a time. An object is
 *   evicted only after it has been idle, when the buckets would be full again anyway; after a deploy it starts
 *   with full buckets, the 5 % burst they allow. When rows come due within the next minute (a retry, a
 *   rate-limit reset) the object sets an alarm for then; later ones are found by the next tick's wake.
 *
 * WebCrypto only: AES-CBC through `crypto.subtle` (Feishu `webCryptoAes`, WeCom `webCryptoRawAes`); no node:*.
 */
import { DurableObject } from 'cloudflare:workers'
import { runTick } from '../../jobs/tick.ts'
import { drainOutbox, type DrainStats } from '../../outbox/sender.ts'
import { createLimiter, type Limiter } from '../../outbox/limits.ts'
import { createPauses, type Pauses } from '../../outbox/pause.ts'
import { quietHoursHold } from '../../outbox/quiet.ts'
import { nextDueAt } from '../../store/repos/outbox.ts'
import { setSetting } from '../../store/repos/settings.ts'
import { loadDispatchCalendar } from '../../services/rules.ts'
import { FEISHU_BOT_SETTING } from '../../channels/feishu/routes.ts'
import { countiesOf, countyForRequest, countyOfRequest, county, type County, type WorkerEnv } from './counties.ts'

interface ExecutionContextLike {
  waitUntil(p: Promise<unknown>): void
  passThroughOnException?(): void
}

/** Rows due within this long after a drain are waited for by an alarm; later ones by the next tick's wake. */
const ALARM_WITHIN_MS = 60_000

const wake = (env: WorkerEnv, id: string) => env.OUTBOX_QUEUE.send({ county: id })

export default {
  async fetch(request: Request, env: WorkerEnv, ctx: ExecutionContextLike): Promise<Response> {
    const url = new URL(request.url)
    const counties = countiesOf(env)
    if (url.pathname === '/healthz') return Response.json({ ok: true, counties: counties.map((c) => c.id) })
    const found = countyOfRequest(counties, url)
    if (!found) return Response.json({ ok: false, error: '未找到该县 (unknown county)' }, { status: 404 })
    let c: County
    try {
      c = await countyForRequest(env, found.county)
    } catch (e) {
      // Its database binding or migrations missing, its secret malformed: this county answers 503, the others
      // are not affected.
      console.error(JSON.stringify({ level: 'error', msg: 'county unavailable', county: found.county.id, error: String(e) }))
      return Response.json({ ok: false, error: '该县暂不可用，请联系管理员 (county unavailable)' }, { status: 503 })
    }
    url.pathname = found.path
    const inner = new Request(url, request)
    const response = await c.app.fetch(inner, env, ctx as never)
    if (request.method === 'POST') {
      // The bot runs after the response (the routes hand it to waitUntil too); then its replies are sent.
      ctx.waitUntil(
        c.intake
          .idle()
          .then(() => wake(env, c.id))
          .catch((e: unknown) => c.logger.error('could not wake the outbox', { error: String(e) })),
      )
    }
    return response
  },

  async scheduled(controller: { scheduledTime: number; cron: string }, env: WorkerEnv, ctx: ExecutionContextLike): Promise<void> {
    const runs = countiesOf(env).map((entry) =>
      env.COUNTY_OBJECT.get(env.COUNTY_OBJECT.idFromName(entry.id))
        .tick(entry.id, controller.scheduledTime)
        .catch((e: unknown) => console.error(JSON.stringify({ level: 'error', msg: 'tick failed', county: entry.id, error: String(e) }))),
    )
    ctx.waitUntil(Promise.all(runs))
    await Promise.all(runs)
  },

  async queue(batch: { messages: { body: unknown; ack(): void; retry(o?: { delaySeconds?: number }): void }[] }, env: WorkerEnv): Promise<void> {
    const known = new Set(countiesOf(env).map((c) => c.id))
    const byCounty = new Map<string, typeof batch.messages>()
    for (const m of batch.messages) {
      const id = (m.body as { county?: unknown })?.county
      if (typeof id !== 'string' || !known.has(id)) {
        m.ack() // a county since removed, or garbage: nothing to drain
        continue
      }
      byCounty.set(id, [...(byCounty.get(id) ?? []), m])
    }
    // Several wakes of one county are one drain.
    await Promise.all(
      [...byCounty].map(async ([id, messages]) => {
        try {
          await env.COUNTY_OBJECT.get(env.COUNTY_OBJECT.idFromName(id)).drain(id)
          for (const m of messages) m.ack()
        } catch (e) {
          console.error(JSON.stringify({ level: 'error', msg: 'outbox drain failed', county: id, error: String(e) }))
          for (const m of messages) m.retry({ delaySeconds: 10 })
        }
      }),
    )
  },
}

/** The bot's own open_id (to recognise @-mentions in groups), asked once per isolate until Feishu answers. */
async function learnBot(c: County): Promise<void> {
  if (c.botOpenId || !c.feishu) return
  const r = await c.feishu.botInfo()
  if (!r.ok) return c.logger.warn('could not read the Feishu bot info', { reason: r.reason })
  c.botOpenId = r.openId
  await setSetting(c.db, FEISHU_BOT_SETTING, { openId: r.openId, name: r.name })
}

/**
 * One county's clock and outbox sender, the only one there is (named by the county's id): the app-wide limits
 * hold because every send of the county passes through this object's buckets.
 */
export class CountyObject extends DurableObject<WorkerEnv> {
  private limiter: Limiter = createLimiter()
  private pauses: Pauses = createPauses()
  private running: Promise<DrainStats> | undefined
  private again = false
  private countyId: string | undefined

  /** Drains the county's outbox now; a call during a drain makes that drain go round once more. */
  async drain(countyId: string): Promise<DrainStats> {
    this.countyId = countyId
    if (this.running) {
      this.again = true
      return this.running
    }
    this.running = (async () => {
      let stats: DrainStats
      do {
        this.again = false
        stats = await this.pass(countyId)
      } while (this.again)
      return stats
    })().finally(() => (this.running = undefined))
    return this.running
  }

  /** The county's minute: everything due as of the trigger's time (the county's clock), then its outbox woken. */
  async tick(countyId: string, scheduledTime: number): Promise<{ queued: number }> {
    const c = await this.county(countyId)
    await learnBot(c)
    const report = await runTick(c.db, new Date(scheduledTime + c.offset), false, c.platforms)
    if (report.queued) c.logger.info('tick', { queued: report.queued, jobs: report.jobs.map((j) => `${j.job}:${j.period}`) })
    await wake(this.env, countyId)
    return { queued: report.queued }
  }

  async alarm(): Promise<void> {
    const id = this.countyId ?? (await this.ctx.storage.get<string>('county'))
    if (id) await this.drain(id)
  }

  private async county(countyId: string): Promise<County> {
    const entry = countiesOf(this.env).find((c) => c.id === countyId)
    if (!entry) throw new Error(`unknown county ${countyId}`)
    return county(this.env, entry)
  }

  private async pass(countyId: string): Promise<DrainStats> {
    const c = await this.county(countyId)
    const platforms = Object.keys(c.senders)
    const hold = quietHoursHold(await loadDispatchCalendar(c.db))
    const stats = await drainOutbox(c.db, c.senders, c.now(), {
      platforms,
      limiter: this.limiter,
      pauses: this.pauses,
      holdUntil: hold,
      logger: c.logger,
    })
    if (stats.claimed) c.logger.info('outbox drained', { sent: stats.sent, retried: stats.retried, failed: stats.failed, held: stats.held })
    const next = platforms.length ? await nextDueAt(c.db, platforms) : null
    if (next !== null && next - c.now().getTime() < ALARM_WITHIN_MS) {
      await this.ctx.storage.put('county', countyId)
      await this.ctx.storage.setAlarm(Math.max(next - c.offset, Date.now() + 1000))
    }
    return stats
  }
}
