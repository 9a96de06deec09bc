/**
 * The agent against a hostile metadata service (issue 13, items 14 to 17): numbers beyond the
 * shell's arithmetic, floods of key lines, disallowed bytes in names, and block-device mappings
 * that point at disks in use. Each test failed before its fix.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, symlink } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { Fault, InstanceConfig } from '../../../tools/boot-check/metadata/instance.js';
import { type AgentWorld, createAgentWorld, type WorldOptions } from '../../helpers/agent-world.js';

const worlds: AgentWorld[] = [];
afterEach(async () => {
  await Promise.all(worlds.splice(0).map((world) => world.cleanup()));
});

async function world(options: WorldOptions): Promise<AgentWorld> {
  const created = await createAgentWorld(options);
  worlds.push(created);
  return created;
}

const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBcmvjq6m9ZcwlvW4dE6H0O5KfHq0m7oG2Fz3mW2G0nH hostile@test';

function instance(extra: Partial<InstanceConfig> = {}, faults: Fault[] = []): InstanceConfig {
  return {
    instance_id: 'i-0123456789abcdef0',
    public_keys: [{ name: 'k', key }],
    faults,
    ...extra,
  };
}

describe('numbers from the network (14)', () => {
  for (const shell of [['dash'], ['busybox', 'sh']]) {
    it(`survives Retry-After: 2^63 on a 503 under ${shell.join(' ')}, and goes on to the keys`, async () => {
      const target = await world({
        instance: instance({}, [
          {
            path: '/latest/meta-data/instance-id',
            status: 503,
            retry_after: '9223372036854775808',
            times: 1,
          },
          { path: '/latest/meta-data/local-hostname', status: 503, retry_after: '99999999999999999999999' },
        ]),
      });
      const run = await target.run({ shell });
      expect(run.exitCode, run.console).toBe(0);
      expect(run.console).not.toMatch(/Illegal number|arithmetic/i);
      // A wait beyond the deadline is not waited: the step gives up, the others run.
      expect(await target.step('instance-id')).toMatchObject({
        result: 'failed',
        detail: expect.stringContaining('no time left to retry'),
      });
      expect(run.ms).toBeLessThan(10_000);
    });
  }

  it('bounds the Retry-After of one path, and still installs keys and host keys', async () => {
    const target = await world({
      instance: instance({}, [
        { path: '/latest/meta-data/local-hostname', status: 503, retry_after: '9223372036854775808' },
      ]),
    });
    const run = await target.run({ shell: ['dash'] });
    expect(run.exitCode, run.console).toBe(0);
    expect(await target.step('hostname')).toMatchObject({ result: 'failed' });
    expect(await target.step('ssh-keys')).toMatchObject({ result: 'ok' });
    expect(await target.step('host-keys')).toMatchObject({ result: 'ok' });
    expect(await target.read('root/.ssh/authorized_keys')).toBe(`${key}\n`);
  });
});

/** A structurally valid ed25519 key line: the type field, then 32 random bytes. */
function ed25519Line(): string {
  const type = Buffer.from('ssh-ed25519');
  const point = randomBytes(32);
  const blob = Buffer.alloc(4 + type.length + 4 + point.length);
  blob.writeUInt32BE(type.length, 0);
  type.copy(blob, 4);
  blob.writeUInt32BE(point.length, 4 + type.length);
  point.copy(blob, 8 + type.length);
  return `ssh-ed25519 ${blob.toString('base64')}`;
}

