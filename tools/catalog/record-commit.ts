/**
 * `emi record commit`: commits the record files of finished builds to the main branch, the only
 * write a workflow makes to the repository. Plan, then apply: the files are checked (only
 * EMI-IDs/ and image-ids/, valid as `emi validate` checks them, no other change in the working
 * tree, no record that moved on main since the build started) before anything is committed; the
 * push is rebased and retried on a race, never forced.
 */
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { writeFilesAtomic } from '../lib/atomic-write.js';
import { UserError } from '../lib/errors.js';
import {
  addPaths,
  commitStaged,
  fetchBranch,
  listWorkingChanges,
  pushHead,
  readBlobs,
  rebaseOnto,
  requireRepoRoot,
  resolveCommit,
  type StatusEntry,
} from '../lib/git.js';
import { imageIdsDir, recordsDir } from '../lib/paths.js';
import { formatProblem } from '../lib/problems.js';
import { applyCatalogChange, checkCatalogChange } from './apply-catalog-change.js';
import { parseRecord } from './parse-record.js';
import { type ImageRecord, isRecordPath } from './record-files.js';

/** GitHub's own bot, as the checkout of a workflow commits by convention. */
export const defaultBot = {
  name: 'github-actions[bot]',
  email: '41898282+github-actions[bot]@users.noreply.github.com',
};

export const maxPushAttempts = 5;

export interface RecordCommitOptions {
  cwd: string;
  /** A folder holding EMI-IDs/ and image-ids/ files to bring in first (the build job's artifact). */
  from?: string;
  /** The commit the builds started from (default: HEAD). */
  builtFrom?: string;
  remote?: string;
  branch?: string;
  bot?: { name: string; email: string };
  /** A link to the workflow run, for the message body. */
  runUrl?: string;
  /** Push nothing (tests of the message, a look before the real thing). */
  noPush?: boolean;
  /** Waits between push attempts: attempt n waits about n × this, with jitter (default 2 s). */
  backoffMs?: number;
  log?: (line: string) => void;
}

export interface RecordedLine {
  path: string;
  record: ImageRecord;
  /** The line's version at the commit the build started from. */
  previous?: string;
}

export interface RecordCommitResult {
  commit?: string;
  lines: RecordedLine[];
  attempts: number;
  message?: string;
}

const isRecordArea = (path: string) =>
  path.startsWith(`${recordsDir}/`) || path.startsWith(`${imageIdsDir}/`);
const imageIdFilePattern = /^image-ids\/[a-z0-9][a-z0-9._-]*$/;

/** The record files in an artifact folder; anything else in it is refused. */
async function readArtifactFiles(dir: string): Promise<{ path: string; content: string }[]> {
  const names = (await readdir(dir, { recursive: true }).catch((error: NodeJS.ErrnoException) => {
    throw new UserError(`cannot read --from ${dir}: ${error.code ?? error.message}`);
  })) as string[];
  const files: { path: string; content: string }[] = [];
  const refused: string[] = [];
  for (const name of names.sort()) {
    const full = join(dir, name);
    const info = await lstat(full);
    if (info.isDirectory()) continue;
    const path = relative(dir, full).split(sep).join('/');
    if (!info.isFile()) refused.push(`${path} (not a regular file)`);
    else if (!isRecordPath(path) && !imageIdFilePattern.test(path)) refused.push(path);
    else files.push({ path, content: await readFile(full, 'utf8') });
  }
  if (refused.length > 0)
    throw new UserError(
      `--from ${dir} holds files that are not records or image-id files: ${refused.join(', ')}`,
    );
  return files;
}

function describe(change: StatusEntry): string {
  if (change.status === '??') return `${change.path} (untracked)`;
  if (change.status.includes('D')) return `${change.path} (deleted)`;
  return `${change.path} (modified)`;
}

