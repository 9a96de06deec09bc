/**
 * The package manifest the builder writes beside an image's image-id file
 * (image-ids/<image_name>.<image_arch>.packages: one `name<TAB>version` line per package), and what
 * changed between two of them. Pure.
 */
import { type PackagesHeader, parsePackagesHeader } from '../catalog/record-files.js';
import type { PackageChanges } from '../schemas/generated/changelog.js';
import { compareDebianVersions } from './debian-version.js';

export interface ManifestDefect {
  line: number;
  message: string;
}

export interface Manifest {
  /** Package name → version. */
  packages: Map<string, string>;
  defects: ManifestDefect[];
  /** The release named by its `# emi-packages` first line (manifests before headers have none). */
  header?: PackagesHeader;
}

export function parseManifest(text: string): Manifest {
  const packages = new Map<string, string>();
  const defects: ManifestDefect[] = [];
  // A scan with indexOf: manifests of every release of a long history pass through here.
  let line = 0;
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    line++;
    const last = end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
    const tab = text.indexOf('\t', start);
    const first = text.charCodeAt(start);
    if (last > start && first !== 35 /* # */) {
      const name = tab < 0 || tab >= last ? '' : text.slice(start, tab).trim();
      const version = name === '' ? '' : text.slice(tab + 1, last).trim();
      if (name === '' || version === '') {
        if (text.slice(start, last).trim() !== '')
          defects.push({ line, message: 'not a name<TAB>version line: ignored' });
      } else if (packages.has(name)) {
        defects.push({ line, message: `${name} is listed twice: the first version is kept` });
      } else {
        packages.set(name, version);
      }
    }
    start = end + 1;
  }
  const firstEnd = text.indexOf('\n');
  const header = parsePackagesHeader((firstEnd < 0 ? text : text.slice(0, firstEnd)).trimEnd());
  return header ? { packages, defects, header } : { packages, defects };
}

const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** The changes from `previous` to `current`; with no previous manifest nothing is compared. */
export function diffManifests(
  manifestPath: string,
  current: Manifest,
  previous: Manifest | undefined,
): PackageChanges {
  const changes: PackageChanges = {
    manifest: manifestPath,
    total: current.packages.size,
    previous_total: previous ? previous.packages.size : null,
    added: [],
    removed: [],
    upgraded: [],
    downgraded: [],
  };
  if (!previous) return changes;
  for (const [name, version] of current.packages) {
    const before = previous.packages.get(name);
    if (before === undefined) changes.added.push({ name, version });
    else if (before !== version) {
      const change = { name, from: before, to: version };
      if (compareDebianVersions(version, before) < 0) changes.downgraded.push(change);
      else changes.upgraded.push(change);
    }
  }
  for (const [name, version] of previous.packages) {
    if (!current.packages.has(name)) changes.removed.push({ name, version });
  }
  changes.added.sort(byName);
  changes.removed.sort(byName);
  changes.upgraded.sort(byName);
  changes.downgraded.sort(byName);
  return changes;
}
