/**
 * The one writer of the catalog: every change to `EMI-IDs/` and `image-ids/` goes through
 * `applyCatalogChange` (new-emi, the build's record step, `emi image-ids`, the legacy import and
 * the legacy history replay). Plan first, as plain data; then this applies it in one place:
 *
 * 1. takes the catalog lock (`<git dir>/emi-catalog.lock`, see `catalogLockPath`), so two writers
 *    never interleave (skipped with `dryRun`, which writes nothing);
 * 2. checks that each record named in `expect` is still what the plan saw: its `image_version`, or
 *    no record file at all for `null`; otherwise a UserError names the file and what is there now;
 * 3. checks the planned files as `emi validate` would (the catalog on disk with the planned files in
 *    place): every problem of a file it writes, and any new problem of the files that go with them
 *    (a record and its image-id file), stops it; skipped with `validate: false`;
 * 4. writes and removes the files atomically (`replaceFilesAtomic`): a failure at any point leaves
 *    the working tree as it was, and `git status --porcelain` shows nothing new.
 *
 * The API (kept stable; callers in other issues rely on it):
 *
 *   applyCatalogChange({
 *     root,                     // the repository root (absolute)
 *     change: {
 *       write: [{ path, content }],   // repository-relative, under EMI-IDs/ or image-ids/
 *       remove?: [path],              // same; a file that is already gone is fine
 *     },
 *     expect?: { [recordPath]: image_version | null },   // what the plan saw
 *     what,                     // who writes, for messages: 'emi new-emi', 'emi build', …
 *     validate?: true,          // false only where the caller says why
 *     dryRun?: false,           // every check, no lock, no write
 *   }) → Promise<{ written: string[]; removed: string[]; report?: ValidationReport }>
 *
 * `withCatalogLock(root, what, async (session) => …)` holds the lock over a whole run that reads
 * the catalog, plans and then writes with `session.apply({ change, expect?, validate?, catalog? })`
 * (steps 2 to 4; `catalog`, read under the same lock, is validated against without reading it
 * again). `checkCatalogChange(root, change, catalog?)` is step 3 alone, for a plan made long before
 * it is applied (the build checks its record before it spends minutes building).
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { replaceFilesAtomic } from '../lib/atomic-write.js';
import { UserError } from '../lib/errors.js';
import { getGitDir } from '../lib/git.js';
import { acquireLock } from '../lib/lock.js';
import { assertSafeRelativePath, imageIdsDir, recordsDir } from '../lib/paths.js';
import { formatProblem, type Problem } from '../lib/problems.js';
import { worktreeReader } from '../lib/tree-reader.js';
import { type LoadedCatalog, loadCatalog } from './load-catalog.js';
import { parseRecord } from './parse-record.js';
import { reportProblems, type ValidationReport, withPlannedFiles } from './validate-catalog.js';

/** The lock every catalog writer takes, in the repository's git folder. */
export const catalogLockName = 'emi-catalog.lock';

export interface CatalogFile {
  /** Repository-relative, under EMI-IDs/ or image-ids/. */
  path: string;
  content: string;
}

export interface CatalogChange {
  write: readonly CatalogFile[];
  /** Repository-relative paths of files to remove. */
  remove?: readonly string[];
}

export interface ApplyCatalogChangeOptions {
  /** The repository root. */
  root: string;
  change: CatalogChange;
  /** Record path → the `image_version` the plan saw there, or null when there was no record. */
  expect?: Readonly<Record<string, string | null>>;
  /** Who writes, named in messages (e.g. 'emi new-emi'). */
  what: string;
  /** Check the planned files as `emi validate` would (default true). */
  validate?: boolean;
  /** Make every check but take no lock and write nothing. */
  dryRun?: boolean;
}

export interface AppliedCatalogChange {
  /** Repository-relative paths written (none with dryRun). */
  written: string[];
  /** Repository-relative paths removed (none with dryRun). */
  removed: string[];
  /** The validation of the planned files, when it ran. */
  report?: ValidationReport;
}

export async function applyCatalogChange(options: ApplyCatalogChangeOptions): Promise<AppliedCatalogChange> {
  if (options.dryRun) {
    const { write, remove } = await checkedPaths(options.root, options.change);
    await assertUnchanged(options.root, options.expect ?? {}, options.what);
    if (options.validate === false) return { written: [], removed: [] };
    return { written: [], removed: [], report: await checkCatalogChange(options.root, { write, remove }) };
  }
  return withCatalogLock(options.root, options.what, (session) => session.apply(options));
}

/** A run that holds the catalog lock: what it reads stays current until it writes. */
export interface CatalogSession {
  root: string;
  /** Applies a change under the lock already held (steps 2 to 4 above). */
  apply(options: SessionChangeOptions): Promise<AppliedCatalogChange>;
}

export interface SessionChangeOptions
  extends Pick<ApplyCatalogChangeOptions, 'change' | 'expect' | 'validate'> {
  /** The catalog as read under this session's lock: validated against instead of reading it again. */
  catalog?: LoadedCatalog;
}

/**
 * Takes the catalog lock for the whole of `work`: for a writer that plans from the catalog and
 * would otherwise read it twice (new-emi reads, plans, asks, then writes under one lock, as before).
 */
export async function withCatalogLock<T>(
  root: string,
  what: string,
  work: (session: CatalogSession) => Promise<T>,
): Promise<T> {
  const release = await acquireLock(await catalogLockPath(root), what);
  try {
    return await work({ root, apply: (options) => applyLocked(root, what, options) });
  } finally {
    await release();
  }
}

