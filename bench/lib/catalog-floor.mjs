#!/usr/bin/env node
// The floor for `emi validate` (issue 16), run as its own process like emi: read the history of
// EMI-IDs/ with one `git log` (the same log `emi validate` reads: zero-context patches, oldest
// first) and parse every record file of the working tree with the yaml package. Nothing is checked;
// this is what reading the same data costs at the least. Prints what it read as JSON.
//   node bench/lib/catalog-floor.mjs <repository>
import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';

const repo = process.argv[2] ?? process.cwd();

function gitLog() {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'git',
      [
        'log',
        '--reverse',
        '--no-renames',
        '--no-color',
        '--format=%x00commit %H %ct',
        '-p',
        '--unified=0',
        '--',
        'EMI-IDs/',
      ],
      { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let bytes = 0;
    child.stdout.on('data', (chunk) => {
      bytes += chunk.length;
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(bytes) : reject(new Error(`git log exited ${code}`))));
  });
}

async function parseRecords() {
  const dir = join(repo, 'EMI-IDs');
  const names = (await readdir(dir)).filter((name) => name.endsWith('.yaml'));
  let fields = 0;
  // Read 64 at a time (git's log streams in meanwhile), parse each with the yaml package.
  for (let start = 0; start < names.length; start += 64) {
    const texts = await Promise.all(
      names.slice(start, start + 64).map((name) => readFile(join(dir, name), 'utf8')),
    );
    for (const text of texts) fields += Object.keys(parse(text) ?? {}).length;
  }
  return { records: names.length, fields };
}

const [logBytes, parsed] = await Promise.all([gitLog(), parseRecords()]);
process.stdout.write(`${JSON.stringify({ logBytes, ...parsed })}\n`);
