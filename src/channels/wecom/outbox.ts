/**
 * The outbox's WeCom sender: one outbox row (platform 'wecom') → `message/send` to one member.
 *
 * - The address is the member's userid (direct chats are the person: 自建应用 messages are 1:1).
 * - The body is rendered by render.ts: usually one message; a long text goes as several (a retry after a
 *   partial send may repeat the first parts: WeCom has no idempotency key but a content check we do not use,
 *   since it would also swallow a reply that repeats an earlier one). A card with a table goes as markdown
 *   then the template card.
 * - A template card's task_id is `dd_` + the FNV-1a hash of the row's key: unique per row, stable across
 *   retries. A retry of a card WeCom already took answers 42014 (duplicate task_id): that is delivered.
 *   The row's message id is the task_id (a click carries it back as `TaskId`, the card action's messageId),
 *   the msgid for other messages.
 * - Every template card `message/send` takes comes with a response_code: it is kept (cards.ts) for one later
 *   update of that member's card.
 * - An update row replaces the card its target row delivered with `message/update_template_card`, keeping its
 *   task_id so the next click still finds its row. A click's update row (routes.ts) carries the click's own
 *   single-use `responseCode` (`WecomUpdateBody`); a refresh's (the item changed by another route: refreshCards)
 *   takes the card's newest kept code. A new card with buttons replaces the old one whole; one without buttons
 *   only greys the old buttons out (`button.replace_name`: a template card needs at least one button) — after a
 *   click with REPLACED_LABEL, routes.ts queueing the new card as a message of its own; after a refresh with
 *   OUTDATED_LABEL. With no valid code left (all spent, older than 72 h, or WeCom answers 60140) the update is
 *   skipped: nothing is sent, the row is settled with a message id `skipped:<task_id>` (no failure, no office
 *   notice), and the old card stays until clicked — a click on an out-of-date card is refused with the current
 *   state and replaces it with the click's own code. A fresh card is not sent instead: every change of a problem
 *   would then post a new card to each member holding an old one, against their 30 a minute.
 * - A group robot's row (address `robot:<name>`, robot.ts) goes through its webhook: markdown and a board PNG.
 * - With PUBLIC_URL, a card with a form (the 调度 prompt) sent to a member of ours gets a 填报 button that opens
 *   its mobile page (`/r/<token>`, src/forms: a single-use link bound to that person and form).
 * - Any other group row is a 应用群聊 the app created (`appchat/send`): cards go as markdown, text as text.
 *
 * Runtime-agnostic.
 *
 * @example
 *   await drainOutbox(db, { wecom: wecomOutboxSender(createWecomClient(opts)) }, now, {})
 */
import { and, eq } from 'drizzle-orm'
import type { Db } from '../../store/db.ts'
import { identities, outbox } from '../../store/schema.ts'
import { createFormLink, formOfCard } from '../../forms/links.ts'
import { FORM_PATH } from '../../forms/routes.ts'
import type { MessageBody } from '../../model/index.ts'
import type { PlatformSender, SendOutcome } from '../../outbox/sender.ts'
import { fnv1a64 } from '../../outbox/keys.ts'
import { renderBody, renderCard, renderMarkdown, type WecomMessage } from './render.ts'
import { ROBOT_PREFIX } from './robot.ts'
import { RESPONSE_CODE_INVALID, type WecomClient, type WecomResult } from './send.ts'
import { RESPONSE_CODE_TTL_MS, keepResponseCode, returnResponseCode, takeResponseCode } from './cards.ts'
import { messageOf, refusal, type SenderRow } from '../../outbox/rows.ts'

/** The outbox row fields the sender reads. */
export type WecomOutboxRow = SenderRow

/** The template card task_id of an outbox row. */
export const taskIdOfKey = (key: string) => `dd_${fnv1a64(key)}`

/** An update row's body: the new card and the click's response_code (single-use, 72 h). */
export type WecomUpdateBody = Extract<MessageBody, { kind: 'card' }> & { responseCode?: string; clickedAt?: number }

