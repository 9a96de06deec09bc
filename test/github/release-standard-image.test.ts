/**
 * The real standard image (built once per test run) released to the local GitHub API and fetched
 * back: its record committed in a copy of the catalog it was built from, its artifact folder as the
 * build left it. The published assets equal the record's files (the raw .img is not one), and
 * `emi fetch` gets them back verified.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { cp, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { releaseTag } from '../../tools/github/release-tag.js';
import { runCommand } from '../../tools/lib/exec.js';
import { createTempDir, isolatedGitEnv } from '../helpers/git-repo.js';
import { type FakeGitHub, startFakeGitHub } from '../helpers/github-api/fake-github.js';
import { runAgainst, writeToken } from '../helpers/github-api/run-github.js';
import { describeAsRoot } from '../helpers/root-tests.js';
import { beforeAllStandardImage, type StandardImage } from '../helpers/standard-image.js';

let image: StandardImage;
let catalog: string;
let fake: FakeGitHub;

beforeAllStandardImage(async (built) => {
  image = built;
  catalog = join(await createTempDir('emi-release-std-'), 'catalog');
  await cp(built.catalog, catalog, { recursive: true, verbatimSymlinks: true });
  const env = isolatedGitEnv(catalog);
  await runCommand('git', ['add', 'EMI-IDs', 'image-ids'], { cwd: catalog, env });
  // The build leaves the record uncommitted; the record job of build.yml commits it.
  await runCommand(
    'git',
    [
      'commit',
      '--quiet',
      '--allow-empty',
      '--no-verify',
      '-m',
      'euca-debian-emi x86_64\n\nThe standard image.\n',
    ],
    { cwd: catalog, env },
  );
  fake = await startFakeGitHub({ tokens: { [writeToken]: 'write' } });
});

afterAll(async () => {
  await fake?.close();
  if (catalog) await rm(join(catalog, '..'), { recursive: true, force: true });
});

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

describeAsRoot('releasing the standard image', () => {
  it(
    'publishes the record files and emi fetch gets them back verified',
    async () => {
      const run = await runAgainst(
        fake,
        ['release', '--line', 'euca-debian-emi', '--arch', 'x86_64', '--from', image.outDir, '--json'],
        { cwd: catalog, timeoutMs: 10 * 60_000 },
      );
      expect(run.stderr).toBe('');
      expect(run.exitCode).toBe(0);
      const release = fake.release(releaseTag(image.record));
      expect(release?.draft).toBe(false);
      const stem = image.record.image_file.replace(/\.img$/, '');
      const names = (release?.assets ?? []).map((asset) => asset.name).sort();
      const local = (await readdir(image.dir)).filter((name) => name !== `${stem}.img`);
      expect(names).toEqual(
        local.map((name) => (name === 'verify.json' ? `${stem}.verify.json` : name)).sort(),
      );
      for (const artifact of image.record.artifacts ?? []) {
        if (artifact.name === `${stem}.img`) continue;
        const asset = release?.assets.find((a) => a.name === artifact.name);
        expect(asset?.bytes.length).toBe(artifact.size);
        expect(
          createHash('sha256')
            .update(asset?.bytes ?? Buffer.alloc(0))
            .digest('hex'),
        ).toBe(artifact.sha256);
      }
      expect(fake.violations).toEqual([]);

      const to = await createTempDir('emi-fetch-std-');
      try {
        const fetched = await runAgainst(fake, ['fetch', 'euca-debian-emi', '--to', to, '--json'], {
          cwd: catalog,
          token: undefined,
          timeoutMs: 10 * 60_000,
        });
        expect(fetched.exitCode).toBe(0);
        const tarball = `${stem}.tgz`;
        const recorded = image.record.artifacts?.find((a) => a.name === tarball);
        expect(await sha256Of(join(to, stem, tarball))).toBe(recorded?.sha256);
      } finally {
        await rm(to, { recursive: true, force: true });
      }
      expect(fake.violations).toEqual([]);
    },
    20 * 60_000,
  );
});
