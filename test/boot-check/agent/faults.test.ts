/** The agent against a misbehaving service: every run ends by its deadline with a status for each step. */
import { describe, expect } from 'vitest';
import type { Fault, InstanceConfig } from '../../../tools/boot-check/metadata/instance.js';
import type { AgentWorld } from '../../helpers/agent-world.js';
import { it } from '../../helpers/fixtures.js';

const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBcmvjq6m9ZcwlvW4dE6H0O5KfHq0m7oG2Fz3mW2G0nH faults@test';

function faulty(faults: Fault[], extra: Partial<InstanceConfig> = {}): InstanceConfig {
  return {
    instance_id: 'i-0123456789abcdef0',
    public_keys: [{ name: 'k', key }],
    user_data: '#!/bin/sh\necho user-data ran\n',
    faults,
    ...extra,
  };
}

const allSteps = [
  'metadata',
  'instance-id',
  'ssh-keys',
  'host-keys',
  'hostname',
  'swap',
  'ephemeral0',
  'user-data',
];

async function expectAllOk(target: AgentWorld): Promise<void> {
  await target.userDataDone();
  const steps = (await target.status()).steps;
  expect(steps.filter((step) => step.result !== 'ok' && step.result !== 'skipped')).toEqual([]);
  expect(await target.read('root/.ssh/authorized_keys')).toBe(`${key}\n`);
  expect(await target.read('etc/hostname')).toBe('ip-172-31-0-10\n');
}