/** Which changed record paths moved on the remote branch since `builtFrom`: the refusal names them. */
async function findMovedRecords(
  root: string,
  builtFrom: string,
  remoteHead: string,
  paths: readonly string[],
): Promise<string[]> {
  if (builtFrom === remoteHead) return [];
  const specs = paths.flatMap((path) => [`${builtFrom}:${path}`, `${remoteHead}:${path}`]);
  const blobs = await readBlobs(root, specs);
  const moved: string[] = [];
  for (const path of paths) {
    const before = blobs.get(`${builtFrom}:${path}`);
    const now = blobs.get(`${remoteHead}:${path}`);
    if (before?.toString('utf8') === now?.toString('utf8')) continue;
    const version = now ? parseRecord(path, now.toString('utf8')) : undefined;
    const there = version?.ok
      ? version.value.record.image_version
      : now
        ? 'an unreadable record'
        : 'no record';
    moved.push(`${path} changed on the main branch since the build started: it now holds ${there}`);
  }
  return moved;
}

/** The commit message: a subject naming the images, a body saying from what they were built. */
export function recordCommitMessage(
  lines: readonly RecordedLine[],
  builtFrom: string,
  runUrl?: string,
): string {
  const name = (line: RecordedLine) =>
    `${line.record.image_name} ${line.record.image_version} (${line.record.image_arch})`;
  const subject =
    lines.length === 1
      ? `Record ${name(lines[0] as RecordedLine)}`
      : `Record ${lines.length} images: ${lines.map(name).join(', ')}`;
  const body = lines.map((line) => {
    const digest = line.record.recipe_digest ?? 'no recipe digest';
    const replaces = line.previous ? `, replacing ${line.previous}` : ', the first of its line';
    return `- ${line.record.image_name}.${line.record.image_arch} ${line.record.image_version}${replaces}: built and boot-checked from commit ${builtFrom}, recipe ${line.record.recipe_name} (${digest}).`;
  });
  const run = runUrl ? [`\nWorkflow run: ${runUrl}`] : [];
  return `${subject.length > 200 ? `${subject.slice(0, 197)}...` : subject}\n\n${body.join('\n')}\n${run.join('\n')}\n`.replace(
    /\n+$/,
    '\n',
  );
}

/** Refuses any change in the working tree outside EMI-IDs/ and image-ids/ (naming it), and deletions. */
export async function assertOnlyRecordChanges(root: string): Promise<StatusEntry[]> {
  const changes = await listWorkingChanges(root, []);
  const outside = changes.filter((change) => !isRecordArea(change.path));
  if (outside.length > 0)
    throw new UserError(
      `refusing to commit: only ${recordsDir}/ and ${imageIdsDir}/ may change, and these did:\n  ${outside.map(describe).join('\n  ')}`,
    );
  const deleted = changes.filter((change) => change.status.includes('D'));
  if (deleted.length > 0)
    throw new UserError(
      `refusing to commit: a build never deletes records, and these are deleted: ${deleted.map((c) => c.path).join(', ')}`,
    );
  return changes;
}

/**
 * `emi record check`: what a build left in the working tree may be recorded (only record files,
 * all valid); copies them into `copyTo` (a new or empty folder), for the record job to take over.
 */
