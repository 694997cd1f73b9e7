/**
 * WECOM_MODE=bot: the 智能机器人 long connection through the official SDK (`@wecom/aibot-node-sdk`: ws,
 * heartbeats every 30 s, reconnects with back-off). A county server without a public URL talks to WeCom the way
 * Feishu's ws mode does: frames go into the shared intake (src/channels/wecom/bot.ts), replies and pushes leave
 * through the outbox as `aibot_send_msg`, and a clicked card is replaced within WeCom's 5 s with the click's own
 * req_id (`aibot_respond_update_msg`). Node only.
 *
 * One live connection per bot: WeCom kicks the older one (`disconnected_event`), so two processes on one bot
 * would take turns losing their events. Before connecting we take a lease in the settings table
 * (`wecom.bot.connection`, renewed every 20 s, 60 s long): a second process on the same database refuses to
 * start with a message saying which one holds it. When WeCom kicks us anyway (another server elsewhere), we log
 * it as an error and do not reconnect (the SDK's rule too: the newer connection wins).
 *
 * @example
 *   const bot = await startWecomBot({ config, db, logger, now, intake })
 *   // later: await bot.stop()
 */
import { WSClient } from '@wecom/aibot-node-sdk'
import type { Config } from '../../config.ts'
import { startDrainLoop } from './drain.ts'
import type { Db } from '../../store/db.ts'
import type { Logger } from '../../log.ts'
import type { Platform } from '../../model/index.ts'
import type { Intake } from '../../intake/index.ts'
import { getSetting, setSetting } from '../../store/repos/settings.ts'
import { WebhookPayloadError } from '../../channels/wecom/events.ts'
import { createWecomBotReceiver, wecomBotOutboxSender, type WecomBotReceiver } from '../../channels/wecom/bot.ts'
import type { RobotSend } from '../../channels/wecom/outbox.ts'

export const BOT_LEASE_KEY = 'wecom.bot.connection'
const LEASE_MS = 60_000
const RENEW_MS = 20_000

interface Lease {
  owner: string
  botId: string
  until: number
  pid?: number
}

export class BotLeaseError extends Error {}

export interface StartWecomBotOptions {
  config: Config
  db: Db
  logger: Logger
  now?: () => Date
  intake?: Intake
  platforms?: Platform[]
  /** Outbox drain period (default 1000 ms); 0 = no loop, call `drainOnce()`. */
  drainEveryMs?: number
  /** SDK heartbeat (default 30 s, WeCom's). */
  heartbeatMs?: number
  /** How long a click waits for the bot (default BOT_CLICK_WAIT_MS). */
  clickWaitMs?: number
  /** The group robots' sender (`startRobots`). */
  robots?: RobotSend
}

export interface WecomBotChannel {
  receiver: WecomBotReceiver
  /** Resolves once WeCom accepted our aibot_subscribe. */
  ready: Promise<void>
  drainOnce(): Promise<void>
  stop(): Promise<void>
}

/** Takes the bot's lease, or throws BotLeaseError naming the process that holds it. */
async function takeLease(db: Db, botId: string, owner: string, at: number): Promise<void> {
  const held = await getSetting<Lease>(db, BOT_LEASE_KEY)
  if (held && held.owner !== owner && held.until > at && held.botId === botId)
    throw new BotLeaseError(
      `智能机器人 ${botId} 的长连接已由另一个进程${held.pid ? `（pid ${held.pid}）` : ''}使用：企业微信每个机器人只允许一个长连接，新连接会把旧的挤掉。请先停止那个进程，或等它的租约在 ${new Date(held.until).toISOString()} 后过期。`,
    )
  await setSetting(db, BOT_LEASE_KEY, { owner, botId, until: at + LEASE_MS, pid: process.pid } satisfies Lease)
}

