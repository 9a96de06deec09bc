/**
 * The one adapter for git (the only importer of simple-git). Verb-named functions over an
 * explicit working folder; arguments are arrays, never shell strings.
 */
import { mkdtempSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SimpleGit, simpleGit } from 'simple-git';
import { ProcessError, tail, UserError } from './errors.js';
import { runCommand } from './exec.js';

function git(cwd: string): SimpleGit {
  return simpleGit({ baseDir: cwd, maxConcurrentProcesses: 4, trimmed: false });
}

async function raw(cwd: string, args: string[]): Promise<string> {
  return git(cwd).raw(args);
}

/** The top of the working tree that holds cwd, or undefined outside a repository. */
export async function findRepoRoot(cwd: string): Promise<string | undefined> {
  try {
    return (await raw(cwd, ['rev-parse', '--show-toplevel'])).trim();
  } catch {
    return undefined;
  }
}

export async function requireRepoRoot(cwd: string): Promise<string> {
  const root = await findRepoRoot(cwd);
  if (!root) throw new UserError(`${cwd} is not inside a git repository: run this in a clone of the catalog`);
  return root;
}

/** The top of the working tree around cwd and whether its history is cut short (one git run). */
export async function getRepositoryState(
  cwd: string,
): Promise<{ root: string; shallow: boolean } | undefined> {
  try {
    const [root = '', shallow = ''] = (
      await raw(cwd, ['rev-parse', '--show-toplevel', '--is-shallow-repository'])
    )
      .trim()
      .split('\n');
    return root === '' ? undefined : { root, shallow: shallow.trim() === 'true' };
  } catch {
    return undefined;
  }
}

export async function getGitDir(cwd: string): Promise<string> {
  return (await raw(cwd, ['rev-parse', '--absolute-git-dir'])).trim();
}

export async function hasCommits(cwd: string): Promise<boolean> {
  // simple-git resolves a failed command that prints nothing, so ask for the exit code itself.
  const result = await runCommand('git', ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], {
    cwd,
    reject: false,
  });
  return result.exitCode === 0;
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

export async function isShallowRepository(cwd: string): Promise<boolean> {
  return (await raw(cwd, ['rev-parse', '--is-shallow-repository'])).trim() === 'true';
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
    const { stdoutBytes } = await runCommand('git', ['cat-file', '--batch', '--buffer'], {
      cwd,
      input: `${batch.join('\n')}\n`,
      binary: true,
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

export interface LogOptions {
  /** Extra `git log` arguments before the pathspec (e.g. ['-p', '--reverse']). */
  args: string[];
  pathspecs?: string[];
}

/** Raw `git log` output; empty when the repository has no commits yet. */
export async function readLog(cwd: string, options: LogOptions): Promise<string> {
  // git writes into a file rather than a pipe: started at once (no awaits before the spawn), it
  // runs to the end at full speed while this process reads the working tree, instead of stalling
  // on a full pipe until the event loop drains it.
  const folder = mkdtempSync(join(tmpdir(), 'emi-log-'));
  const output = join(folder, 'log');
  const args = [
    '-c',
    'core.quotePath=false',
    'log',
    `--output=${output}`,
    ...options.args,
    '--',
    ...(options.pathspecs ?? []),
  ];
  const running = runCommand('git', args, { cwd, reject: false });
  try {
    const result = await running;
    if (result.exitCode !== 0) {
      // A repository without commits has no history yet.
      if (/does not have any commits yet|bad default revision 'HEAD'/.test(result.stderr)) return '';
      throw new ProcessError(`git ${args.join(' ')}`, result.exitCode, tail(result.stderr));
    }
    return await readFile(output, 'utf8');
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/** The commit HEAD points at, or undefined in a repository without commits. */
export async function readHeadCommit(cwd: string): Promise<string | undefined> {
  const result = await runCommand('git', ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], {
    cwd,
    reject: false,
  });
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}

/** Whether `ancestor` is reachable from `descendant`. */
export async function isAncestor(cwd: string, ancestor: string, descendant: string): Promise<boolean> {
  const result = await runCommand('git', ['merge-base', '--is-ancestor', ancestor, descendant], {
    cwd,
    reject: false,
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
  committerDate?: string;
  allowEmpty?: boolean;
  noVerify?: boolean;
}

export async function addPaths(cwd: string, paths: string[]): Promise<void> {
  await raw(cwd, ['add', '--all', '--', ...paths]);
}

/** Commits what is staged; the message goes through a file argument, never a shell string. */
export async function commitStaged(cwd: string, options: CommitOptions): Promise<string> {
  const args = ['commit', '--quiet', '--cleanup=verbatim', '--file=-'];
  if (options.allowEmpty) args.push('--allow-empty');
  if (options.noVerify) args.push('--no-verify');
  if (options.author) args.push(`--author=${options.author.name} <${options.author.email}>`);
  if (options.author?.date) args.push(`--date=${options.author.date}`);
  const env: Record<string, string> = {};
  if (options.committerDate) env.GIT_COMMITTER_DATE = options.committerDate;
  await runCommand('git', args, { cwd, input: options.message, env });
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
  const result = await runCommand('git', ['var', 'GIT_COMMITTER_IDENT'], { cwd, reject: false });
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}

/** The paths of the files under a folder at a commit (`git ls-tree -r --name-only`); none without commits. */
export async function listTreeFiles(cwd: string, revision: string, folder: string): Promise<string[]> {
  const result = await runCommand('git', ['ls-tree', '-r', '--name-only', '-z', revision, '--', folder], {
    cwd,
    reject: false,
  });
  if (result.exitCode !== 0) return [];
  return result.stdout.split('\0').filter(Boolean);
}
