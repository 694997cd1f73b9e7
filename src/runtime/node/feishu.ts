/**
 * Starting the Feishu channel on Node (`src/node.ts` calls this when FEISHU_APP_ID is set).
 *
 * 1. an SDK sender pointed at FEISHU_DOMAIN;
 * 2. receiving: FEISHU_MODE=webhook mounts `POST /webhooks/feishu/events` and `/webhooks/feishu/cards` on
 *    the app (synchronously, before the first request); FEISHU_MODE=ws opens the SDK's long connection —
 *    both feed the same receiver (verify → dedupe → processEvent);
 * 3. the bot's own open_id (GET bot info), fetched once (retried every 30 s while Feishu is unreachable),
 *    to recognise @-mentions in groups;
 * 4. the outbox drain for platform 'feishu' every second.
 *
 * Node only (the SDK). `stop()` ends the drain loop and the long connection and waits for work in flight.
 *
 * @example
 *   if (config.channels.includes('feishu')) feishu = await startFeishu({ config, db, logger, app, intake })
 */
import type { Hono } from 'hono'
import type { Config } from '../../config.ts'
import { startDrainLoop } from './drain.ts'
import type { Db } from '../../store/db.ts'
import type { Logger } from '../../log.ts'
import type { Platform } from '../../model/index.ts'
import { createSdkSender } from '../../channels/feishu/sdk.ts'
import type { FeishuSender } from '../../channels/feishu/send.ts'
import {
  createFeishuReceiver,
  feishuRoutes,
  feishuWebhookHandler,
  FEISHU_BOT_SETTING,
  type FeishuReceiver,
  type FeishuRouteDeps,
} from '../../channels/feishu/routes.ts'
import { feishuNodeRoutes, type NodeRoute } from './http.ts'
import { feishuOutboxSender } from '../../channels/feishu/outbox.ts'
import { startFeishuWs } from './feishu-ws.ts'
import { nodeAes, nodeSha256Hex } from './aes.ts'
import { setSetting } from '../../store/repos/settings.ts'
import type { Intake, Transact } from '../../intake/index.ts'
import { firstContactResolver } from '../../bot/identity.ts'

export interface StartFeishuOptions {
  config: Config
  db: Db
  logger: Logger
  /** The app to mount the webhook routes on (webhook mode). */
  app: Pick<Hono, 'route'>
  now?: () => Date
  /** Replaces the SDK sender (tests). */
  sender?: FeishuSender
  /** Outbox drain period (default 1000 ms); 0 = no loop, call `drainOnce()` yourself. */
  drainEveryMs?: number
  /** Platforms the outbox may deliver on (default `['feishu']`). */
  platforms?: Platform[]
  /** Card callback budget (default 2500 ms). */
  cardBudgetMs?: number
  /** The process's shared intake (default: one of the channel's own). */
  intake?: Intake
  /** The database's transaction (the directory sync binds people in one). */
  transact?: Transact
  /**
   * Where webhook mode puts the two webhook paths to be answered straight from node:http (src/runtime/node/http.ts),
   * for the caller to serve once everything has started. Without it only the Hono routes serve them.
   */
  nodeRoutes?: Map<string, NodeRoute>
}

export interface FeishuChannel {
  sender: FeishuSender
  receiver: FeishuReceiver
  /** The bot's open_id once known. */
  botOpenId(): string | undefined
  /** One outbox pass for 'feishu' (what the loop runs every second). */
  drainOnce(): Promise<void>
  stop(): Promise<void>
}

const BOT_INFO_RETRY_MS = 30_000

