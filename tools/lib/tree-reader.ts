/**
 * Reads the files of a catalog repository either from the working tree or from the git index
 * (what `git commit` would record), behind one interface, so validation runs the same way for
 * `emi validate` and for the pre-commit hook's `emi validate --staged`.
 */
// Synchronous fs calls on purpose: thousands of small files read fastest in a plain loop, and
// never run into the open-file limit that thousands of parallel reads hit.
import {
  closeSync,
  constants,
  type Dirent,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
} from 'node:fs';
import { join, relative, sep } from 'node:path';
import { listIndexEntries, listTreeAt, readBlobs } from './git.js';

export interface TreeEntry {
  /** Relative to the repository root, with forward slashes. */
  path: string;
  kind: 'file' | 'symlink';
  /** Executable bit (mode 755) of a file; only filled in when list() is asked for modes. */
  executable?: boolean;
}

export interface TreeReader {
  readonly root: string;
  readonly source: 'worktree' | 'index' | 'tracked' | 'commit';
  /** Every file and symlink under `dir` (recursive), sorted by path. */
  list(dir: string, options?: { modes?: boolean }): Promise<TreeEntry[]>;
  /** File contents (symlinks: their target text), by path; missing paths are left out. */
  read(paths: readonly string[]): Promise<Map<string, Buffer>>;
}

const toPosix = (path: string) => path.split(sep).join('/');

export function worktreeReader(root: string): TreeReader {
  return {
    root,
    source: 'worktree',
    async list(dir, options = {}) {
      const entries: TreeEntry[] = [];
      let dirents: Dirent[];
      try {
        dirents = readdirSync(join(root, dir), { recursive: true, withFileTypes: true });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') return [];
        throw error;
      }
      for (const dirent of dirents) {
        if (!dirent.isFile() && !dirent.isSymbolicLink()) continue;
        // Node 20.12+ names the folder parentPath; earlier 20.x releases call it path.
        const parent = (dirent as Dirent & { parentPath?: string }).parentPath ?? dirent.path;
        const full = join(parent, dirent.name);
        const entry: TreeEntry = {
          path: toPosix(relative(root, full)),
          kind: dirent.isFile() ? 'file' : 'symlink',
        };
        if (options.modes && entry.kind === 'file') entry.executable = (lstatSync(full).mode & 0o111) !== 0;
        entries.push(entry);
      }
      return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    },
    async read(paths) {
      const result = new Map<string, Buffer>();
      for (const path of paths) {
        const content = readNoFollow(join(root, path));
        if (content !== undefined) result.set(path, content);
      }
      return result;
    },
  };
}

const noFollow = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/** A regular file's bytes, a symlink's target text (never what it points to), or undefined. */
function readNoFollow(full: string): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(full, noFollow);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return Buffer.from(readlinkSync(full));
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
  try {
    return readFileSync(fd);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EISDIR' || code === 'EAGAIN') return undefined;
    throw error;
  } finally {
    closeSync(fd);
  }
}

export function indexReader(root: string): TreeReader {
  return {
    root,
    source: 'index',
    async list(dir, options = {}) {
      const entries = await listIndexEntries(root, [dir]);
      return entries
        .filter((entry) => entry.mode !== '160000')
        .map((entry) => ({
          path: entry.path,
          kind: entry.mode === '120000' ? ('symlink' as const) : ('file' as const),
          ...(options.modes ? { executable: entry.mode === '100755' } : {}),
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

/**
 * The working tree, limited to the files git tracks (in the index): what a build may use. An
 * untracked or ignored file (an editor's swap file) is not there; a tracked file is read as it is
 * on disk, so uncommitted edits are seen (the plan names them, the build refuses them).
 */
export function trackedReader(root: string): TreeReader {
  const worktree = worktreeReader(root);
  return {
    root,
    source: 'tracked',
    async list(dir, options = {}) {
      const [entries, tracked] = await Promise.all([
        worktree.list(dir, options),
        listIndexEntries(root, [dir]),
      ]);
      const paths = new Set(tracked.map((entry) => entry.path));
      return entries.filter((entry) => paths.has(entry.path));
    },
    read: (paths) => worktree.read(paths),
  };
}

/** The files of a commit or tree (`git ls-tree`, `git cat-file`): never the working tree. */
export function commitReader(root: string, treeish: string): TreeReader & { readonly treeish: string } {
  return {
    root,
    source: 'commit',
    treeish,
    async list(dir, options = {}) {
      const entries = await listTreeAt(root, treeish, [dir]);
      return entries
        .filter((entry) => entry.type === 'blob')
        .map((entry) => ({
          path: entry.path,
          kind: entry.mode === '120000' ? ('symlink' as const) : ('file' as const),
          ...(options.modes ? { executable: entry.mode === '100755' } : {}),
        }));
    },
    async read(paths) {
      const blobs = await readBlobs(
        root,
        paths.map((path) => `${treeish}:${path}`),
      );
      const result = new Map<string, Buffer>();
      for (const [spec, content] of blobs) result.set(spec.slice(treeish.length + 1), content);
      return result;
    },
  };
}
