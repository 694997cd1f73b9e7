/**
 * 应用群聊 (doc /90244–90248): a group chat the 自建应用 itself creates and posts to (its visibility must be the
 * root department; it cannot read the chat). Made a board group of ours when created, so boards and 通报 reach
 * it through the outbox like any group (cards as markdown: appchat/send has no template cards). Members ≤ 200
 * messages a minute from the app across its chats: the outbox's per-chat bucket keeps far below. Made by the
 * operator with `diaodu wecom-group create` (src/runtime/node/cli-wecom.ts).
 *
 * Runtime-agnostic.
 *
 * @example
 *   const g = await createWecomAppChat(db, client, { name: '重点项目调度群', owner: 'office1', userlist: ['office1', 'zhangsan'] }, now)
 */
import type { Db } from '../../store/db.ts'
import { upsertGroup } from '../../store/repos/directory.ts'
import type { WecomClient, WecomFailure } from './send.ts'

export type AppChatResult = { ok: true; chatid: string; groupId: number } | WecomFailure | { ok: false; reason: string }

/** Checks what WeCom would refuse, creates the chat, and keeps it as a board group of ours. */
export async function createWecomAppChat(
  db: Db,
  client: Pick<WecomClient, 'createAppChat'>,
  chat: { name: string; owner: string; userlist: string[]; chatid?: string },
  at: Date,
): Promise<AppChatResult> {
  const members = [...new Set([chat.owner, ...chat.userlist])]
  if (!chat.name.trim() || Array.from(chat.name).length > 50) return { ok: false, reason: '群名不能为空，最多 50 个字' }
  if (members.length < 2 || members.length > 2000) return { ok: false, reason: '应用群聊需要 2 到 2000 名成员（含群主）' }
  if (chat.chatid !== undefined && !/^[0-9a-zA-Z]{1,32}$/.test(chat.chatid)) return { ok: false, reason: '群 ID 只能是 32 个以内的字母或数字' }
  const r = await client.createAppChat({ ...chat, userlist: members })
  if (!r.ok) return r
  const g = await upsertGroup(db, 'wecom', r.chatid, chat.name.trim(), at.getTime())
  return { ok: true, chatid: r.chatid, groupId: g.id }
}
