/**
 * Atom feeds (RFC 4287): one per line and one for all lines, newest entries first, at most
 * `feedLimit` entries each. Ids are name-based UUIDs of the line and commit, so they never change;
 * a feed's <updated> is its newest entry's date, so the same history gives the same bytes. Pure.
 */
import { createHash } from 'node:crypto';
import { instantOf } from '../../lib/dates.js';
import type { Changelog, Entry, Line } from '../../schemas/generated/changelog.js';
import { entryBodyHtml } from './render-entry-html.js';
import {
  allFeedPath,
  entryAnchor,
  type FeedItem,
  lineFeedPath,
  linePagePath,
  newestFirst,
} from './site-map.js';
import { escapeMarkup } from './text.js';
import { kindLabel, titleOf } from './wording.js';

export const feedLimit = 50;

export function escapeXml(text: string): string {
  return escapeMarkup(text, '&apos;');
}

/** A UUID derived from a name (the shape of RFC 4122 version 5), as an Atom id. */
export function uuidUrn(name: string): string {
  const hex = createHash('sha1').update(name).digest('hex').slice(0, 32).split('');
  hex[12] = '5';
  hex[16] = ((Number.parseInt(hex[16] as string, 16) & 0x3) | 0x8).toString(16);
  const h = hex.join('');
  return `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * When the entry was published: a release or an imported version when its image was built (its
 * date), an update or a retirement when it was committed.
 */
export const entryPublished = (entry: Entry) => entry.date;

/** When the entry last changed: its commit, unless that predates the build (then the build). */
export const entryUpdated = (entry: Entry) =>
  instantOf(entry.commit_date) >= instantOf(entry.date) ? entry.commit_date : entry.date;

export interface FeedOptions {
  /** The site's absolute URL (with a trailing slash); without it links are relative to the feed. */
  siteUrl?: string;
}

function renderFeed(
  changelog: Changelog,
  feed: { path: string; title: string; alternate: string; idName: string },
  items: FeedItem[],
  options: FeedOptions,
): string {
  // Relative links resolve against the feed's own URL: feeds/x.atom sits one folder down.
  const base = options.siteUrl ?? (feed.path.includes('/') ? '../' : '');
  const source = changelog.repository?.url ?? 'local';
  const chosen = newestFirst(items).slice(0, feedLimit);
  // The feed changed when its latest entry did: the newest <updated> of the entries shown.
  const updated =
    chosen.map(({ entry }) => entryUpdated(entry)).sort((a, b) => instantOf(b) - instantOf(a))[0] ??
    '1970-01-01T00:00:00Z';
  const entries = chosen.map(({ line, entry }) => {
    const title = `${line.image_name} ${line.image_arch} ${titleOf(entry)} (${kindLabel(entry)})`;
    const href = `${base}${linePagePath(line)}#${entryAnchor(entry)}`;
    return `  <entry>
    <id>${uuidUrn(`emi-changelog entry ${source} ${line.id} ${entry.commit}`)}</id>
    <title>${escapeXml(title)}</title>
    <updated>${escapeXml(entryUpdated(entry))}</updated>
    <published>${escapeXml(entryPublished(entry))}</published>
    <author><name>${escapeXml(entry.author || 'unknown')}</name></author>
    <link rel="alternate" type="text/html" href="${escapeXml(href)}"/>
    <category term="${escapeXml(entry.kind)}"/>
    <summary>${escapeXml(entry.subject)}</summary>
    <content type="html">${escapeXml(entryBodyHtml(entry))}</content>
  </entry>`;
  });
  const self = options.siteUrl
    ? `\n  <link rel="self" type="application/atom+xml" href="${escapeXml(`${options.siteUrl}${feed.path}`)}"/>`
    : '';
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>${uuidUrn(`emi-changelog feed ${source} ${feed.idName}`)}</id>
  <title>${escapeXml(feed.title)}</title>
  <updated>${escapeXml(updated)}</updated>
  <author><name>Image catalog</name></author>${self}
  <link rel="alternate" type="text/html" href="${escapeXml(`${base}${feed.alternate}`)}"/>
${entries.join('\n')}${entries.length > 0 ? '\n' : ''}</feed>
`;
}

export function renderAllFeed(changelog: Changelog, options: FeedOptions = {}): string {
  const items = changelog.lines.flatMap((line) => line.entries.map((entry) => ({ line, entry })));
  return renderFeed(
    changelog,
    { path: allFeedPath, title: 'Image releases', alternate: 'index.html', idName: 'all' },
    items,
    options,
  );
}

export function renderLineFeed(changelog: Changelog, line: Line, options: FeedOptions = {}): string {
  return renderFeed(
    changelog,
    {
      path: lineFeedPath(line),
      title: `${line.image_name} ${line.image_arch} releases`,
      alternate: linePagePath(line),
      idName: `line ${line.id}`,
    },
    line.entries.map((entry) => ({ line, entry })),
    options,
  );
}
