#!/usr/bin/env node
// Catalog benchmarks (issues 2 and 16): `emi validate` over 10,000 records with their git history,
// cold (no history cache) and warm, each beside its floor measured in the same run, alternating:
// one `git log` of the same history plus parsing the 10,000 record files with the yaml package
// (bench/lib/catalog-floor.mjs, a process of its own like emi). Then `emi new-emi --yes` beside
// `emi stamp` (process start and exit), in a one-recipe catalog and in the 10,000-record one.
// Reports through bench/lib/figures.mjs; runs the compiled toolkit (`npm run build` first).
//   node bench/catalog.bench.mjs [--records N] [--runs N] [--generate DIR]
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { report } from './lib/figures.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const emi = join(root, 'bin', 'emi.js');
const floorScript = join(root, 'bench', 'lib', 'catalog-floor.mjs');
const { values } = parseArgs({
  options: {
    records: { type: 'string', default: process.env.BENCH_RECORDS ?? '10000' },
    runs: { type: 'string', default: '3' },
    // Only write the catalog into this (new) folder and stop: for profiling by hand.
    generate: { type: 'string' },
  },
});
const records = Number(values.records);
const runs = Number(values.runs);
const releases = 3;
// A recipe has at most 20 lines: 20 lines of two arches each per recipe.
const linesPerRecipe = 20;
const recipeOf = (index) => `bench-${String(Math.floor(index / 2 / linesPerRecipe)).padStart(4, '0')}`;

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
    ['recipe_name', recipeOf(index)],
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
  const recipes = new Map();
  for (let index = 0; index < records; index += 2) {
    const name = recipeOf(index);
    const lines = recipes.get(name) ?? [];
    lines.push(
      `  - image_name: euca-bench-${index / 2}-emi\n    arches: [x86_64, i386]\n    rootfs_size: 1300M\n`,
    );
    recipes.set(name, lines);
  }
  let first = true;
  for (let release = 0; release < releases; release++) {
    for (let start = 0; start < records; start += perCommit) {
      const message = `release ${release} of records ${start}..${start + perCommit - 1}\n\nbench history\n`;
      chunks.push(
        `commit refs/heads/main\nmark :${++mark}\ncommitter Bench <bench@example.invalid> ${time++} +0000\ndata ${Buffer.byteLength(message)}\n${message}`,
      );
      if (!first) chunks.push(`from :${mark - 1}\n`);
      if (first)
        for (const [name, lines] of recipes) {
          const recipe = `description: bench\ndistribution: debian\nrelease: bookworm\nlines:\n${lines.join('')}kernel:\n  x86_64: linux-image-amd64\n  i386: linux-image-686\n`;
          chunks.push(
            `M 644 inline recipes/${name}/recipe.yaml\ndata ${Buffer.byteLength(recipe)}\n${recipe}\n`,
          );
        }
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

if (values.generate) {
  generate(values.generate);
  console.log(`catalog of ${records} records written to ${values.generate}`);
  process.exit(0);
}

// GNU time (Debian's `time` package), when installed, also gives each run's CPU time (user and
// system, the process and the git it waits for): on a machine busy with other work the wall time
// swings with the load, while the CPU time, and so its ratio, stays steady.
const gnuTime = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const cpuFile = join(mkdtempSync(join(tmpdir(), 'emi-bench-cpu-')), 'cpu');
let lastCpuMs = Number.NaN;

/** One run of a process, in ms from start to exit (its CPU time in lastCpuMs); throws when it fails. */
function once(args, cwd) {
  const [file, argv] = gnuTime
    ? [gnuTime, ['-f', '%U %S', '-o', cpuFile, process.execPath, ...args]]
    : [process.execPath, args];
  const start = process.hrtime.bigint();
  const result = spawnSync(file, argv, { cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0)
    throw new Error(
      `${args.join(' ')} failed (${result.status}): ${result.stderr}${result.stdout.slice(0, 2000)}`,
    );
  const [user, system] = gnuTime
    ? readFileSync(cpuFile, 'utf8').trim().split(/\s+/).slice(-2).map(Number)
    : [];
  lastCpuMs = gnuTime ? ((user ?? Number.NaN) + (system ?? Number.NaN)) * 1000 : Number.NaN;
  return ms;
}
/** A CPU-time figure beside its anchor's CPU time: steadier than wall time on a busy machine. */
function cpuFigure(id, what, samples, anchorLabel, anchorSamples) {
  return {
    id: `catalog.${id}.cpu`,
    label: `the same, CPU time: ${what}`,
    unit: 'ms',
    samples,
    anchor: { label: `${anchorLabel}, CPU time`, samples: anchorSamples },
    target: { none: true, why: 'steadier on a busy machine; the target is on wall time' },
  };
}

const emiRun = (args, cwd) => once([emi, ...args], cwd);

const dir = mkdtempSync(join(tmpdir(), 'emi-bench-'));
const small = mkdtempSync(join(tmpdir(), 'emi-bench-new-'));
try {
  const t0 = Date.now();
  const commits = generate(dir);
  console.log(
    `generated ${records} records x ${releases} releases in ${commits} commits (${Date.now() - t0} ms)`,
  );
  const cacheFiles = ['emi-record-history.json', 'emi-history'];
  const dropCache = () => {
    for (const name of cacheFiles) rmSync(join(dir, '.git', name), { recursive: true, force: true });
  };
  // Warm the page cache and check that the catalog validates before timing anything.
  once([floorScript, dir], dir);
  emiRun(['validate'], dir);
  const floor = [];
  const cold = [];
  const warm = [];
  const warmFloor = [];
  const cpu = { floor: [], cold: [], warmFloor: [], warm: [], stamp: [], newEmi: [] };
  for (let run = 0; run < runs; run++) {
    // Alternating: floor, cold (no history cache), floor, warm (the cache at HEAD, as in a hook).
    floor.push(once([floorScript, dir], dir));
    cpu.floor.push(lastCpuMs);
    dropCache();
    cold.push(emiRun(['validate'], dir));
    cpu.cold.push(lastCpuMs);
    warmFloor.push(once([floorScript, dir], dir));
    cpu.warmFloor.push(lastCpuMs);
    warm.push(emiRun(['validate'], dir));
    cpu.warm.push(lastCpuMs);
    console.log(
      `run ${run + 1}: floor ${floor.at(-1).toFixed(0)} ms, cold ${cold.at(-1).toFixed(0)} ms, floor ${warmFloor.at(-1).toFixed(0)} ms, warm ${warm.at(-1).toFixed(0)} ms`,
    );
  }
  const floorLabel = 'floor: one git log + yaml parse of every record';

  // new-emi against emi stamp (process start and exit), alternating, in a one-recipe catalog.
  execFileSync('git', ['init', '-q', '-b', 'main', small]);
  mkdirSync(join(small, 'recipes', 'debian-based'), { recursive: true });
  writeFileSync(
    join(small, 'recipes', 'debian-based', 'recipe.yaml'),
    'description: bench\ndistribution: debian\nrelease: bookworm\nlines:\n  - image_name: euca-debian-emi\n    arches: [x86_64]\n    rootfs_size: 1300M\nkernel:\n  x86_64: linux-image-amd64\n',
  );
  const newEmi = ['new-emi', '--recipe', 'debian-based', '--arch', 'x86_64', '--yes'];
  const stampRuns = Math.max(5, runs);
  const stampSmall = [];
  const newSmall = [];
  for (let run = 0; run < stampRuns; run++) {
    stampSmall.push(emiRun(['stamp'], small));
    cpu.stamp.push(lastCpuMs);
    newSmall.push(emiRun(newEmi, small));
    cpu.newEmi.push(lastCpuMs);
  }
  // The same in the 10,000-record catalog (last: it adds records).
  const stampBig = [];
  const newBig = [];
  for (let run = 0; run < runs; run++) {
    stampBig.push(emiRun(['stamp'], dir));
    newBig.push(emiRun(['new-emi', '--recipe', recipeOf(run * 2), '--arch', 'x86_64', '--yes'], dir));
  }

  report(
    'catalog',
    [
      {
        id: 'catalog.validate.cold',
        label: `emi validate, ${records} records, cold (no history cache)`,
        unit: 'ms',
        samples: cold,
        anchor: { label: floorLabel, samples: floor },
        target: { ratio: 2 },
      },
      {
        id: 'catalog.validate.warm',
        label: `emi validate, ${records} records, warm (history cache at HEAD)`,
        unit: 'ms',
        samples: warm,
        anchor: { label: floorLabel, samples: warmFloor },
        target: { ratio: 1.2 },
      },
      {
        id: 'catalog.new-emi',
        label: 'emi new-emi --yes, one-recipe catalog',
        unit: 'ms',
        samples: newSmall,
        anchor: { label: 'emi stamp (start and exit)', samples: stampSmall },
        target: { ratio: 2 },
      },
      {
        id: 'catalog.new-emi.large',
        label: `emi new-emi --yes, ${records}-record catalog`,
        unit: 'ms',
        samples: newBig,
        anchor: { label: 'emi stamp (start and exit)', samples: stampBig },
        target: { none: true, why: 'the target is for a normal catalog; reported' },
      },
      ...(gnuTime
        ? [
            cpuFigure('validate.cold', 'validate cold', cpu.cold, 'floor', cpu.floor),
            cpuFigure('validate.warm', 'validate warm', cpu.warm, 'floor', cpu.warmFloor),
            cpuFigure('new-emi', 'new-emi, one-recipe catalog', cpu.newEmi, 'emi stamp', cpu.stamp),
          ]
        : []),
    ],
    { records, releases, commits, runs },
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
  rmSync(small, { recursive: true, force: true });
  rmSync(dirname(cpuFile), { recursive: true, force: true });
}
