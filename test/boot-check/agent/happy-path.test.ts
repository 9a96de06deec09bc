/** The agent against a well-behaved service, in each token mode, and across reboots and instances. */
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect } from 'vitest';
import type { InstanceConfig } from '../../../tools/boot-check/metadata/instance.js';
import { agentPath, overlay } from '../../helpers/agent-world.js';
import { it } from '../../helpers/fixtures.js';
import { makeTestKeys, type TestKeys } from '../../helpers/ssh-keys.js';

let keys: TestKeys;
beforeAll(async () => {
  keys = await makeTestKeys();
});

const stepNames = [
  'metadata',
  'instance-id',
  'ssh-keys',
  'host-keys',
  'hostname',
  'swap',
  'ephemeral0',
  'user-data',
];

function instance(overrides: Partial<InstanceConfig> = {}): InstanceConfig {
  return {
    instance_id: 'i-0a1b2c3d4e5f60718',
    public_keys: [
      { name: 'alice', key: keys.ed25519 },
      { name: 'bob', key: keys.rsa },
    ],
    block_device_mapping: { ami: '/dev/xvda', root: '/dev/xvda', ephemeral0: 'sdb', swap: 'sdc' },
    user_data: '#!/bin/sh\necho "user-data ran as $(id -u)"\necho run >> "$0.count"\n',
    ...overrides,
  };
}

