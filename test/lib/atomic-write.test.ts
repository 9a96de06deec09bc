import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { writeFileAtomic, writeFilesAtomic } from '../../tools/lib/atomic-write.js';
import { it } from '../helpers/fixtures.js';

describe('writeFilesAtomic', () => {
  it('writes every file, folders included', async ({ tempDir: dir }) => {
    const files = Array.from({ length: 40 }, (_, index) => ({
      path: join(dir, `sub${index % 3}`, `file${index}.txt`),
      content: `content ${index}\n`,
    }));
    await writeFilesAtomic(files);
    for (const file of files) expect(await readFile(file.path, 'utf8')).toBe(file.content);
  });

  it('changes no target and leaves no temp file when one file cannot be written', async ({
    tempDir: dir,
  }) => {
    await writeFile(join(dir, 'existing.txt'), 'before\n');
    await writeFile(join(dir, 'not-a-folder'), 'a file\n');
    const files = [
      ...Array.from({ length: 30 }, (_, index) => ({
        path: join(dir, `file${index}.txt`),
        content: 'new\n',
      })),
      { path: join(dir, 'existing.txt'), content: 'after\n' },
      { path: join(dir, 'not-a-folder', 'inside.txt'), content: 'cannot be\n' },
    ];
    await expect(writeFilesAtomic(files)).rejects.toThrow();
    expect((await readdir(dir)).sort()).toEqual(['existing.txt', 'not-a-folder']);
    expect(await readFile(join(dir, 'existing.txt'), 'utf8')).toBe('before\n');
  });
});

describe('writeFileAtomic', () => {
  it('replaces a file and leaves no temp file behind', async ({ tempDir: dir }) => {
    await writeFile(join(dir, 'a'), 'old');
    await writeFileAtomic(join(dir, 'a'), 'new');
    expect(await readFile(join(dir, 'a'), 'utf8')).toBe('new');
    expect(await readdir(dir)).toEqual(['a']);
  });
});
