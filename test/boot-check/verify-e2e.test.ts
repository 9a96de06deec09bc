/**
 * End to end: the standard x86_64 image, built once per run with the boot check on (the default of
 * `emi build`), passed every check under QEMU; and `emi verify-image` on that image stops QEMU when
 * its time runs out or on Ctrl-C, and never modifies the image.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { CheckResult } from '../../tools/boot-check/checks.js';
import type { VerifyReport } from '../../tools/boot-check/verify-image.js';
import { describeAsRoot } from '../helpers/root-tests.js';
import { emiBin, runEmi } from '../helpers/run-emi.js';
import { beforeAllStandardImage, type StandardImage, testOutput } from '../helpers/standard-image.js';

let built: StandardImage;
let report: VerifyReport;
beforeAllStandardImage(async (image) => {
  built = image;
  const reportName = built.record.image_file.replace(/\.img$/, '.verify.json');
  report = JSON.parse(await readFile(join(built.dir, reportName), 'utf8')) as VerifyReport;
});

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Processes whose command line mentions the path (QEMU is given the work folder's files). */
async function processesMentioning(path: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(path)) found.push(`${pid} ${cmdline.replace(/\0/g, ' ').slice(0, 120)}`);
  }
  return found;
}

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  let value = await read();
  while (!ok(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    value = await read();
  }
  return value;
}

function verifyImageProcess(args: string[]): {
  child: ChildProcess;
  exit: Promise<number | null>;
  output: () => string;
} {
  const child = spawn(process.execPath, [emiBin, 'verify-image', ...args], {
    env: { ...process.env, CI: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exit, output: () => output };
}

describeAsRoot('the boot check of the standard x86_64 image', () => {
  it('ran in the build, before publishing and recording, and passed every check on every boot', () => {
    const steps = built.events
      .filter((event) => event.type === 'step' && (event.state === 'done' || event.state === 'skipped'))
      .map((event) => `${(event as { step: string }).step}:${(event as { state: string }).state}`);
    expect(steps.slice(-3)).toEqual(['verify:done', 'publish:done', 'record:done']);
    const verify = built.events.find(
      (event) => event.type === 'step' && event.step === 'verify' && event.state === 'done',
    );
    expect(verify).toMatchObject({
      detail: expect.stringMatching(
        new RegExp(`^${report.checks.length} checks passed \\((TCG|KVM)\\); agent done`),
      ),
    });

    expect(report.ok).toBe(true);
    expect(report.failed).toEqual([]);
    expect(report.image_file).toBe(built.record.image_file);
    expect(report.qemu).toBe('qemu-system-x86_64');
    expect(report.boots.map((boot) => boot.name)).toEqual(['first boot', 'reboot', 'second instance']);
    const byBoot = (boot: string) =>
      report.checks
        .filter((check: CheckResult) => check.boot === boot)
        .map((check) => `${check.name}:${check.result}`);
    const everyCheck = [
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
    ];
    for (const boot of ['first boot', 'reboot', 'second instance'])
      expect(byBoot(boot)).toEqual(everyCheck.map((name) => `${name}:pass`));
    expect(report.checks.at(-1)).toMatchObject({ name: 'artifact-unchanged', result: 'pass' });

    // The instances are two: their own ids and hostnames, the reboot is the first one again.
    const [first, reboot, second] = report.boots;
    expect(reboot?.instance_id).toBe(first?.instance_id);
    expect(second?.instance_id).not.toBe(first?.instance_id);
    expect(second?.hostname).not.toBe(first?.hostname);
    for (const boot of report.boots) {
      expect(boot.agent_done_s).toBeGreaterThan(0);
      expect(boot.ssh_login_s).toBeGreaterThan(0);
    }
    console.log(
      `boot check (${report.accel}): ${report.boots
        .map((boot) => `${boot.name}: agent done ${boot.agent_done_s} s, ssh login ${boot.ssh_login_s} s`)
        .join('; ')}`,
    );
  });

  it(
    'stops QEMU when a boot runs out of time, says so, and leaves the image as it was',
    async () => {
      const keep = await mkdtemp(join(testOutput, 'verify-timeout-'));
      try {
        const image = join(built.dir, built.record.image_file);
        const run = await runEmi(['verify-image', built.dir, '--timeout', '8', '--json', '--keep', keep], {
          cwd: built.catalog,
          timeoutMs: 120_000,
        });
        expect(run.exitCode).toBe(1);
        const timedOut = JSON.parse(run.stdout) as VerifyReport;
        expect(timedOut.ok).toBe(false);
        expect(timedOut.work_dir).toBe(keep);
        expect(timedOut.checks.find((check) => check.name === 'ssh-login')).toMatchObject({
          boot: 'first boot',
          result: 'fail',
          detail: expect.stringMatching(/^no ssh login within 8 s/),
        });
        expect(timedOut.checks.find((check) => check.name === 'boot')).toMatchObject({
          result: 'fail',
          // On a busy host (test files run side by side) the check adds that the host was slow.
          detail: expect.stringMatching(/^the boot did not finish in time($| \[caused by a slow host)/),
        });
        expect(await processesMentioning(keep)).toEqual([]);
        // The serial log is kept, with the kernel's first lines.
        expect(await readFile(join(keep, 'first-instance.serial.log'), 'utf8')).toMatch(/Linux version/);
        expect(
          (await readdir(keep)).filter((name) => name.endsWith('.img') || name.includes('id_ed25519')),
        ).toEqual([]);
        const sums = await readFile(join(built.dir, 'SHA256SUMS'), 'utf8');
        expect(sums).toContain(`${await sha256(image)}  ${built.record.image_file}\n`);
      } finally {
        await rm(keep, { recursive: true, force: true });
      }
    },
    5 * 60 * 1000,
  );

  it(
    'stops QEMU and the emulator on Ctrl-C, with exit code 130',
    async () => {
      const keep = await mkdtemp(join(testOutput, 'verify-sigint-'));
      try {
        const run = verifyImageProcess([built.dir, '--keep', keep]);
        // QEMU runs and the kernel has started: the serial log has its banner.
        const serial = join(keep, 'first-instance.serial.log');
        const booting = await until(
          () => readFile(serial, 'utf8').catch(() => ''),
          (text) => text.includes('Linux version'),
          120_000,
        );
        expect(booting).toMatch(/Linux version/);
        expect((await processesMentioning(keep)).some((line) => line.includes('qemu-system-x86_64'))).toBe(
          true,
        );
        run.child.kill('SIGINT');
        expect(await run.exit).toBe(130);
        expect(run.output()).toMatch(/SIGINT received, stopping and cleaning up/);
        expect(
          await until(
            () => processesMentioning(keep),
            (found) => found.length === 0,
            15_000,
          ),
        ).toEqual([]);
      } finally {
        await rm(keep, { recursive: true, force: true });
      }
    },
    5 * 60 * 1000,
  );
});
