/**
 * The one adapter for git (the only importer of simple-git). Verb-named functions over an
 * explicit working folder; arguments are arrays, never shell strings; the verbs own their git flags
 * (callers parse what a verb returns, they do not assemble git command lines).
 *
 * One transport: every git run goes through simple-git (`runGit`), except `readObjects`, which
 * feeds `git cat-file --batch` its object names on stdin and reads binary objects back: simple-git
 * can give a task neither stdin nor a byte-exact stdout, so that one run goes through the process
 * adapter (exec.ts), loaded only then: execa costs a tenth of a second at every start, and most
 * commands (new-emi, validate, the pre-commit hook) never read objects.
 *
 * Errors are translated here: simple-git's GitError, a git process that failed and a folder that
 * does not exist become a GitCommandError (a UserError, exit 1) naming the command, the repository
 * and git's own message; a held index.lock says which file to remove if no git is running.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SimpleGit, simpleGit } from 'simple-git';
import { isUserError, UserError } from './errors.js';
import { imageIdsDir, recordsDir } from './paths.js';

/** A git run that failed: the command, the repository, git's exit code and its own message. */
export class GitCommandError extends UserError {
  override name = 'GitCommandError';
  readonly command: string;
  readonly repository: string;
  /** git's exit code; undefined when git did not run (e.g. the folder does not exist). */
  readonly gitExitCode: number | undefined;
  /** What git printed on stderr (or simple-git's message when git did not run). */
  readonly gitMessage: string;
  /** What git printed on stdout before it failed (e.g. `push --porcelain`'s ref lines). */
  readonly gitOutput: string;
  constructor(options: {
    command: string;
    repository: string;
    gitExitCode: number | undefined;
    gitMessage: string;
    gitOutput?: string;
    cause?: unknown;
  }) {
    super(describeGitFailure(options), { cause: options.cause });
    this.command = options.command;
    this.repository = options.repository;
    this.gitExitCode = options.gitExitCode;
    this.gitMessage = options.gitMessage;
    this.gitOutput = options.gitOutput ?? '';
  }

  /** git said the folder is not in a repository. */
  get isNotARepository(): boolean {
    return /not a git repository/i.test(this.gitMessage);
  }
}

const lockPattern = /Unable to create '([^']+\.lock)': File exists/;

function describeGitFailure(options: {
  command: string;
  repository: string;
  gitExitCode: number | undefined;
  gitMessage: string;
}): string {
  const lock = lockPattern.exec(options.gitMessage)?.[1];
  if (lock)
    return `${options.command} failed in ${options.repository}: ${lock} exists, so another git process is running there or one was killed: wait for it, or if no git runs, remove ${lock} and try again`;
  // git's own message, without its hints (they name git commands, not ours) and blank lines.
  const message = options.gitMessage
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line !== '' && !line.startsWith('hint:'))
    .slice(0, 8)
    .join('\n    ');
  const how = options.gitExitCode === undefined ? 'failed' : `exited with code ${options.gitExitCode}`;
  return `${options.command} ${how} in ${options.repository}${message ? `:\n    ${message}` : ''}`;
}

/**
 * `git <verb> …` for messages: the first arguments, without `-c` settings and the temp files this
 * adapter names (`--output=`, `--file=`), not a long format string or pathspec list.
 */
function describeArgs(args: readonly string[]): string {
  const meaningful = args.filter(
    (arg, index) =>
      arg !== '-c' && args[index - 1] !== '-c' && !arg.startsWith('--output=') && !arg.startsWith('--file='),
  );
  const shown = meaningful.slice(0, 4);
  return `git ${shown.join(' ')}${shown.length < meaningful.length ? ' …' : ''}`;
}

interface GitResult {
  stdout: string;
  /** What git printed on stderr (kept for answers such as a push's rejection). */
  stderr: string;
  exitCode: number;
}

interface RunGitOptions {
  /** Exit codes that are answers, not failures (e.g. 1 from `merge-base --is-ancestor`). */
  answers?: readonly number[];
  /** Extra environment for git (on top of this process's). */
  env?: Record<string, string>;
}

