/** The build's record step: its three files go through the catalog writer. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { recordPath, renderRecord } from '../../tools/catalog/record-files.js';
import { writeRecord } from '../../tools/image-build/write-record.js';
import { runCommand } from '../../tools/lib/exec.js';
import { makeRecord, recipeFiles, recordFiles } from '../helpers/catalog-fixtures.js';
import { createRepo, type TempRepo } from '../helpers/git-repo.js';

let repo: TempRepo | undefined;
afterEach(async () => {
  await repo?.cleanup();
  repo = undefined;
});

const epoch = 1764248400; // 2025-11-27 13:00:00 UTC
const before = makeRecord({ epoch });
const built = makeRecord({ epoch: epoch + 86400 });
// A built record lists the boot check's report (validate's rule since issue 13).
const artifacts = [
  { name: built.image_file, sha256: 'a'.repeat(64), size: 1 },
  { name: built.image_file.replace(/\.img$/, '.verify.json'), sha256: 'b'.repeat(64), size: 2 },
];

async function porcelain(dir: string): Promise<string> {
  return (await runCommand('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: dir })).stdout;
}

describe('writeRecord', () => {
  it('writes the record, its image-id file and the package manifest', async () => {
    repo = await createRepo();
    await repo.commit({ ...recipeFiles, ...recordFiles(before) });
    const written = await writeRecord({
      root: repo.dir,
      record: built,
      previousVersion: before.image_version,
      artifacts,
      packages: 'bash\t5.2.15-2+b7\n',
    });
    expect(written.files.map((file) => file.path)).toEqual([
      'EMI-IDs/euca-debian-emi.x86_64.yaml',
      'image-ids/euca-debian-emi.x86_64',
      'image-ids/euca-debian-emi.x86_64.packages',
    ]);
    expect(await readFile(join(repo.dir, recordPath(built)), 'utf8')).toBe(renderRecord(written.record));
    expect(written.record.artifacts).toEqual(artifacts);
  });

  it('writes nothing when the line moved on during the build, and says what is there now', async () => {
    repo = await createRepo();
    await repo.commit({ ...recipeFiles, ...recordFiles(before) });
    const refused = writeRecord({
      root: repo.dir,
      record: built,
      previousVersion: undefined,
      artifacts,
      packages: 'bash\t5.2.15-2+b7\n',
    });
    await expect(refused).rejects.toThrow(
      `${recordPath(built)} changed since emi build planned this change (it saw no record, now it holds version ${before.image_version}): nothing is written`,
    );
    expect(await porcelain(repo.dir)).toBe('');
  });
});
