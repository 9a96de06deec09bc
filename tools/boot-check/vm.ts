/**
 * A QEMU process for a boot check, and the disks it gets. QEMU runs through tools/lib/exec.ts,
 * under `setpriv --pdeathsig SIGKILL` (util-linux), so that it dies with us even when we are killed
 * outright; stop() ends it (SIGTERM, then SIGKILL) and waits for it.
 */
import { constants } from 'node:fs';
import { access, open, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { delimiter, resolve } from 'node:path';
import { tail } from '../lib/errors.js';
import { runCommand } from '../lib/exec.js';
import { qemuCommand, type VmSpec } from './qemu-command.js';

/** mke2fs and mkswap live in /sbin, which is not on every user's PATH. */
export function toolPath(path = process.env.PATH ?? ''): string {
  const parts = path.split(delimiter).filter((part) => part !== '');
  for (const extra of ['/usr/sbin', '/sbin']) if (!parts.includes(extra)) parts.push(extra);
  return parts.join(delimiter);
}

/**
 * KVM works when /dev/kvm can be opened and the CPU has its virtualisation extensions: a
 * container can show the device on a host (or a virtual machine) that has no vmx or svm, and
 * QEMU then fails at the first CPU reset.
 */
export async function kvmUsable(device = '/dev/kvm', cpuinfo = '/proc/cpuinfo'): Promise<boolean> {
  try {
    await access(device, constants.R_OK | constants.W_OK);
  } catch {
    return false;
  }
  const flags = await readFile(cpuinfo, 'utf8').catch(() => '');
  return hasVirtualizationFlag(flags);
}

export function hasVirtualizationFlag(cpuinfo: string): boolean {
  return /^flags\s*:.*\b(?:vmx|svm)\b/m.test(cpuinfo);
}

/** A port that was free on loopback a moment ago (QEMU's hostfwd takes it next). */
export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port from the kernel');
  return address.port;
}

async function sparseFile(path: string, mib: number): Promise<void> {
  const handle = await open(path, 'wx', 0o600);
  try {
    await handle.truncate(mib * 1024 * 1024);
  } finally {
    await handle.close();
  }
}

export async function createExt4Disk(path: string, label: string, mib: number, signal?: AbortSignal) {
  await sparseFile(path, mib);
  await runCommand('mke2fs', ['-q', '-F', '-t', 'ext4', '-L', label, path], {
    env: { PATH: toolPath() },
    timeoutMs: 60_000,
    ...(signal ? { signal } : {}),
  });
}

export async function createSwapDisk(path: string, label: string, mib: number, signal?: AbortSignal) {
  await sparseFile(path, mib);
  await runCommand('mkswap', ['-L', label, path], {
    env: { PATH: toolPath() },
    timeoutMs: 60_000,
    ...(signal ? { signal } : {}),
  });
}

/**
 * A qcow2 overlay backed by the raw image: the instance's writes go there, the image is never
 * modified, and the overlay outlives a QEMU process, so a reboot can start a new one.
 */
export async function createOverlay(image: string, overlay: string, signal?: AbortSignal) {
  await runCommand('qemu-img', ['create', '-q', '-f', 'qcow2', '-F', 'raw', '-b', resolve(image), overlay], {
    timeoutMs: 60_000,
    ...(signal ? { signal } : {}),
  });
}

/** A serial log: '' before QEMU makes the file; any other failure is an error, not an empty console. */
export function readSerialLog(path: string): Promise<string> {
  return readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
}

export interface RunningVm {
  /** performance.now() when QEMU was started. */
  startedAt: number;
  /** QEMU's exit, when it happened: its code and the tail of its stderr. */
  exit(): { code: number; stderr: string } | undefined;
  /** The whole serial console so far. */
  readConsole(): Promise<string>;
  /** QEMU's process id, once its pid file is written (undefined without one). */
  pid(): Promise<number | undefined>;
  stop(): Promise<void>;
}

export async function startVm(
  spec: VmSpec,
  options: { workDir: string; signal?: AbortSignal },
): Promise<RunningVm> {
  const { file, args } = qemuCommand(spec);
  const own = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, own.signal]) : own.signal;
  let exited: { code: number; stderr: string } | undefined;
  const startedAt = performance.now();
  const run = runCommand('setpriv', ['--pdeathsig', 'SIGKILL', '--', file, ...args], {
    reject: false,
    signal,
    killSignal: 'SIGTERM',
    // Any temporary file QEMU makes (a snapshot overlay) goes to TMPDIR: the check's own folder.
    env: { TMPDIR: options.workDir },
  }).then(
    (result) => {
      exited = { code: result.exitCode, stderr: tail(result.stderr, 10).trim() };
    },
    (error: unknown) => {
      exited = { code: -1, stderr: error instanceof Error ? error.message : String(error) };
    },
  );
  return {
    startedAt,
    exit: () => exited,
    readConsole: () => readSerialLog(spec.serialLog),
    async pid() {
      if (spec.pidFile === undefined) return undefined;
      const text = await readFile(spec.pidFile, 'utf8').catch(() => '');
      return /^\d+\s*$/.test(text) ? Number(text) : undefined;
    },
    async stop() {
      own.abort();
      await run;
    },
  };
}
