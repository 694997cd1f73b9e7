/**
 * Starting the WeCom (企业微信) channel on Node (main.ts calls this when WECOM_CORP_ID and the rest are set),
 * and its node:crypto AES.
 *
 * 1. our fetch client for the WeCom API (WECOM_API_BASE; token cached, single-flight refresh);
 * 2. the callback `GET`/`POST /webhooks/wecom`, mounted on the app synchronously (before the first request),
 *    with node:crypto's AES (`nodeWecomAes`: no thread-pool hop per callback); the POST also put in
 *    `nodeRoutes`, for the server to answer straight from node:http (http.ts `wecomNodeRoute`);
 * 3. the form pages `/r/<token>` (src/forms) the 填报 buttons open when PUBLIC_URL is set;
 * 4. the outbox drain for platform 'wecom' every second (group robots too, with `robots`).
 *
 * WECOM_MODE=bot (the 智能机器人 long connection) is wecom-bot.ts. `stop()` ends the drain loop and waits for
 * work in flight.
 *
 * @example
 *   if (config.channels.includes('wecom')) wecom = startWecom({ config, db, logger, app, intake, nodeRoutes })
 */
import { createDecipheriv, createSecretKey } from 'node:crypto'
import type { Hono } from 'hono'
import type { Config } from '../../config.ts'
import { startDrainLoop } from './drain.ts'
import type { Db } from '../../store/db.ts'
import type { Logger } from '../../log.ts'
import type { Platform } from '../../model/index.ts'
import type { Intake } from '../../intake/index.ts'
import type { RawAesCbc } from '../../channels/wecom/crypto.ts'
import { wecomKeys } from '../../channels/wecom/crypto.ts'
import {
  createWecomReceiver,
  WECOM_CALLBACK_PATH,
  wecomCallbackHandler,
  wecomRoutes,
  type WecomReceiver,
  type WecomRouteDeps,
} from '../../channels/wecom/routes.ts'
import { wecomNodeRoute, type NodeRoute } from './http.ts'
import { createWecomClient, type WecomClient } from '../../channels/wecom/send.ts'
import { wecomOutboxSender, type RobotSend } from '../../channels/wecom/outbox.ts'
import { ROBOT_PREFIX, parseRobots, robotSender } from '../../channels/wecom/robot.ts'
import { upsertGroup } from '../../store/repos/directory.ts'
import { createPngRenderer } from './png.ts'
import { nodeSha1Hex } from './aes.ts'
import { formRoutes } from '../../forms/routes.ts'

/**
 * The group robots of WECOM_GROUP_ROBOTS as board groups (chat id `robot:<name>`; one added later is picked up
 * at the next start), and their sender with the board PNG renderer. Undefined when none is configured.
 */
export async function startRobots(o: { config: Config; db: Db; logger: Logger; now: () => Date }): Promise<RobotSend | undefined> {
  const robots = parseRobots(o.config.WECOM_GROUP_ROBOTS)
  if (!robots.size) return undefined
  for (const name of robots.keys()) await upsertGroup(o.db, 'wecom', `${ROBOT_PREFIX}${name}`, name, o.now().getTime())
  o.logger.info('wecom group robots', { robots: [...robots.keys()] })
  return robotSender({ robots, apiBase: o.config.WECOM_API_BASE, renderer: createPngRenderer() })
}

/**
 * AES-256-CBC without auto padding through node:crypto (synchronous: no thread-pool hop per callback);
 * WeCom's 32-byte PKCS#7 is checked by the core (`decryptWecom`).
 */
export const nodeWecomAes: RawAesCbc = {
  decryptRaw(key, iv, data) {
    if (key.length !== 32 || iv.length !== 16 || data.length === 0 || data.length % 16 !== 0)
      throw new RangeError('AES-256-CBC needs a 32-byte key, a 16-byte IV and whole blocks')
    const d = createDecipheriv('aes-256-cbc', createSecretKey(key), iv)
    d.setAutoPadding(false)
    const a = d.update(data)
    const b = d.final()
    return b.length ? new Uint8Array(Buffer.concat([a, b])) : new Uint8Array(a.buffer, a.byteOffset, a.byteLength)
  },
}

