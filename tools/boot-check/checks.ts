/**
 * The boot check's verdicts (pure): from the facts collected at each boot to one result per check
 * and boot, each with a sentence that says what was seen. A check that needs a login is `not-run`
 * when there was none; the agent's status then comes from the console.
 */
import { type BootFacts, type BootName, bootNames, type VerifyFacts } from './boot-facts.js';
import { checkAgentStatus } from './check-agent.js';
import {
  checkEphemeral,
  checkHostKeys,
  checkHostname,
  checkImageId,
  checkSwap,
  checkUdevNames,
  checkUnits,
  checkUserData,
} from './check-guest.js';
import { ephemeralMount } from './guest-probe.js';
import { describePace, slowPace } from './host-pace.js';
import { type CheckOutcome, fail, pass, type Verdict } from './verdict.js';

export type { CheckOutcome };

export const checkNames = [
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
] as const;
export type CheckName = (typeof checkNames)[number];

/** What each check proves, for --help, the README and the report. */
export const checkDescriptions: Record<CheckName, string> = {
  boot: 'QEMU ran and the kernel started, with no panic and no initramfs giving up on the root disk',
  'ssh-login': "root logs in over ssh with the instance's key from the metadata (the agent installed it)",
  'image-id': '/etc/image-id is byte for byte what the record renders',
  hostname: "the hostname is the first label of the metadata's local-hostname",
  'user-data': 'the user-data script ran exactly once per instance, and not again after a reboot',
  ephemeral0: `the ephemeral disk is mounted on ${ephemeralMount}`,
  swap: 'the swap disk of the block-device-mapping is in use',
  'udev-names': 'the udev rule gave every virtio disk (vdX) its sdX name',
  'host-keys':
    "ssh host keys were made at the instance's first boot, kept at a reboot, and differ between instances",
  'agent-status': "the agent's status file is from this boot and instance and every step ended ok",
  'systemd-units': 'systemd reached the running state with no failed unit',
  'artifact-unchanged': 'the image file was not modified (it is booted through an overlay)',
};

