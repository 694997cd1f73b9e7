/**
 * A full garbage collection on demand, for the workbook import's `reclaim` hook: once a 20,000-row file is
 * parsed, the reader's cells are dead but still in the heap, and the rows' writes would grow it further
 * (bench/import.ts: a .xls peaks at 600 MB resident without it, 350 MB with it). V8 hands out `gc` only with
 * --expose-gc; setting the flag at run time and taking `gc` from a fresh context gives it without a command-line
 * flag. Undefined where that is refused.
 */
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

export function reclaimer(): (() => void) | undefined {
  try {
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as unknown
    return typeof gc === 'function' ? () => void gc() : undefined
  } catch {
    return undefined
  }
}
