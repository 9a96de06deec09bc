/**
 * Which commits that touched a line's recipe (recipes/<recipe_name>/ or recipes/common/) went into
 * each release since the line's previous one: the commits reachable from the release but not from
 * any earlier release of the line. One walk of the commit graph per line, each commit visited once
 * per line, over integer indices, so a long history stays fast. Pure.
 */
import type { CommitPathChanges } from '../lib/git.js';
import type { DraftEntry, DraftLine } from './line-history.js';

export const commonRecipe = 'common';

export interface CommitGraph {
  ids: string[];
  index: Map<string, number>;
  parents: number[][];
  /** The recipe folders each commit touched, by index. */
  folders: (ReadonlySet<string> | undefined)[];
}

export function indexCommitGraph(
  parents: ReadonlyMap<string, readonly string[]>,
  recipeFolders: ReadonlyMap<string, ReadonlySet<string>>,
): CommitGraph {
  const ids = [...parents.keys()];
  const index = new Map(ids.map((id, position) => [id, position]));
  return {
    ids,
    index,
    folders: ids.map((id) => recipeFolders.get(id)),
    parents: ids.map((id) =>
      (parents.get(id) ?? []).flatMap((parent) => {
        const position = index.get(parent);
        return position === undefined ? [] : [position];
      }),
    ),
  };
}

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
export function findRecipeChanges(line: DraftLine, graph: CommitGraph): Map<DraftEntry, string[]> {
  const result = new Map<DraftEntry, string[]>();
  const { folders } = graph;
  const visited = new Uint8Array(graph.ids.length);
  const stack: number[] = [];
  for (const entry of line.entries) {
    if (entry.kind !== 'release') continue;
    const start = graph.index.get(entry.commit);
    if (start === undefined) continue;
    const recipe = entry.record.recipe_name;
    const found: string[] = [];
    stack.push(start);
    while (stack.length > 0) {
      const commit = stack.pop() as number;
      if (visited[commit]) continue;
      visited[commit] = 1;
      const touched = folders[commit];
      if (touched && (touched.has(commonRecipe) || (recipe !== null && touched.has(recipe))))
        found.push(graph.ids[commit] as string);
      for (const parent of graph.parents[commit] as number[]) if (!visited[parent]) stack.push(parent);
    }
    // The first release has no "since": what came before it is the recipe's whole past.
    if (entry.previousRelease !== null) result.set(entry, found);
  }
  return result;
}