/**
 * Runs git through simple-git. simple-git counts a run as failed only when git printed on stderr,
 * so its `errors` hook is told the exit code of every run: a non-zero exit is a failure (or an
 * answer, when listed in `answers`) even when git printed nothing.
 */
async function runGit(cwd: string, args: string[], options: RunGitOptions = {}): Promise<GitResult> {
  let exitCode: number | undefined;
  let stderr = '';
  let failedOutput = '';
  try {
    let git: SimpleGit = simpleGit({
      baseDir: cwd,
      trimmed: false,
      // simple-git checks an environment given to it for variables that run programs (EDITOR,
      // GIT_SSH_COMMAND, GIT_CONFIG_GLOBAL …), to stop them coming from untrusted data. The only
      // environment given here is this process's own (the user's, which git reads anyway) plus
      // the fixed names in `options.env`, so those checks are lifted for it, and for it alone.
      ...(options.env ? { unsafe: inheritedEnvAllowed } : {}),
      errors(error, result) {
        exitCode = result.exitCode;
        stderr = Buffer.concat(result.stdErr).toString('utf8');
        if (result.exitCode !== 0) failedOutput = Buffer.concat(result.stdOut).toString('utf8');
        if (result.exitCode === 0) return error;
        // An answer keeps its output (e.g. merge-tree's conflicted paths with exit 1).
        if (options.answers?.includes(result.exitCode)) return undefined;
        return error ?? Buffer.from(stderr || `exit code ${result.exitCode}`);
      },
    });
    if (options.env) git = git.env({ ...inheritedEnv(), ...options.env });
    const stdout = await git.raw(args);
    return { stdout, stderr, exitCode: exitCode ?? 0 };
  } catch (error) {
    if (exitCode !== undefined && exitCode !== 0 && options.answers?.includes(exitCode))
      return { stdout: '', stderr, exitCode };
    throw new GitCommandError({
      command: describeArgs(args),
      repository: cwd,
      gitExitCode: exitCode,
      gitMessage: stderr || (error instanceof Error ? error.message : String(error)),
      gitOutput: failedOutput,
      cause: error,
    });
  }
}

const inheritedEnvAllowed = {
  allowUnsafeAskPass: true,
  allowUnsafeConfigEnvCount: true,
  allowUnsafeConfigPaths: true,
  allowUnsafeDiffExternal: true,
  allowUnsafeEditor: true,
  allowUnsafeGitProxy: true,
  allowUnsafePager: true,
  allowUnsafeSshCommand: true,
  allowUnsafeTemplateDir: true,
};

function inheritedEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  return env;
}

async function raw(cwd: string, args: string[]): Promise<string> {
  return (await runGit(cwd, args)).stdout;
}

/**
 * The top of the working tree that holds cwd, or undefined outside a repository (or when cwd does
 * not exist). Other failures (git refusing a repository of another owner, say) are thrown.
 */
export async function findRepoRoot(cwd: string): Promise<string | undefined> {
  try {
    return (await raw(cwd, ['rev-parse', '--show-toplevel'])).trim();
  } catch (error) {
    if (isOutsideRepository(error)) return undefined;
    throw error;
  }
}

function isOutsideRepository(error: unknown): boolean {
  return error instanceof GitCommandError && (error.isNotARepository || error.gitExitCode === undefined);
}

export async function requireRepoRoot(cwd: string): Promise<string> {
  const root = await findRepoRoot(cwd);
  if (!root) throw notInRepository(cwd);
  return root;
}

/** requireRepoRoot and isShallowRepository in one git run. */
export async function requireRepositoryState(cwd: string): Promise<{ root: string; shallow: boolean }> {
  const state = await getRepositoryState(cwd);
  if (!state) throw notInRepository(cwd);
  return state;
}

const notInRepository = (cwd: string) =>
  new UserError(`${cwd} is not inside a git repository: run this in a clone of the catalog`);

/** The top of the working tree around cwd and whether its history is cut short (one git run). */
export async function getRepositoryState(
  cwd: string,
): Promise<{ root: string; shallow: boolean } | undefined> {
  try {
    const [root = '', shallow = '', gitDir = ''] = (
      await raw(cwd, ['rev-parse', '--show-toplevel', '--is-shallow-repository', '--absolute-git-dir'])
    )
      .trim()
      .split('\n');
    if (root !== '' && gitDir.trim() !== '') knownGitDirs.set(root, gitDir.trim());
    return root === '' ? undefined : { root, shallow: shallow.trim() === 'true' };
  } catch (error) {
    if (isOutsideRepository(error)) return undefined;
    throw error;
  }
}

