#!/usr/bin/env node
import { spawnSync } from 'node:child_process';
// Runs the benchmarks and prints their figures: `npm run bench` (all) or `npm run bench -- catalog`.
// Each bench/<name>.bench.mjs prints its own table; targets are printed beside the measurements.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const benches = readdirSync(here)
  .filter((name) => name.endsWith('.bench.mjs'))
  .map((name) => name.replace(/\.bench\.mjs$/, ''))
  .filter((name) => wanted.length === 0 || wanted.includes(name))
  .sort();
if (benches.length === 0) {
  console.error(`no benchmark named ${wanted.join(', ')}`);
  process.exit(2);
}
let failed = 0;
for (const name of benches) {
  console.log(`\n== ${name} ==`);
  const result = spawnSync(process.execPath, [join(here, `${name}.bench.mjs`)], { stdio: 'inherit' });
  if (result.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
