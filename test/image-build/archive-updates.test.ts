import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findUpdates, parsePackagesIndex, readSuiteIndex } from '../../tools/image-build/archive-updates.js';
import { builderRecipeFiles } from '../helpers/build-fixtures.js';
import { makeRecord, recordFiles } from '../helpers/catalog-fixtures.js';
import { createTestKey, type SuiteSpec, type TestKey, writeMirror } from '../helpers/debian-mirror.js';
import { createRepo, createTempDir, type TempRepo } from '../helpers/git-repo.js';
import { runEmi } from '../helpers/run-emi.js';
import { type StaticServer, serveFolder } from '../helpers/static-server.js';

const suites: SuiteSpec[] = [
  {
    suite: 'bookworm',
    packages: { amd64: { bash: '5.2.15-2+b7', openssl: '3.0.15-1~deb12u1', curl: '7.88.1-10+deb12u8' } },
  },
  { suite: 'bookworm-updates', packages: { amd64: { curl: '7.88.1-10+deb12u12' } }, detached: true },
  {
    suite: 'bookworm-security',
    packages: { amd64: { openssl: '3.0.17-1~deb12u2', bash: '5.2.15-2+b7' } },
  },
];
const manifest =
  'bash\t5.2.15-2+b7\ncurl\t7.88.1-10+deb12u8\nlibc6:amd64\t2.36-9+deb12u9\nopenssl\t3.0.15-1~deb12u1\n';

let key: TestKey;
let other: TestKey;
let mirrorDir: string;
let server: StaticServer;
let base: string;
/** A loopback port nothing listens on (fetch refuses well-known ones such as 9 outright). */
let closed: string;
const repos: TempRepo[] = [];

beforeAll(async () => {
  [key, other] = await Promise.all([createTestKey(), createTestKey('Someone Else')]);
  mirrorDir = await createTempDir('emi-mirror-');
  await writeMirror(mirrorDir, suites, key);
  server = await serveFolder(mirrorDir);
  base = server.url.replace(/\/$/, '');
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closed = `http://127.0.0.1:${(probe.address() as { port: number }).port}`;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}, 120_000);
afterAll(async () => {
  await server?.close();
  await key?.cleanup();
  await other?.cleanup();
  for (const repo of repos) await repo.cleanup();
});

const read = (suite: string, keyring = key.keyring) =>
  readSuiteIndex({ base, suite, components: ['main'], arch: 'amd64', keyring, timeoutMs: 10_000 });