/**
 * The git folders of the repository roots this process has looked at (getRepositoryState asks git
 * for it in the same run), so the caches kept there cost no second `git rev-parse`.
 */
const knownGitDirs = new Map<string, string>();

/** The repository's git folder (`.git`, or a linked worktree's folder in the main one's). */
export async function getGitDir(cwd: string): Promise<string> {
  const known = knownGitDirs.get(cwd);
  if (known && existsSync(known)) return known;
  return (await raw(cwd, ['rev-parse', '--absolute-git-dir'])).trim();
}

export async function hasCommits(cwd: string): Promise<boolean> {
  return (await readHeadCommit(cwd)) !== undefined;
}

/**
 * Runs a command that needs a commit (log, rev-list): in a repository without one it gives
 * `empty` instead of git's error. Asks whether there is a commit only after a failure, so the
 * usual case costs one process.
 */
async function rawWithCommits<T>(
  cwd: string,
  args: string[],
  empty: T,
  parse: (output: string) => T,
): Promise<T> {
  try {
    return parse(await raw(cwd, args));
  } catch (error) {
    if (!(await hasCommits(cwd))) return empty;
    throw error;
  }
}

/** Whether the repository around cwd is a shallow clone (its history cut short). */
export async function isShallowRepository(cwd: string): Promise<boolean> {
  return (await raw(cwd, ['rev-parse', '--is-shallow-repository'])).trim() === 'true';
}

/** How to get the whole history, for every message about a shallow clone. */
export const unshallowAdvice =
  'fetch the whole history first (git fetch --unshallow, or fetch-depth: 0 for actions/checkout)';

/** A shallow clone where a command needs the whole history. */
export class ShallowCloneError extends UserError {
  override name = 'ShallowCloneError';
}

/**
 * Refuses a shallow clone: `consequence` says what would go wrong ("the changelog would miss
 * releases"), `alternative` how to do without the history, when there is a way.
 */
export async function assertFullHistory(
  root: string,
  consequence: string,
  alternative?: string,
): Promise<void> {
  refuseShallow({ root, shallow: await isShallowRepository(root) }, consequence, alternative);
}

/** assertFullHistory for a repository whose state is known already (see requireRepositoryState). */
export function refuseShallow(
  state: { root: string; shallow: boolean },
  consequence: string,
  alternative?: string,
): void {
  if (!state.shallow) return;
  throw new ShallowCloneError(
    `${state.root} is a shallow clone, so its history is cut short and ${consequence}: ${unshallowAdvice}${alternative ? `, or ${alternative}` : ''}`,
  );
}

export interface StagedChange {
  /** A, M, D, R, C, T … as `git diff --name-status` prints it. */
  status: string;
  path: string;
  /** The old path of a rename or copy. */
  from?: string;
}

/** What is staged for the next commit, limited to the given pathspecs. */
export async function listStagedChanges(cwd: string, pathspecs: string[] = []): Promise<StagedChange[]> {
  const args = ['diff', '--cached', '--name-status', '-z', '--find-renames'];
  const output = await raw(cwd, [...args, '--', ...pathspecs]);
  const fields = output.split('\0').filter((field) => field !== '');
  const changes: StagedChange[] = [];
  for (let i = 0; i < fields.length; ) {
    const status = fields[i++] ?? '';
    if (status.startsWith('R') || status.startsWith('C')) {
      const from = fields[i++] ?? '';
      const path = fields[i++] ?? '';
      changes.push({ status: status[0] ?? status, path, from });
    } else {
      changes.push({ status, path: fields[i++] ?? '' });
    }
  }
  return changes;
}

export interface IndexEntry {
  /** 100644, 100755, 120000 (symlink), 160000 (submodule). */
  mode: string;
  path: string;
}

