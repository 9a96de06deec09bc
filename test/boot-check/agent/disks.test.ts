/** ephemeral0 and swap: found by name whichever driver named them, mounted only when it makes sense. */
import { describe, expect } from 'vitest';
import type { InstanceConfig } from '../../../tools/boot-check/metadata/instance.js';
import type { AgentWorld, WorldOptions } from '../../helpers/agent-world.js';
import { it, worldForTest } from '../../helpers/fixtures.js';

function mapped(extra: Partial<InstanceConfig> = {}): InstanceConfig {
  return {
    instance_id: 'i-0123456789abcdef0',
    block_device_mapping: { ami: 'sda1', root: '/dev/sda1', ephemeral0: 'sdb', swap: 'sdc' },
    user_data: '#!/bin/sh\necho after the disks\n',
    ...extra,
  };
}

async function boot(options: Partial<WorldOptions> & { instance?: InstanceConfig }): Promise<AgentWorld> {
  const world = await worldForTest({ instance: mapped(), ...options });
  expect((await world.run()).exitCode).toBe(0);
  return world;
}

describe('disks', () => {
  for (const name of ['vdb', 'xvdb', 'sdb']) {
    it(`mounts ephemeral0 (sdb in the mapping) found as ${name}`, async () => {
      const target = await boot({ disks: { [name]: 'ext4' } });
      expect(await target.commandsOf('mount')).toEqual([
        ['mount', '-o', 'nofail', target.path(`dev/${name}`), target.path('media/ephemeral0')],
      ]);
      expect(await target.step('ephemeral0')).toMatchObject({
        result: 'ok',
        detail: `/dev/${name} (ext4) on /media/ephemeral0`,
      });
    });
  }

  it('prefers the real sdb when both sdb and vdb exist', async () => {
    const target = await boot({ disks: { sdb: 'ext4', vdb: 'ext4' } });
    expect((await target.commandsOf('mount')).map((command) => command[3])).toEqual([target.path('dev/sdb')]);
  });

  it('skips an absent disk', async () => {
    const target = await boot({});
    expect(await target.step('ephemeral0')).toMatchObject({
      result: 'skipped',
      detail: 'no device for ephemeral0 (sdb)',
    });
    expect(await target.step('swap')).toMatchObject({
      result: 'skipped',
      detail: 'no device for swap (sdc)',
    });
    expect(await target.commands()).toEqual([['hostname', 'ip-172-31-0-10']]);
  });

  it('does not mount a disk without a filesystem, nor swapon one without a swap signature', async () => {
    const target = await boot({ disks: { vdb: 'empty', vdc: 'ext4' } });
    expect(await target.step('ephemeral0')).toMatchObject({
      result: 'skipped',
      detail: 'no filesystem on vdb',
    });
    expect(await target.step('swap')).toMatchObject({
      result: 'skipped',
      detail: 'no swap signature on vdc',
    });
    expect(await target.commandsOf('mount')).toEqual([]);
    expect(await target.commandsOf('swapon')).toEqual([]);
  });

  it('leaves an ephemeral disk or a mount point that is already mounted, and swap already in use', async () => {
    const target = await boot({
      disks: { vdb: 'ext4', vdc: 'swap' },
      mounts: ['/dev/vda1 / ext4 rw 0 0', '/dev/vdb /data ext4 rw 0 0'],
      swaps: ['/dev/vdc                                partition\t1020\t0\t-2'],
    });
    expect(await target.step('ephemeral0')).toMatchObject({
      result: 'skipped',
      detail: '/dev/vdb is already mounted',
    });
    expect(await target.step('swap')).toMatchObject({ result: 'skipped', detail: '/dev/vdc already in use' });
    await target.cleanup();

    const other = await boot({
      disks: { vdb: 'ext4' },
      mounts: ['/dev/vda1 / ext4 rw 0 0', 'tmpfs /media/ephemeral0 tmpfs rw 0 0'],
    });
    expect(await other.step('ephemeral0')).toMatchObject({
      result: 'skipped',
      detail: '/media/ephemeral0 is already mounted',
    });
    expect(await other.commandsOf('mount')).toEqual([]);
  });

  it('uses the original globs, one partition each, when the mapping is missing', async () => {
    const target = await boot({
      instance: mapped({ faults: [{ path: '/latest/meta-data/block-device-mapping/', status: 404 }] }),
      disks: { vda2: 'empty', xvda2: 'ext4', sda2: 'ext4', vda3: 'swap', xvda3: 'swap' },
      mounts: ['/dev/vda1 / ext4 rw 0 0'],
    });
    expect(await target.commandsOf('mount')).toEqual([
      ['mount', '-o', 'nofail', target.path('dev/sda2'), target.path('media/ephemeral0')],
    ]);
    expect(await target.commandsOf('swapon')).toEqual([['swapon', target.path('dev/vda3')]]);
  });

  it('trusts a mapping without ephemeral0 or swap: no glob, nothing mounted', async () => {
    const target = await boot({
      instance: mapped({ block_device_mapping: { ami: '/dev/xvda', root: '/dev/xvda' } }),
      disks: { xvda2: 'ext4', xvda3: 'swap' },
    });
    expect(await target.step('ephemeral0')).toMatchObject({
      result: 'skipped',
      detail: 'no ephemeral0 in the block-device-mapping',
    });
    expect(await target.step('swap')).toMatchObject({
      result: 'skipped',
      detail: 'no swap in the block-device-mapping',
    });
    expect(await target.commandsOf('mount')).toEqual([]);
    expect(await target.commandsOf('swapon')).toEqual([]);
    const listings = target.server.requests.filter(
      (request) => request.path === '/latest/meta-data/block-device-mapping/',
    );
    expect(listings.length).toBe(1);
  });

  it('goes on with the other steps when mount and swapon fail', async () => {
    const target = await boot({ disks: { vdb: 'ext4', vdc: 'swap' }, failing: ['mount', 'swapon'] });
    expect(await target.step('swap')).toMatchObject({ result: 'failed', detail: 'swapon /dev/vdc failed' });
    expect(await target.step('ephemeral0')).toMatchObject({
      result: 'failed',
      detail: 'mount /dev/vdb failed',
    });
    expect(await target.userDataDone()).toMatchObject({ result: 'ok' });
  });

  it('leaves disks alone with MANAGE_DISKS=no', async () => {
    const target = await boot({ disks: { vdb: 'ext4', vdc: 'swap' }, config: { MANAGE_DISKS: 'no' } });
    expect(await target.step('ephemeral0')).toMatchObject({ result: 'skipped', detail: 'MANAGE_DISKS=no' });
    expect(await target.commandsOf('mount')).toEqual([]);
  });
});
