/**
 * The record history of a repository, kept between runs in the git folder (like git's own
 * commit-graph): keyed by the commit it was read at, extended with only the new commits when HEAD
 * moved forward, read whole otherwise. `emi validate` in a pre-commit hook then costs no history
 * walk at all on a large catalog.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../lib/atomic-write.js';
import { getGitDir, isAncestor, readHeadCommit, readRecordHistoryLog } from '../lib/git.js';
import { type HistoryIndex, indexHistory, parseRecordHistory, type Release } from './history.js';

const cacheVersion = 2;
const cacheName = 'emi-record-history.json';

interface CacheFile {
  version: number;
  head: string;
  fields: [string, Record<string, string>][];
  stampReleases: [string, Release[]][];
  versionsByFile: [string, { commit: string; version: string }[]][];
}

export const emptyHistory = (): HistoryIndex => ({ stampReleases: new Map(), versionsByFile: new Map() });

/** Starts reading HEAD at once, so the caller can do other work while git answers. */
export function startHistoryLoad(root: string): { finish(): Promise<HistoryIndex> } {
  const head = readHeadCommit(root);
  head.catch(() => {});
  return { finish: async () => loadHistoryAt(root, await head) };
}

async function loadHistoryAt(root: string, head: string | undefined): Promise<HistoryIndex> {
  if (!head) return emptyHistory();
  const cachePath = join(await getGitDir(root), cacheName);
  const cached = await readCache(cachePath);
  if (cached?.head === head) return toIndex(cached);

  let state = new Map<string, Record<string, string>>();
  let index = emptyHistory();
  let range: string[] = [];
  if (cached && (await isAncestor(root, cached.head, head))) {
    state = new Map(cached.fields);
    index = toIndex(cached);
    range = [`${cached.head}..${head}`];
  } else {
    range = [head];
  }
  const log = await readRecordHistoryLog(root, range);
  index = indexHistory(parseRecordHistory(log, state), index);
  const cache: CacheFile = {
    version: cacheVersion,
    head,
    // Only what indexing reads is carried to the next run: a tenth of the size of whole records.
    fields: [...state].map(([file, fields]) => [file, pick(fields)]),
    stampReleases: [...index.stampReleases],
    versionsByFile: [...index.versionsByFile],
  };
  // A cache that cannot be written (a read-only clone) only costs speed next time.
  await writeFileAtomic(cachePath, JSON.stringify(cache)).catch(() => {});
  return index;
}

function pick(fields: Record<string, string>): Record<string, string> {
  const kept: Record<string, string> = {};
  if (fields.image_version !== undefined) kept.image_version = fields.image_version;
  if (fields.image_stamp !== undefined) kept.image_stamp = fields.image_stamp;
  return kept;
}

async function readCache(path: string): Promise<CacheFile | undefined> {
  try {
    const cache = JSON.parse(await readFile(path, 'utf8')) as CacheFile;
    return cache.version === cacheVersion && typeof cache.head === 'string' ? cache : undefined;
  } catch {
    return undefined;
  }
}

function toIndex(cache: CacheFile): HistoryIndex {
  return { stampReleases: new Map(cache.stampReleases), versionsByFile: new Map(cache.versionsByFile) };
}