describe('floods of keys (15)', () => {
  it('ends by its deadline with 100 keys of 789 valid lines each, taking the first 1000 lines', async () => {
    const publicKeys = Array.from({ length: 100 }, (_, index) => ({
      name: `k${index}`,
      key: Array.from({ length: 789 }, ed25519Line).join('\n'),
    }));
    const target = await world({ instance: instance({ public_keys: publicKeys }), config: { DEADLINE: 10 } });
    const run = await target.run({ timeoutMs: 60_000 });
    expect(run.exitCode, run.console).toBe(0);
    // Before the fix the per-line check forked several programs per line: still busy after 90 s.
    expect(run.ms).toBeLessThan(10_000 + 5_000);
    const step = await target.step('ssh-keys');
    expect(step.result, step.detail).toBe('ok');
    // Two keys hold the first 1578 lines: the other 98 are not even fetched.
    expect(step.detail).toBe(
      '1000 valid of 2, 1000 added, 578 lines rejected; the other 98 keys not read (1000 key lines at most)',
    );
    expect(target.server.requests.filter((request) => request.path.endsWith('/openssh-key'))).toHaveLength(2);
    const lines = (await target.read('root/.ssh/authorized_keys')).trimEnd().split('\n');
    expect(lines).toHaveLength(1000);
    expect(lines[0]).toBe(publicKeys[0]?.key.split('\n')[0]);
    expect(await target.read('var/log/emi-agent.log')).toContain('beyond the limit of 1000 key lines');
  });

  it('checks the deadline between keys: 100 slow keys end by the deadline', async () => {
    const publicKeys = Array.from({ length: 100 }, (_, index) => ({ name: `k${index}`, key: ed25519Line() }));
    const target = await world({
      instance: instance({ public_keys: publicKeys }, [
        { path: '/latest/meta-data/public-keys/*', delay_ms: 400 },
      ]),
      config: { DEADLINE: 6 },
    });
    const run = await target.run({ timeoutMs: 60_000 });
    expect(run.exitCode, run.console).toBe(0);
    expect(run.ms).toBeLessThan(6_000 + 4_000);
    const step = await target.step('ssh-keys');
    expect(step.result).toBe('failed');
    expect(step.detail).toMatch(/keys could not be fetched; deadline reached, retried at next boot$/);
  });

  it('still checks each line it takes: a line whose data is not its type is refused', async () => {
    const good = ed25519Line();
    const wrongType = good.replace('ssh-ed25519', 'ssh-rsa');
    const short = `ssh-ed25519 ${Buffer.from(good.split(' ')[1] ?? '', 'base64')
      .subarray(0, 40)
      .toString('base64')}`;
    const target = await world({
      instance: instance({ public_keys: [{ name: 'k', key: [wrongType, short, good].join('\n') }] }),
    });
    expect((await target.run()).exitCode).toBe(0);
    expect(await target.read('root/.ssh/authorized_keys')).toBe(`${good}\n`);
    expect((await target.step('ssh-keys')).detail).toBe('1 valid of 1, 1 added, 2 lines rejected');
  });
});

describe('bytes that are not allowed (16)', () => {
  it('refuses a hostname with a NUL byte instead of reading it as webevil', async () => {
    const target = await world({ instance: instance({ local_hostname: 'web\u0000evil' }) });
    expect((await target.run()).exitCode).toBe(0);
    expect(await target.step('hostname')).toMatchObject({
      result: 'failed',
      detail: expect.stringContaining('bytes a hostname cannot have'),
    });
    expect(await target.commandsOf('hostname')).toEqual([]);
    expect(await target.exists('etc/hostname')).toBe(false);
  });

  it('refuses a hostname with other disallowed bytes (tab, DEL, Latin-1) as well', async () => {
    for (const name of ['web\tevil', 'web\u007fevil', 'wéb']) {
      const target = await world({ instance: instance({ local_hostname: name }) });
      await target.run();
      expect((await target.step('hostname')).result, JSON.stringify(name)).toBe('failed');
      expect(await target.commandsOf('hostname')).toEqual([]);
    }
  });

  it('refuses an instance-id with a NUL byte: no per-instance step runs', async () => {
    const target = await world({ instance: instance({ instance_id: 'i-0abc\u0000def' }) });
    expect((await target.run()).exitCode).toBe(0);
    expect((await target.status()).instance_id).toBeNull();
    expect(await target.exists('var/lib/emi-agent/instances/i-0abcdef')).toBe(false);
  });

  it('does not take a local-ipv4 with a NUL byte for the hosts entry', async () => {
    const target = await world({
      instance: instance({ local_ipv4: '10.0.0.\u00001', local_hostname: 'web1.example' }),
    });
    await target.run();
    const hosts = await target.read('etc/hosts');
    expect(hosts).toContain('127.0.1.1\t');
    expect(hosts).not.toContain('10.0.0.1');
  });

  it('does not use a mapped device name with a NUL byte', async () => {
    const target = await world({
      instance: instance({
        block_device_mapping: { ami: 'sda1', ephemeral0: 'sd\u0000b', root: '/dev/sda1' },
      }),
      disks: { sdb: 'ext4' },
    });
    await target.run();
    expect((await target.step('ephemeral0')).result).toBe('skipped');
    expect(await target.commandsOf('mount')).toEqual([]);
  });
});

