/**
 * Reads what the changelog needs from a catalog repository through the git adapter, in a fixed
 * number of git runs whatever the history's length: the log of EMI-IDs/ with the records' contents,
 * the log of recipes/ and the commit graph at once; then git's own diffs of the package manifests
 * and the commits (in batches) while the records are parsed.
 */

import { UserError } from '../lib/errors.js';
import {
  getRemoteUrl,
  getRepositoryState,
  listCommitParents,
  listPathChanges,
  readManifestPatchLog,
  readObjects,
  readRecordLog,
  ShallowCloneError,
  unshallowAdvice,
} from '../lib/git.js';
import { type CommitInfo, parseCommitObject } from '../lib/parse-commit.js';
import { recipesDir, recordsDir } from '../lib/paths.js';
import type { Changelog, PackageChanges, Repository } from '../schemas/generated/changelog.js';
import { buildChangelog, manifestSpecOf } from './build-changelog.js';
import { githubRepositoryOf } from './github-remote.js';
import {
  type DraftEntry,
  type DraftLine,
  draftLines,
  type HistoryWarning,
  lineIdOf,
  manifestPathOf,
} from './line-history.js';
import { diffReleaseManifests, parseManifestPatches } from './manifest-patches.js';
import { parseRecordLog } from './parse-record-log.js';
import { findRecipeChanges, indexCommitGraph, recipeFoldersByCommit } from './recipe-changes.js';
import { type RecipeFacts, recipeFactsOf } from './recipe-facts.js';
import { type LineTrace, traceLines } from './trace-lines.js';

export interface ReadHistoryOptions {
  cwd: string;
  /** Only these lines: `<image_name>.<image_arch>`, or an image_name for all its arches. */
  lines?: readonly string[];
  /** The repository on GitHub to link (commits, release downloads); default: the origin remote's. */
  repository?: Repository;
}

export interface HistoryResult {
  root: string;
  changelog: Changelog;
  warnings: HistoryWarning[];
}

