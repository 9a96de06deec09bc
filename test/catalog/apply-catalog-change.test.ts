import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  applyCatalogChange,
  catalogLockName,
  catalogLockPath,
} from '../../tools/catalog/apply-catalog-change.js';
import { imageIdPath, recordPath, renderImageId, renderRecord } from '../../tools/catalog/record-files.js';
import { LockedError, UserError } from '../../tools/lib/errors.js';
import { runCommand } from '../../tools/lib/exec.js';
import { getGitDir } from '../../tools/lib/git.js';
import { makeRecord, recipeFiles, recordFiles } from '../helpers/catalog-fixtures.js';
import { createRepo, createTempDir, type TempRepo } from '../helpers/git-repo.js';

let repo: TempRepo | undefined;
afterEach(async () => {
  await repo?.cleanup();
  repo = undefined;
});

const epoch = 1764248400; // 2025-11-27 13:00:00 UTC
const current = makeRecord({ epoch });
const next = makeRecord({ epoch: epoch + 86400 });
const recordFile = recordPath(current);
const imageIdFile = imageIdPath(current);
const nextFiles = [
  { path: recordFile, content: renderRecord(next) },
  { path: imageIdFile, content: renderImageId(next) },
];

async function catalog(): Promise<TempRepo> {
  const created = await createRepo();
  await created.commit({ ...recipeFiles, ...recordFiles(current) });
  return created;
}

