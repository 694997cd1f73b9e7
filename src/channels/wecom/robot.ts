/**
 * 群机器人 (group robot, doc /91770): a webhook key per internal group, no access_token and no 可信IP — so it
 * also works from Workers. Configured as WECOM_GROUP_ROBOTS=`name=key,name2=key2`; each robot is a board group
 * of ours (platform 'wecom', chat id `robot:<name>`, added at start-up), so the clock's boards and 通报 reach it
 * like any group, through the outbox (20 messages a minute per robot: the outbox's per-chat bucket).
 *
 * - A card goes as markdown (≤ 4,096 bytes; a longer one is split at line ends into at most
 *   ROBOT_MAX_PARTS messages, the last clipped with a line saying where to see the rest) and, when it holds a
 *   chart or a score table and a renderer is given, as a PNG image (`image{base64, md5}`, ≤ 2 MB).
 * - Text goes as text (≤ 2,048 bytes, split).
 * - The key stays in this process: rows carry the robot's name, never its key.
 *
 * Runtime-agnostic (fetch; MD5 from @noble/hashes, which WebCrypto lacks).
 */
import { md5 } from '@noble/hashes/legacy.js'
import type { MessageBody } from '../../model/index.ts'
import type { SendOutcome } from '../../outbox/sender.ts'
import { refusal } from '../../outbox/rows.ts'
import { toBase64, toHex } from '../../lib/bytes.ts'
import { chartOfCard, type ChartImageRenderer } from '../../render/chart.ts'
import { renderMarkdown, renderText, splitText, clipBytes } from './render.ts'
import { classifyWecomError } from './send.ts'

/** The prefix of a robot's chat id in the groups table and the outbox address. */
export const ROBOT_PREFIX = 'robot:'
export const ROBOT_MARKDOWN_MAX_BYTES = 4096
export const ROBOT_IMAGE_MAX_BYTES = 2 * 1024 * 1024
/** A board split into more messages than this is clipped instead (20 messages a minute per robot). */
export const ROBOT_MAX_PARTS = 3
export const ROBOT_MORE = '\n> 内容较长，未显示完。完整榜单请在应用中发送「排名」查看'

export type RobotMessage =
  | { msgtype: 'text'; text: { content: string } }
  | { msgtype: 'markdown'; markdown: { content: string } }
  | { msgtype: 'image'; image: { base64: string; md5: string } }

/** `name=key,name2=key2` → name → key. @throws RangeError naming what is wrong. */
export function parseRobots(value: string | undefined): Map<string, string> {
  const out = new Map<string, string>()
  if (!value?.trim()) return out
  for (const part of value.split(/[,;\n]/)) {
    const p = part.trim()
    if (!p) continue
    const eq = p.indexOf('=')
    const name = eq > 0 ? p.slice(0, eq).trim() : ''
    const key = eq > 0 ? p.slice(eq + 1).trim() : ''
    if (!name || !/^[\w-]{8,128}$/.test(key))
      throw new RangeError(`「${p.slice(0, 20)}」应写成 群名=机器人key（key 在群机器人的 Webhook 地址 ?key= 之后）`)
    if (out.has(name)) throw new RangeError(`群名「${name}」出现了两次`)
    out.set(name, key)
  }
  return out
}

/** The markdown of a card in parts of ≤ 4,096 bytes (see the module comment). */
export function robotMarkdown(body: Extract<MessageBody, { kind: 'card' }>): string[] {
  const full = renderMarkdown(body.card, Infinity)
  const parts = splitText(full, ROBOT_MARKDOWN_MAX_BYTES)
  if (parts.length <= ROBOT_MAX_PARTS) return parts
  const kept = parts.slice(0, ROBOT_MAX_PARTS)
  kept[ROBOT_MAX_PARTS - 1] =
    clipBytes(kept[ROBOT_MAX_PARTS - 1]!, ROBOT_MARKDOWN_MAX_BYTES - new TextEncoder().encode(ROBOT_MORE).length) + ROBOT_MORE
  return kept
}

