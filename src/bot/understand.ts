/** Text → what the bot should do: a command, a progress report, or a friendly "not understood". */
import type { CommandName } from '../model/index.ts'
import { understandMessage, type ReplyParse } from '../domain/parse/index.ts'
import { shanghaiParts } from '../domain/time.ts'
import type { Person } from '../store/repos/directory.ts'
import { COMMANDS } from './commands/index.ts'

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

/** Characters that say nothing about which command is meant. */
const FILLER = new Set([...'的了吗呢吧啊我你您他她它们是在有和与及请把给一下个这那些都也就要想能会看'])

/** The example a help line gives first (「查 项目名或单位名」), else its bold name. */
function exampleOf(line: string): string {
  return /「([^」]+)」/.exec(line)?.[1] ?? /\*\*([^*]+)\*\*/.exec(line)?.[1] ?? ''
}

/**
 * The two or three commands a misunderstood text comes closest to, as their first examples: by the characters
 * and pairs of characters the text shares with each command's words and help line; the everyday ones when none.
 */
export function closestCommands(person: Person, text: string, max = 3): string[] {
  const t = text.normalize('NFKC').toLowerCase()
  const chars = [...new Set([...t].filter((c) => /[\p{L}\p{N}]/u.test(c) && !FILLER.has(c)))]
  const pairs = new Set<string>()
  for (let i = 0; i + 1 < t.length; i++) pairs.add(t.slice(i, i + 2))
  const scored = COMMANDS.filter((c) => c.help && !c.allowed?.(person) && (c.help.for?.(person) ?? true)).map((c) => {
    const hay = `${c.help!.line} ${(c.words ?? []).join(' ')}`.toLowerCase()
    let score = 0
    for (const ch of chars) if (hay.includes(ch)) score += 1
    for (const pr of pairs) if (pr.length === 2 && hay.includes(pr)) score += 3
    return { name: c.name, example: exampleOf(c.help!.line), score }
  })
  const best = scored
    .filter((s) => s.score >= 2 && s.example)
    .sort((a, b) => b.score - a.score)
    .slice(0, max)
  if (best.length) return best.map((b) => b.example)
  return ['report', 'query', 'board', 'help'].flatMap((n) => scored.filter((s) => s.name === n && s.example).map((s) => s.example)).slice(0, max)
}
