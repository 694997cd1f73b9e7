/** 驾驶舱: a single-use link that signs the person in to the 挂图作战 pages, sent only to their own chat. */
import { z } from 'zod'
import type { BotResult } from '../../model/index.ts'
import type { Turn } from '../handle.ts'
import { command } from '../registry.ts'
import { issueLoginLink, LOGIN_LINK_VALID_MS } from '../../services/login-links.ts'
import { directReplyKey } from '../../outbox/keys.ts'

async function dashboardCommand(turn: Turn): Promise<BotResult> {
  const { url } = await issueLoginLink(turn.ctx.db, turn.person.id, turn.ctx.now)
  const text =
    `${turn.person.name}，您的挂图作战（驾驶舱）登录链接：\n${url}\n` +
    `${LOGIN_LINK_VALID_MS / 60_000} 分钟内有效，仅可使用一次，请勿转发。页面显示的内容与您在聊天中可查看的范围一致。`
  if (turn.chat.kind !== 'group') return { messages: [turn.reply({ kind: 'text', text })] }
  // A link that signs someone in never goes to a group: to the person's own chat, and one line in the group.
  return {
    messages: [
      turn.reply({ kind: 'text', text: `已把驾驶舱登录链接私聊发给${turn.person.name}。` }),
      { to: { kind: 'person', personId: turn.person.id }, body: { kind: 'text', text }, key: directReplyKey(turn.event.platform, turn.event.id, 0) },
    ],
  }
}

export const webCommands = [
  command({
    name: 'dashboard',
    words: ['驾驶舱', '挂图作战', '登录驾驶舱', '打开驾驶舱'],
    args: z.object({}),
    help: { line: '**驾驶舱**：「驾驶舱」获取挂图作战页面的登录链接（仅本人可用）' },
    run: dashboardCommand,
  }),
]