async function gitStatus(dir: string): Promise<string> {
  return (await runCommand('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: dir })).stdout;
}

describe('applyCatalogChange', () => {
  it('writes planned files under the lock and releases it', async () => {
    repo = await catalog();
    const applied = await applyCatalogChange({
      root: repo.dir,
      change: { write: nextFiles },
      expect: { [recordFile]: current.image_version },
      what: 'test',
    });
    expect(applied.written).toEqual([recordFile, imageIdFile]);
    expect(applied.report?.ok).toBe(true);
    expect(await readFile(join(repo.dir, recordFile), 'utf8')).toBe(renderRecord(next));
    expect(await readFile(join(repo.dir, imageIdFile), 'utf8')).toBe(renderImageId(next));
    expect(await readdir(await getGitDir(repo.dir))).not.toContain(catalogLockName);
  });

  it('removes files, and a dry run checks everything but writes nothing', async () => {
    repo = await catalog();
    await repo.commit({ 'image-ids/orphan.x86_64': 'image_name="orphan"\n' });
    const dry = await applyCatalogChange({
      root: repo.dir,
      change: { write: [], remove: ['image-ids/orphan.x86_64'] },
      what: 'test',
      dryRun: true,
    });
    expect(dry).toMatchObject({ written: [], removed: [] });
    expect(await gitStatus(repo.dir)).toBe('');
    const applied = await applyCatalogChange({
      root: repo.dir,
      change: { write: [], remove: ['image-ids/orphan.x86_64'] },
      what: 'test',
    });
    expect(applied.removed).toEqual(['image-ids/orphan.x86_64']);
    expect(await gitStatus(repo.dir)).toBe(' D image-ids/orphan.x86_64\n');
  });

  it('refuses when a record is no longer what the plan saw, naming the file and the version there now', async () => {
    repo = await catalog();
    const refused = applyCatalogChange({
      root: repo.dir,
      change: { write: nextFiles },
      expect: { [recordFile]: null },
      what: 'emi build',
    });
    await expect(refused).rejects.toThrow(UserError);
    await expect(refused).rejects.toThrow(
      `${recordFile} changed since emi build planned this change (it saw no record, now it holds version ${current.image_version})`,
    );
    expect(await gitStatus(repo.dir)).toBe('');
  });

  it('leaves git status empty after a validation failure', async () => {
    repo = await catalog();
    // The record moves on, but its image-id file is left behind: `emi validate` would refuse this.
    const refused = applyCatalogChange({
      root: repo.dir,
      change: { write: [{ path: recordFile, content: renderRecord(next) }] },
      expect: { [recordFile]: current.image_version },
      what: 'test',
    });
    await expect(refused).rejects.toThrow(/would not validate:\n.*image-ids\/euca-debian-emi\.x86_64/s);
    expect(await gitStatus(repo.dir)).toBe('');
    expect(await readdir(await getGitDir(repo.dir))).not.toContain(catalogLockName);
  });

  it('leaves git status empty after a write failure half-way (the first file is put back)', async () => {
    repo = await catalog();
    const second = makeRecord({ epoch, arch: 'i386' });
    // A folder where the second line's image-id file goes: its rename fails after the first
    // record's rename succeeded.
    await repo.commit({ [`${imageIdPath(second)}/blocker`]: 'in the way\n' });
    const failed = applyCatalogChange({
      root: repo.dir,
      change: {
        write: [...nextFiles, { path: imageIdPath(second), content: renderImageId(second) }],
      },
      what: 'test',
      validate: false,
    });
    await expect(failed).rejects.toThrow(/EISDIR|ENOTEMPTY|EEXIST|directory/i);
    expect(await gitStatus(repo.dir)).toBe('');
    expect(await readFile(join(repo.dir, recordFile), 'utf8')).toBe(renderRecord(current));
    expect(await readdir(join(repo.dir, 'image-ids'))).toEqual(
      [imageIdPath(second), imageIdFile].map((path) => path.slice('image-ids/'.length)).sort(),
    );
  });

  it('leaves git status empty when a folder cannot be created', async () => {
    repo = await catalog();
    await rm(join(repo.dir, 'image-ids'), { recursive: true });
    await writeFile(join(repo.dir, 'image-ids'), 'a file where the folder goes\n');
    await repo.commit({});
    const failed = applyCatalogChange({
      root: repo.dir,
      change: { write: nextFiles },
      what: 'test',
      validate: false,
    });
    await expect(failed).rejects.toThrow(/ENOTDIR|EEXIST/);
    expect(await gitStatus(repo.dir)).toBe('');
  });

  it('writes only inside EMI-IDs/ and image-ids/ of the repository', async () => {
    repo = await catalog();
    for (const path of ['README.md', '../EMI-IDs/x.yaml', '/etc/passwd', 'EMI-IDs/../tools/x']) {
      await expect(
        applyCatalogChange({ root: repo.dir, change: { write: [{ path, content: 'x' }] }, what: 'test' }),
      ).rejects.toThrow(UserError);
    }
    const outside = await createTempDir('emi-outside-');
    try {
      await rm(join(repo.dir, 'image-ids'), { recursive: true });
      await runCommand('ln', ['-s', outside, join(repo.dir, 'image-ids')]);
      await expect(
        applyCatalogChange({
          root: repo.dir,
          change: { write: nextFiles },
          what: 'test',
          validate: false,
        }),
      ).rejects.toThrow(/image-ids leads out of .* \(a symlink\)/);
      expect(await readdir(outside)).toEqual([]);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('stops at once while another writer holds the lock', async () => {
    repo = await catalog();
    const lock = await catalogLockPath(repo.dir);
    expect(lock).toBe(join(await getGitDir(repo.dir), catalogLockName));
    await writeFile(lock, `${process.pid}\n`);
    await expect(
      applyCatalogChange({ root: repo.dir, change: { write: nextFiles }, what: 'emi new-emi' }),
    ).rejects.toThrow(LockedError);
    expect(await gitStatus(repo.dir)).toBe('');
  });

  it('writes a catalog folder that is not a git repository, locking inside it', async () => {
    const dir = await createTempDir('emi-plain-');
    try {
      for (const [path, content] of Object.entries(recipeFiles)) {
        await mkdir(join(dir, path, '..'), { recursive: true });
        await writeFile(join(dir, path), content);
      }
      const applied = await applyCatalogChange({
        root: dir,
        change: { write: nextFiles },
        what: 'test',
      });
      expect(applied.written).toEqual([recordFile, imageIdFile]);
      expect(await catalogLockPath(dir)).toBe(join(dir, `.${catalogLockName}`));
      expect((await readdir(dir)).sort()).toEqual(['EMI-IDs', 'image-ids', 'recipes']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
