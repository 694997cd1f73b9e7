/**
 * A separate process that ticks once: `node test/jobs/tick-child.ts DB_PATH ISO_TIME START_AT_MS`. It waits
 * until START_AT_MS so several children tick at the same moment, then prints the tick's queued count.
 */
import { openNodeDatabase } from '../../src/runtime/node/sqlite.ts'
import { runTick } from '../../src/jobs/tick.ts'

const [path, iso, startAt] = process.argv.slice(2)
const d = openNodeDatabase(path!)
await new Promise((r) => setTimeout(r, Math.max(0, Number(startAt) - Date.now())))
const r = await runTick(d.db, new Date(iso!))
process.stdout.write(JSON.stringify({ queued: r.queued, messages: r.messages, jobs: r.jobs.map((j) => [j.job, j.period, j.status]) }))
d.close()
