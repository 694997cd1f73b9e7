/**
 * The 智能机器人 (AI bot) long connection's frames ↔ our model (doc /101463, /101027; WECOM_MODE=bot).
 * Runtime-agnostic: the socket itself (the official SDK, Node only) lives in src/runtime/node/wecom-bot.ts.
 *
 * - `botDelivery(body, receivedAt)`: an `aibot_msg_callback` / `aibot_event_callback` body → the dedupe key
 *   (`msgid`: WeCom says to dedupe on it) and the neutral event. Text in a direct chat (chatid = the member's
 *   userid) or a group (the bot only hears a group when @-mentioned; the mention is dropped); `enter_chat` →
 *   first_contact; `template_card_event` → the card action of the button's `{cmd, …args}` key (render.ts), its
 *   task_id as the message id. Anything else is stored and ignored.
 * - `createWecomBotReceiver(deps)`: the shared intake behind the frames; a click waits up to `clickWaitMs` for
 *   the bot so the card can be replaced with the event's own req_id (`aibot_respond_update_msg`, within 5 s).
 * - `wecomBotOutboxSender(socket)`: an outbox row → `aibot_send_msg` to the userid or chatid (markdown or
 *   template_card: the long connection sends no plain text, so text goes as inert markdown).
 *
 * @example
 *   const receiver = createWecomBotReceiver({ db, logger, now, intake })
 *   ws.on('message', (frame) => receiver.accept(frame.body))
 */
import type { BotResult, Card, ChatRef, InboundEvent, OutboundMessage, PlatformUser } from '../../model/index.ts'
import { channelIntake, type Decoder, type Intake } from '../../intake/index.ts'
import { enqueue } from '../../outbox/enqueue.ts'
import { replyKey } from '../../outbox/keys.ts'
import type { PlatformSender, SendOutcome } from '../../outbox/sender.ts'
import { messageOf, refusal, type SenderRow } from '../../outbox/rows.ts'
import { buttonAction, WebhookPayloadError, type WecomDelivery } from './events.ts'
import { renderBody, renderCard, type WecomMessage, type WecomTemplateCard } from './render.ts'
import { classifyWecomError } from './send.ts'
import { SKIPPED_PREFIX, sendToRobot, taskIdOfKey, type RobotSend } from './outbox.ts'
import { ROBOT_PREFIX } from './robot.ts'
import type { WecomReceiverDeps } from './routes.ts'

/** A frame's body as WeCom sends it (the fields we read). */
export type BotBody = Record<string, unknown>

const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined)
const obj = (v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined)

/** What the inbound log keeps of a frame: its body (no secret in it). */
export const storedBotPayload = (body: BotBody) => JSON.stringify({ bot: body })

/**
 * The dedupe key and event of a frame body (see the module comment).
 * @throws WebhookPayloadError when there is no msgid or no sender.
 */
export function botDelivery(body: BotBody, receivedAt: Date): WecomDelivery {
  const msgid = str(body.msgid)
  const from = str(obj(body.from)?.userid)
  if (!msgid || !from) throw new WebhookPayloadError('bot frame has no msgid or from.userid')
  const dedupeKey = `bot:${msgid}`
  const sender: PlatformUser = { platform: 'wecom', userId: from }
  const group = body.chattype === 'group' && str(body.chatid)
  const chat: ChatRef = group ? { platform: 'wecom', chatId: group, kind: 'group' } : { platform: 'wecom', chatId: from, kind: 'direct' }
  const base = { id: dedupeKey, platform: 'wecom' as const, receivedAt }
  if (body.msgtype === 'text') {
    let text = str(obj(body.text)?.content) ?? ''
    // In a group WeCom only passes on messages that @-mention the bot; the mention itself is not part of the command.
    if (group) text = text.replace(/^\s*@\S+\s*/, '')
    text = text
      .replace(/[ \t\u00a0\u3000]+/g, ' ')
      .replace(/ *\n */g, '\n')
      .trim()
    return { dedupeKey, event: { ...base, type: 'text', sender, chat, text, mentionedBot: Boolean(group), messageId: msgid } }
  }
  if (body.msgtype !== 'event') return { dedupeKey, event: null, ignoredBecause: `nothing to do for a ${str(body.msgtype) ?? 'typeless'} message` }
  const ev = obj(body.event) ?? {}
  const type = str(ev.eventtype) ?? ''
  if (type === 'enter_chat') return { dedupeKey, event: { ...base, type: 'first_contact', sender, chat } }
  if (type === 'template_card_event') {
    // Doc /101027 nests the details under the event's own name; the SDK's types show them flat: read both.
    const detail = obj(ev.template_card_event) ?? ev
    const action = buttonAction(str(detail.event_key))
    if (!action) return { dedupeKey, event: null, ignoredBecause: 'a card button that is not ours' }
    const taskId = str(detail.task_id)
    return {
      dedupeKey,
      event: { ...base, type: 'card_action', sender, chat, command: action.command, args: action.args, ...(taskId && { messageId: taskId }) },
    }
  }
  return { dedupeKey, event: null, ignoredBecause: `nothing to do for the ${type || 'unnamed'} event` }
}

