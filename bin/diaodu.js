#!/usr/bin/env -S node --experimental-strip-types
// The `diaodu` command. Node ≥ 22.12 runs the TypeScript sources directly (type stripping): no build step.
import { main } from '../src/cli.ts'

main()
