#!/usr/bin/env node
// Benchmark: `emi changelog` over a generated catalog history of 10,000 commits on 50 image lines,
// beside its floor measured in the same run, alternating (issue 16): one `git log` streaming the
// same history (every commit with its patch, read through a pipe). The history is written with git
// fast-import into a temporary repository: 8,000 releases (record, image-id and a 250-package
// manifest whose versions move a little each time) and 2,000 recipe commits (a fifth of them to
// recipes/common/). Figures: a full run without the history cache (cold), and a re-render after
// one new release commit (the cache then holds all but that commit). Reports through
// bench/lib/figures.mjs; runs the compiled toolkit, so `npm run build` first (npm run
// bench:changelog does both).
//   node bench/changelog.bench.mjs [--commits N] [--lines N] [--runs N] [--keep]
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { report } from './lib/figures.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const { runCommand } = await import(join(root, 'dist/tools/lib/exec.js'));
const { momentOf } = await import(join(root, 'dist/tools/catalog/stamp.js'));
const { renderRecord, renderImageId, expectedImageFile } = await import(
  join(root, 'dist/tools/catalog/record-files.js')
);

const { values } = parseArgs({
  options: {
    commits: { type: 'string', default: '10000' },
    lines: { type: 'string', default: '50' },
    runs: { type: 'string', default: '3' },
    keep: { type: 'boolean', default: false },
  },
});
const commitCount = Number(values.commits);
const lineCount = Number(values.lines);
const runs = Number(values.runs);
const packageCount = 250;
const recipes = ['debian-based', 'ubuntu-based', 'centos-based', 'alpine-based', 'fedora-based'];

function lineOf(index) {
  const arch = index % 2 === 0 ? 'x86_64' : 'i386';
  return {
    name: `euca-bench${String(Math.floor(index / 2)).padStart(2, '0')}-emi`,
    arch,
    recipe: recipes[index % recipes.length],
    releases: 0,
    version: undefined,
    day: undefined,
    packages: Array.from({ length: packageCount }, (_, p) => [
      `pkg-${index}-${String(p).padStart(3, '0')}`,
      0,
    ]),
  };
}

/** The fast-import stream: one commit per step, parents in a straight line, inline blobs. */
function historyStream() {
  const lines = Array.from({ length: lineCount }, (_, index) => lineOf(index));
  const parts = [];
  const data = (text) => `data ${Buffer.byteLength(text)}\n${text}\n`;
  const start = Date.UTC(2015, 0, 1) / 1000;
  let releases = 0;
  let recipeCommits = 0;
  for (let k = 0; k < commitCount; k++) {
    const epoch = start + k * 3600;
    const files = [];
    let message;
    if (k % 5 === 4) {
      const common = recipeCommits % 5 === 0;
      const recipe = common ? 'common' : recipes[recipeCommits % recipes.length];
      const path = common ? 'recipes/common/overlay/etc/motd' : `recipes/${recipe}/recipe.yaml`;
      files.push([path, `# change ${recipeCommits} to ${recipe}\ndescription: bench\n`]);
      message = `Tune the ${recipe} recipe (#${recipeCommits})\n\nA recipe change between releases.\n`;
      recipeCommits++;
    } else {
      const line = lines[releases % lineCount];
      releases++;
      line.releases++;
      const moment = momentOf(epoch);
      line.version =
        line.day === moment.image_version ? `${moment.image_version}.${line.releases}` : moment.image_version;
      line.day = moment.image_version;
      // A few packages move on each release; one is replaced now and then.
      for (let p = 0; p < 4; p++) {
        const entry = line.packages[(line.releases * 7 + p * 31) % packageCount];
        entry[1]++;
      }
      if (line.releases % 10 === 0) line.packages[line.releases % packageCount][0] = `pkg-new-${k}`;
      const record = {
        image_name: line.name,
        image_version: line.version,
        image_arch: line.arch,
        image_file: expectedImageFile({
          image_name: line.name,
          image_version: line.version,
          image_arch: line.arch,
        }),
        image_stamp: moment.image_stamp,
        image_date: moment.image_date,
        recipe_name: line.recipe,
      };
      const id = `${line.name}.${line.arch}`;
      files.push([`EMI-IDs/${id}.yaml`, renderRecord(record)]);
      files.push([`image-ids/${id}`, renderImageId(record)]);
      // Sorted by name, as dpkg-query -W writes it.
      const manifest = [...line.packages].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      files.push([
        `image-ids/${id}.packages`,
        manifest.map(([name, minor]) => `${name}\t1.${minor}-1\n`).join(''),
      ]);
      message = `${line.name} ${line.arch} ${line.version}\n\nRelease ${line.releases} of the line: security updates\nand a rebuilt kernel <b>escaped</b> & checked.\n`;
    }
    parts.push(
      `commit refs/heads/main\nmark :${k + 1}\nauthor Bench Author <bench@example.invalid> ${epoch} +0000\ncommitter Bench Author <bench@example.invalid> ${epoch} +0000\n`,
      data(message),
      k > 0 ? `from :${k}\n` : '',
      ...files.map(([path, content]) => `M 100644 inline ${path}\n${data(content)}`),
      '\n',
    );
  }
  return { stream: parts.join(''), releases, recipeCommits };
}

