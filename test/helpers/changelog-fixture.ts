/**
 * A small catalog history for the changelog tests, built in a temporary repository with dated
 * commits: releases of two lines, recipe changes between them (one on a merged side branch),
 * package lists that change, a registration in a cloud (emi register's commit: same version, new
 * registrations), a rename, a deprecation, a retired line, and commit messages holding
 * Markdown, HTML (an injected <script>) and non-ASCII text.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  expectedImageFile,
  type ImageRecord,
  renderImageId,
  renderRecord,
} from '../../tools/catalog/record-files.js';
import { runCommand } from '../../tools/lib/exec.js';
import { makeRecord, testRecipe } from './catalog-fixtures.js';
import { createRepo, type TempRepo, testIdentity } from './git-repo.js';

export const injectedScript = '<script>window.__injected = true; document.title = "pwned";</script>';

export const firstMessage = `First Debian image: bookworm 12.4

Built from the **debian-based** recipe with \`curl\` & friends.
${injectedScript}
<img src="x" onerror="window.__injected = true">

- kernel 6.1
- Grüße aus Köln, 日本語, emoji 🚀

# not a heading
`;

export interface FixtureCommits {
  recipeAdded: string;
  firstRelease: string;
  recipeCurl: string;
  commonTune: string;
  i386Release: string;
  branchMirror: string;
  otherRecipe: string;
  merge: string;
  secondRelease: string;
  registered: string;
  renamed: string;
  deprecated: string;
  retired: string;
}

/** What emi register recorded for the second x86_64 release (IDs as Glance gives them). */
export const fixtureRegistration = {
  cloud: 'private',
  image_id: '4990b7df-cc51-4c84-bf7b-9aa5ade7ac40',
  kernel_id: '0b1e3f3c-8f0e-4c55-9a51-2f6a3e0d7c11',
  ramdisk_id: '7d6c2a90-5e4b-4f3a-8c2d-1a0b9e8f7d66',
  registered_at: '2024-02-11T08:30:00Z',
};

export interface ChangelogFixture {
  repo: TempRepo;
  commits: FixtureCommits;
}

const epochOf = (iso: string) => Date.parse(iso) / 1000;

function lineFiles(record: ImageRecord, packages?: string): Record<string, string> {
  const id = `${record.image_name}.${record.image_arch}`;
  return {
    [`EMI-IDs/${id}.yaml`]: renderRecord(record),
    [`image-ids/${id}`]: renderImageId(record),
    ...(packages === undefined ? {} : { [`image-ids/${id}.packages`]: packages }),
  };
}

async function git(repo: TempRepo, args: string[], date?: string): Promise<string> {
  const env: Record<string, string> = {
    GIT_AUTHOR_NAME: testIdentity.name,
    GIT_AUTHOR_EMAIL: testIdentity.email,
    GIT_COMMITTER_NAME: testIdentity.name,
    GIT_COMMITTER_EMAIL: testIdentity.email,
    ...(date ? { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } : {}),
  };
  const result = await runCommand('git', args, { cwd: repo.dir, env });
  return result.stdout.trim();
}

