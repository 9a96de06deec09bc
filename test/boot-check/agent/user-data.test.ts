/** user-data: stored privately, decoded with caps, a script run once per instance, nothing leaked. */
import { readdir } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { describe, expect } from 'vitest';
import type { InstanceConfig } from '../../../tools/boot-check/metadata/instance.js';
import { runCommand } from '../../../tools/lib/exec.js';
import type { AgentWorld } from '../../helpers/agent-world.js';
import { it, worldForTest } from '../../helpers/fixtures.js';

const id = 'i-0123456789abcdef0';
const instanceDir = `var/lib/emi-agent/instances/${id}`;

function withUserData(extra: Partial<InstanceConfig>): InstanceConfig {
  return { instance_id: id, ...extra };
}

async function boot(
  instance: InstanceConfig,
  config: Record<string, string | number> = {},
): Promise<{ world: AgentWorld; console: string; ms: number }> {
  const world = await worldForTest({ instance, config });
  const run = await world.run();
  expect(run.exitCode).toBe(0);
  return { world, console: run.console, ms: run.ms };
}

describe('user-data', () => {
  it('none (404): nothing stored, nothing run, not asked again', async () => {
    const { world } = await boot(withUserData({}));
    expect(await world.step('user-data')).toMatchObject({ result: 'skipped', detail: 'no user-data' });
    expect(await world.exists(`${instanceDir}/user-data.raw`)).toBe(false);
    await world.reboot();
    await world.run();
    expect(world.server.requests.filter((request) => request.path === '/latest/user-data').length).toBe(1);
  });

  it('empty: skipped', async () => {
    const { world } = await boot(withUserData({ user_data: '' }));
    expect(await world.step('user-data')).toMatchObject({ result: 'skipped', detail: 'user-data is empty' });
  });

  it('is stored 0600 under /var/lib, never in /tmp, and runs with its exit code recorded', async () => {
    const { world } = await boot(withUserData({ user_data: '#!/bin/sh\necho failing on purpose\nexit 3\n' }));
    expect(await world.userDataDone()).toMatchObject({
      result: 'failed',
      detail: expect.stringContaining('script exited 3'),
    });
    expect(await world.read(`${instanceDir}/user-data.exit`)).toBe('3\n');
    expect(await world.mode(`${instanceDir}/user-data.raw`)).toBe(0o600);
    expect(await world.mode(`${instanceDir}/user-data.log`)).toBe(0o600);
    expect(await world.mode(instanceDir)).toBe(0o700);
    expect(await readdir(world.path('tmp'))).toEqual([]);
    expect(await world.read(`${instanceDir}/user-data.log`)).toBe('failing on purpose\n');
  });

  it('runs a script with CRLF line ends', async () => {
    const { world } = await boot(withUserData({ user_data: '#!/bin/sh\r\necho crlf works\r\n' }));
    expect(await world.userDataDone()).toMatchObject({ result: 'ok' });
    expect((await world.step('user-data')).detail).toContain('script exited 0');
    expect(await world.read(`${instanceDir}/user-data.log`)).toBe('crlf works\n');
    expect(await world.read('var/log/emi-agent.log')).toContain('CRLF line ends converted');
  });

  it('reports a missing interpreter instead of running', async () => {
    const { world } = await boot(withUserData({ user_data: '#!/usr/bin/no-such-interpreter -x\nprint 1\n' }));
    expect(await world.step('user-data')).toMatchObject({
      result: 'failed',
      detail: 'interpreter /usr/bin/no-such-interpreter not found: script not run',
    });
  });

  it('decompresses gzip user-data and runs the script inside', async () => {
    const gz = gzipSync(Buffer.from('#!/bin/sh\necho from gzip\n'));
    const { world } = await boot(withUserData({ user_data_base64: gz.toString('base64') }));
    expect(await world.userDataDone()).toMatchObject({ result: 'ok' });
    expect(await world.read(`${instanceDir}/user-data.log`)).toBe('from gzip\n');
  });

  it('stops decompressing a gzip bomb at the cap', async () => {
    // 12 KiB of gzip that expands to 16 MiB: within the download cap, far over the decoded one.
    const bomb = gzipSync(Buffer.concat([Buffer.from('#!/bin/sh\n'), Buffer.alloc(16 * 1024 * 1024, 0x23)]), {
      level: 9,
    });
    expect(bomb.length).toBeLessThan(65536);
    const { world } = await boot(withUserData({ user_data_base64: bomb.toString('base64') }));
    expect(await world.step('user-data')).toMatchObject({
      result: 'failed',
      detail: 'gzip user-data expands beyond 65536 bytes: not used',
    });
    expect(await world.exists(`${instanceDir}/user-data`)).toBe(false);
  });

  it('refuses a 1 GiB gzip bomb and a 100 MiB body without downloading them', async () => {
    const { world, ms } = await boot(
      withUserData({
        faults: [{ path: '/latest/user-data', body_kind: 'gzip-bomb', size: 1024 * 1024 * 1024, times: 1 }],
      }),
    );
    expect(await world.step('user-data')).toMatchObject({
      result: 'failed',
      detail: 'user-data larger than 65536 bytes: not used',
    });
    expect(ms).toBeLessThan(10_000);

    await world.cleanup();
    const second = await boot(
      withUserData({ faults: [{ path: '/latest/user-data', body_kind: 'huge', size: 100 * 1024 * 1024 }] }),
    );
    expect(await second.world.step('user-data')).toMatchObject({ result: 'failed' });
    expect(second.ms).toBeLessThan(10_000);
    const files = await readdir(second.world.path(instanceDir));
    for (const file of files) {
      const size = (
        await runCommand('stat', ['-c', '%s', second.world.path(`${instanceDir}/${file}`)])
      ).stdout.trim();
      expect(Number(size)).toBeLessThanOrEqual(65536);
    }
  });

  it('does not run binary user-data', async () => {
    const binary = Buffer.from(Array.from({ length: 512 }, (_, index) => (index * 37) % 256));
    const { world } = await boot(withUserData({ user_data_base64: binary.toString('base64') }));
    expect(await world.step('user-data')).toMatchObject({
      result: 'skipped',
      detail: 'binary user-data, not a script: not run',
    });
  });

  it('logs #cloud-config and MIME as unsupported', async () => {
    const { world } = await boot(withUserData({ user_data: '#cloud-config\npackages: [nginx]\n' }));
    expect((await world.step('user-data')).detail).toBe('#cloud-config is not supported by this agent');
    await world.cleanup();
    const mime = await boot(
      withUserData({
        user_data: 'Content-Type: multipart/mixed; boundary="x"\nMIME-Version: 1.0\n\n--x--\n',
      }),
    );
    expect((await mime.world.step('user-data')).detail).toBe('MIME multipart is not supported by this agent');
  });

  it('stops a script that never ends at its timeout, while the agent ends by its deadline', async () => {
    const marker = `sleep 86${Math.floor(Math.random() * 900 + 100)}`;
    const { world, ms, console } = await boot(
      withUserData({ user_data: `#!/bin/sh\necho started\n${marker}\n` }),
      {
        DEADLINE: 3,
        USERDATA_TIMEOUT: 5,
      },
    );
    expect(ms).toBeLessThan(3000 + 2000);
    expect(console).toContain('still running at the deadline');
    expect(await world.step('user-data')).toMatchObject({ result: 'running' });
    expect(await world.userDataDone(20_000)).toMatchObject({
      result: 'failed',
      detail: 'script timed out after 5s (exit 124)',
    });
    const processes = await runCommand('ps', ['-eo', 'args']);
    expect(processes.stdout).not.toContain(marker);
    expect(await world.read(`${instanceDir}/user-data.exit`)).toBe('124\n');
  });

  it('gives a script /dev/null as stdin', async () => {
    const { world } = await boot(
      withUserData({
        user_data:
          '#!/bin/sh\nif read -r line; then echo "read: $line"; else echo "stdin is empty"; fi\ncat\n',
      }),
    );
    expect(await world.userDataDone()).toMatchObject({ result: 'ok' });
    expect(await world.read(`${instanceDir}/user-data.log`)).toBe('stdin is empty\n');
  });

  it('keeps the contents of user-data and the token out of the log, the console and the status', async () => {
    const secret = 'hunter2-0f9e8d7c';
    const { world, console } = await boot(
      withUserData({
        tokens: 'required',
        user_data: `#!/bin/sh\nDB_PASSWORD=${secret}\nexport DB_PASSWORD\ntrue\n`,
      }),
    );
    await world.userDataDone();
    const texts = [
      console,
      await world.read('var/log/emi-agent.log'),
      await world.read('var/lib/emi-agent/status.json'),
    ];
    for (const text of texts) {
      expect(text).not.toContain(secret);
      expect(text).not.toMatch(/AQAEA[A-Za-z0-9_-]{20,}/);
    }
    expect(
      world.server.requests.every((request) => request.method === 'PUT' || request.token === 'valid'),
    ).toBe(true);
  });

  it('retries at the next boot when the service failed to answer', async () => {
    const { world } = await boot(
      withUserData({
        user_data: '#!/bin/sh\necho at last\n',
        faults: [{ path: '/latest/user-data', status: 500 }],
      }),
      { RETRIES: 1 },
    );
    expect(await world.step('user-data')).toMatchObject({ result: 'failed' });
    await world.reboot();
    world.launch(withUserData({ user_data: '#!/bin/sh\necho at last\n' }));
    await world.run();
    expect(await world.userDataDone()).toMatchObject({ result: 'ok' });
    expect(await world.read(`${instanceDir}/user-data.log`)).toBe('at last\n');
  });
});
