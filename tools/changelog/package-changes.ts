/**
 * The package manifest the builder writes beside an image's image-id file
 * (image-ids/<image_name>.<image_arch>.packages: one `name<TAB>version` line per package), and what
 * changed between two of them. Pure.
 */

import { compareDebianVersions } from '../lib/debian-version.js';
import type { PackageChanges } from '../schemas/generated/changelog.js';

export interface ManifestDefect {
  line: number;
  message: string;
}

export interface Manifest {
  /** Package name → version. */
  packages: Map<string, string>;
  /** Package name → the archive suite its version came from, for manifests with a third column. */
  suites: Map<string, string>;
  defects: ManifestDefect[];
}

/** Debian's and Ubuntu's security suites: bookworm-security, jammy-security (buster/updates before). */
export const isSecuritySuite = (suite: string | undefined) =>
  suite !== undefined && (/-security$/.test(suite) || /\/updates$/.test(suite));

/** How many added and upgraded packages came from the security suite. */
export function securityCount(changes: Pick<PackageChanges, 'added' | 'upgraded'>): number {
  return [...changes.added, ...changes.upgraded].filter((entry) => isSecuritySuite(entry.suite)).length;
}

export function parseManifest(text: string): Manifest {
  const packages = new Map<string, string>();
  const suites = new Map<string, string>();
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
      const second = name === '' ? -1 : text.indexOf('\t', tab + 1);
      const hasSuite = second >= 0 && second < last;
      const version = name === '' ? '' : text.slice(tab + 1, hasSuite ? second : last).trim();
      const suite = hasSuite ? text.slice(second + 1, last).trim() : '';
      if (name === '' || version === '') {
        if (text.slice(start, last).trim() !== '')
          defects.push({ line, message: 'not a name<TAB>version line: ignored' });
      } else if (packages.has(name)) {
        defects.push({ line, message: `${name} is listed twice: the first version is kept` });
      } else {
        packages.set(name, version);
        if (suite !== '') suites.set(name, suite);
      }
    }
    start = end + 1;
  }
  return { packages, suites, defects };
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
    manifest_url: null,
    total: current.packages.size,
    previous_total: previous ? previous.packages.size : null,
    added: [],
    removed: [],
    upgraded: [],
    downgraded: [],
    security: null,
    initial: [],
  };
  if (!previous) {
    for (const [name, version] of current.packages) {
      const suite = current.suites.get(name);
      changes.initial.push({ name, version, ...(suite === undefined ? {} : { suite }) });
    }
    changes.initial.sort(byName);
    return changes;
  }
  for (const [name, version] of current.packages) {
    const before = previous.packages.get(name);
    const suite = current.suites.get(name);
    const from = suite === undefined ? {} : { suite };
    if (before === undefined) changes.added.push({ name, version, ...from });
    else if (before !== version) {
      const change = { name, from: before, to: version, ...from };
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
  if (current.suites.size > 0) changes.security = securityCount(changes);
  return changes;
}
