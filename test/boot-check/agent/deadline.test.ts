/**
 * The deadline of one boot from the kernel command line (issue 13, item 20): the boot check gives
 * its test instance a longer one, so that a slow host under emulation does not pass for a failing
 * image; anything but a plain number in range is ignored.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { InstanceConfig } from '../../../tools/boot-check/metadata/instance.js';
import { type AgentWorld, createAgentWorld } from '../../helpers/agent-world.js';

const worlds: AgentWorld[] = [];
afterEach(async () => {
  await Promise.all(worlds.splice(0).map((world) => world.cleanup()));
});

const instance: InstanceConfig = {
  instance_id: 'i-0123456789abcdef0',
  // The service asks to come back in 3 s: beyond a 2 s deadline, within an 8 s one.
  faults: [{ path: '/latest/meta-data/instance-id', status: 503, retry_after: 3, times: 1 }],
};

async function boot(cmdline: string | undefined) {
  const world = await createAgentWorld({
    instance,
    config: { DEADLINE: 2 },
    ...(cmdline === undefined ? {} : { files: { 'proc/cmdline': `${cmdline}\n` } }),
  });
  worlds.push(world);
  const run = await world.run();
  return { world, run };
}

describe('emi_agent.deadline on the kernel command line', () => {
  it('replaces DEADLINE for this boot, and says where it came from', async () => {
    const { world, run } = await boot(
      'BOOT_IMAGE=/vmlinuz root=/dev/vda ro emi_agent.deadline=8 console=ttyS0',
    );
    expect(run.exitCode).toBe(0);
    expect(run.console).toContain('deadline 8s, from the kernel command line)');
    expect(await world.step('instance-id')).toMatchObject({ result: 'ok' });
  });

  it('keeps DEADLINE without it, and ignores values that are not 1 to 86400', async () => {
    for (const cmdline of [
      undefined,
      'root=/dev/vda ro',
      'emi_agent.deadline=0',
      'emi_agent.deadline=86401',
      'emi_agent.deadline=99999999999999999999',
      'emi_agent.deadline=8s',
      'emi_agent.deadline=-8',
      'emi_agent.deadline=',
    ]) {
      const { world, run } = await boot(cmdline);
      expect(run.exitCode, String(cmdline)).toBe(0);
      expect(run.console).toContain('deadline 2s)');
      expect(await world.step('instance-id')).toMatchObject({
        result: 'failed',
        detail: expect.stringContaining('no time left to retry'),
      });
    }
  });

  it('gives way to EMI_DEADLINE', async () => {
    const world = await createAgentWorld({
      instance: { instance_id: 'i-0123456789abcdef0' },
      files: { 'proc/cmdline': 'emi_agent.deadline=300\n' },
    });
    worlds.push(world);
    const run = await world.run({ env: { EMI_DEADLINE: '15' } });
    expect(run.console).toContain('deadline 15s)');
  });
});