describe('mapped devices in use (17)', () => {
  const mapping = (ephemeral0: string, swap?: string) =>
    instance({
      block_device_mapping: { ami: 'sda1', root: '/dev/sda1', ephemeral0, ...(swap ? { swap } : {}) },
    });

  it('does not mount the root filesystem a second time when ephemeral0 names it by its udev link', async () => {
    // Root is /dev/vda1 in /proc/mounts; /dev/sda1 is udev's link to it.
    const target = await world({ instance: mapping('sda1'), disks: { vda1: 'ext4' } });
    await symlink('vda1', target.path('dev/sda1'));
    expect((await target.run()).exitCode).toBe(0);
    expect(await target.step('ephemeral0')).toMatchObject({
      result: 'skipped',
      detail: '/dev/sda1 is /dev/vda1, which holds the root filesystem',
    });
    expect(await target.commandsOf('mount')).toEqual([]);
  });

  it('refuses the disk that holds a mounted partition, and a device mounted elsewhere', async () => {
    const whole = await world({ instance: mapping('vda'), disks: { vda: 'ext4' } });
    await whole.run();
    expect(await whole.step('ephemeral0')).toMatchObject({
      result: 'skipped',
      detail: '/dev/vda holds /dev/vda1, which holds the root filesystem',
    });
    const data = await world({
      instance: mapping('sdb'),
      disks: { xvdb: 'ext4' },
      mounts: ['/dev/vda1 / ext4 rw 0 0', '/dev/xvdb /srv ext4 rw 0 0'],
    });
    await data.run();
    expect(await data.step('ephemeral0')).toMatchObject({
      result: 'skipped',
      detail: '/dev/xvdb is already mounted',
    });
    expect([...(await whole.commandsOf('mount')), ...(await data.commandsOf('mount'))]).toEqual([]);
  });

  it('refuses a mapped device that is not a block device (a character device, a folder)', async () => {
    const target = await world({ instance: mapping('sdb', 'sdc'), disks: {} });
    await symlink('/dev/null', target.path('dev/sdb'));
    await mkdir(target.path('dev/sdc'));
    await target.run();
    expect(await target.step('ephemeral0')).toMatchObject({
      result: 'skipped',
      detail: '/dev/sdb is not a block device',
    });
    expect(await target.step('swap')).toMatchObject({
      result: 'skipped',
      detail: '/dev/sdc is not a block device',
    });
    expect(await target.commandsOf('mount')).toEqual([]);
    expect(await target.commandsOf('swapon')).toEqual([]);
  });

  it('does not swapon a device that holds the root filesystem, and still uses a free one', async () => {
    const target = await world({
      instance: mapping('sdb', 'sda1'),
      disks: { vda1: 'swap', vdb: 'ext4' },
    });
    await target.run();
    expect(await target.step('swap')).toMatchObject({
      result: 'skipped',
      detail: '/dev/vda1 holds the root filesystem',
    });
    expect(await target.commandsOf('swapon')).toEqual([]);
    expect(await target.step('ephemeral0')).toMatchObject({ result: 'ok' });
  });
});
