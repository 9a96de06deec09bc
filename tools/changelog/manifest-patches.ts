/**
 * Package changes between releases from git's own diffs of the manifests (`git log -p -U0` over
 * image-ids/*.packages): only the changed lines travel, keyed by the pair of blobs they lead from
 * and to, so a long history's manifests need not be read. Where no patch joins two releases'
 * blobs (the manifest changed in between, or a line is malformed), both blobs are parsed. Pure.
 */

import { parsePackagesHeader } from '../catalog/record-files.js';
import { compareDebianVersions } from '../lib/debian-version.js';
import type { PackageChanges } from '../schemas/generated/changelog.js';
import {
  diffManifests,
  type Manifest,
  type ManifestDefect,
  parseManifest,
  securityCount,
} from './package-changes.js';

const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

const zeroBlob = /^0+$/;

const noChanges = (manifest: string, total: number, previousTotal: number | null): PackageChanges => ({
  manifest,
  manifest_url: null,
  total,
  previous_total: previousTotal,
  added: [],
  removed: [],
  upgraded: [],
  downgraded: [],
  security: null,
  initial: [],
});

interface PatchEntry {
  name: string;
  version: string;
  /** The third column, when the manifest records the suite each version came from. */
  suite?: string;
}

export interface ManifestPatch {
  added: PatchEntry[];
  removed: PatchEntry[];
  /** The `# emi-packages` header line the patch adds (the new manifest's release), if any. */
  header?: string;
  /** The patch removes a header line; without `header`, the new manifest has none (a header it adds wins). */
  headerRemoved?: boolean;
}

function patchLine(line: string): PatchEntry | undefined {
  const tab = line.indexOf('\t', 1);
  if (tab < 0 || line.endsWith('\r') || line.startsWith('#', 1)) return undefined;
  const name = line.slice(1, tab).trim();
  const second = line.indexOf('\t', tab + 1);
  const version = (second < 0 ? line.slice(tab + 1) : line.slice(tab + 1, second)).trim();
  const suite = second < 0 ? '' : line.slice(second + 1).trim();
  if (name === '' || version === '') return undefined;
  return suite === '' ? { name, version } : { name, version, suite };
}

export interface ManifestPatches {
  /** Keyed `<old blob>..<new blob>`; a new file's patch is also keyed `..<new blob>`. */
  byBlobs: Map<string, ManifestPatch>;
  /** Commit → manifest path → its blob after the commit, for the manifests each commit changed. */
  blobsByCommit: Map<string, Map<string, string>>;
}

/**
 * Reads readManifestPatchLog's output (lib/git.ts) over the manifests: the lines git found changed between
 * two versions of a manifest, and which blob each commit left. A patch with a line that is not
 * name<TAB>version is left out of byBlobs: that release is compared from the blobs, where
 * parseManifest reports the defect. Pure.
 */
export function parseManifestPatches(log: string): ManifestPatches {
  const byBlobs = new Map<string, ManifestPatch>();
  const blobsByCommit = new Map<string, Map<string, string>>();
  let commit = '';
  let path: string | undefined;
  let key: string | undefined;
  let patch: ManifestPatch | undefined;
  let inHunk = false;
  let broken = false;
  const finish = () => {
    if (key && patch) {
      const [from, to] = key.split('..') as [string, string];
      if (path !== undefined && !zeroBlob.test(to)) {
        const paths = blobsByCommit.get(commit) ?? new Map<string, string>();
        paths.set(path, to);
        blobsByCommit.set(commit, paths);
      }
      if (!broken) {
        byBlobs.set(key, patch);
        if (zeroBlob.test(from)) byBlobs.set(`..${to}`, patch);
      }
    }
    key = undefined;
    patch = undefined;
    path = undefined;
  };
  for (const line of log.split('\n')) {
    if (line.startsWith('\x1e')) {
      finish();
      commit = line.slice(1).trim();
    } else if (line.startsWith('diff --git ')) {
      finish();
      patch = { added: [], removed: [] };
      inHunk = false;
      broken = false;
      // "diff --git a/<path> b/<path>": without renames both halves name the same path.
      const rest = line.slice('diff --git '.length);
      const half = rest.slice(0, (rest.length - 1) / 2);
      path = half.startsWith('a/') && rest === `${half} b/${half.slice(2)}` ? half.slice(2) : undefined;
    } else if (!patch) {
      // The commit line's blank neighbours.
    } else if (!inHunk && line.startsWith('index ')) {
      const match = /^index ([0-9a-f]+)\.\.([0-9a-f]+)/.exec(line);
      if (match) key = `${match[1]}..${match[2]}`;
    } else if (line.startsWith('@@')) {
      inHunk = true;
    } else if (!inHunk && line.startsWith('Binary files')) {
      broken = true;
    } else if (inHunk && line.startsWith('+# emi-packages ')) {
      patch.header = line.slice(1);
    } else if (inHunk && line.startsWith('-# emi-packages ')) {
      patch.headerRemoved = true;
    } else if (inHunk && line.startsWith('#', 1) && !line.endsWith('\r')) {
      // A comment or the `# emi-packages <name> <arch> <version> <stamp>` header: not a package.
    } else if (inHunk && (line.startsWith('+') || line.startsWith('-'))) {
      const entry = patchLine(line);
      if (!entry) broken = true;
      else (line.startsWith('+') ? patch.added : patch.removed).push(entry);
    }
  }
  finish();
  return { byBlobs, blobsByCommit };
}

