/**
 * One entry per command, typed or clicked: its name (what buttons carry), the whole messages that mean it,
 * its arguments as a zod schema, who may run it, its help line and its handler. The parser's simple words,
 * the help card and the argument checks of every button and form are derived from these entries; adding a
 * command is adding one entry to a list in src/bot/commands/.
 *
 * @example
 *   export const version = command({
 *     name: 'version',
 *     words: ['版本', '版本号'],
 *     args: z.object({}),
 *     help: { line: '**版本**：「版本」查看调度助手的版本' },
 *     run: async (turn) => say(turn, `调度助手 ${VERSION}`),
 *   })
 */
import type { z } from 'zod'
import type { BotResult } from '../model/index.ts'
import type { Person } from '../store/repos/directory.ts'
import type { Turn } from './handle.ts'
import { setPending } from './pending.ts'

export interface CommandEntry<A extends z.ZodType = z.ZodType> {
  /** What card buttons carry (`{cmd: name}`) and what the parser names. */
  name: string
  /** Whole messages that mean this command, as typed (compared after trimming, case-insensitively). */
  words?: readonly string[]
  /** Arguments from the parser, a button's args and a form's inputs (`form`), checked before `run`. */
  args: A
  /** A polite refusal when this person may not run the command; undefined when allowed. */
  allowed?: (p: Person) => string | undefined
  /** The help card's line for this command, for the people allowed to run it (and `for`, when given). */
  help?: { line: string; for?: (p: Person) => boolean }
  run: (turn: Turn, args: z.output<A>) => Promise<BotResult>
}

/** Declares a command entry (type inference for its arguments). */
export function command<A extends z.ZodType>(entry: CommandEntry<A>): CommandEntry<A> {
  return entry
}

/** A plain text reply into the chat the turn came from. */
export function say(turn: Turn, text: string): BotResult {
  return { messages: [turn.reply({ kind: 'text', text })] }
}

/** Several matches for what the person named: asks which, and the numbered reply runs `command` with it as `argName`. */
export async function askWhich(turn: Turn, command: string, args: Record<string, unknown>, argName: string, names: string[]): Promise<BotResult> {
  await setPending(
    turn.ctx.db,
    turn.person.id,
    { kind: 'choose', command, args, argName, options: names.map((n) => ({ label: n, value: n })) },
    turn.ctx.now,
  )
  return say(turn, `您要找的是不是：\n${names.map((n, i) => `${i + 1}. ${n}`).join('\n')}\n请回复序号。`)
}
