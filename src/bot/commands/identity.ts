/** The office's answers to 「绑定」 requests: 同意 / 拒绝 on the request card (src/bot/identity.ts). */
import { z } from 'zod'
import { command } from '../registry.ts'
import { id } from '../args.ts'
import { officeOnly } from '../permissions.ts'
import { approveBind, rejectBind } from '../identity.ts'
import type { Turn } from '../handle.ts'
import type { BotResult } from '../../model/index.ts'

const requestArgs = z.object({ requestId: id })

/** The decision's sentence back into the office's chat, plus what the decision sends the requester. */
async function decided(turn: Turn, r: Promise<BotResult & { text: string }>): Promise<BotResult> {
  const { text, ...result } = await r
  return { ...result, messages: [turn.reply({ kind: 'text', text }), ...result.messages] }
}

export const identityCommands = [
  command({
    name: 'approveBind',
    args: requestArgs,
    allowed: officeOnly,
    run: (turn, a) => decided(turn, approveBind(turn.ctx, turn.person, a.requestId)),
  }),
  command({
    name: 'rejectBind',
    args: requestArgs,
    allowed: officeOnly,
    run: (turn, a) => decided(turn, rejectBind(turn.ctx, turn.person, a.requestId)),
  }),
]
