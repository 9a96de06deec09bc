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

  it('replays a zero-context log: created, changed, removed and re-added keys, quoted paths, deletions', () => {
    const log = [
      'noise before the first commit',
      '\0commit c1 100',
      '',
      'diff --git a/EMI-IDs/a.yaml b/EMI-IDs/a.yaml',
      'new file mode 100644',
      'index 0000000..1111111',
      '--- /dev/null',
      '+++ b/EMI-IDs/a.yaml',
      '@@ -0,0 +1,3 @@',
      '+image_version: "1"',
      '+image_stamp: "aaaa-0001"',
      '+note: plain text # a comment',
      'diff --git "a/EMI-IDs/t\\tb.yaml" "b/EMI-IDs/t\\tb.yaml"',
      'new file mode 100644',
      '--- /dev/null',
      '+++ "b/EMI-IDs/t\\tb.yaml"',
      '@@ -0,0 +1 @@',
      "+image_version: '7'",
      '\\ No newline at end of file',
      '',
      '\0commit c2 200',
      '',
      'diff --git a/EMI-IDs/a.yaml b/EMI-IDs/a.yaml',
      'index 1111111..2222222 100644',
      '--- a/EMI-IDs/a.yaml',
      '+++ b/EMI-IDs/a.yaml',
      '@@ -2,2 +2 @@',
      '-image_stamp: "aaaa-0001"',
      '-note: plain text # a comment',
      '+image_stamp: "aaaa-0002"',
      '',
      '\0commit c3 300',
      '',
      'diff --git a/EMI-IDs/a.yaml b/EMI-IDs/a.yaml',
      'deleted file mode 100644',
      '--- a/EMI-IDs/a.yaml',
      '+++ /dev/null',
      '@@ -1,2 +0,0 @@',
      '-image_version: "1"',
      '-image_stamp: "aaaa-0002"',
      '',
    ].join('\n');
    const state = new Map<string, Record<string, string>>();
    const revisions = parseRecordHistory(log, state);
    expect(revisions).toEqual([
      {
        commit: 'c1',
        time: 100,
        file: 'EMI-IDs/a.yaml',
        deleted: false,
        fields: { image_version: '1', image_stamp: 'aaaa-0001', note: 'plain text' },
      },
      { commit: 'c1', time: 100, file: 'EMI-IDs/t\tb.yaml', deleted: false, fields: { image_version: '7' } },
      {
        commit: 'c2',
        time: 200,
        file: 'EMI-IDs/a.yaml',
        deleted: false,
        fields: { image_version: '1', image_stamp: 'aaaa-0002' },
      },
      { commit: 'c3', time: 300, file: 'EMI-IDs/a.yaml', deleted: true, fields: {} },
    ]);
    expect([...state]).toEqual([['EMI-IDs/t\tb.yaml', { image_version: '7' }]]);
    // Read in two parts, the state carried between them: the same revisions.
    const cut = log.indexOf('\0commit c2');
    const carried = new Map<string, Record<string, string>>();
    expect([
      ...parseRecordHistory(log.slice(0, cut), carried),
      ...parseRecordHistory(log.slice(cut), carried),
    ]).toEqual(revisions);
  });
});
