#!/usr/bin/env node
// The `diaodu` command. Node ≥ 22.14 runs the TypeScript sources directly (type stripping): no build step.
import './check-node.js'
import { spawnSync } from 'node:child_process'

if (!process.features.typescript) {
  // Node 22.14–22.17 strip types only when asked: ask, in a child that inherits everything.
  const child = spawnSync(
    process.execPath,
    ['--experimental-strip-types', '--disable-warning=ExperimentalWarning', ...process.execArgv, import.meta.filename, ...process.argv.slice(2)],
    { stdio: 'inherit' },
  )
  process.exit(child.status ?? 1)
}
// The preload comes first so that what it sets up applies to everything the command then loads.
await import('../src/runtime/node/preload.ts')
const { main } = await import('../src/runtime/node/cli.ts')
main()
