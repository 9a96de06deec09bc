#!/usr/bin/env node
// Runs the compiled CLI (npm ci / npm run build compile it into dist/): starting from JavaScript
// keeps `emi` fast enough for git hooks.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/tools/cli.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write(
    'emi: the toolkit is not built yet: run `npm ci` (or `npm run build`) in its folder\n',
  );
  process.exit(70);
}
const { runCli } = await import(entry.href);
await runCli(process.argv.slice(2));
