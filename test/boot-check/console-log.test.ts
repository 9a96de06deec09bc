import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { fingerprintOf } from '../../tools/boot-check/boot-facts.js';
import { bootSegment, cleanConsole, parseConsole } from '../../tools/boot-check/console-log.js';

/** The real serial console of a first boot and a reboot of the standard image under TCG. */
const fixture = new URL('../fixtures/boot/first-boot-and-reboot.serial.log', import.meta.url);
/** The host key sshd presented at that first boot, as ssh recorded it in known_hosts. */
const presentedKey = {
  type: 'ssh-ed25519',
  blob: 'AAAAC3NzaC1lZDI1NTE5AAAAIJjRFdtvMQk2Qb6hCUJwFDQL22o9TNkfxBRP6FeDNnNI',
};

describe('parseConsole on a real console', () => {
  it('reads the first boot: every agent step, its end, the fingerprints and the login prompt', async () => {
    const text = await readFile(fixture, 'utf8');
    const first = parseConsole(bootSegment(text).split('Stopped emi-agent.service')[0] as string);
    expect(first.kernelStarted).toBe(true);
    expect(first.agentStarted).toBe(true);
    expect(first.agentDone).toBe(true);
    expect(first.fatal).toBeUndefined();
    expect(first.loginPrompt).toBe(true);
    expect(first.agentSteps.map((step) => `${step.name}:${step.result}`)).toEqual([
      'metadata:ok',
      'instance-id:ok',
      'hostname:ok',
      'ssh-keys:ok',
      'host-keys:ok',
      'swap:ok',
      'ephemeral0:ok',
      // `running` first, then the script's end: the last line wins.
      'user-data:ok',
    ]);
    expect(first.agentSteps.find((step) => step.name === 'host-keys')?.detail).toBe(
      'generated: ed25519 ecdsa rsa',
    );
    expect(first.agentMessages).toEqual([]);
    expect(first.fingerprints).toEqual([
      'SHA256:JS8WFMovdi6TrqaBqPtusulihcEXZymraFGDkraTT3w',
      'SHA256:bhWnHQIeSOoVUPa8DKghuHRUHRPG6tVCfnc6gd7f/0Y',
      'SHA256:yVvl3CDl72N7At4VOVXo9JV60Vp7415RmYO1zRFS7AA',
    ]);
    // OpenSSH's fingerprint of the key sshd presented is the first one the agent printed.
    expect(fingerprintOf(presentedKey)).toBe(first.fingerprints[0]);
  });

  it('reads the reboot from its own kernel banner on: the once-per-instance steps skipped, no new keys', async () => {
    const text = await readFile(fixture, 'utf8');
    // Where the console stood when the reboot was asked for: past the first boot's login prompt.
    const offset = text.indexOf(' login: ');
    expect(offset).toBeGreaterThan(0);
    const reboot = parseConsole(bootSegment(text, offset));
    expect(reboot.kernelStarted).toBe(true);
    expect(reboot.agentDone).toBe(true);
    expect(reboot.fingerprints).toEqual([]);
    expect(reboot.agentSteps.find((step) => step.name === 'host-keys')).toEqual({
      name: 'host-keys',
      result: 'skipped',
      detail: 'kept, made at the first boot of this instance',
    });
    expect(reboot.agentSteps.find((step) => step.name === 'user-data')?.result).toBe('skipped');
    expect(reboot.agentSteps.find((step) => step.name === 'instance-id')?.detail).toBe('i-60065ccab0dd7bae6');
  });
});

describe('parseConsole on the console of an image without curl', () => {
  it('finds the configuration error that stopped the agent (once, though rc.local says it again)', async () => {
    const text = await readFile(new URL('../fixtures/boot/no-curl.serial.log', import.meta.url), 'utf8');
    const facts = parseConsole(bootSegment(text));
    expect(facts.kernelStarted).toBe(true);
    expect(facts.agentStarted).toBe(false);
    expect(facts.agentDone).toBe(false);
    expect(facts.agentSteps).toEqual([]);
    expect(facts.agentMessages).toEqual(['configuration error: curl is not installed']);
    expect(facts.fingerprints).toEqual([]);
    expect(facts.loginPrompt).toBe(true);
  });
});

describe('bootSegment', () => {
  it('is empty while the old system shuts down, then starts at the new kernel banner', () => {
    const old = '[  OK  ] Finished emi-agent.service\r\nlogin: \r\n';
    const shutdown = '[  OK  ] Stopped target Multi-User System.\r\n';
    const banner = '[    0.000000] Linux version 6.1.0-28-cloud-amd64 (debian-kernel@lists.debian.org)\r\n';
    expect(bootSegment(`${old}${shutdown}`, old.length)).toBe('');
    expect(bootSegment(`${old}${shutdown}${banner}more\r\n`, old.length)).toBe(
      cleanConsole(`${banner}more\n`),
    );
  });
});

describe('parseConsole', () => {
  const banner = '[    0.000000] Linux version 6.1.0 (x)\n';

  it('reports a configuration error that stopped the agent', () => {
    const facts = parseConsole(
      `${banner}[   20.1] emi-agent[250]: emi-agent: configuration error: curl is not installed\n[FAILED] Failed to start \x1b[0;1;39memi-agent.service\x1b[0m\ndebian login: `,
    );
    expect(facts.agentStarted).toBe(false);
    expect(facts.agentMessages).toEqual(['configuration error: curl is not installed']);
    expect(facts.loginPrompt).toBe(true);
  });

  it('finds a kernel panic and an initramfs that gave up on the root disk', () => {
    expect(
      parseConsole(
        `${banner}[    2.5] Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)\n`,
      ).fatal,
    ).toBe('Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)');
    expect(
      parseConsole(`${banner}Gave up waiting for root file system device.  Common problems:\n`).fatal,
    ).toBe('Gave up waiting for root file system device.  Common problems:');
    expect(parseConsole(`${banner}ALERT!  /dev/vda does not exist.  Dropping to a shell!\n`).fatal).toMatch(
      /^ALERT! .*does not exist/,
    );
  });

  it('ignores the second call through rc.local and fingerprints outside the block', () => {
    const facts = parseConsole(
      `${banner}[ 5.1] rc.local[811]: emi-agent: already ran at this boot (emi-agent --force runs it again)\nSHA256:JS8WFMovdi6TrqaBqPtusulihcEXZymraFGDkraTT3w\n`,
    );
    expect(facts.agentMessages).toEqual([]);
    expect(facts.agentSteps).toEqual([]);
    expect(facts.fingerprints).toEqual([]);
    expect(facts.kernelStarted).toBe(true);
  });

  it('sees no kernel in an empty console, and no login prompt in a "Last login:" line', () => {
    const facts = parseConsole('Last login: Thu Jan  1 00:00:00 2026 on ttyS0\n');
    expect(facts.kernelStarted).toBe(false);
    expect(facts.loginPrompt).toBe(false);
  });
});

describe('parseConsole of an agent run by rc.local (an image without systemd)', () => {
  it('reads its steps like any other', () => {
    const facts = parseConsole(
      '[    0.0] Linux version 6.1.0\n[ 9.1] rc.local[300]: emi-agent: starting (metadata service http://169.254.169.254, deadline 60s)\n[ 9.5] rc.local[300]: emi-agent: metadata: failed (no answer)\n',
    );
    expect(facts.agentStarted).toBe(true);
    expect(facts.agentSteps).toEqual([{ name: 'metadata', result: 'failed', detail: 'no answer' }]);
  });
});
