import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['lib/**/*.test.ts', 'actions/*/src/**/*.test.ts', 'test/**/*.test.ts', 'scripts/**/*.test.ts'],
    // Emulators (moto, PostgreSQL) and spawned bundles need more than the default 5 s.
    setupFiles: ['test/support/quiet-node-notice.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: keep parallel workers modest so spawned emulators are not starved.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
