/**
 * Turns traced record-file changes into the entries of each line: the record as it stood after each
 * commit, whether the commit was a release (a new image_version), an update (same version: status,
 * artifacts, a rename) or the retirement of the line (its record file deleted). Pure.
 */
import { createHash } from 'node:crypto';
import { parseRecordScalars } from '../catalog/history.js';
import type { RecordArtifact, RecordSnapshot } from '../schemas/generated/changelog.js';
import type { LineTrace } from './trace-lines.js';

export type LineStatus = 'current' | 'deprecated' | 'legacy' | 'retired';
export type EntryKind = 'release' | 'imported' | 'update' | 'retired';

export interface DraftEntry {
  kind: EntryKind;
  commit: string;
  recordFile: string;
  renamedFrom: string | null;
  record: RecordSnapshot;
  status: LineStatus;
  /** The status before this entry, when this entry changed it. */
  previousStatus: LineStatus | null;
  /** For releases and imported versions: the line's release (or imported version) before this one. */
  previousRelease: DraftEntry | null;
}

export interface DraftLine {
  id: string;
  recordFile: string;
  /** Oldest first. */
  entries: DraftEntry[];
}

export interface HistoryWarning {
  /** `path@commit12`, or a path. */
  where: string;
  line: number;
  message: string;
}

/** A line with no record (before its first release, after it is retired). */
export const emptySnapshot: RecordSnapshot = {
  image_name: null,
  image_version: null,
  image_arch: null,
  image_file: null,
  image_stamp: null,
  image_date: null,
  recipe_name: null,
  status: 'current',
  artifacts: [],
};

const statuses = new Set(['current', 'deprecated', 'legacy']);
const safeId = /^[A-Za-z0-9][A-Za-z0-9._-]{0,149}$/;

/** The record file's name without EMI-IDs/ and .yaml, or a stable hash when that is no safe file name. */
export function lineIdOf(recordFile: string): string {
  const name = recordFile.replace(/^.*\//, '').replace(/\.yaml$/, '');
  if (safeId.test(name)) return name;
  return `line-${createHash('sha256').update(recordFile).digest('hex').slice(0, 12)}`;
}

/** `EMI-IDs/euca-debian-emi.x86_64.yaml` → `image-ids/euca-debian-emi.x86_64.packages` */
export function manifestPathOf(recordFile: string): string {
  return `image-ids/${recordFile.replace(/^.*\//, '').replace(/\.yaml$/, '')}.packages`;
}

export const recordSpec = (commit: string, path: string) => `${commit}:${path}`;

export function snapshotOf(text: string): RecordSnapshot {
  return snapshotOfFields(parseRecordScalars(text));
}

/** The snapshot of a record's top-level scalar fields (as parseRecordScalars gives them). */
export function snapshotOfFields(
  fields: Readonly<Record<string, string>>,
  artifacts: readonly RecordArtifact[] = [],
): RecordSnapshot {
  const pick = (key: string) => fields[key] ?? null;
  const status = fields.status;
  return {
    image_name: pick('image_name'),
    image_version: pick('image_version'),
    image_arch: pick('image_arch'),
    image_file: pick('image_file'),
    image_stamp: pick('image_stamp'),
    image_date: pick('image_date'),
    recipe_name: pick('recipe_name'),
    status: status !== undefined && statuses.has(status) ? (status as RecordSnapshot['status']) : 'current',
    artifacts: [...artifacts],
  };
}

/**
 * A record written by importing the original catalog (`emi import-legacy`) says where it came from
 * (legacy_source): its versions are imported, not released by this repository.
 */
export const isImportedRecord = (fields: Readonly<Record<string, string>>) =>
  fields.legacy_source !== undefined;

/**
 * `records` holds the record file's fields at each `commit:path` (recordSpec) that was not a
 * deletion; a missing one is reported and shown with empty fields. `artifacts` holds the artifacts
 * of the records that list them.
 */
export function draftLines(
  traces: readonly LineTrace[],
  records: ReadonlyMap<string, Readonly<Record<string, string>>>,
  artifacts: ReadonlyMap<string, readonly RecordArtifact[]> = new Map(),
): { lines: DraftLine[]; warnings: HistoryWarning[] } {
  const warnings: HistoryWarning[] = [];
  const lines = traces.map((trace): DraftLine => {
    const entries: DraftEntry[] = [];
    let lastRelease: DraftEntry | null = null;
    for (const change of trace.changes) {
      const before = entries.at(-1);
      if (change.deleted) {
        entries.push({
          kind: 'retired',
          commit: change.commit,
          recordFile: change.path,
          renamedFrom: null,
          record: before?.record ?? emptySnapshot,
          status: 'retired',
          previousStatus: before?.status ?? null,
          previousRelease: null,
        });
        continue;
      }
      const where = `${change.path}@${change.commit.slice(0, 12)}`;
      const fields = records.get(recordSpec(change.commit, change.path));
      if (fields === undefined) warnings.push({ where, line: 0, message: 'record file could not be read' });
      const spec = recordSpec(change.commit, change.path);
      const record = fields === undefined ? emptySnapshot : snapshotOfFields(fields, artifacts.get(spec));
      if (fields !== undefined && record.image_version === null)
        warnings.push({ where, line: 0, message: 'no image_version: shown as an update' });
      const isRelease =
        record.image_version !== null &&
        (lastRelease === null || lastRelease.record.image_version !== record.image_version);
      const entry: DraftEntry = {
        kind: isRelease ? (isImportedRecord(fields ?? {}) ? 'imported' : 'release') : 'update',
        commit: change.commit,
        recordFile: change.path,
        renamedFrom: change.renamedFrom,
        record,
        status: record.status,
        previousStatus: before && before.status !== record.status ? before.status : null,
        previousRelease: isRelease ? lastRelease : null,
      };
      if (isRelease) lastRelease = entry;
      entries.push(entry);
    }
    return { id: lineIdOf(trace.path), recordFile: trace.path, entries };
  });
  return { lines, warnings };
}
