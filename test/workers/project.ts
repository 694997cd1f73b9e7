/**
 * The Workers suite (vitest project `workers`): test/workers/*.test.ts run inside workerd through
 * @cloudflare/vitest-plugin, with the Worker of the root wrangler.toml (its entry, Durable Object, Queue, define
 * and compatibility flags) serving two counties, each on its own D1 database with its own secret. The
 * platforms' fakes run in Node (global-setup.ts) on loopback, where the Worker reaches them over real HTTP.
 * Files run one after another in one isolate, each from a clean slate (helpers.ts `freshCounties`).
 */
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin'
import { defineProject } from 'vitest/config'
import { COUNTIES, countySecret } from './counties.ts'

const suffix = (id: string) => id.toUpperCase()

export const workersProject = defineProject({
  plugins: [
    cloudflareTest(async ({ inject }) => {
      const fakes = inject('fakes')
      return {
        wrangler: { configPath: './wrangler.toml' },
        miniflare: {
          // The plugin runs its own workerd (1.20261102), which knows compatibility dates up to 2026-11-09;
          // wrangler.toml's 2026-11-17 is what wrangler 4.164's workerd builds and deploys.
          compatibilityDate: '2026-11-09',
          d1Databases: Object.fromEntries(COUNTIES.map((c) => [`DB_${suffix(c.id)}`, `diaodu-${c.id}`])),
          bindings: {
            // County three is listed but has neither its database nor its secret yet (a county half added).
            COUNTIES: JSON.stringify([
              ...COUNTIES.map((c) => ({ id: c.id, name: c.name, hosts: [`${c.id}.diaodu.test`] })),
              { id: 'three', name: '丙县' },
            ]),
            LOG_LEVEL: 'error',
            ...Object.fromEntries(COUNTIES.map((c) => [`COUNTY_${suffix(c.id)}`, countySecret(c, fakes)])),
            TEST_MIGRATIONS: await readD1Migrations('./drizzle'),
          },
        },
      }
    }),
  ],
  // wrangler.toml's alias (the bundle's), for the modules vitest loads itself.
  resolve: { alias: { echarts: new URL('../../src/runtime/workers/no-charts.ts', import.meta.url).pathname } },
  test: {
    name: 'workers',
    include: ['test/workers/**/*.test.ts'],
    globalSetup: ['./test/workers/global-setup.ts'],
    fileParallelism: false,
    // One isolate for every file (each starts from freshCounties in helpers.ts): with a fresh worker per file,
    // the second file's worker dies at start on "WebSocket protocol error … Message is too large" (1009).
    isolate: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
})