async function applyLocked(
  root: string,
  what: string,
  options: SessionChangeOptions,
): Promise<AppliedCatalogChange> {
  const { write, remove } = await checkedPaths(root, options.change);
  await assertUnchanged(root, options.expect ?? {}, what);
  const report =
    options.validate === false
      ? undefined
      : await checkCatalogChange(root, { write, remove }, options.catalog);
  await replaceFilesAtomic({
    write: write.map((file) => ({ path: join(root, file.path), content: file.content })),
    remove: remove.map((path) => join(root, path)),
  });
  return { written: write.map((file) => file.path), removed: remove, ...(report ? { report } : {}) };
}

/** The change's paths, normalised and checked to lie in EMI-IDs/ or image-ids/ of the repository. */
async function checkedPaths(
  root: string,
  change: CatalogChange,
): Promise<{ write: CatalogFile[]; remove: string[] }> {
  const write = change.write.map((file) => ({ ...file, path: catalogPath(file.path) }));
  const remove = (change.remove ?? []).map(catalogPath);
  await assertInsideRoot(root, [...write.map((file) => file.path), ...remove]);
  return { write, remove };
}

/**
 * Checks planned files against the catalog on disk (or `catalog`, when the caller read it under the
 * lock) as `emi validate` would, writing nothing; a UserError lists the problems. Counted are the
 * problems of the planned paths and of the files that go with them (a record and its image-id
 * file), as `emi validate PATHS` shows them after the change: every problem of a written file, and
 * the problems of the others that the change brings (a broken record elsewhere is no reason to
 * refuse regenerating its neighbour's image-id file). Removed files are checked by their absence.
 */
export async function checkCatalogChange(
  root: string,
  change: CatalogChange,
  catalog?: LoadedCatalog,
): Promise<ValidationReport> {
  const remove = change.remove ?? [];
  const scope = [...change.write.map((file) => file.path), ...remove];
  const loaded = catalog ?? (await loadCatalog(worktreeReader(root)));
  const known = new Set(reportProblems(loaded, scope).problems.map(problemKey));
  const written = new Set(change.write.map((file) => file.path));
  const after = reportProblems(withPlannedFiles(loaded, change.write, remove), scope);
  const problems = after.problems.filter(
    (problem) => written.has(problem.file) || !known.has(problemKey(problem)),
  );
  const report = { ...after, ok: problems.length === 0, problems };
  if (!report.ok)
    throw new UserError(
      `the planned catalog files would not validate:\n${report.problems.map(formatProblem).join('\n')}`,
    );
  return report;
}

const problemKey = (problem: Problem) =>
  [problem.file, problem.line, problem.column, problem.path, problem.message].join('\0');

/**
 * The lock file: in the git folder, where no commit can pick it up; in the folder itself (hidden)
 * for a catalog that is not a git repository yet (`emi import-legacy --out DIR`).
 */
export async function catalogLockPath(root: string): Promise<string> {
  const gitDir = await getGitDir(root).catch(() => undefined);
  return gitDir === undefined ? join(root, `.${catalogLockName}`) : join(gitDir, catalogLockName);
}

/** A repository-relative path inside EMI-IDs/ or image-ids/, normalised with forward slashes. */
function catalogPath(path: string): string {
  const normal = assertSafeRelativePath(path, 'catalog file').split(sep).join('/');
  if (!normal.startsWith(`${recordsDir}/`) && !normal.startsWith(`${imageIdsDir}/`))
    throw new UserError(
      `catalog file "${path}": only files in ${recordsDir}/ and ${imageIdsDir}/ are written`,
    );
  return normal;
}

/** Refuses a folder on the way that is a symlink out of the repository (writes stay inside it). */
async function assertInsideRoot(root: string, paths: readonly string[]): Promise<void> {
  const top = await realpath(root);
  for (const folder of new Set(paths.map((path) => dirname(join(root, path))))) {
    const real = await realpath(folder).catch(() => undefined);
    if (real === undefined) continue;
    if (real !== top && !real.startsWith(`${top}${sep}`))
      throw new UserError(
        `${relative(root, folder)} leads out of ${root} (a symlink): the catalog is not written`,
      );
  }
}

async function assertUnchanged(
  root: string,
  expect: Readonly<Record<string, string | null>>,
  what: string,
): Promise<void> {
  for (const [path, seen] of Object.entries(expect)) {
    const now = await readVersion(root, catalogPath(path));
    if (now === seen) continue;
    throw new UserError(
      `${path} changed since ${what} planned this change (it saw ${describe(seen)}, now it holds ${describe(now)}): nothing is written; run it again`,
    );
  }
}

const describe = (version: string | null) => (version === null ? 'no record' : `version ${version}`);

/** The record's image_version now, null when there is no file; a UserError when it cannot be read. */
async function readVersion(root: string, path: string): Promise<string | null> {
  const file = join(root, path);
  const info = await stat(file).catch(() => undefined);
  if (info === undefined) return null;
  const text = await readFile(file).catch((error: Error) => {
    throw new UserError(`${path} cannot be read: ${error.message}`);
  });
  const parsed = parseRecord(path, text);
  if (!parsed.ok)
    throw new UserError(
      `${path} cannot be read any more: nothing is written\n${parsed.problems.map(formatProblem).join('\n')}`,
    );
  return parsed.value.record.image_version;
}
