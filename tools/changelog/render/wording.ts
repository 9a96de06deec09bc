/** The words every format uses for entries, statuses and package changes, so they read alike. Pure. */
import type { Entry, Line, PackageChanges } from '../../schemas/generated/changelog.js';
import { compareText, plural } from './text.js';

/** release, first release, imported, deprecated, legacy, renamed, update or retired. */
export function kindLabel(entry: Entry): string {
  if (entry.kind === 'retired') return 'retired';
  if (entry.kind === 'imported') return 'imported';
  if (entry.kind === 'release') return entry.previous_release === null ? 'first release' : 'release';
  if (entry.previous_status !== null && entry.record.status !== 'current') return entry.record.status;
  if (entry.previous_status !== null) return 'status changed';
  if (entry.renamed_from !== null) return 'renamed';
  return 'update';
}

/** The entry's title: its version (or "Retired after …"), else its commit. */
export function titleOf(entry: Entry): string {
  const version = entry.record.image_version;
  if (entry.kind === 'retired') return version ? `Retired after ${version}` : 'Retired';
  return version ?? entry.short_commit;
}

/**
 * `12 upgraded, 1 added, 0 removed; 3 from the security suite` (downgrades only when there are
 * some, the security count only when the manifest records suites); for a line's first manifest,
 * how many packages it lists.
 */
export function packageSummary(packages: PackageChanges): string {
  if (packages.previous_total === null)
    return `${plural(packages.total, 'package')} in this image (the line's first package list: nothing to compare with)`;
  const parts = [
    `${packages.upgraded.length} upgraded`,
    `${packages.added.length} added`,
    `${packages.removed.length} removed`,
  ];
  if (packages.downgraded.length > 0) parts.push(`${packages.downgraded.length} downgraded`);
  const security = packages.security === null ? '' : `; ${packages.security} from the security suite`;
  return `${parts.join(', ')}${security}`;
}

const statusRank: Record<Line['status'], number> = { current: 0, deprecated: 1, legacy: 2, retired: 3 };

export const statusTitles: Record<Line['status'], string> = {
  current: 'Current images',
  deprecated: 'Deprecated images (still offered, not recommended)',
  legacy: 'Legacy images (from the original catalog)',
  retired: 'Retired images (no longer offered)',
};

/** Current lines first, then deprecated, legacy and retired; by id within each. */
export function statusOrder(a: Line, b: Line): number {
  return statusRank[a.status] - statusRank[b.status] || compareText(a.id, b.id);
}
