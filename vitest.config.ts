import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{core,contract,simulator,integration,harness,scenarios,cli}/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // The contract check: every response of a service the harness starts must match its published document.
    globalSetup: ['harness/vitest-global-setup.ts'],
    setupFiles: ['harness/vitest-setup.ts'],
  },
});
