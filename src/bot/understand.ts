/** Text → what the bot should do: a command, a progress report, or a friendly "not understood". */
import type { CommandName } from '../model/index.ts'
import { understandMessage, type ReplyParse } from '../domain/parse/index.ts'
import { shanghaiParts } from '../domain/time.ts'

export type Understood =
  | { kind: 'command'; command: CommandName; args: Record<string, unknown> }
  | { kind: 'report'; parsed: ReplyParse }
  | { kind: 'unknown'; hint: string }

export function understand(text: string, now: Date): Understood {
  const p = shanghaiParts(now)
  const u = understandMessage(text, { now: { year: p.year, month: p.month } })
  if (u.intent === 'command') return { kind: 'command', command: u.command.command, args: { ...u.command.args } }
  if (u.intent === 'report') return { kind: 'report', parsed: u.reply }
  return {
    kind: 'unknown',
    hint: '填报请写明金额，例如「本月完成投资1200万元，本年累计8600万元」；命令如「排名」「查 城东污水处理厂」「红黄牌」。',
  }
}
