/**
 * The original catalog's real history in this repository's changelog, without rewriting main.
 *
 * `emi import-legacy --history DIR --changelog-data FILE` replays the old catalog's dated versions
 * into a throw-away repository (the same replay as `--into`), reads that repository's changelog and
 * writes it, with the commit ids and links of the original repository, to FILE
 * (data/legacy-history.json, committed once). `emi changelog` reads that file when it is there and
 * shows its entries in place of the entries that importing the catalog's last version made.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replayLegacyHistory } from '../catalog/legacy/replay-legacy-history.js';
import { UserError } from '../lib/errors.js';
import { initRepository, setConfig } from '../lib/git.js';
import type { Problem } from '../lib/problems.js';
import { getValidator } from '../lib/schema-check.js';
import type { Changelog, Entry, Line, Repository } from '../schemas/generated/changelog.js';
import { readHistory } from './read-history.js';

/** Where the replayed history lives in a catalog repository. */
export const legacyHistoryFile = 'data/legacy-history.json';

export interface LegacyChangelogOptions {
  /** The folder with the dated versions and git-log.txt. */
  history: string;
  /** The original repository on GitHub, for links to its commits; null leaves them out. */
  origin: Repository | null;
}

export interface LegacyChangelogResult {
  changelog: Changelog;
  versions: number;
  problems: Problem[];
}

/** Replays the history in a temporary repository and returns its changelog in the original's terms. */
export async function replayLegacyChangelog(options: LegacyChangelogOptions): Promise<LegacyChangelogResult> {
  const scratch = await mkdtemp(join(tmpdir(), 'emi-legacy-history-'));
  try {
    await initRepository(scratch);
    // The replay keeps each version's author and date; the committer is this tool.
    await setConfig(scratch, 'user.name', 'emi import-legacy');
    await setConfig(scratch, 'user.email', 'emi-import-legacy@localhost');
    await setConfig(scratch, 'commit.gpgsign', 'false');
    const replay = await replayLegacyHistory({ history: options.history, into: scratch });
    if (replay.blocking.length > 0) {
      const first = replay.blocking[0] as Problem;
      throw new UserError(
        `${first.file}:${first.line}: ${first.message} (${replay.blocking.length} problems stop the replay)`,
      );
    }
    const original = new Map<string, string>();
    for (const { version, commit } of replay.versions)
      if (commit !== undefined) original.set(commit, version.commit.commit);
    const { changelog } = await readHistory({ cwd: scratch });
    return {
      changelog: inOriginalTerms(changelog, original, options.origin),
      versions: replay.versions.length,
      problems: replay.problems,
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** The replay's commit ids swapped for the original repository's, with links to it. Pure. */
export function inOriginalTerms(
  changelog: Changelog,
  original: ReadonlyMap<string, string>,
  origin: Repository | null,
): Changelog {
  const idOf = (commit: string) => original.get(commit) ?? commit;
  const lines = changelog.lines.map(
    (line): Line => ({
      ...line,
      entries: line.entries.map((entry): Entry => {
        const commit = idOf(entry.commit);
        return {
          ...entry,
          commit,
          short_commit: commit.slice(0, 12),
          url: origin ? `${origin.commit_url}${commit}` : null,
          previous_release: entry.previous_release
            ? { ...entry.previous_release, commit: idOf(entry.previous_release.commit) }
            : null,
          recipe_changes: [],
        };
      }),
    }),
  );
  return { ...changelog, repository: origin, generated_at: null, since: null, lines };
}

/** Reads data/legacy-history.json from a repository, when it has one; checked against the schema. */
export async function readLegacyHistory(root: string): Promise<Changelog | undefined> {
  const path = join(root, legacyHistoryFile);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UserError(`cannot read ${legacyHistoryFile}: ${(error as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${legacyHistoryFile}: not JSON (${(error as Error).message})`);
  }
  const validate = getValidator('changelog');
  if (!validate(data)) {
    const error = validate.errors?.[0];
    throw new UserError(
      `${legacyHistoryFile}${error?.instancePath ? ` at ${error.instancePath}` : ''}: ${error?.message ?? 'does not match changelog.schema.json'} (make it again with emi import-legacy --history DIR --changelog-data ${legacyHistoryFile})`,
    );
  }
  return data as Changelog;
}

const matchesName = (id: string, name: string) =>
  id === name || (id.startsWith(`${name}.`) && !id.slice(name.length + 1).includes('.'));

/**
 * The catalog's changelog with the original history in place of the entries that importing its last
 * version made: a line's imported entries are replaced by its replayed ones (newer entries of this
 * repository stay on top), and a line of the old history alone is added. Pure.
 */
export function mergeLegacyHistory(
  changelog: Changelog,
  legacy: Changelog,
  onlyLines?: readonly string[],
): Changelog {
  const wanted = (id: string) =>
    !onlyLines || onlyLines.length === 0 || onlyLines.some((name) => matchesName(id, name));
  const old = new Map(legacy.lines.filter((line) => wanted(line.id)).map((line) => [line.id, line]));
  const lines: Line[] = changelog.lines.map((line) => {
    const replayed = old.get(line.id);
    if (!replayed) return line;
    old.delete(line.id);
    const replaced = new Map<string, string>();
    const own = line.entries.filter((entry) => {
      if (entry.kind !== 'imported') return true;
      replaced.set(entry.commit, entry.record.image_version ?? '');
      return false;
    });
    // A release that followed an imported version now follows that version's original commit.
    const originalOf = (version: string | null) =>
      replayed.entries.find((entry) => entry.kind === 'imported' && entry.record.image_version === version)
        ?.commit;
    const entries = own.map((entry) => {
      const before = entry.previous_release;
      if (!before || !replaced.has(before.commit)) return entry;
      const commit = originalOf(before.image_version);
      return commit ? { ...entry, previous_release: { ...before, commit } } : entry;
    });
    return { ...line, entries: [...entries, ...replayed.entries] };
  });
  for (const line of old.values()) lines.push(line);
  lines.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { ...changelog, lines };
}