async function folderSize(dir) {
  let bytes = 0;
  let files = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    bytes += (await stat(join(entry.parentPath, entry.name))).size;
    files++;
  }
  return { bytes, files };
}

/** The floor: one `git log` of the whole history with its patches, streamed through a pipe. */
function gitLogFloor(cwd) {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(
      'git',
      ['log', '--reverse', '--full-history', '--no-merges', '--no-color', '--full-index', '-p', 'HEAD'],
      { cwd, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let bytes = 0;
    child.stdout.on('data', (chunk) => {
      bytes += chunk.length;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve({ ms: performance.now() - start, bytes })
        : reject(new Error(`git log exited ${code}`)),
    );
  });
}

const cacheNames = ['emi-history', 'emi-changelog-cache'];
async function dropCache(repo) {
  for (const name of cacheNames) await rm(join(repo, '.git', name), { recursive: true, force: true });
}

/** One more release of the first line, committed on top (as the build workflow does). */
async function addRelease(repo, k) {
  const epoch = Date.UTC(2030, 0, 1) / 1000 + k * 3600;
  const moment = momentOf(epoch);
  const line = lineOf(0);
  const record = {
    image_name: line.name,
    image_version: `${moment.image_version}`,
    image_arch: line.arch,
    image_file: expectedImageFile({
      image_name: line.name,
      image_version: moment.image_version,
      image_arch: line.arch,
    }),
    image_stamp: moment.image_stamp,
    image_date: moment.image_date,
    recipe_name: line.recipe,
  };
  const id = `${line.name}.${line.arch}`;
  const message = `${line.name} ${line.arch} ${moment.image_version}\n\nOne more release.\n`;
  const data = (text) => `data ${Buffer.byteLength(text)}\n${text}\n`;
  const stream = [
    `commit refs/heads/main\nauthor Bench Author <bench@example.invalid> ${epoch} +0000\ncommitter Bench Author <bench@example.invalid> ${epoch} +0000\n`,
    data(message),
    'from refs/heads/main^0\n',
    `M 100644 inline EMI-IDs/${id}.yaml\n${data(renderRecord(record))}`,
    `M 100644 inline image-ids/${id}\n${data(renderImageId(record))}`,
    '\n',
  ].join('');
  await runCommand('git', ['fast-import', '--quiet'], { cwd: repo, input: stream });
  await runCommand('git', ['reset', '--quiet', '--hard', 'main'], { cwd: repo });
}

const median = (numbers) => [...numbers].sort((a, b) => a - b)[Math.floor(numbers.length / 2)];

const repo = await mkdtemp(join(tmpdir(), 'emi-bench-changelog-'));
const out = await mkdtemp(join(tmpdir(), 'emi-bench-changelog-site-'));
try {
  let t = performance.now();
  const { stream, releases, recipeCommits } = historyStream();
  await runCommand('git', ['init', '--quiet', '--initial-branch=main', repo]);
  await runCommand('git', ['fast-import', '--quiet'], { cwd: repo, input: stream });
  await runCommand('git', ['checkout', '--quiet', 'main'], { cwd: repo });
  const generateMs = performance.now() - t;
  console.log(
    `history: ${commitCount} commits (${releases} releases over ${lineCount} lines, ${recipeCommits} recipe commits), ${(stream.length / 1e6).toFixed(1)} MB fast-import stream, generated in ${(generateMs / 1000).toFixed(1)} s`,
  );

  const changelog = async () => {
    t = performance.now();
    const result = await runCommand(
      process.execPath,
      [join(root, 'bin/emi.js'), 'changelog', '--out', out, '--json'],
      { cwd: repo, timeoutMs: 300_000 },
    );
    return { wallMs: performance.now() - t, ...JSON.parse(result.stdout) };
  };
  // Once untimed: the page cache holds the repository, as it would on a machine in use.
  await gitLogFloor(repo);
  const floor = [];
  const full = [];
  const again = [];
  const results = [];
  let added = 0;
  for (let run = 1; run <= runs; run++) {
    const log = await gitLogFloor(repo);
    floor.push(log.ms);
    await dropCache(repo);
    const summary = await changelog();
    full.push(summary.wallMs);
    results.push({ wallMs: summary.wallMs, ...summary.timings });
    await addRelease(repo, added++);
    const next = await changelog();
    again.push(next.wallMs);
    // Other work on the machine slows every run: the load average says how busy it was.
    console.log(
      `run ${run}: floor (git log, ${(log.bytes / 1e6).toFixed(0)} MB) ${(log.ms / 1000).toFixed(2)} s; emi changelog ${(summary.wallMs / 1000).toFixed(2)} s wall: read ${Math.round(summary.timings.readMs)} ms, render ${Math.round(summary.timings.renderMs)} ms, write ${Math.round(summary.timings.writeMs)} ms; ${summary.lines} lines, ${summary.entries} entries; after one new commit ${(next.wallMs / 1000).toFixed(2)} s (read ${Math.round(next.timings.readMs)} ms, render ${Math.round(next.timings.renderMs)} ms, write ${Math.round(next.timings.writeMs)} ms); load average ${loadavg()[0].toFixed(2)} on ${cpus().length} cores`,
    );
  }
  const size = await folderSize(out);
  console.log(`output: ${size.files} files, ${(size.bytes / 1e6).toFixed(1)} MB`);
  report(
    'changelog',
    [
      {
        id: 'changelog.full',
        label: `emi changelog, ${commitCount} commits (no history cache)`,
        unit: 'ms',
        samples: full,
        anchor: { label: 'floor: one git log -p streaming the history', samples: floor },
        target: { ratio: 1.5 },
        note: `median read ${Math.round(median(results.map((r) => r.readMs)))} ms, render ${Math.round(median(results.map((r) => r.renderMs)))} ms, write ${Math.round(median(results.map((r) => r.writeMs)))} ms`,
      },
      {
        id: 'changelog.incremental',
        label: 'emi changelog after one new commit',
        unit: 'ms',
        samples: again,
        target: { max: 300 },
      },
    ],
    { commits: commitCount, lines: lineCount, runs, load: loadavg()[0] },
  );
  if (values.keep) console.log(`history kept in ${repo}`);
} finally {
  await rm(out, { recursive: true, force: true });
  if (!values.keep) await rm(repo, { recursive: true, force: true });
}
