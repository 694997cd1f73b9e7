/**
 * What the office types to run 三色管理's follow-up: the next 指挥部 meeting (「指挥部会议 12月10日」), who spoke
 * there (「表态 XM2026-012 已发言」) and the 分指挥部's people (「设置分指挥部 工业 指挥长 张三」).
 *
 * ```ts
 * parseColourFlow('指挥部会议定于12月10日')            // { command: 'meeting', args: { when: '12月10日' } }
 * parseColourFlow('表态 XM2026-012 已发言')            // { command: 'pledgeSpoke', args: { target: 'XM2026-012' } }
 * parseColourFlow('设置分指挥部 工业 副指挥长 李四')   // { command: 'setSector', args: { sector: '工业', post: 'deputy', person: '李四' } }
 * ```
 */
export type SectorPostWord = 'commander' | 'deputy' | 'liaison'

export type ColourCommand =
  | { command: 'meeting'; verb: string; args: { when: string | null } }
  | { command: 'pledgeSpoke'; verb: string; args: { target: string | null } }
  | { command: 'setSector'; verb: string; args: { sector: string | null; post: SectorPostWord | null; person: string | null } }

const POSTS: ReadonlyArray<[string, SectorPostWord]> = [
  ['副指挥长', 'deputy'],
  ['总联络人', 'liaison'],
  ['联络人', 'liaison'],
  ['指挥长', 'commander'],
]

const trimArg = (s: string) => s.replace(/^[\s:：，,、;；为是]+|[\s，,、;；。.!！]+$/g, '').trim()

/** The typed 指挥部 meeting, 表态 and 分指挥部 commands; null for anything else. */
export function parseColourFlow(s: string): ColourCommand | null {
  let m =
    /^(?:设置|设定|确定|安排|召开)?(?:下次|下一次|本次)?(?:县)?(?:重点项目)?(?:建设)?指挥部(?:会议|例会)(?:时间|日期)?\s*(?:定于|定在|安排在|于|在|为|是|:|：)?\s*(.*?)\s*(?:召开|举行|开)?$/.exec(
      s,
    )
  if (m) return { command: 'meeting', verb: '指挥部会议', args: { when: m[1] ? m[1] : null } }
  m =
    /^表态(?:发言)?\s*(.+?)\s*(?:已|已经)(?:表态)?(?:发言|表态)(?:了)?$/.exec(s) ??
    /^(.+?)\s*(?:已|已经)表态(?:发言)?(?:了)?$/.exec(s) ??
    /^(?:已|已经)(?:表态)?发言\s+(.+)$/.exec(s)
  if (m) return { command: 'pledgeSpoke', verb: '表态', args: { target: trimArg(m[1]!) || null } }
  m = /^(?:设置|设定|修改|调整|更换|变更)分指挥部\s*(.*)$/.exec(s)
  if (m) {
    const rest = m[1]!
    for (const [word, post] of POSTS) {
      const at = rest.indexOf(word)
      if (at < 0) continue
      // 「工业副指挥长」 names the 副指挥长, not a sector 「工业副」 with a 指挥长.
      const sector = trimArg(
        rest
          .slice(0, at)
          .replace(/的$/, '')
          .replace(/分指挥部$/, ''),
      )
      const person = trimArg(rest.slice(at + word.length))
      return { command: 'setSector', verb: '设置分指挥部', args: { sector: sector || null, post, person: person || null } }
    }
    return { command: 'setSector', verb: '设置分指挥部', args: { sector: trimArg(rest) || null, post: null, person: null } }
  }
  return null
}
