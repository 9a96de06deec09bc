import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic, writeFilesAtomic } from '../../tools/lib/atomic-write.js';
import { createTempDir } from '../helpers/git-repo.js';

describe('atomic writes', () => {
  it('replaces a file and leaves no temp file behind', async () => {
    const dir = await createTempDir();
    await writeFile(join(dir, 'a'), 'old');
    await writeFileAtomic(join(dir, 'a'), 'new');
    expect(await readFile(join(dir, 'a'), 'utf8')).toBe('new');
    expect(await readdir(dir)).toEqual(['a']);
  });

  it('changes no target when one of several files cannot be written', async () => {
    const dir = await createTempDir();
    await writeFile(join(dir, 'a'), 'old a');
    await mkdir(join(dir, 'locked'));
    await chmod(join(dir, 'locked'), 0o500);
    // Root ignores folder permissions: make the second target impossible another way.
    await writeFile(join(dir, 'not-a-folder'), 'file');
    await expect(
      writeFilesAtomic([
        { path: join(dir, 'a'), content: 'new a' },
        { path: join(dir, 'not-a-folder', 'b'), content: 'b' },
      ]),
    ).rejects.toThrow();
    expect(await readFile(join(dir, 'a'), 'utf8')).toBe('old a');
    expect((await readdir(dir)).sort()).toEqual(['a', 'locked', 'not-a-folder']);
  });
});