export interface StartWecomOptions {
  config: Config
  db: Db
  logger: Logger
  /** The app to mount the callback routes on. */
  app: Pick<Hono, 'route'>
  now?: () => Date
  /** Replaces the fetch client (tests). */
  client?: WecomClient
  /** Outbox drain period (default 1000 ms); 0 = no loop, call `drainOnce()` yourself. */
  drainEveryMs?: number
  /** Platforms the outbox may deliver on (default `['wecom']`). */
  platforms?: Platform[]
  /** The process's shared intake (default: one of the channel's own). */
  intake?: Intake
  /** The group robots' sender (`startRobots`). */
  robots?: RobotSend
  /** How long a click waits to be answered in the callback's response (default PASSIVE_REPLY_MS; 0: always the API). */
  passiveReplyMs?: number
  /**
   * Where the callback POST is put to be answered straight from node:http (src/runtime/node/http.ts), for the
   * caller to serve once everything has started. Without it only the Hono route serves it.
   */
  nodeRoutes?: Map<string, NodeRoute>
}

export interface WecomChannel {
  client: WecomClient
  receiver: WecomReceiver
  /** One outbox pass for 'wecom' (what the loop runs every second). */
  drainOnce(): Promise<void>
  stop(): Promise<void>
}

export function startWecom(o: StartWecomOptions): WecomChannel {
  const { config, db, logger } = o
  const now = o.now ?? (() => new Date())
  const corpId = config.WECOM_CORP_ID
  const agentId = config.WECOM_AGENT_ID
  const secret = config.WECOM_SECRET
  const token = config.WECOM_TOKEN
  const aesKey = config.WECOM_ENCODING_AES_KEY
  if (!corpId || !agentId || !secret || !token || !aesKey) {
    throw new Error('startWecom: WECOM_CORP_ID, WECOM_AGENT_ID, WECOM_SECRET, WECOM_TOKEN and WECOM_ENCODING_AES_KEY are required')
  }
  const client = o.client ?? createWecomClient({ corpId, secret, agentId: Number(agentId), apiBase: config.WECOM_API_BASE })
  const receiver = createWecomReceiver({
    db,
    logger,
    now,
    formPages: Boolean(config.PUBLIC_URL),
    ...(o.passiveReplyMs !== undefined && { passiveReplyMs: o.passiveReplyMs }),
    ...(o.platforms && { platforms: o.platforms }),
    ...(o.intake && { intake: o.intake }),
  })
  const deps: WecomRouteDeps = {
    db,
    logger,
    now,
    receiver,
    secrets: {
      token,
      keys: wecomKeys(aesKey),
      corpId,
      agentId,
      maxAgeSeconds: config.WEBHOOK_MAX_AGE_SECONDS,
      aes: nodeWecomAes,
      sha1Hex: nodeSha1Hex,
    },
  }
  // One handler for both paths, so that the Hono route and node:http answer alike.
  const handler = wecomCallbackHandler(deps)
  o.app.route('/', wecomRoutes({ ...deps, handler }))
  o.nodeRoutes?.set(WECOM_CALLBACK_PATH, wecomNodeRoute(handler, logger))

  // The form pages (/r/<token>) the cards' 填报 buttons open, fed to the same intake as the callback.
  o.app.route('/', formRoutes({ db, logger, now, intake: receiver.core, platforms: o.platforms ?? ['wecom'] }))
  const senders = {
    wecom: wecomOutboxSender(client, db, () => now().getTime(), o.robots, config.PUBLIC_URL ? { formBaseUrl: config.PUBLIC_URL } : {}),
  }
  const drain = startDrainLoop({ db, senders, platform: 'wecom', now, logger, everyMs: o.drainEveryMs })
  logger.info('wecom channel started', { mode: 'callback', apiBase: config.WECOM_API_BASE, agentId })
  return {
    client,
    receiver,
    drainOnce: drain.drainOnce,
    async stop() {
      await drain.stop()
      await receiver.idle()
    },
  }
}
