/** The hostname from local-hostname: validated, written to /etc/hostname, a managed /etc/hosts block. */
import { describe, expect } from 'vitest';
import type { InstanceConfig } from '../../../tools/boot-check/metadata/instance.js';
import { it } from '../../helpers/fixtures.js';

function named(localHostname: string, extra: Partial<InstanceConfig> = {}): InstanceConfig {
  return {
    instance_id: 'i-0123456789abcdef0',
    local_hostname: localHostname,
    local_ipv4: '10.0.0.7',
    ...extra,
  };
}

describe('hostname', () => {
  it('uses the first label of a valid name, with the full name in /etc/hosts', async ({ makeWorld }) => {
    const world = await makeWorld({
      instance: named('Web-1.Example.internal'),
      files: { 'etc/hosts': '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost\n' },
    });
    await world.run();
    expect(await world.read('etc/hostname')).toBe('web-1\n');
    expect(await world.read('etc/hosts')).toBe(
      '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost\n' +
        '# BEGIN emi-agent: managed block, replaced at each boot\n10.0.0.7\tweb-1.example.internal web-1\n# END emi-agent\n',
    );
    expect(await world.commandsOf('hostname')).toEqual([['hostname', 'web-1']]);
  });

  it('turns an IPv4 literal into ip-a-b-c-d', async ({ makeWorld }) => {
    const world = await makeWorld({ instance: named('192.168.7.42') });
    await world.run();
    expect(await world.read('etc/hostname')).toBe('ip-192-168-7-42\n');
  });

  for (const [what, value] of [
    ['a command substitution', '$(reboot)'],
    ['backticks', '`reboot`'],
    ['several words', 'web server one'],
    ['300 characters', `${'a'.repeat(60)}.`.repeat(5)],
    ['a 64-character label', `${'b'.repeat(64)}.example`],
    ['a leading hyphen', '-rf.example'],
    ['an HTML page', '<html><body>404</body></html>'],
    ['two lines', 'good\nevil'],
    ['an empty answer', ''],
  ] as const) {
    it(`refuses ${what}: hostname and files left unchanged`, async ({ makeWorld }) => {
      const world = await makeWorld({
        instance: named(value),
        files: { 'etc/hosts': '127.0.0.1\tlocalhost\n' },
      });
      const run = await world.run();
      expect(run.exitCode).toBe(0);
      expect(await world.step('hostname')).toMatchObject({ result: 'failed' });
      expect(await world.exists('etc/hostname')).toBe(false);
      expect(await world.read('etc/hosts')).toBe('127.0.0.1\tlocalhost\n');
      expect(await world.commands()).not.toContainEqual(expect.arrayContaining(['reboot']));
      expect(await world.commandsOf('hostname')).toEqual([]);
      expect(await world.commandsOf('reboot')).toEqual([]);
      // The other steps ran.
      expect((await world.step('user-data')).result).toBe('skipped');
      expect(run.console).not.toContain('reboot');
    });
  }

  it('keeps a static hostname set by the admin', async ({ makeWorld }) => {
    const world = await makeWorld({ instance: named('ip-10-0-0-7.ec2.internal') });
    await world.run();
    expect(await world.read('etc/hostname')).toBe('ip-10-0-0-7\n');
    await world.write('etc/hostname', 'db-primary\n');
    await world.reboot();
    await world.run();
    expect(await world.read('etc/hostname')).toBe('db-primary\n');
    expect(await world.step('hostname')).toMatchObject({ result: 'skipped' });
    expect((await world.step('hostname')).detail).toContain('db-primary');
  });

  it('replaces its /etc/hosts block in place when the name changes', async ({ makeWorld }) => {
    const world = await makeWorld({
      instance: named('one.example'),
      files: { 'etc/hosts': '127.0.0.1\tlocalhost\n' },
    });
    await world.run();
    await world.write('etc/hosts', `${await world.read('etc/hosts')}192.0.2.1\tmine\n`);
    await world.reboot();
    world.launch(named('two.example', { instance_id: 'i-0aaaaaaaaaaaaaaaa', local_ipv4: '10.0.0.8' }));
    await world.run();
    expect(await world.read('etc/hosts')).toBe(
      '127.0.0.1\tlocalhost\n# BEGIN emi-agent: managed block, replaced at each boot\n10.0.0.8\ttwo.example two\n# END emi-agent\n192.0.2.1\tmine\n',
    );
    expect(await world.read('etc/hostname')).toBe('two\n');
  });
});
