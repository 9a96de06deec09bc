/* Generated from tools/schemas/changelog.schema.json by `npm run generate-types`: do not edit. */

/**
 * changelog.json: the image changelog of a catalog repository as `emi changelog` renders it from git. Lines are sorted by id, entries newest first.
 */
export interface Changelog {
  /**
   * The schema of this file, beside it on the site.
   */
  $schema: 'changelog.schema.json';
  /**
   * Raised when a field changes meaning or disappears.
   */
  format_version: 1;
  /**
   * Where the commits can be seen, when the catalog's origin remote is on GitHub.
   */
  repository: Repository | null;
  /**
   * Only when asked for (--generated-at): the time of rendering, so that the same history renders to the same bytes.
   */
  generated_at: string | null;
  /**
   * The --since date: entries dated before it (by image date for releases and imported entries, by commit date otherwise) are left out.
   */
  since: string | null;
  lines: Line[];
}
export interface Repository {
  /**
   * https://github.com/<owner>/<repo>
   */
  url: string;
  /**
   * The commit page URL without the commit id (append it).
   */
  commit_url: string;
}
/**
 * One image line (one image_name on one image_arch) and its history.
 */
export interface Line {
  /**
   * <image_name>.<image_arch>: the record file's name without .yaml, also the name of its page and feed.
   */
  id: string;
  image_name: string;
  image_arch: string;
  /**
   * The record file's path at the line's newest entry.
   */
  record_file: string;
  /**
   * The status of the newest record; retired when the record file was deleted; imported lines (from the original catalog) keep legacy.
   */
  status: 'current' | 'deprecated' | 'legacy' | 'retired';
  latest: Latest;
  /**
   * Newest first.
   */
  entries: Entry[];
}
/**
 * The line's newest record with what a user needs to fetch and check it. Fields the record does not hold are null.
 */
export interface Latest {
  image_name: string | null;
  image_version: string | null;
  image_arch: string | null;
  image_file: string | null;
  image_stamp: string | null;
  /**
   * As in the record: YYYYMMDDHHMMSS, UTC.
   */
  image_date: string | null;
  recipe_name: string | null;
  /**
   * The record's status; retired when the record file was deleted.
   */
  status: 'current' | 'deprecated' | 'legacy' | 'retired';
  /**
   * image_date as an ISO 8601 time in UTC (2026-11-27T02:39:34Z).
   */
  built_at: string | null;
  /**
   * The distribution and release the recipe builds from, at the release's commit.
   */
  base: Base | null;
  /**
   * The root filesystem's size as the recipe gives it for this line (1300M).
   */
  root_size: string | null;
  /**
   * The record's artifacts, each with its release asset URL (null when the catalog's remote is not on GitHub). Empty for an imported record.
   */
  artifacts: LatestArtifact[];
  /**
   * The release's git tag, <image_name>.<image_arch>-<image_version>, when the record lists artifacts.
   */
  release_tag: string | null;
  /**
   * The release's page on GitHub.
   */
  release_url: string | null;
  /**
   * The SHA256SUMS of the artifacts (sha256sum -c reads it), relative to the site's root: rendered from the record.
   */
  sha256sums_url: string | null;
  /**
   * One command that downloads and checks the files: emi fetch LINE --arch A --version V.
   */
  fetch_command: string | null;
}
export interface Base {
  /**
   * debian, ubuntu
   */
  distribution: string;
  /**
   * The release's code name (bookworm).
   */
  release: string;
  /**
   * For people: Debian 12 (bookworm).
   */
  title: string;
}
export interface LatestArtifact {
  name: string;
  sha256: string;
  size: number;
  url: string | null;
}
/**
 * A commit that changed the line's record file.
 */
export interface Entry {
  /**
   * release: a new image_version (or the line's first record); imported: a version taken over from the original catalog (its record has legacy_source), dated by its image_date; update: the record changed, the version did not (status, artifacts, a rename); retired: the record file was deleted.
   */
  kind: 'release' | 'imported' | 'update' | 'retired';
  commit: string;
  short_commit: string;
  url: string | null;
  author: string;
  /**
   * When the entry happened for the people who use the image: the build time (image_date, UTC) of a release or an imported entry, the commit date of an update or a retirement. Lists, feeds and --since go by it.
   */
  date: string;
  author_date: string;
  commit_date: string;
  subject: string;
  /**
   * The rest of the commit message: the release notes.
   */
  body: string;
  record_file: string;
  /**
   * The record file's earlier path, when this commit renamed it.
   */
  renamed_from: string | null;
  /**
   * The status before this entry, when this entry changed it.
   */
  previous_status: ('current' | 'deprecated' | 'legacy' | 'retired') | null;
  record: RecordSnapshot;
  /**
   * The line's release before this one (releases only).
   */
  previous_release: PreviousRelease | null;
  /**
   * Releases: commits that touched recipes/<recipe_name>/ or recipes/common/ since the previous release, newest first.
   */
  recipe_changes: RecipeCommit[];
  /**
   * Releases: the package manifest image-ids/<image_name>.<image_arch>.packages at this commit, compared with the previous release's; null when there is none.
   */
  packages: PackageChanges | null;
}
/**
 * The record fields an entry shows (for a retired line: the record before deletion); null when the record file does not hold the field.
 */
export interface RecordSnapshot {
  image_name: string | null;
  image_version: string | null;
  image_arch: string | null;
  image_file: string | null;
  image_stamp: string | null;
  image_date: string | null;
  recipe_name: string | null;
  /**
   * The record's status field (current when the record has none).
   */
  status: 'current' | 'deprecated' | 'legacy';
  /**
   * The record's artifacts list (empty when it has none, as in imported records).
   */
  artifacts: RecordArtifact[];
}
export interface RecordArtifact {
  name: string;
  sha256: string;
  size: number;
}
export interface PreviousRelease {
  commit: string;
  image_version: string | null;
}
export interface RecipeCommit {
  commit: string;
  short_commit: string;
  /**
   * The commit on GitHub, when the remote is there.
   */
  url: string | null;
  /**
   * The author's name (emails are left out).
   */
  author: string;
  /**
   * Committer date, ISO 8601 with the committer's offset.
   */
  commit_date: string;
  subject: string;
}
export interface PackageChanges {
  manifest: string;
  /**
   * Where the manifest can be read: the release's .packages asset when the record lists one, else the file at the release's commit on GitHub; null when the remote is not on GitHub.
   */
  manifest_url: string | null;
  total: number;
  /**
   * null when the previous release had no manifest (or there is none): nothing is compared.
   */
  previous_total: number | null;
  added: Package[];
  removed: Package[];
  upgraded: PackageChange[];
  downgraded: PackageChange[];
  /**
   * How many of the added and upgraded packages came from the security suite (<release>-security), when the manifest records each package's suite (a third column); null when it does not.
   */
  security: number | null;
  /**
   * For a line's first manifest (previous_total null): every package it lists, by name, so the first release shows what is in the image. Empty otherwise.
   */
  initial: Package[];
}
export interface Package {
  name: string;
  version: string;
  /**
   * The archive suite the version came from, when the manifest records it.
   */
  suite?: string;
}
export interface PackageChange {
  name: string;
  from: string;
  to: string;
  /**
   * The archive suite the version came from, when the manifest records it.
   */
  suite?: string;
}
