/**
 * `diaodu wecom-group create NAME --owner ID --members ID,ID… [--chatid ID]`: a 应用群聊 made by the 自建应用
 * (appchat/create, doc /90245) and kept as a board group of ours, so the clock's boards and 通报 reach it through
 * the outbox as markdown (createWecomAppChat). Members are WeCom userids, or roster mobiles (11 digits) of people
 * bound on WeCom. There is no group command in chat to hang this on (Feishu groups are joined, not made), so it
 * is an operator's command.
 *
 * Needs the 自建应用 variables (WECOM_*) and a visibility of the root department (WeCom refuses 应用群聊 to apps
 * with a narrower one). A person's mistake, or WeCom's refusal, is a RangeError: one line, exit code 2.
 */
import { parseArgs } from 'node:util'
import { and, eq } from 'drizzle-orm'
import { loadConfig } from '../../config.ts'
import { openNodeDatabase } from './sqlite.ts'
import { createWecomClient } from '../../channels/wecom/send.ts'
import { createWecomAppChat } from '../../channels/wecom/appchat.ts'
import { personByMobile } from '../../store/repos/directory.ts'
import { identities } from '../../store/schema.ts'

export const WECOM_GROUP_USAGE = `  wecom-group create 群名 --owner ID --members ID,ID… [--chatid ID]  建企业微信应用群聊（看板群） a WeCom 应用群聊 for the boards`

/** A person's mistake or WeCom's refusal: one line, exit code 2 (the CLI entry treats RangeError so). */
export class WecomGroupError extends RangeError {}

export async function runWecomGroup(
  args: string[],
  now: Date,
  out: (s: string) => void,
  env: Record<string, string | undefined> = process.env,
): Promise<void> {
  let parsed
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { owner: { type: 'string' }, members: { type: 'string' }, chatid: { type: 'string' } },
    })
  } catch (e) {
    const option = /'(-{1,2}[^' ]+)/.exec((e as Error).message ?? '')?.[1] ?? ''
    throw new WecomGroupError(`参数错误 ${option}（diaodu help 查看用法） (bad arguments ${option}; see diaodu help)`)
  }
  const [sub, ...nameParts] = parsed.positionals
  if (sub !== 'create') throw new WecomGroupError(`wecom-group 只有 create：${WECOM_GROUP_USAGE.trim()} (only create)`)
  const name = nameParts.join(' ').trim()
  if (!name) throw new WecomGroupError('需要群名，例如 diaodu wecom-group create 重点项目调度群 --owner … (a group name is needed)')
  const owner = parsed.values.owner?.trim()
  if (!owner) throw new WecomGroupError('需要 --owner 群主（企业微信 UserID 或名册手机号） (--owner needed)')
  const members = (parsed.values.members ?? '')
    .split(/[,，\s]+/)
    .map((m) => m.trim())
    .filter(Boolean)
  const config = loadConfig(env)
  const { WECOM_CORP_ID: corpId, WECOM_SECRET: secret, WECOM_AGENT_ID: agentId } = config
  if (!corpId || !secret || !agentId)
    throw new WecomGroupError('需要企业微信自建应用的配置 WECOM_CORP_ID、WECOM_AGENT_ID、WECOM_SECRET (needs the WeCom app)')
  const database = openNodeDatabase(config.DATABASE_PATH)
  try {
    const { db } = database
    /** A roster mobile → the userid its person is bound to on WeCom; anything else is taken as a userid. */
    const userid = async (who: string): Promise<string> => {
      if (!/^1[3-9]\d{9}$/.test(who)) return who
      const person = await personByMobile(db, who)
      if (!person) throw new WecomGroupError(`名册中没有手机号 ${who} (no such mobile in the roster)`)
      const bound = await db
        .select({ userId: identities.userId })
        .from(identities)
        .where(and(eq(identities.personId, person.id), eq(identities.platform, 'wecom')))
        .get()
      if (!bound) throw new WecomGroupError(`${person.name}（${who}）还没有绑定企业微信账号 (not bound on WeCom)`)
      return bound.userId
    }
    const ownerId = await userid(owner)
    const userlist: string[] = []
    for (const m of members) userlist.push(await userid(m))
    const client = createWecomClient({ corpId, secret, agentId: Number(agentId), apiBase: config.WECOM_API_BASE })
    const r = await createWecomAppChat(
      db,
      client,
      { name, owner: ownerId, userlist, ...(parsed.values.chatid && { chatid: parsed.values.chatid.trim() }) },
      now,
    )
    if (!r.ok) throw new WecomGroupError(`没有建群：${r.reason}`)
    out(
      `已建企业微信应用群聊「${name}」chatid ${r.chatid}（${new Set([ownerId, ...userlist]).size} 人），已设为看板群：月度、周调度赛马和通报会发到该群。`,
    )
  } finally {
    database.close()
  }
}
