import { describe, expect } from 'vitest';
import { indexHistory, parseRecordHistory } from '../../tools/catalog/history.js';
import { readRecordHistoryLog } from '../../tools/lib/git.js';
import { makeRecord, recordFiles } from '../helpers/catalog-fixtures.js';
import { it } from '../helpers/fixtures.js';

describe('record history', () => {
  it('reads every release of every record file from git, oldest first, including deletions', async ({
    makeRepo,
  }) => {
    const repo = await makeRepo();
    const v1 = makeRecord({ epoch: 1764201600 });
    const v2 = makeRecord({ epoch: 1764288000 });
    const other = makeRecord({ epoch: 1764201601, arch: 'i386' });
    const c1 = await repo.commit(
      { ...recordFiles(v1), ...recordFiles(other) },
      { date: '2025-11-27T00:00:00Z' },
    );
    const c2 = await repo.commit(recordFiles(v2), { date: '2025-11-28T00:00:00Z' });
    await repo.commit({ 'README.md': 'unrelated\n' });
    const { rm } = await import('node:fs/promises');
    await rm(`${repo.dir}/EMI-IDs/euca-debian-emi.i386.yaml`);
    const c4 = await repo.commit({}, { date: '2025-11-29T00:00:00Z' });

    const revisions = parseRecordHistory(await readRecordHistoryLog(repo.dir));
    expect(revisions.map((r) => [r.commit, r.file, r.deleted, r.fields.image_version])).toEqual([
      [c1, 'EMI-IDs/euca-debian-emi.i386.yaml', false, other.image_version],
      [c1, 'EMI-IDs/euca-debian-emi.x86_64.yaml', false, v1.image_version],
      [c2, 'EMI-IDs/euca-debian-emi.x86_64.yaml', false, v2.image_version],
      [c4, 'EMI-IDs/euca-debian-emi.i386.yaml', true, undefined],
    ]);
    // Unchanged lines come from the diff's context: every field is known after each commit.
    expect(revisions[2]?.fields).toEqual({ ...v2 });

    const index = indexHistory(revisions);
    expect(index.versionsByFile.get('EMI-IDs/euca-debian-emi.x86_64.yaml')).toEqual([
      { commit: c1, version: v1.image_version },
      { commit: c2, version: v2.image_version },
    ]);
    expect(index.stampReleases.get(other.image_stamp)).toEqual([
      { file: 'EMI-IDs/euca-debian-emi.i386.yaml', version: other.image_version, commit: c1 },
    ]);
  });

  it('is empty for a repository without commits', async ({ makeRepo }) => {
    const repo = await makeRepo();
    expect(await readRecordHistoryLog(repo.dir)).toBe('');
  });
});
