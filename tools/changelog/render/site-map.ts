/**
 * The site's URL scheme and its order: where each page and feed lives, and the one order in which
 * releases are listed. The HTML pages and the Atom feeds both take them from here.
 */

import { instantOf } from '../../lib/dates.js';
import type { Entry, Line } from '../../schemas/generated/changelog.js';
import { sha256sumsPath } from '../build-changelog.js';
import { compareText } from './text.js';

export const allFeedPath = 'feed.atom';
export const faviconPath = 'favicon.svg';
export const linePagePath = (line: Line) => `lines/${line.id}.html`;
/** A line's files beside its page: lines/<line>/latest.json and lines/<line>/SHA256SUMS. */
export const lineLatestPath = (line: Line) => `lines/${line.id}/latest.json`;
export const lineSumsPath = (line: Line) => sha256sumsPath(line.id);
export const lineFeedPath = (line: Line) => `feeds/${line.id}.atom`;
export const entryAnchor = (entry: Entry) => `c-${entry.short_commit}`;

export interface FeedItem {
  line: Line;
  entry: Entry;
}

/**
 * Newest first by the entry's date (a release's build time, else its commit's; by the instant,
 * whatever the zone), then by line and commit: a total order.
 */
export function newestFirst<T extends FeedItem>(items: readonly T[]): T[] {
  const keyed = items.map((item) => ({ item, at: instantOf(item.entry.date) }));
  keyed.sort(
    (a, b) =>
      b.at - a.at ||
      compareText(a.item.line.id, b.item.line.id) ||
      compareText(a.item.entry.commit, b.item.entry.commit),
  );
  return keyed.map(({ item }) => item);
}