/** The changes from a patch between two releases' manifests. */
export function changesFromPatch(
  manifestPath: string,
  patch: ManifestPatch,
  previousTotal: number,
): PackageChanges {
  const removed = new Map(patch.removed.map((entry) => [entry.name, entry.version]));
  const changes: PackageChanges = {
    manifest: manifestPath,
    manifest_url: null,
    total: previousTotal + patch.added.length - patch.removed.length,
    previous_total: previousTotal,
    added: [],
    removed: [],
    upgraded: [],
    downgraded: [],
    security: null,
    initial: [],
  };
  const seen = new Set<string>();
  for (const { name, version, suite } of patch.added) {
    seen.add(name);
    const before = removed.get(name);
    const from = suite === undefined ? {} : { suite };
    if (before === undefined) changes.added.push({ name, version, ...from });
    else if (before !== version) {
      const change = { name, from: before, to: version, ...from };
      if (compareDebianVersions(version, before) < 0) changes.downgraded.push(change);
      else changes.upgraded.push(change);
    }
  }
  for (const [name, version] of removed) if (!seen.has(name)) changes.removed.push({ name, version });
  for (const list of [changes.added, changes.removed, changes.upgraded, changes.downgraded])
    list.sort(byName);
  changes.security = patch.added.some((entry) => entry.suite !== undefined) ? securityCount(changes) : null;
  return changes;
}

export interface ReleaseManifest {
  manifestPath: string;
  /** The manifest's blob at the release, or undefined when the release has none. */
  oid: string | undefined;
  /** The release's image_version: a manifest whose header names another release is not its. */
  version?: string | null;
}

/**
 * The package changes of each release of one line, oldest first, compared with the release before.
 * Where git's patch between the two blobs is known (the usual case: the manifest changes with each
 * release) it is used as it is; otherwise both blobs are parsed. With `blobs` missing a needed
 * blob, its id is added to `needed` and the result is not final: read them, then call again.
 */
export function diffReleaseManifests(
  releases: readonly ReleaseManifest[],
  patches: ReadonlyMap<string, ManifestPatch>,
  blobs: ReadonlyMap<string, string>,
  needed: Set<string>,
): { changes: (PackageChanges | null)[]; defects: { index: number; defect: ManifestDefect }[] } {
  const changes: (PackageChanges | null)[] = [];
  const defects: { index: number; defect: ManifestDefect }[] = [];
  const manifests = new Map<string, Manifest>();
  const parsed = (oid: string, index: number): Manifest | undefined => {
    let manifest = manifests.get(oid);
    if (manifest) return manifest;
    const text = blobs.get(oid);
    if (text === undefined) {
      needed.add(oid);
      return undefined;
    }
    manifest = parseManifest(text);
    manifests.set(oid, manifest);
    for (const defect of manifest.defects) defects.push({ index, defect });
    return manifest;
  };
  // `header`: the release the manifest names (its image_version), null for a manifest without one.
  let previous: { oid: string; total: number; header: string | null } | undefined;
  for (const [index, { manifestPath, oid, version }] of releases.entries()) {
    if (oid === undefined) {
      changes.push(null);
      previous = undefined;
      continue;
    }
    // The same manifest as the release before: it was not made for this release (new-emi made a
    // record that was never built, or the manifest was not updated), so nothing is claimed.
    if (previous?.oid === oid) {
      changes.push(null);
      continue;
    }
    let change: PackageChanges | undefined;
    let header: string | null | undefined;
    if (previous) {
      const patch = patches.get(`${previous.oid}..${oid}`);
      if (patch) {
        change = changesFromPatch(manifestPath, patch, previous.total);
        header = patch.header
          ? (parsePackagesHeader(patch.header)?.image_version ?? null)
          : patch.headerRemoved
            ? null
            : previous.header;
      }
    } else {
      const created = patches.get(`..${oid}`);
      if (created) {
        change = {
          ...noChanges(manifestPath, created.added.length, null),
          initial: created.added
            .map(({ name, version, suite }) => ({ name, version, ...(suite ? { suite } : {}) }))
            .sort(byName),
        };
        header = created.header ? (parsePackagesHeader(created.header)?.image_version ?? null) : null;
      }
    }
    if (!change) {
      const current = parsed(oid, index);
      const before = previous ? parsed(previous.oid, index) : undefined;
      change =
        current && (!previous || before)
          ? diffManifests(manifestPath, current, before)
          : noChanges(manifestPath, 0, null);
      header = current?.header?.image_version ?? null;
    }
    // A manifest made for another release is not this one's.
    if (header && version && header !== version) {
      changes.push(null);
      continue;
    }
    changes.push(change);
    previous = { oid, total: change.total, header: header ?? null };
  }
  return { changes, defects };
}
