/**
 * node --experimental-strip-types --import ./src/runtime/node/preload.ts bench/demo-load.ts
 * How long loading the demo county takes on an empty in-memory database (many tests and `npm start` on an empty
 * database do it), and what it holds. Prints the median and minimum of a few runs (the machine is shared).
 */
import { performance } from 'node:perf_hooks'
import { openNodeDatabase } from '../src/runtime/node/sqlite.ts'
import { loadDemoCounty } from '../src/demo/county.ts'
import { shanghaiTime } from '../src/domain/time.ts'

const runs = Number(process.env.RUNS ?? 3)
const times: number[] = []
let counts = ''
for (let i = 0; i < runs; i++) {
  const d = openNodeDatabase(':memory:')
  const t0 = performance.now()
  await loadDemoCounty(d.db, shanghaiTime(2026, 11, 22, 10))
  times.push(performance.now() - t0)
  const n = (q: string) => (d.sqlite.prepare(q).get() as { n: number }).n
  counts = ['units', 'projects', 'reports', 'urges', 'problems', 'project_colours', 'interviews', 'meeting_pledges']
    .map((t) => `${t}=${n(`select count(*) as n from ${t}`)}`)
    .join(' ')
  d.sqlite.close()
}
times.sort((a, b) => a - b)
console.log(counts)
console.log(`demo_load_ms_median=${times[Math.floor(times.length / 2)]!.toFixed(0)} demo_load_ms_min=${times[0]!.toFixed(0)}`)
