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
 * - Not yet: group rows (应用群聊 appchat/send) and update rows (update_template_card needs the click's
 *   response_code) fail permanently with the reason.
 *
 * Runtime-agnostic.
 *
 * @example
 *   await drainOutbox(db, { wecom: wecomOutboxSender(createWecomClient(opts)) }, now, {})
 */
import type { MessageBody } from '../../model/index.ts'
import type { PlatformSender, SendOutcome } from '../../outbox/sender.ts'
import { fnv1a64 } from '../../outbox/keys.ts'
import { renderBody } from './render.ts'
import type { WecomClient, WecomResult } from './send.ts'
import { messageOf, refusal, type SenderRow } from '../../outbox/rows.ts'

/** The outbox row fields the sender reads. */
export type WecomOutboxRow = SenderRow

/** The template card task_id of an outbox row. */
export const taskIdOfKey = (key: string) => `dd_${fnv1a64(key)}`

export function wecomOutboxSender(client: Pick<WecomClient, 'send'>): PlatformSender & { send(row: WecomOutboxRow): Promise<SendOutcome> } {
  return {
    async send(row: WecomOutboxRow): Promise<SendOutcome> {
      if (row.platform !== 'wecom') return { ok: false, retryable: false, reason: `不是企业微信消息（${row.platform}）` }
      if (row.updatesId != null) return { ok: false, retryable: false, reason: '企业微信卡片暂不支持事后更新（需要点击时的 response_code）' }
      if (row.addressKind === 'chat') return { ok: false, retryable: false, reason: '企业微信群聊（应用群聊）暂不支持发送，请改用个人消息' }
      const body = messageOf(row)
      if (!body) return { ok: false, retryable: false, reason: '消息内容格式无效，无法发送' }
      const taskId = taskIdOfKey(row.key)
      let messages
      try {
        messages = renderBody(body, taskId)
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
        last = m.msgtype === 'template_card' ? taskId : r.msgid
      }
      return { ok: true, messageId: last }
    },
  }
}

const outcome = (r: Extract<WecomResult, { ok: false }>): SendOutcome => refusal(r)
