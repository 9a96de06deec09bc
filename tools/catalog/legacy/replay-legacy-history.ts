/**
 * `emi import-legacy --history DIR --into REPO`, the applying part: replays the planned versions
 * as commits with the original author, date and message. It runs on a clean working tree only,
 * starts a catalog's history (no records yet), and can resume: versions already replayed into
 * REPO (same author, time and subject) are recognised and skipped.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../../lib/errors.js';
import {
  addPaths,
  commitStaged,
  getCommitterIdent,
  isWorkingTreeClean,
  listPathChanges,
  readObjects,
  requireRepoRoot,
  unstagePaths,
} from '../../lib/git.js';
import { parseCommitObject, splitMessage } from '../../lib/parse-commit.js';
import { imageIdsDir, recordsDir } from '../../lib/paths.js';
import { worktreeReader } from '../../lib/tree-reader.js';
import { applyCatalogChange } from '../apply-catalog-change.js';
import { parseRecord } from '../parse-record.js';
import { isRecordPath } from '../record-files.js';
import {
  type LegacyHistoryPlan,
  type LegacyVersionFile,
  legacyLogFile,
  type PlannedVersion,
  planLegacyHistory,
} from './plan-legacy-history.js';

export interface ReplayOptions {
  /** The folder with the dated versions and git-log.txt. */
  history: string;
  /** A folder inside the catalog repository to commit into. */
  into: string;
  dryRun?: boolean;
}

export type ReplayState = 'replayed' | 'would replay' | 'already replayed' | 'no record changed';

export interface ReplayedVersion {
  version: PlannedVersion;
  state: ReplayState;
  /** The new commit (replayed), or the earlier replay of it (already replayed). */
  commit?: string;
}

export interface ReplayResult extends Pick<LegacyHistoryPlan, 'problems' | 'blocking'> {
  root: string;
  versions: ReplayedVersion[];
}

async function readHistoryFolder(folder: string): Promise<{ logText: string; files: LegacyVersionFile[] }> {
  let names: string[];
  try {
    names = (await readdir(folder)).sort();
  } catch (error) {
    throw new UserError(`cannot read the history folder ${folder}: ${(error as Error).message}`);
  }
  if (!names.includes(legacyLogFile))
    throw new UserError(
      `${folder} has no ${legacyLogFile}: it holds the commits' authors, dates and messages`,
    );
  const logText = await readFile(join(folder, legacyLogFile), 'utf8');
  const files: LegacyVersionFile[] = [];
  for (const name of names.filter((entry) => entry.endsWith('.EMI-IDs'))) {
    files.push({ name, path: join(folder, name), text: await readFile(join(folder, name), 'utf8') });
  }
  if (files.length === 0) throw new UserError(`${folder} holds no <YYYY-MM-DD>-<commit>.EMI-IDs files`);
  return { logText, files };
}

/** Commits of REPO that changed EMI-IDs/, keyed by what identifies a replayed legacy commit. */
async function replayedCommits(root: string): Promise<Map<string, string>> {
  const log = await listPathChanges(root, { pathspecs: [`${recordsDir}/`], findRenames: false });
  const objects = await readObjects(
    root,
    log.map((entry) => entry.commit),
  );
  const keys = new Map<string, string>();
  for (const [oid, object] of objects) {
    const commit = parseCommitObject(oid, object.content);
    keys.set(`${commit.author.name}\0${commit.author.time}\0${commit.subject}`, oid);
  }
  return keys;
}

const keyOf = (version: PlannedVersion) =>
  `${version.commit.author}\0${version.commit.time}\0${splitMessage(version.commit.message).subject}`;

async function assertStartsFrom(
  root: string,
  expected: Map<string, string>,
  replayedAny: boolean,
): Promise<void> {
  const reader = worktreeReader(root);
  const present = [...(await reader.list(recordsDir)), ...(await reader.list(imageIdsDir))]
    .map((entry) => entry.path)
    .filter((path) => isRecordPath(path) || path.startsWith(`${imageIdsDir}/`));
  if (!replayedAny) {
    const records = present.filter(isRecordPath);
    if (records.length > 0)
      throw new UserError(
        `${root} already holds records (${records.slice(0, 3).join(', ')}${records.length > 3 ? ', …' : ''}): the history import starts a catalog's history, so run it in a repository without records`,
      );
    return;
  }
  const contents = await reader.read(present);
  const differs = [
    ...present.filter((path) => isRecordPath(path) && !expected.has(path)),
    ...[...expected.entries()]
      .filter(([path, content]) => contents.get(path)?.toString('utf8') !== content)
      .map(([path]) => path),
  ];
  if (differs.length > 0)
    throw new UserError(
      `${differs.slice(0, 3).join(', ')} changed after the last replayed legacy commit: the import can only resume where it stopped`,
    );
}

