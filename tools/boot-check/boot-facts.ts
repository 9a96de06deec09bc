/**
 * What a boot check collects (plain data): for each boot, the console, the ssh login, the agent's
 * end and what the probe read in the guest. checks.ts turns these into verdicts.
 */
import { createHash } from 'node:crypto';
import type { ConsoleFacts } from './console-log.js';
import type { GuestFacts, HostKey } from './guest-probe.js';
import type { InstancePlan } from './verify-plan.js';

export type BootName = 'first boot' | 'reboot' | 'second instance';
export const bootNames: readonly BootName[] = ['first boot', 'reboot', 'second instance'];

export type LoginOutcome = { ok: true; ms: number } | { ok: false; error: string };

export interface BootFacts {
  name: BootName;
  instance: InstancePlan;
  /** QEMU failed to start or stopped on its own; its stderr tail. */
  qemuError?: string;
  /** The boot was not waited for to the end: the check's time ran out. */
  timedOut?: boolean;
  /** The console made no progress before init for the stall limit (console-stall.ts). */
  stalled?: string;
  /** This boot is the second attempt: the first stalled before init, as this says. */
  stallRetry?: string;
  console: ConsoleFacts;
  login: LoginOutcome;
  /** Milliseconds from QEMU's start (or the reboot command) to the agent's `done` line. */
  agentDoneMs?: number;
  /**
   * The host's pace during the boot: the share of the time QEMU was ready to run that it ran
   * (host-pace.ts); 1 on an idle host. Missing when it could not be measured.
   */
  hostPace?: number;
  guest?: GuestFacts;
  /** Why the probe did not give facts (after a login). */
  guestError?: string;
  /** The host key sshd presented at the login, as ssh recorded it. */
  presentedKey?: HostKey;
}

export interface VerifyFacts {
  /** /etc/image-id as the record renders it. */
  expectedImageId: string;
  boots: BootFacts[];
  /** Set when the image file changed during the check (it must not: the instance writes to an overlay). */
  artifactChange?: string;
}

/** OpenSSH's SHA256 fingerprint of a key: base64 of the digest of the blob, without padding. */
export function fingerprintOf(key: HostKey): string {
  const digest = createHash('sha256').update(Buffer.from(key.blob, 'base64')).digest('base64');
  return `SHA256:${digest.replace(/=+$/, '')}`;
}
