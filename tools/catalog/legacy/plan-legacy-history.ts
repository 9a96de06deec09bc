/**
 * Plans the replay of an old single-file catalog's history as commits in a catalog repository: the
 * dated versions of the file (<YYYY-MM-DD>-<commit>.EMI-IDs) are matched with their commits in
 * git-log.txt, put in the order they were committed, and each is turned into records by the
 * single-file import (planLegacyImport). A record whose image fields did not change keeps its file
 * as it was, so only real changes become changelog entries. Pure.
 */
import type { Problem } from '../../lib/problems.js';
import { type ImageRecord, imageIdPath, recordPath, renderImageId, renderRecord } from '../record-files.js';
import { type LegacyLogEntry, parseLegacyLog } from './parse-legacy-log.js';
import { planLegacyImport } from './plan-legacy-import.js';

export const legacyLogFile = 'git-log.txt';
export const versionFilePattern = /^(\d{4}-\d{2}-\d{2})-([0-9a-f]{4,64})\.EMI-IDs$/;

export interface LegacyVersionFile {
  /** The file's name in the history folder. */
  name: string;
  /** The path to show in messages. */
  path: string;
  text: string;
}

export interface PlannedVersion {
  source: LegacyVersionFile;
  commit: LegacyLogEntry;
  /** Every record and image-id file after this version, by path. */
  state: Map<string, string>;
  write: { path: string; content: string }[];
  remove: string[];
  records: number;
  notImported: number;
}

export interface LegacyHistoryPlan {
  versions: PlannedVersion[];
  /** Defects of the old data: reported, not fatal (as in the single-file import). */
  problems: Problem[];
  /** Problems that stop the replay: versions and log entries that do not match up. */
  blocking: Problem[];
}

const withoutSource = (record: ImageRecord) => renderRecord({ ...record, legacy_source: undefined });

export function planLegacyHistory(
  logPath: string,
  logText: string,
  files: readonly LegacyVersionFile[],
): LegacyHistoryPlan {
  const { entries, problems: logProblems } = parseLegacyLog(logPath, logText);
  const blocking: Problem[] = [...logProblems];
  const problems: Problem[] = [];
  const block = (file: string, line: number, message: string) =>
    blocking.push({ file, line, column: 1, path: '', message });

  const matched: { file: LegacyVersionFile; commit: LegacyLogEntry; order: number }[] = [];
  const used = new Set<LegacyLogEntry>();
  for (const file of files) {
    const match = versionFilePattern.exec(file.name);
    if (!match) {
      block(file.path, 0, `not a version file: expected <YYYY-MM-DD>-<commit>.EMI-IDs`);
      continue;
    }
    const [, day, prefix] = match as unknown as [string, string, string];
    const candidates = entries.filter((entry) => entry.commit.startsWith(prefix));
    if (candidates.length !== 1) {
      block(
        file.path,
        0,
        candidates.length === 0
          ? `no commit ${prefix} in ${logPath}`
          : `commit ${prefix} is ambiguous in ${logPath}: ${candidates.map((entry) => entry.commit).join(', ')}`,
      );
      continue;
    }
    const commit = candidates[0] as LegacyLogEntry;
    if (commit.date.slice(0, 10) !== day)
      block(
        file.path,
        0,
        `the file is dated ${day}, but ${logPath} line ${commit.line} dates commit ${prefix} ${commit.date}`,
      );
    used.add(commit);
    matched.push({ file, commit, order: entries.indexOf(commit) });
  }
  for (const entry of entries) {
    if (!used.has(entry))
      block(logPath, entry.line, `commit ${entry.commit.slice(0, 7)} has no version file`);
  }
  // Oldest first by commit time; the log lists newest first, so a tie goes to the later line.
  matched.sort((a, b) => a.commit.time - b.commit.time || b.order - a.order);

  const versions: PlannedVersion[] = [];
  let state = new Map<string, string>();
  let comparable = new Map<string, string>();
  for (const { file, commit } of matched) {
    const plan = planLegacyImport(file.path, file.text, `EMI-IDs@${commit.commit.slice(0, 7)}`);
    problems.push(...plan.problems);
    const next = new Map<string, string>();
    const nextComparable = new Map<string, string>();
    for (const { record } of plan.imported) {
      const path = recordPath(record);
      const unchanged = comparable.get(path) === withoutSource(record);
      next.set(path, unchanged ? (state.get(path) as string) : renderRecord(record));
      next.set(imageIdPath(record), renderImageId(record));
      nextComparable.set(path, withoutSource(record));
    }
    const write = [...next.entries()]
      .filter(([path, content]) => state.get(path) !== content)
      .map(([path, content]) => ({ path, content }));
    const remove = [...state.keys()].filter((path) => !next.has(path));
    versions.push({
      source: file,
      commit,
      state: next,
      write,
      remove,
      records: plan.imported.length,
      notImported: plan.blocks - plan.imported.length,
    });
    state = next;
    comparable = nextComparable;
  }
  return { versions, problems, blocking };
}
