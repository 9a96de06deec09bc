import { describe, expect, it } from 'vitest';
import { parseProgress, renderBuildSummary } from '../../tools/boot-check/build-summary.js';
import type { VerifyReport } from '../../tools/boot-check/verify-image.js';

const lines = [
  { type: 'step', step: 'plan', state: 'start' },
  {
    type: 'step',
    step: 'plan',
    state: 'done',
    ms: 812,
    detail: 'euca-debian-emi.x86_64 2026.12.01; sha256:ab',
  },
  {
    type: 'step',
    step: 'bootstrap',
    image: 'euca-debian-emi.x86_64',
    state: 'done',
    ms: 61234,
    detail: 'cache miss',
  },
  { type: 'log', step: 'bootstrap', image: 'euca-debian-emi.x86_64', line: 'I: Retrieving Packages' },
  {
    type: 'step',
    step: 'verify',
    image: 'euca-debian-emi.x86_64',
    state: 'done',
    ms: 98000,
    detail: '12 checks passed (KVM)',
  },
  { type: 'note', image: 'euca-large-debian-emi.x86_64', message: 'up to date: nothing to build' },
  {
    type: 'image',
    image: 'euca-debian-emi.x86_64',
    dir: '/out/euca-debian-2026.12.01-x86_64',
    artifacts: [{ name: 'euca-debian-2026.12.01-x86_64.tgz', sha256: 'x', size: 130235220 }],
  },
  { type: 'record', image: 'euca-debian-emi.x86_64', files: ['EMI-IDs/euca-debian-emi.x86_64.yaml'] },
  { type: 'result', ok: true, images: [] },
]
  .map((line) => JSON.stringify(line))
  .join('\n');

const report = {
  ok: true,
  accel: 'kvm',
  boots: [{ name: 'first-boot', agent_done_s: 9.5, ssh_login_s: 11.2 }],
  checks: [
    { name: 'ssh-login', boot: 'first-boot', result: 'pass', detail: 'root@ by key' },
    { name: 'user-data', boot: 'first-boot', result: 'pass', detail: 'marker <found> | ok' },
  ],
} as unknown as VerifyReport;

describe('renderBuildSummary', () => {
  it('shows the steps with times, the boot check verdicts and times, sizes and records', () => {
    const markdown = renderBuildSummary(parseProgress(lines), new Map([['euca-debian-emi.x86_64', report]]));
    expect(markdown).toBe(`## ✅ emi build: built euca-debian-emi.x86\\_64

> euca-large-debian-emi.x86\\_64: up to date: nothing to build

### build

| step | result | time | detail |
|---|---|---:|---|
| plan | done | 0.8 s | euca-debian-emi.x86\\_64 2026.12.01; sha256:ab |

### euca-debian-emi.x86\\_64

| step | result | time | detail |
|---|---|---:|---|
| bootstrap | done | 61.2 s | cache miss |
| verify | done | 98.0 s | 12 checks passed (KVM) |

Boot check (KVM): passed

| boot | agent done | ssh login |
|---|---:|---:|
| first-boot | 9.5 s | 11.2 s |

| check | boot | verdict | detail |
|---|---|---|---|
| ssh-login | first-boot | pass | root@ by key |
| user-data | first-boot | pass | marker \\<found\\> \\| ok |

| artifact | size |
|---|---:|
| euca-debian-2026.12.01-x86\\_64.tgz | 124 MiB |

Record files: \`EMI-IDs/euca-debian-emi.x86\\_64.yaml\`

`);
  });

  it('says the build failed, and keeps what was not JSON', () => {
    const failed = [
      JSON.stringify({
        type: 'step',
        step: 'bootstrap',
        image: 'a.x86_64',
        state: 'failed',
        ms: 5,
        error: 'debootstrap <exited> 1',
      }),
      'emi: debootstrap exited with code 1',
    ].join('\n');
    const markdown = renderBuildSummary(parseProgress(failed));
    expect(markdown).toContain('## ❌ emi build: failed');
    expect(markdown).toContain('| bootstrap | failed | 0.0 s | debootstrap \\<exited\\> 1 |');
    expect(markdown).toContain('```\nemi: debootstrap exited with code 1\n```');
  });
});
