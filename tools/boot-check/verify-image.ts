/**
 * `emi verify-image` and the build's boot check: boots an image under QEMU against the metadata
 * emulator, twice as one instance (a first boot and a reboot) and once as a second instance, and
 * judges what it finds over ssh and on the console (checks.ts). Everything it makes lives in one
 * work folder; QEMU and the emulators are stopped on every path out, and the serial logs are kept
 * when a check fails.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { renderImageId } from '../catalog/record-files.js';
import { ensureDir } from '../lib/ensure-dir.js';
import { UserError } from '../lib/errors.js';
import { runCommand } from '../lib/exec.js';
import type { ImageRecord } from '../schemas/generated/record.js';
import type { BootFacts } from './boot-facts.js';
import { runInstance } from './boot-instance.js';
import { type CheckResult, evaluateChecks, failedChecks } from './checks.js';
import { type Accel, type BootArch, bootArches, chooseAccel, qemuBinary } from './qemu-command.js';
import { generateKeyPair } from './ssh.js';
import { planInstance } from './verify-plan.js';
import { kvmUsable, toolPath } from './vm.js';

export const defaultTimeoutSeconds = 600;

export interface VerifyImageOptions {
  record: ImageRecord;
  image: string;
  kernel: string;
  initrd: string;
  /** Keep the work folder here (created if missing; it must be empty). */
  keepDir?: string;
  /** The longest wait for each boot to reach a working ssh login. */
  timeoutSeconds?: number;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

export interface BootSummary {
  name: string;
  instance_id: string;
  hostname: string;
  /** Seconds from QEMU's start (for a reboot: from the reboot command) to the agent's end. */
  agent_done_s: number | null;
  ssh_login_s: number | null;
  /** The host's pace in the boot: the share of its ready time QEMU ran (1: an idle host). */
  host_pace: number | null;
  /** The serial console's file, in work_dir (kept when a check fails). */
  serial_log: string;
  /**
   * Set when this boot is the instance's second attempt: the first made no console progress before
   * init (a kernel stalled under TCG), was killed and its console kept as `<instance>.stalled.serial.log`.
   */
  retried?: string;
}

export interface VerifyReport {
  ok: boolean;
  image_file: string;
  image_arch: string;
  accel: Accel;
  qemu: string;
  boots: BootSummary[];
  checks: CheckResult[];
  /** `check (boot): detail` for every check that did not pass. */
  failed: string[];
  /** The agent's deadline given to the test instances on the kernel command line, in seconds. */
  agent_deadline_s: number;
  /**
   * Set when failures came with a slow host and time running out: they say so, and the image
   * may be fine (run the check again on a less busy host).
   */
  slow_host: string | null;
  /** The kept work folder (serial logs, known_hosts, report.json), or null once removed. */
  work_dir: string | null;
}

/** The programs the boot check runs, with the Debian package of each (scripts/host-packages.txt). */
export function bootCheckPrograms(arch: BootArch): { name: string; pkg: string }[] {
  return [
    { name: qemuBinary(arch), pkg: 'qemu-system-x86' },
    // Each instance's disk is a qcow2 overlay on the image (qemu-system-x86 only recommends it).
    { name: 'qemu-img', pkg: 'qemu-utils' },
    { name: 'socat', pkg: 'socat' },
    { name: 'ssh', pkg: 'openssh-client' },
    { name: 'ssh-keygen', pkg: 'openssh-client' },
    { name: 'mke2fs', pkg: 'e2fsprogs' },
    { name: 'mkswap', pkg: 'util-linux' },
    { name: 'setpriv', pkg: 'util-linux' },
  ];
}

async function assertTools(arch: BootArch): Promise<void> {
  const missing: string[] = [];
  for (const tool of bootCheckPrograms(arch)) {
    const found = await runCommand('sh', ['-c', 'command -v "$1"', 'sh', tool.name], {
      reject: false,
      env: { PATH: toolPath() },
    });
    if (found.exitCode !== 0) missing.push(`${tool.name} (Debian package ${tool.pkg})`);
  }
  if (missing.length > 0)
    throw new UserError(`the boot check needs ${missing.join(', ')}: npm run setup-host installs them`);
}

async function assertFile(path: string, what: string): Promise<{ size: number; mtimeMs: number }> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) throw new UserError(`${what} ${path} does not exist or is not a file`);
  return { size: info.size, mtimeMs: info.mtimeMs };
}

async function prepareWorkDir(keepDir: string | undefined): Promise<string> {
  if (keepDir === undefined) return mkdtemp(join(tmpdir(), 'emi-verify-'));
  const existing = await stat(keepDir).catch(() => undefined);
  if (existing && !existing.isDirectory()) throw new UserError(`--keep ${keepDir}: not a folder`);
  await ensureDir(keepDir).catch((error: unknown) => {
    throw new UserError(`--keep ${keepDir}: ${(error as Error).message}`);
  });
  if ((await readdir(keepDir)).length > 0)
    throw new UserError(`--keep ${keepDir}: the folder is not empty (give a new or empty one)`);
  return keepDir;
}

