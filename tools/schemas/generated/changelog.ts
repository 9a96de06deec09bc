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
   * The --since date: entries committed before it are left out.
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
   * The status of the newest record; retired when the record file was deleted.
   */
  status: 'current' | 'deprecated' | 'legacy' | 'retired';
  latest: RecordSnapshot;
  /**
   * Newest first.
   */
  entries: Entry[];
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
}
/**
 * A commit that changed the line's record file.
 */
export interface Entry {
  /**
   * release: a new image_version (or the line's first record); update: the record changed, the version did not (status, artifacts, a rename); retired: the record file was deleted.
   */
  kind: 'release' | 'update' | 'retired';
  commit: string;
  short_commit: string;
  url: string | null;
  author: string;
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
  total: number;
  /**
   * null when the previous release had no manifest (or there is none): nothing is compared.
   */
  previous_total: number | null;
  added: Package[];
  removed: Package[];
  upgraded: PackageChange[];
  downgraded: PackageChange[];
}
export interface Package {
  name: string;
  version: string;
}
export interface PackageChange {
  name: string;
  from: string;
  to: string;
}
