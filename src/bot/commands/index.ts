/**
 * The command registry: every command, typed or clicked, as one entry (src/bot/registry.ts). The order is the
 * help card's order. A new command is one more entry in one of these lists.
 */
import type { Person } from '../../store/repos/directory.ts'
import type { CommandEntry } from '../registry.ts'
import { queryCommands } from './queries.ts'
import { reportingCommands } from './reporting.ts'
import { startsCommands } from './starts.ts'
import { leadershipCommands } from './leadership.ts'
import { colourCommands } from './colours.ts'
import { problemCommands } from './problems.ts'
import { supervisionCommands } from './supervision.ts'
import { dispatchCommands } from './dispatch.ts'
import { identityCommands } from './identity.ts'
import { webCommands } from './web.ts'

export const COMMANDS: readonly CommandEntry[] = [
  ...reportingCommands,
  ...startsCommands,
  ...queryCommands,
  ...supervisionCommands,
  ...leadershipCommands,
  ...colourCommands,
  ...problemCommands,
  ...dispatchCommands,
  ...identityCommands,
  ...webCommands,
]

const byName = new Map(COMMANDS.map((c) => [c.name, c]))
const byWord = new Map(COMMANDS.flatMap((c) => (c.words ?? []).map((w) => [w.toLowerCase(), c] as const)))

/** The entry of a command name, or undefined for a name the bot does not know. */
export const commandNamed = (name: string): CommandEntry | undefined => byName.get(name)

/** The command a whole message names by one of its words (「版本」), if any. */
export const commandOfWords = (text: string): CommandEntry | undefined => byWord.get(text.trim().toLowerCase())

/** The help card's lines for a person: each command they may run that has a line for them. */
export function helpLines(person: Person): string[] {
  return COMMANDS.filter((c) => c.help && !c.allowed?.(person) && (c.help.for?.(person) ?? true)).map((c) => c.help!.line)
}