export async function checkRecordChanges(options: { cwd: string; copyTo?: string }): Promise<string[]> {
  const root = await requireRepoRoot(options.cwd);
  const changes = await assertOnlyRecordChanges(root);
  const paths = changes.map((change) => change.path).sort();
  const files = [];
  for (const path of paths) files.push({ path, content: await readFile(join(root, path), 'utf8') });
  if (files.length > 0) await checkCatalogChange(root, { write: files });
  if (options.copyTo !== undefined) {
    const existing = await readdir(options.copyTo).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw new UserError(`cannot use --copy-to ${options.copyTo}: ${error.code ?? error.message}`);
    });
    if (existing.length > 0) throw new UserError(`--copy-to ${options.copyTo} is not empty`);
    await writeFilesAtomic(
      files.map((file) => ({ path: join(options.copyTo as string, file.path), content: file.content })),
    );
  }
  return paths;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function commitRecords(options: RecordCommitOptions): Promise<RecordCommitResult> {
  const log = options.log ?? (() => {});
  const root = await requireRepoRoot(options.cwd);
  const remote = options.remote ?? 'origin';
  const branch = options.branch ?? 'main';
  const head = await resolveCommit(root, 'HEAD');
  if (!head) throw new UserError(`${root} has no commits: check out the commit that was built`);
  const builtFrom = options.builtFrom === undefined ? head : await resolveCommit(root, options.builtFrom);
  if (!builtFrom)
    throw new UserError(`--built-from ${JSON.stringify(options.builtFrom)} names no commit here`);

  // Plan: everything is checked before the working tree or the branch changes.
  const incoming = options.from === undefined ? [] : await readArtifactFiles(options.from);
  await assertOnlyRecordChanges(root);
  // Through the one catalog writer: its lock, validation as emi validate does, atomic writes.
  if (incoming.length > 0)
    await applyCatalogChange({ root, change: { write: incoming }, what: 'emi record commit' });
  const changes = await listWorkingChanges(root, [recordsDir, imageIdsDir]);
  const recordPaths = changes
    .map((change) => change.path)
    .filter(isRecordPath)
    .sort();
  if (changes.length === 0) {
    log('nothing to record: EMI-IDs/ and image-ids/ are as committed');
    return { lines: [], attempts: 0 };
  }
  if (recordPaths.length === 0)
    throw new UserError(
      `refusing to commit image-ids/ changes without a record in ${recordsDir}/: ${changes.map((c) => c.path).join(', ')}`,
    );
  const previous = await readBlobs(
    root,
    recordPaths.map((path) => `${builtFrom}:${path}`),
  );
  const lines: RecordedLine[] = [];
  for (const path of recordPaths) {
    const parsed = parseRecord(path, await readFile(join(root, path), 'utf8'));
    if (!parsed.ok) throw new UserError(`cannot record:\n${parsed.problems.map(formatProblem).join('\n')}`);
    const old = previous.get(`${builtFrom}:${path}`);
    const oldRecord = old ? parseRecord(path, old.toString('utf8')) : undefined;
    lines.push({
      path,
      record: parsed.value.record,
      ...(oldRecord?.ok ? { previous: oldRecord.value.record.image_version } : {}),
    });
  }
  const message = recordCommitMessage(lines, builtFrom, options.runUrl);

  // Apply: commit, then push with rebase-and-retry.
  const bot = options.bot ?? defaultBot;
  await addPaths(root, [recordsDir, imageIdsDir]);
  const commit = await commitStaged(root, { message, author: bot, committer: bot });
  if (options.noPush) return { commit, lines, attempts: 0, message };
  const backoff = options.backoffMs ?? 2000;
  for (let attempt = 1; ; attempt++) {
    const remoteHead = await fetchBranch(root, remote, branch);
    const moved = await findMovedRecords(root, builtFrom, remoteHead, recordPaths);
    if (moved.length > 0)
      throw new UserError(
        `refusing to record over a newer record (the build is left unrecorded):\n  ${moved.join('\n  ')}`,
      );
    if (!(await rebaseOnto(root, `refs/remotes/${remote}/${branch}`, bot)))
      throw new UserError(
        `the record commit does not rebase onto ${remote}/${branch}: someone changed the same files meanwhile`,
      );
    const pushed = await pushHead(root, remote, branch);
    if (pushed.ok) {
      const final = (await resolveCommit(root, 'HEAD')) as string;
      log(`pushed ${final.slice(0, 12)} to ${remote} ${branch} (attempt ${attempt})`);
      return { commit: final, lines, attempts: attempt, message };
    }
    if (!pushed.rejected) throw new UserError(`git push to ${remote} ${branch} failed: ${pushed.message}`);
    if (attempt >= maxPushAttempts)
      throw new UserError(
        `git push to ${remote} ${branch} was rejected ${attempt} times (others kept pushing first); run the record job again`,
      );
    const wait = Math.round(backoff * attempt * (0.5 + Math.random()));
    log(`push rejected (${branch} moved on); rebasing and trying again in ${(wait / 1000).toFixed(1)} s`);
    await sleep(wait);
  }
}
