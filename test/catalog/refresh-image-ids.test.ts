import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { imageIdPath, recordPath, renderImageId, renderRecord } from '../../tools/catalog/record-files.js';
import { refreshImageIds } from '../../tools/catalog/refresh-image-ids.js';
import { validateCatalog } from '../../tools/catalog/validate-catalog.js';
import { makeRecord, recipeFiles, recordFiles } from '../helpers/catalog-fixtures.js';
import { createRepo, type TempRepo } from '../helpers/git-repo.js';

let repo: TempRepo | undefined;
afterEach(async () => {
  await repo?.cleanup();
  repo = undefined;
});

const epoch = 1764248400; // 2025-11-27 13:00:00 UTC

describe('refreshImageIds', () => {
  it('rewrites stale image-id files and removes orphans, whatever problems another record has', async () => {
    const moved = makeRecord({ epoch: epoch + 86400 });
    const broken = { ...makeRecord({ epoch: epoch + 60, arch: 'i386' }), image_stamp: 'ffff-ffff' };
    repo = await createRepo();
    await repo.commit({
      ...recipeFiles,
      ...recordFiles(makeRecord({ epoch })),
      // The broken record's image-id file is stale too: it is rewritten all the same.
      ...recordFiles(makeRecord({ epoch, arch: 'i386' })),
      [recordPath(broken)]: renderRecord(broken),
      'image-ids/euca-orphan-emi.x86_64': 'image_name="euca-orphan-emi"\n',
    });
    await repo.write({ [recordPath(moved)]: renderRecord(moved) });

    const check = await refreshImageIds({ root: repo.dir, check: true });
    expect(check).toEqual({
      written: [imageIdPath(moved), imageIdPath(broken)].sort(),
      removed: ['image-ids/euca-orphan-emi.x86_64'],
      skipped: [],
    });
    expect(await readFile(join(repo.dir, imageIdPath(moved)), 'utf8')).not.toBe(renderImageId(moved));

    expect(await refreshImageIds({ root: repo.dir })).toEqual(check);
    expect(await readFile(join(repo.dir, imageIdPath(moved)), 'utf8')).toBe(renderImageId(moved));
    expect(await readFile(join(repo.dir, imageIdPath(broken)), 'utf8')).toBe(renderImageId(broken));
    const report = await validateCatalog({ root: repo.dir });
    // What is left is the broken record's own problem, which no image-id file can fix.
    expect(report.problems.map((problem) => `${problem.file} ${problem.path}`)).toEqual([
      `${recordPath(broken)} image_stamp`,
    ]);
    expect(await refreshImageIds({ root: repo.dir })).toEqual({ written: [], removed: [], skipped: [] });
  });
});
