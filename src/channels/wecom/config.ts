/**
 * The WeCom (企业微信) channel's environment variables: a 自建应用 (self-built app) with its callback
 * (应用管理 → 应用 → 接收消息 → 设置API接收). Validated with the rest at start-up (src/config.ts).
 *
 * WECOM_MODE=bot is the 智能机器人 long connection instead (src/runtime/node/wecom-bot.ts): WECOM_BOT_ID and
 * WECOM_BOT_SECRET (智能机器人 → API 模式 → 长连接), no public URL and no callback crypto. The 自建应用 variables
 * are then optional (they add message/send and the 通讯录 when set).
 */
import { z } from 'zod'
import { parseRobots } from './robot.ts'

const emptyToUndefined = (v: unknown) => (v === '' ? undefined : v)
const optional = z.preprocess(emptyToUndefined, z.string().trim().min(1).optional())

export const WECOM_DEFAULT_API_BASE = 'https://qyapi.weixin.qq.com'
export const WECOM_DEFAULT_BOT_WS_URL = 'wss://openws.work.weixin.qq.com'

export const wecomEnv = {
  /** 我的企业 → 企业信息 → 企业ID (ww…). */
  WECOM_CORP_ID: optional,
  /** 应用管理 → the app → AgentId (an integer). */
  WECOM_AGENT_ID: optional,
  /** The app's Secret. */
  WECOM_SECRET: optional,
  /** 接收消息 → Token (the signature only). */
  WECOM_TOKEN: optional,
  /** 接收消息 → EncodingAESKey (43 letters and digits). */
  WECOM_ENCODING_AES_KEY: optional,
  /** The API host: qyapi.weixin.qq.com, a fixed-IP proxy listed in 企业可信IP, or a test fake. */
  WECOM_API_BASE: z.preprocess(emptyToUndefined, z.string().url().default(WECOM_DEFAULT_API_BASE)),
  /** `callback` (自建应用, WeCom calls /webhooks/wecom) or `bot` (智能机器人 long connection, no public URL). */
  WECOM_MODE: z.preprocess(emptyToUndefined, z.enum(['callback', 'bot']).default('callback')),
  /** 智能机器人 → API 模式 → 长连接: the BotID. */
  WECOM_BOT_ID: optional,
  /** …and its Secret. */
  WECOM_BOT_SECRET: optional,
  /** 群机器人 for boards: `群名=key,群名2=key2` (the key after ?key= in the robot's Webhook address). */
  WECOM_GROUP_ROBOTS: optional,
  /** The long connection's address (tests: a loopback fake). */
  WECOM_BOT_WS_URL: z.preprocess(emptyToUndefined, z.string().url().default(WECOM_DEFAULT_BOT_WS_URL)),
}

export type WecomEnv = z.infer<z.ZodObject<typeof wecomEnv>>

const REQUIRED = ['WECOM_CORP_ID', 'WECOM_AGENT_ID', 'WECOM_SECRET', 'WECOM_TOKEN', 'WECOM_ENCODING_AES_KEY'] as const
const BOT_REQUIRED = ['WECOM_BOT_ID', 'WECOM_BOT_SECRET'] as const

/** WeCom is on when any of its credentials is set (then all its mode needs must be, see `wecomConfigProblems`). */
export const wecomConfigured = (e: Partial<WecomEnv>) =>
  REQUIRED.some((k) => Boolean(e[k])) || BOT_REQUIRED.some((k) => Boolean(e[k])) || e.WECOM_MODE === 'bot'