export { RESPONSE_CODE_TTL_MS }

/** What replaces the buttons of a card whose new state has none (≤ 10 characters, like a button's text). */
export const REPLACED_LABEL = '已更新，见下条消息'

/** What replaces the buttons of a card refreshed (not clicked) into a state without buttons. */
export const OUTDATED_LABEL = '状态已更新'

/** The message id of an update row that had no valid response_code: settled, nothing sent. */
export const SKIPPED_PREFIX = 'skipped:'

/** Sends a row to a group robot (robot.ts `robotSender`). */
export type RobotSend = (row: { address: string; body: unknown }, body: MessageBody) => Promise<SendOutcome>

/** A group robot's row (`robot:<name>`) through `robot`, or a refusal saying what to configure. */
export async function sendToRobot(row: WecomOutboxRow, robot: RobotSend | undefined): Promise<SendOutcome> {
  const body = messageOf(row)
  if (!body) return { ok: false, retryable: false, reason: '消息内容格式无效，无法发送' }
  if (!robot) return { ok: false, retryable: false, reason: '没有配置群机器人（WECOM_GROUP_ROBOTS）' }
  return robot(row, body)
}

/**
 * The form page link of a card with a form sent to a member of ours (src/forms): undefined without PUBLIC_URL,
 * for a card without a form, or for an account bound to nobody.
 */
async function formUrlOf(
  db: Db | undefined,
  baseUrl: string | undefined,
  row: WecomOutboxRow,
  body: MessageBody,
  at: number,
): Promise<string | undefined> {
  if (!db || !baseUrl || body.kind !== 'card' || row.addressKind !== 'user') return undefined
  const data = formOfCard(body.card, { platform: 'wecom', userId: row.address })
  if (!data) return undefined
  const who = await db
    .select({ personId: identities.personId })
    .from(identities)
    .where(and(eq(identities.platform, 'wecom'), eq(identities.userId, row.address)))
    .get()
  if (!who) return undefined
  return `${baseUrl.replace(/\/+$/, '')}${FORM_PATH}/${await createFormLink(db, who.personId, data, at)}`
}

export interface WecomSenderOptions {
  /** PUBLIC_URL: cards with a form get a 填报 button that opens its page (`/r/<token>`). */
  formBaseUrl?: string
}

