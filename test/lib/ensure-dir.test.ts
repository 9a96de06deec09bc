import { rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureDir } from '../../tools/lib/ensure-dir.js';
import { isUserError } from '../../tools/lib/errors.js';
import { translateFsError } from '../../tools/lib/fs-errors.js';
import { createTempDir } from '../helpers/git-repo.js';

let dir: string;
beforeEach(async () => {
  dir = await createTempDir('emi-ensure-');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('ensureDir', () => {
  it('creates missing parents and accepts an existing folder', async () => {
    await ensureDir(join(dir, 'a', 'b', 'c'));
    expect((await stat(join(dir, 'a', 'b', 'c'))).isDirectory()).toBe(true);
    await ensureDir(join(dir, 'a', 'b', 'c'));
  });

  it('fails at once, naming the folder, where recursive mkdir loops for ever (/proc/self)', async () => {
    const started = Date.now();
    await expect(ensureDir('/proc/self/emi-x/y')).rejects.toThrow(
      /^cannot create the folder \/proc\/self\/emi-x: it does not exist \(ENOENT\)$/,
    );
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('names a file in the way', async () => {
    await writeFile(join(dir, 'file'), '');
    await expect(ensureDir(join(dir, 'file', 'sub'))).rejects.toThrow(/file is not a folder$/);
    await expect(ensureDir(join(dir, 'file'))).rejects.toThrow(/exists and is not a folder$/);
  });
});

describe('translateFsError', () => {
  it('turns environmental errno errors into user errors with path and cause, and leaves bugs alone', () => {
    const eacces = Object.assign(new Error('EACCES: permission denied'), {
      code: 'EACCES',
      syscall: 'open',
      path: '/root/x',
    });
    const translated = translateFsError(eacces);
    expect(isUserError(translated)).toBe(true);
    expect((translated as Error).message).toBe('cannot open /root/x: permission denied (EACCES)');
    const bug = new TypeError('x is undefined');
    expect(translateFsError(bug)).toBe(bug);
  });
});
