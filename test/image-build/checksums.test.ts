import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeArtifacts, renderSha256Sums } from '../../tools/image-build/checksums.js';
import { runCommand } from '../../tools/lib/exec.js';
import { tempDirForTest } from '../helpers/fixtures.js';

describe('SHA256SUMS', () => {
  it('lists every artifact so that sha256sum -c verifies them', async () => {
    const dir = await tempDirForTest('emi-sums-');
    await writeFile(join(dir, 'b.tgz'), 'tarball');
    await writeFile(join(dir, 'a.img'), Buffer.alloc(3 * 1024 * 1024, 1));
    const artifacts = await describeArtifacts(dir, ['b.tgz', 'a.img']);
    expect(artifacts.map((artifact) => [artifact.name, artifact.size])).toEqual([
      ['b.tgz', 7],
      ['a.img', 3 * 1024 * 1024],
    ]);
    const text = renderSha256Sums(artifacts);
    expect(text.split('\n')[0]).toMatch(/^[0-9a-f]{64} {2}a\.img$/);
    await writeFile(join(dir, 'SHA256SUMS'), text);
    const check = await runCommand('sha256sum', ['-c', 'SHA256SUMS'], { cwd: dir });
    expect(check.stdout).toBe('a.img: OK\nb.tgz: OK\n');
    const reference = await runCommand('sha256sum', ['b.tgz'], { cwd: dir });
    expect(reference.stdout.split(' ')[0]).toBe(artifacts[0]?.sha256);
  });
});