/** A stored frame back into its event (resume, `diaodu inbound --retry`); null when it is not a frame. */
export function decodeStoredBot(s: { bot?: unknown }, receivedAt: Date): InboundEvent | null | undefined {
  const body = obj(s.bot)
  return body ? botDelivery(body, receivedAt).event : undefined
}

/** How long a click waits for the bot before the card is left to a message (WeCom allows 5 s to update it). */
export const BOT_CLICK_WAIT_MS = 3500

/** The reply index of a click's late answer (after any the bot queued itself). */
const CLICK_ECHO = 999

export type BotReceipt =
  | { kind: 'duplicate' }
  | { kind: 'ignored' }
  | { kind: 'accepted'; work: Promise<void> }
  /** A click answered in time: `card` (with the clicked task_id) replaces the clicked card. */
  | { kind: 'click'; card?: WecomTemplateCard; work: Promise<void> }

export interface WecomBotReceiver {
  accept(body: BotBody): Promise<BotReceipt>
  idle(): Promise<void>
  resume(): Promise<number>
}

/** Stored bot frames back into events (the channel registry uses the callback's decoder, which reads both). */
export const wecomBotDecoder: Decoder = async (raw, receivedAt) => {
  const event = decodeStoredBot(JSON.parse(raw) as { bot?: unknown }, receivedAt)
  if (event === undefined) throw new WebhookPayloadError('stored payload is not a WeCom bot frame')
  return event
}

export function createWecomBotReceiver(deps: WecomReceiverDeps & { clickWaitMs?: number }): WecomBotReceiver {
  const platforms = deps.platforms ?? ['wecom']
  const intake: Intake = channelIntake(deps, platforms, { wecom: wecomBotDecoder })
  const wait = deps.clickWaitMs ?? BOT_CLICK_WAIT_MS
  const late = new Set<Promise<void>>()

  /** What the clicked card can become: a template card with its own task_id (a card without buttons cannot). */
  const replacement = (card: Card | undefined, taskId: string | undefined): WecomTemplateCard | undefined => {
    if (!card || !taskId) return undefined
    const tc = renderCard(card, taskId).find((m): m is Extract<WecomMessage, { msgtype: 'template_card' }> => m.msgtype === 'template_card')
    return tc && { ...tc.template_card, task_id: taskId }
  }

  /** A click's answer that cannot replace the card (too late, or no buttons): the new card or toast as a message. */
  async function echo(event: Extract<InboundEvent, { type: 'card_action' }>, result: BotResult | undefined) {
    if (!result) return
    const toClicker = result.messages.some((m) => m.to.kind === 'chat' && m.to.chat.chatId === event.chat.chatId)
    let message: OutboundMessage | undefined
    if (result.updateCard) message = { to: { kind: 'chat', chat: event.chat }, body: { kind: 'card', card: result.updateCard } }
    else if (result.toast && !toClicker) message = { to: { kind: 'chat', chat: event.chat }, body: { kind: 'text', text: result.toast.text } }
    if (message) await enqueue(deps.db, { platforms }, [message], event.receivedAt.getTime(), () => replyKey('wecom', event.id, CLICK_ECHO))
  }

  const track = (p: Promise<void>) => {
    const w = p.catch((e: unknown) => deps.logger.error('wecom bot click answer failed', { error: e instanceof Error ? e.message : String(e) }))
    late.add(w)
    void w.finally(() => late.delete(w))
    return w
  }

  return {
    async accept(body) {
      const d = botDelivery(body, deps.now())
      const event = d.event
      const click = event?.type === 'card_action' ? event : undefined
      const r = await intake.accept(
        {
          platform: 'wecom',
          dedupeKey: d.dedupeKey,
          raw: storedBotPayload(body),
          event,
          ...(d.ignoredBecause && { ignoredBecause: d.ignoredBecause }),
        },
        click ? { waitMs: wait } : {},
      )
      if (r.kind === 'duplicate' || r.kind === 'ignored') return { kind: r.kind }
      if (r.kind === 'queued') return { kind: 'accepted', work: r.work }
      if (!click) return { kind: 'accepted', work: Promise.resolve() }
      if (r.late) return { kind: 'accepted', work: track(r.late.then((res) => echo(click, res))) }
      const card = replacement(r.result?.updateCard, click.messageId)
      if (card) return { kind: 'click', card, work: Promise.resolve() }
      return { kind: 'accepted', work: track(echo(click, r.result)) }
    },
    resume: () => intake.resume('wecom'),
    async idle() {
      await intake.idle()
      while (late.size) await Promise.allSettled([...late])
    },
  }
}