/** The image message of PNG bytes (md5 of the raw bytes, then base64). */
export function robotImage(png: Uint8Array): RobotMessage {
  return { msgtype: 'image', image: { base64: toBase64(png), md5: toHex(md5(png)) } }
}

/** What one outbox row becomes for a robot. */
export async function robotMessages(body: MessageBody, renderer?: ChartImageRenderer): Promise<RobotMessage[]> {
  if (body.kind === 'text') return splitText(renderText(body.text, body.mentions)).map((content) => ({ msgtype: 'text', text: { content } }))
  const out: RobotMessage[] = robotMarkdown(body).map((content) => ({ msgtype: 'markdown', markdown: { content } }))
  const chart = renderer && chartOfCard(body.card)
  if (chart) {
    const png = await renderer.png(chart)
    if (png.length <= ROBOT_IMAGE_MAX_BYTES) out.push(robotImage(png))
  }
  return out
}

export interface RobotSenderOptions {
  /** Robot name → key (WECOM_GROUP_ROBOTS). */
  robots: Map<string, string>
  /** WECOM_API_BASE. */
  apiBase?: string
  fetch?: typeof fetch
  /** Draws board charts (Node: createPngRenderer); without one, boards go as markdown only. */
  renderer?: ChartImageRenderer
  timeoutMs?: number
}

/** Reasons for robot-specific codes (the rest as for the app API). */
const ROBOT_ERRORS: Record<number, string> = {
  93000: '群机器人 key 无效或机器人已被移出群：请核对 WECOM_GROUP_ROBOTS',
  93004: '群机器人 key 无效或机器人已被移出群：请核对 WECOM_GROUP_ROBOTS',
  40058: '群机器人消息格式无效',
}

/** Sends one outbox row (address `robot:<name>`) through its robot's webhook. */
export function robotSender(o: RobotSenderOptions): (row: { address: string; body: unknown }, body: MessageBody) => Promise<SendOutcome> {
  const base = (o.apiBase ?? 'https://qyapi.weixin.qq.com').replace(/\/+$/, '')
  const doFetch = o.fetch ?? ((input, init) => fetch(input, init))
  return async (row, body) => {
    const name = row.address.slice(ROBOT_PREFIX.length)
    const key = o.robots.get(name)
    if (!key) return { ok: false, retryable: false, reason: `没有名为「${name}」的群机器人（WECOM_GROUP_ROBOTS 中已删除？）` }
    let messages: RobotMessage[]
    try {
      messages = await robotMessages(body, o.renderer)
    } catch (e) {
      return { ok: false, retryable: false, reason: `消息无法生成群机器人格式（${e instanceof Error ? e.message : String(e)}）` }
    }
    for (const m of messages) {
      let status = 0
      let json: { errcode?: unknown; errmsg?: unknown } = {}
      try {
        const res = await doFetch(`${base}/cgi-bin/webhook/send?key=${encodeURIComponent(key)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json; charset=utf-8' },
          body: JSON.stringify(m),
          signal: AbortSignal.timeout(o.timeoutMs ?? 10_000),
        })
        status = res.status
        json = (await res.json().catch(() => ({}))) as typeof json
      } catch (e) {
        return refusal(classifyWecomError({ networkError: e instanceof Error ? e.message : String(e) }))
      }
      const errcode = typeof json.errcode === 'number' ? json.errcode : undefined
      if (status === 200 && errcode === 0) continue
      if (errcode !== undefined && ROBOT_ERRORS[errcode])
        return { ok: false, retryable: false, code: errcode, reason: `${ROBOT_ERRORS[errcode]}（${errcode}）` }
      return refusal(
        classifyWecomError({ status, ...(errcode !== undefined && { errcode }), ...(typeof json.errmsg === 'string' && { errmsg: json.errmsg }) }),
      )
    }
    return { ok: true, messageId: `${row.address}:${messages.length}` }
  }
}
