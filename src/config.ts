/**
 * Configuration from environment variables, validated once at start-up. A wrong value stops start-up with a
 * message naming the variable; secrets are never printed (see `describeConfig`).
 */
import { z } from 'zod'

const optionalSecret = z.string().min(1).optional()
const emptyToUndefined = (v: unknown) => (v === '' ? undefined : v)

const schema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(8787),
  DATABASE_PATH: z.string().min(1).default('./data/diaodu.db'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /** Public base URL of this server, used in links on cards (optional). */
  PUBLIC_URL: z.preprocess(emptyToUndefined, z.string().url().optional()),
  /** Load the demo county on an empty database even when a platform is configured. */
  DEMO: z.preprocess(emptyToUndefined, z.enum(['auto', 'on', 'off']).default('auto')),
  FEISHU_APP_ID: z.preprocess(emptyToUndefined, z.string().min(1).optional()),
  FEISHU_APP_SECRET: z.preprocess(emptyToUndefined, optionalSecret),
  FEISHU_ENCRYPT_KEY: z.preprocess(emptyToUndefined, optionalSecret),
  FEISHU_VERIFICATION_TOKEN: z.preprocess(emptyToUndefined, optionalSecret),
  FEISHU_DOMAIN: z.preprocess(emptyToUndefined, z.string().url().default('https://open.feishu.cn')),
  FEISHU_MODE: z.preprocess(emptyToUndefined, z.enum(['webhook', 'ws']).default('webhook')),
  /** The CLI takes this instant as now instead of the clock: training on a past month, replaying a day, tests. */
  DIAODU_NOW: z.preprocess(emptyToUndefined, z.string().datetime({ offset: true }).optional()),
  /** Webhooks older than this are refused (0 turns the check off). Longer than Feishu's ~7.1 h retry window. */
  WEBHOOK_MAX_AGE_SECONDS: z.coerce.number().int().min(0).default(28800),
})

export type Config = z.infer<typeof schema> & { feishuEnabled: boolean }

export class ConfigError extends Error {}

/** Parses the environment. Throws ConfigError with one line per bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = schema.safeParse(env)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `配置错误 ${String(i.path[0])}: ${i.message}`)
    throw new ConfigError(lines.join('\n'))
  }
  const c = parsed.data
  const feishuVars = [c.FEISHU_APP_ID, c.FEISHU_APP_SECRET]
  if (feishuVars.some(Boolean) && !feishuVars.every(Boolean)) {
    throw new ConfigError('配置错误 FEISHU_APP_SECRET: FEISHU_APP_ID and FEISHU_APP_SECRET must be set together')
  }
  return { ...c, feishuEnabled: Boolean(c.FEISHU_APP_ID) }
}

/** The configuration as it may be logged: secrets replaced by whether they are set. */
export function describeConfig(c: Config): Record<string, unknown> {
  const secret = (v: string | undefined) => (v ? '(set)' : '(not set)')
  return {
    PORT: c.PORT,
    DATABASE_PATH: c.DATABASE_PATH,
    LOG_LEVEL: c.LOG_LEVEL,
    channels: c.feishuEnabled ? ['feishu'] : ['local'],
    FEISHU_APP_ID: c.FEISHU_APP_ID ?? '(not set)',
    FEISHU_APP_SECRET: secret(c.FEISHU_APP_SECRET),
    FEISHU_ENCRYPT_KEY: secret(c.FEISHU_ENCRYPT_KEY),
    FEISHU_VERIFICATION_TOKEN: secret(c.FEISHU_VERIFICATION_TOKEN),
    FEISHU_MODE: c.FEISHU_MODE,
  }
}
