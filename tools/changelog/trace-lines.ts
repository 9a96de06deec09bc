/**
 * Follows each record file through the history of EMI-IDs/, renames included: one trace per image
 * line, with every commit that added, changed, renamed or deleted its record file. Pure: the input
 * is the name-status log of EMI-IDs/ (oldest first), as listPathChanges returns it.
 */
import { isRecordPath } from '../catalog/record-files.js';
import type { CommitPathChanges } from '../lib/git.js';

export interface TracedChange {
  commit: string;
  /** The record file's path after this commit (before it, for a deletion). */
  path: string;
  deleted: boolean;
  renamedFrom: string | null;
  /** The record file's blob after this commit (null for a deletion). */
  oid: string | null;
  /** Position of the commit in the log: orders changes of merged traces. */
  order: number;
}

export interface LineTrace {
  /** The record file's newest path. */
  path: string;
  /** Oldest first. */
  changes: TracedChange[];
}

interface Chain {
  changes: TracedChange[];
}

const lastPath = (chain: Chain) => chain.changes.at(-1)?.path ?? '';

export function traceLines(log: readonly CommitPathChanges[]): LineTrace[] {
  const live = new Map<string, Chain>();
  const retired = new Map<string, Chain>();
  const chains: Chain[] = [];
  const open = (path: string): Chain => {
    const existing = live.get(path) ?? retired.get(path);
    retired.delete(path);
    if (existing) return existing;
    const chain: Chain = { changes: [] };
    chains.push(chain);
    return chain;
  };
  for (const [order, entry] of log.entries()) {
    const deletions: string[] = [];
    const renames: { from: string; to: string; oid: string | null }[] = [];
    const writes: { path: string; oid: string | null }[] = [];
    for (const change of entry.changes) {
      const to = isRecordPath(change.path);
      const oid = change.oid ?? null;
      if (change.status === 'R' && change.from !== undefined) {
        const from = isRecordPath(change.from);
        if (from && to) renames.push({ from: change.from, to: change.path, oid });
        else if (from) deletions.push(change.from);
        else if (to) writes.push({ path: change.path, oid });
      } else if (to) {
        if (change.status === 'D') deletions.push(change.path);
        else writes.push({ path: change.path, oid });
      }
    }
    // Deletions and renames first: a commit may rename a.yaml to b.yaml and add a new a.yaml.
    for (const path of deletions) {
      const chain = open(path);
      chain.changes.push({ commit: entry.commit, path, deleted: true, renamedFrom: null, oid: null, order });
      live.delete(path);
      retired.set(path, chain);
    }
    const moved = renames.map(({ from, to, oid }) => {
      const chain = open(from);
      live.delete(from);
      return { chain, from, to, oid };
    });
    for (const { chain, from, to, oid } of moved) {
      const earlier = retired.get(to);
      retired.delete(to);
      if (earlier && earlier !== chain) chain.changes.unshift(...earlier.changes.splice(0));
      chain.changes.push({ commit: entry.commit, path: to, deleted: false, renamedFrom: from, oid, order });
      live.set(to, chain);
    }
    for (const { path, oid } of writes) {
      const chain = open(path);
      chain.changes.push({ commit: entry.commit, path, deleted: false, renamedFrom: null, oid, order });
      live.set(path, chain);
    }
  }
  // Two chains can still end at one path (a line renamed onto the name of a retired one): one line.
  const byPath = new Map<string, TracedChange[]>();
  for (const chain of chains) {
    if (chain.changes.length === 0) continue;
    const path = lastPath(chain);
    byPath.set(path, [...(byPath.get(path) ?? []), ...chain.changes]);
  }
  return [...byPath.entries()]
    .map(([path, changes]) => ({ path, changes: changes.sort((a, b) => a.order - b.order) }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
