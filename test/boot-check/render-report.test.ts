import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../tools/boot-check/checks.js';
import { describeChecks, renderReport, summaryLine } from '../../tools/boot-check/render-report.js';
import { failureMessage, passDetail } from '../../tools/boot-check/verify-built-image.js';
import { bootCheckPrograms, type VerifyReport } from '../../tools/boot-check/verify-image.js';
import { toolkitPath } from '../../tools/lib/paths.js';

const boots = [
  {
    name: 'first boot',
    instance_id: 'i-0123456789abcdef0',
    hostname: 'emi-verify-first-123456',
    agent_done_s: 52.4,
    ssh_login_s: 55.1,
    host_pace: null,
    serial_log: 'first-instance.serial.log',
  },
  {
    name: 'reboot',
    instance_id: 'i-0123456789abcdef0',
    hostname: 'emi-verify-first-123456',
    agent_done_s: 103.5,
    ssh_login_s: 106.6,
    host_pace: null,
    serial_log: 'first-instance.serial.log',
  },
];

function report(checks: CheckResult[], workDir: string | null = null): VerifyReport {
  const failed = checks
    .filter((check) => check.result !== 'pass')
    .map((check) => `${check.name}${check.boot ? ` (${check.boot})` : ''}: ${check.detail}`);
  return {
    ok: failed.length === 0,
    image_file: 'euca-debian-2026.01.02-x86_64.img',
    image_arch: 'x86_64',
    accel: 'tcg',
    qemu: 'qemu-system-x86_64',
    boots,
    checks,
    failed,
    agent_deadline_s: 600,
    slow_host: null,
    work_dir: workDir,
  };
}

const passed: CheckResult[] = [
  { name: 'image-id', boot: 'first boot', result: 'pass', detail: 'matches the record' },
  { name: 'artifact-unchanged', result: 'pass', detail: 'unchanged' },
];
const failing: CheckResult[] = [
  { name: 'ssh-login', boot: 'first boot', result: 'fail', detail: 'no ssh login within 8 s' },
  { name: 'agent-status', boot: 'first boot', result: 'fail', detail: 'the agent stopped' },
  { name: 'hostname', boot: 'first boot', result: 'not-run', detail: 'no ssh login' },
  { name: 'image-id', boot: 'first boot', result: 'not-run', detail: 'no ssh login' },
];

describe('renderReport', () => {
  it('shows the timings of each boot and every check', () => {
    expect(renderReport(report(passed))).toBe(
      [
        'euca-debian-2026.01.02-x86_64.img (x86_64): qemu-system-x86_64 with TCG',
        '  first boot      i-0123456789abcdef0  agent done 52.4 s, ssh login 55.1 s after QEMU start',
        '  reboot          i-0123456789abcdef0  agent done 103.5 s, ssh login 106.6 s after the reboot',
        '  ok    image-id            first boot: matches the record',
        '  ok    artifact-unchanged  unchanged',
        'every check passed (2)',
        'serial logs not kept (--keep DIR keeps them)',
        '',
      ].join('\n'),
    );
  });

  it('names what failed, what could not run, and where the serial logs are', () => {
    const text = renderReport(report(failing, '/tmp/emi-verify-x'));
    expect(text).toContain('  FAIL  ssh-login     first boot: no ssh login within 8 s\n');
    expect(text).toContain('  --    hostname      first boot: no ssh login\n');
    expect(text).toContain('boot check failed (failed: ssh-login, agent-status; 2 could not run)\n');
    expect(text).toContain('serial logs: /tmp/emi-verify-x/first-instance.serial.log\n');
    expect(summaryLine({ checks: passed })).toBe('every check passed (2)');
  });
});

describe('the build step', () => {
  it('reports a pass in one line, and a failure with the failed checks first', () => {
    expect(passDetail(report(passed))).toBe('2 checks passed (TCG); agent done 52.4 s, ssh login 55.1 s');
    expect(failureMessage(report(failing), 'out/verify-failed/euca-debian-2026.01.02-x86_64')).toBe(
      [
        'boot check failed (failed: ssh-login, agent-status; 2 could not run); serial logs in out/verify-failed/euca-debian-2026.01.02-x86_64',
        '  ssh-login (first boot): no ssh login within 8 s',
        '  agent-status (first boot): the agent stopped',
        '  not run (first boot, no ssh login): hostname, image-id',
      ].join('\n'),
    );
  });

  // Issue 13, item 20: a slow host is named first, in the build's error and in the text report.
  it('says first when the failures came with a slow host', () => {
    const slow: VerifyReport = {
      ...report(failing),
      boots: boots.map((boot) => ({ ...boot, host_pace: 0.24 })),
      slow_host: '2 of 4 failed checks came with a slow host and time running out: the image may be fine',
    };
    expect(failureMessage(slow, 'out/x').split('\n').slice(0, 2)).toEqual([
      'boot check failed (failed: ssh-login, agent-status; 2 could not run); serial logs in out/x',
      '  slow host: 2 of 4 failed checks came with a slow host and time running out: the image may be fine',
    ]);
    const text = renderReport(slow);
    expect(text).toContain('ssh login 55.1 s after QEMU start; host pace 24%\n');
    expect(text).toContain('\nslow host: 2 of 4 failed checks came with a slow host');
  });
});

describe('the checks and the programs', () => {
  it('describes every check', () => {
    expect(
      describeChecks()
        .split('\n')
        .map((line) => line.split(':')[0]),
    ).toEqual([
      'boot',
      'ssh-login',
      'image-id',
      'hostname',
      'user-data',
      'ephemeral0',
      'swap',
      'udev-names',
      'host-keys',
      'agent-status',
      'systemd-units',
      'artifact-unchanged',
    ]);
  });

  it('installs every program the boot check runs from scripts/host-packages.txt', async () => {
    const listed = (await readFile(toolkitPath('scripts', 'host-packages.txt'), 'utf8'))
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    for (const arch of ['x86_64', 'i386'] as const)
      for (const program of bootCheckPrograms(arch)) expect(listed).toContain(program.pkg);
  });
});

describe('a boot booted once more after a stall', () => {
  it('says so under the boot', () => {
    const retried = {
      ...report(passed),
      boots: [
        {
          ...boots[0],
          retried: 'the first attempt stalled: no console progress for 61 s before init (last line: x)',
        },
      ],
    } as VerifyReport;
    const text = renderReport(retried);
    expect(text).toContain(
      'booted once more: the first attempt stalled: no console progress for 61 s before init (last line: x)',
    );
    expect(renderReport(report(passed))).not.toContain('booted once more');
  });
});
