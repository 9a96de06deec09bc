// Benchmark of `.ci/run` (opt-in: `npm run bench -- ci`; needs root, as CI runs it): clones this
// repository's HEAD into a temporary folder, as CI's clean checkout, runs `bash .ci/run` there with
// CI=true and reports its wall time and the time of each of its phases (it prints a line
// `ci: <phase> <seconds> s` after each). Target: under 8 minutes with the same coverage. There is
// no anchor: the figure is compared with itself over time (docs/benchmarks.md).
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { report } from './lib/figures.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (process.getuid?.() !== 0) {
  console.error('the ci benchmark runs .ci/run as CI does: as root');
  process.exit(2);
}
const keep = process.argv.includes('--keep');
const dir = mkdtempSync(join(tmpdir(), 'emi-bench-ci-'));
// A checkout is readable by others, as CI's is: test/run-as-user.test.ts runs the suite as nobody.
chmodSync(dir, 0o755);
const clone = spawnSync('git', ['clone', '--quiet', '--no-local', root, join(dir, 'repo')], {
  stdio: 'inherit',
});
if (clone.status !== 0) process.exit(1);

const started = performance.now();
const phases = [];
const code = await new Promise((resolve) => {
  const child = spawn('bash', ['.ci/run'], {
    cwd: join(dir, 'repo'),
    env: { ...process.env, CI: 'true' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let pending = '';
  child.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const match = /^ci: (.+) (\d+(?:\.\d+)?) s$/.exec(line.trim());
      if (match) phases.push({ phase: match[1], seconds: Number(match[2]) });
    }
  });
  child.on('close', (status) => resolve(status));
});
const seconds = (performance.now() - started) / 1000;
if (!keep) rmSync(dir, { recursive: true, force: true });
if (code !== 0) {
  console.error(`.ci/run failed (exit ${code}) after ${seconds.toFixed(0)} s`);
  process.exit(1);
}
report(
  'ci',
  [
    {
      id: 'ci.total',
      label: '`.ci/run` on a clean clone',
      unit: 's',
      samples: [seconds],
      target: { max: 480 },
      note: phases.map((p) => `${p.phase} ${p.seconds.toFixed(0)} s`).join(', '),
    },
  ],
  { phases },
);
