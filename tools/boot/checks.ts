/**
 * The boot check's verdicts (pure): from the facts collected at each boot to one result per check
 * and boot, each with a sentence that says what was seen. A check that needs a login is `not-run`
 * when there was none; the agent's status then comes from the console.
 */
import { type BootFacts, type BootName, bootNames, fingerprintOf, type VerifyFacts } from './boot-facts.js';
import { ephemeralMount, type GuestFacts, userDataMarker } from './guest-probe.js';
import { rootSerial } from './qemu-command.js';
import {
  agentSteps,
  ephemeralLabel,
  ephemeralSerial,
  oncePerInstanceSteps,
  swapSerial,
} from './verify-plan.js';

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
  'artifact-unchanged': 'the image file was not modified (it is booted through a snapshot)',
};

export type CheckOutcome = 'pass' | 'fail' | 'not-run';

export interface CheckResult {
  name: CheckName;
  /** The boot it concerns; absent for checks of the whole run. */
  boot?: BootName;
  result: CheckOutcome;
  detail: string;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The virtio disk (vdX) a device path names, through the sdX links. */
function diskOf(guest: GuestFacts, path: string): string | undefined {
  const name = path.replace(/^\/dev\//, '');
  const link = guest.sdLinks.find((entry) => entry.name === name);
  const target = link ? link.target.replace(/^.*\//, '') : name;
  return guest.disks.some((disk) => disk.name === target) ? target : undefined;
}

function diskWithSerial(guest: GuestFacts, serial: string): string | undefined {
  return guest.disks.find((disk) => disk.serial === serial)?.name;
}

function firstDifference(got: string, want: string): string {
  const gotLines = got.split('\n');
  const wantLines = want.split('\n');
  for (let index = 0; index < Math.max(gotLines.length, wantLines.length); index++) {
    if (gotLines[index] !== wantLines[index])
      return `line ${index + 1} is ${JSON.stringify(gotLines[index] ?? '(missing)')}, the record says ${JSON.stringify(wantLines[index] ?? '(nothing)')}`;
  }
  return 'they differ in their last newline';
}

type Verdict = { result: CheckOutcome; detail: string };
const pass = (detail: string): Verdict => ({ result: 'pass', detail });
const fail = (detail: string): Verdict => ({ result: 'fail', detail });

function checkImageId(guest: GuestFacts, expected: string): Verdict {
  if (guest.imageId === undefined) return fail(`/etc/image-id cannot be read: ${guest.imageIdError ?? ''}`);
  if (guest.imageId === expected) return pass(`matches the record (${guest.imageId.split('\n')[0]} …)`);
  return fail(`/etc/image-id differs from the record: ${firstDifference(guest.imageId, expected)}`);
}

function checkHostname(boot: BootFacts, guest: GuestFacts): Verdict {
  const want = boot.instance.hostname;
  if (guest.hostname === want && guest.etcHostname === want)
    return pass(`${want}, from local-hostname ${boot.instance.localHostname}`);
  return fail(
    `hostname is "${guest.hostname}" and /etc/hostname "${guest.etcHostname}", but the metadata's local-hostname is ${boot.instance.localHostname}`,
  );
}

function checkUserData(boot: BootFacts, guest: GuestFacts, first: BootFacts | undefined): Verdict {
  const lines = guest.userDataMarker;
  if (lines === undefined) return fail(`the user-data script left no marker (${userDataMarker})`);
  const nonce = boot.instance.nonce;
  const foreign = lines.filter((line) => !line.startsWith(`${nonce} `));
  if (foreign.length > 0) return fail(`the marker holds lines of another instance: ${foreign.join('; ')}`);
  if (boot.name !== 'reboot') {
    if (lines.length === 1 && lines[0] === `${nonce} ${guest.bootId}`) return pass('ran once, at this boot');
    return fail(`expected one run at this boot (${guest.bootId}), the marker says: ${lines.join('; ')}`);
  }
  if (lines.some((line) => line.endsWith(` ${guest.bootId}`)))
    return fail(`ran again after the reboot (${lines.length} runs)`);
  const firstBootId = first?.guest?.bootId;
  if (lines.length === 1 && (firstBootId === undefined || lines[0] === `${nonce} ${firstBootId}`))
    return pass('ran once, at the first boot, and not after the reboot');
  return fail(`expected the first boot's run alone, the marker says: ${lines.join('; ')}`);
}

function checkEphemeral(guest: GuestFacts): Verdict {
  const mount = guest.ephemeral;
  if (!mount) return fail(`nothing is mounted on ${ephemeralMount}`);
  const disk = diskOf(guest, mount.source);
  const wanted = diskWithSerial(guest, ephemeralSerial);
  if (!wanted) return fail(`the guest has no virtio disk with serial ${ephemeralSerial}`);
  if (disk !== wanted) return fail(`${ephemeralMount} is ${mount.source}, not the ephemeral disk ${wanted}`);
  if (mount.fstype !== 'ext4' || mount.label !== ephemeralLabel)
    return fail(
      `${mount.source} is ${mount.fstype} labelled "${mount.label}", not the ext4 ${ephemeralLabel}`,
    );
  return pass(`${mount.source} (${disk}, ext4, label ${ephemeralLabel}) on ${ephemeralMount}`);
}

function checkSwap(guest: GuestFacts): Verdict {
  const wanted = diskWithSerial(guest, swapSerial);
  if (!wanted) return fail(`the guest has no virtio disk with serial ${swapSerial}`);
  const active = guest.swaps.find((path) => diskOf(guest, path) === wanted);
  if (active) return pass(`${active} (${wanted}) is in use`);
  return fail(
    `${wanted} is not in use as swap (${guest.swaps.length ? `active: ${guest.swaps.join(', ')}` : 'no swap at all'})`,
  );
}

function checkUdevNames(guest: GuestFacts): Verdict {
  const wanted = [rootSerial, ephemeralSerial, swapSerial];
  const found: string[] = [];
  const missing: string[] = [];
  for (const serial of wanted) {
    const disk = diskWithSerial(guest, serial);
    if (!disk) {
      missing.push(`no virtio disk with serial ${serial}`);
      continue;
    }
    const alias = `sd${disk.slice(2)}`;
    const link = guest.sdLinks.find((entry) => entry.name === alias);
    if (link && link.target.replace(/^.*\//, '') === disk) found.push(`${alias} → ${disk}`);
    else
      missing.push(
        link ? `/dev/${alias} points to ${link.target}, not ${disk}` : `no /dev/${alias} for ${disk}`,
      );
  }
  return missing.length === 0 ? pass(found.join(', ')) : fail(missing.join('; '));
}

function checkHostKeys(boot: BootFacts, guest: GuestFacts, others: { first?: BootFacts }): Verdict {
  if (guest.hostKeys.length === 0) return fail('the guest has no /etc/ssh/ssh_host_*_key.pub');
  const prints = guest.hostKeys.map(fingerprintOf);
  const presented = boot.presentedKey;
  if (presented && !guest.hostKeys.some((key) => key.blob === presented.blob))
    return fail(`sshd presented ${fingerprintOf(presented)}, which is none of the guest's host keys`);
  const firstKeys = others.first?.guest?.hostKeys;
  if (boot.name === 'reboot') {
    const before = new Set(firstKeys?.map((key) => key.blob) ?? []);
    const same = guest.hostKeys.length === before.size && guest.hostKeys.every((key) => before.has(key.blob));
    if (firstKeys && !same) return fail('the host keys changed at the reboot');
    return pass(`${guest.hostKeys.length} keys kept across the reboot (the same key was presented)`);
  }
  const unprinted = prints.filter((print) => !boot.console.fingerprints.includes(print));
  if (unprinted.length > 0)
    return fail(
      `not made at this boot: the agent printed no fingerprint for ${unprinted.join(', ')} on the console`,
    );
  if (boot.name === 'second instance' && firstKeys) {
    const shared = guest.hostKeys.filter((key) => firstKeys.some((other) => other.blob === key.blob));
    if (shared.length > 0)
      return fail(
        `the second instance has the first instance's host keys (${shared.map(fingerprintOf).join(', ')})`,
      );
    return pass(`${prints.length} keys made at this boot, none shared with the first instance`);
  }
  return pass(
    `${prints.length} keys made at this boot (${guest.hostKeys.map((key) => key.type).join(', ')})`,
  );
}

function describeSteps(steps: { name: string; result: string; detail: string }[]): string {
  return steps
    .map((step) => `${step.name}: ${step.result}${step.detail ? ` (${step.detail})` : ''}`)
    .join('; ');
}

/** Every step ok at an instance's first boot; at a reboot the once-per-instance steps are skipped. */
function judgeSteps(
  name: BootName,
  steps: { name: string; result: string; detail: string }[],
): { bad: typeof steps; missing: string[] } {
  const missing = agentSteps.filter((step) => !steps.some((entry) => entry.name === step));
  const bad = steps.filter((step) => {
    if (name === 'reboot' && oncePerInstanceSteps.includes(step.name)) return step.result !== 'skipped';
    return step.result !== 'ok';
  });
  return { bad, missing };
}

function checkAgentStatus(boot: BootFacts): Verdict {
  const guest = boot.guest;
  if (guest?.status === undefined) return checkAgentConsole(boot, guest?.statusError);
  const status = guest.status;
  if (status.bootId !== guest.bootId)
    return fail(
      `the status file is from another boot (${status.bootId}): the agent did not finish at this boot`,
    );
  if (status.instanceId !== boot.instance.instanceId)
    return fail(`the status file is for instance ${status.instanceId}, not ${boot.instance.instanceId}`);
  const running = status.steps.filter((step) => step.result === 'running');
  if (running.length > 0) return fail(`still running when the check ended: ${describeSteps(running)}`);
  const { bad, missing } = judgeSteps(boot.name, status.steps);
  if (missing.length > 0) return fail(`the status file has no step ${missing.join(', ')}`);
  if (bad.length > 0) return fail(describeSteps(bad));
  return pass(
    boot.name === 'reboot'
      ? `${status.steps.length} steps: ok, and ${oncePerInstanceSteps.join(' and ')} skipped as done for this instance`
      : `${status.steps.length} steps ok`,
  );
}

/** Without a login (or a status file), the console tells what the agent did. */
function checkAgentConsole(boot: BootFacts, statusError: string | undefined): Verdict {
  const seen = boot.console;
  const prefix = statusError === undefined ? 'from the console: ' : `status file: ${statusError}; console: `;
  const stopped = seen.agentMessages.find((message) => message.startsWith('configuration error'));
  if (stopped) return fail(`${prefix}the agent stopped at once: ${stopped}`);
  if (!seen.agentStarted && seen.agentSteps.length === 0)
    return fail(
      `${prefix}the agent printed nothing${seen.agentMessages.length ? ` but: ${seen.agentMessages.join('; ')}` : ''}`,
    );
  const { bad, missing } = judgeSteps(boot.name, seen.agentSteps);
  if (bad.length > 0) return fail(`${prefix}${describeSteps(bad)}`);
  if (!seen.agentDone)
    return fail(`${prefix}the agent did not finish (last: ${describeSteps(seen.agentSteps.slice(-1))})`);
  if (missing.length > 0) return fail(`${prefix}no line for step ${missing.join(', ')}`);
  if (statusError !== undefined) return fail(`${prefix}every step ok, but the status file is missing`);
  return pass(`${prefix}${seen.agentSteps.length} steps ok`);
}

function checkUnits(guest: GuestFacts): Verdict {
  if (guest.systemState === 'running' && guest.failedUnits.length === 0)
    return pass('running, no failed unit');
  const failed = guest.failedUnits.length ? `; failed: ${guest.failedUnits.join(', ')}` : '';
  return fail(`systemd is ${guest.systemState || 'in an unknown state'}${failed}`);
}

function checkBoot(boot: BootFacts): Verdict {
  if (boot.qemuError !== undefined) return fail(`QEMU stopped: ${boot.qemuError}`);
  if (boot.console.fatal !== undefined) return fail(boot.console.fatal);
  if (!boot.console.kernelStarted) return fail('the kernel printed nothing on the serial console');
  if (boot.timedOut && !boot.login.ok) return fail('the boot did not finish in time');
  return pass(
    boot.agentDoneMs === undefined
      ? 'the kernel started'
      : `the kernel started; the agent was done ${seconds(boot.agentDoneMs)} after ${boot.name === 'reboot' ? 'the reboot' : 'QEMU started'}`,
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
  return results.sort((a, b) => checkNames.indexOf(a.name) - checkNames.indexOf(b.name));
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
