/**
 * Reads the files of a catalog repository either from the working tree or from the git index
 * (what `git commit` would record), behind one interface, so validation runs the same way for
 * `emi validate` and for the pre-commit hook's `emi validate --staged`.
 */
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { listIndexEntries, readBlobs } from './git.js';

export interface TreeEntry {
  /** Relative to the repository root, with forward slashes. */
  path: string;
  kind: 'file' | 'symlink';
  /** Executable bit (mode 755), for hooks and scripts. */
  executable: boolean;
}

export interface TreeReader {
  readonly root: string;
  readonly source: 'worktree' | 'index';
  /** Every file and symlink under `dir` (recursive), sorted by path. */
  list(dir: string): Promise<TreeEntry[]>;
  /** File contents (symlinks: their target text), by path; missing paths are left out. */
  read(paths: readonly string[]): Promise<Map<string, Buffer>>;
}

const toPosix = (path: string) => path.split(sep).join('/');

export function worktreeReader(root: string): TreeReader {
  return {
    root,
    source: 'worktree',
    async list(dir) {
      const entries: TreeEntry[] = [];
      let names: string[];
      try {
        names = (await readdir(join(root, dir), { recursive: true })) as string[];
      } catch (error) {
        if (
          (error as NodeJS.ErrnoException).code === 'ENOENT' ||
          (error as NodeJS.ErrnoException).code === 'ENOTDIR'
        )
          return [];
        throw error;
      }
      for (const name of names) {
        const full = join(root, dir, name);
        const info = await lstat(full);
        if (info.isDirectory()) continue;
        entries.push({
          path: toPosix(relative(root, full)),
          kind: info.isSymbolicLink() ? 'symlink' : 'file',
          executable: (info.mode & 0o111) !== 0,
        });
      }
      return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    },
    async read(paths) {
      const result = new Map<string, Buffer>();
      await Promise.all(
        paths.map(async (path) => {
          const full = join(root, path);
          try {
            const info = await lstat(full);
            if (info.isSymbolicLink()) result.set(path, Buffer.from(await readlink(full)));
            else if (info.isFile()) result.set(path, await readFile(full));
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
          }
        }),
      );
      return result;
    },
  };
}

export function indexReader(root: string): TreeReader {
  return {
    root,
    source: 'index',
    async list(dir) {
      const entries = await listIndexEntries(root, [dir]);
      return entries
        .filter((entry) => entry.mode !== '160000')
        .map((entry) => ({
          path: entry.path,
          kind: entry.mode === '120000' ? ('symlink' as const) : ('file' as const),
          executable: entry.mode === '100755',
        }));
    },
    async read(paths) {
      const blobs = await readBlobs(
        root,
        paths.map((path) => `:${path}`),
      );
      const result = new Map<string, Buffer>();
      for (const [spec, content] of blobs) result.set(spec.slice(1), content);
      return result;
    },
  };
}
