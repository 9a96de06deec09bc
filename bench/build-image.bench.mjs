// Benchmark of the build alone: `emi build --no-verify --no-record` of the standard x86_64
// debian-based image, cold (empty build cache) and warm (the same cache: the package-set tree is
// restored), alternating in the same run with mkosi (Debian's mkosi 14) building the same package
// set and kernel, cold (empty mkosi cache) and warm (the same command again). The boot check is not
// part of these figures (its own benchmark is bench/boot.bench.mjs). Needs root and `npm run build`.
//   node bench/build-image.bench.mjs [--runs N (1)] [--no-mkosi]
// Each round runs: emi cold, mkosi cold, emi warm, mkosi warm; after the rounds one more warm emi
// build with --zst gives the size of the .img.zst. Figures go through bench/lib/figures.mjs
// (bench/output/build-image/figures.json); the step breakdown of every build is printed too.
import { execFile, spawn } from 'node:child_process';
import { cp, mkdir, readFile, rm, stat } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { report } from './lib/figures.mjs';

const exec = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const work = join(root, 'bench', 'output', 'build-image');
const emi = join(root, 'bin', 'emi.js');
const MiB = 1024 * 1024;

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

async function run(file, args, options = {}) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(file, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: performance.now() - started }));
  });
}

/** A catalog with this repository's recipes and no records, like the tests use. */
async function makeCatalog(dir) {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await cp(join(root, 'recipes'), join(dir, 'recipes'), { recursive: true, verbatimSymlinks: true });
  const env = {
    ...process.env,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_AUTHOR_NAME: 'bench',
    GIT_AUTHOR_EMAIL: 'bench@example.invalid',
    GIT_COMMITTER_NAME: 'bench',
    GIT_COMMITTER_EMAIL: 'bench@example.invalid',
  };
  for (const args of [
    ['init', '-q', '-b', 'main'],
    ['add', '-A'],
    ['commit', '-q', '-m', 'recipes'],
  ])
    await exec('git', args, { cwd: dir, env });
}

/** `emi build --no-verify --no-record` of the standard image: wall time, steps, timed sub-steps. */
async function build(catalog, out, cache, extra = [], env = {}) {
  await rm(out, { recursive: true, force: true });
  const args = [
    emi,
    'build',
    'debian-based',
    '--line',
    'euca-debian-emi',
    '--arch',
    'x86_64',
    '--no-verify',
    '--no-record',
    '--json',
    '--out',
    out,
    '--cache',
    cache,
    ...extra,
  ];
  const result = await run(process.execPath, args, {
    cwd: catalog,
    env: { ...process.env, CI: 'true', ...env },
  });
  if (result.code !== 0)
    throw new Error(`emi build failed (${result.code}):\n${result.stderr}\n${result.stdout.slice(-3000)}`);
  const events = result.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line));
  const image = events.find((event) => event.type === 'image');
  const manifest = JSON.parse(await readFile(join(image.dir, 'build.json'), 'utf8'));
  const steps = Object.fromEntries(
    events.filter((e) => e.type === 'step' && e.state === 'done').map((e) => [e.step, e.ms]),
  );
  // Lines such as "mmdebstrap: 41.2 s" that the steps log about their own parts.
  const parts = events
    .filter((e) => e.type === 'log' && /^[^:]{3,80}: \d+(\.\d+)? s$/.test(e.line))
    .map((e) => `${e.step}/${e.line}`);
  const initrd = manifest.artifacts?.find?.((a) => a.name.endsWith('.initrd'));
  return { ms: result.ms, steps, parts, manifest, dir: image.dir, initrdBytes: initrd?.size };
}

/** mkosi from Debian, same distribution, release, package set and kernel, into an ext4 disk image. */
function mkosiArgs(recipe, dir) {
  const packages = [...recipe.packages.add, recipe.kernel.x86_64];
  // mkosi 14 (Debian 12) runs its own steps in the image with systemd-nspawn; its docs removal
  // fails there on a host whose PID 1 is not systemd, so docs stay (--with-docs). It makes a GPT
  // disk image with one ext4 root partition of the same size; no tarball, no kernel export.
  return [
    '--distribution',
    'debian',
    '--release',
    recipe.release,
    '--mirror',
    recipe.sources[0].uri,
    '--format',
    'gpt_ext4',
    '--root-size',
    '1300M',
    '--with-docs',
    '--package',
    packages.join(','),
    '--with-network',
    '--cache',
    join(dir, 'cache'),
    '--output',
    join(dir, 'image.raw'),
    '--force',
    'build',
  ];
}

async function mkosi(args, dir) {
  const result = await run('mkosi', args, { cwd: dir });
  if (result.code !== 0) {
    const tail = `${result.stderr}\n${result.stdout}`.trim().split('\n').slice(-12).join('\n');
    throw new Error(`mkosi failed after ${seconds(result.ms)}: mkosi ${args.join(' ')}\n${tail}`);
  }
  const image = await stat(join(dir, 'image.raw'));
  return { ms: result.ms, allocated: image.blocks * 512 };
}

function say(line) {
  process.stdout.write(`${line}\n`);
}

function showBuild(what, result) {
  // What no step covers: starting emi, the checksums of the artifacts (the 1.3 GB image), publishing.
  const other = result.ms - Object.values(result.steps).reduce((sum, ms) => sum + ms, 0);
  say(
    `  ${what}: ${seconds(result.ms)}  (${Object.entries(result.steps)
      .map(([k, v]) => `${k} ${seconds(v)}`)
      .join(', ')}; outside the steps ${seconds(other)})`,
  );
  if (result.parts.length) say(`    ${result.parts.join('; ')}`);
}

