/**
 * The 督办 loop and 四级调度 as typed: 「复函 D3 解决办法：…」, 「办结 D3」, 「退回 D3 理由」, 「提级 #12 理由」,
 * 「我的调度清单」. A 督办 is named D and its number (as its card says), a problem # and its number.
 *
 * ```ts
 * parseSupervisionFlow('复函 D3 解决办法：协调供电公司 责任单位：县能源局') // { command: 'replySupervision', args: { supervisionId: 3, text: '解决办法：…' } }
 * parseSupervisionFlow('退回D3 时限太长') // { command: 'returnSupervision', args: { supervisionId: 3, reason: '时限太长' } }
 * ```
 */
export type SupervisionCommand =
  | { command: 'replySupervision'; verb: string; args: { supervisionId: number | null; text: string } }
  | { command: 'closeSupervision'; verb: string; args: { supervisionId: number | null } }
  | { command: 'returnSupervision'; verb: string; args: { supervisionId: number | null; reason?: string } }
  | { command: 'raiseLevel'; verb: string; args: { problemId: number | null; reason?: string } }
  | { command: 'dispatchList'; verb: string; args: Record<string, never> }

const SUPERVISION_ID = /^\s*(?:督办\s*)?(?:编号\s*)?[Dd]\s*(\d{1,9})(?!\d)/
const PROBLEM_ID = /^\s*(?:问题\s*)?(?:#\s*)?(\d{1,9})\s*号?(?!\d)/
const clean = (s: string) => s.replace(/^[\s:：，,、;；]+|[\s，,、;；。.!！]+$/g, '').replace(/^(?:理由|原因|说明)\s*[:：]?\s*/, '')

function withSupervisionId(rest: string): { supervisionId: number | null; rest: string } | null {
  const m = SUPERVISION_ID.exec(rest)
  if (m) return { supervisionId: Number(m[1]), rest: rest.slice(m[0].length) }
  return null
}

/** The typed 督办 loop and 四级调度 commands; null for anything else (「退回 #12」 is a problem's 驳回). */
export function parseSupervisionFlow(s: string): SupervisionCommand | null {
  if (/^(?:我的)?调度清单$|^我的调度$/.test(s)) return { command: 'dispatchList', verb: '我的调度清单', args: {} }
  let m = /^(复函|回复督办|督办复函)/.exec(s)
  if (m) {
    const id = withSupervisionId(s.slice(m[0].length))
    return {
      command: 'replySupervision',
      verb: m[1]!,
      args: { supervisionId: id?.supervisionId ?? null, text: (id?.rest ?? s.slice(m[0].length)).trim() },
    }
  }
  m = /^(办结|同意办结|督办办结)/.exec(s)
  if (m) {
    const id = withSupervisionId(s.slice(m[0].length))
    if (!id || clean(id.rest)) return null
    return { command: 'closeSupervision', verb: m[1]!, args: { supervisionId: id.supervisionId } }
  }
  m = /^(退回|退回督办)/.exec(s)
  if (m) {
    const id = withSupervisionId(s.slice(m[0].length))
    if (!id) return null
    const reason = clean(id.rest)
    return {
      command: 'returnSupervision',
      verb: m[1]!,
      args: reason ? { supervisionId: id.supervisionId, reason } : { supervisionId: id.supervisionId },
    }
  }
  m = /^(提级调度|提级|提请上级调度)/.exec(s)
  if (m) {
    const rest = s.slice(m[0].length)
    const id = PROBLEM_ID.exec(rest)
    const reason = clean(id ? rest.slice(id[0].length) : rest)
    const problemId = id ? Number(id[1]) : null
    return { command: 'raiseLevel', verb: m[1]!, args: reason ? { problemId, reason } : { problemId } }
  }
  return null
}