export async function startWecomBot(o: StartWecomBotOptions): Promise<WecomBotChannel> {
  const { config, db, logger } = o
  const now = o.now ?? (() => new Date())
  const botId = config.WECOM_BOT_ID
  const secret = config.WECOM_BOT_SECRET
  if (!botId || !secret) throw new Error('startWecomBot: WECOM_BOT_ID and WECOM_BOT_SECRET are required')
  const owner = crypto.randomUUID()
  await takeLease(db, botId, owner, now().getTime())

  const receiver = createWecomBotReceiver({
    db,
    logger,
    now,
    ...(o.platforms && { platforms: o.platforms }),
    ...(o.intake && { intake: o.intake }),
    ...(o.clickWaitMs !== undefined && { clickWaitMs: o.clickWaitMs }),
  })
  const sdkLog =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (message: string, ...args: unknown[]) =>
      logger[level]('wecom bot', { detail: [message, ...args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a)))].join(' ') })
  const ws = new WSClient({
    botId,
    secret,
    wsUrl: config.WECOM_BOT_WS_URL,
    maxReconnectAttempts: -1,
    ...(o.heartbeatMs !== undefined && { heartbeatInterval: o.heartbeatMs }),
    logger: { debug: sdkLog('debug'), info: sdkLog('debug'), warn: sdkLog('warn'), error: sdkLog('error') },
  })

  const onFrame = async (frame: { headers?: { req_id?: string }; body?: Record<string, unknown> }) => {
    if (!frame.body) return
    try {
      const receipt = await receiver.accept(frame.body)
      if (receipt.kind === 'click' && receipt.card && frame.headers?.req_id) {
        const userid = (frame.body.from as { userid?: string } | undefined)?.userid
        await ws
          .updateTemplateCard(frame as never, receipt.card as never, userid ? [userid] : undefined)
          .catch((e: unknown) => logger.warn('wecom bot card not updated', { error: JSON.stringify(e instanceof Error ? e.message : e) }))
      }
    } catch (e) {
      if (e instanceof WebhookPayloadError) logger.warn('wecom bot frame malformed', { reason: e.message })
      else logger.error('wecom bot frame failed', { error: e instanceof Error ? e.message : String(e) })
    }
  }
  ws.on('message', (f) => void onFrame(f as never))
  ws.on('event', (f) => {
    const type = (f.body as { event?: { eventtype?: string } } | undefined)?.event?.eventtype
    if (type === 'disconnected_event') {
      logger.error('wecom bot connection taken over: another server opened a long connection for this bot; this one stops', { botId })
      return
    }
    void onFrame(f as never)
  })
  let authenticated!: () => void
  const ready = new Promise<void>((resolve) => (authenticated = resolve))
  ws.on('authenticated', () => {
    logger.info('wecom bot long connection ready', { botId })
    authenticated()
  })
  ws.on('error', (e: Error) => logger.error('wecom bot long connection error', { error: e.message }))
  ws.on('reconnecting', (attempt: number) => logger.warn('wecom bot long connection lost; reconnecting', { attempt }))
  ws.connect()

  const renew = setInterval(() => {
    void takeLease(db, botId, owner, now().getTime()).catch((e: unknown) =>
      logger.error('wecom bot lease lost', { error: e instanceof Error ? e.message : String(e) }),
    )
  }, RENEW_MS)

  const senders = {
    wecom: wecomBotOutboxSender({ sendMessage: (chatid, body) => ws.sendMessage(chatid, body as never) }, o.robots),
  }
  const drain = startDrainLoop({ db, senders, platform: 'wecom', now, logger, everyMs: o.drainEveryMs })
  logger.info('wecom channel started', { mode: 'bot', botId, url: config.WECOM_BOT_WS_URL })
  return {
    receiver,
    ready,
    drainOnce: drain.drainOnce,
    async stop() {
      clearInterval(renew)
      ws.disconnect()
      await drain.stop()
      await receiver.idle()
      const held = await getSetting<Lease>(db, BOT_LEASE_KEY)
      if (held?.owner === owner) await setSetting(db, BOT_LEASE_KEY, { ...held, until: 0 })
    },
  }
}
