// Benchmark of `emi build` (needs root and `npm run build`): a cold build of the standard x86_64
// debian-based image (empty package cache), a warm rebuild, a rebuild with --zst, the sizes, the
// effect of zerofree, and mkosi (Debian's package) building the same package set for comparison.
// Prints figures and writes bench/output/build-image/results.json. Targets, not pass/fail:
// warm ≤ 40% of cold, tarball < 150 MB, cold no slower than mkosi.
import { execFile, spawn } from 'node:child_process';
import { cp, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const work = join(root, 'bench', 'output', 'build-image');
const emi = join(root, 'bin', 'emi.js');
const MiB = 1024 * 1024;

const mib = (bytes) => `${(bytes / MiB).toFixed(1)} MiB`;
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

async function build(catalog, out, cache, extra = []) {
  const args = [
    emi,
    'build',
    'debian-based',
    '--line',
    'euca-debian-emi',
    '--arch',
    'x86_64',
    '--no-record',
    '--json',
    '--out',
    out,
    '--cache',
    cache,
    ...extra,
  ];
  const result = await run(process.execPath, args, { cwd: catalog, env: { ...process.env, CI: 'true' } });
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
  return { ms: result.ms, steps, manifest, dir: image.dir };
}

async function zerofreeEffect(imagePath) {
  const { pack } = await import(pathToFileURL(join(root, 'dist', 'tools', 'image-build', 'pack.js')).href);
  const { buildEnv } = await import(
    pathToFileURL(join(root, 'dist', 'tools', 'image-build', 'contained.js')).href
  );
  const dir = join(work, 'zerofree');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  // Plant 256 MiB of random data in the image, then delete it: the blocks are free but not zero.
  const planted = join(dir, 'planted');
  await exec('sh', ['-c', 'head -c 268435456 /dev/urandom > "$1"', 'sh', planted]);
  const dirty = join(dir, 'dirty.img');
  await exec('cp', ['--sparse=always', imagePath, dirty]);
  await exec('debugfs', ['-w', '-R', `write ${planted} /planted`, dirty]);
  await exec('debugfs', ['-w', '-R', 'rm /planted', dirty]);
  await rm(planted);
  const copy = join(dir, 'dirty-copy.img');
  await exec('cp', ['--sparse=always', dirty, copy]);
  const kernel = join(dir, 'vmlinuz');
  const initrd = join(dir, 'initrd');
  await writeFile(kernel, 'k');
  await writeFile(initrd, 'i');
  const results = {};
  for (const [name, image, skipZerofree] of [
    ['with', dirty, false],
    ['without', copy, true],
  ]) {
    const started = performance.now();
    const result = await pack({
      image,
      imageName: 'image.img',
      kernelVersion: 'bench',
      kernel,
      initrd,
      tarball: join(dir, `${name}.tgz`),
      layoutDir: join(dir, `layout-${name}`),
      epoch: 0,
      pigz: true,
      skipZerofree,
      env: buildEnv(process.env),
    });
    results[name] = { ...result, ms: performance.now() - started };
  }
  await rm(dir, { recursive: true, force: true });
  return results;
}

/** mkosi from Debian, same distribution, release, package set and kernel, into an ext4 disk image. */
async function mkosi(recipe) {
  const version = await run('mkosi', ['--version']);
  if (version.code !== 0)
    return { skipped: 'mkosi is not installed (apt-get install --no-install-recommends mkosi)' };
  const dir = join(work, 'mkosi');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const packages = [...recipe.packages.add, recipe.kernel.x86_64];
  const mirror = recipe.sources[0].uri;
  // mkosi 14 (Debian 12) runs its own steps in the image with systemd-nspawn; its docs removal
  // fails there on a host whose PID 1 is not systemd, so docs stay (--with-docs). It makes a GPT
  // disk image with one ext4 root partition of the same size; no tarball, no kernel export.
  const args = [
    '--distribution',
    'debian',
    '--release',
    recipe.release,
    '--mirror',
    mirror,
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
  const cold = await run('mkosi', args, { cwd: dir });
  if (cold.code !== 0) {
    const tail = `${cold.stderr}\n${cold.stdout}`.trim().split('\n').slice(-12).join('\n');
    return {
      version: version.stdout.trim(),
      failed: true,
      command: `mkosi ${args.join(' ')}`,
      ms: cold.ms,
      error: tail,
    };
  }
  const image = await stat(join(dir, 'image.raw'));
  const warm = await run('mkosi', args, { cwd: dir });
  return {
    version: version.stdout.trim(),
    ms: cold.ms,
    warmMs: warm.code === 0 ? warm.ms : undefined,
    imageBytes: image.size,
    allocated: image.blocks * 512,
  };
}

export async function main() {
  if (process.getuid?.() !== 0) throw new Error('the build benchmark needs root');
  await mkdir(work, { recursive: true });
  const catalog = join(work, 'catalog');
  const cache = join(work, 'cache');
  const out = join(work, 'out');
  await makeCatalog(catalog);
  await rm(cache, { recursive: true, force: true });
  await rm(out, { recursive: true, force: true });

  process.stdout.write('cold build (empty package cache)…\n');
  const cold = await build(catalog, out, cache);
  process.stdout.write('warm rebuild…\n');
  const warm = await build(catalog, out, cache);
  process.stdout.write('warm rebuild with --zst…\n');
  const zst = await build(catalog, out, cache, ['--zst']);
  process.stdout.write('zerofree effect…\n');
  const zerofree = await zerofreeEffect(join(zst.dir, zst.manifest.record.image_file));
  process.stdout.write('mkosi…\n');
  const mk = await mkosi(cold.manifest.recipe.resolved);

  const results = {
    host: {
      arch: process.arch,
      cpus: (await readdir('/sys/devices/system/cpu')).filter((n) => /^cpu\d+$/.test(n)).length,
    },
    cold: { ms: cold.ms, steps: cold.steps, cache: cold.manifest.bootstrap.cache },
    warm: { ms: warm.ms, steps: warm.steps, cache: warm.manifest.bootstrap.cache },
    warmWithZst: { ms: zst.ms, steps: zst.steps },
    sizes: {
      image: cold.manifest.sizes.image_bytes,
      imageData: cold.manifest.sizes.image_allocated,
      tarball: cold.manifest.sizes.tarball_bytes,
      zst: zst.manifest.sizes.zst_bytes,
      packages: cold.manifest.packages,
    },
    zerofree,
    mkosi: mk,
  };
  await writeFile(join(work, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);

  const ratio = warm.ms / cold.ms;
  const lines = [
    `cold build            ${seconds(cold.ms)}  (${Object.entries(cold.steps)
      .map(([k, v]) => `${k} ${seconds(v)}`)
      .join(', ')})`,
    `warm rebuild          ${seconds(warm.ms)}  = ${(ratio * 100).toFixed(0)}% of cold (target ≤ 40%)  (${Object.entries(
      warm.steps,
    )
      .map(([k, v]) => `${k} ${seconds(v)}`)
      .join(', ')})`,
    `warm rebuild --zst    ${seconds(zst.ms)}`,
    `image                 ${mib(results.sizes.image)} declared, ${mib(results.sizes.imageData)} of data, ${results.sizes.packages} packages`,
    `tarball (.tgz)        ${mib(results.sizes.tarball)} (target < 150 MB: ${results.sizes.tarball < 150e6 ? 'met' : 'missed'})`,
    `raw image .img.zst    ${mib(results.sizes.zst)}`,
    `zerofree, 256 MiB planted and deleted: tarball ${mib(zerofree.with.tarballBytes)} with, ${mib(zerofree.without.tarballBytes)} without; image data ${mib(zerofree.with.allocatedAfter)} with, ${mib(zerofree.without.allocatedAfter)} without`,
  ];
  if (mk.skipped) lines.push(`mkosi                 not run: ${mk.skipped}`);
  else if (mk.failed)
    lines.push(
      `mkosi ${mk.version}  FAILED after ${seconds(mk.ms)}: ${mk.command}\n${mk.error.replace(/^/gm, '    ')}`,
    );
  else
    lines.push(
      `mkosi ${mk.version}  cold ${seconds(mk.ms)}${mk.warmMs ? `, warm ${seconds(mk.warmMs)}` : ''}, image ${mib(mk.imageBytes)} (${mib(mk.allocated)} allocated); emi cold is ${((cold.ms / mk.ms) * 100).toFixed(0)}% of mkosi's (target ≤ 100%)`,
    );
  process.stdout.write(`${lines.join('\n')}\nresults: ${join(work, 'results.json')}\n`);
}

// bench/run.mjs runs each benchmark as its own process.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
