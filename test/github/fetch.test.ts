/**
 * `emi fetch` against the local GitHub API: a published release downloaded without a token and
 * verified against the record in git; a corrupted download refused with nothing left; Ctrl-C midway
 * leaves nothing; an earlier version found in the record's history.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordFiles } from '../helpers/catalog-fixtures.js';
import { createTempDir } from '../helpers/git-repo.js';
import { type FakeGitHub, startFakeGitHub } from '../helpers/github-api/fake-github.js';
import { makeReleaseFixture, type ReleaseFixture } from '../helpers/github-api/release-fixture.js';
import { captured, runAgainst, spawnAgainst, writeToken } from '../helpers/github-api/run-github.js';

let fake: FakeGitHub;
let fixture: ReleaseFixture;
let to: string;

beforeEach(async () => {
  fake = await startFakeGitHub({ tokens: { [writeToken]: 'write' } });
  fixture = await makeReleaseFixture();
  const released = await runAgainst(
    fake,
    ['release', '--line', fixture.record.image_name, '--arch', 'x86_64', '--from', fixture.outDir],
    { cwd: fixture.repo.dir },
  );
  expect(released.exitCode).toBe(0);
  to = await createTempDir('emi-fetch-to-');
});

afterEach(async () => {
  await fake.close();
  expect(fake.violations).toEqual([]);
  await fixture.repo.cleanup();
  await rm(fixture.outDir, { recursive: true, force: true });
  await rm(to, { recursive: true, force: true });
});

afterAll(() => {
  for (const text of captured) expect(text).not.toContain(writeToken);
});

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const stemOf = (f: ReleaseFixture) => f.record.image_file.replace(/\.img$/, '');

describe('emi fetch', () => {
  it('downloads the release without a token and verifies every file against the record', async () => {
    const before = fake.requests.length;
    const run = await runAgainst(fake, ['fetch', 'euca-debian-emi', '--to', to, '--json'], {
      cwd: fixture.repo.dir,
      token: undefined,
    });
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    const result = JSON.parse(run.stdout) as { dir: string; files: { name: string; sha256: string }[] };
    const stem = stemOf(fixture);
    expect(result.dir).toBe(join(to, stem));
    expect(await readdir(to)).toEqual([stem]);
    const names = (await readdir(result.dir)).sort();
    expect(names).toEqual(
      [
        `${stem}.tgz`,
        `${stem}.vmlinuz`,
        `${stem}.initrd`,
        `${stem}.packages`,
        'build.json',
        'SHA256SUMS',
      ].sort(),
    );
    for (const name of names)
      expect(sha256(await readFile(join(result.dir, name)))).toBe(sha256(fixture.files.get(name) as Buffer));
    expect(fake.requests.slice(before).every((r) => !r.authenticated)).toBe(true);
    expect(fake.requests.slice(before).every((r) => r.method === 'GET')).toBe(true);
  });

  it('refuses a corrupted download and leaves nothing behind', async () => {
    // The second storage download is the tarball (SHA256SUMS comes first).
    fake.faults.push({ operationId: 'storage', after: 1, action: { kind: 'corrupt' } });
    // Into a folder that does not exist yet: the folders it makes go too.
    const into = join(to, 'downloads', 'images');
    const run = await runAgainst(fake, ['fetch', 'euca-debian-emi', '--arch', 'x86_64', '--to', into], {
      cwd: fixture.repo.dir,
    });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/\.tgz from release .* sha256 .* refused, nothing kept/);
    expect(await readdir(to)).toEqual([]);
  });

  it('leaves nothing behind when interrupted midway (Ctrl-C)', async () => {
    fake.faults.push({ operationId: 'storage', after: 1, action: { kind: 'stall-after', bytes: 100_000 } });
    const stalled = fake.waitFor('storage', 2);
    const child = spawnAgainst(fake, ['fetch', 'euca-debian-emi', '--to', to], { cwd: fixture.repo.dir });
    await stalled;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await readdir(to)).length).toBe(1); // the hidden stage, while it runs
    child.process.kill('SIGINT');
    const exit = await child.exit;
    expect(exit.code).toBe(130);
    expect(await readdir(to)).toEqual([]);
  });

  it('fetches an earlier version from the record file history, and refuses an unknown one', async () => {
    const first = fixture.record;
    // A later version of the line is recorded (not released): --version picks the first from history.
    await fixture.repo.commit(
      recordFiles({ ...first, image_version: '2099.01.01', image_file: 'euca-debian-2099.01.01-x86_64.img' }),
      { message: 'euca-debian-emi x86_64 2099.01.01\n\nA later version.\n' },
    );
    const old = await runAgainst(
      fake,
      ['fetch', 'euca-debian-emi.x86_64', '--version', first.image_version, '--to', to],
      { cwd: fixture.repo.dir, token: undefined },
    );
    expect(old.exitCode).toBe(0);
    expect(old.stdout).toMatch(/verified against the record/);
    const current = await runAgainst(fake, ['fetch', 'euca-debian-emi', '--to', join(to, 'x')], {
      cwd: fixture.repo.dir,
      token: undefined,
    });
    expect(current.exitCode).toBe(1);
    expect(current.stderr).toMatch(/no published release euca-debian-emi\.x86_64-2099\.01\.01/);
    const unknown = await runAgainst(fake, ['fetch', 'euca-debian-emi', '--version', '1999.01.01'], {
      cwd: fixture.repo.dir,
      token: undefined,
    });
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toMatch(/has no version 1999\.01\.01/);
  });
});
