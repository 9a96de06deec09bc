/**
 * What `emi plan` keeps between runs, in the git folder (.git/emi-plan-cache.json), so that a plan
 * of a catalog that did not change parses no YAML and reads no file contents:
 * - the recipes (their lines and digests), keyed by a hash of the `git ls-tree` listing of recipes/
 *   (every path, mode and blob id): any change to any recipe file is a new key;
 * - the fields of records the plan needs, keyed by the record's blob id.
 * Both keys name content, so an entry is never stale; a missing or unreadable cache only costs time.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../lib/atomic-write.js';
import { getGitDir, type TreeListEntry } from '../lib/git.js';
import type { Arch } from '../schemas/generated/recipe.js';

const cacheFormat = 1;
const cacheFile = 'emi-plan-cache.json';
/** Enough for every line of a large catalog; older entries go first. */
const maxRecords = 50_000;

export interface CachedRecipe {
  name: string;
  lines: { image_name: string; arches: Arch[] }[];
  digest: string;
}

export interface CachedRecord {
  image_version: string;
  recipe_name: string;
  recipe_digest?: string;
}

export interface PlanCache {
  format: number;
  recipes?: { key: string; names: string[]; recipes: CachedRecipe[] };
  records: Record<string, CachedRecord>;
}

export function recipesKey(listing: readonly TreeListEntry[]): string {
  const hash = createHash('sha256').update(`emi-plan ${cacheFormat}\n`);
  for (const entry of listing) hash.update(`${entry.mode} ${entry.oid} ${entry.path}\0`);
  return hash.digest('hex');
}

export async function readPlanCache(root: string): Promise<PlanCache> {
  try {
    const parsed = JSON.parse(await readFile(join(await getGitDir(root), cacheFile), 'utf8')) as PlanCache;
    if (parsed.format === cacheFormat && parsed.records && typeof parsed.records === 'object') return parsed;
  } catch {
    // No cache yet, or one from another version: start afresh.
  }
  return { format: cacheFormat, records: {} };
}

export async function writePlanCache(root: string, cache: PlanCache): Promise<void> {
  const oids = Object.keys(cache.records);
  if (oids.length > maxRecords)
    for (const oid of oids.slice(0, oids.length - maxRecords)) delete cache.records[oid];
  try {
    await writeFileAtomic(join(await getGitDir(root), cacheFile), JSON.stringify(cache));
  } catch {
    // A cache that cannot be written (a read-only clone) only costs time.
  }
}