describe('reading the archive', () => {
  it('reads InRelease and Release + Release.gpg, verified, and the Packages index by its hash', async () => {
    expect([...(await read('bookworm')).entries()]).toEqual([
      ['bash', '5.2.15-2+b7'],
      ['openssl', '3.0.15-1~deb12u1'],
      ['curl', '7.88.1-10+deb12u8'],
    ]);
    expect((await read('bookworm-updates')).get('curl')).toBe('7.88.1-10+deb12u12');
    expect(server.requests).toContain('/dists/bookworm/main/binary-amd64/Packages.xz');
  });

  it('refuses a Release file signed by a key outside the keyring', async () => {
    await expect(read('bookworm', other.keyring)).rejects.toThrow(
      `the Release file of bookworm at ${base} is not signed by a key of ${other.keyring}`,
    );
  });

  it('refuses a Packages index that does not match the Release file', async () => {
    const dir = await createTempDir('emi-mirror-');
    await writeMirror(dir, suites, key);
    await writeFile(join(dir, 'dists/bookworm-security/main/binary-amd64/Packages.xz'), 'tampered');
    const tampered = await serveFolder(dir);
    try {
      await expect(
        readSuiteIndex({
          base: tampered.url.replace(/\/$/, ''),
          suite: 'bookworm-security',
          components: ['main'],
          arch: 'amd64',
          keyring: key.keyring,
          timeoutMs: 10_000,
        }),
      ).rejects.toThrow(
        /Packages\.xz does not match its Release file \(8 bytes, .*the mirror is inconsistent or being updated/,
      );
    } finally {
      await tampered.close();
    }
  });

  it('says which URL it could not read', async () => {
    await expect(
      readSuiteIndex({
        base: `${closed}/debian`,
        suite: 'bookworm',
        components: ['main'],
        arch: 'amd64',
        keyring: key.keyring,
        timeoutMs: 5000,
      }),
    ).rejects.toThrow(`cannot read ${closed}/debian/dists/bookworm/InRelease: ECONNREFUSED`);
  });

  it('compares with dpkg version order, security suites first', () => {
    const index = (entries: Record<string, string>) =>
      parsePackagesIndex(
        Object.entries(entries)
          .map(([name, version]) => `Package: ${name}\nVersion: ${version}\n`)
          .join('\n'),
      );
    const updates = findUpdates(
      [
        { name: 'a', version: '1.0~rc1' },
        { name: 'b', version: '2:1.0' },
        { name: 'z', version: '1.0' },
      ],
      [
        { suite: 'x-updates', index: index({ a: '1.0', b: '9.9', z: '1.0+deb1' }) },
        { suite: 'x-security', index: index({ z: '1.0+deb2' }) },
      ],
    );
    expect(updates).toEqual([
      { name: 'z', from: '1.0', to: '1.0+deb2', suite: 'x-security' },
      { name: 'a', from: '1.0~rc1', to: '1.0', suite: 'x-updates' },
    ]);
  });
});

describe('emi plan --refresh', () => {
  async function upToDateCatalog(packages = manifest): Promise<TempRepo> {
    const repo = await createRepo();
    repos.push(repo);
    await repo.commit(builderRecipeFiles, { message: 'recipes\n\nfirst\n' });
    const plan = await runEmi(['plan', '--json', '--arch', 'x86_64'], { cwd: repo.dir });
    const images = (JSON.parse(plan.stdout) as { images: { line: string; digest: string }[] }).images;
    const files: Record<string, string> = {};
    for (const [index, image] of images.entries()) {
      const record = {
        ...makeRecord({ name: image.line, epoch: 1785000000 + index * 86400 }),
        recipe_digest: image.digest,
      };
      Object.assign(files, recordFiles(record), { [`image-ids/${image.line}.x86_64.packages`]: packages });
    }
    await repo.commit(files, { message: 'Record\n\nbuilt\n' });
    return repo;
  }
  const env = () => ({ EMI_MIRROR: base, EMI_SECURITY_MIRROR: base });

  it('marks lines whose packages have newer versions, listing them security first', async () => {
    const repo = await upToDateCatalog();
    const result = await runEmi(['plan', '--refresh', '--arch', 'x86_64', '--keyring', key.keyring], {
      cwd: repo.dir,
      env: env(),
    });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(
      'build  euca-debian-emi.x86_64 (debian-based)\n       archive has updates: openssl 3.0.15-1~deb12u1 → 3.0.17-1~deb12u2 (bookworm-security), curl 7.88.1-10+deb12u8 → 7.88.1-10+deb12u12 (bookworm-updates)\n',
    );
    const matrix = await runEmi(
      ['plan', '--refresh', '--arch', 'x86_64', '--keyring', key.keyring, '--matrix'],
      {
        cwd: repo.dir,
        env: env(),
      },
    );
    expect(
      (JSON.parse(matrix.stdout) as { include: { force: boolean }[] }).include.map((entry) => entry.force),
    ).toEqual([true, true]);
    // Without --refresh the same catalog is up to date.
    const plain = await runEmi(['plan', '--arch', 'x86_64'], { cwd: repo.dir });
    expect(plain.stdout).toContain('nothing to build\n');
  });

  it('builds nothing when the archive moved but nothing in the image has a newer version', async () => {
    const repo = await upToDateCatalog(
      'bash\t5.2.15-2+b7\ncurl\t7.88.1-10+deb12u12\nopenssl\t3.0.17-1~deb12u2\n',
    );
    const result = await runEmi(['plan', '--refresh', '--arch', 'x86_64', '--keyring', key.keyring], {
      cwd: repo.dir,
      env: env(),
    });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('nothing to build\n');
  });

  it('makes an unreachable or untrusted mirror an error for the line, not "up to date"', async () => {
    const repo = await upToDateCatalog();
    const down = await runEmi(['plan', '--refresh', '--arch', 'x86_64', '--keyring', key.keyring], {
      cwd: repo.dir,
      env: {
        EMI_MIRROR: `${closed}/debian`,
        EMI_SECURITY_MIRROR: `${closed}/debian-security`,
      },
    });
    expect(down.exitCode).toBe(1);
    expect(down.stderr).toContain(
      `emi: euca-debian-emi.x86_64: cannot read ${closed}/debian/dists/bookworm/InRelease: ECONNREFUSED`,
    );
    expect(down.stdout).toContain('error  euca-debian-emi.x86_64 (debian-based)');
    const untrusted = await runEmi(['plan', '--refresh', '--arch', 'x86_64', '--keyring', other.keyring], {
      cwd: repo.dir,
      env: env(),
    });
    expect(untrusted.exitCode).toBe(1);
    expect(untrusted.stderr).toContain('is not signed by a key of');
  });
});
