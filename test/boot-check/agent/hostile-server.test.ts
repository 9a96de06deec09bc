/**
 * The agent against a hostile metadata service (issue 13, items 14 to 17): numbers beyond the
 * shell's arithmetic, floods of key lines, disallowed bytes in names, and block-device mappings
 * that point at disks in use. Each test failed before its fix.
 */
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
