/** `emi validate`: every record, every recipe and the image-ids sync, as one result. */
import { assertFullHistory, getGitDir, listStagedChanges } from '../lib/git.js';
import { imageIdsDir, recipesDir, recordsDir } from '../lib/paths.js';
import { compareProblems, type Problem } from '../lib/problems.js';
import { indexReader, type TreeReader, worktreeReader } from '../lib/tree-reader.js';
import { shellcheckCachePath, shellcheckRecipes } from '../recipes/shellcheck-recipes.js';
import { isRecordPath, type LoadedCatalog, loadCatalog } from './load-catalog.js';
import { parseRecord } from './parse-record.js';
import { checkRules } from './rules.js';

export interface ValidateOptions {
  /** The repository root. */
  root: string;
  /** Only report problems in these repository-relative paths (files or folders). */
  paths?: string[];
  /** Read from the index and check only what is staged. */
  staged?: boolean;
  /**
   * Check the rules that read the git history (a stamp or version used by an earlier release);
   * default true. A shallow clone is refused unless this is false: its history is cut short.
   */
  history?: boolean;
  /** Run shellcheck over the recipes' hooks and overlay scripts (default true). */
  shellcheck?: boolean;
}

export interface ValidationReport {
  ok: boolean;
  problems: Problem[];
  notes: Problem[];
  /** How many records and recipes were read. */
  counts: { records: number; recipes: number };
  /** Paths the report was limited to, when it was. */
  scope?: string[];
}

const catalogDirs = [recordsDir, imageIdsDir, recipesDir];

export async function validateCatalog(options: ValidateOptions): Promise<ValidationReport> {
  const history = options.history !== false;
  if (history)
    await assertFullHistory(
      options.root,
      'the rules that read it (a stamp or version used before) cannot be checked',
      `check without them: emi validate${options.staged ? ' --staged' : ''} --no-history`,
    );
  let scope: string[] | undefined = options.paths?.map((path) => path.replace(/\/+$/, ''));
  let reader: TreeReader;
  if (options.staged) {
    reader = indexReader(options.root);
    const staged = await listStagedChanges(
      options.root,
      catalogDirs.map((dir) => `${dir}/`),
    );
    scope = [
      ...new Set(staged.flatMap((change) => (change.from ? [change.path, change.from] : [change.path]))),
    ];
    if (scope.length === 0)
      return { ok: true, problems: [], notes: [], counts: { records: 0, recipes: 0 }, scope };
  } else {
    reader = worktreeReader(options.root);
  }

  const loaded = await loadCatalog(reader, { history });
  const report = reportProblems(loaded, scope);
  if (options.shellcheck === false) return report;
  const scripts = await shellcheckRecipes(reader, loaded.recipeSet, {
    ...(scope ? { inScope: scopeMatcher(scope) } : {}),
    cacheFile: shellcheckCachePath(await getGitDir(options.root)),
  });
  const problems = [...report.problems, ...scripts.problems].sort(compareProblems);
  const notes = [...report.notes, ...scripts.notes].sort(compareProblems);
  return { ...report, ok: problems.length === 0, problems, notes };
}

/**
 * The catalog as it will be once `files` (records, image-ids files) are written: new-emi and the
 * builder check their planned files this way before writing anything. A planned record that does
 * not parse becomes a problem of the result, like any other.
 */
export function withPlannedFiles(
  catalog: LoadedCatalog,
  files: readonly { path: string; content: string }[],
  removed: readonly string[] = [],
): LoadedCatalog {
  const gone = new Set(removed);
  let records = catalog.view.records.filter((record) => !gone.has(record.file));
  const imageIds = new Map([...catalog.view.imageIds].filter(([path]) => !gone.has(path)));
  const problems = catalog.problems.filter((problem) => !gone.has(problem.file));
  for (const file of files) {
    if (isRecordPath(file.path)) {
      records = records.filter((record) => record.file !== file.path);
      const parsed = parseRecord(file.path, file.content);
      if (parsed.ok) records = [...records, parsed.value];
      else problems.push(...parsed.problems);
    } else if (file.path.startsWith(`${imageIdsDir}/`)) {
      imageIds.set(file.path, file.content);
    }
  }
  const strayRecordFiles = catalog.view.strayRecordFiles.filter((path) => !gone.has(path));
  return { ...catalog, problems, view: { ...catalog.view, records, imageIds, strayRecordFiles } };
}

/** Checks an already loaded catalog, limited to `scope` (paths) when given. */
export function reportProblems(loaded: LoadedCatalog, scope?: string[]): ValidationReport {
  const findings = checkRules(loaded.view);
  let problems = [...loaded.problems, ...loaded.recipeSet.problems, ...findings.problems];
  let notes = findings.notes;
  if (scope) {
    const inScope = scopeMatcher(scope);
    problems = problems.filter((problem) => inScope(problem.file));
    notes = notes.filter((note) => inScope(note.file));
  }
  problems.sort(compareProblems);
  notes.sort(compareProblems);
  return {
    ok: problems.length === 0,
    problems,
    notes,
    counts: { records: loaded.view.records.length, recipes: loaded.recipeSet.recipes.size },
    ...(scope ? { scope } : {}),
  };
}

/**
 * A problem is in scope when its file is one of the paths, lies under one of them, or belongs with
 * one of them: a record and its image-id file go together, and so do every file of a recipe.
 */
function scopeMatcher(paths: string[]): (file: string) => boolean {
  const related = new Set<string>();
  for (const path of paths) {
    related.add(path);
    if (isRecordPath(path))
      related.add(`${imageIdsDir}/${path.slice(recordsDir.length + 1, -'.yaml'.length)}`);
    if (path.startsWith(`${imageIdsDir}/`)) {
      const base = path.replace(/\.packages$/, '');
      related.add(`${recordsDir}/${base.slice(imageIdsDir.length + 1)}.yaml`);
      related.add(base);
    }
    const recipe = /^recipes\/([^/]+)\//.exec(path);
    if (recipe) related.add(`${recipesDir}/${recipe[1]}`);
  }
  return (file) => {
    const clean = file.replace(/\/+$/, '');
    for (const path of related) if (clean === path || clean.startsWith(`${path}/`)) return true;
    return false;
  };
}
