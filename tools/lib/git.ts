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
  if (specs.length === 0) return result;
  const { stdoutBytes } = await runCommand('git', ['cat-file', '--batch'], {
    cwd,
    input: `${specs.join('\n')}\n`,
    binary: true,
  });
  const buffer = Buffer.from(stdoutBytes ?? new Uint8Array());
  let offset = 0;
  for (const spec of specs) {
    const end = buffer.indexOf(0x0a, offset);
    if (end < 0) break;
    const header = buffer.subarray(offset, end).toString('utf8');
    offset = end + 1;
    if (header.endsWith(' missing') || header.endsWith(' ambiguous')) continue;
    const size = Number(header.split(' ')[2]);
    result.set(spec, buffer.subarray(offset, offset + size));
    offset += size + 1;
  }
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
