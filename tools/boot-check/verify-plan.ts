/**
 * The instances a boot check starts (pure, from random bytes and keys): each gets its own
 * instance-id, hostname, ssh key, a user-data script that leaves a marker, and a
 * block-device-mapping with ephemeral0 and swap on the extra disks. Two instances are booted from
 * the same image; the first is also rebooted.
 */
import type { InstanceConfig } from '../schemas/generated/instance.js';
import { userDataMarker } from './guest-probe.js';

/** The steps of the boot agent, in its order: every one must end ok at an instance's first boot. */
export const agentSteps = [
  'metadata',
  'instance-id',
  'ssh-keys',
  'host-keys',
  'hostname',
  'swap',
  'ephemeral0',
  'user-data',
] as const;

/** Steps that do their work once per instance: at a reboot they are skipped. */
export const oncePerInstanceSteps: readonly string[] = ['host-keys', 'user-data'];

export const ephemeralSerial = 'emi-ephemeral0';
export const swapSerial = 'emi-swap';
export const ephemeralLabel = 'emi-ephemeral0';

/** The extra disks in attachment order: vdb, then vdc (the image is vda). */
export const extraDisks = [
  { role: 'ephemeral0', serial: ephemeralSerial, device: 'sdb' },
  { role: 'swap', serial: swapSerial, device: 'sdc' },
] as const;

export interface InstancePlan {
  /** `first` or `second`: the order of the instances. */
  key: 'first' | 'second';
  instanceId: string;
  /** What the metadata says (local-hostname) … */
  localHostname: string;
  /** … and the hostname the agent must set: its first label. */
  hostname: string;
  /** Written by the user-data script into its marker, with the boot id. */
  nonce: string;
  publicKey: string;
  userData: string;
}

/** The user-data script: one marker line per run, `<nonce> <boot id>`. */
export function userDataScript(nonce: string): string {
  if (!/^[0-9a-f]{8,64}$/.test(nonce)) throw new Error(`nonce "${nonce}" is not hex`);
  const dir = userDataMarker.slice(0, userDataMarker.lastIndexOf('/'));
  return [
    '#!/bin/sh',
    '# emi verify-image: leaves one marker line per run, to prove it ran once per instance.',
    `mkdir -p ${dir}`,
    `printf '%s %s\\n' ${nonce} "$(cat /proc/sys/kernel/random/boot_id)" >> ${userDataMarker}`,
    '',
  ].join('\n');
}

/** `random` is hex: 17 characters for the instance-id, 6 for the hostname, 16 for the nonce. */
export function planInstance(key: 'first' | 'second', random: string, publicKey: string): InstancePlan {
  if (!/^[0-9a-f]{39,}$/.test(random)) throw new Error('planInstance needs 39 or more hex digits');
  const hostname = `emi-verify-${key}-${random.slice(17, 23)}`;
  const nonce = random.slice(23, 39);
  return {
    key,
    instanceId: `i-${random.slice(0, 17)}`,
    localHostname: `${hostname}.example.internal`,
    hostname,
    nonce,
    publicKey: publicKey.trim(),
    userData: userDataScript(nonce),
  };
}

/** The instance file the emulator serves (tools/schemas/instance.schema.json). */
export function instanceConfig(plan: InstancePlan, arch: string): InstanceConfig {
  return {
    instance_id: plan.instanceId,
    local_hostname: plan.localHostname,
    architecture: arch,
    public_keys: [{ name: `emi-verify-${plan.key}`, key: plan.publicKey }],
    block_device_mapping: {
      ami: 'sda',
      root: '/dev/sda',
      ephemeral0: 'sdb',
      swap: 'sdc',
    },
    user_data: plan.userData,
  };
}
