#!/usr/bin/env node
// The long fuzz run (issue 13 item 21): test/commands/fuzz.test.ts with many more inputs and a new
// seed each time (printed, so a failure can be replayed with EMI_FUZZ_SEED=<seed>).
//   npm run bench -- fuzz [--runs N] [--seed S]
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const option = (name, fallback) => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && process.argv[index + 1] !== undefined ? process.argv[index + 1] : fallback;
};
const runs = Number(option('runs', process.env.EMI_FUZZ_RUNS ?? '2000'));
const seed = Number(option('seed', process.env.EMI_FUZZ_SEED ?? String(Math.floor(Math.random() * 2 ** 31))));
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(seed)) {
  console.error('fuzz bench: --runs and --seed take whole numbers');
  process.exit(2);
}
console.log(`fuzz: seed ${seed}, ${runs} inputs for validate and ${runs} for import-legacy`);
const started = performance.now();
const result = spawnSync(
  process.execPath,
  [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', 'test/commands/fuzz.test.ts'],
  {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, EMI_FUZZ_RUNS: String(runs), EMI_FUZZ_SEED: String(seed) },
  },
);
const seconds = (performance.now() - started) / 1000;
console.log(
  `fuzz: ${result.status === 0 ? 'no failure' : `FAILED (replay: EMI_FUZZ_SEED=${seed} EMI_FUZZ_RUNS=${runs} npx vitest run test/commands/fuzz.test.ts)`}; ${2 * runs} inputs in ${seconds.toFixed(0)} s (${((2 * runs) / seconds).toFixed(1)} inputs/s, process start and git included)`,
);
process.exit(result.status ?? 1);
