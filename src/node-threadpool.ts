/**
 * Sizes libuv's thread pool before anything starts it; import it first. The pool runs the WebCrypto jobs
 * that decrypt webhooks (and little else here). On the two-core machines a county server has, four pool
 * threads contend with the event loop for the cores and cost more than they give back: bench:webhook's
 * intake ran at ~3,650 req/s with one thread and ~3,100–3,300 with the default four. Bigger machines keep
 * the default; an explicit UV_THREADPOOL_SIZE always wins.
 */
import { availableParallelism } from 'node:os'

process.env.UV_THREADPOOL_SIZE ??= String(Math.max(1, Math.min(4, availableParallelism() - 1)))