/** What is wrong with a WeCom configuration, one line per variable (empty: fine or not configured). */
export function wecomConfigProblems(e: WecomEnv): string[] {
  if (!wecomConfigured(e)) return []
  const problems: string[] = []
  const bot = e.WECOM_MODE === 'bot'
  if (bot) {
    for (const k of BOT_REQUIRED)
      if (!e[k]) problems.push(`配置错误 ${k}: WECOM_MODE=bot 需要智能机器人的 ${BOT_REQUIRED.join(', ')}（智能机器人 → API 模式 → 长连接）`)
  } else if (BOT_REQUIRED.some((k) => e[k]) && !REQUIRED.some((k) => e[k])) {
    problems.push('配置错误 WECOM_MODE: 设置了 WECOM_BOT_ID/WECOM_BOT_SECRET，请同时设置 WECOM_MODE=bot (the long connection needs WECOM_MODE=bot)')
  }
  // In bot mode the 自建应用 is optional, but all or nothing.
  const appNeeded = !bot || REQUIRED.some((k) => e[k])
  for (const k of REQUIRED) {
    if (appNeeded && !e[k] && !(bot === false && BOT_REQUIRED.some((b) => e[b]) && !REQUIRED.some((r) => e[r])))
      problems.push(`配置错误 ${k}: 企业微信需要同时设置 ${REQUIRED.join(', ')} (WeCom needs all of them)`)
  }
  try {
    parseRobots(e.WECOM_GROUP_ROBOTS)
  } catch (x) {
    problems.push(`配置错误 WECOM_GROUP_ROBOTS: ${x instanceof Error ? x.message : String(x)}`)
  }
  if (e.WECOM_AGENT_ID && !/^\d{1,10}$/.test(e.WECOM_AGENT_ID))
    problems.push("配置错误 WECOM_AGENT_ID: 应为应用的 AgentId 数字 (the app's numeric AgentId)")
  if (e.WECOM_ENCODING_AES_KEY && !/^[A-Za-z0-9]{43}$/.test(e.WECOM_ENCODING_AES_KEY)) {
    problems.push('配置错误 WECOM_ENCODING_AES_KEY: 应为 43 位字母或数字 (must be exactly 43 letters or digits, as shown in 接收消息 → 设置API接收)')
  }
  if (e.WECOM_TOKEN && !/^[A-Za-z0-9]{1,32}$/.test(e.WECOM_TOKEN))
    problems.push('配置错误 WECOM_TOKEN: 应为不超过 32 位的字母或数字 (at most 32 letters or digits)')
  if (e.WECOM_CORP_ID && !/^[A-Za-z0-9_-]{1,64}$/.test(e.WECOM_CORP_ID))
    problems.push('配置错误 WECOM_CORP_ID: 企业ID 只含字母和数字 (letters and digits, e.g. ww…)')
  return problems
}

const parseRobotNames = (v: string) => {
  try {
    return [...parseRobots(v).keys()].join(', ')
  } catch {
    return '(invalid)'
  }
}

/** Whether each secret is set (never its value), for the start-up log line; nothing when WeCom is off. */
export function describeWecom(e: WecomEnv): Record<string, unknown> {
  if (!wecomConfigured(e)) return {}
  const secret = (v: string | undefined) => (v ? '(set)' : '(not set)')
  return {
    WECOM_CORP_ID: e.WECOM_CORP_ID ?? '(not set)',
    WECOM_AGENT_ID: e.WECOM_AGENT_ID ?? '(not set)',
    WECOM_SECRET: secret(e.WECOM_SECRET),
    WECOM_TOKEN: secret(e.WECOM_TOKEN),
    WECOM_ENCODING_AES_KEY: secret(e.WECOM_ENCODING_AES_KEY),
    WECOM_API_BASE: e.WECOM_API_BASE,
    WECOM_MODE: e.WECOM_MODE,
    ...(e.WECOM_GROUP_ROBOTS && { WECOM_GROUP_ROBOTS: `${parseRobotNames(e.WECOM_GROUP_ROBOTS)} (keys set)` }),
    ...(e.WECOM_MODE === 'bot' && {
      WECOM_BOT_ID: e.WECOM_BOT_ID ?? '(not set)',
      WECOM_BOT_SECRET: secret(e.WECOM_BOT_SECRET),
      WECOM_BOT_WS_URL: e.WECOM_BOT_WS_URL,
    }),
  }
}
