/** The process's clock. */
import type { Config } from '../../config.ts'

/** The clock: real time, or — with DIAODU_NOW — real time starting at that instant (try any day's round). */
export function clockOf(config: Pick<Config, 'DIAODU_NOW'>, real: () => number = Date.now): () => Date {
  const offset = config.DIAODU_NOW === undefined ? 0 : Date.parse(config.DIAODU_NOW) - real()
  return () => new Date(real() + offset)
}
