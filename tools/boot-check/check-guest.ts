/**
 * The checks of what the probe read in the guest (pure): /etc/image-id, hostname, the user-data
 * marker, the ephemeral and swap disks, the sdX names, the host keys and systemd's state.
 */
import { type BootFacts, fingerprintOf } from './boot-facts.js';
import { ephemeralMount, type GuestFacts, userDataMarker } from './guest-probe.js';
import { rootSerial } from './qemu-command.js';
import { fail, pass, type Verdict } from './verdict.js';
import { ephemeralLabel, ephemeralSerial, swapSerial } from './verify-plan.js';

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

export function checkImageId(guest: GuestFacts, expected: string): Verdict {
  if (guest.imageId === undefined) return fail(`/etc/image-id cannot be read: ${guest.imageIdError ?? ''}`);
  if (guest.imageId === expected) return pass(`matches the record (${guest.imageId.split('\n')[0]} …)`);
  return fail(`/etc/image-id differs from the record: ${firstDifference(guest.imageId, expected)}`);
}

export function checkHostname(boot: BootFacts, guest: GuestFacts): Verdict {
  const want = boot.instance.hostname;
  if (guest.hostname === want && guest.etcHostname === want)
    return pass(`${want}, from local-hostname ${boot.instance.localHostname}`);
  return fail(
    `hostname is "${guest.hostname}" and /etc/hostname "${guest.etcHostname}", but the metadata's local-hostname is ${boot.instance.localHostname}`,
  );
}

export function checkUserData(boot: BootFacts, guest: GuestFacts, first: BootFacts | undefined): Verdict {
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

export function checkEphemeral(guest: GuestFacts): Verdict {
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

export function checkSwap(guest: GuestFacts): Verdict {
  const wanted = diskWithSerial(guest, swapSerial);
  if (!wanted) return fail(`the guest has no virtio disk with serial ${swapSerial}`);
  const active = guest.swaps.find((path) => diskOf(guest, path) === wanted);
  if (active) return pass(`${active} (${wanted}) is in use`);
  return fail(
    `${wanted} is not in use as swap (${guest.swaps.length ? `active: ${guest.swaps.join(', ')}` : 'no swap at all'})`,
  );
}

export function checkUdevNames(guest: GuestFacts): Verdict {
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

export function checkHostKeys(boot: BootFacts, guest: GuestFacts, others: { first?: BootFacts }): Verdict {
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

export function checkUnits(guest: GuestFacts): Verdict {
  if (guest.systemState === 'running' && guest.failedUnits.length === 0)
    return pass('running, no failed unit');
  const failed = guest.failedUnits.length ? `; failed: ${guest.failedUnits.join(', ')}` : '';
  return fail(`systemd is ${guest.systemState || 'in an unknown state'}${failed}`);
}
