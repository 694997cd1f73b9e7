/** The Feishu channel's environment variables, validated with the rest at start-up (src/config.ts). */
import { z } from 'zod'

const emptyToUndefined = (v: unknown) => (v === '' ? undefined : v)
const optional = z.preprocess(emptyToUndefined, z.string().min(1).optional())

export const feishuEnv = {
  FEISHU_APP_ID: optional,
  FEISHU_APP_SECRET: optional,
  FEISHU_ENCRYPT_KEY: optional,
  FEISHU_VERIFICATION_TOKEN: optional,
  FEISHU_DOMAIN: z.preprocess(emptyToUndefined, z.string().url().default('https://open.feishu.cn')),
  FEISHU_MODE: z.preprocess(emptyToUndefined, z.enum(['webhook', 'ws']).default('webhook')),
}

export type FeishuEnv = z.infer<z.ZodObject<typeof feishuEnv>>

/** What is wrong with a Feishu configuration, one line per variable (empty: fine or not configured). */
export function feishuConfigProblems(e: FeishuEnv): string[] {
  const pair = [e.FEISHU_APP_ID, e.FEISHU_APP_SECRET]
  if (pair.some(Boolean) && !pair.every(Boolean)) return ['配置错误 FEISHU_APP_SECRET: FEISHU_APP_ID and FEISHU_APP_SECRET must be set together']
  return []
}

export const feishuConfigured = (e: Partial<FeishuEnv>) => Boolean(e.FEISHU_APP_ID)

/** Whether each secret is set (never its value), for the start-up log line. */
export function describeFeishu(e: FeishuEnv): Record<string, unknown> {
  const secret = (v: string | undefined) => (v ? '(set)' : '(not set)')
  return {
    FEISHU_APP_ID: e.FEISHU_APP_ID ?? '(not set)',
    FEISHU_APP_SECRET: secret(e.FEISHU_APP_SECRET),
    FEISHU_ENCRYPT_KEY: secret(e.FEISHU_ENCRYPT_KEY),
    FEISHU_VERIFICATION_TOKEN: secret(e.FEISHU_VERIFICATION_TOKEN),
    FEISHU_MODE: e.FEISHU_MODE,
  }
}
