import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { it } from './fixtures.js';

const made: string[] = [];

describe.sequential('the temp-folder fixtures', () => {
  it('give each test a fresh folder of its own', async ({ tempDir, makeTempDir }) => {
    const more = await makeTempDir('emi-more-');
    expect(existsSync(tempDir) && existsSync(more)).toBe(true);
    expect(more).not.toBe(tempDir);
    await writeFile(join(tempDir, 'left-behind'), 'x');
    made.push(tempDir, more);
  });

  it.fails('clean up after a failing test too', async ({ tempDir }) => {
    made.push(tempDir);
    expect(tempDir).toBe('something else');
  });

  it('have removed the folders of the tests before, contents and all', () => {
    expect(made).toHaveLength(3);
    expect(made.filter((dir) => existsSync(dir))).toEqual([]);
  });
});
