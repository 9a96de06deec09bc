#!/usr/bin/env node
// `emi plan` (issue 10) on a generated catalog: 200 recipes × 2 arches (400 image lines, each
// recorded with its current recipe digest) among 10,000 records, with history. Prints the median
// of several runs beside the target (under 1 s), and beside `git ls-tree -r HEAD` over the same
// repository, the floor any plan that looks at every file pays. Cases: everything up to date; one
// recipe changed (its two lines name the changed inputs, which needs the history); --matrix.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { report } from './lib/figures.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const emi = join(root, 'bin', 'emi.js');
const recipes = Number(process.env.BENCH_RECIPES ?? 200);
const records = Number(process.env.BENCH_RECORDS ?? 10_000);
const runs = Number(process.argv.find((arg) => /^\d+$/.test(arg)) ?? 5);

const stamp = (epoch) => {
  const hex = createHash('md5').update(`${epoch}\n`).digest('hex');
  return `${hex.slice(0, 4)}-${hex.slice(4, 8)}`;
};
const pad = (n, w = 2) => String(n).padStart(w, '0');
function record(name, arch, recipe, epoch, digest) {
  const d = new Date(epoch * 1000);
  const day = `${d.getUTCFullYear()}.${pad(d.getUTCMonth() + 1)}.${pad(d.getUTCDate())}`;
  const date = `${day.replaceAll('.', '')}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
  const fields = [
    ['image_name', name],
    ['image_version', day],
    ['image_arch', arch],
    ['image_file', `${name.replace(/-emi$/, '')}-${day}-${arch}.img`],
    ['image_stamp', stamp(epoch)],
    ['image_date', date],
    ['recipe_name', recipe],
  ];
  const yaml =
    fields.map(([k, v]) => `${k}: "${v}"\n`).join('') + (digest ? `recipe_digest: "${digest}"\n` : '');
  return {
    [`EMI-IDs/${name}.${arch}.yaml`]: yaml,
    [`image-ids/${name}.${arch}`]: fields.map(([k, v]) => `${k}="${v}"\n`).join(''),
  };
}
const recipeYaml = (i) =>
  `description: bench recipe ${i}\ndistribution: debian\nrelease: bookworm\nlines:\n  - image_name: euca-r${i}-emi\n    arches: [x86_64, i386]\n    rootfs_size: 1300M\nkernel:\n  x86_64: linux-image-amd64\n  i386: linux-image-686\noverlays: [overlay]\nhooks: [hooks/trim.sh]\n`;

/** One commit: files by path (fast-import stream). */
function commit(chunks, state, message, files) {
  chunks.push(
    `commit refs/heads/main\nmark :${++state.mark}\ncommitter Bench <bench@example.invalid> ${state.time++} +0000\ndata ${Buffer.byteLength(message)}\n${message}`,
  );
  if (state.mark > 1) chunks.push(`from :${state.mark - 1}\n`);
  for (const [path, content] of Object.entries(files))
    chunks.push(
      `M ${path.includes('/hooks/') ? '755' : '644'} inline ${path}\ndata ${Buffer.byteLength(content)}\n${content}\n`,
    );
}

function generate(dir) {
  execFileSync('git', ['init', '-q', '-b', 'main', dir]);
  const chunks = [];
  const state = { mark: 0, time: 1700000000 };
  const files = {
    'recipes/common/overlay/etc/emi-agent.conf': 'endpoint=http://169.254.169.254\n',
    'recipes/common/overlay/usr/sbin/emi-agent': '#!/bin/sh\ntrue\n',
  };
  for (let i = 0; i < recipes; i++) {
    files[`recipes/r${i}/recipe.yaml`] = recipeYaml(i);
    files[`recipes/r${i}/overlay/etc/motd`] = `recipe ${i}\n`;
    files[`recipes/r${i}/overlay/etc/issue`] = `issue ${i}\n`;
    files[`recipes/r${i}/hooks/trim.sh`] = '#!/bin/sh\nrm -rf /usr/share/doc\n';
  }
  commit(chunks, state, 'recipes\n\nthe bench recipes\n', files);
  // Old lines of recipes that are gone: the bulk of the 10,000 records, in three releases.
  const legacy = records - recipes * 2;
  for (let release = 0; release < 3; release++) {
    for (let start = 0; start < legacy; start += 500) {
      const batch = {};
      for (let i = start; i < Math.min(legacy, start + 500); i++)
        Object.assign(
          batch,
          record(
            `euca-old-${Math.floor(i / 2)}-emi`,
            i % 2 ? 'i386' : 'x86_64',
            'gone',
            1700000000 + release * 86400 + i,
          ),
        );
      commit(chunks, state, `release ${release} of old records ${start}\n\nbench history\n`, batch);
    }
  }
  execFileSync('git', ['fast-import', '--quiet'], { cwd: dir, input: chunks.join(''), maxBuffer: 1 << 30 });
  execFileSync('git', ['checkout', '-q', '-f', 'main'], { cwd: dir });
}

function run(args, cwd) {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [emi, ...args], { cwd, encoding: 'utf8', maxBuffer: 1 << 28 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0)
    throw new Error(`emi ${args.join(' ')} failed (${result.status}): ${result.stderr.slice(0, 2000)}`);
  return { ms, stdout: result.stdout };
}
function median(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
const sampled = new Map();
function timeIt(fn, key) {
  const samples = [];
  for (let i = 0; i < runs; i++) samples.push(fn());
  if (key) sampled.set(key, samples);
  return median(samples);
}
const row = (what, ms, target) =>
  console.log(
    `${what.padEnd(58)} ${ms.toFixed(0).padStart(7)} ms${target ? `   target < ${target} ms   ${ms < target ? 'ok' : 'OVER'}` : ''}`,
  );

/** A commit in the bench catalog, as the bench's own author, without the catalog's hooks. */
const gitCommit = (dir, ...args) =>
  execFileSync(
    'git',
    [
      '-c',
      'user.name=Bench',
      '-c',
      'user.email=bench@example.invalid',
      'commit',
      '-q',
      '--no-verify',
      ...args,
    ],
    { cwd: dir },
  );

const dir = mkdtempSync(join(tmpdir(), 'emi-bench-plan-'));
try {
  const t0 = Date.now();
  generate(dir);
  // Record every line with its digest, as the build would have.
  const first = JSON.parse(run(['plan', '--json'], dir).stdout);
  const recorded = {};
  for (const [index, image] of first.images.entries())
    Object.assign(recorded, record(image.line, image.arch, image.recipe, 1750000000 + index, image.digest));
  for (const [path, content] of Object.entries(recorded)) {
    execFileSync('mkdir', ['-p', dirname(join(dir, path))]);
    writeFileSync(join(dir, path), content);
  }
  execFileSync('git', ['add', '-A'], { cwd: dir });
  gitCommit(dir, '-m', 'Record\n\nall lines\n');
  const count = Number(
    execFileSync('git', ['ls-files', 'EMI-IDs'], { cwd: dir, encoding: 'utf8' }).split('\n').length - 1,
  );
  console.log(`generated ${recipes} recipes × 2 arches, ${count} records (${Date.now() - t0} ms)`);

  row(
    'git ls-tree -r HEAD (the floor: list every file once)',
    timeIt(() => {
      const start = process.hrtime.bigint();
      execFileSync('git', ['ls-tree', '-r', 'HEAD'], { cwd: dir, maxBuffer: 1 << 28 });
      return Number(process.hrtime.bigint() - start) / 1e6;
    }, 'floor'),
  );
  const upToDate = run(['plan', '--json'], dir);
  const planned = JSON.parse(upToDate.stdout);
  if (planned.images.length !== recipes * 2 || planned.images.some((image) => image.build))
    throw new Error('the bench catalog is not up to date');
  row(
    `emi plan, ${recipes * 2} images up to date, ${count} records`,
    timeIt(() => run(['plan'], dir).ms, 'up-to-date'),
    1000,
  );
  row(
    'emi plan --matrix (the workflow step), same',
    timeIt(() => run(['plan', '--matrix'], dir).ms, 'matrix'),
    1000,
  );

  writeFileSync(join(dir, 'recipes/r7/overlay/etc/motd'), 'changed\n');
  gitCommit(dir, '-am', 'r7: motd\n\nchanged\n');
  const changed = JSON.parse(run(['plan', '--json'], dir).stdout).images.filter((image) => image.build);
  if (changed.length !== 2 || changed[0].inputs.changed[0] !== 'recipes/r7/overlay/etc/motd')
    throw new Error(`expected r7's two lines to change: ${JSON.stringify(changed)}`);
  row(
    'emi plan, one recipe changed (2 lines, inputs named)',
    timeIt(() => run(['plan'], dir).ms, 'one-changed'),
    1000,
  );
  row(
    'emi --help (the start-up alone, for comparison)',
    timeIt(() => run(['--help'], dir).ms),
  );
  const floor = { label: 'git ls-tree -r HEAD', samples: sampled.get('floor') };
  const figure = (id, label) => ({
    id: `plan.${id}`,
    label,
    unit: 'ms',
    samples: sampled.get(id),
    anchor: floor,
    target: { max: 1000 },
  });
  report('plan', [
    figure('up-to-date', `emi plan, ${recipes * 2} images up to date, ${count} records`),
    figure('matrix', 'emi plan --matrix, same'),
    figure('one-changed', 'emi plan, one recipe changed'),
  ]);
} finally {
  // BENCH_KEEP=1 keeps the generated catalog for profiling (its path is printed).
  if (process.env.BENCH_KEEP) console.log(`kept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}