/** Entries of the index under the given pathspecs, sorted by path. */
export async function listIndexEntries(cwd: string, pathspecs: string[] = []): Promise<IndexEntry[]> {
  const output = await raw(cwd, [
    '-c',
    'core.quotePath=false',
    'ls-files',
    '-z',
    '--stage',
    '--',
    ...pathspecs,
  ]);
  return output
    .split('\0')
    .filter((line) => line !== '')
    .map((line) => {
      const tab = line.indexOf('\t');
      return { mode: line.slice(0, line.indexOf(' ')), path: line.slice(tab + 1) };
    });
}

/**
 * Reads files as they are in the index (`:path`) or at a commit (`rev:path`), many at once through
 * one `git cat-file --batch`. Missing files are left out of the result.
 */
export async function readBlobs(cwd: string, specs: string[]): Promise<Map<string, Buffer>> {
  const result = new Map<string, Buffer>();
  for (const [spec, object] of await readObjects(cwd, specs)) result.set(spec, object.content);
  return result;
}

export interface GitObject {
  oid: string;
  /** blob, commit, tree or tag. */
  type: string;
  content: Buffer;
}

/** Specs per `git cat-file --batch` run: keeps each run's output well under execa's buffer limit. */
const objectsPerBatch = 5000;

/**
 * Reads objects by spec (an object id, `rev:path` or `:path`) through `git cat-file --batch`, with
 * their ids, so callers can skip parsing content they have seen. Missing objects (and specs that
 * cannot be sent on one line) are left out of the result.
 */
export async function readObjects(cwd: string, specs: readonly string[]): Promise<Map<string, GitObject>> {
  const result = new Map<string, GitObject>();
  const sendable = [...new Set(specs)].filter((spec) => spec !== '' && !/[\n\r]/.test(spec));
  const batches: string[][] = [];
  for (let start = 0; start < sendable.length; start += objectsPerBatch)
    batches.push(sendable.slice(start, start + objectsPerBatch));
  const readBatch = async (batch: string[]) => {
    // Through the process adapter, not simple-git: the names go in on stdin and the objects come
    // back as bytes (see the header).
    const { runCommand } = await import('./exec.js');
    const { stdoutBytes } = await runCommand('git', ['cat-file', '--batch', '--buffer'], {
      cwd,
      input: `${batch.join('\n')}\n`,
      binary: true,
    }).catch((error: unknown) => {
      throw isUserError(error)
        ? new GitCommandError({
            command: 'git cat-file --batch',
            repository: cwd,
            gitExitCode: (error as { processExitCode?: number }).processExitCode,
            gitMessage: (error as { stderrTail?: string }).stderrTail ?? error.message,
            cause: error,
          })
        : error;
    });
    const bytes = stdoutBytes ?? new Uint8Array();
    // A view, not a copy: a batch can hold megabytes.
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let offset = 0;
    for (const spec of batch) {
      const end = buffer.indexOf(0x0a, offset);
      if (end < 0) break;
      const header = buffer.subarray(offset, end).toString('utf8');
      offset = end + 1;
      if (header.endsWith(' missing') || header.endsWith(' ambiguous')) continue;
      const [oid = '', type = '', size = '0'] = header.split(' ');
      result.set(spec, { oid, type, content: buffer.subarray(offset, offset + Number(size)) });
      offset += Number(size) + 1;
    }
  };
  // Two runs at a time: the machines this runs on have two cores.
  let next = 0;
  const worker = async () => {
    while (next < batches.length) await readBatch(batches[next++] as string[]);
  };
  await Promise.all([worker(), worker()]);
  return result;
}

/**
 * Raw `git log` output, written by git into a file (no pipe to stall on, and no output limit); empty
 * when the repository has no commits yet. The verbs below own the flags; their parsers live with
 * their stages (catalog/history.ts, changelog/parse-record-log.ts, changelog/manifest-patches.ts).
 */
