import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import {
  generateKeyPair,
  loginError,
  readRecordedHostKey,
  type SshTarget,
  sshArgs,
  sshWorkDir,
} from '../../tools/boot-check/ssh.js';
import { runCommand } from '../../tools/lib/exec.js';
import { it } from '../helpers/fixtures.js';

const target: SshTarget = {
  port: 40222,
  privateKey: '/work/first-instance.id_ed25519',
  knownHosts: '/work/first-instance.known_hosts',
  alias: 'emi-verify-first-instance',
  hostKeyChecking: 'accept-new',
  connectTimeoutSeconds: 10,
};

function option(args: string[], name: string): string | undefined {
  return args.find((arg, index) => args[index - 1] === '-o' && arg.startsWith(`${name}=`))?.split('=')[1];
}

describe('sshArgs', () => {
  it('logs in as root on the forwarded loopback port with our key alone, in batch mode', () => {
    const args = sshArgs(target, ['cat', '/proc/sys/kernel/random/boot_id']);
    expect(args.slice(0, 2)).toEqual(['-F', 'none']);
    expect(args.slice(-6)).toEqual([
      '-l',
      'root',
      '127.0.0.1',
      '--',
      'cat',
      '/proc/sys/kernel/random/boot_id',
    ]);
    expect(args[args.indexOf('-p') + 1]).toBe('40222');
    expect(args[args.indexOf('-i') + 1]).toBe('./first-instance.id_ed25519');
    expect(sshWorkDir(target)).toBe('/work');
    expect(option(args, 'IdentitiesOnly')).toBe('yes');
    expect(option(args, 'IdentityAgent')).toBe('none');
    expect(option(args, 'BatchMode')).toBe('yes');
    expect(option(args, 'PasswordAuthentication')).toBe('no');
    expect(option(args, 'ConnectTimeout')).toBe('10');
  });

  it("keeps host keys in the check's own known_hosts under a fixed alias, never the user's", () => {
    const args = sshArgs(target, ['true']);
    expect(option(args, 'UserKnownHostsFile')).toBe('./first-instance.known_hosts');
    expect(option(args, 'GlobalKnownHostsFile')).toBe('/dev/null');
    expect(option(args, 'HostKeyAlias')).toBe('emi-verify-first-instance');
    expect(option(args, 'StrictHostKeyChecking')).toBe('accept-new');
    expect(option(sshArgs({ ...target, hostKeyChecking: 'yes' }, ['true']), 'StrictHostKeyChecking')).toBe(
      'yes',
    );
  });

  it('names its files so that ssh neither splits nor expands a work folder with blanks, % or $', async ({
    tempDir: dir,
  }) => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${HOME}, as ssh would expand it
    const work = join(dir, 'my logs %h ${HOME}');
    await mkdir(work);
    // ssh -G lists only identity files that exist.
    await writeFile(join(work, 'first-instance.id_ed25519'), '', { mode: 0o600 });
    const inWork: SshTarget = {
      ...target,
      privateKey: join(work, 'first-instance.id_ed25519'),
      knownHosts: join(work, 'first-instance.known_hosts'),
    };
    const args = sshArgs(inWork, ['true']);
    // ssh -G prints the configuration ssh would use, as ssh itself reads these arguments.
    const shown = await runCommand('ssh', ['-G', ...args.slice(0, args.indexOf('--'))], {
      cwd: sshWorkDir(inWork),
      timeoutMs: 10_000,
    });
    const config = shown.stdout.split('\n');
    expect(config).toContain('userknownhostsfile ./first-instance.known_hosts');
    expect(config).toContain('identityfile ./first-instance.id_ed25519');
    // A key kept elsewhere must be a path ssh takes as it is.
    expect(() => sshArgs({ ...inWork, privateKey: join(dir, 'a%b', 'key') }, ['true'])).toThrow(
      /characters ssh would expand or split/,
    );
    expect(sshArgs({ ...inWork, privateKey: '/keys/id_ed25519' }, ['true'])).toContain('/keys/id_ed25519');
  });

  it('refuses command words the remote shell would reinterpret', () => {
    expect(() => sshArgs(target, ['echo', '$(reboot)'])).toThrow(/needs quoting/);
    expect(() => sshArgs(target, ['cat', 'a b'])).toThrow(/needs quoting/);
  });
});

describe('generateKeyPair', () => {
  it('makes a fresh ed25519 pair without a passphrase, private key 0600', async ({ tempDir: dir }) => {
    const first = await generateKeyPair(dir, 'one');
    const second = await generateKeyPair(dir, 'two');
    expect(first.publicKey).toMatch(/^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5\S+ one$/);
    expect(second.publicKey).not.toBe(first.publicKey);
    expect((await stat(first.privateKey)).mode & 0o777).toBe(0o600);
    expect(await readFile(first.privateKey, 'utf8')).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----/);
  });
});

describe('readRecordedHostKey', () => {
  it('reads the key ssh recorded under the alias', async ({ tempDir: dir }) => {
    const file = join(dir, 'known_hosts');
    await writeFile(
      file,
      'other ssh-rsa AAAAB3NzaC1yc2E\nemi-verify-first-instance ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKRkspLOmHig48fAFLvpPkwZNLCAMtGHAxSENHV8p/Vq\n',
    );
    expect(await readRecordedHostKey(file, 'emi-verify-first-instance')).toEqual({
      type: 'ssh-ed25519',
      blob: 'AAAAC3NzaC1lZDI1NTE5AAAAIKRkspLOmHig48fAFLvpPkwZNLCAMtGHAxSENHV8p/Vq',
    });
    expect(await readRecordedHostKey(file, 'nobody')).toBeUndefined();
    expect(await readRecordedHostKey(join(dir, 'missing'), 'nobody')).toBeUndefined();
  });
});

describe('loginError', () => {
  const result = (stderr: string) => ({ command: 'ssh', exitCode: 255, stdout: '', stderr });

  it('picks the telling line of ssh’s complaint', () => {
    expect(
      loginError(
        result(
          '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\n@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\nIT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!\nHost key verification failed.\n',
        ),
      ),
    ).toBe('Host key verification failed.');
    expect(loginError(result('root@127.0.0.1: Permission denied (publickey).\n'))).toBe(
      'root@127.0.0.1: Permission denied (publickey).',
    );
    expect(loginError(result('kex_exchange_identification: read: Connection reset by peer\n'))).toBe(
      'kex_exchange_identification: read: Connection reset by peer',
    );
    expect(loginError(result(''))).toBe('ssh exited with code 255');
  });
});
