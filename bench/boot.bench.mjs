#!/usr/bin/env node
// Benchmark of the first boot under TCG (software emulation, as on the project's 2-core machine):
// the time from QEMU's start to the boot agent's completion and to a working ssh login, for the
// standard x86_64 debian-based image (our agent) and, on the same base, a variant that uses
// Debian's cloud-init instead, booted against the same metadata emulator with the same instance
// (a fresh key, hostname, marker-leaving user-data, ephemeral0 and swap). The figure to beat is
// cloud-init's. Needs root (it builds both images first) and `npm run build`.
//   node bench/boot.bench.mjs [--runs N (5)] [--cache DIR] [--reuse]
// --reuse boots the images of an earlier run (bench/output/boot/out) instead of building them.
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = (path) => import(join(root, 'dist', path));
const { runCommand } = await dist('tools/lib/exec.js');
const { startMetadataServer } = await dist('tools/boot-check/metadata/server.js');
const { normalizeInstance } = await dist('tools/boot-check/metadata/instance.js');
const { planInstance, instanceConfig, ephemeralLabel, extraDisks } = await dist(
  'tools/boot-check/verify-plan.js',
);
const { startVm, createExt4Disk, createSwapDisk, freeLoopbackPort } = await dist('tools/boot-check/vm.js');
const { generateKeyPair, runSsh } = await dist('tools/boot-check/ssh.js');
const { cleanConsole } = await dist('tools/boot-check/console-log.js');
const { readImageArtifacts } = await dist('tools/boot-check/artifact-dir.js');

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    cache: { type: 'string' },
    reuse: { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1)
  throw new Error(`--runs must be a whole number, 1 or more, not "${values.runs}"`);
const work = join(root, 'bench', 'output', 'boot');
const testCache = join(root, 'test-output', 'build-cache');
const cacheDir =
  values.cache ?? ((await readdir(testCache).catch(() => undefined)) ? testCache : join(work, 'cache'));

/** cloud-init in place of the agent: same jobs (root's key, host keys, hostname, disks, user-data). */
const cloudInitHook = `#!/bin/sh
# bench/boot: Debian's cloud-init instead of the EMI boot agent, on the same base image.
set -eu
systemctl disable emi-agent.service
rm -f /usr/sbin/emi-agent /etc/emi-agent.conf /etc/systemd/system/emi-agent.service /etc/rc.local
cat > /etc/cloud/cloud.cfg.d/90-emi-bench.cfg <<'EOF'
# The EC2 metadata service at 169.254.169.254, whatever the DMI data says.
datasource_list: [Ec2, None]
datasource:
  Ec2:
    strict_id: false
    metadata_urls: ['http://169.254.169.254']
# What the EMI agent does: the instance's keys for root, new host keys, the hostname, ephemeral0
# and swap; no default user. The network is the image's own (systemd-networkd, DHCP).
users: []
disable_root: false
ssh_deletekeys: true
ssh_genkeytypes: [ed25519, ecdsa, rsa]
preserve_hostname: false
mounts:
  - [ephemeral0, /media/ephemeral0, auto, 'defaults,nofail', '0', '2']
  - [swap, none, swap, sw, '0', '0']
network:
  config: disabled
EOF
`;

async function makeCatalog(catalog) {
  await rm(catalog, { recursive: true, force: true });
  await mkdir(catalog, { recursive: true });
  await cp(join(root, 'recipes'), join(catalog, 'recipes'), { recursive: true, verbatimSymlinks: true });
  const variant = join(catalog, 'recipes', 'debian-cloud-init');
  await cp(join(root, 'recipes', 'debian-based'), variant, { recursive: true });
  const yaml = (await readFile(join(variant, 'recipe.yaml'), 'utf8'))
    .replace('image_name: euca-debian-emi\n', 'image_name: euca-cloudinit-emi\n')
    .replace(/\n {2}- image_name: euca-large-debian-emi\n(?: {4}.*\n)+/, '\n')
    .replace('  add:\n', '  add:\n    - cloud-init\n')
    .replace('\nhooks:\n', '\nhooks:\n  - hooks/cloud-init.sh\n');
  if (!yaml.includes('cloud-init\n') || !yaml.includes('hooks/cloud-init.sh'))
    throw new Error('the debian-based recipe changed shape: adapt bench/boot.bench.mjs');
  await writeFile(join(variant, 'recipe.yaml'), yaml);
  await writeFile(join(variant, 'hooks', 'cloud-init.sh'), cloudInitHook, { mode: 0o755 });
  const git = (args) => runCommand('git', args, { cwd: catalog });
  await git(['init', '--quiet', '--initial-branch=main']);
  await git(['config', 'core.hooksPath', '/dev/null']);
  await git(['add', '--all']);
  await git([
    '-c',
    'user.name=bench',
    '-c',
    'user.email=bench@example.invalid',
    '-c',
    'commit.gpgsign=false',
    'commit',
    '--quiet',
    '-m',
    'recipes\n\nthe toolkit recipes and a cloud-init variant\n',
  ]);
}