export async function startFeishu(o: StartFeishuOptions): Promise<FeishuChannel> {
  const { config, db, logger } = o
  const now = o.now ?? (() => new Date())
  if (!config.FEISHU_APP_ID || !config.FEISHU_APP_SECRET) throw new Error('startFeishu: FEISHU_APP_ID and FEISHU_APP_SECRET are required')
  const mode = config.FEISHU_MODE
  if (mode === 'webhook' && !config.FEISHU_ENCRYPT_KEY && !config.FEISHU_VERIFICATION_TOKEN) {
    throw new Error(
      '配置错误 FEISHU_ENCRYPT_KEY: webhook mode needs FEISHU_ENCRYPT_KEY and/or FEISHU_VERIFICATION_TOKEN ' +
        '(开发者后台 → 事件与回调 → 加密策略), or set FEISHU_MODE=ws',
    )
  }
  if (mode === 'webhook' && !config.FEISHU_ENCRYPT_KEY) {
    logger.warn('FEISHU_ENCRYPT_KEY is not set: webhooks are checked by the verification token only (no signature)')
  }

  const sender = o.sender ?? createSdkSender({ appId: config.FEISHU_APP_ID, appSecret: config.FEISHU_APP_SECRET, domain: config.FEISHU_DOMAIN })
  let botOpenId: string | undefined
  let stopped = false
  const receiver = createFeishuReceiver({
    db,
    logger,
    now,
    botOpenId: () => botOpenId,
    ...(o.platforms && { platforms: o.platforms }),
    ...(o.cardBudgetMs !== undefined && { cardBudgetMs: o.cardBudgetMs }),
    ...(o.intake && { intake: o.intake }),
    updateCardLater: (token, card) => sender.updateCardByToken(token, card),
    // An unbound account's first message: the directory may know it by the roster's mobile (at most every 10 min).
    recognise: firstContactResolver(
      db,
      { platform: 'feishu', batchSize: 50, userIdsByMobile: (m) => sender.userIdsByMobile(m) },
      {
        now,
        ...(o.transact && { transact: o.transact }),
        onReport: (r) => {
          if (r.failed) logger.warn('feishu directory lookup failed', { reason: r.failed })
          else if (r.bound.length) logger.info('bound people found in the feishu directory', { count: r.bound.length })
        },
      },
    ),
  })

  // Mount before anything awaits: Hono builds its router on the first request.
  let ws: { close(): void } | undefined
  if (mode === 'webhook') {
    const deps: FeishuRouteDeps = {
      db,
      logger,
      now,
      botOpenId: () => botOpenId,
      receiver,
      secrets: {
        ...(config.FEISHU_ENCRYPT_KEY && { encryptKey: config.FEISHU_ENCRYPT_KEY }),
        ...(config.FEISHU_VERIFICATION_TOKEN && { verificationToken: config.FEISHU_VERIFICATION_TOKEN }),
        maxAgeSeconds: config.WEBHOOK_MAX_AGE_SECONDS,
        // node:crypto: a synchronous AES (no thread-pool hop per webhook, as WebCrypto's, the core's default,
        // has) and OpenSSL's SHA-256 for the signature.
        aes: nodeAes,
        sha256Hex: nodeSha256Hex,
      },
    }
    const handler = feishuWebhookHandler(deps)
    o.app.route('/', feishuRoutes({ ...deps, handler }))
    if (o.nodeRoutes) for (const [path, route] of feishuNodeRoutes(handler, logger)) o.nodeRoutes.set(path, route)
  }

  let botTimer: ReturnType<typeof setTimeout> | undefined
  async function fetchBot(): Promise<void> {
    const r = await sender.botInfo()
    if (r.ok) {
      botOpenId = r.openId
      logger.info('feishu bot identified', { name: r.name, openId: r.openId })
      // Kept for the processes that cannot ask Feishu (diaodu inbound --retry recognises @-mentions with it).
      await setSetting(db, FEISHU_BOT_SETTING, { openId: r.openId, name: r.name })
      return
    }
    logger.error('could not read the Feishu bot info', { reason: r.reason, retryable: r.retryable })
    if (r.retryable && !stopped) botTimer = setTimeout(() => void fetchBot(), BOT_INFO_RETRY_MS)
  }
  await fetchBot()

  if (mode === 'ws') {
    ws = startFeishuWs({ appId: config.FEISHU_APP_ID, appSecret: config.FEISHU_APP_SECRET, domain: config.FEISHU_DOMAIN, receiver, logger })
  }

  const drain = startDrainLoop({ db, senders: { feishu: feishuOutboxSender(sender, db) }, platform: 'feishu', now, logger, everyMs: o.drainEveryMs })

  logger.info('feishu channel started', { mode, domain: config.FEISHU_DOMAIN })
  return {
    sender,
    receiver,
    botOpenId: () => botOpenId,
    drainOnce: drain.drainOnce,
    async stop() {
      stopped = true
      clearTimeout(botTimer)
      ws?.close()
      await drain.stop()
      await receiver.idle()
    },
  }
}
