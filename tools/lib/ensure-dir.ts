/**
 * Creates a folder and its missing parents one level at a time. Node's `mkdir(…, { recursive: true })`
 * loops for ever (at full CPU, deaf to signals) where mkdir answers ENOENT for a parent that exists,
 * as in /proc/self; this walks up to the first existing ancestor once and then creates each level
 * once, so every failure is a clear error that names the folder.
 */
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UserError } from './errors.js';
import { translateFsError } from './fs-errors.js';

export async function ensureDir(path: string, mode?: number): Promise<void> {
  const target = resolve(path);
  const missing: string[] = [];
  let current = target;
  for (;;) {
    let isDir: boolean;
    try {
      isDir = (await stat(current)).isDirectory();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw translateFsError(error, current);
      missing.push(current);
      const parent = dirname(current);
      if (parent === current)
        throw new UserError(`cannot create the folder ${target}: its file system root does not exist`);
      current = parent;
      continue;
    }
    if (!isDir)
      throw new UserError(
        `cannot create the folder ${target}: ${current} ${current === target ? 'exists and is not a folder' : 'is not a folder'}`,
      );
    break;
  }
  for (const dir of missing.reverse()) {
    try {
      await mkdir(dir, mode === undefined ? undefined : { mode });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && (await isDirectory(dir))) continue;
      throw translateFsError(error, dir, 'create the folder');
    }
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
