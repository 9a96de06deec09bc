/**
 * Assembles the changelog (the shape of changelog.json, tools/schemas/changelog.schema.json) from
 * the drafted lines, the commits, the recipe changes and the package manifests. Pure; every list has
 * a fixed order, so the same history always gives the same changelog.
 */

import { instantOf } from '../lib/dates.js';
import type { CommitInfo, Signature } from '../lib/parse-commit.js';
import type {
  Changelog,
  Entry,
  Line,
  PackageChanges,
  RecipeCommit,
  Repository,
} from '../schemas/generated/changelog.js';
import type { DraftEntry, DraftLine } from './line-history.js';
import { emptySnapshot, manifestPathOf, recordSpec } from './line-history.js';

export interface ChangelogInputs {
  lines: readonly DraftLine[];
  commits: ReadonlyMap<string, CommitInfo>;
  recipeChanges: ReadonlyMap<DraftEntry, readonly string[]>;
  /** Each release's package changes; absent when the release has no manifest. */
  packages: ReadonlyMap<DraftEntry, PackageChanges>;
  repository: Repository | null;
}

const nobody: Signature = { name: '', email: '', time: 0, date: '1970-01-01T00:00:00+00:00' };

function commitOf(inputs: ChangelogInputs, oid: string): CommitInfo {
  return (
    inputs.commits.get(oid) ?? {
      oid,
      parents: [],
      author: nobody,
      committer: nobody,
      subject: '',
      body: '',
    }
  );
}

const urlOf = (inputs: ChangelogInputs, oid: string) =>
  inputs.repository ? `${inputs.repository.commit_url}${oid}` : null;

export function manifestSpecOf(entry: DraftEntry): string {
  return recordSpec(entry.commit, manifestPathOf(entry.recordFile));
}

function recipeCommits(inputs: ChangelogInputs, oids: readonly string[]): RecipeCommit[] {
  return oids
    .map((oid) => commitOf(inputs, oid))
    .sort((a, b) => b.committer.time - a.committer.time || (a.oid < b.oid ? -1 : a.oid > b.oid ? 1 : 0))
    .map((commit) => ({
      commit: commit.oid,
      short_commit: commit.oid.slice(0, 12),
      url: urlOf(inputs, commit.oid),
      author: commit.author.name,
      commit_date: commit.committer.date,
      subject: commit.subject,
    }));
}

function entryOf(inputs: ChangelogInputs, draft: DraftEntry): Entry {
  const commit = commitOf(inputs, draft.commit);
  const packages = inputs.packages.get(draft) ?? null;
  return {
    kind: draft.kind,
    commit: draft.commit,
    short_commit: draft.commit.slice(0, 12),
    url: urlOf(inputs, draft.commit),
    author: commit.author.name,
    author_date: commit.author.date,
    commit_date: commit.committer.date,
    subject: commit.subject,
    body: commit.body,
    record_file: draft.recordFile,
    renamed_from: draft.renamedFrom,
    previous_status: draft.previousStatus,
    record: draft.record,
    previous_release: draft.previousRelease
      ? { commit: draft.previousRelease.commit, image_version: draft.previousRelease.record.image_version }
      : null,
    recipe_changes: recipeCommits(inputs, inputs.recipeChanges.get(draft) ?? []),
    packages,
  };
}

function lineOf(inputs: ChangelogInputs, draft: DraftLine): Line {
  const newest = draft.entries.at(-1);
  const latest = newest?.record;
  const dot = draft.id.lastIndexOf('.');
  return {
    id: draft.id,
    image_name: latest?.image_name ?? (dot > 0 ? draft.id.slice(0, dot) : draft.id),
    image_arch: latest?.image_arch ?? (dot > 0 ? draft.id.slice(dot + 1) : ''),
    record_file: draft.recordFile,
    status: newest?.status ?? 'current',
    latest: latest ?? emptySnapshot,
    entries: draft.entries.map((entry) => entryOf(inputs, entry)).reverse(),
  };
}

export function buildChangelog(inputs: ChangelogInputs): Changelog {
  return {
    $schema: 'changelog.schema.json',
    format_version: 1,
    repository: inputs.repository,
    generated_at: null,
    since: null,
    lines: inputs.lines
      .filter((line) => line.entries.length > 0)
      .map((line) => lineOf(inputs, line))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
  };
}

/** Leaves out entries committed before `since`, and the lines left with none. */
export function keepSince(changelog: Changelog, since: string): Changelog {
  const from = instantOf(since);
  return {
    ...changelog,
    since,
    lines: changelog.lines
      .map((line) => ({
        ...line,
        entries: line.entries.filter((entry) => instantOf(entry.commit_date) >= from),
      }))
      .filter((line) => line.entries.length > 0),
  };
}
