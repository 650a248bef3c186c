import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{core,contract,simulator,integration,harness,scenarios,cli}/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
