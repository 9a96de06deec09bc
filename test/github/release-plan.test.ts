/** The pure parts of releasing: the plan, the retry rule, the body limit, the asset checks. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  defaultRetryPolicy,
  type Release,
  type ReleaseAsset,
  retryDelay,
} from '../../tools/github/github-api.js';
import { collectReleaseAssets } from '../../tools/github/release-assets.js';
import { limitBody, makeLatest } from '../../tools/github/release-images.js';
import { findRelease, planRelease } from '../../tools/github/release-plan.js';
import { makeReleaseFixture, type ReleaseFixture } from '../helpers/github-api/release-fixture.js';

const fields = { tag_name: 't', target_commitish: 'c', name: 'n', body: 'b', make_latest: makeLatest };
const want = [
  { name: 'a.tgz', size: 3, sha256: '1'.repeat(64) },
  { name: 'SHA256SUMS', size: 2, sha256: '2'.repeat(64) },
];
const asset = (name: string, over: Partial<ReleaseAsset> = {}): ReleaseAsset => ({
  id: name.length,
  name,
  size: name === 'a.tgz' ? 3 : 2,
  state: 'uploaded',
  digest: `sha256:${(name === 'a.tgz' ? '1' : '2').repeat(64)}`,
  url: '',
  browser_download_url: '',
  ...over,
});
const release = (draft: boolean, assets: ReleaseAsset[]): Release => ({
  id: 1,
  tag_name: 't',
  name: 'n',
  body: 'b',
  draft,
  prerelease: false,
  immutable: !draft,
  target_commitish: 'c',
  html_url: 'h',
  upload_url: 'u',
  assets,
});

describe('planRelease', () => {
  it('creates, uploads in order, verifies and publishes a new release', () => {
    const plan = planRelease(fields, want, undefined);
    expect(plan.steps.map((s) => s.type)).toEqual(['create', 'upload', 'upload', 'verify', 'publish']);
  });

  it('repairs a draft: deletes the starter, a mismatch and a stray asset; keeps what matches', () => {
    const plan = planRelease(
      fields,
      want,
      release(true, [asset('a.tgz', { state: 'starter', size: 0 }), asset('SHA256SUMS'), asset('old.txt')]),
    );
    expect(
      plan.steps.map((s) =>
        s.type === 'delete' || s.type === 'upload' ? `${s.type} ${'asset' in s ? s.asset.name : ''}` : s.type,
      ),
    ).toEqual(['delete old.txt', 'delete a.tgz', 'upload a.tgz', 'verify', 'publish']);
  });

  it('does nothing to a published release that matches, and lists the problems of one that does not', () => {
    expect(planRelease(fields, want, release(false, [asset('a.tgz'), asset('SHA256SUMS')])).steps).toEqual(
      [],
    );
    const wrong = planRelease(
      fields,
      want,
      release(false, [asset('a.tgz', { digest: `sha256:${'f'.repeat(64)}` })]),
    );
    expect(wrong.problems).toEqual([
      `a.tgz has digest sha256:${'f'.repeat(64)}, expected sha256:${'1'.repeat(64)}`,
      'SHA256SUMS is missing',
    ]);
  });

  it('downloads to verify where GitHub gives no digest', () => {
    const plan = planRelease(
      fields,
      want,
      release(false, [asset('a.tgz', { digest: null }), asset('SHA256SUMS')]),
    );
    expect(plan.steps).toEqual([{ type: 'verify', assets: ['a.tgz'] }]);
  });

  it('finds the published release of a tag before a draft of it', () => {
    const draft = { ...release(true, []), id: 2 };
    expect(findRelease([draft, release(false, [])], 't')?.id).toBe(1);
    expect(findRelease([draft], 't')?.id).toBe(2);
    expect(findRelease([draft], 'other')).toBeUndefined();
  });
});

describe('retryDelay', () => {
  const policy = defaultRetryPolicy;
  it('honours retry-after on a secondary rate limit and the reset time on a primary one', () => {
    expect(retryDelay(403, { 'retry-after': '7' }, 1, policy)?.waitMs).toBe(7000);
    const now = 1_700_000_000_000;
    expect(
      retryDelay(
        403,
        { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 30) },
        1,
        policy,
        now,
      )?.waitMs,
    ).toBe(31_000);
    expect(retryDelay(429, {}, 1, policy)?.waitMs).toBe(60_000);
  });
  it('backs off on 5xx, and never retries a plain 403, a 404 or a 422', () => {
    expect(retryDelay(502, {}, 1, policy)?.waitMs).toBe(1000);
    expect(retryDelay(503, {}, 3, policy)?.waitMs).toBe(4000);
    expect(retryDelay(403, { 'x-ratelimit-remaining': '4000' }, 1, policy)).toBeUndefined();
    expect(retryDelay(404, {}, 1, policy)).toBeUndefined();
    expect(retryDelay(422, {}, 1, policy)).toBeUndefined();
  });
});

describe('limitBody', () => {
  it('keeps a body under the limit and cuts a longer one at a paragraph, with the link', () => {
    expect(limitBody('short', 'https://x/lines/a.html')).toBe('short');
    const long = Array.from({ length: 400 }, (_, i) => `paragraph ${i} ${'x'.repeat(500)}`).join('\n\n');
    const cut = limitBody(long, 'https://x/lines/a.html');
    expect(cut.length).toBeLessThanOrEqual(125_000);
    expect(cut).toMatch(/the whole entry is on the changelog page, https:\/\/x\/lines\/a\.html\n$/);
    expect(cut.split('\n\n…')[0]?.endsWith('x')).toBe(true);
  });
});

describe('collectReleaseAssets', () => {
  let fixture: ReleaseFixture | undefined;
  afterEach(async () => {
    await fixture?.repo.cleanup();
  });
  it('lists the assets in upload order, without the raw image, the report renamed', async () => {
    fixture = await makeReleaseFixture();
    const stem = fixture.record.image_file.replace(/\.img$/, '');
    const assets = await collectReleaseAssets(fixture.dir, fixture.record);
    expect(assets.map((a) => a.name)).toEqual([
      `${stem}.tgz`,
      `${stem}.vmlinuz`,
      `${stem}.initrd`,
      `${stem}.packages`,
      `${stem}.verify.json`,
      'build.json',
      'SHA256SUMS',
    ]);
  });
  it('refuses a file that is not the recorded one, a SHA256SUMS that disagrees, a report of a failed check', async () => {
    fixture = await makeReleaseFixture();
    const stem = fixture.record.image_file.replace(/\.img$/, '');
    const f = fixture;
    await writeFile(
      join(f.dir, 'verify.json'),
      JSON.stringify({ ok: false, image_file: f.record.image_file }),
    );
    await expect(collectReleaseAssets(f.dir, f.record)).rejects.toThrow(/did not pass/);
    const sums = (f.files.get('SHA256SUMS') as Buffer)
      .toString()
      .replace(/^[0-9a-f]{64}(?= {2}.*\.tgz$)/m, '0'.repeat(64));
    await writeFile(join(f.dir, 'SHA256SUMS'), sums);
    await writeFile(
      join(f.dir, 'verify.json'),
      JSON.stringify({ ok: true, image_file: f.record.image_file }),
    );
    await expect(collectReleaseAssets(f.dir, f.record)).rejects.toThrow(
      /SHA256SUMS: .*\.tgz has 0+, the record says/,
    );
    await writeFile(join(f.dir, `${stem}.initrd`), 'changed');
    await expect(collectReleaseAssets(f.dir, f.record)).rejects.toThrow(
      /initrd is 7 bytes, the record says 50000/,
    );
  });
  it('uses the report the record lists (i13a) instead of verify.json', async () => {
    fixture = await makeReleaseFixture();
    const stem = fixture.record.image_file.replace(/\.img$/, '');
    const report = Buffer.from('{"ok":true}\n');
    await writeFile(join(fixture.dir, `${stem}.verify.json`), report);
    const { createHash } = await import('node:crypto');
    const record = {
      ...fixture.record,
      artifacts: [
        ...(fixture.record.artifacts ?? []),
        {
          name: `${stem}.verify.json`,
          size: report.length,
          sha256: createHash('sha256').update(report).digest('hex'),
        },
      ],
    };
    // SHA256SUMS is written before the boot check: it need not list the report.
    const assets = await collectReleaseAssets(fixture.dir, record);
    const listed = assets.find((a) => a.name === `${stem}.verify.json`);
    expect(listed?.checkedAgainst).toBe('record');
    expect(listed?.size).toBe(report.length);
  });
});
