/** The files every image gets from recipes/common/overlay: shellcheck-clean, wired to each other. */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect } from 'vitest';
import { runCommand } from '../../../tools/lib/exec.js';
import { agentPath, overlay } from '../../helpers/agent-world.js';
import { it } from '../../helpers/fixtures.js';

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

async function shellScripts(): Promise<string[]> {
  const scripts: string[] = [];
  for (const file of await filesUnder(overlay)) {
    if ((await readFile(file, 'utf8')).startsWith('#!/bin/sh')) scripts.push(file);
  }
  return scripts.sort();
}

describe('overlay files', () => {
  it('holds the agreed files, scripts executable', async () => {
    const files = (await filesUnder(overlay)).map((file) => relative(overlay, file)).sort();
    expect(files).toEqual([
      'etc/emi-agent.conf',
      'etc/rc.local',
      'etc/systemd/system/emi-agent.service',
      'etc/udev/rules.d/06-euca-udev.rules',
      'usr/sbin/emi-agent',
      'usr/sbin/euca-udev',
    ]);
    for (const script of ['etc/rc.local', 'usr/sbin/emi-agent', 'usr/sbin/euca-udev'])
      expect((await stat(join(overlay, script))).mode & 0o755).toBe(0o755);
  });

  it('passes shellcheck as POSIX sh, every script that goes into an image', async () => {
    const scripts = await shellScripts();
    expect(scripts.map((file) => relative(overlay, file))).toEqual([
      'etc/rc.local',
      'usr/sbin/emi-agent',
      'usr/sbin/euca-udev',
    ]);
    const result = await runCommand('shellcheck', ['--shell=sh', '--severity=style', ...scripts], {
      reject: false,
    });
    expect(result.stdout).toBe('');
    expect(result.exitCode).toBe(0);
  });

  it('runs the agent from the unit before sshd, after the network, once', async () => {
    const unit = await readFile(join(overlay, 'etc/systemd/system/emi-agent.service'), 'utf8');
    const value = (key: string) => unit.match(new RegExp(`^${key}=(.*)$`, 'm'))?.[1];
    expect(value('ExecStart')).toBe('/usr/sbin/emi-agent');
    // sshd waits for the agent's READY (keys in place), not for the disks and the user-data.
    expect(value('Type')).toBe('notify');
    expect(value('NotifyAccess')).toBe('all');
    expect(value('RemainAfterExit')).toBe('yes');
    expect(value('After')?.split(' ')).toContain('network-online.target');
    expect(value('Wants')).toBe('network-online.target');
    expect(value('Before')?.split(' ')).toEqual(
      expect.arrayContaining(['ssh.service', 'sshd.service', 'rc-local.service']),
    );
    expect(value('WantedBy')).toBe('multi-user.target');
    expect(value('StandardOutput')).toBe('journal+console');
  });

  it('points the udev rule at euca-udev', async () => {
    const rule = await readFile(join(overlay, 'etc/udev/rules.d/06-euca-udev.rules'), 'utf8');
    expect(rule).toContain('PROGRAM="/usr/sbin/euca-udev %k"');
    expect(rule).toContain('KERNEL=="xvd*|vd*"');
  });

  it('ships a config file whose every setting the agent accepts', async ({ makeWorld }) => {
    const world = await makeWorld({ instance: { instance_id: 'i-0123456789abcdef0' } });
    const shipped = await readFile(join(overlay, 'etc/emi-agent.conf'), 'utf8');
    await world.write(
      'etc/emi-agent.conf',
      shipped.replace(/^DEADLINE=.*$/m, 'DEADLINE=10').replace(/^RSA_BITS=.*$/m, 'RSA_BITS=1024'),
    );
    const run = await world.run();
    expect(run.exitCode).toBe(0);
    expect(run.console).toContain('deadline 10s');
  });
});

describe('agent configuration', () => {
  for (const [line, message] of [
    ['DEADLNE=5', 'unknown setting "DEADLNE"'],
    ['RETRIES=many', 'RETRIES must be a whole number, not "many"'],
    ['METADATA_URL=https://example.invalid', 'METADATA_URL must be an http:// address'],
    ['MANAGE_HOSTNAME=maybe', 'MANAGE_HOSTNAME must be yes or no'],
    ['HOST_KEY_TYPES="ed25519 dsa"', 'HOST_KEY_TYPES: unknown type "dsa"'],
    ['just words', 'expected NAME=value'],
  ]) {
    it(`stops with exit 2 on a bad setting: ${line}`, async ({ makeWorld }) => {
      const world = await makeWorld({ instance: { instance_id: 'i-0123456789abcdef0' } });
      await world.write('etc/emi-agent.conf', `# comment\nDEADLINE=5\n${line}\n`);
      // No address from the environment: the file's own is checked.
      const run = await world.run({ env: { EMI_METADATA_URL: '' } });
      expect(run.exitCode).toBe(2);
      expect(run.console).toContain(message);
      expect(world.server.requests).toEqual([]);
    });
  }

  it('takes EMI_DEADLINE and EMI_METADATA_URL from the environment over the file', async ({ makeWorld }) => {
    const world = await makeWorld({
      instance: { instance_id: 'i-0123456789abcdef0', faults: [{ path: '*', hang: true }] },
      config: { DEADLINE: 50, METADATA_URL: 'http://127.0.0.1:9' },
    });
    const run = await world.run({ env: { EMI_DEADLINE: '2' } });
    expect(run.console).toContain(`(metadata service ${world.server.url}, deadline 2s)`);
    expect(run.ms).toBeLessThan(4000);
    expect(world.server.requests.length).toBeGreaterThan(0);
  });

  it('answers --version and refuses unknown arguments', async () => {
    expect((await runCommand('sh', [agentPath, '--version'])).stdout).toBe('emi-agent 1\n');
    const bad = await runCommand('sh', [agentPath, '--bogus'], { reject: false });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('usage: emi-agent');
  });

  it('runs again at the same boot with --force', async ({ makeWorld }) => {
    const world = await makeWorld({ instance: { instance_id: 'i-0123456789abcdef0' } });
    await world.run();
    expect((await world.run()).console).toContain('already ran at this boot');
    expect((await world.run({ args: ['--force'] })).console).toContain('emi-agent: instance-id: ok');
  });
});
