#!/usr/bin/env -S node --experimental-strip-types
// The `diaodu` command. Node ≥ 22.12 runs the TypeScript sources directly (type stripping): no build step.
// The preload comes first so that what it sets up applies to everything the command then loads.
await import('../src/node-preload.ts')
const { main } = await import('../src/cli.ts')
main()
