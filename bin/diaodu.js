#!/usr/bin/env node
// The `diaodu` command. Node ≥ 22.14 runs the TypeScript sources directly (type stripping): no build step.
import './check-node.js'
import { spawnSync } from 'node:child_process'
import { setFlagsFromString } from 'node:v8'

// import and export read or write a whole workbook: hundreds of megabytes of short-lived cells. Left to grow,
// V8's young generation holds them (a 20,000-row .xls peaked at 550 MB resident); kept at its first size it
// peaks at 350 MB for the same CPU time (bench/import.ts). Set before anything loads: it only stops growth.
const LEAN_HEAP = ['import', 'export'].includes(process.argv[2] ?? '') ? ['--semi-space-growth-factor=1'] : []
if (LEAN_HEAP.length) setFlagsFromString(LEAN_HEAP[0])

if (!process.features.typescript) {
  // Node 22.14–22.17 strip types only when asked: ask, in a child that inherits everything.
  const child = spawnSync(
    process.execPath,
    [
      '--experimental-strip-types',
      '--disable-warning=ExperimentalWarning',
      ...LEAN_HEAP,
      ...process.execArgv,
      import.meta.filename,
      ...process.argv.slice(2),
    ],
    { stdio: 'inherit' },
  )
  process.exit(child.status ?? 1)
}
// The preload comes first so that what it sets up applies to everything the command then loads.
await import('../src/runtime/node/preload.ts')
const { main } = await import('../src/runtime/node/cli.ts')
main()
