/**
 * Configuration from environment variables, validated once at start-up. A wrong value stops start-up with a
 * message naming the variable; secrets are never printed (see `describeConfig`). Each channel declares and
 * checks its own variables (src/channels).
 */
import { z } from 'zod'
import type { Platform } from './model/index.ts'
import { CHANNELS, channelEnv, enabledPlatforms } from './channels/index.ts'

const emptyToUndefined = (v: unknown) => (v === '' ? undefined : v)

const schema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(8787),
  DATABASE_PATH: z.string().min(1).default('./data/diaodu.db'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /** Public base URL of this server, used in links on cards (optional). */
  PUBLIC_URL: z.preprocess(emptyToUndefined, z.string().url().optional()),
  /** Load the demo county on an empty database even when a platform is configured. */
  DEMO: z.preprocess(emptyToUndefined, z.enum(['auto', 'on', 'off']).default('auto')),
  /** Take this instant as now instead of the clock: training on a past month, replaying a day, tests. */
  DIAODU_NOW: z.preprocess(emptyToUndefined, z.string().datetime({ offset: true }).optional()),
  /** Webhooks older than this are refused (0 turns the check off). Longer than Feishu's ~7.1 h retry window. */
  WEBHOOK_MAX_AGE_SECONDS: z.coerce.number().int().min(0).default(28800),
  ...channelEnv,
})

export type Config = z.infer<typeof schema> & {
  /** The platforms this configuration turns on (the local channel when no chat platform is configured). */
  channels: Platform[]
}

export class ConfigError extends Error {}

/** Parses the environment. Throws ConfigError with one line per bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = schema.safeParse(env)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `配置错误 ${String(i.path[0])}: ${i.message}`)
    throw new ConfigError(lines.join('\n'))
  }
  const c = parsed.data
  const problems = CHANNELS.flatMap((ch) => ch.problems(c))
  if (problems.length) throw new ConfigError(problems.join('\n'))
  return { ...c, channels: enabledPlatforms(c) }
}

/** The configuration as it may be logged: secrets replaced by whether they are set. */
export function describeConfig(c: Config): Record<string, unknown> {
  return {
    PORT: c.PORT,
    DATABASE_PATH: c.DATABASE_PATH,
    LOG_LEVEL: c.LOG_LEVEL,
    channels: c.channels,
    ...Object.assign({}, ...CHANNELS.map((ch) => ch.describe(c))),
  }
}
