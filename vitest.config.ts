import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { allTests, rootTests, unitTests } from './test/groups.js';
import { CriticalPathSequencer } from './test/helpers/sequencer.js';

// Three projects (test/groups.ts says what goes where): `vitest run` runs all of them,
// `vitest run --project unit` one (npm run test:unit, test:integration, test:root).
// Integration and root tests run the compiled CLI (bin/emi.js → dist/): their global setup
// rebuilds dist/ first when tools/ changed since the last build.
const compiled = ['test/helpers/global-setup.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Most files wait on programs they start (git, QEMU, sh, servers), so one more worker than
    // cores keeps the cores busy; vitest's default (cores - 1) ran everything one file at a time
    // on a 2-core machine. VITEST_MAX_WORKERS overrides it.
    maxWorkers: availableParallelism() + 1,
    sequence: { sequencer: CriticalPathSequencer },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: unitTests,
          setupFiles: ['test/helpers/no-child-processes.ts'],
          // One process for all unit files: starting a worker per file cost 4 times the tests' own
          // time. Unit tests keep no state between files (setup files still run for each file).
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: [allTests],
          exclude: [...unitTests, ...rootTests],
          globalSetup: compiled,
        },
      },
      {
        extends: true,
        test: { name: 'root', include: rootTests, globalSetup: compiled },
      },
    ],
  },
});
