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
 *    place, problems limited to the planned paths), unless `validate: false`;
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
 * `checkCatalogChange(root, change)` is step 3 alone, for a plan made long before it is applied (the
 * build checks its record before it spends minutes building).
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
import { loadCatalog } from './load-catalog.js';
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
  const write = options.change.write.map((file) => ({ ...file, path: catalogPath(file.path) }));
  const remove = (options.change.remove ?? []).map(catalogPath);
  const release = options.dryRun
    ? async () => {}
    : await acquireLock(await catalogLockPath(options.root), options.what);
  try {
    await assertInsideRoot(options.root, [...write.map((file) => file.path), ...remove]);
    await assertUnchanged(options.root, options.expect ?? {}, options.what);
    let report: ValidationReport | undefined;
    if (options.validate !== false) report = await checkCatalogChange(options.root, { write, remove });
    if (options.dryRun) return { written: [], removed: [], ...(report ? { report } : {}) };
    await replaceFilesAtomic({
      write: write.map((file) => ({ path: join(options.root, file.path), content: file.content })),
      remove: remove.map((path) => join(options.root, path)),
    });
    return { written: write.map((file) => file.path), removed: remove, ...(report ? { report } : {}) };
  } finally {
    await release();
  }
}

/**
 * Checks planned files against the catalog on disk as `emi validate` would, writing nothing; a
 * UserError lists the problems. Counted are the problems of the planned paths and of the files that
 * go with them (a record and its image-id file), as `emi validate PATHS` shows them after the
 * change: every problem of a written file, and the problems of the others that the change brings
 * (a broken record elsewhere is no reason to refuse regenerating its neighbour's image-id file).
 * Removed files are checked by their absence.
 */
export async function checkCatalogChange(root: string, change: CatalogChange): Promise<ValidationReport> {
  const remove = change.remove ?? [];
  const scope = [...change.write.map((file) => file.path), ...remove];
  const loaded = await loadCatalog(worktreeReader(root));
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
