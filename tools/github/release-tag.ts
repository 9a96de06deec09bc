/**
 * The release of a recorded image version: its git tag and where its files are downloaded from.
 * One release per line, arch and version; the tag spells the record's file name and its version,
 * `<image_name>.<image_arch>-<image_version>` (e.g. `euca-debian-emi.x86_64-2026.11.27`), a valid
 * git ref (check-ref-format) for every record that passes the schema.
 */
export interface ReleaseKey {
  image_name: string;
  image_arch: string;
  image_version: string;
}

export function releaseTag(record: ReleaseKey): string {
  return `${record.image_name}.${record.image_arch}-${record.image_version}`;
}

/** The browser download URL of a release asset on github.com or a GitHub Enterprise Server. */
export function releaseAssetUrl(
  repository: { serverUrl?: string; owner: string; name: string },
  record: ReleaseKey,
  asset: string,
): string {
  const server = (repository.serverUrl ?? 'https://github.com').replace(/\/+$/, '');
  const path = [repository.owner, repository.name, 'releases', 'download', releaseTag(record), asset];
  return `${server}/${path.map(encodeURIComponent).join('/')}`;
}

/** The release's page. */
export function releasePageUrl(
  repository: { serverUrl?: string; owner: string; name: string },
  record: ReleaseKey,
): string {
  const server = (repository.serverUrl ?? 'https://github.com').replace(/\/+$/, '');
  const path = [repository.owner, repository.name, 'releases', 'tag', releaseTag(record)];
  return `${server}/${path.map(encodeURIComponent).join('/')}`;
}
