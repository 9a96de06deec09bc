/**
 * The site's URL scheme and its order: where each page and feed lives, and the one order in which
 * releases are listed. The HTML pages and the Atom feeds both take them from here.
 */

import { instantOf } from '../../lib/dates.js';
import type { Entry, Line } from '../../schemas/generated/changelog.js';
import { compareText } from './text.js';

export const allFeedPath = 'feed.atom';
export const linePagePath = (line: Line) => `lines/${line.id}.html`;
export const lineFeedPath = (line: Line) => `feeds/${line.id}.atom`;
export const entryAnchor = (entry: Entry) => `c-${entry.short_commit}`;

export interface FeedItem {
  line: Line;
  entry: Entry;
}

/** Newest first (by the instant, whatever the zone), then by line and commit: a total order. */
export function newestFirst<T extends FeedItem>(items: readonly T[]): T[] {
  const keyed = items.map((item) => ({ item, at: instantOf(item.entry.commit_date) }));
  keyed.sort(
    (a, b) =>
      b.at - a.at ||
      compareText(a.item.line.id, b.item.line.id) ||
      compareText(a.item.entry.commit, b.item.entry.commit),
  );
  return keyed.map(({ item }) => item);
}
