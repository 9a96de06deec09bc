/**
 * One instance of a boot check, from start to stop: its metadata emulator, its disks, QEMU; then
 * for each boot (the first, and a reboot when asked) the wait for the agent's end and a working
 * ssh login, and the probe of the guest. QEMU and the emulator are stopped whatever happens.
 */
import { rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BootFacts, BootName, LoginOutcome } from './boot-facts.js';
import { bootSegment, parseConsole } from './console-log.js';
import {
  afterRestart,
  type ConsoleProgress,
  stallOf,
  stallSeconds,
  trackProgress,
  withoutStuckReports,
} from './console-stall.js';
import { parseProbe, probeScript } from './guest-probe.js';
import { describePace, PaceMeter, slowdown } from './host-pace.js';
import { normalizeInstance } from './metadata/instance.js';
import { startMetadataServer } from './metadata/server.js';
import type { Accel, BootArch } from './qemu-command.js';
import { loginError, readRecordedHostKey, runSsh, type SshTarget } from './ssh.js';
import { ephemeralLabel, extraDisks, type InstancePlan, instanceConfig } from './verify-plan.js';
import {
  createExt4Disk,
  createOverlay,
  createSwapDisk,
  freeLoopbackPort,
  type RunningVm,
  readSerialLog,
  startVm,
} from './vm.js';

export interface InstanceContext {
  arch: BootArch;
  accel: Accel;
  image: string;
  kernel: string;
  initrd: string;
  workDir: string;
  cpus: number;
  memoryMiB: number;
  /** The longest wait for one boot to reach a working login, in seconds. */
  timeoutSeconds: number;
  /** After the boot ended (the agent's end and a login prompt on the console), how long ssh still gets. */
  graceSeconds: number;
  /** The agent's deadline for the test instance, given on the kernel command line. */
  agentDeadlineSeconds?: number;
  /**
   * A first boot whose console makes no progress before init for this long (scaled by the host's
   * pace) is killed and booted once more (console-stall.ts); default stallSeconds.
   */
  stallSeconds?: number;
  signal?: AbortSignal;
  log: (line: string) => void;
}