async function build(catalog, recipe, out) {
  process.stdout.write(`building ${recipe} (cache ${cacheDir})…\n`);
  const started = performance.now();
  const result = await runCommand(
    process.execPath,
    [
      join(root, 'bin', 'emi.js'),
      'build',
      recipe,
      '--arch',
      'x86_64',
      '--no-verify',
      '--no-record',
      '--out',
      out,
      '--cache',
      cacheDir,
      '--json',
    ],
    { cwd: catalog, reject: false, env: { CI: 'true' }, timeoutMs: 60 * 60 * 1000 },
  );
  if (result.exitCode !== 0)
    throw new Error(`emi build ${recipe} failed:\n${result.stderr}\n${result.stdout.slice(-3000)}`);
  const image = result.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line))
    .find((event) => event.type === 'image');
  process.stdout.write(`  built in ${((performance.now() - started) / 1000).toFixed(0)} s: ${image.dir}\n`);
  return image.dir;
}

/** One first boot under TCG: time to the completion line on the console and to an ssh login. */
async function bootOnce(artifacts, done) {
  const dir = await mkdtemp(join(work, 'run-'));
  let vm;
  let server;
  try {
    const key = await generateKeyPair(dir, 'id_ed25519');
    const random = [...crypto.getRandomValues(new Uint8Array(20))]
      .map((b) => b.toString(16).padStart(2, '0'))
      .join('');
    const plan = planInstance('first', random, key.publicKey);
    server = await startMetadataServer({ instance: normalizeInstance(instanceConfig(plan, 'x86_64')) });
    const ephemeral = join(dir, 'ephemeral0.img');
    const swap = join(dir, 'swap.img');
    await createExt4Disk(ephemeral, ephemeralLabel, 64);
    await createSwapDisk(swap, 'emi-swap', 32);
    const sshPort = await freeLoopbackPort();
    const serialLog = join(dir, 'serial.log');
    vm = await startVm(
      {
        arch: 'x86_64',
        accel: 'tcg',
        kernel: artifacts.kernel,
        initrd: artifacts.initrd,
        image: artifacts.image,
        disks: [
          { path: ephemeral, serial: extraDisks[0].serial },
          { path: swap, serial: extraDisks[1].serial },
        ],
        serialLog,
        metadataPort: server.port,
        sshPort,
        memoryMiB: 1024,
        cpus: Math.min(2, availableParallelism()),
      },
      { workDir: dir },
    );
    const target = {
      port: sshPort,
      privateKey: key.privateKey,
      knownHosts: join(dir, 'known_hosts'),
      alias: 'bench',
      hostKeyChecking: 'accept-new',
      connectTimeoutSeconds: 5,
    };
    const deadline = vm.startedAt + 15 * 60 * 1000;
    let doneMs;
    let sshMs;
    // The console is watched on its own, so that a slow ssh attempt never delays the timing.
    const watch = (async () => {
      while (doneMs === undefined && performance.now() < deadline && !vm.exit()) {
        if (done.test(cleanConsole(await vm.readConsole()))) doneMs = performance.now() - vm.startedAt;
        else await sleep(250);
      }
    })();
    while (sshMs === undefined && performance.now() < deadline) {
      if (vm.exit()) throw new Error(`QEMU stopped: ${vm.exit().stderr}`);
      const attempt = performance.now();
      const login = await runSsh(target, ['true'], { timeoutMs: 30_000 });
      if (login.exitCode === 0) sshMs = performance.now() - vm.startedAt;
      else await sleep(Math.max(0, 1000 - (performance.now() - attempt)));
    }
    await watch;
    // What the instance got, to show both did the same work.
    const seen = await runSsh(target, ['sh', '-s'], {
      input:
        'hostname; wc -l < /var/lib/emi-verify/user-data.marker; findmnt -n -o SOURCE /media/ephemeral0; swapon --noheadings --show=NAME\n',
      timeoutMs: 60_000,
    });
    const [hostname, markerLines, ephemeralSource, swapName] = seen.stdout.split('\n');
    return {
      doneMs,
      sshMs,
      work: {
        hostname: hostname === plan.hostname,
        userData: markerLines?.trim() === '1',
        ephemeral0: Boolean(ephemeralSource),
        swap: Boolean(swapName),
      },
    };
  } finally {
    await vm?.stop();
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function stats(values) {
  const sorted = values.filter((v) => v !== undefined).sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  // n says over how many runs: a run without this figure is left out, and shown as left out.
  return {
    median: sorted[Math.floor(sorted.length / 2)],
    min: sorted[0],
    max: sorted.at(-1),
    n: sorted.length,
  };
}
const s = (ms) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(1)} s`);
const show = (st) =>
  st ? `${s(st.median)} (${s(st.min)}–${s(st.max)})${st.n < runs ? ` of ${st.n} runs` : ''}` : 'never';

if (process.getuid?.() !== 0) throw new Error('the boot benchmark builds images and needs root');
await mkdir(work, { recursive: true });
const catalog = join(work, 'catalog');
const out = join(work, 'out');
let dirs;
if (values.reuse) {
  const names = (await readdir(out).catch(() => [])).sort();
  const latest = (prefix) => {
    const name = names.filter((n) => n.startsWith(prefix)).at(-1);
    if (name === undefined)
      throw new Error(`--reuse: no ${prefix}* image in ${out}; run once without --reuse`);
    return join(out, name);
  };
  dirs = { agent: latest('euca-debian-'), cloudInit: latest('euca-cloudinit-') };
} else {
  await rm(out, { recursive: true, force: true });
  await makeCatalog(catalog);
  dirs = {
    agent: await build(catalog, 'debian-based', out),
    cloudInit: await build(catalog, 'debian-cloud-init', out),
  };
}
const variants = [
  { name: 'emi-agent', dir: dirs.agent, done: /emi-agent: done in \d+s/ },
  { name: 'cloud-init', dir: dirs.cloudInit, done: /Cloud-init v\. \S+ finished at/ },
];
// Runs alternate between the variants, so that a change in the machine's load weighs on both.
const results = Object.fromEntries(variants.map((variant) => [variant.name, []]));
const artifacts = {};
for (const variant of variants)
  artifacts[variant.name] = await readImageArtifacts(variant.dir, { cwd: root });
for (let run = 1; run <= runs; run++) {
  for (const variant of variants) {
    const load = loadavg()[0].toFixed(1);
    const result = await bootOnce(artifacts[variant.name], variant.done);
    results[variant.name].push({ ...result, load: Number(load) });
    process.stdout.write(
      `${variant.name} run ${run}: done ${s(result.doneMs)}, ssh ${s(result.sshMs)} (load ${load}; ${Object.entries(
        result.work,
      )
        .map(([k, v]) => `${k} ${v ? 'ok' : 'MISSING'}`)
        .join(', ')})\n`,
    );
  }
}
const summary = Object.fromEntries(
  Object.entries(results).map(([name, list]) => [
    name,
    { done: stats(list.map((r) => r.doneMs)), ssh: stats(list.map((r) => r.sshMs)) },
  ]),
);
await writeFile(join(work, 'results.json'), `${JSON.stringify({ runs, results, summary }, null, 2)}\n`);
const ours = summary['emi-agent'];
const theirs = summary['cloud-init'];
process.stdout.write(
  [
    '',
    `first boot under TCG, median (min–max) of ${runs} runs, from QEMU's start:`,
    `                 agent's completion        ssh login`,
    `  emi-agent      ${show(ours.done).padEnd(24)}  ${show(ours.ssh)}`,
    `  cloud-init     ${show(theirs.done).padEnd(24)}  ${show(theirs.ssh)}`,
    ours.done && theirs.done
      ? `emi-agent completes in ${((ours.done.median / theirs.done.median) * 100).toFixed(0)}% of cloud-init's time; ssh login in ${((ours.ssh.median / theirs.ssh.median) * 100).toFixed(0)}%`
      : 'one of them never completed: see the runs above',
    `results: ${join(work, 'results.json')}`,
    '',
  ].join('\n'),
);