export function wecomOutboxSender(
  client: Pick<WecomClient, 'send'> & Partial<Pick<WecomClient, 'updateTemplateCard' | 'sendAppChat'>>,
  db?: Db,
  now: () => number = () => Date.now(),
  robot?: RobotSend,
  opts: WecomSenderOptions = {},
): PlatformSender & { send(row: WecomOutboxRow): Promise<SendOutcome> } {
  return {
    async send(row: WecomOutboxRow): Promise<SendOutcome> {
      if (row.platform !== 'wecom') return { ok: false, retryable: false, reason: `不是企业微信消息（${row.platform}）` }
      if (row.updatesId != null) return update(row, row.updatesId)
      if (row.addressKind === 'chat' && row.address.startsWith(ROBOT_PREFIX)) return sendToRobot(row, robot)
      if (row.addressKind === 'chat') return sendToAppChat(row)
      const body = messageOf(row)
      if (!body) return { ok: false, retryable: false, reason: '消息内容格式无效，无法发送' }
      const taskId = taskIdOfKey(row.key)
      let messages
      try {
        const formUrl = await formUrlOf(db, opts.formBaseUrl, row, body, now())
        messages = renderBody(body, taskId, formUrl ? { formUrl } : {})
      } catch (e) {
        return { ok: false, retryable: false, reason: `消息无法生成企业微信格式（${e instanceof Error ? e.message : String(e)}）` }
      }
      let last = ''
      for (const m of messages) {
        const r = await client.send(row.address, m)
        if (!r.ok && m.msgtype === 'template_card' && r.code === 42014) {
          last = taskId // taken before (a retry after a lost answer)
          continue
        }
        if (!r.ok) return outcome(r)
        if (m.msgtype === 'template_card' && r.responseCode && db)
          await keepResponseCode(db, { code: r.responseCode, taskId, userId: row.address, issuedAt: now() }).catch(() => undefined)
        last = m.msgtype === 'template_card' ? taskId : r.msgid
      }
      return { ok: true, messageId: last }
    },
  }

  /** A 应用群聊 row: cards as markdown (appchat/send has no template cards), text as text. */
  async function sendToAppChat(row: WecomOutboxRow): Promise<SendOutcome> {
    if (!client.sendAppChat) return { ok: false, retryable: false, reason: '企业微信应用群聊未启用' }
    const body = messageOf(row)
    if (!body) return { ok: false, retryable: false, reason: '消息内容格式无效，无法发送' }
    const messages: Extract<WecomMessage, { msgtype: 'text' | 'markdown' }>[] =
      body.kind === 'card'
        ? [{ msgtype: 'markdown', markdown: { content: renderMarkdown(body.card) } }]
        : renderBody(body, '').filter((m) => m.msgtype === 'text')
    let last = ''
    for (const m of messages) {
      const r = await client.sendAppChat(row.address, m)
      if (!r.ok) return outcome(r)
      last = r.msgid
    }
    return { ok: true, messageId: last || row.key }
  }

  /** An update row onto the card its target row delivered (see the module comment). */
  async function update(row: WecomOutboxRow, targetId: number): Promise<SendOutcome> {
    const body = messageOf(row) as WecomUpdateBody | undefined
    if (!body || body.kind !== 'card') return { ok: false, retryable: false, reason: '只能更新卡片消息' }
    if (!db || !client.updateTemplateCard) return { ok: false, retryable: false, reason: '企业微信卡片更新未启用' }
    if (body.clickedAt !== undefined && now() - body.clickedAt > RESPONSE_CODE_TTL_MS)
      return { ok: false, retryable: false, reason: '点击已超过 72 小时，企业微信不再允许更新该卡片' }
    const target = await db.select({ status: outbox.status, messageId: outbox.messageId }).from(outbox).where(eq(outbox.id, targetId)).get()
    if (!target || target.status === 'failed') return { ok: false, retryable: false, reason: '原卡片没有发出，无需更新' }
    if (target.status !== 'sent' || !target.messageId) return { ok: false, retryable: true, reason: '原卡片尚未发出，稍后更新' }
    const taskId = target.messageId
    const skipped: SendOutcome = { ok: true, messageId: `${SKIPPED_PREFIX}${taskId}` }
    // The click's own code first, then the card's kept ones (a code WeCom no longer takes is skipped).
    let code = body.responseCode ?? (await takeResponseCode(db, taskId, row.address, now()))
    if (!code) return skipped
    const giveBack = async (c: string) => void (c !== body.responseCode && (await returnResponseCode(db, c)))
    let rendered
    try {
      // A form keeps its 填报 button opening the page (a new link: the old one may be spent).
      const formUrl = await formUrlOf(db, opts.formBaseUrl, row, body, now())
      rendered = renderCard(body.card, taskId, formUrl ? { formUrl } : {})
    } catch (e) {
      await giveBack(code)
      return { ok: false, retryable: false, reason: `卡片无法生成企业微信格式（${e instanceof Error ? e.message : String(e)}）` }
    }
    const tc = rendered.find((m) => m.msgtype === 'template_card')
    const replacement = tc
      ? { template_card: { ...tc.template_card, task_id: taskId } }
      : { button: { replace_name: body.responseCode !== undefined ? REPLACED_LABEL : OUTDATED_LABEL } }
    for (let tries = 0; code && tries < 3; tries++) {
      const r = await client.updateTemplateCard([row.address], code, replacement)
      if (r.ok) return { ok: true, messageId: taskId }
      if (r.code !== RESPONSE_CODE_INVALID) {
        if (r.retryable) await giveBack(code)
        return outcome(r)
      }
      code = await takeResponseCode(db, taskId, row.address, now())
    }
    return skipped
  }
}

const outcome = (r: Extract<WecomResult, { ok: false }>): SendOutcome => refusal(r)
