import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from './errors.js';

/** The repository's layout: records, the image-id files rendered from them, and the recipes. */
export const recordsDir = 'EMI-IDs';
export const imageIdsDir = 'image-ids';
export const recipesDir = 'recipes';

function findPackageRoot(start: string): string {
  let dir = start;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const name = (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name;
      if (name === 'emi-toolkit') return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`emi-toolkit package.json not found above ${start}`);
    dir = parent;
  }
}

/** The toolkit's own folder (where package.json is), whether run from source or from dist/. */
export const packageRoot = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

/** A file shipped with the toolkit, e.g. toolkitPath('tools', 'schemas', 'record.schema.json'). */
export function toolkitPath(...parts: string[]): string {
  return join(packageRoot, ...parts);
}

/**
 * Checks a relative path taken from untrusted input (a recipe, a record): not empty, not absolute,
 * no `..` segment, no NUL. Returns it normalised. Symlinks are checked where the file is opened.
 */
export function assertSafeRelativePath(path: string, what: string): string {
  if (path === '' || path.includes('\0')) throw new UserError(`${what}: empty path or NUL byte`);
  if (isAbsolute(path)) throw new UserError(`${what}: "${path}" must be relative`);
  const parts = path.split(/[\\/]+/);
  if (parts.includes('..')) throw new UserError(`${what}: "${path}" must not contain ".."`);
  const normal = normalize(path);
  if (normal.startsWith(`..${sep}`) || normal === '..')
    throw new UserError(`${what}: "${path}" leaves its folder`);
  return normal;
}
