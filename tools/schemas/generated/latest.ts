/* Generated from tools/schemas/latest.schema.json by `npm run generate-types`: do not edit. */

/**
 * lines/<line>/latest.json on the changelog site: the version of one image line to use now, its files with size, sha256 and download URL, so a script can ask "what is current" without reading HTML. The same object is each line's `latest` in changelog.json.
 */
export interface LatestFile {
  /**
   * The schema of this file, at the site's root.
   */
  $schema: '../../latest.schema.json';
  /**
   * Raised when a field changes meaning or disappears.
   */
  format_version: 1;
  /**
   * <image_name>.<image_arch>
   */
  line: string;
  latest: Latest;
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