describe('faults', () => {
  it('ends by its deadline when every path hangs, with every step in the status', async ({ makeWorld }) => {
    const world = await makeWorld({
      instance: faulty([{ path: '*', hang: true }]),
      config: { DEADLINE: 4, REQUEST_TIMEOUT: 2 },
    });
    const run = await world.run();
    expect(run.exitCode).toBe(0);
    // Its last second, then writing the status and exiting: 6.1 s was seen at load average 16
    // (test files run side by side). Without the deadline, 8 steps of hung 2 s requests and their
    // retries take far longer.
    expect(run.ms).toBeLessThan(4000 + 3000);
    const status = await world.status();
    expect(status.steps.map((step) => step.name)).toEqual(allSteps);
    expect(status.instance_id).toBeNull();
    expect(await world.step('instance-id')).toMatchObject({ result: 'failed' });
    for (const name of ['hostname', 'ssh-keys', 'user-data'])
      expect(await world.step(name)).toMatchObject({
        result: 'skipped',
        detail: expect.stringContaining('instance-id unknown'),
      });
    expect(await world.exists('var/lib/emi-agent/instances')).toBe(false);
  });

  it('retries a 500 a bounded number of times', async ({ makeWorld }) => {
    const world = await makeWorld({
      instance: faulty([{ path: '*', status: 500 }]),
      config: { RETRIES: 2 },
    });
    const run = await world.run();
    expect(run.exitCode).toBe(0);
    // Three tries of the token, three of the instance-id; nothing else is asked without an instance.
    expect(world.server.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      ...Array(3).fill('PUT /latest/api/token'),
      ...Array(3).fill('GET /latest/meta-data/instance-id'),
    ]);
    expect((await world.step('instance-id')).detail).toContain('HTTP 500 after 3 attempts');
  });

  it('waits as a 503 Retry-After says, within the deadline', async ({ makeWorld }) => {
    const world = await makeWorld({
      instance: faulty([{ path: '/latest/meta-data/instance-id', status: 503, retry_after: 1, times: 2 }]),
    });
    await world.run();
    const tries = world.server.requests.filter((request) => request.path === '/latest/meta-data/instance-id');
    expect(tries.map((request) => request.status)).toEqual([503, 503, 200]);
    expect((tries[1]?.at ?? 0) - (tries[0]?.at ?? 0)).toBeGreaterThanOrEqual(900);
    await expectAllOk(world);
  });

  it('retries a 429 and a 502, then uses the answer', async ({ makeWorld }) => {
    const world = await makeWorld({
      instance: faulty([
        { path: '/latest/meta-data/instance-id', status: 429, times: 1 },
        { path: '/latest/meta-data/local-hostname', status: 502, times: 2 },
      ]),
    });
    await world.run();
    await expectAllOk(world);
    expect(
      world.server.requests
        .filter((request) => request.path === '/latest/meta-data/local-hostname')
        .map((r) => r.status),
    ).toEqual([502, 502, 200]);
  });

  it('runs nothing per-instance when the instance-id is garbage', async ({ makeWorld }) => {
    const world = await makeWorld({
      instance: faulty([
        { path: '/latest/meta-data/instance-id', body: '<html><body>Service error</body></html>' },
      ]),
    });
    expect((await world.run()).exitCode).toBe(0);
    const status = await world.status();
    expect(status.instance_id).toBeNull();
    expect(await world.step('instance-id')).toMatchObject({
      result: 'failed',
      detail: 'the service answered something that is not an instance-id; per-instance steps will not run',
    });
    for (const name of ['hostname', 'ssh-keys', 'user-data'])
      expect(await world.step(name)).toMatchObject({ result: 'skipped' });
    expect(await world.exists('var/lib/emi-agent/instances')).toBe(false);
    expect(world.server.requests.some((request) => request.path === '/latest/user-data')).toBe(false);
  });

  it('gives up at once on a Retry-After beyond the deadline', async ({ makeWorld }) => {
    const world = await makeWorld({
      instance: faulty([{ path: '/latest/meta-data/instance-id', status: 503, retry_after: 120 }]),
      config: { DEADLINE: 10 },
    });
    const run = await world.run();
    expect(run.ms).toBeLessThan(3000);
    expect((await world.step('instance-id')).detail).toContain('no time left to retry before the deadline');
  });

  it('waits for a service that refuses connections for a while, then answers', async ({ makeWorld }) => {
    const world = await makeWorld({
      instance: faulty([], { refuse_seconds: 1.5 }),
      config: { RETRIES: 8, RETRY_BASE_MS: 200, RETRY_MAX_MS: 500 },
    });
    const run = await world.run();
    expect(run.exitCode).toBe(0);
    expect(world.server.requests[0]?.at).toBeGreaterThanOrEqual(1400);
    await expectAllOk(world);
  });

  it('retries a truncated body, a reset connection and a slow drip', async ({ makeWorld }) => {
    const world = await makeWorld({
      instance: faulty([
        { path: '/latest/meta-data/instance-id', truncate: true, times: 1 },
        { path: '/latest/meta-data/public-keys/0/openssh-key', reset: true, times: 2 },
        { path: '/latest/meta-data/local-hostname', drip_ms: 2000, times: 1 },
      ]),
      config: { REQUEST_TIMEOUT: 1 },
    });
    expect((await world.run()).exitCode).toBe(0);
    await expectAllOk(world);
    const statuses = (path: string) =>
      world?.server.requests.filter((request) => request.path === path).length;
    expect(statuses('/latest/meta-data/instance-id')).toBe(2);
    expect(statuses('/latest/meta-data/public-keys/0/openssh-key')).toBe(3);
    expect(statuses('/latest/meta-data/local-hostname')).toBe(2);
  });

  it('never follows a redirect', async ({ makeWorld }) => {
    const world = await makeWorld({
      instance: faulty([
        {
          path: '/latest/meta-data/public-keys/0/openssh-key',
          status: 301,
          headers: { Location: '/latest/meta-data/elsewhere' },
        },
      ]),
    });
    await world.run();
    expect(world.server.requests.some((request) => request.path === '/latest/meta-data/elsewhere')).toBe(
      false,
    );
    expect(await world.step('ssh-keys')).toMatchObject({ result: 'failed' });
    expect(await world.read('var/log/emi-agent.log')).toContain('HTTP 301 redirect, not followed');
    expect(await world.exists('root/.ssh/authorized_keys')).toBe(false);
  });

  for (const [status, expected] of [
    [404, 'IMDSv1 (no token service, HTTP 404)'],
    [405, 'IMDSv1 (no token service, HTTP 405)'],
    [400, 'IMDSv1 (token refused: HTTP 400)'],
  ] as const) {
    it(`falls back to IMDSv1 when the token request gets ${status}`, async ({ makeWorld }) => {
      const world = await makeWorld({ instance: faulty([{ path: '/latest/api/token', status }]) });
      await world.run();
      expect(await world.step('metadata')).toMatchObject({ result: 'ok', detail: expected });
      await expectAllOk(world);
      expect(world.server.requests.filter((request) => request.method === 'PUT').length).toBe(1);
    });
  }

  it('treats a 403 on the token as a disabled service: no metadata work', async ({ makeWorld }) => {
    const world = await makeWorld({ instance: faulty([{ path: '/latest/api/token', status: 403 }]) });
    const run = await world.run();
    expect(run.exitCode).toBe(0);
    expect(await world.step('metadata')).toMatchObject({
      result: 'skipped',
      detail: 'metadata service disabled, HTTP 403',
    });
    expect(world.server.requests.length).toBe(1);
  });

  it('refreshes a token that expires mid-run, once per request', async ({ makeWorld }) => {
    const world = await makeWorld({ instance: faulty([], { tokens: 'required', token_uses: 3 }) });
    expect((await world.run()).exitCode).toBe(0);
    await expectAllOk(world);
    const puts = world.server.requests.filter((request) => request.method === 'PUT').length;
    const rejected = world.server.requests.filter((request) => request.status === 401).length;
    expect(puts).toBeGreaterThan(2);
    expect(rejected).toBe(puts - 1);
  });

  it('ignores proxy variables pointing at a dead port', async ({ makeWorld }) => {
    const world = await makeWorld({ instance: faulty([]) });
    const dead = 'http://127.0.0.1:9';
    const run = await world.run({
      env: {
        http_proxy: dead,
        HTTP_PROXY: dead,
        https_proxy: dead,
        ALL_PROXY: dead,
        all_proxy: dead,
        no_proxy: '',
      },
    });
    expect(run.exitCode).toBe(0);
    await expectAllOk(world);
  });

  it('retries the Eucalyptus "200 System is still starting up" instead of using it', async ({
    makeWorld,
  }) => {
    const world = await makeWorld({
      instance: faulty([
        { path: '/latest/meta-data/local-hostname', body: 'System is still starting up', times: 2 },
      ]),
    });
    await world.run();
    await expectAllOk(world);
  });
});
