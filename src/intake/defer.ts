/** Keeping work going after the response: `waitUntil` where the runtime has an execution context (Workers). */
import type { Context } from 'hono'

/** Whether requests come with an ExecutionContext — learnt from the first one, since asking throws. */
let hasExecutionCtx: boolean | undefined

/** Hands `work` to the runtime to finish after the response (Node keeps running promises anyway; `work` never rejects). */
export function deferWork(c: Context, work: Promise<void>): void {
  if (hasExecutionCtx === false) return // @hono/node-server: no ExecutionContext; the promise runs anyway
  try {
    c.executionCtx.waitUntil(work)
    hasExecutionCtx = true
  } catch {
    hasExecutionCtx = false
  }
}
