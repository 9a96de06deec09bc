/**
 * A small Debian mirror for tests: dists/<suite>/ with Packages indexes (plain and .xz) and a
 * Release file listing their sizes and SHA256, signed with a throwaway key made here with gnupg
 * (InRelease, or Release + Release.gpg), and the keyring that verifies it. Served on loopback.
 */
import { createHash } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from '../../tools/lib/exec.js';
import { createTempDir } from './git-repo.js';

export interface SuiteSpec {
  suite: string;
  /** Package → version, per arch (Debian's names: amd64, i386). */
  packages: Record<string, Record<string, string>>;
  /** Sign as InRelease (default) or as Release + Release.gpg. */
  detached?: boolean;
}

export interface TestKey {
  home: string;
  keyring: string;
  /** Runs gpg with this key's home. */
  gpg(args: string[], input?: string): Promise<string>;
  cleanup(): Promise<void>;
}

export async function createTestKey(name = 'EMI Test Archive'): Promise<TestKey> {
  const home = await createTempDir('emi-gpg-');
  const gpg = async (args: string[], input?: string) =>
    (
      await runCommand(
        'gpg',
        ['--homedir', home, '--batch', '--quiet', '--pinentry-mode', 'loopback', '--passphrase', '', ...args],
        {
          ...(input === undefined ? {} : { input }),
        },
      )
    ).stdout;
  await gpg(['--quick-generate-key', `${name} <archive@example.invalid>`, 'ed25519', 'sign', 'never']);
  const keyring = join(home, 'archive-keyring.gpg');
  await gpg(['--output', keyring, '--export']);
  return { home, keyring, gpg, cleanup: () => rm(home, { recursive: true, force: true }) };
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

export async function writeMirror(root: string, suites: readonly SuiteSpec[], key: TestKey): Promise<void> {
  for (const spec of suites) {
    const dists = join(root, 'dists', spec.suite);
    await rm(dists, { recursive: true, force: true });
    const listed: string[] = [];
    for (const [arch, packages] of Object.entries(spec.packages)) {
      const text = Object.entries(packages)
        .map(
          ([name, version]) =>
            `Package: ${name}\nVersion: ${version}\nArchitecture: ${arch}\nDescription: test package ${name}\n`,
        )
        .join('\n');
      const plain = Buffer.from(text);
      const xz = Buffer.from(
        (await runCommand('xz', ['-c'], { input: plain, binary: true })).stdoutBytes ?? new Uint8Array(),
      );
      const dir = join(dists, 'main', `binary-${arch}`);
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'Packages'), plain);
      await writeFile(join(dir, 'Packages.xz'), xz);
      listed.push(
        ` ${sha256(xz)} ${xz.length} main/binary-${arch}/Packages.xz`,
        ` ${sha256(plain)} ${plain.length} main/binary-${arch}/Packages`,
      );
    }
    const release = [
      'Origin: Debian',
      `Suite: ${spec.suite}`,
      `Codename: ${spec.suite}`,
      'Date: Tue, 01 Dec 2026 00:00:00 UTC',
      'Valid-Until: Tue, 01 Dec 2099 00:00:00 UTC',
      `Architectures: ${Object.keys(spec.packages).join(' ')}`,
      'Components: main',
      'SHA256:',
      ...listed,
      '',
    ].join('\n');
    if (spec.detached) {
      await writeFile(join(dists, 'Release'), release);
      await key.gpg([
        '--armor',
        '--output',
        join(dists, 'Release.gpg'),
        '--detach-sign',
        join(dists, 'Release'),
      ]);
    } else {
      await writeFile(join(dists, 'InRelease'), await key.gpg(['--clearsign', '--output', '-'], release));
    }
  }
}
