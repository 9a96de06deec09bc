/**
 * Assembles the changelog (the shape of changelog.json, tools/schemas/changelog.schema.json) from
 * the drafted lines, the commits, the recipe changes and the package manifests. Pure; every list has
 * a fixed order, so the same history always gives the same changelog.
 */

import { releaseAssetUrl, releasePageUrl, releaseTag } from '../github/release-tag.js';
import { instantOf } from '../lib/dates.js';
import type { CommitInfo, Signature } from '../lib/parse-commit.js';
import type {
  Changelog,
  Entry,
  Latest,
  Line,
  PackageChanges,
  RecipeCommit,
  RecordSnapshot,
  Repository,
} from '../schemas/generated/changelog.js';
import type { DraftEntry, DraftLine } from './line-history.js';
import { emptySnapshot, manifestPathOf, recordSpec } from './line-history.js';
import type { RecipeFacts } from './recipe-facts.js';

export interface ChangelogInputs {
  lines: readonly DraftLine[];
  commits: ReadonlyMap<string, CommitInfo>;
  recipeChanges: ReadonlyMap<DraftEntry, readonly string[]>;
  /** Each release's package changes; absent when the release has no manifest. */
  packages: ReadonlyMap<DraftEntry, PackageChanges>;
  repository: Repository | null;
  /** What the recipe said at each line's newest entry (distribution, release, root size). */
  recipeFacts?: ReadonlyMap<DraftEntry, RecipeFacts>;
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

/** image_date `20120114152138` → `2012-01-14T15:21:38Z`, or null when it is not one. */
export function imageDateIso(imageDate: string | null): string | null {
  const parts =
    imageDate === null ? undefined : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(imageDate);
  if (!parts) return null;
  const [, year, month, day, hour, minute, second] = parts;
  const iso = `${year}-${month}-${day}T${hour}:${minute}:${second}Z`;
  return Number.isNaN(Date.parse(iso)) ? null : iso;
}

/** A release or an imported version is dated by its image's build time; anything else by its commit. */
function entryDate(kind: Entry['kind'], record: RecordSnapshot, commitDate: string): string {
  if (kind === 'release' || kind === 'imported') return imageDateIso(record.image_date) ?? commitDate;
  return commitDate;
}

/** `https://github.com/<owner>/<name>` → its parts, for the release URLs. */
export function repositoryParts(repository: Repository | null): { owner: string; name: string } | null {
  const match = repository ? /^https:\/\/github\.com\/([^/]+)\/([^/]+)$/.exec(repository.url) : null;
  return match ? { owner: match[1] as string, name: match[2] as string } : null;
}

export const sha256sumsPath = (lineId: string) => `lines/${lineId}/SHA256SUMS`;

/** The newest record with its files' download URLs, the release and the command that fetches it. */
export function latestOf(
  lineId: string,
  record: RecordSnapshot,
  status: Line['status'],
  repository: Repository | null,
  facts: RecipeFacts | undefined,
): Latest {
  const github = repositoryParts(repository);
  const key =
    record.image_name !== null && record.image_arch !== null && record.image_version !== null
      ? { image_name: record.image_name, image_arch: record.image_arch, image_version: record.image_version }
      : null;
  const released = key !== null && record.artifacts.length > 0;
  return {
    ...record,
    status,
    built_at: imageDateIso(record.image_date),
    base: facts?.base ?? null,
    root_size: facts?.rootSize ?? null,
    artifacts: record.artifacts.map((artifact) => ({
      ...artifact,
      url: released && github ? releaseAssetUrl(github, key, artifact.name) : null,
    })),
    release_tag: released ? releaseTag(key) : null,
    release_url: released && github ? releasePageUrl(github, key) : null,
    sha256sums_url: released ? sha256sumsPath(lineId) : null,
    fetch_command:
      released && status !== 'retired'
        ? `emi fetch ${key.image_name} --arch ${key.image_arch} --version ${key.image_version}`
        : null,
  };
}

/** The release's .packages asset when the record lists one, else the manifest at the commit on GitHub. */
function manifestUrlOf(inputs: ChangelogInputs, draft: DraftEntry, manifest: string): string | null {
  const github = repositoryParts(inputs.repository);
  if (!github || !inputs.repository) return null;
  const { record } = draft;
  const asset = record.artifacts.find((artifact) => artifact.name.endsWith('.packages'));
  if (asset && record.image_name !== null && record.image_arch !== null && record.image_version !== null) {
    const key = {
      image_name: record.image_name,
      image_arch: record.image_arch,
      image_version: record.image_version,
    };
    return releaseAssetUrl(github, key, asset.name);
  }
  return `${inputs.repository.url}/blob/${draft.commit}/${manifest.split('/').map(encodeURIComponent).join('/')}`;
}

function entryOf(inputs: ChangelogInputs, draft: DraftEntry): Entry {
  const commit = commitOf(inputs, draft.commit);
  const found = inputs.packages.get(draft);
  const packages = found ? { ...found, manifest_url: manifestUrlOf(inputs, draft, found.manifest) } : null;
  return {
    kind: draft.kind,
    commit: draft.commit,
    short_commit: draft.commit.slice(0, 12),
    url: urlOf(inputs, draft.commit),
    author: commit.author.name,
    date: entryDate(draft.kind, draft.record, commit.committer.date),
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
  const status = newest?.status ?? 'current';
  return {
    id: draft.id,
    image_name: latest?.image_name ?? (dot > 0 ? draft.id.slice(0, dot) : draft.id),
    image_arch: latest?.image_arch ?? (dot > 0 ? draft.id.slice(dot + 1) : ''),
    record_file: draft.recordFile,
    status,
    latest: latestOf(
      draft.id,
      latest ?? emptySnapshot,
      status,
      inputs.repository,
      newest ? inputs.recipeFacts?.get(newest) : undefined,
    ),
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

/**
 * Leaves out entries dated before `since` (releases and imported versions by their image's build
 * time, the rest by commit date), and the lines left with none.
 */
export function keepSince(changelog: Changelog, since: string): Changelog {
  const from = instantOf(since);
  return {
    ...changelog,
    since,
    lines: changelog.lines
      .map((line) => ({
        ...line,
        entries: line.entries.filter((entry) => instantOf(entry.date) >= from),
      }))
      .filter((line) => line.entries.length > 0),
  };
}
