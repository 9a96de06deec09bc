#!/usr/bin/env node
// Runs the benchmarks, each in its own process, and prints their figures: `npm run bench` (all),
// `npm run bench -- catalog` (by name); other arguments (e.g. --runs 9) go to every benchmark.
// Each bench/<name>.bench.mjs prints its own table, with the targets beside the measurements.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const all = readdirSync(here)
  .filter((name) => name.endsWith('.bench.mjs'))
  .map((name) => name.replace(/\.bench\.mjs$/, ''))
  .sort();
const wanted = process.argv.slice(2).filter((arg) => all.includes(arg));
const passed = process.argv.slice(2).filter((arg) => !all.includes(arg));
const benches = wanted.length > 0 ? wanted : all;
let failed = 0;
for (const name of benches) {
  console.log(`\n== ${name} ==`);
  const result = spawnSync(process.execPath, [join(here, `${name}.bench.mjs`), ...passed], {
    stdio: 'inherit',
  });
  if (result.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