/** The repository around cwd; refuses a shallow clone, whose history is cut short. */
export async function requireFullHistory(cwd: string): Promise<string> {
  const state = await getRepositoryState(cwd);
  if (!state)
    throw new UserError(`${cwd} is not inside a git repository: run this in a clone of the catalog`);
  if (state.shallow)
    throw new ShallowCloneError(
      `${state.root} is a shallow clone, so its history is cut short and the changelog would miss releases: ${unshallowAdvice}`,
    );
  return state.root;
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

const safeRecipeName = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** The recipe facts of each line's newest entry, from the recipe as it stood at that commit. */
async function readRecipeFacts(
  root: string,
  lines: readonly DraftLine[],
): Promise<Map<DraftEntry, RecipeFacts>> {
  const specs = new Map<DraftEntry, string>();
  for (const line of lines) {
    const newest = line.entries.at(-1);
    const recipe = newest?.record.recipe_name;
    if (newest && recipe && safeRecipeName.test(recipe) && !recipe.includes('..'))
      specs.set(newest, `${newest.commit}:${recipesDir}/${recipe}/recipe.yaml`);
  }
  const objects = await readObjects(root, [...new Set(specs.values())]);
  const facts = new Map<DraftEntry, RecipeFacts>();
  for (const [entry, spec] of specs) {
    const object = objects.get(spec);
    if (object?.type === 'blob')
      facts.set(entry, recipeFactsOf(object.content.toString('utf8'), entry.record.image_name));
  }
  return facts;
}

export async function readHistory(options: ReadHistoryOptions): Promise<HistoryResult> {
  const root = await requireFullHistory(options.cwd);
  // The log of EMI-IDs/ is on the critical path, so it starts first with the two light runs; the
  // heavier manifest diffs start once it is done and run while the records are parsed.
  // Which record files each commit changed, and their contents: one run of git log -p.
  const recordLogRun = readRecordLog(root);
  const recipeLogRun = listPathChanges(root, { pathspecs: [`${recipesDir}/`], findRenames: false });
  const parentsRun = listCommitParents(root);
  const remoteRun = getRemoteUrl(root);
  // Each is awaited below; until then a failure must not surface as an unhandled rejection.
  for (const run of [recordLogRun, recipeLogRun, parentsRun, remoteRun]) run.catch(() => undefined);
  const recordLogText = await recordLogRun;
  // What changed in the manifests, line by line: git diffs them, so they need not be read.
  const patchLogRun = readManifestPatchLog(root);
  patchLogRun.catch(() => undefined);
  const recordLog = parseRecordLog(recordLogText);
  const traces = selectTraces(traceLines(recordLog.commits), options.lines);

  const recipeLog = await recipeLogRun;
  const commitIds = new Set<string>(recipeLog.map((entry) => entry.commit));
  for (const trace of traces) for (const change of trace.changes) commitIds.add(change.commit);
  // The commits are read while the records are drafted.
  const commitObjects = readObjects(root, [...commitIds]);
  const { lines, warnings } = draftLines(traces, recordLog.fields, recordLog.artifacts);

  const graph = indexCommitGraph(await parentsRun, recipeFoldersByCommit(recipeLog));
  const recipeChanges = new Map<DraftEntry, string[]>();
  for (const line of lines) {
    for (const [entry, found] of findRecipeChanges(line, graph)) recipeChanges.set(entry, found);
  }
  const objects = await commitObjects;
  const commits = new Map<string, CommitInfo>();
  for (const oid of commitIds) {
    const object = objects.get(oid);
    if (object) commits.set(oid, parseCommitObject(oid, object.content));
  }

  const { byBlobs: patches, blobsByCommit } = parseManifestPatches(await patchLogRun);
  // A release's manifest is the blob its commit left, or, when the commit did not change it, the
  // one found by path (usually none).
  const manifestSpecs = new Map<DraftEntry, string>();
  for (const line of lines) {
    for (const entry of line.entries) {
      if (entry.kind !== 'release') continue;
      const blob = blobsByCommit.get(entry.commit)?.get(manifestPathOf(entry.recordFile));
      manifestSpecs.set(entry, blob ?? manifestSpecOf(entry));
    }
  }
  const lookups = await readObjects(
    root,
    [...manifestSpecs.values()].filter((spec) => spec.includes(':')),
  );
  const manifestOid = (entry: DraftEntry): string | undefined => {
    const spec = manifestSpecs.get(entry) as string;
    if (!spec.includes(':')) return spec;
    const object = lookups.get(spec);
    return object?.type === 'blob' ? object.oid : undefined;
  };
  const releasesOf = (line: DraftLine) => line.entries.filter((entry) => entry.kind === 'release');
  const manifestsOf = (releases: DraftEntry[]) =>
    releases.map((entry) => ({ manifestPath: manifestPathOf(entry.recordFile), oid: manifestOid(entry) }));
  // First without blobs, to learn which manifests git's patches cannot account for; those are read.
  const needed = new Set<string>();
  for (const line of lines) diffReleaseManifests(manifestsOf(releasesOf(line)), patches, new Map(), needed);
  const blobs = new Map<string, string>();
  for (const [oid, object] of await readObjects(root, [...needed]))
    blobs.set(oid, object.content.toString('utf8'));
  const packages = new Map<DraftEntry, PackageChanges>();
  for (const line of lines) {
    const releases = releasesOf(line);
    const { changes, defects } = diffReleaseManifests(manifestsOf(releases), patches, blobs, needed);
    changes.forEach((change, index) => {
      if (change) packages.set(releases[index] as DraftEntry, change);
    });
    for (const { index, defect } of defects) {
      const entry = releases[index] as DraftEntry;
      warnings.push({
        where: `${manifestPathOf(entry.recordFile)}@${entry.commit.slice(0, 12)}`,
        line: defect.line,
        message: defect.message,
      });
    }
  }
  const changelog = buildChangelog({
    lines,
    commits,
    recipeChanges,
    packages,
    repository: options.repository ?? githubRepositoryOf(await remoteRun),
    recipeFacts: await readRecipeFacts(root, lines),
  });
  return { root, changelog, warnings };
}
