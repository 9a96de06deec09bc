/**
 * Reads what the changelog needs from a catalog repository through the git adapter, in a fixed
 * number of git runs whatever the history's length: the name-status logs of EMI-IDs/ and recipes/,
 * the commit graph, then the record files, commits and package manifests in batches.
 */
import { recipesDir, recordsDir } from '../catalog/record-files.js';
import { UserError } from '../lib/errors.js';
import {
  getRemoteUrl,
  isShallowRepository,
  listCommitParents,
  listPathChanges,
  readObjects,
  requireRepoRoot,
} from '../lib/git.js';
import type { Changelog } from '../schemas/generated/changelog.js';
import { buildChangelog, manifestSpecOf } from './build-changelog.js';
import { githubRepositoryOf } from './github-remote.js';
import { type DraftEntry, draftLines, type HistoryWarning, lineIdOf, recordSpec } from './line-history.js';
import { type Manifest, parseManifest } from './package-changes.js';
import { type CommitInfo, parseCommitObject } from './parse-commit.js';
import { findRecipeChanges, recipeFoldersByCommit } from './recipe-changes.js';
import { type LineTrace, traceLines } from './trace-lines.js';

export interface ReadHistoryOptions {
  cwd: string;
  /** Only these lines: `<image_name>.<image_arch>`, or an image_name for all its arches. */
  lines?: readonly string[];
}

export interface HistoryResult {
  root: string;
  changelog: Changelog;
  warnings: HistoryWarning[];
}

export async function assertFullHistory(root: string): Promise<void> {
  if (await isShallowRepository(root)) {
    throw new UserError(
      `${root} is a shallow clone, so its history is cut short and the changelog would miss releases: fetch the whole history first (git fetch --unshallow, or fetch-depth: 0 for actions/checkout)`,
    );
  }
}

function selectTraces(traces: LineTrace[], names: readonly string[] | undefined): LineTrace[] {
  if (!names || names.length === 0) return traces;
  const matches = (trace: LineTrace, name: string) => {
    const id = lineIdOf(trace.path);
    return id === name || (id.startsWith(`${name}.`) && !id.slice(name.length + 1).includes('.'));
  };
  for (const name of names) {
    if (!traces.some((trace) => matches(trace, name))) {
      const known = traces.map((trace) => lineIdOf(trace.path));
      throw new UserError(
        `no image line "${name}" in the history of ${recordsDir}/: ${known.length ? `known lines are ${known.join(', ')}` : 'it has no records yet'}`,
      );
    }
  }
  return traces.filter((trace) => names.some((name) => matches(trace, name)));
}

export async function readHistory(options: ReadHistoryOptions): Promise<HistoryResult> {
  const root = await requireRepoRoot(options.cwd);
  await assertFullHistory(root);
  const [recordLog, recipeLog, parents, remote] = await Promise.all([
    listPathChanges(root, { pathspecs: [`${recordsDir}/`], findRenames: true }),
    listPathChanges(root, { pathspecs: [`${recipesDir}/`], findRenames: false }),
    listCommitParents(root),
    getRemoteUrl(root),
  ]);
  const traces = selectTraces(traceLines(recordLog), options.lines);

  const recordSpecs = traces.flatMap((trace) =>
    trace.changes.filter((change) => !change.deleted).map((change) => recordSpec(change.commit, change.path)),
  );
  const recordObjects = await readObjects(root, recordSpecs);
  const records = new Map<string, string>();
  for (const [spec, object] of recordObjects) records.set(spec, object.content.toString('utf8'));
  const { lines, warnings } = draftLines(traces, records);

  const recipeFolders = recipeFoldersByCommit(recipeLog);
  const recipeChanges = new Map<DraftEntry, string[]>();
  const commitIds = new Set<string>();
  const manifestSpecs: string[] = [];
  for (const line of lines) {
    for (const [entry, found] of findRecipeChanges(line, parents, recipeFolders)) {
      recipeChanges.set(entry, found);
      for (const oid of found) commitIds.add(oid);
    }
    for (const entry of line.entries) {
      commitIds.add(entry.commit);
      if (entry.kind === 'release') manifestSpecs.push(manifestSpecOf(entry));
    }
  }
  const [commitObjects, manifestObjects] = await Promise.all([
    readObjects(root, [...commitIds]),
    readObjects(root, manifestSpecs),
  ]);
  const commits = new Map<string, CommitInfo>();
  for (const [oid, object] of commitObjects) commits.set(oid, parseCommitObject(oid, object.content));

  const manifests = new Map<string, Manifest>();
  const byOid = new Map<string, Manifest>();
  for (const spec of manifestSpecs) {
    const object = manifestObjects.get(spec);
    if (object?.type !== 'blob') continue;
    let manifest = byOid.get(object.oid);
    if (!manifest) {
      manifest = parseManifest(object.content.toString('utf8'));
      byOid.set(object.oid, manifest);
      const colon = spec.indexOf(':');
      for (const defect of manifest.defects) {
        warnings.push({
          where: `${spec.slice(colon + 1)}@${spec.slice(0, Math.min(colon, 12))}`,
          line: defect.line,
          message: defect.message,
        });
      }
    }
    manifests.set(spec, manifest);
  }
  const changelog = buildChangelog({
    lines,
    commits,
    recipeChanges,
    manifests,
    repository: githubRepositoryOf(remote),
  });
  return { root, changelog, warnings };
}
