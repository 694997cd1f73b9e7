import { configDefaults, defineConfig } from 'vitest/config'
import { workersProject } from './test/workers/project.ts'

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          include: ['test/**/*.test.ts'],
          // test/workers/ runs inside workerd (the project below).
          exclude: [...configDefaults.exclude, 'test/workers/**'],
          environment: 'node',
          // What npm start loads first (thread pool size, the fast resolve for drizzle-orm's own files).
          setupFiles: ['./src/runtime/node/preload.ts'],
          // Generous: several tests start real processes (npm start, diaodu), slow on a loaded two-core machine.
          testTimeout: 60_000,
          hookTimeout: 30_000,
        },
      },
      workersProject,
    ],
  },
})
