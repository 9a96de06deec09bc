import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { indexHistory, parseRecordHistory } from '../../tools/catalog/history.js';
import { startHistoryLoad } from '../../tools/catalog/history-cache.js';
import { runCommand } from '../../tools/lib/exec.js';
import { getGitDir, readRecordHistoryLog } from '../../tools/lib/git.js';
import { makeRecord, recordFiles } from '../helpers/catalog-fixtures.js';
import { it } from '../helpers/fixtures.js';

const day = 1764201600;
const load = (dir: string) => startHistoryLoad(dir).finish();
const full = async (dir: string) => indexHistory(parseRecordHistory(await readRecordHistoryLog(dir)));

describe('record history cache', () => {
  it('gives the same history as a full read, cold, warm and after new commits', async ({ makeRepo }) => {
    const repo = await makeRepo();
    await repo.commit(recordFiles(makeRecord({ epoch: day })));
    await repo.commit(recordFiles(makeRecord({ epoch: day + 1, arch: 'i386' })));
    expect(await load(repo.dir)).toEqual(await full(repo.dir));
    const cachePath = join(await getGitDir(repo.dir), 'emi-record-history.json');
    const cachedHead = JSON.parse(await readFile(cachePath, 'utf8')).head as string;

    // Only the stamp line changes in this commit: the carried state must keep the version.
    const next = makeRecord({ epoch: day + 86400 });
    await repo.commit(recordFiles(next));
    await repo.commit({
      'EMI-IDs/euca-debian-emi.x86_64.yaml': (
        recordFiles(next)['EMI-IDs/euca-debian-emi.x86_64.yaml'] ?? ''
      ).replace(next.image_stamp, 'abcd-0123'),
    });
    const incremental = await load(repo.dir);
    expect(incremental).toEqual(await full(repo.dir));
    expect(incremental.stampReleases.get('abcd-0123')).toEqual([
      expect.objectContaining({ version: next.image_version }),
    ]);
    expect(JSON.parse(await readFile(cachePath, 'utf8')).head).not.toBe(cachedHead);
    expect(await load(repo.dir)).toEqual(incremental);
  });

  it('reads the whole history again when HEAD is no longer a descendant, or the cache is damaged', async ({
    makeRepo,
  }) => {
    const repo = await makeRepo();
    await repo.commit(recordFiles(makeRecord({ epoch: day })));
    await repo.commit(recordFiles(makeRecord({ epoch: day + 86400 })));
    await load(repo.dir);
    await runCommand('git', ['reset', '-q', '--hard', 'HEAD~1'], { cwd: repo.dir });
    await repo.commit(recordFiles(makeRecord({ epoch: day + 2 * 86400, arch: 'i386' })));
    expect(await load(repo.dir)).toEqual(await full(repo.dir));

    await writeFile(join(await getGitDir(repo.dir), 'emi-record-history.json'), '{"version":1,"head":');
    expect(await load(repo.dir)).toEqual(await full(repo.dir));
  });

  it('never takes a cache of another history: amended HEAD, or a wrong-shaped file', async ({ makeRepo }) => {
    const repo = await makeRepo();
    await repo.commit(recordFiles(makeRecord({ epoch: day })));
    await repo.commit(recordFiles(makeRecord({ epoch: day + 86400 })));
    await load(repo.dir);
    // The last commit rewritten (amend): same number of commits, another HEAD, no descendant.
    const amended = makeRecord({ epoch: day + 3 * 86400 });
    for (const [path, content] of Object.entries(recordFiles(amended)))
      await writeFile(join(repo.dir, path), content);
    await runCommand('git', ['commit', '-q', '-a', '--amend', '-m', 'amended'], { cwd: repo.dir });
    const rewritten = await load(repo.dir);
    expect(rewritten).toEqual(await full(repo.dir));
    expect(rewritten.stampReleases.has(amended.image_stamp)).toBe(true);

    // JSON that parses but is not a cache of this version's shape is ignored and rewritten.
    const cachePath = join(await getGitDir(repo.dir), 'emi-record-history.json');
    const cache = JSON.parse(await readFile(cachePath, 'utf8'));
    for (const broken of [
      null,
      [],
      { ...cache, fields: 'none' },
      { ...cache, stampReleases: [['x', [{ file: 1 }]]] },
      { ...cache, head: '../../x' },
    ]) {
      await writeFile(cachePath, JSON.stringify(broken));
      expect(await load(repo.dir)).toEqual(await full(repo.dir));
      expect(JSON.parse(await readFile(cachePath, 'utf8'))).toEqual(cache);
    }
  });

  it('a cache read in a shallow clone is not taken once the clone has its whole history', async ({
    makeRepo,
    makeTempDir,
  }) => {
    const origin = await makeRepo();
    await origin.commit(recordFiles(makeRecord({ epoch: day })));
    await origin.commit(recordFiles(makeRecord({ epoch: day + 86400 })));
    await origin.commit(recordFiles(makeRecord({ epoch: day + 2 * 86400, arch: 'i386' })));
    const clone = join(await makeTempDir(), 'clone');
    await runCommand('git', ['clone', '-q', '--depth', '1', `file://${origin.dir}`, clone]);
    const shallow = await load(clone);
    expect(shallow.stampReleases.has(makeRecord({ epoch: day }).image_stamp)).toBe(false);
    await runCommand('git', ['fetch', '-q', '--unshallow'], { cwd: clone });
    // The same HEAD, with more history behind it now.
    const whole = await load(clone);
    expect(whole).toEqual(await full(clone));
    expect(whole.stampReleases.has(makeRecord({ epoch: day }).image_stamp)).toBe(true);
  });
});
