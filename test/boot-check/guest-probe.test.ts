import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseProbe, parseProbeItems, probeScript } from '../../tools/boot-check/guest-probe.js';
import { runCommand } from '../../tools/lib/exec.js';

/** What the probe printed over ssh at the first boot of the standard image under TCG. */
const fixture = new URL('../fixtures/boot/first-boot.probe.txt', import.meta.url);

describe('parseProbe on a real probe of the standard image', () => {
  it('reads every item exactly', async () => {
    const facts = parseProbe(await readFile(fixture, 'utf8'));
    expect(facts.bootId).toBe('f988c6de-de98-475c-b1ff-098b6e4fb08b');
    expect(facts.hostname).toBe('emi-verify-first-eea212');
    expect(facts.etcHostname).toBe('emi-verify-first-eea212');
    // Byte for byte, final newline included.
    expect(facts.imageId).toBe(
      [
        'image_name="euca-debian-emi"',
        'image_version="2026.11.27"',
        'image_arch="x86_64"',
        'image_file="euca-debian-2026.11.27-x86_64.img"',
        'image_stamp="98e7-c5cb"',
        'image_date="20261127000613"',
        'recipe_name="debian-based"',
        '',
      ].join('\n'),
    );
    expect(facts.userDataMarker).toEqual(['3576a31641463aec f988c6de-de98-475c-b1ff-098b6e4fb08b']);
    expect(facts.ephemeral).toEqual({ source: '/dev/vdb', fstype: 'ext4', label: 'emi-ephemeral0' });
    expect(facts.disks).toEqual([
      { name: 'vda', serial: 'emi-root' },
      { name: 'vdb', serial: 'emi-ephemeral0' },
      { name: 'vdc', serial: 'emi-swap' },
    ]);
    expect(facts.sdLinks).toEqual([
      { name: 'sda', target: 'vda' },
      { name: 'sdb', target: 'vdb' },
      { name: 'sdc', target: 'vdc' },
    ]);
    expect(facts.swaps).toEqual(['/dev/vdc']);
    expect(facts.systemState).toBe('running');
    expect(facts.failedUnits).toEqual([]);
    expect(facts.hostKeys.map((key) => key.type)).toEqual(['ecdsa-sha2-nistp256', 'ssh-ed25519', 'ssh-rsa']);
    // The ed25519 key is the one ssh recorded in known_hosts at the login.
    expect(facts.hostKeys[1]?.blob).toBe(
      'AAAAC3NzaC1lZDI1NTE5AAAAIKRkspLOmHig48fAFLvpPkwZNLCAMtGHAxSENHV8p/Vq',
    );
    expect(facts.status?.instanceId).toBe('i-e132bcc16dbca8e11');
    expect(facts.status?.bootId).toBe(facts.bootId);
    expect(facts.status?.steps.map((step) => `${step.name}:${step.result}`)).toEqual([
      'metadata:ok',
      'instance-id:ok',
      'hostname:ok',
      'ssh-keys:ok',
      'host-keys:ok',
      'swap:ok',
      'ephemeral0:ok',
      'user-data:ok',
    ]);
  });
});

