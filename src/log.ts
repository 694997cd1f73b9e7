/** One-line JSON logs on stdout/stderr. Callers pass data, never secrets (config is logged via describeConfig). */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent'
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 }

export interface Logger {
  debug(msg: string, data?: Record<string, unknown>): void
  info(msg: string, data?: Record<string, unknown>): void
  warn(msg: string, data?: Record<string, unknown>): void
  error(msg: string, data?: Record<string, unknown>): void
}

export function createLogger(level: LogLevel = 'info', clock: () => Date = () => new Date()): Logger {
  const at = (l: Exclude<LogLevel, 'silent'>) => (msg: string, data?: Record<string, unknown>) => {
    if (ORDER[l] < ORDER[level]) return
    const line = JSON.stringify({ t: clock().toISOString(), level: l, msg, ...data })
    if (ORDER[l] >= ORDER.warn) console.error(line)
    else console.log(line)
  }
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
}

export const silentLogger: Logger = createLogger('silent')