async function readLog(cwd: string, args: string[], pathspecs: string[]): Promise<string> {
  const folder = mkdtempSync(join(tmpdir(), 'emi-log-'));
  const output = join(folder, 'log');
  try {
    await runGit(cwd, [
      '-c',
      'core.quotePath=false',
      'log',
      `--output=${output}`,
      ...args,
      '--',
      ...pathspecs,
    ]);
    return await readFile(output, 'utf8');
  } catch (error) {
    // A repository without commits has no history yet.
    if (
      error instanceof GitCommandError &&
      /does not have any commits yet|bad default revision 'HEAD'/.test(error.gitMessage)
    )
      return '';
    throw error;
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/**
 * The history of the record files, for catalog/history.ts (parseRecordHistory): oldest first, each
 * commit as a NUL, `commit <hash> <committer time>`, then its zero-context patch (renames as a
 * deletion and an addition). `range` limits it (e.g. `<cached>..<head>`; default HEAD).
 */
/** The commits that changed a path, newest first (`git log --format=%H -- path`). */
export async function listCommitsTouching(cwd: string, path: string): Promise<string[]> {
  return (await readLog(cwd, ['--format=%H'], [path])).split('\n').filter(Boolean);
}

export async function readRecordHistoryLog(cwd: string, range: string[] = []): Promise<string> {
  const args = [
    '--reverse',
    '--no-renames',
    '--no-color',
    '--no-ext-diff',
    '--format=%x00commit %H %ct',
    '-p',
    '--unified=0',
    ...range,
  ];
  return readLog(cwd, args, [`${recordsDir}/`]);
}

/** Context lines for readRecordLog: more than any record file has, so each hunk is the whole file. */
const recordContextLines = 400;

/**
 * The history of the record files, for changelog/parse-record-log.ts: every non-merge commit,
 * oldest first (parents first, `--full-history`), as a NUL, `commit <hash>`, and a patch with
 * renames found, full blob ids and the whole file as context.
 */
export async function readRecordLog(cwd: string): Promise<string> {
  const args = [
    '--date-order',
    '--reverse',
    '--full-history',
    '--no-merges',
    '--find-renames',
    '--no-color',
    '--no-ext-diff',
    '--full-index',
    '--format=%x00commit %H',
    '-p',
    `-U${recordContextLines}`,
  ];
  return readLog(cwd, args, [`${recordsDir}/`]);
}

/**
 * The changes of the package manifests (image-ids/*.packages), for changelog/manifest-patches.ts:
 * every non-merge commit as a record separator (0x1e) and its hash, then a zero-context patch
 * with full blob ids and no rename detection.
 */
export async function readManifestPatchLog(cwd: string): Promise<string> {
  const args = [
    '--full-history',
    '--no-merges',
    '--no-renames',
    '--no-color',
    '--no-ext-diff',
    '--full-index',
    '-p',
    '-U0',
    '--format=%x1e%H',
  ];
  return readLog(cwd, args, [`${imageIdsDir}/*.packages`]);
}

/** The commit HEAD points at, or undefined in a repository without commits (or outside one). */
export async function readHeadCommit(cwd: string): Promise<string | undefined> {
  try {
    const result = await runGit(cwd, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], {
      answers: [1],
    });
    return result.exitCode === 0 ? result.stdout.trim() : undefined;
  } catch (error) {
    if (error instanceof GitCommandError && error.isNotARepository) return undefined;
    throw error;
  }
}

/** Whether `ancestor` is reachable from `descendant`. */
export async function isAncestor(cwd: string, ancestor: string, descendant: string): Promise<boolean> {
  // 1 is "no"; 128 is a commit that is not there (any more), which is no ancestor either.
  const result = await runGit(cwd, ['merge-base', '--is-ancestor', ancestor, descendant], {
    answers: [1, 128],
  });
  return result.exitCode === 0;
}

/** The configured URL of a remote, or undefined. */
export async function getRemoteUrl(cwd: string, remote = 'origin'): Promise<string | undefined> {
  try {
    const url = (await raw(cwd, ['remote', 'get-url', remote])).trim();
    return url || undefined;
  } catch {
    return undefined;
  }
}

export interface CommitOptions {
  message: string;
  author?: { name: string; email: string; date?: string };
  /** Who commits (default: the configured user); a bot commits as itself. */
  committer?: { name: string; email: string };
  committerDate?: string;
  allowEmpty?: boolean;
  noVerify?: boolean;
}

export async function addPaths(cwd: string, paths: string[]): Promise<void> {
  await raw(cwd, ['add', '--all', '--', ...paths]);
}

/** Takes paths out of the index again (back to HEAD, or out of it in a repository without commits). */
export async function unstagePaths(cwd: string, paths: string[]): Promise<void> {
  await raw(cwd, ['reset', '--quiet', '--', ...paths]);
}

/** Commits what is staged; the message goes through a file, never a shell string. */
export async function commitStaged(cwd: string, options: CommitOptions): Promise<string> {
  const folder = mkdtempSync(join(tmpdir(), 'emi-commit-'));
  try {
    const messageFile = join(folder, 'message');
    await writeFile(messageFile, options.message);
    const args = ['commit', '--quiet', '--cleanup=verbatim', `--file=${messageFile}`];
    if (options.allowEmpty) args.push('--allow-empty');
    if (options.noVerify) args.push('--no-verify');
    if (options.author) args.push(`--author=${options.author.name} <${options.author.email}>`);
    if (options.author?.date) args.push(`--date=${options.author.date}`);
    const env: Record<string, string> = {};
    if (options.committerDate) env.GIT_COMMITTER_DATE = options.committerDate;
    if (options.committer) {
      env.GIT_COMMITTER_NAME = options.committer.name;
      env.GIT_COMMITTER_EMAIL = options.committer.email;
    }
    await runGit(cwd, args, Object.keys(env).length > 0 ? { env } : {});
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
  return (await raw(cwd, ['rev-parse', 'HEAD'])).trim();
}

export async function initRepository(cwd: string, branch = 'main'): Promise<void> {
  await raw(cwd, ['init', '--quiet', `--initial-branch=${branch}`]);
}

export async function setConfig(cwd: string, key: string, value: string): Promise<void> {
  await raw(cwd, ['config', key, value]);
}

export interface PathChange {
  /** A, M, D, T, R (renamed) or C (copied), without the similarity score. */
  status: string;
  path: string;
  /** The old path of a rename or copy. */
  from?: string;
  /** The blob at `path` after the change (absent for a deletion). */
  oid?: string;
}

export interface CommitPathChanges {
  commit: string;
  changes: PathChange[];
}

export interface PathChangesOptions {
  pathspecs: string[];
  /** Pair deletions and additions into renames (`-M`); otherwise both sides are listed. */
  findRenames: boolean;
  /** The commit to start from (default HEAD). */
  revision?: string;
}

const zeroOid = /^0+$/;

/**
 * Every non-merge commit reachable from the revision that changed the pathspecs, oldest first
 * (parents before children, else by commit date), with what it changed and the resulting blob ids
 * (`--raw`), so callers read contents by id instead of resolving paths. `--full-history` keeps
 * side-branch commits that the default history simplification would hide.
 */
export async function listPathChanges(
  cwd: string,
  options: PathChangesOptions,
): Promise<CommitPathChanges[]> {
  const args = [
    '-c',
    'core.quotePath=false',
    'log',
    options.revision ?? 'HEAD',
    '--date-order',
    '--reverse',
    '--full-history',
    '--no-merges',
    '--no-color',
    '--no-ext-diff',
    options.findRenames ? '--find-renames' : '--no-renames',
    '--raw',
    '--no-abbrev',
    '-z',
    '--format=%x1e%H',
    '--',
    ...options.pathspecs,
  ];
  return rawWithCommits(cwd, args, [], parsePathChanges);
}

function parsePathChanges(output: string): CommitPathChanges[] {
  const result: CommitPathChanges[] = [];
  for (const chunk of output.split('\x1e').slice(1)) {
    const fields = chunk.split('\0');
    const commit = (fields[0] ?? '').trim();
    const changes: PathChange[] = [];
    for (let i = 1; i < fields.length; ) {
      // ":100644 100644 <old oid> <new oid> M" then the path (two paths for R and C).
      const meta = (fields[i++] ?? '').trim().split(' ');
      if (meta.length < 5) continue;
      const oid = meta[3] ?? '';
      const letter = (meta[4] ?? '')[0] ?? '';
      const blob = zeroOid.test(oid) ? {} : { oid };
      if (letter === 'R' || letter === 'C') {
        const from = fields[i++] ?? '';
        changes.push({ status: letter, path: fields[i++] ?? '', from, ...blob });
      } else {
        changes.push({ status: letter, path: fields[i++] ?? '', ...blob });
      }
    }
    result.push({ commit, changes });
  }
  return result;
}

/** Every commit reachable from the revision, with its parents (`git rev-list --parents`). */
export async function listCommitParents(cwd: string, revision = 'HEAD'): Promise<Map<string, string[]>> {
  return rawWithCommits(cwd, ['rev-list', '--parents', revision, '--'], new Map(), (output) => {
    const parents = new Map<string, string[]>();
    for (const line of output.split('\n')) {
      if (line === '') continue;
      const [commit = '', ...rest] = line.split(' ');
      parents.set(commit, rest);
    }
    return parents;
  });
}

/** Whether the working tree and the index match HEAD (no untracked files either). */
export async function isWorkingTreeClean(cwd: string): Promise<boolean> {
  const output = await raw(cwd, ['status', '--porcelain', '-z', '--untracked-files=all']);
  return output === '';
}

/** Who git would record as committer here (`git var GIT_COMMITTER_IDENT`), or undefined when unset. */
export async function getCommitterIdent(cwd: string): Promise<string | undefined> {
  // git var exits 128 when it cannot make up an identity (no user.email, no usable host name).
  const result = await runGit(cwd, ['var', 'GIT_COMMITTER_IDENT'], { answers: [128] });
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}

export interface TreeListEntry {
  /** 100644, 100755, 120000 (symlink), 160000 (submodule), 040000 (tree). */
  mode: string;
  type: string;
  oid: string;
  path: string;
}

/** Every blob under the pathspecs at a commit or tree (`git ls-tree -r`), with its id; sorted by path. */
export async function listTreeAt(
  cwd: string,
  treeish: string,
  pathspecs: string[] = [],
): Promise<TreeListEntry[]> {
  const output = await raw(cwd, [
    '-c',
    'core.quotePath=false',
    'ls-tree',
    '-r',
    '-z',
    '--full-tree',
    treeish,
    '--',
    ...pathspecs,
  ]);
  return output
    .split('\0')
    .filter((line) => line !== '')
    .map((line) => {
      const tab = line.indexOf('\t');
      const [mode = '', type = '', oid = ''] = line.slice(0, tab).split(' ');
      return { mode, type, oid, path: line.slice(tab + 1) };
    });
}

/** The commit a revision names, or undefined when it names none. */
export async function resolveCommit(cwd: string, revision: string): Promise<string | undefined> {
  if (revision.startsWith('-')) return undefined;
  const result = await runGit(
    cwd,
    ['rev-parse', '--verify', '--quiet', '--end-of-options', `${revision}^{commit}`],
    { answers: [1, 128] },
  );
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}

/** The best common ancestor of two commits, or undefined when they share no history. */
export async function findMergeBase(cwd: string, a: string, b: string): Promise<string | undefined> {
  const result = await runGit(cwd, ['merge-base', a, b], { answers: [1] });
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}

/**
 * The tree a merge of `theirs` into `ours` would make, without touching the working tree or the
 * index (`git merge-tree --write-tree`, git 2.38+); conflicted paths when it does not merge cleanly.
 */
export async function mergeTrees(
  cwd: string,
  ours: string,
  theirs: string,
): Promise<{ tree: string; conflicts: string[] }> {
  // Exit 1 is an answer: the merge has conflicts (their paths follow the tree).
  const result = await runGit(
    cwd,
    ['merge-tree', '--write-tree', '--name-only', '-z', '--no-messages', ours, theirs],
    { answers: [1] },
  );
  const [tree = '', ...rest] = result.stdout.split('\0');
  return {
    tree: tree.trim(),
    conflicts: result.exitCode === 1 ? rest.filter((path) => path.trim() !== '') : [],
  };
}

/** The last commit reachable from `revision` that changed the path, or undefined. */
export async function findLastChange(
  cwd: string,
  revision: string,
  path: string,
): Promise<string | undefined> {
  const output = await rawWithCommits(
    cwd,
    ['log', '-1', '--format=%H', revision, '--', path],
    '',
    (text) => text,
  );
  return output.trim() || undefined;
}

export interface StatusEntry {
  /** Two-letter porcelain status: ' M', 'M ', '??' (untracked), '!!' (ignored) … */
  status: string;
  path: string;
}

/** Changes against HEAD under the pathspecs, untracked and ignored files included (`git status`). */
export async function listWorkingChanges(
  cwd: string,
  pathspecs: string[],
  options: { ignored?: boolean } = {},
): Promise<StatusEntry[]> {
  const output = await raw(cwd, [
    'status',
    '--porcelain=v1',
    '-z',
    '--untracked-files=all',
    ...(options.ignored ? ['--ignored=matching'] : []),
    '--',
    ...pathspecs,
  ]);
  const fields = output.split('\0');
  const entries: StatusEntry[] = [];
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i] ?? '';
    if (field.length < 4) continue;
    const status = field.slice(0, 2);
    entries.push({ status, path: field.slice(3) });
    // A rename or copy is followed by its old path.
    if (status[0] === 'R' || status[0] === 'C') i++;
  }
  return entries;
}

