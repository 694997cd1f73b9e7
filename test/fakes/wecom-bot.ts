/**
 * A fake of the 智能机器人 long connection (doc /101463) on 127.0.0.1, speaking the frames the official SDK sends:
 * `aibot_subscribe{bot_id, secret}` (a wrong one is answered errcode 40001 … the SDK then retries), `ping`
 * (acked), `aibot_send_msg{chatid, msgtype: markdown|template_card}` (acked; a chat that never wrote to the bot is
 * refused, since WeCom only lets a bot push to people and groups that have talked to it), `aibot_respond_update_msg`
 * (the card update of a click, by the click's req_id, within 5 s), and pushes to us `aibot_msg_callback` and
 * `aibot_event_callback` frames. A second connection that subscribes kicks the first with `disconnected_event`,
 * as WeCom does.
 *
 * @example
 *   const fake = await startFakeWecomBot({ botId: 'bot1', secret: 's' })
 *   fake.text('zhangsan', '帮助')
 */
import { WebSocketServer, type WebSocket } from 'ws'
import type { AddressInfo } from 'node:net'

export interface BotFrame {
  cmd?: string
  headers: { req_id: string }
  body?: Record<string, unknown>
  errcode?: number
  errmsg?: string
}

export interface FakeWecomBot {
  url: string
  /** Every frame we received, in order. */
  received: BotFrame[]
  /** The `aibot_send_msg` bodies. */
  sent: Record<string, unknown>[]
  /** The `aibot_respond_update_msg` frames, with how long after their click they came. */
  updates: { frame: BotFrame; afterMs: number }[]
  /** Subscriptions accepted so far. */
  subscriptions: number
  /** Live, subscribed connections. */
  readonly live: number
  /** A member writes to the bot (direct chat, or a group when `chatid` is given: an @-mention). */
  text(userid: string, content: string, o?: { chatid?: string; msgid?: string }): string
  /** A member clicks a template card button. */
  click(userid: string, eventKey: string, taskId: string): string
  /** A member opens the bot's chat for the first time today. */
  enterChat(userid: string): string
  /** Resolves when `pred` holds (polling every 20 ms), or throws after `ms`. */
  until(pred: () => boolean, ms?: number): Promise<void>
  close(): Promise<void>
}

let seq = 0

export async function startFakeWecomBot(o: { botId: string; secret: string }): Promise<FakeWecomBot> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()))
  const subscribed = new Set<WebSocket>()
  const talked = new Set<string>()
  const clicks = new Map<string, number>()
  let current: WebSocket | undefined

  const send = (ws: WebSocket | undefined, frame: BotFrame) => ws?.send(JSON.stringify(frame))
  const ack = (ws: WebSocket, f: BotFrame, errcode = 0, errmsg = 'ok') => send(ws, { headers: { req_id: f.headers.req_id }, errcode, errmsg })

  wss.on('connection', (ws) => {
    ws.on('message', (data) => {
      const f = JSON.parse(String(data)) as BotFrame
      fake.received.push(f)
      switch (f.cmd) {
        case 'aibot_subscribe': {
          if (f.body?.bot_id !== o.botId || f.body?.secret !== o.secret) return ack(ws, f, 40001, 'invalid bot_id or secret')
          // One live connection per bot: the older one is told and dropped.
          for (const old of subscribed) {
            send(old, {
              cmd: 'aibot_event_callback',
              headers: { req_id: `evt_${(seq += 1)}` },
              body: {
                msgid: `kick_${seq}`,
                create_time: 0,
                aibotid: o.botId,
                from: { userid: '' },
                msgtype: 'event',
                event: { eventtype: 'disconnected_event' },
              },
            })
            subscribed.delete(old)
            setTimeout(() => old.close(), 50)
          }
          subscribed.add(ws)
          current = ws
          fake.subscriptions++
          return ack(ws, f)
        }
        case 'ping':
          return ack(ws, f)
        case 'aibot_send_msg': {
          const body = f.body ?? {}
          const chatid = String(body.chatid ?? '')
          if (!talked.has(chatid)) return ack(ws, f, 40058, 'chat has not talked to the bot')
          if (body.msgtype !== 'markdown' && body.msgtype !== 'template_card') return ack(ws, f, 40008, 'invalid msgtype')
          if (body.msgtype === 'markdown' && new TextEncoder().encode(String((body.markdown as { content?: string })?.content ?? '')).length > 20480)
            return ack(ws, f, 45002, 'content too long')
          fake.sent.push(body)
          return ack(ws, f)
        }
        case 'aibot_respond_update_msg': {
          const at = clicks.get(f.headers.req_id)
          if (at === undefined) return ack(ws, f, 40058, 'req_id is not an event of this connection')
          const afterMs = Date.now() - at
          if (afterMs > 5000) return ack(ws, f, 40058, 'card update later than 5 s')
          fake.updates.push({ frame: f, afterMs })
          return ack(ws, f)
        }
        default:
          return ack(ws, f, 40058, `unknown cmd ${f.cmd}`)
      }
    })
    ws.on('close', () => subscribed.delete(ws))
  })

  const push = (cmd: 'aibot_msg_callback' | 'aibot_event_callback', body: Record<string, unknown>) => {
    const reqId = `req_${(seq += 1)}`
    send(current, { cmd, headers: { req_id: reqId }, body })
    return reqId
  }
  const base = (userid: string, chatid?: string) => ({
    msgid: `msg_${(seq += 1)}_${Date.now()}`,
    aibotid: o.botId,
    create_time: Math.floor(Date.now() / 1000),
    chattype: chatid ? 'group' : 'single',
    ...(chatid && { chatid }),
    from: { userid },
  })

  const fake: FakeWecomBot = {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`,
    received: [],
    sent: [],
    updates: [],
    subscriptions: 0,
    get live() {
      return subscribed.size
    },
    text(userid, content, x = {}) {
      talked.add(x.chatid ?? userid)
      return push('aibot_msg_callback', { ...base(userid, x.chatid), ...(x.msgid && { msgid: x.msgid }), msgtype: 'text', text: { content } })
    },
    click(userid, eventKey, taskId) {
      const reqId = push('aibot_event_callback', {
        ...base(userid),
        msgtype: 'event',
        event: { eventtype: 'template_card_event', template_card_event: { card_type: 'button_interaction', event_key: eventKey, task_id: taskId } },
      })
      clicks.set(reqId, Date.now())
      return reqId
    },
    enterChat(userid) {
      talked.add(userid)
      return push('aibot_event_callback', { ...base(userid), msgtype: 'event', event: { eventtype: 'enter_chat' } })
    },
    async until(pred, ms = 10_000) {
      const end = Date.now() + ms
      while (!pred()) {
        if (Date.now() > end) throw new Error('fake WeCom bot: condition not met in time')
        await new Promise((r) => setTimeout(r, 20))
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate()
        wss.close(() => resolve())
      }),
  }
  return fake
}