describe('parseProbe', () => {
  const item = (name: string, code: number, text: string) =>
    `${name} ${code} ${Buffer.from(text).toString('base64')}`;
  const base = [
    item('boot-id', 0, 'b1\n'),
    item('hostname', 0, 'h\n'),
    item('etc-hostname', 0, 'h\n'),
    item('user-data-marker', 1, 'cat: /var/lib/emi-verify/user-data.marker: No such file or directory\n'),
    item('ephemeral0', 1, ''),
    item('disks', 0, ''),
    item('sd-links', 0, ''),
    item('swaps', 0, 'Filename Type Size Used Priority\n'),
    item('system-state', 1, 'degraded\n'),
    item('failed-units', 0, 'emi-agent.service loaded failed failed EMI boot agent\n'),
    item('host-keys', 1, 'cat: /etc/ssh/ssh_host_*_key.pub: No such file or directory\n'),
  ];

  it('keeps what could not be read as such: no marker, no mount, a broken status file', () => {
    const facts = parseProbe(
      [
        ...base,
        item('image-id', 1, 'cat: /etc/image-id: No such file'),
        item('status', 0, '{"steps": '),
      ].join('\n'),
    );
    expect(facts.userDataMarker).toBeUndefined();
    expect(facts.ephemeral).toBeUndefined();
    expect(facts.imageId).toBeUndefined();
    expect(facts.imageIdError).toBe('cat: /etc/image-id: No such file');
    expect(facts.status).toBeUndefined();
    expect(facts.statusError).toMatch(/^not valid JSON/);
    expect(facts.systemState).toBe('degraded');
    expect(facts.failedUnits).toEqual(['emi-agent.service']);
    expect(facts.hostKeys).toEqual([]);
  });

  it('refuses an output without every item', () => {
    expect(() => parseProbe(base.join('\n'))).toThrow('the guest probe did not report image-id, status');
  });

  it('reads an empty output, and decodes findmnt escapes', () => {
    const items = parseProbeItems('failed-units 0 \nephemeral0 0 L2Rldi92ZGIgZXh0NCBteVx4MjBkaXNrCg==\n');
    expect(items.get('failed-units')).toEqual({ exitCode: 0, text: '' });
    const facts = parseProbe(
      [
        ...base.filter((line) => !line.startsWith('ephemeral0')),
        item('ephemeral0', 0, '/dev/vdb ext4 my\\x20disk\n'),
        item('image-id', 0, 'x'),
        item('status', 0, '{"boot_id": "b1", "instance_id": null, "steps": []}'),
      ].join('\n'),
    );
    expect(facts.ephemeral).toEqual({ source: '/dev/vdb', fstype: 'ext4', label: 'my disk' });
    expect(facts.status).toEqual({ bootId: 'b1', instanceId: null, finished: undefined, steps: [] });
  });
});

describe('the probe script', () => {
  it('passes shellcheck', async () => {
    const run = await runCommand('shellcheck', ['-s', 'sh', '-'], { input: probeScript, reject: false });
    expect(run.stdout).toBe('');
    expect(run.exitCode).toBe(0);
  });

  it("waits for the agent's status file of this boot with no step running, then reads it", async () => {
    const root = await mkdtemp(join(tmpdir(), 'emi-probe-'));
    try {
      const status = (bootId: string, result: string) =>
        `{\n  "boot_id": "${bootId}",\n  "instance_id": "i-0a",\n  "steps": [\n    {"name": "user-data", "result": "${result}", "detail": ""}\n  ]\n}\n`;
      await mkdir(join(root, 'proc/sys/kernel/random'), { recursive: true });
      await mkdir(join(root, 'var/lib/emi-agent'), { recursive: true });
      await writeFile(join(root, 'proc/sys/kernel/random/boot_id'), 'b-new\n');
      // The previous boot's file, as the agent left it: sshd starts before the agent ends.
      await writeFile(join(root, 'var/lib/emi-agent/status.json'), status('b-old', 'ok'));
      const started = Date.now();
      const probe = runCommand('sh', ['-s', '--', '20'], { input: probeScript, env: { PROBE_ROOT: root } });
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await writeFile(join(root, 'var/lib/emi-agent/status.json'), status('b-new', 'running'));
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await writeFile(join(root, 'var/lib/emi-agent/status.json'), status('b-new', 'ok'));
      const facts = parseProbe((await probe).stdout);
      const seconds = (Date.now() - started) / 1000;
      expect(seconds).toBeGreaterThan(2.9);
      expect(seconds).toBeLessThan(15);
      expect(facts.bootId).toBe('b-new');
      expect(facts.status).toEqual({
        bootId: 'b-new',
        instanceId: 'i-0a',
        finished: undefined,
        steps: [{ name: 'user-data', result: 'ok', detail: '' }],
      });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it.each(['sh', 'busybox'])(
    'runs under %s and reports every item, whatever the machine lacks',
    async (shell) => {
      const args = shell === 'busybox' ? ['sh', '-s', '--', '1'] : ['-s', '--', '1'];
      const run = await runCommand(shell, args, { input: probeScript, timeoutMs: 30_000 });
      const items = parseProbeItems(run.stdout);
      expect([...items.keys()]).toEqual([
        'boot-id',
        'hostname',
        'etc-hostname',
        'image-id',
        'user-data-marker',
        'ephemeral0',
        'disks',
        'sd-links',
        'swaps',
        'status',
        'system-state',
        'failed-units',
        'host-keys',
      ]);
      const facts = parseProbe(run.stdout);
      expect(facts.bootId).toBe((await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim());
      expect(facts.swaps).toEqual(
        (await readFile('/proc/swaps', 'utf8'))
          .split('\n')
          .slice(1)
          .filter((line) => line.trim() !== '')
          .map((line) => line.split(/\s+/)[0]),
      );
    },
  );
});