/** `git fetch <remote> <branch>`; returns the fetched commit. */
export async function fetchBranch(cwd: string, remote: string, branch: string): Promise<string> {
  await raw(cwd, [
    'fetch',
    '--quiet',
    '--no-tags',
    remote,
    `+refs/heads/${branch}:refs/remotes/${remote}/${branch}`,
  ]);
  return (await raw(cwd, ['rev-parse', `refs/remotes/${remote}/${branch}`])).trim();
}

/** Rebases the current branch onto `upstream`; on a conflict the rebase is aborted and false returned. */
export async function rebaseOnto(
  cwd: string,
  upstream: string,
  committer?: { name: string; email: string },
): Promise<boolean> {
  // A fresh CI checkout has no identity configured; rebasing rewrites commits, so it needs one.
  const env: Record<string, string> = committer
    ? { GIT_COMMITTER_NAME: committer.name, GIT_COMMITTER_EMAIL: committer.email }
    : {};
  try {
    await runGit(cwd, ['rebase', '--quiet', '--no-autostash', upstream], { env });
    return true;
  } catch (error) {
    if (!(error instanceof GitCommandError) || error.gitExitCode === undefined) throw error;
    await runGit(cwd, ['rebase', '--abort'], { env, answers: [128] }).catch(() => undefined);
    return false;
  }
}