export async function replayLegacyHistory(options: ReplayOptions): Promise<ReplayResult> {
  const { logText, files } = await readHistoryFolder(options.history);
  const plan = planLegacyHistory(join(options.history, legacyLogFile), logText, files);
  const root = await requireRepoRoot(options.into);
  const result: ReplayResult = { root, versions: [], problems: plan.problems, blocking: plan.blocking };
  if (plan.blocking.length > 0) return result;

  const earlier = await replayedCommits(root);
  const found = plan.versions.map((version) => earlier.get(keyOf(version)));
  const lastFound = found.findLastIndex((oid) => oid !== undefined);
  const gap = plan.versions.findIndex(
    (version, index) =>
      index < lastFound && version.write.length + version.remove.length > 0 && !found[index],
  );
  if (gap >= 0)
    throw new UserError(
      `${root} holds replayed legacy commits after ${plan.versions[gap]?.source.name}, but not that one: the import can only resume where it stopped`,
    );
  if (!options.dryRun && !(await isWorkingTreeClean(root)))
    throw new UserError(`Working tree of ${root} is not clean: commit or stash first`);
  if (!options.dryRun && (await getCommitterIdent(root)) === undefined)
    throw new UserError(
      `git has no committer identity in ${root}: set user.name and user.email (the replayed commits keep their original authors)`,
    );
  await assertStartsFrom(
    root,
    lastFound >= 0 ? (plan.versions[lastFound] as PlannedVersion).state : new Map(),
    lastFound >= 0,
  );

  for (const [index, version] of plan.versions.entries()) {
    if (index <= lastFound) {
      const commit = found[index];
      result.versions.push({
        version,
        state: commit ? 'already replayed' : 'no record changed',
        ...(commit ? { commit } : {}),
      });
      continue;
    }
    if (version.write.length + version.remove.length === 0) {
      result.versions.push({ version, state: 'no record changed' });
      continue;
    }
    if (options.dryRun) {
      result.versions.push({ version, state: 'would replay' });
      continue;
    }
    // The files go through the catalog writer (lock, each record still as the previous version
    // left it, validated as `emi validate` would with the legacy exemptions, written atomically).
    // Staging and committing them is git's part, not a catalog write, so it stays here; when git
    // fails (an index.lock held, say), the files are put back through the writer as the previous
    // version left them, so the working tree stays clean and a rerun resumes where this stopped.
    const before =
      index === 0 ? new Map<string, string>() : (plan.versions[index - 1] as PlannedVersion).state;
    const paths = [...version.write.map((file) => file.path), ...version.remove];
    await applyCatalogChange({
      root,
      change: { write: version.write, remove: version.remove },
      expect: expectedRecords(before, paths),
      what: 'emi import-legacy --history',
    });
    try {
      result.versions.push({ version, state: 'replayed', commit: await commitVersion(root, version, paths) });
    } catch (error) {
      await putBack(root, before, paths);
      throw error;
    }
  }
  return result;
}

async function commitVersion(root: string, version: PlannedVersion, paths: string[]): Promise<string> {
  await addPaths(root, paths);
  const { commit } = version;
  // The original commit's author, time and message; hooks are skipped because the records were
  // already checked by the writer, and every replayed message has its body.
  return commitStaged(root, {
    message: commit.message,
    author: { name: commit.author, email: commit.email, date: commit.date },
    committerDate: commit.date,
    noVerify: true,
  });
}

/**
 * Undoes a version's files after git failed to commit them: what the previous version left is
 * written back (unvalidated: it is what was there, and the catalog may be mid-history), and the
 * paths are unstaged when git lets us.
 */
async function putBack(root: string, before: ReadonlyMap<string, string>, paths: string[]): Promise<void> {
  await applyCatalogChange({
    root,
    change: {
      write: paths.flatMap((path) => {
        const content = before.get(path);
        return content === undefined ? [] : [{ path, content }];
      }),
      remove: paths.filter((path) => !before.has(path)),
    },
    what: 'emi import-legacy --history',
    validate: false,
  });
  await unstagePaths(root, paths).catch(() => {});
}

/** The version of each record among `paths` in a planned state (null: no record there yet). */
function expectedRecords(
  state: ReadonlyMap<string, string>,
  paths: readonly string[],
): Record<string, string | null> {
  const expect: Record<string, string | null> = {};
  for (const path of paths.filter(isRecordPath)) {
    const content = state.get(path);
    const parsed = content === undefined ? undefined : parseRecord(path, content);
    expect[path] = parsed?.ok ? parsed.value.record.image_version : null;
  }
  return expect;
}