export interface CheckResult {
  name: CheckName;
  /** The boot it concerns; absent for checks of the whole run. */
  boot?: BootName;
  result: CheckOutcome;
  detail: string;
  /** Set on a failure put down to a slow host (blameSlowHost). */
  slowHost?: true;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function checkBoot(boot: BootFacts): Verdict {
  if (boot.qemuError !== undefined) return fail(`QEMU stopped: ${boot.qemuError}`);
  if (boot.console.fatal !== undefined) return fail(boot.console.fatal);
  const retried =
    boot.stallRetry === undefined
      ? ''
      : ` (booted a second time: the first attempt stalled, ${boot.stallRetry})`;
  if (boot.stalled !== undefined) return fail(`the boot stalled: ${boot.stalled}${retried}`);
  if (!boot.console.kernelStarted) return fail('the kernel printed nothing on the serial console');
  if (boot.timedOut && !boot.login.ok) return fail('the boot did not finish in time');
  return pass(
    `${
      boot.agentDoneMs === undefined
        ? 'the kernel started'
        : `the kernel started; the agent was done ${seconds(boot.agentDoneMs)} after ${boot.name === 'reboot' ? 'the reboot' : 'QEMU started'}`
    }${retried}`,
  );
}

const guestChecks: readonly CheckName[] = [
  'image-id',
  'hostname',
  'user-data',
  'ephemeral0',
  'swap',
  'udev-names',
  'host-keys',
  'systemd-units',
];

/** Words of the agent and of the wait that say time ran out. */
const outOfTime =
  /deadline|no time left|timed out|still running|did not finish in time|no ssh login (within|\d+ s after)/i;

/**
 * Whether time ran out in this boot: the wait timed out, the login never came, or a step of the
 * agent says its deadline or a timeout stopped it. Returns what said so, or undefined.
 */
export function timeRanOut(boot: BootFacts): string | undefined {
  if (boot.timedOut) return 'the boot did not finish in time';
  // The kernel's own clocks give up on a starved virtual CPU: its timer check, lockup detectors.
  if (boot.console.fatal !== undefined && /timer doesn't work|soft lockup|stall/i.test(boot.console.fatal))
    return `the kernel: ${boot.console.fatal}`;
  if (!boot.login.ok && outOfTime.test(boot.login.error)) return boot.login.error;
  const steps = boot.guest?.status?.steps ?? boot.console.agentSteps;
  const late = steps.find((step) => step.result !== 'ok' && outOfTime.test(step.detail));
  return late ? `agent step ${late.name}: ${late.detail}` : undefined;
}

/**
 * On a slow host, the failures of a boot in which time ran out are put down to the host, in
 * their detail: the image may well be fine, and the check says to run it again on a freer host.
 */
export function blameSlowHost(boot: BootFacts, results: CheckResult[]): CheckResult[] {
  if (boot.hostPace === undefined || boot.hostPace >= slowPace) return results;
  // The agent's own verdict on the image (it stopped at once: a configuration error) is the
  // image's, however slow the host: more time would not change it.
  if (boot.console.agentMessages.some((line) => line.startsWith('configuration error'))) return results;
  const evidence = timeRanOut(boot);
  if (evidence === undefined) return results;
  const note = `caused by a slow host, not necessarily the image: ${describePace(boot.hostPace)} and time ran out (${evidence}); run the check again on a less busy host`;
  return results.map((result) =>
    result.result === 'fail' ? { ...result, detail: `${result.detail} [${note}]`, slowHost: true } : result,
  );
}

export function evaluateBoot(boot: BootFacts, expectedImageId: string, first?: BootFacts): CheckResult[] {
  const results: CheckResult[] = [];
  const add = (name: CheckName, verdict: Verdict) => results.push({ name, boot: boot.name, ...verdict });
  const booted = checkBoot(boot);
  add('boot', booted);
  add(
    'ssh-login',
    boot.login.ok
      ? pass(
          `root with the instance's key, ${seconds(boot.login.ms)} after ${boot.name === 'reboot' ? 'the reboot' : 'QEMU started'}`,
        )
      : fail(boot.login.error),
  );
  const guest = boot.guest;
  const notRun = !boot.login.ok
    ? 'no ssh login'
    : guest === undefined
      ? `the guest could not be read: ${boot.guestError ?? 'no probe output'}`
      : undefined;
  for (const name of guestChecks) {
    if (notRun !== undefined || guest === undefined) {
      // A changed host key is what stops the login after a reboot: say so under host-keys too.
      const loginError = boot.login.ok ? '' : boot.login.error;
      if (
        name === 'host-keys' &&
        /host identification has changed|host key verification failed/i.test(loginError)
      )
        add(name, fail('sshd presented another host key than before the reboot'));
      else results.push({ name, boot: boot.name, result: 'not-run', detail: notRun ?? '' });
      continue;
    }
    if (name === 'image-id') add(name, checkImageId(guest, expectedImageId));
    else if (name === 'hostname') add(name, checkHostname(boot, guest));
    else if (name === 'user-data') add(name, checkUserData(boot, guest, first));
    else if (name === 'ephemeral0') add(name, checkEphemeral(guest));
    else if (name === 'swap') add(name, checkSwap(guest));
    else if (name === 'udev-names') add(name, checkUdevNames(guest));
    else if (name === 'host-keys') add(name, checkHostKeys(boot, guest, { ...(first ? { first } : {}) }));
    else add(name, checkUnits(guest));
  }
  if (booted.result === 'pass' || boot.console.agentStarted) add('agent-status', checkAgentStatus(boot));
  else
    results.push({
      name: 'agent-status',
      boot: boot.name,
      result: 'not-run',
      detail: 'the system did not boot',
    });
  // In the order of checkNames, so every boot reads the same way.
  return blameSlowHost(
    boot,
    results.sort((a, b) => checkNames.indexOf(a.name) - checkNames.indexOf(b.name)),
  );
}

export function evaluateChecks(facts: VerifyFacts): CheckResult[] {
  const first = facts.boots.find((boot) => boot.name === 'first boot');
  const results = facts.boots.flatMap((boot) =>
    evaluateBoot(boot, facts.expectedImageId, boot.name === 'first boot' ? undefined : first),
  );
  for (const name of bootNames)
    if (!facts.boots.some((boot) => boot.name === name))
      results.push({
        name: 'boot',
        boot: name,
        result: 'not-run',
        detail: 'not started: an earlier boot failed',
      });
  results.push({
    name: 'artifact-unchanged',
    ...(facts.artifactChange === undefined
      ? pass('the image file has its size and modification time of before the boots')
      : fail(facts.artifactChange)),
  });
  return results;
}

export function failedChecks(results: readonly CheckResult[]): CheckResult[] {
  return results.filter((result) => result.result !== 'pass');
}
