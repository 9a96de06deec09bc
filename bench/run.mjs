#!/usr/bin/env node
// Runs the benchmarks: `npm run bench` runs every bench/*.bench.mjs, `npm run bench -- NAME` one of
// them (bench/NAME.bench.mjs). Each prints its figures; none is a pass/fail test.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const all = readdirSync(here)
  .filter((name) => name.endsWith('.bench.mjs'))
  .map((name) => name.slice(0, -'.bench.mjs'.length))
  .sort();
const unknown = wanted.filter((name) => !all.includes(name));
if (unknown.length > 0) {
  process.stderr.write(`unknown benchmark ${unknown.join(', ')}: choose from ${all.join(', ')}\n`);
  process.exit(2);
}
for (const name of wanted.length > 0 ? wanted : all) {
  process.stdout.write(`== ${name}\n`);
  const { main } = await import(pathToFileURL(join(here, `${name}.bench.mjs`)).href);
  await main();
}