export async function createChangelogFixture(): Promise<ChangelogFixture> {
  const repo = await createRepo();
  const x86v1 = makeRecord({ epoch: epochOf('2024-01-15T09:00:00Z') });
  const i386v1 = makeRecord({ arch: 'i386', epoch: epochOf('2024-02-01T09:00:00Z') });
  const x86v2 = makeRecord({ epoch: epochOf('2024-02-10T09:00:00Z') });

  const recipeAdded = await repo.commit(
    {
      'recipes/debian-based/recipe.yaml': testRecipe,
      'recipes/common/overlay/etc/rc.local': '#!/bin/sh\nexit 0\n',
      'recipes/centos-based/recipe.yaml': testRecipe.replace('debian', 'centos'),
    },
    { message: 'Add the debian-based recipe\n\nThe first recipe.\n', date: '2024-01-10T10:00:00+01:00' },
  );
  const firstRelease = await repo.commit(
    lineFiles(x86v1, 'base-files\t12.4\ncurl\t7.88.1-10\nlibc6\t2.36-9\n'),
    {
      message: firstMessage,
      date: '2024-01-15T10:00:00+01:00',
      author: { name: 'Zoë Ångström', email: 'zoe@example.invalid' },
    },
  );
  const recipeCurl = await repo.commit(
    { 'recipes/debian-based/recipe.yaml': `${testRecipe}packages:\n  add: [curl]\n` },
    { message: 'Add curl to the Debian recipe\n\nUsers asked for it.\n', date: '2024-01-20T10:00:00+01:00' },
  );
  const commonTune = await repo.commit(
    { 'recipes/common/overlay/etc/rc.local': '#!/bin/sh\n# tuned\nexit 0\n' },
    {
      message: 'Tune rc.local <b>for all images</b>\n\nShared by every image.\n',
      date: '2024-01-22T10:00:00+01:00',
    },
  );
  const i386Release = await repo.commit(lineFiles(i386v1), {
    message: 'First Debian i386 image\n\nThe 32-bit build.\n',
    date: '2024-02-01T10:00:00+01:00',
  });
  await git(repo, ['checkout', '--quiet', '-b', 'mirror']);
  const branchMirror = await repo.commit(
    {
      'recipes/debian-based/recipe.yaml': `${testRecipe}mirror: http://deb.example.invalid/debian\npackages:\n  add: [curl]\n`,
    },
    { message: 'Switch the Debian mirror\n\nOn a side branch.\n', date: '2024-02-05T10:00:00+01:00' },
  );
  await git(repo, ['checkout', '--quiet', 'main']);
  const otherRecipe = await repo.commit(
    { 'recipes/centos-based/recipe.yaml': `${testRecipe.replace('debian', 'centos')}# tweak\n` },
    { message: 'Tweak the centos recipe\n\nNot a Debian change.\n', date: '2024-02-06T10:00:00+01:00' },
  );
  await git(
    repo,
    ['merge', '--quiet', '--no-ff', '--no-edit', '-m', 'Merge branch mirror', 'mirror'],
    '2024-02-07T10:00:00+01:00',
  );
  const merge = await git(repo, ['rev-parse', 'HEAD']);
  const secondRelease = await repo.commit(
    lineFiles(x86v2, 'base-files\t12.5\nlibc6\t2.36-8\nopenssh-server\t1:9.2p1-2\n'),
    {
      message: 'Debian 12.5 point release\n\nSecurity updates; curl left the image.\n',
      date: '2024-02-10T10:00:00-05:00',
    },
  );
  // emi register's commit: the record gains its registrations, the version stays.
  const x86v2Registered: ImageRecord = { ...x86v2, registrations: [fixtureRegistration] };
  const registered = await repo.commit(lineFiles(x86v2Registered), {
    message:
      'Register euca-debian-emi.x86_64 2024.02.10 in private\n\nemi register: image, kernel, ramdisk.\n',
    date: '2024-02-11T09:30:00+01:00',
  });
  // Renaming the i386 line: the record file moves and its name fields change, the version stays.
  const i386Renamed: ImageRecord = {
    ...i386v1,
    image_name: 'euca-debian32-emi',
    image_file: expectedImageFile({ ...i386v1, image_name: 'euca-debian32-emi' }),
  };
  await rm(join(repo.dir, 'EMI-IDs/euca-debian-emi.i386.yaml'));
  await rm(join(repo.dir, 'image-ids/euca-debian-emi.i386'));
  const renamed = await repo.commit(lineFiles(i386Renamed), {
    message: 'Rename the i386 line\n\nIts name now says 32.\n',
    date: '2024-03-01T10:00:00+01:00',
  });
  const deprecated = await repo.commit(lineFiles({ ...x86v2Registered, status: 'deprecated' }), {
    message: 'Deprecate the x86_64 image\n\nUse the next line instead.\n',
    date: '2024-03-05T10:00:00+01:00',
  });
  await rm(join(repo.dir, 'EMI-IDs/euca-debian32-emi.i386.yaml'));
  await rm(join(repo.dir, 'image-ids/euca-debian32-emi.i386'));
  const retired = await repo.commit(
    {},
    { message: 'Retire the i386 image\n\nNobody runs 32-bit any more.\n', date: '2024-03-10T10:00:00+01:00' },
  );
  return {
    repo,
    commits: {
      recipeAdded,
      firstRelease,
      recipeCurl,
      commonTune,
      i386Release,
      branchMirror,
      otherRecipe,
      merge,
      secondRelease,
      registered,
      renamed,
      deprecated,
      retired,
    },
  };
}

/** Points the fixture's origin at a GitHub URL (never contacted). */
export async function setOrigin(repo: TempRepo, url: string): Promise<void> {
  await runCommand('git', ['remote', 'add', 'origin', url], { cwd: repo.dir });
}
