#!/usr/bin/env node
// Runs every benchmark in bench/ (files named *.bench.mjs), one after another, each in its own
// process so one's memory and JIT state do not colour the next; prints their figures. Runs the
// compiled toolkit: `npm run bench` builds first.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const folder = fileURLToPath(new URL('.', import.meta.url));
const { runCommand } = await import(join(folder, '..', 'dist', 'tools', 'lib', 'exec.js'));
const benches = readdirSync(folder)
  .filter((name) => name.endsWith('.bench.mjs'))
  .sort();
let failed = 0;
for (const name of benches) {
  console.log(`== ${name}`);
  const result = await runCommand(process.execPath, [join(folder, name), ...process.argv.slice(2)], {
    inherit: true,
    reject: false,
  });
  if (result.exitCode !== 0) failed++;
}
process.exitCode = failed > 0 ? 1 : 0;
