import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // What npm start loads first (thread pool size, the fast resolve for drizzle-orm's own files).
    setupFiles: ['./src/runtime/node/preload.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
})