export type PushResult = { ok: true } | { ok: false; rejected: boolean; message: string };

/**
 * Pushes `HEAD` to a branch of a remote, never forced. A non-fast-forward rejection (someone pushed
 * first) is reported as `rejected`, for the caller to fetch, rebase and try again. git reports a
 * ref it refused on stdout (`--porcelain`: `!<TAB>HEAD:refs/heads/main<TAB>[rejected] (fetch
 * first)`), and the remote's own errors on stderr, so both are read.
 */
export async function pushHead(cwd: string, remote: string, branch: string): Promise<PushResult> {
  let text: string;
  try {
    // Exit 1: a ref was refused (by us or by the remote); what happened is in the output.
    const result = await runGit(cwd, ['push', '--porcelain', remote, `HEAD:refs/heads/${branch}`], {
      answers: [1],
    });
    if (result.exitCode === 0) return { ok: true };
    text = `${result.stderr}\n${result.stdout}`;
  } catch (error) {
    if (!(error instanceof GitCommandError) || error.gitExitCode === undefined) throw error;
    // --porcelain prints the refs' fate ("!  HEAD:refs/heads/main  [rejected] (fetch first)") on
    // stdout; stderr has only git's hints.
    text = `${error.gitOutput}\n${error.gitMessage}`;
  }
  // A ref that moved while the push was received ("cannot lock ref … but expected …") is a race too.
  const rejected =
    /\[rejected\]|non-fast-forward|fetch first|cannot lock ref|incorrect old value|failed to update ref/.test(
      text,
    );
  return { ok: false, rejected, message: text.trim().split('\n').slice(-5).join('\n') };
}

/** The paths of the files under a folder at a commit (`git ls-tree -r --name-only`); none without commits. */
export async function listTreeFiles(cwd: string, revision: string, folder: string): Promise<string[]> {
  const result = await runGit(cwd, ['ls-tree', '-r', '--name-only', '-z', revision, '--', folder], {
    answers: [128],
  });
  if (result.exitCode !== 0) return [];
  return result.stdout.split('\0').filter(Boolean);
}
