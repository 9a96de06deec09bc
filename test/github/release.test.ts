/**
 * `emi release` end to end against the local GitHub API (test/helpers/github-api), which validates
 * every request and response against GitHub's OpenAPI description: the first release, a re-run,
 * a run killed mid-upload, 5xx and rate limits on the way, a published release that differs, and
 * the token's absence, lack of rights and absence from every output.
 */
import { createHash } from 'node:crypto';
import { rm, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { releaseTag } from '../../tools/github/release-tag.js';
import { type FakeGitHub, startFakeGitHub } from '../helpers/github-api/fake-github.js';
import { makeReleaseFixture, type ReleaseFixture } from '../helpers/github-api/release-fixture.js';
import {
  captured,
  readToken,
  runAgainst,
  spawnAgainst,
  writeToken,
} from '../helpers/github-api/run-github.js';

let fake: FakeGitHub;
let fixture: ReleaseFixture | undefined;

beforeEach(async () => {
  fake = await startFakeGitHub({ tokens: { [writeToken]: 'write', [readToken]: 'read' } });
});

afterEach(async () => {
  await fake.close();
  expect(fake.violations).toEqual([]);
  // Nor in anything sent to GitHub (bodies, names, queries).
  expect(JSON.stringify(fake.requests)).not.toContain(writeToken);
  expect(JSON.stringify(fake.releases)).not.toContain(writeToken);
  if (fixture) {
    await fixture.repo.cleanup();
    await rm(fixture.outDir, { recursive: true, force: true });
  }
  fixture = undefined;
});

afterAll(() => {
  // No run printed a token: not in output, errors, retries or --json.
  for (const text of captured) {
    expect(text).not.toContain(writeToken);
    expect(text).not.toContain(readToken);
  }
});

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** The assets a release of the fixture must have, by name: the record's (not the raw .img) and the rest. */
function expectedAssets(f: ReleaseFixture): Map<string, string> {
  const stem = f.record.image_file.replace(/\.img$/, '');
  const wanted = new Map<string, string>();
  for (const [name, bytes] of f.files) {
    if (name === `${stem}.img`) continue;
    wanted.set(name === 'verify.json' ? `${stem}.verify.json` : name, sha256(bytes));
  }
  return wanted;
}

function publishedAssets(tag: string): Map<string, string> {
  const release = fake.release(tag);
  return new Map((release?.assets ?? []).map((asset) => [asset.name, sha256(asset.bytes)]));
}

const releaseArgs = (f: ReleaseFixture, extra: string[] = []) => [
  'release',
  '--line',
  f.record.image_name,
  '--arch',
  f.record.image_arch,
  '--from',
  f.outDir,
  ...extra,
];

describe('emi release', () => {
  it('publishes the first release of a recorded image: assets equal the record, tag at the recording commit', async () => {
    fixture = await makeReleaseFixture({
      notes: 'Smaller package set; the agent retries the metadata service.',
    });
    const run = await runAgainst(fake, releaseArgs(fixture, ['--json']), { cwd: fixture.repo.dir });
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    const tag = releaseTag(fixture.record);
    const release = fake.release(tag);
    expect(release?.draft).toBe(false);
    expect(release?.target_commitish).toBe(fixture.commit);
    expect(release?.make_latest).toBe('false');
    expect(release?.body).toContain('the agent retries the metadata service');
    expect(release?.body).toContain('every check passed');
    expect(publishedAssets(tag)).toEqual(expectedAssets(fixture));
    // Created as a draft, published last; SHA256SUMS uploaded last.
    const writes = fake.writes();
    expect(writes[0]?.operationId).toBe('repos/create-release');
    expect(writes[0]?.json).toMatchObject({ draft: true, make_latest: 'false' });
    expect(writes.at(-1)?.operationId).toBe('repos/update-release');
    expect(writes.at(-2)?.query).toMatchObject({ name: 'SHA256SUMS' });
    const result = JSON.parse(run.stdout) as { releases: { action: string; url: string }[] };
    expect(result.releases[0]?.action).toBe('published');
  });

  it('changes nothing when run again: no request that writes', async () => {
    fixture = await makeReleaseFixture();
    expect((await runAgainst(fake, releaseArgs(fixture), { cwd: fixture.repo.dir })).exitCode).toBe(0);
    const before = fake.requests.length;
    const again = await runAgainst(fake, releaseArgs(fixture), { cwd: fixture.repo.dir });
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain('nothing to do');
    const second = fake.requests.slice(before);
    expect(second.filter((r) => r.method !== 'GET')).toEqual([]);
    expect(second.length).toBeGreaterThan(0);
  });

  it('resumes a run killed after one of three uploads: deletes the starter asset, uploads, publishes', async () => {
    fixture = await makeReleaseFixture({ minimal: true });
    fake.faults.push({
      operationId: 'repos/upload-release-asset',
      after: 1,
      action: { kind: 'starter-hang' },
    });
    const secondUpload = fake.waitFor('repos/upload-release-asset', 2);
    const child = spawnAgainst(fake, releaseArgs(fixture), { cwd: fixture.repo.dir });
    await secondUpload;
    await new Promise((resolve) => setTimeout(resolve, 200));
    child.process.kill('SIGKILL');
    await child.exit;
    const tag = releaseTag(fixture.record);
    const draft = fake.release(tag);
    expect(draft?.draft).toBe(true);
    expect(draft?.assets.map((asset) => asset.state)).toEqual(['uploaded', 'starter']);

    const before = fake.requests.length;
    const resumed = await runAgainst(fake, releaseArgs(fixture), { cwd: fixture.repo.dir });
    expect(resumed.stderr).toBe('');
    expect(resumed.exitCode).toBe(0);
    const ops = fake.requests.slice(before).map((r) => r.operationId);
    expect(ops).toContain('repos/delete-release-asset');
    expect(ops).not.toContain('repos/create-release');
    expect(fake.releases).toHaveLength(1);
    expect(fake.release(tag)?.draft).toBe(false);
    expect(publishedAssets(tag)).toEqual(expectedAssets(fixture));
  });

  it('verifies by downloading where GitHub gives no digest, and still writes nothing on a re-run', async () => {
    await fake.close();
    fake = await startFakeGitHub({ tokens: { [writeToken]: 'write' }, digests: false });
    fixture = await makeReleaseFixture({ minimal: true });
    const run = await runAgainst(fake, releaseArgs(fixture, ['--json']), { cwd: fixture.repo.dir });
    expect(run.exitCode).toBe(0);
    const tag = releaseTag(fixture.record);
    expect(publishedAssets(tag)).toEqual(expectedAssets(fixture));
    expect(fake.requests.filter((r) => r.operationId === 'storage')).toHaveLength(3);
    const before = fake.requests.length;
    expect((await runAgainst(fake, releaseArgs(fixture), { cwd: fixture.repo.dir })).exitCode).toBe(0);
    const again = fake.requests.slice(before);
    expect(again.filter((r) => r.operationId === 'storage')).toHaveLength(3);
    expect(again.filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('sends uploads to the upload_url the API returned, on its own server as uploads.github.com is', async () => {
    await fake.close();
    fake = await startFakeGitHub({ tokens: { [writeToken]: 'write' }, separateUploads: true });
    fixture = await makeReleaseFixture({ minimal: true });
    const run = await runAgainst(fake, releaseArgs(fixture), { cwd: fixture.repo.dir });
    expect(run.exitCode).toBe(0);
    const uploads = fake.requests.filter((r) => r.operationId === 'repos/upload-release-asset');
    expect(uploads).toHaveLength(3);
    expect(uploads.every((r) => r.server === 'uploads')).toBe(true);
    expect(fake.requests.filter((r) => r.server === 'uploads')).toHaveLength(3);
    expect(publishedAssets(releaseTag(fixture.record))).toEqual(expectedAssets(fixture));
  });

  it('finds its draft on a later page of the release list', async () => {
    fixture = await makeReleaseFixture({ minimal: true });
    const tag = releaseTag(fixture.record);
    fake.addRelease({ tag_name: tag, draft: true });
    for (let n = 0; n < 120; n++)
      fake.addRelease({ tag_name: `other-emi.x86_64-2020.01.${String(n).padStart(2, '0')}` });
    const run = await runAgainst(fake, releaseArgs(fixture), { cwd: fixture.repo.dir });
    expect(run.exitCode).toBe(0);
    const listed = fake.requests.filter((r) => r.operationId === 'repos/list-releases');
    expect(listed.map((r) => r.query.page ?? '1')).toEqual(['1', '2']);
    expect(fake.writes().map((r) => r.operationId)).not.toContain('repos/create-release');
    expect(fake.releases.filter((r) => r.tag_name === tag)).toHaveLength(1);
    expect(publishedAssets(tag)).toEqual(expectedAssets(fixture));
  });

  it('recovers from 502s, a secondary rate limit and a 502 that leaves a starter asset', async () => {
    fixture = await makeReleaseFixture({ minimal: true });
    fake.faults.push(
      {
        operationId: 'repos/list-releases',
        times: 2,
        action: { status: 502, body: { message: 'Server Error' } },
      },
      {
        operationId: 'repos/create-release',
        action: {
          status: 403,
          headers: { 'retry-after': '1' },
          body: {
            message:
              'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
            documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
          },
        },
      },
      { operationId: 'repos/upload-release-asset', action: { kind: 'starter-502' } },
    );
    const run = await runAgainst(fake, releaseArgs(fixture, ['--json']), { cwd: fixture.repo.dir });
    expect(run.exitCode).toBe(0);
    const tag = releaseTag(fixture.record);
    expect(fake.release(tag)?.draft).toBe(false);
    expect(publishedAssets(tag)).toEqual(expectedAssets(fixture));
    const statuses = fake.requests.map((r) => `${r.operationId} ${r.status}`);
    expect(statuses.filter((s) => s === 'repos/list-releases 502')).toHaveLength(2);
    expect(statuses).toContain('repos/create-release 403');
    expect(statuses).toContain('repos/upload-release-asset 502');
    expect(statuses).toContain('repos/delete-release-asset 204');
    expect((JSON.parse(run.stdout) as { retries: number }).retries).toBe(3);
  }, 60_000);

  it('fails hard on a published release with a wrong asset, naming it, and sends no write', async () => {
    fixture = await makeReleaseFixture({ minimal: true });
    const stem = fixture.record.image_file.replace(/\.img$/, '');
    const tag = releaseTag(fixture.record);
    fake.addRelease({ tag_name: tag, immutable: true }, [
      { name: `${stem}.tgz`, bytes: Buffer.from('not the recorded tarball') },
      { name: 'build.json', bytes: fixture.files.get('build.json') as Buffer },
      { name: 'SHA256SUMS', bytes: fixture.files.get('SHA256SUMS') as Buffer },
    ]);
    const run = await runAgainst(fake, releaseArgs(fixture), { cwd: fixture.repo.dir });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(`${stem}.tgz`);
    expect(run.stderr).toContain('published');
    expect(fake.writes()).toEqual([]);
    const pending = await runAgainst(fake, ['release', '--pending', '--from', fixture.outDir], {
      cwd: fixture.repo.dir,
    });
    expect(pending.exitCode).toBe(1);
    expect(fake.writes()).toEqual([]);
  });

  it('refuses to run without a token, before any request; --dry-run needs none and writes nothing', async () => {
    fixture = await makeReleaseFixture({ minimal: true });
    const run = await runAgainst(fake, releaseArgs(fixture), { cwd: fixture.repo.dir, token: undefined });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/no GitHub token: set GITHUB_TOKEN/);
    expect(fake.requests).toEqual([]);
    const dry = await runAgainst(fake, releaseArgs(fixture, ['--dry-run']), {
      cwd: fixture.repo.dir,
      token: undefined,
    });
    expect(dry.exitCode).toBe(0);
    expect(dry.stdout).toMatch(/would: create draft; upload .*\.tgz/);
    expect(fake.writes()).toEqual([]);
  });

  it('reports a token without write access plainly, and creates nothing', async () => {
    fixture = await makeReleaseFixture({ minimal: true });
    const run = await runAgainst(fake, releaseArgs(fixture), { cwd: fixture.repo.dir, token: readToken });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/403.*Resource not accessible by integration.*no write access/);
    expect(fake.releases).toEqual([]);
    expect(run.stderr).not.toContain('authorization');
  });

  it('stops on a file over the 2 GiB asset limit before anything is created', async () => {
    fixture = await makeReleaseFixture({ minimal: true });
    const stem = fixture.record.image_file.replace(/\.img$/, '');
    // Sparse: 2 GiB on paper, no disk used.
    await truncate(join(fixture.dir, `${stem}.tgz`), 2 * 1024 ** 3);
    const run = await runAgainst(fake, releaseArgs(fixture), { cwd: fixture.repo.dir });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/under 2 GiB/);
    expect(fake.writes()).toEqual([]);
  });

  it('--pending skips a record with no release and no files, releases it from its files, then checks it without them', async () => {
    fixture = await makeReleaseFixture({ minimal: true });
    const absent = await runAgainst(fake, ['release', '--pending', '--from', join(fixture.outDir, 'none')], {
      cwd: fixture.repo.dir,
    });
    expect(absent.exitCode).toBe(0);
    expect(absent.stderr).toMatch(/warning: .* not released: no artifact folder/);
    expect(fake.writes()).toEqual([]);
    const first = await runAgainst(fake, ['release', '--pending', '--from', fixture.outDir, '--json'], {
      cwd: fixture.repo.dir,
    });
    expect(first.exitCode).toBe(0);
    expect(fake.release(releaseTag(fixture.record))?.draft).toBe(false);
    // Published: no files needed to see that it matches the record.
    const elsewhere = await runAgainst(
      fake,
      ['release', '--pending', '--from', join(fixture.outDir, 'none')],
      {
        cwd: fixture.repo.dir,
      },
    );
    expect(elsewhere.exitCode).toBe(0);
    expect(elsewhere.stdout).toContain('nothing to do');
  });
});
