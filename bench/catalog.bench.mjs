#!/usr/bin/env node
// Catalog benchmarks (issue 2): `emi validate` over 10,000 records with their git history,
// `emi new-emi` end to end, and the start-up of `emi --help` and `emi stamp` (the pre-commit hook
// runs on every commit). Prints the median of several runs beside each target.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const emi = join(root, 'bin', 'emi.js');
const records = Number(process.env.BENCH_RECORDS ?? 10_000);
const releases = 3;

const stamp = (epoch) => {
  const hex = createHash('md5').update(`${epoch}\n`).digest('hex');
  return `${hex.slice(0, 4)}-${hex.slice(4, 8)}`;
};
const pad = (n, w = 2) => String(n).padStart(w, '0');
const moment = (epoch) => {
  const d = new Date(epoch * 1000);
  const day = `${d.getUTCFullYear()}.${pad(d.getUTCMonth() + 1)}.${pad(d.getUTCDate())}`;
  return {
    stamp: stamp(epoch),
    date: `${day.replaceAll('.', '')}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`,
    day,
  };
};

function files(index, release) {
  const arch = index % 2 ? 'i386' : 'x86_64';
  const name = `euca-bench-${Math.floor(index / 2)}-emi`;
  // One second per record, one day per release: every stamp is distinct, versions only grow.
  const m = moment(1700000000 + release * 86400 + index);
  const file = `${name.replace(/-emi$/, '')}-${m.day}-${arch}.img`;
  const fields = [
    ['image_name', name],
    ['image_version', m.day],
    ['image_arch', arch],
    ['image_file', file],
    ['image_stamp', m.stamp],
    ['image_date', m.date],
    ['recipe_name', 'bench'],
  ];
  return {
    [`EMI-IDs/${name}.${arch}.yaml`]: fields.map(([k, v]) => `${k}: "${v}"\n`).join(''),
    [`image-ids/${name}.${arch}`]: fields.map(([k, v]) => `${k}="${v}"\n`).join(''),
  };
}

/** Builds the history with git fast-import: each release of every record, 500 records a commit. */
function generate(dir) {
  execFileSync('git', ['init', '-q', '-b', 'main', dir]);
  const chunks = [];
  let mark = 0;
  let time = 1700000000;
  const perCommit = 500;
  const recipe =
    'description: bench\ndistribution: debian\nrelease: bookworm\nlines:\n  - image_name: euca-bench-0-emi\n    arches: [x86_64]\n    rootfs_size: 1300M\nkernel:\n  x86_64: linux-image-amd64\n';
  let first = true;
  for (let release = 0; release < releases; release++) {
    for (let start = 0; start < records; start += perCommit) {
      const message = `release ${release} of records ${start}..${start + perCommit - 1}\n\nbench history\n`;
      chunks.push(
        `commit refs/heads/main\nmark :${++mark}\ncommitter Bench <bench@example.invalid> ${time++} +0000\ndata ${Buffer.byteLength(message)}\n${message}`,
      );
      if (!first) chunks.push(`from :${mark - 1}\n`);
      if (first)
        chunks.push(`M 644 inline recipes/bench/recipe.yaml\ndata ${Buffer.byteLength(recipe)}\n${recipe}\n`);
      first = false;
      for (let index = start; index < Math.min(records, start + perCommit); index++) {
        for (const [path, content] of Object.entries(files(index, release))) {
          chunks.push(`M 644 inline ${path}\ndata ${Buffer.byteLength(content)}\n${content}\n`);
        }
      }
    }
  }
  execFileSync('git', ['fast-import', '--quiet'], { cwd: dir, input: chunks.join('') });
  execFileSync('git', ['checkout', '-q', '-f', 'main'], { cwd: dir });
  return mark;
}

function time(args, cwd, runs = 5, before = () => {}) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    before();
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, [emi, ...args], { cwd, encoding: 'utf8' });
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (result.status !== 0 && !args.includes('--help')) {
      throw new Error(
        `emi ${args.join(' ')} failed (${result.status}): ${result.stderr}${result.stdout.slice(0, 2000)}`,
      );
    }
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

const row = (what, ms, target) =>
  console.log(
    `${what.padEnd(48)} ${ms.toFixed(0).padStart(7)} ms   target < ${target} ms   ${ms < target ? 'ok' : 'OVER'}`,
  );

const dir = mkdtempSync(join(tmpdir(), 'emi-bench-'));
try {
  const t0 = Date.now();
  const commits = generate(dir);
  console.log(
    `generated ${records} records x ${releases} releases in ${commits} commits (${Date.now() - t0} ms)`,
  );
  // Cold: the history cache (.git/emi-record-history.json) removed before each run, so git walks the
  // whole history; warm: the cache holds the history at HEAD, as in a pre-commit hook.
  const dropCache = () => rmSync(join(dir, '.git', 'emi-record-history.json'), { force: true });
  row(`emi validate, ${records} records, cold history`, time(['validate'], dir, 5, dropCache), 1000);
  row(`emi validate, ${records} records, warm history`, time(['validate'], dir), 1000);
  row('emi --help', time(['--help'], dir, 9), 200);
  row('emi stamp', time(['stamp'], dir, 9), 200);

  const small = mkdtempSync(join(tmpdir(), 'emi-bench-new-'));
  execFileSync('git', ['init', '-q', '-b', 'main', small]);
  mkdirSync(join(small, 'recipes', 'debian-based'), { recursive: true });
  writeFileSync(
    join(small, 'recipes', 'debian-based', 'recipe.yaml'),
    'description: bench\ndistribution: debian\nrelease: bookworm\nlines:\n  - image_name: euca-debian-emi\n    arches: [x86_64]\n    rootfs_size: 1300M\nkernel:\n  x86_64: linux-image-amd64\n',
  );
  row(
    'emi new-emi --yes (end to end)',
    time(['new-emi', '--recipe', 'debian-based', '--arch', 'x86_64', '--yes'], small, 5),
    500,
  );
  row(
    `emi new-emi --yes (in the ${records}-record catalog)`,
    time(['new-emi', '--recipe', 'bench', '--arch', 'x86_64', '--yes'], dir, 3),
    500,
  );
  rmSync(small, { recursive: true, force: true });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