describe('happy paths', () => {
  for (const tokens of ['optional', 'required'] as const) {
    it(`does every step with tokens ${tokens}, each request carrying a valid token`, async ({
      makeWorld,
    }) => {
      const world = await makeWorld({
        instance: instance({ tokens }),
        disks: { vdb: 'ext4', vdc: 'swap' },
      });
      const run = await world.run();
      expect(run.exitCode).toBe(0);
      const status = await world.status();
      expect(status.instance_id).toBe('i-0a1b2c3d4e5f60718');
      expect(status.metadata).toBe('v2');
      await world.userDataDone();
      const final = await world.status();
      expect(final.steps.map((step) => step.name)).toEqual(stepNames);
      expect(final.steps.map((step) => `${step.name}:${step.result}`)).toEqual(
        stepNames.map((name) => `${name}:ok`),
      );
      for (const step of final.steps) expect(step.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

      const data = world.server.requests.filter((request) => request.method === 'GET');
      expect(data.length).toBeGreaterThan(5);
      expect(data.every((request) => request.token === 'valid')).toBe(true);
      expect(world.server.requests[0]).toMatchObject({
        method: 'PUT',
        path: '/latest/api/token',
        status: 200,
      });

      const authorized = await world.read('root/.ssh/authorized_keys');
      expect(authorized).toBe(`${keys.ed25519}\n${keys.rsa}\n`);
      expect(await world.mode('root/.ssh')).toBe(0o700);
      expect(await world.mode('root/.ssh/authorized_keys')).toBe(0o600);
      expect(await world.read('etc/hostname')).toBe('ip-172-31-0-10\n');
      expect(await world.commandsOf('hostname')).toEqual([['hostname', 'ip-172-31-0-10']]);
      expect(await world.commandsOf('swapon')).toEqual([['swapon', world.path('dev/vdc')]]);
      expect(await world.commandsOf('mount')).toEqual([
        ['mount', '-o', 'nofail', world.path('dev/vdb'), world.path('media/ephemeral0')],
      ]);
      for (const type of ['ed25519', 'ecdsa', 'rsa'])
        expect(await world.exists(`etc/ssh/ssh_host_${type}_key.pub`)).toBe(true);
      // The script runs as the agent itself, never as another user: root on an image, and here the
      // user running the tests.
      expect(await world.read('var/lib/emi-agent/instances/i-0a1b2c3d4e5f60718/user-data.log')).toBe(
        `user-data ran as ${process.getuid?.()}\n`,
      );

      // One console line per step, and the fingerprints of the new host keys.
      const lines = run.console.split('\n');
      for (const name of stepNames)
        expect(lines.filter((line) => line.startsWith(`emi-agent: ${name}: `)).length).toBeGreaterThanOrEqual(
          1,
        );
      expect(run.console).toContain('-----BEGIN SSH HOST KEY FINGERPRINTS-----');
      expect(run.console).toMatch(/256 SHA256:\S+ .*\(ED25519\)/);
    });
  }

  it('tells systemd it is ready once the keys are in place, before the disks and the user-data', async ({
    makeWorld,
  }) => {
    const world = await makeWorld({ instance: instance(), disks: { vdb: 'ext4', vdc: 'swap' } });
    // The stand-in systemd-notify also notes which host keys exist when sshd is let start.
    const notify = join(dirname(world.path('.')), 'bin', 'systemd-notify');
    const recorder = await readFile(notify, 'utf8');
    await writeFile(
      notify,
      recorder.replace(
        '#!/bin/sh\n',
        `#!/bin/sh\n(cd "$EMI_ROOT/etc/ssh" && ls ssh_host_*_key ssh_host_*_key.pub) >${JSON.stringify(world.path('keys-at-notify'))}\n`,
      ),
    );
    const run = await world.run({ env: { NOTIFY_SOCKET: '/run/systemd/notify' } });
    expect(run.exitCode).toBe(0);
    const calls = (await world.commands()).map((call) => call[0]);
    expect(calls).toEqual(['systemd-notify', 'hostname', 'swapon', 'mount']);
    expect(await world.commandsOf('systemd-notify')).toEqual([
      [
        'systemd-notify',
        '--ready',
        '--status=keys in place; the other host keys, hostname, disks and user-data next',
      ],
    ]);
    // sshd gets the ed25519 key at once; the slower ECDSA and RSA ones come while it runs, and
    // before the agent's end, with their fingerprints on the console.
    expect((await world.read('keys-at-notify')).split('\n').filter(Boolean)).toEqual([
      'ssh_host_ed25519_key',
      'ssh_host_ed25519_key.pub',
    ]);
    for (const type of ['ed25519', 'ecdsa', 'rsa'])
      expect(await world.exists(`etc/ssh/ssh_host_${type}_key.pub`)).toBe(true);
    expect(run.console.match(/SHA256:\S+/g)).toHaveLength(3);
    expect((await world.step('host-keys')).detail).toBe('generated: ed25519 ecdsa rsa');
    // Outside systemd (no NOTIFY_SOCKET) it says nothing, and says it once when it ran already.
    const again = await world.run({ env: { NOTIFY_SOCKET: '/run/systemd/notify' } });
    expect(again.console).toContain('already ran at this boot');
    expect((await world.commandsOf('systemd-notify')).at(-1)).toEqual([
      'systemd-notify',
      '--ready',
      '--status=already ran at this boot',
    ]);
  });

  it('does not call systemd-notify outside systemd', async ({ makeWorld }) => {
    const world = await makeWorld({ instance: instance() });
    expect((await world.run()).exitCode).toBe(0);
    expect(await world.commandsOf('systemd-notify')).toEqual([]);
  });

  it('works with IMDSv1 where tokens are optional but the token route is missing (404)', async ({
    makeWorld,
  }) => {
    const world = await makeWorld({
      instance: { ...instance(), faults: [{ path: '/latest/api/token', status: 404 }] },
    });
    expect((await world.run()).exitCode).toBe(0);
    expect((await world.step('metadata')).detail).toContain('IMDSv1');
    expect((await world.step('ssh-keys')).result).toBe('ok');
    expect(
      world.server.requests.filter((request) => request.method === 'GET').every((r) => r.token === 'none'),
    ).toBe(true);
  });

  it('works against Eucalyptus: no token route, the private IP as hostname, sda2/sda3 as vda2/vda3, a start-up window', async ({
    makeWorld,
  }) => {
    const world = await makeWorld({
      instance: {
        instance_id: 'i-3F2A9C1B',
        tokens: 'eucalyptus',
        local_ipv4: '10.1.2.3',
        starting_up_seconds: 1,
        public_keys: [{ name: 'admin', key: keys.rsa }],
        user_data: '#!/bin/sh\necho euca\n',
      },
      config: { RETRIES: 8, RETRY_BASE_MS: 200, RETRY_MAX_MS: 400 },
      disks: { vda2: 'ext4', vda3: 'swap' },
    });
    // Runs under BusyBox's sh as well as the system's: the agent is plain POSIX sh.
    const run = await world.run({ shell: ['busybox', 'sh'] });
    expect(run.exitCode).toBe(0);
    expect(world.server.requests.some((request) => request.status === 200 && request.at < 1000)).toBe(true);
    const token = world.server.requests.filter((request) => request.path === '/latest/api/token');
    expect(token.at(-1)?.status).toBe(404);
    expect(await world.step('metadata')).toMatchObject({
      result: 'ok',
      detail: 'IMDSv1 (no token service, HTTP 404)',
    });
    expect(await world.step('instance-id')).toMatchObject({ result: 'ok' });
    expect(await world.read('etc/hostname')).toBe('ip-10-1-2-3\n');
    expect(await world.read('etc/hosts')).toContain('10.1.2.3\tip-10-1-2-3\n');
    expect(await world.commandsOf('mount')).toEqual([
      ['mount', '-o', 'nofail', world.path('dev/vda2'), world.path('media/ephemeral0')],
    ]);
    expect(await world.commandsOf('swapon')).toEqual([['swapon', world.path('dev/vda3')]]);
    expect(await world.read('root/.ssh/authorized_keys')).toBe(`${keys.rsa}\n`);
    expect(await world.userDataDone()).toMatchObject({ result: 'ok' });
  });

  it('skips the metadata work, quickly and with exit 0, where the service is disabled (403)', async ({
    makeWorld,
  }) => {
    const world = await makeWorld({
      instance: { ...instance(), tokens: 'disabled' },
      disks: { vdb: 'ext4' },
    });
    const run = await world.run();
    expect(run.exitCode).toBe(0);
    expect(run.ms).toBeLessThan(5000);
    const status = await world.status();
    expect(status.steps.map((step) => `${step.name}:${step.result}`)).toEqual([
      'metadata:skipped',
      'instance-id:skipped',
      'ssh-keys:skipped',
      'host-keys:ok',
      'hostname:skipped',
      'swap:skipped',
      'ephemeral0:skipped',
      'user-data:skipped',
    ]);
    // No instance-id, no instance: only the missing host keys sshd needs are made.
    expect((await world.step('host-keys')).detail).toContain('instance-id unknown');
    expect(world.server.requests.map((request) => request.path)).toEqual(['/latest/api/token']);
    expect(await world.exists('root/.ssh/authorized_keys')).toBe(false);
  });
});

describe('reboots and new instances', () => {
  it('changes nothing at a reboot of the same instance', async ({ makeWorld }) => {
    const world = await makeWorld({ instance: instance(), disks: { vdb: 'ext4' } });
    await world.write('root/.ssh/authorized_keys', `from="10.0.0.0/8" ${keys.ecdsa}\n`, 0o600);
    expect((await world.run()).exitCode).toBe(0);
    await world.userDataDone();
    const files = [
      'root/.ssh/authorized_keys',
      'etc/hosts',
      'etc/hostname',
      'etc/ssh/ssh_host_ed25519_key',
      'etc/ssh/ssh_host_rsa_key.pub',
      'var/lib/emi-agent/instances/i-0a1b2c3d4e5f60718/user-data.log',
    ];
    const before = await Promise.all(files.map((file) => world?.read(file)));
    // The user's own line stays first, as it was.
    expect(before[0]).toBe(`from="10.0.0.0/8" ${keys.ecdsa}\n${keys.ed25519}\n${keys.rsa}\n`);

    for (let boot = 0; boot < 2; boot++) {
      await world.reboot();
      expect((await world.run()).exitCode).toBe(0);
    }
    expect(await Promise.all(files.map((file) => world?.read(file)))).toEqual(before);
    expect(await world.read('var/lib/emi-agent/instances/i-0a1b2c3d4e5f60718/user-data.count')).toBe('run\n');
    expect(await world.step('user-data')).toMatchObject({
      result: 'skipped',
      detail: 'already handled for this instance',
    });
    expect(await world.step('host-keys')).toMatchObject({ result: 'skipped' });
    expect((await world.read('etc/hosts')).match(/# BEGIN emi-agent/g)?.length).toBe(1);
    expect((await world.read('etc/hosts')).split('\n').length).toBe(5);
    // Each boot mounts again (mounts do not survive a reboot); the hostname is applied each time.
    expect((await world.commandsOf('mount')).length).toBe(3);
  });

  it('runs once per boot whichever of the unit and rc.local comes first', async ({ makeWorld }) => {
    const world = await makeWorld({ instance: instance() });
    await world.write('usr/sbin/emi-agent', await readFile(agentPath), 0o755);
    const rcLocal = join(overlay, 'etc/rc.local');
    const runs = await Promise.all([
      world.run({ script: world.path('usr/sbin/emi-agent') }),
      world.run({ script: rcLocal }),
    ]);
    expect(runs.map((run) => run.exitCode)).toEqual([0, 0]);
    const tokenRequests = () => world?.server.requests.filter((request) => request.method === 'PUT').length;
    expect(tokenRequests()).toBe(1);
    expect(runs.filter((run) => run.console.includes('already ran at this boot')).length).toBe(1);
    expect(runs.filter((run) => run.console.includes('emi-agent: ssh-keys: ok')).length).toBe(1);

    // rc.local alone at the next boot (an image without systemd) does the work.
    await world.reboot();
    const alone = await world.run({ script: rcLocal });
    expect(alone.exitCode).toBe(0);
    expect(alone.console).toContain('emi-agent: ssh-keys: ok');
    expect(tokenRequests()).toBe(2);
  });

  it('regenerates host keys and runs the new user-data for a new instance-id', async ({ makeWorld }) => {
    const world = await makeWorld({ instance: instance() });
    await world.run();
    await world.userDataDone();
    const oldKey = await world.read('etc/ssh/ssh_host_ed25519_key.pub');
    await world.reboot();
    world.launch(
      instance({ instance_id: 'i-0fedcba9876543210', user_data: '#!/bin/sh\necho second instance\n' }),
    );
    const run = await world.run();
    expect(run.exitCode).toBe(0);
    expect(await world.step('instance-id')).toMatchObject({
      result: 'ok',
      detail: 'i-0fedcba9876543210, first boot',
    });
    expect(await world.step('host-keys')).toMatchObject({
      result: 'ok',
      detail: 'generated: ed25519 ecdsa rsa',
    });
    expect(await world.read('etc/ssh/ssh_host_ed25519_key.pub')).not.toBe(oldKey);
    expect(run.console).toContain('-----BEGIN SSH HOST KEY FINGERPRINTS-----');
    expect(await world.userDataDone()).toMatchObject({ result: 'ok' });
    expect(await world.read('var/lib/emi-agent/instances/i-0fedcba9876543210/user-data.log')).toBe(
      'second instance\n',
    );
  });
});
