/**
 * shellcheck over the scripts of the recipes: every hook, and every overlay file (recipes/common
 * included) whose first line is a `#!` naming a shell shellcheck knows. Findings become located
 * problems (file:line:column, with the SC code), so validate, the pre-commit hook and the pull
 * request's annotations show them like any other problem. Reads through the TreeReader, so
 * `validate --staged` checks what will be committed. Without shellcheck on the machine nothing is
 * checked, and validate says so in a note. Findings are cached by content in the git folder
 * (shellcheck reads the 1,000-line boot agent in about a second; the pre-commit hook must not).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { writeFileAtomic } from '../lib/atomic-write.js';
import type { Problem } from '../lib/problems.js';
import type { TreeEntry, TreeReader } from '../lib/tree-reader.js';
import { commonDir, type RecipeSet } from './load-recipes.js';
import { recipeInputEntries } from './recipe-digest.js';

const shells = new Set(['sh', 'bash', 'dash', 'ksh']);

export interface ShellcheckResult {
  problems: Problem[];
  notes: Problem[];
  /** The scripts that were checked, repository paths. */
  checked: string[];
}

/** The shell dialect a script's `#!` line names, or undefined when it is not a shell script. */
export function shellOf(content: Uint8Array): string | undefined {
  const head = Buffer.from(content.subarray(0, 200)).toString('utf8');
  const match = /^#!\s*(\S+)(?:[ \t]+(\S+))?/.exec(head);
  if (!match) return undefined;
  const program = posix.basename(match[1] ?? '');
  const name = program === 'env' ? posix.basename(match[2] ?? '') : program;
  return shells.has(name) ? name : undefined;
}

interface JsonFinding {
  line: number;
  column: number;
  level: 'error' | 'warning' | 'info' | 'style';
  code: number;
  message: string;
}

/** shellcheck's json1 findings as problems of `file`. */
export function findingsToProblems(file: string, json: string): Problem[] {
  const parsed = JSON.parse(json) as { comments?: JsonFinding[] };
  return (parsed.comments ?? []).map((finding) => ({
    file,
    line: finding.line,
    column: finding.column,
    path: `SC${finding.code}`,
    message: `shellcheck ${finding.level}: ${finding.message} (https://www.shellcheck.net/wiki/SC${finding.code})`,
  }));
}

/** The scripts of the recipes that shellcheck should read, with their dialect. */
export async function recipeScripts(
  reader: TreeReader,
  recipes: RecipeSet,
): Promise<{ path: string; shell: string; content: Uint8Array }[]> {
  const common = await reader.list(commonDir, { modes: true });
  const hooks = new Set<string>();
  const entries = new Map<string, TreeEntry>();
  for (const loaded of recipes.recipes.values()) {
    for (const hook of loaded.recipe.hooks ?? []) hooks.add(`recipes/${loaded.name}/${hook}`);
    for (const entry of recipeInputEntries(loaded, common)) entries.set(entry.path, entry);
  }
  for (const entry of common) entries.set(entry.path, entry);
  const files = [...entries.values()].filter(
    (entry) => entry.kind === 'file' && !entry.path.endsWith('.yaml'),
  );
  const contents = await reader.read(files.map((entry) => entry.path));
  const scripts: { path: string; shell: string; content: Uint8Array }[] = [];
  for (const entry of files) {
    const content = contents.get(entry.path);
    if (!content) continue;
    // A hook without a #! line is run by sh (see image-build/customise.ts), so it is read as sh.
    const shell = shellOf(content) ?? (hooks.has(entry.path) ? 'sh' : undefined);
    if (shell) scripts.push({ path: entry.path, shell, content });
  }
  return scripts.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export interface ShellcheckOptions {
  /** Only scripts for which this is true are checked. */
  inScope?: (file: string) => boolean;
  /** A JSON file that keeps findings by script content, shell and shellcheck version. */
  cacheFile?: string;
}

type Cache = Record<string, Omit<Problem, 'file'>[]>;

export async function shellcheckRecipes(
  reader: TreeReader,
  recipes: RecipeSet,
  options: ShellcheckOptions = {},
): Promise<ShellcheckResult> {
  const inScope = options.inScope ?? (() => true);
  const scripts = (await recipeScripts(reader, recipes)).filter((script) => inScope(script.path));
  if (scripts.length === 0) return { problems: [], notes: [], checked: [] };
  // The process adapter (and execa) loads only when there are scripts to check.
  const { hasCommand, runCommand } = await import('../lib/exec.js');
  if (!(await hasCommand('shellcheck'))) {
    const note = {
      file: scripts[0]?.path ?? 'recipes',
      line: 0,
      column: 0,
      path: '',
      message: `shellcheck is not installed: ${scripts.length} recipe script(s) not checked (npm run setup-host installs it)`,
    };
    return { problems: [], notes: [note], checked: [] };
  }
  const version = (await runCommand('shellcheck', ['--version'], { reject: false })).stdout;
  const cache = await readCache(options.cacheFile);
  const fresh: Cache = {};
  const problems: Problem[] = [];
  for (const script of scripts) {
    const key = createHash('sha256')
      .update(`${version}\0${script.shell}\0`)
      .update(script.content)
      .digest('hex');
    const known = cache[key];
    if (known) {
      fresh[key] = known;
      problems.push(...known.map((problem) => ({ ...problem, file: script.path })));
      continue;
    }
    const run = await runCommand(
      'shellcheck',
      ['--format=json1', `--shell=${script.shell}`, '--external-sources', '-'],
      { input: script.content, reject: false, timeoutMs: 60_000 },
    );
    // 0: clean, 1: findings; anything else is shellcheck failing, which is reported as such.
    if (run.exitCode === 0 || run.exitCode === 1) {
      const found = findingsToProblems(script.path, run.stdout);
      fresh[key] = found.map(({ file: _file, ...rest }) => rest);
      problems.push(...found);
    } else
      problems.push({
        file: script.path,
        line: 0,
        column: 0,
        path: '',
        message: `shellcheck could not read this script (exit ${run.exitCode}): ${run.stderr.trim().slice(-300)}`,
      });
  }
  if (options.cacheFile && JSON.stringify(fresh) !== JSON.stringify(cache))
    await writeFileAtomic(options.cacheFile, `${JSON.stringify(fresh)}\n`).catch(() => {});
  return { problems, notes: [], checked: scripts.map((script) => script.path) };
}

async function readCache(file: string | undefined): Promise<Cache> {
  if (!file) return {};
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Cache) : {};
  } catch {
    return {};
  }
}

/** Where validate keeps the cache: beside the history cache, in the repository's git folder. */
export function shellcheckCachePath(gitDir: string): string {
  return join(gitDir, 'emi-shellcheck-cache.json');
}