/** What the runtime's socket offers the sender: `aibot_send_msg` (resolves on WeCom's ack, rejects on an error). */
export interface WecomBotSocket {
  sendMessage(chatid: string, body: Record<string, unknown>): Promise<unknown>
}

/** The long connection's refusal (an ack frame with errcode, or no ack) as the outbox reads it. */
export function botFailure(e: unknown): SendOutcome {
  const frame = obj(e)
  if (frame && typeof frame.errcode === 'number')
    return refusal(classifyWecomError({ errcode: frame.errcode, ...(typeof frame.errmsg === 'string' && { errmsg: frame.errmsg }) }))
  return refusal(classifyWecomError({ networkError: e instanceof Error ? e.message : String(e) }))
}

/** The outbox's sender for 'wecom' in bot mode (see the module comment). */
export function wecomBotOutboxSender(socket: WecomBotSocket, robot?: RobotSend): PlatformSender & { send(row: SenderRow): Promise<SendOutcome> } {
  return {
    async send(row) {
      if (row.platform !== 'wecom') return { ok: false, retryable: false, reason: `不是企业微信消息（${row.platform}）` }
      if (row.addressKind === 'chat' && row.address.startsWith(ROBOT_PREFIX)) return sendToRobot(row, robot)
      // A 智能机器人 card can be replaced only in the answer to its click (within 5 s): a refresh of it (the item
      // changed by another route) is settled without sending; the old card is refused with the current state when clicked.
      if (row.updatesId != null) return { ok: true, messageId: `${SKIPPED_PREFIX}${row.key}` }
      const body = messageOf(row)
      if (!body) return { ok: false, retryable: false, reason: '消息内容格式无效，无法发送' }
      const taskId = taskIdOfKey(row.key)
      let messages: WecomMessage[]
      try {
        messages = renderBody(body, taskId)
      } catch (e) {
        return { ok: false, retryable: false, reason: `消息无法生成企业微信格式（${e instanceof Error ? e.message : String(e)}）` }
      }
      let last = ''
      for (const m of messages) {
        const frame = m.msgtype === 'text' ? { msgtype: 'markdown', markdown: { content: m.text.content } } : m
        try {
          await socket.sendMessage(row.address, frame as Record<string, unknown>)
        } catch (e) {
          const f = botFailure(e)
          // 42014: a retry of a card WeCom already took (its task_id is taken).
          if (!f.ok && f.code === 42014 && m.msgtype === 'template_card') {
            last = taskId
            continue
          }
          return f
        }
        last = m.msgtype === 'template_card' ? taskId : `${row.key}`
      }
      return { ok: true, messageId: last }
    },
  }
}