export async function main() {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '1' },
      'no-mkosi': { type: 'boolean', default: false },
    },
  });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1)
    throw new Error(`--runs must be a whole number, 1 or more, not "${values.runs}"`);
  if (process.getuid?.() !== 0) throw new Error('the build benchmark needs root');
  const withMkosi = !values['no-mkosi'];
  if (withMkosi && (await run('mkosi', ['--version'])).code !== 0)
    throw new Error(
      'mkosi is not installed (apt-get install --no-install-recommends mkosi), or use --no-mkosi',
    );
  const mkosiVersion = withMkosi ? (await run('mkosi', ['--version'])).stdout.trim() : undefined;

  await mkdir(work, { recursive: true });
  const catalog = join(work, 'catalog');
  const cache = join(work, 'cache');
  const out = join(work, 'out');
  const mkosiDir = join(work, 'mkosi');
  await makeCatalog(catalog);

  const samples = { cold: [], warm: [], mkosiCold: [], mkosiWarm: [] };
  let last;
  let mkosiAllocated;
  for (let round = 1; round <= runs; round++) {
    say(`round ${round} of ${runs} (load ${loadavg()[0].toFixed(2)}, ${availableParallelism()} cpus)`);
    await rm(cache, { recursive: true, force: true });
    const cold = await build(catalog, out, cache);
    samples.cold.push(cold.ms / 1000);
    showBuild('emi cold', cold);
    last = cold;
    let args;
    if (withMkosi) {
      await rm(mkosiDir, { recursive: true, force: true });
      await mkdir(mkosiDir, { recursive: true });
      args = mkosiArgs(cold.manifest.recipe.resolved, mkosiDir);
      const mk = await mkosi(args, mkosiDir);
      samples.mkosiCold.push(mk.ms / 1000);
      mkosiAllocated = mk.allocated;
      say(`  mkosi cold: ${seconds(mk.ms)}`);
    }
    const warm = await build(catalog, out, cache);
    if (warm.manifest.bootstrap.cache !== 'hit')
      throw new Error(`the warm build did not reuse the package-set tree (${warm.manifest.bootstrap.cache})`);
    samples.warm.push(warm.ms / 1000);
    showBuild('emi warm', warm);
    if (withMkosi) {
      const mk = await mkosi(args, mkosiDir);
      samples.mkosiWarm.push(mk.ms / 1000);
      say(`  mkosi warm: ${seconds(mk.ms)}`);
    }
  }
  say('one more warm build with --zst, for the size of the .img.zst…');
  const zst = await build(catalog, out, cache, ['--zst']);
  showBuild('emi warm --zst', zst);

  const sizes = last.manifest.sizes;
  const anchor = (label, list) => (withMkosi ? { anchor: { label, samples: list } } : {});
  const figures = [
    {
      id: 'build.cold',
      label: 'cold build of the standard image (--no-verify)',
      unit: 's',
      samples: samples.cold,
      ...anchor(`${mkosiVersion ?? 'mkosi'} cold`, samples.mkosiCold),
      target: withMkosi ? { ratio: 0.8 } : { none: true, why: 'run without mkosi' },
    },
    {
      id: 'build.warm-vs-cold',
      label: 'warm rebuild, against our cold build',
      unit: 's',
      samples: samples.warm,
      target: { ratioOf: 'build.cold', ratio: 0.3 },
    },
    {
      id: 'build.warm',
      label: 'warm rebuild of the standard image (--no-verify)',
      unit: 's',
      samples: samples.warm,
      ...anchor(`${mkosiVersion ?? 'mkosi'} warm (same command, its package cache full)`, samples.mkosiWarm),
      target: withMkosi ? { ratio: 0.5 } : { none: true, why: 'run without mkosi' },
    },
    {
      id: 'size.tgz',
      label: 'standard .tgz',
      unit: 'MiB',
      samples: [sizes.tarball_bytes / MiB],
      target: { max: 110 },
    },
    {
      id: 'size.zst',
      label: 'standard .img.zst',
      unit: 'MiB',
      samples: [zst.manifest.sizes.zst_bytes / MiB],
      target: { none: true, why: 'informational: the optional --zst artifact' },
    },
    {
      id: 'size.image-data',
      label: 'image data (blocks of the 1300M image)',
      unit: 'MiB',
      samples: [sizes.image_allocated / MiB],
      ...(mkosiAllocated
        ? { anchor: { label: 'mkosi raw image allocated (docs kept)', samples: [mkosiAllocated / MiB] } }
        : {}),
      target: { none: true, why: 'informational: what the tarball compresses' },
      note: `${last.manifest.packages} packages in the image`,
    },
    {
      id: 'size.initrd',
      label: 'initrd',
      unit: 'MiB',
      samples: [last.initrdBytes / MiB],
      target: { none: true, why: 'informational: it is in the tarball twice (/boot and kvm-kernel/)' },
    },
  ];
  report('build-image', figures, {
    command: `node bench/build-image.bench.mjs --runs ${runs}${withMkosi ? '' : ' --no-mkosi'}`,
    packages: last.manifest.packages,
    host: { cpus: availableParallelism(), load: loadavg() },
    steps: { cold: last.steps, warm: zst.steps },
  });
}

// bench/run.mjs runs each benchmark as its own process.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
