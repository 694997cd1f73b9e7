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
  /**
   * The address the server listens on. Default: 127.0.0.1 when the local channel is on (the /chat page lets
   * anyone act as any official, so only this machine may reach it), every interface otherwise (`listenHost`).
   */
  HOST: z.preprocess(emptyToUndefined, z.string().trim().min(1).optional()),
  /**
   * Host names, besides localhost / 127.0.0.1 / [::1], that /chat and /local/* answer to (comma-separated,
   * e.g. a demo machine's LAN name with HOST=0.0.0.0). Other Host headers get 403 (DNS rebinding).
   */
  LOCAL_HOST: z.preprocess(
    (v) =>
      typeof v === 'string'
        ? v
            .split(',')
            .map((h) => h.trim().toLowerCase())
            .filter(Boolean)
        : v,
    z.array(z.string().regex(/^[a-z0-9.\-]+$|^\[[0-9a-f:.]+\]$/, 'host names like demo.lan or 192.168.1.20, comma-separated')).default([]),
  ),
  /**
   * `on`: serve the local channel even on a database that holds a real county (anyone who reaches the page
   * can act as any official). Default `auto`: the local channel refuses to start on a real county.
   */
  LOCAL_CHANNEL: z.preprocess(emptyToUndefined, z.enum(['auto', 'on']).default('auto')),
  DATABASE_PATH: z.string().min(1).default('./data/diaodu.db'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /** Public base URL of this server, used in links on cards (optional). */
  PUBLIC_URL: z.preprocess(emptyToUndefined, z.string().url().optional()),
  /** Load the demo county on an empty database even when a platform is configured. */
  DEMO: z.preprocess(emptyToUndefined, z.enum(['auto', 'on', 'off']).default('auto')),
  /** Take this instant as now instead of the clock: training on a past month, replaying a day, tests. */
  DIAODU_NOW: z.preprocess(emptyToUndefined, z.string().datetime({ offset: true }).optional()),
  /** Webhooks older than this are refused (0 turns the check off). Longer than Feishu's ~7.1 h retry window. */
  /** Bearer token of the admin API (/api/import, /api/export, /api/config); unset = the API is off. */
  DIAODU_ADMIN_TOKEN: z.preprocess(emptyToUndefined, z.string().min(16, '至少 16 个字符 (at least 16 characters)').optional()),
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

/** Where the server listens: HOST, else loopback when the local channel is on, else every interface. */
export function listenHost(c: Pick<Config, 'HOST' | 'channels'>): string | undefined {
  return c.HOST ?? (c.channels.includes('local') ? '127.0.0.1' : undefined)
}

/** The configuration as it may be logged: secrets replaced by whether they are set. */
export function describeConfig(c: Config): Record<string, unknown> {
  return {
    PORT: c.PORT,
    HOST: listenHost(c) ?? '(all interfaces)',
    ...(c.LOCAL_HOST.length && { LOCAL_HOST: c.LOCAL_HOST }),
    ...(c.LOCAL_CHANNEL !== 'auto' && { LOCAL_CHANNEL: c.LOCAL_CHANNEL }),
    DATABASE_PATH: c.DATABASE_PATH,
    LOG_LEVEL: c.LOG_LEVEL,
    channels: c.channels,
    ...Object.assign({}, ...CHANNELS.map((ch) => ch.describe(c))),
  }
}
