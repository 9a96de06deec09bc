/**
 * The record history of a repository, kept between runs in the git folder (like git's own
 * commit-graph): keyed by the commit it was read at, extended with only the new commits when HEAD
 * moved forward, read whole otherwise. `emi validate` in a pre-commit hook then costs no history
 * walk at all on a large catalog.
 *
 * Safe by construction: a commit id names its whole ancestry, so a cache read at HEAD holds for
 * HEAD; a rewritten history (rebase, amend, force push) gives a HEAD the cached commit is no
 * ancestor of, and is read whole. What can change the history behind the same commit id is a
 * shallow boundary (a clone deepened or unshallowed) or grafts: their files are part of the key.
 * A cache file that does not parse or has the wrong shape is ignored and rewritten; it is written
 * atomically, in the repository's git folder only.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../lib/atomic-write.js';
import { getGitDir, isAncestor, readHeadCommit, readRecordHistoryLog } from '../lib/git.js';
import { type HistoryIndex, indexHistory, parseRecordHistory, type Release } from './history.js';

const cacheVersion = 3;
const cacheName = 'emi-record-history.json';

interface CacheFile {
  version: number;
  head: string;
  /** The shallow boundary and grafts the history was read under (see boundaryOf). */
  boundary: string;
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
  const gitDir = await getGitDir(root);
  const cachePath = join(gitDir, cacheName);
  const [found, boundary] = await Promise.all([readCache(cachePath), boundaryOf(gitDir)]);
  const cached = found?.boundary === boundary ? found : undefined;
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
    boundary,
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

/**
 * What besides HEAD decides which history git shows: the shallow boundary (.git/shallow) and
 * grafts (.git/info/grafts). A history read in a shallow clone is cut short; once the clone is
 * deepened the same HEAD has more history, so the cache must not be taken for it.
 */
async function boundaryOf(gitDir: string): Promise<string> {
  const read = (path: string) => readFile(join(gitDir, path), 'utf8').catch(() => '');
  const [shallow, grafts] = await Promise.all([read('shallow'), read(join('info', 'grafts'))]);
  return `shallow:${shallow.trim().split(/\s+/).sort().join(',')};grafts:${grafts.trim()}`;
}

const isString = (value: unknown): value is string => typeof value === 'string';
const isPairList = (value: unknown, valueCheck: (item: unknown) => boolean): boolean =>
  Array.isArray(value) &&
  value.every((pair) => Array.isArray(pair) && pair.length === 2 && isString(pair[0]) && valueCheck(pair[1]));
const isStringRecord = (value: unknown): boolean =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  Object.values(value).every(isString);
const isListOf = (value: unknown, keys: readonly string[]): boolean =>
  Array.isArray(value) &&
  value.every(
    (item) =>
      typeof item === 'object' &&
      item !== null &&
      keys.every((key) => isString((item as Record<string, unknown>)[key])),
  );

/** The cache file, or undefined when it is missing, does not parse or is not of this version's shape. */
async function readCache(path: string): Promise<CacheFile | undefined> {
  try {
    const cache = JSON.parse(await readFile(path, 'utf8')) as Partial<CacheFile> | null;
    if (
      cache === null ||
      typeof cache !== 'object' ||
      cache.version !== cacheVersion ||
      !isString(cache.head) ||
      !/^[0-9a-f]{40,64}$/.test(cache.head) ||
      !isString(cache.boundary) ||
      !isPairList(cache.fields, isStringRecord) ||
      !isPairList(cache.stampReleases, (list) => isListOf(list, ['file', 'version', 'commit'])) ||
      !isPairList(cache.versionsByFile, (list) => isListOf(list, ['commit', 'version']))
    )
      return undefined;
    return cache as CacheFile;
  } catch {
    return undefined;
  }
}

function toIndex(cache: CacheFile): HistoryIndex {
  return { stampReleases: new Map(cache.stampReleases), versionsByFile: new Map(cache.versionsByFile) };
}
