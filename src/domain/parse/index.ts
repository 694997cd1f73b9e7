/**
 * One entry for everything a person types to the bot: a progress report, a command, or neither.
 *
 * ```ts
 * parseMessage('本月完成投资1200万元，本年累计8600万元，主体封顶，问题：林地手续未批')
 * // { intent: 'report', periodInvestment: 1200, ytdInvestment: 8600, progressPercent: null,
 * //   problems: ['林地手续未批'], command: null, args: {} }
 * parseMessage('上月乡镇排名')
 * // { intent: 'command', …, command: 'board', args: { scope: 'month', offset: -1, league: '乡镇' } }
 * ```
 *
 * How the intent is decided:
 * 1. a command led by an explicit verb (督办, 交办 #12, 催办, 查, 排名, 通报…) is a command, even with amounts in it;
 * 2. otherwise a text with an amount, a percentage or a zero-investment phrase (本月无投资) is a report;
 * 3. otherwise any command (填报, 问题台账, 进展 XX, 收到…) is a command;
 * 4. otherwise a text with problems, 无问题, a 形象进度 label, progress words (封顶…) or a 开工 / 复工 / 入库 statement is a report;
 * 5. otherwise unknown.
 */
import { yuanToWan } from '../money.ts'
import { parseCommand } from './command.ts'
import type { Command, CommandName, CommandOptions } from './command.ts'
import { parseReply } from './reply.ts'
import type { ReplyParse } from './reply.ts'

export { parseNumber, parseDecimal, normalizeWidth, stripInvisible, readPercent, PERCENT_RANGE_REASON } from './numbers.ts'
export type { Decimal, PercentReading } from './numbers.ts'
export { parseAmount, findAmounts, readAmount } from './amounts.ts'
export type { AmountMatch, AmountReading } from './amounts.ts'
export { parseReply, splitProblems } from './reply.ts'
export type { ReplyParse, ReplyField, PeriodRef, ClassifiedAmount, AmountKind } from './reply.ts'
export { parseStarts, resolveDate, readDate } from './starts.ts'
export type { StartStatus, DateRef, StartMention, StatsMention, StartsParse } from './starts.ts'
export { parseCommand } from './command.ts'
export type { Command, CommandName, CommandOptions, League, BulletinPeriod } from './command.ts'

/** The JSON printed by `diaodu parse "<text>"`. Investments are in 万元. */
export interface ParsedMessage {
  intent: 'report' | 'command' | 'unknown'
  periodInvestment: number | null
  ytdInvestment: number | null
  progressPercent: number | null
  problems: string[]
  command: CommandName | null
  args: Record<string, unknown>
}

/** The richer result for the bot: the reply (amounts in 元) or the command, whichever the intent is. */
export type Understanding =
  | { intent: 'report'; reply: ReplyParse; command: null }
  | { intent: 'command'; reply: null; command: Command }
  | { intent: 'unknown'; reply: ReplyParse; command: null }

/** Commands that give way to a report when the text carries amounts (上报 本月完成投资…, 收到，本月完成…). */
function isWeak(c: Command): boolean {
  return c.command === 'report' || c.command === 'problems' || c.command === 'ack' || (c.command === 'query' && c.verb === '进展')
}

/** Decides what a message is and returns the full result. */
export function understandMessage(text: string, opts: CommandOptions = {}): Understanding {
  const command = parseCommand(text, opts)
  if (command && !isWeak(command)) return { intent: 'command', reply: null, command }
  const reply = parseReply(text)
  const s = reply.signals
  if (s.amounts || s.percent || s.zeroInvestment) return { intent: 'report', reply, command: null }
  if (command) return { intent: 'command', reply: null, command }
  if (s.problems || s.progressLabel || s.progressWords || s.starts) return { intent: 'report', reply, command: null }
  return { intent: 'unknown', reply, command: null }
}

/** The plain, JSON-able reading of a message (what `diaodu parse` prints). */
export function parseMessage(text: string, opts: CommandOptions = {}): ParsedMessage {
  return toParsedMessage(understandMessage(text, opts))
}

export function toParsedMessage(u: Understanding): ParsedMessage {
  if (u.intent === 'command') {
    return {
      intent: 'command',
      periodInvestment: null,
      ytdInvestment: null,
      progressPercent: null,
      problems: [],
      command: u.command.command,
      args: { ...u.command.args },
    }
  }
  if (u.intent === 'report') {
    const r = u.reply
    return {
      intent: 'report',
      periodInvestment: r.periodInvestment === null ? null : yuanToWan(r.periodInvestment),
      ytdInvestment: r.ytdInvestment === null ? null : yuanToWan(r.ytdInvestment),
      progressPercent: r.progressPercent,
      problems: [...r.problems],
      command: null,
      args: {},
    }
  }
  return { intent: 'unknown', periodInvestment: null, ytdInvestment: null, progressPercent: null, problems: [], command: null, args: {} }
}
