/**
 * Paths inside an image root, seen from the host. The image is untrusted (a recipe hook can put any
 * symlink anywhere), so the host never follows a symlink out of the root: links are resolved as the
 * image itself would see them, with `/` meaning the root.
 */
import { lstat, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../lib/errors.js';

const maxLinks = 40;

function parts(path: string): string[] {
  return path.split('/').filter((part) => part !== '' && part !== '.');
}

/** Throws unless every component of root/path is a real directory (no symlink on the way). */
export async function assertRealDirectory(root: string, path: string): Promise<void> {
  let current = root;
  for (const part of parts(path)) {
    if (part === '..') throw new UserError(`image path /${path} contains ".."`);
    current = join(current, part);
    const info = await lstat(current).catch(() => undefined);
    if (!info) throw new UserError(`the image has no folder /${path}`);
    if (info.isSymbolicLink())
      throw new UserError(`/${path} in the image goes through a symlink (${current.slice(root.length)})`);
    if (!info.isDirectory()) throw new UserError(`/${path} in the image is not a folder`);
  }
}

/**
 * The host path of an image path after following its symlinks the way the image would (absolute
 * targets start at the root, `..` stops at the root). Undefined when it does not exist.
 */
export async function resolveInRoot(root: string, path: string): Promise<string | undefined> {
  const pending = parts(path);
  const resolved: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift() as string;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const candidate = join(root, ...resolved, part);
    const info = await lstat(candidate).catch(() => undefined);
    if (!info) return undefined;
    if (info.isSymbolicLink()) {
      if (++links > maxLinks) throw new UserError(`too many symlinks resolving /${path} in the image`);
      const target = await readlink(candidate);
      if (target.startsWith('/')) resolved.length = 0;
      pending.unshift(...parts(target));
      continue;
    }
    resolved.push(part);
  }
  return join(root, ...resolved);
}

/** The host path of a regular file of the image (after its symlinks), or an error naming it. */
export async function requireFileInRoot(root: string, path: string): Promise<string> {
  const resolved = await resolveInRoot(root, path);
  const info = resolved ? await lstat(resolved) : undefined;
  if (!resolved || !info) throw new UserError(`the image has no file ${path}`);
  if (!info.isFile()) throw new UserError(`${path} in the image is not a regular file`);
  return resolved;
}