function summarize(boot: BootFacts, serialLog: string): BootSummary {
  const round = (ms: number | undefined) => (ms === undefined ? null : Math.round(ms / 100) / 10);
  return {
    name: boot.name,
    instance_id: boot.instance.instanceId,
    hostname: boot.instance.hostname,
    agent_done_s: round(boot.agentDoneMs),
    ssh_login_s: round(boot.login.ok ? boot.login.ms : undefined),
    host_pace: boot.hostPace === undefined ? null : Math.round(boot.hostPace * 100) / 100,
    serial_log: basename(serialLog),
    ...(boot.stallRetry === undefined ? {} : { retried: `the first attempt stalled: ${boot.stallRetry}` }),
  };
}

export async function verifyImage(options: VerifyImageOptions): Promise<VerifyReport> {
  const { record, signal } = options;
  const log = options.log ?? (() => {});
  const arch = record.image_arch as BootArch;
  if (!bootArches.includes(arch))
    throw new UserError(
      `booting ${record.image_arch} images is not supported: the boot check runs ${bootArches.join(' and ')} images`,
    );
  await assertTools(arch);
  const before = await assertFile(options.image, 'the image');
  await assertFile(options.kernel, 'the kernel');
  await assertFile(options.initrd, 'the initrd');
  const accel = chooseAccel(arch, process.arch, await kvmUsable());
  const workDir = await prepareWorkDir(options.keepDir);
  let report: VerifyReport | undefined;
  const disposable: string[] = [];
  try {
    const keys = [];
    for (const key of ['first', 'second'] as const) {
      const pair = await generateKeyPair(workDir, `${key}-instance.id_ed25519`, signal);
      disposable.push(pair.privateKey, `${pair.privateKey}.pub`);
      keys.push(pair);
    }
    const [firstKey, secondKey] = keys as [(typeof keys)[0], (typeof keys)[0]];
    const plans = {
      first: planInstance('first', randomBytes(20).toString('hex'), firstKey.publicKey),
      second: planInstance('second', randomBytes(20).toString('hex'), secondKey.publicKey),
    };
    for (const key of ['first', 'second'])
      disposable.push(...['ephemeral0', 'swap'].map((disk) => join(workDir, `${key}-instance.${disk}.img`)));
    const context = {
      arch,
      accel,
      image: options.image,
      kernel: options.kernel,
      initrd: options.initrd,
      workDir,
      cpus: Math.min(2, availableParallelism()),
      memoryMiB: 1024,
      timeoutSeconds: options.timeoutSeconds ?? defaultTimeoutSeconds,
      // The test instance's agent gets as long as the check waits: only the check decides when a
      // boot took too long, and it measures the host's pace to tell a slow host from a bad image.
      agentDeadlineSeconds: Math.min(86400, options.timeoutSeconds ?? defaultTimeoutSeconds),
      graceSeconds: accel === 'kvm' ? 20 : 60,
      log,
      ...(signal ? { signal } : {}),
    };
    const first = await runInstance(context, plans.first, firstKey.privateKey, {
      reboot: true,
      bootName: 'first boot',
    });
    const boots = [...first.boots];
    const summaries = first.boots.map((boot) => summarize(boot, first.files.serialLog));
    if (first.boots[0]?.login.ok) {
      const second = await runInstance(context, plans.second, secondKey.privateKey, {
        reboot: false,
        bootName: 'second instance',
      });
      boots.push(...second.boots);
      summaries.push(...second.boots.map((boot) => summarize(boot, second.files.serialLog)));
    }
    // Interrupted, whatever the boots recorded: no verdict on the image.
    signal?.throwIfAborted();
    const after = await stat(options.image);
    const changed = after.size !== before.size || after.mtimeMs !== before.mtimeMs;
    const checks = evaluateChecks({
      expectedImageId: renderImageId(record),
      boots,
      ...(changed ? { artifactChange: `${basename(options.image)} was modified during the boots` } : {}),
    });
    const failed = failedChecks(checks).map(
      (check) => `${check.name}${check.boot ? ` (${check.boot})` : ''}: ${check.detail}`,
    );
    const slow = checks.filter((check) => check.slowHost);
    report = {
      ok: failed.length === 0,
      image_file: basename(options.image),
      image_arch: arch,
      accel,
      qemu: qemuBinary(arch),
      boots: summaries,
      checks,
      failed,
      agent_deadline_s: context.agentDeadlineSeconds,
      slow_host:
        slow.length === 0
          ? null
          : `${slow.length} of ${failed.length} failed checks came with a slow host and time running out: the image may be fine; run the check again on a less busy host`,
      work_dir: workDir,
    };
    await writeFile(join(workDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
    return report;
  } finally {
    await Promise.all(disposable.map((file) => rm(file, { force: true })));
    if (options.keepDir === undefined && (report === undefined || report.ok)) {
      await rm(workDir, { recursive: true, force: true });
      if (report) report.work_dir = null;
    }
  }
}
