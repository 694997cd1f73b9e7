/**
 * What the Node process sets up before it loads anything else: `npm start` and the `diaodu` command load this
 * file first (`--import`, or a dynamic import ahead of the rest).
 *
 * 0. A Node too old for the embedded database stops with a message (bin/check-node.js).
 * 1. libuv's thread pool, sized before anything starts it. Under npm start webhooks are decrypted and hashed
 *    synchronously (node:crypto, src/runtime/node/aes.ts); the pool runs what WebCrypto is still asked (the
 *    Feishu uuid hash, tests) and file I/O. On the two-core machines a county server has, four pool threads contend
 *    with the event loop and cost more than they give back: bench:webhook's intake ran at ~3,650 req/s with
 *    one thread and ~3,100–3,300 with the default four. Bigger machines keep the default; an explicit
 *    UV_THREADPOOL_SIZE always wins.
 * 2. A resolve hook for drizzle-orm's own relative imports. Node 24 re-reads drizzle's 179 KB package.json and
 *    parses its `exports` map for every one of the ~300 files it loads, to learn that a `.js` file there is an
 *    ES module: 270 ms and 150 MB of garbage at every start (`diaodu deadline` took 0.85 s and 270 MB RSS,
 *    0.52 s and 117 MB with the hook). Inside drizzle-orm ("type": "module", no dependencies) a relative
 *    `./x.js` is exactly the file next to its importer, so the hook answers that itself.
 */
import '../../../bin/check-node.js'
import { availableParallelism } from 'node:os'
import * as nodeModule from 'node:module'

process.env.UV_THREADPOOL_SIZE ??= String(Math.max(1, Math.min(4, availableParallelism() - 1)))

const DRIZZLE = '/node_modules/drizzle-orm/'
const installed = Symbol.for('diaodu.node-preload')
const global = globalThis as { [installed]?: boolean }

/** Where a relative `.js` import inside drizzle-orm points, or undefined for anything else. */
export function drizzleRelative(specifier: string, parentURL: string | undefined): string | undefined {
  if (!parentURL?.includes(DRIZZLE) || !specifier.endsWith('.js')) return undefined
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return undefined
  return new URL(specifier, parentURL).href
}

// registerHooks arrived in Node 22.15 / 23.5: on 22.14 start-up is only slower.
const registerHooks = (nodeModule as Partial<typeof nodeModule>).registerHooks
if (registerHooks && !global[installed]) {
  global[installed] = true
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const url = drizzleRelative(specifier, context.parentURL)
      return url ? { url, format: 'module', shortCircuit: true } : nextResolve(specifier, context)
    },
  })
}