export interface InstanceFiles {
  serialLog: string;
  knownHosts: string;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

interface BootWait {
  login: LoginOutcome;
  agentDoneMs?: number;
  timedOut: boolean;
  /** The console made no progress before init (console-stall.ts): what was seen. */
  stalled?: string;
  qemuError?: string;
  consoleText: string;
}

/**
 * Polls the serial console every 250 ms in the background, so that the agent's end is timed when
 * it shows, whatever the ssh attempts are doing meanwhile. A failed read ends the loop, and `text()`
 * throws it to the waiting side, so the failure is neither lost nor an unhandled rejection.
 */
function watchConsole(
  vm: RunningVm,
  from: { at: number; consoleOffset: number },
): {
  text(): string;
  raw(): string;
  progress(): ConsoleProgress;
  doneMs(): number | undefined;
  stop(): Promise<void>;
} {
  let text = '';
  let raw = '';
  // Silence counts from when the watch starts: the start of this QEMU.
  let progress: ConsoleProgress = { length: 0, changedAt: performance.now() };
  let doneMs: number | undefined;
  let stopped = false;
  let failure: unknown;
  const loop = (async () => {
    while (!stopped) {
      try {
        raw = (await vm.readConsole()).slice(from.consoleOffset);
        progress = trackProgress(progress, withoutStuckReports(raw).length, performance.now());
        text = bootSegment(raw);
      } catch (error) {
        failure = error;
        return;
      }
      if (doneMs === undefined && parseConsole(text).agentDone) doneMs = performance.now() - from.at;
      await sleep(250);
    }
  })();
  return {
    text: () => {
      if (failure !== undefined) throw failure;
      return text;
    },
    raw: () => raw,
    progress: () => progress,
    doneMs: () => doneMs,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

interface BootStart {
  /** performance.now() at QEMU's start or the reboot command. */
  at: number;
  /** Where this boot's console starts in the serial log. */
  consoleOffset: number;
  /** After a reboot: the boot id before it (a login must show another). */
  previousBootId?: string;
  /** Silence before init that counts as a stall (console-stall.ts), unscaled; none when absent. */
  stallMs?: number;
}

/**
 * Waits for one boot: watches the console, tries ssh every second until it works (on a new boot id
 * after a reboot), and stops early when QEMU ends, the kernel gives up, or the boot ended without
 * sshd answering for graceSeconds.
 */
async function waitForBoot(
  context: InstanceContext,
  vm: RunningVm,
  target: SshTarget,
  from: BootStart,
  meter: PaceMeter,
): Promise<BootWait> {
  const consoleWatch = watchConsole(vm, from);
  try {
    return await waitWithConsole(context, vm, target, from, consoleWatch, meter);
  } finally {
    await consoleWatch.stop();
  }
}

async function waitWithConsole(
  context: InstanceContext,
  vm: RunningVm,
  target: SshTarget,
  from: BootStart,
  consoleWatch: ReturnType<typeof watchConsole>,
  meter: PaceMeter,
): Promise<BootWait> {
  const { signal } = context;
  // The waits for things the guest does grow as the host slows down (the hard timeout does not).
  const scaled = (ms: number) => Math.round(ms * slowdown(meter.recentPace()));
  const deadline = from.at + context.timeoutSeconds * 1000;
  let login: LoginOutcome | undefined;
  let lastError = 'sshd never answered';
  let nextAttempt = 0;
  let bootOverAt: number | undefined;
  let doneLogged = false;
  const result = (extra: Partial<BootWait> & { login: LoginOutcome }): BootWait => {
    const agentDoneMs = consoleWatch.doneMs();
    return {
      timedOut: false,
      consoleText: consoleWatch.text(),
      ...(agentDoneMs === undefined ? {} : { agentDoneMs }),
      ...extra,
    };
  };
  for (;;) {
    signal?.throwIfAborted();
    const now = performance.now();
    const seen = parseConsole(consoleWatch.text());
    const agentDoneMs = consoleWatch.doneMs();
    if (agentDoneMs !== undefined && !doneLogged) {
      doneLogged = true;
      context.log(`the agent is done (${seconds(agentDoneMs)})`);
    }
    const exit = vm.exit();
    if (exit)
      return result({
        login: { ok: false, error: 'QEMU stopped' },
        qemuError: `exit code ${exit.code}: ${exit.stderr}`,
      });
    if (seen.fatal !== undefined)
      return result({ login: { ok: false, error: `the boot failed: ${seen.fatal}` } });
    // A kernel that stopped early never gets anywhere: no use waiting for the timeout.
    const stallText = consoleWatch.raw();
    const stalled =
      from.stallMs === undefined || login?.ok || stallText === undefined
        ? undefined
        : stallOf(stallText, consoleWatch.progress(), now, scaled(from.stallMs));
    if (stalled !== undefined)
      return result({ login: { ok: false, error: `the boot stalled: ${stalled}` }, stalled });
    // sshd starts before the agent ends: its done line gives the time, within its deadline.
    if (
      login?.ok &&
      (agentDoneMs !== undefined || now - (from.at + login.ms) > scaled(120_000) || now > deadline)
    )
      return result({ login });
    if (!login?.ok && now >= nextAttempt) {
      nextAttempt = now + 1000;
      const attempt = await runSsh(target, ['cat', '/proc/sys/kernel/random/boot_id'], {
        timeoutMs: 30_000,
        ...(signal ? { signal } : {}),
      });
      signal?.throwIfAborted();
      const bootId = attempt.stdout.trim();
      if (attempt.exitCode === 0 && bootId !== '' && bootId !== from.previousBootId) {
        login = { ok: true, ms: performance.now() - from.at };
        context.log(`ssh login works (${seconds(login.ms)})`);
        continue;
      }
      if (attempt.exitCode !== 0) lastError = loginError(attempt);
      // A changed host key will not change back: no use waiting.
      if (/Host key verification failed/i.test(lastError))
        return result({ login: { ok: false, error: lastError } });
    }
    const ended =
      (seen.agentDone || seen.agentMessages.some((line) => line.startsWith('configuration error'))) &&
      seen.loginPrompt;
    if (ended && bootOverAt === undefined) bootOverAt = now;
    // Only while no login worked: a login that works is never turned into a failure here.
    const grace = scaled(context.graceSeconds * 1000);
    if (!login?.ok && bootOverAt !== undefined && now - bootOverAt > grace)
      return result({
        login: {
          ok: false,
          error: `no ssh login ${Math.round(grace / 1000)} s after the boot ended: ${lastError}`,
        },
      });
    if (now > deadline)
      return result({
        login: login ?? { ok: false, error: `no ssh login within ${context.timeoutSeconds} s: ${lastError}` },
        timedOut: true,
      });
    await sleep(500, undefined, signal ? { signal } : undefined);
  }
}

async function probe(
  context: InstanceContext,
  target: SshTarget,
  facts: BootFacts,
  meter: PaceMeter,
): Promise<void> {
  const waitSeconds = Math.round(120 * slowdown(meter.recentPace()));
  const result = await runSsh(target, ['sh', '-s', '--', String(waitSeconds)], {
    input: probeScript,
    timeoutMs: (waitSeconds * 2 + 60) * 1000,
    ...(context.signal ? { signal: context.signal } : {}),
  });
  // An ssh cut short by Ctrl-C is an interruption, not a verdict on the image.
  context.signal?.throwIfAborted();
  await writeFile(join(context.workDir, `${facts.name.replace(/ /g, '-')}.probe.txt`), result.stdout);
  if (result.exitCode !== 0) {
    facts.guestError = `the probe over ssh failed: ${loginError(result)}`;
    return;
  }
  try {
    facts.guest = parseProbe(result.stdout);
  } catch (error) {
    facts.guestError = (error as Error).message;
  }
  const key = await readRecordedHostKey(target.knownHosts, target.alias);
  if (key) facts.presentedKey = key;
}

function bootFacts(name: BootName, plan: InstancePlan, wait: BootWait, pace: number | undefined): BootFacts {
  return {
    ...(pace === undefined ? {} : { hostPace: pace }),
    ...(wait.stalled === undefined ? {} : { stalled: wait.stalled }),
    name,
    instance: plan,
    console: parseConsole(wait.consoleText),
    login: wait.login,
    timedOut: wait.timedOut,
    ...(wait.qemuError === undefined ? {} : { qemuError: wait.qemuError }),
    ...(wait.agentDoneMs === undefined ? {} : { agentDoneMs: wait.agentDoneMs }),
  };
}

const portAttempts = 3;

/** Where the console of a boot that stalled and was booted once more is kept. */
export function stalledLog(serialLog: string): string {
  return serialLog.replace(/\.serial\.log$/, '.stalled.serial.log');
}

/** QEMU's words when the host side of a forwarding rule cannot be bound. */
export function isPortTaken(qemuError: string | undefined): boolean {
  return qemuError !== undefined && /could not set up host forwarding rule/i.test(qemuError);
}

async function readLength(path: string): Promise<number> {
  return (await readSerialLog(path)).length;
}

/**
 * After `systemctl reboot`: waits for QEMU to end as the old kernel restarts the machine. Returns
 * undefined when it did, else why the reboot failed: the machine never restarted in time
 * (timedOut), or QEMU ended without a restart.
 */
async function waitForRestart(
  context: InstanceContext,
  vm: RunningVm,
  at: number,
  shutdownOffset: number,
): Promise<{ error: string; timedOut: boolean } | undefined> {
  const deadline = at + context.timeoutSeconds * 1000;
  for (;;) {
    context.signal?.throwIfAborted();
    const exit = vm.exit();
    if (exit !== undefined) {
      // The old kernel's last words before the machine restarts (`-no-reboot` then ends QEMU).
      if (afterRestart((await vm.readConsole()).slice(shutdownOffset)) !== undefined) return undefined;
      return {
        error: `QEMU stopped without the guest restarting (exit code ${exit.code}: ${exit.stderr})`,
        timedOut: false,
      };
    }
    if (performance.now() > deadline) {
      await vm.stop();
      return {
        error: `the guest did not restart within ${context.timeoutSeconds} s of \`systemctl reboot\``,
        timedOut: true,
      };
    }
    await sleep(250, undefined, context.signal ? { signal: context.signal } : undefined);
  }
}

/** Boots an instance (and reboots it when `reboot`), returning the facts of each boot. */
export async function runInstance(
  context: InstanceContext,
  plan: InstancePlan,
  privateKey: string,
  options: { reboot: boolean; bootName: BootName },
): Promise<{ boots: BootFacts[]; files: InstanceFiles }> {
  const { signal, workDir } = context;
  const prefix = `${plan.key}-instance`;
  const files = {
    serialLog: join(workDir, `${prefix}.serial.log`),
    knownHosts: join(workDir, `${prefix}.known_hosts`),
  };
  const boots: BootFacts[] = [];
  const ephemeral = join(workDir, `${prefix}.ephemeral0.img`);
  const swap = join(workDir, `${prefix}.swap.img`);
  await createExt4Disk(ephemeral, ephemeralLabel, 64, signal);
  await createSwapDisk(swap, 'emi-swap', 32, signal);
  const server = await startMetadataServer({
    instance: normalizeInstance(instanceConfig(plan, context.arch)),
  });
  let vm: RunningVm | undefined;
  let meter: PaceMeter | undefined;
  const pidFile = join(workDir, `${prefix}.qemu.pid`);
  // The instance's disk: an overlay on the image that outlives each QEMU process. A reboot is a
  // restart of the guest (`-no-reboot`: QEMU exits when the old kernel restarts the machine)
  // followed by a new QEMU on the same disks: under TCG a machine reset ran the next boot 2 to 4
  // times slower than a fresh QEMU (84 s against 35 s to the agent's end on an idle host, and soft
  // lockups while the initramfs unpacked on a busy one).
  const overlay = join(workDir, `${prefix}.root.qcow2`);
  const logPace = (boot: BootFacts) => {
    if (boot.hostPace !== undefined) context.log(`${boot.name}: ${describePace(boot.hostPace)}`);
  };
  const stallMs = (context.stallSeconds ?? stallSeconds) * 1000;

  /**
   * Starts QEMU for one boot and waits for it. The ssh port is picked free, then given to QEMU:
   * another program can take it in between; QEMU then stops at once, and that is tried again on a
   * new port, not blamed on the image. A boot that stalls before init is booted once more (nothing
   * of the instance ran yet: its disks are untouched); a second stall is the verdict.
   */
  const boot = async (
    name: BootName,
    after?: { at: number; previousBootId: string },
  ): Promise<{ facts: BootFacts; target: SshTarget; consoleOffset: number }> => {
    let stallRetry: string | undefined;
    for (let attempt = 1; ; attempt++) {
      const sshPort = await freeLoopbackPort();
      // A first boot starts the serial log (a stalled one was moved aside); the reboot's QEMU
      // appends to it.
      const consoleOffset = after === undefined ? 0 : await readLength(files.serialLog);
      context.log(
        `${name}: starting QEMU (${context.accel.toUpperCase()}), instance ${plan.instanceId}, ssh on 127.0.0.1:${sshPort}`,
      );
      await vm?.stop();
      vm = await startVm(
        {
          arch: context.arch,
          accel: context.accel,
          kernel: context.kernel,
          initrd: context.initrd,
          image: context.image,
          rootOverlay: overlay,
          noReboot: true,
          appendConsole: consoleOffset > 0,
          disks: [
            { path: ephemeral, serial: extraDisks[0].serial },
            { path: swap, serial: extraDisks[1].serial },
          ],
          serialLog: files.serialLog,
          metadataPort: server.port,
          sshPort,
          memoryMiB: context.memoryMiB,
          cpus: context.cpus,
          pidFile,
          ...(context.agentDeadlineSeconds === undefined
            ? {}
            : { agentDeadlineSeconds: context.agentDeadlineSeconds }),
        },
        { workDir, ...(signal ? { signal } : {}) },
      );
      const running = vm;
      await meter?.stop();
      meter = new PaceMeter(() => running.pid());
      const target: SshTarget = {
        port: sshPort,
        privateKey,
        knownHosts: files.knownHosts,
        alias: `emi-verify-${plan.key}-instance`,
        // After a reboot the host key must be the one of the first boot.
        hostKeyChecking: after === undefined ? 'accept-new' : 'yes',
        connectTimeoutSeconds: 10,
      };
      const wait = await waitForBoot(
        context,
        running,
        target,
        {
          at: after?.at ?? running.startedAt,
          consoleOffset,
          stallMs,
          ...(after === undefined ? {} : { previousBootId: after.previousBootId }),
        },
        meter,
      );
      const facts = bootFacts(name, plan, wait, meter.pace());
      if (stallRetry !== undefined) facts.stallRetry = stallRetry;
      if (attempt < portAttempts && isPortTaken(facts.qemuError)) {
        context.log(`port ${sshPort} was taken before QEMU could listen on it; trying another`);
      } else if (facts.stalled !== undefined && stallRetry === undefined) {
        stallRetry = facts.stalled;
        context.log(`${name}: ${facts.stalled}; killing QEMU and booting the instance once more`);
        await running.stop();
        // A first boot's stalled console is kept aside; a reboot's stays in the log it continues.
        if (after === undefined) await rename(files.serialLog, stalledLog(files.serialLog)).catch(() => {});
      } else return { facts, target, consoleOffset };
    }
  };

  try {
    await createOverlay(context.image, overlay, signal);
    const first = await boot(options.bootName);
    boots.push(first.facts);
    logPace(first.facts);
    if (!first.facts.login.ok || vm === undefined || meter === undefined) return { boots, files };
    await probe(context, first.target, first.facts, meter);
    first.facts.console = parseConsole(bootSegment(await vm.readConsole(), first.consoleOffset));
    const previousBootId = first.facts.guest?.bootId;
    if (!options.reboot || previousBootId === undefined) return { boots, files };

    context.log(`reboot: rebooting instance ${plan.instanceId}`);
    const shutdownOffset = (await vm.readConsole()).length;
    const at = performance.now();
    // The session ends with the system: its exit status says nothing.
    await runSsh(first.target, ['systemctl', 'reboot'], { timeoutMs: 60_000, ...(signal ? { signal } : {}) });
    const restarted = await waitForRestart(context, vm, at, shutdownOffset);
    if (restarted !== undefined) {
      const console = (await vm.readConsole()).slice(shutdownOffset);
      const failed: BootFacts = {
        name: 'reboot',
        instance: plan,
        console: parseConsole(console),
        login: { ok: false, error: restarted.error },
        timedOut: restarted.timedOut,
      };
      boots.push(failed);
      return { boots, files };
    }
    const again = await boot('reboot', { at, previousBootId });
    // The reboot's console, as one boot: from the new system's first kernel banner on.
    again.facts.console = parseConsole(bootSegment(await readSerialLog(files.serialLog), shutdownOffset));
    boots.push(again.facts);
    logPace(again.facts);
    if (again.facts.login.ok) await probe(context, again.target, again.facts, meter);
    return { boots, files };
  } finally {
    await meter?.stop();
    await vm?.stop();
    await server.close();
    // The instance's writes: never kept (--keep keeps the logs, not a disk).
    await rm(overlay, { force: true });
  }
}
