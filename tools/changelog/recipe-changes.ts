/**
 * Which commits that touched a line's recipe (recipes/<recipe_name>/ or recipes/common/) went into
 * each release since the line's previous one: the commits reachable from the release but not from
 * any earlier release of the line. One walk of the commit graph per line, each commit visited once
 * per line, so a long history stays fast. Pure.
 */
import type { CommitPathChanges } from '../lib/git.js';
import type { DraftEntry, DraftLine } from './line-history.js';

export const commonRecipe = 'common';

/** Commit → the folders under recipes/ it touched. */
export function recipeFoldersByCommit(log: readonly CommitPathChanges[]): Map<string, Set<string>> {
  const result = new Map<string, Set<string>>();
  for (const { commit, changes } of log) {
    const folders = new Set<string>();
    for (const change of changes) {
      for (const path of [change.path, change.from]) {
        const match = path === undefined ? null : /^recipes\/([^/]+)\//.exec(path);
        if (match) folders.add(match[1] as string);
      }
    }
    if (folders.size > 0) result.set(commit, folders);
  }
  return result;
}

/** For each release after the line's first: the recipe commits since the previous release. */
export function findRecipeChanges(
  line: DraftLine,
  parents: ReadonlyMap<string, readonly string[]>,
  recipeFolders: ReadonlyMap<string, ReadonlySet<string>>,
): Map<DraftEntry, string[]> {
  const result = new Map<DraftEntry, string[]>();
  const visited = new Set<string>();
  for (const entry of line.entries) {
    if (entry.kind !== 'release') continue;
    const recipe = entry.record.recipe_name;
    const found: string[] = [];
    const stack = [entry.commit];
    while (stack.length > 0) {
      const commit = stack.pop() as string;
      if (visited.has(commit)) continue;
      visited.add(commit);
      const folders = recipeFolders.get(commit);
      if (folders && (folders.has(commonRecipe) || (recipe !== null && folders.has(recipe))))
        found.push(commit);
      for (const parent of parents.get(commit) ?? []) if (!visited.has(parent)) stack.push(parent);
    }
    // The first release has no "since": what came before it is the recipe's whole past.
    if (entry.previousRelease !== null) result.set(entry, found);
  }
  return result;
}
