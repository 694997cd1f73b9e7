import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // What npm start loads first (thread pool size, the fast resolve for drizzle-orm's own files).
    setupFiles: ['./src/runtime/node/preload.ts'],
    // Generous: several tests start real processes (npm start, diaodu), slow on a loaded two-core machine.
    testTimeout: 60_000,
    hookTimeout: 30_000,
  },
})
