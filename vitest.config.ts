import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // CLI tests spawn `node bin/emi.js`, which runs the compiled dist/ that `npm test` builds first.
    globalSetup: ['test/helpers/global-setup.ts'],
  },
});
