/**
 * The static site's pages: an index that opens with the images to use (each with its files), the
 * recent releases, then the older lines as compact tables; and one page per line with its history.
 * Pure.
 */
import type { Changelog, Entry, Line } from '../../schemas/generated/changelog.js';
import { escapeHtml, type Html, link, page, time } from './html.js';
import { entryBodyHtml } from './render-entry-html.js';
import { entryAnchor, lineFeedPath, linePagePath, newestFirst } from './site-map.js';
import { dayOf, imageDateIso, imageDateText, plural } from './text.js';
import { imageFactsHtml, useImageHtml } from './use-image-html.js';
import { kindLabel, statusOrder, statusTitles, titleOf } from './wording.js';

export interface SiteOptions {
  /** The other formats written beside the site, linked from the index. */
  formats: ReadonlySet<string>;
  /** How many releases the index lists under "Recent releases". */
  recent?: number;
}

function badge(status: Line['status']): Html {
  return `<span class="badge status-${status}">${status}</span>`;
}

function footer(changelog: Changelog, root: string): Html {
  const source = changelog.repository
    ? ` of ${link(changelog.repository.url, escapeHtml(changelog.repository.url.replace('https://', '')))}`
    : '';
  const generated = changelog.generated_at ? ` Generated ${escapeHtml(changelog.generated_at)}.` : '';
  return `<p>Rendered from the git history${source} by <code>emi changelog</code>. ${link(`${root}index.html`, 'All images')}.${generated}</p>`;
}

/** Has the line had a release of this repository (not only versions imported from the old catalog)? */
const isImportedOnly = (line: Line) => line.entries.every((entry) => entry.kind !== 'release');

/** A current or deprecated line: its use-this-image box, or its facts when it lists no files. */
function lineCard(line: Line): Html {
  const title = `${link(linePagePath(line), escapeHtml(line.image_name))} <span class="arch">${escapeHtml(line.image_arch)}</span> ${badge(line.status)}`;
  const box = useImageHtml(line, {
    root: '',
    full: false,
    heading: { level: 3, id: `use-${line.id}`, html: title },
  });
  if (box !== '') return `<li class="line has-box" id="line-${escapeHtml(line.id)}">\n${box}\n</li>`;
  return `<li class="line" id="line-${escapeHtml(line.id)}">
<h3>${title}</h3>
${imageFactsHtml(line)}
</li>`;
}

/** Legacy and retired lines: one row each. */
function lineTable(lines: readonly Line[], id: string): Html {
  const rows = lines.map((line) => {
    const built = imageDateIso(line.latest.image_date);
    const versions = line.entries.filter(
      (entry) => entry.kind === 'release' || entry.kind === 'imported',
    ).length;
    return `<tr><th scope="row">${link(linePagePath(line), `${escapeHtml(line.image_name)} <span class="arch">${escapeHtml(line.image_arch)}</span>`)}</th><td>${escapeHtml(line.latest.image_version ?? '')}</td><td class="built">${built === undefined ? '' : time(built, built.slice(0, 10))}</td><td class="num">${versions}</td></tr>`;
  });
  return `<div class="table-wrap"><table class="lines" aria-labelledby="${id}">
<thead><tr><th scope="col">Image</th><th scope="col">Last version</th><th scope="col" class="built">Built</th><th scope="col" class="num">Versions</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table></div>`;
}

function recentReleases(changelog: Changelog, count: number): Html {
  const all = changelog.lines.flatMap((line) => line.entries.map((entry) => ({ line, entry })));
  const releases = newestFirst(all.filter(({ entry }) => entry.kind === 'release')).slice(0, count);
  const imported = all.filter(({ entry }) => entry.kind === 'imported');
  if (releases.length === 0 && imported.length === 0) return '';
  const items = releases.map(
    ({ line, entry }) =>
      `<li class="release">${time(entry.date, dayOf(entry.date))} ${link(`${linePagePath(line)}#${entryAnchor(entry)}`, `${escapeHtml(line.image_name)} <span class="arch">${escapeHtml(line.image_arch)}</span> ${escapeHtml(titleOf(entry))}`)}: ${escapeHtml(entry.subject)}</li>`,
  );
  let summary = '';
  if (imported.length > 0) {
    const years = imported.map(({ entry }) => entry.date.slice(0, 4)).sort();
    const span = years[0] === years.at(-1) ? years[0] : `${years[0]}–${years.at(-1)}`;
    summary = `<p class="imported-summary muted">And ${plural(imported.length, 'version')} of ${plural(new Set(imported.map(({ line }) => line.id)).size, 'line')} from the original catalog (${escapeHtml(span ?? '')}), listed under ${link('#status-legacy', 'Legacy images')} and on their pages.</p>`;
  }
  return `<section aria-labelledby="recent">
<h2 id="recent">Recent releases</h2>
${items.length > 0 ? `<ol class="recent">\n${items.join('\n')}\n</ol>` : '<p>No release built by this repository yet.</p>'}
${summary}
</section>`;
}

export function renderIndexPage(changelog: Changelog, options: SiteOptions): string {
  const lines = [...changelog.lines].sort(statusOrder);
  const group = (status: Line['status']) => lines.filter((line) => line.status === status);
  const section = (status: Line['status'], body: Html) => `<section aria-labelledby="status-${status}">
<h2 id="status-${status}">${statusTitles[status]}</h2>
${body}
</section>`;
  const cards = (status: Line['status']) => {
    const found = group(status);
    return found.length === 0
      ? ''
      : section(status, `<ul class="lines">\n${found.map(lineCard).join('\n')}\n</ul>`);
  };
  const table = (status: Line['status']) => {
    const found = group(status);
    return found.length === 0 ? '' : section(status, lineTable(found, `status-${status}`));
  };
  const main = [
    cards('current'),
    recentReleases(changelog, options.recent ?? 10),
    cards('deprecated'),
    table('legacy'),
    table('retired'),
  ];
  if (lines.length === 0) main.unshift('<p>No image line has a record yet.</p>');
  const hasFeeds = options.formats.has('atom');
  const other = hasFeeds ? [link('feed.atom', 'Atom feed')] : [];
  if (options.formats.has('json')) other.push(link('changelog.json', 'JSON'));
  if (options.formats.has('md')) other.push(link('CHANGELOG.md', 'CHANGELOG.md'));
  const since = changelog.since ? ` Entries dated since ${escapeHtml(changelog.since)}.` : '';
  const current = group('current').length;
  const header = `<h1>Image changelog</h1>
<p>Which image to use, where to get it, what changed: ${plural(current, 'current image')}, ${plural(lines.length - current, 'older line')}.${since} ${other.join(' · ')}</p>`;
  return page({
    title: 'Image changelog',
    root: '',
    description: 'Which cloud starter image to use, what changed in each release, and where to download it.',
    feeds: hasFeeds ? [{ href: 'feed.atom', title: 'All image releases' }] : [],
    header,
    main: main.filter((part) => part !== '').join('\n'),
    footer: footer(changelog, ''),
  });
}

function lineIntro(line: Line): Html {
  const { latest } = line;
  const parts: string[] = [];
  if (latest.base) parts.push(escapeHtml(latest.base.title));
  if (latest.root_size) parts.push(`${escapeHtml(latest.root_size)} root filesystem`);
  if (isImportedOnly(line)) {
    const built = imageDateText(latest.image_date);
    return `<p class="imported-note">Imported from the original catalog: this repository offers no files for it.${latest.image_version ? ` Its last version was ${escapeHtml(latest.image_version)}${built ? `, built ${escapeHtml(built)}` : ''}.` : ''}</p>`;
  }
  // A line with files says this in its box.
  if (line.latest.artifacts.length > 0) return '';
  return parts.length > 0 ? `<p>${parts.join(', ')}.</p>` : '';
}

function entryItem(entry: Entry): Html {
  return `<li class="entry kind-${entry.kind}" id="${entryAnchor(entry)}">
<article aria-labelledby="h-${entryAnchor(entry)}">
<h3 id="h-${entryAnchor(entry)}">${escapeHtml(titleOf(entry))} <span class="kind">${escapeHtml(kindLabel(entry))}</span></h3>
${entryBodyHtml(entry)}
</article>
</li>`;
}

export function renderLinePage(changelog: Changelog, line: Line, options: SiteOptions): string {
  const hasFeeds = options.formats.has('atom');
  const name = `${line.image_name} ${line.image_arch}`;
  const links = [`${plural(line.entries.length, 'entry', 'entries')}, newest first`];
  if (hasFeeds) links.push(link(`../${lineFeedPath(line)}`, 'Atom feed'));
  if (options.formats.has('json')) links.push(link(`${line.id}/latest.json`, 'latest.json'));
  const header = `<p class="muted">${link('../index.html', 'All images')}</p>
<h1>${escapeHtml(line.image_name)} <span class="arch">${escapeHtml(line.image_arch)}</span> ${badge(line.status)}</h1>
${lineIntro(line)}`;
  const box = useImageHtml(line, {
    root: '../',
    full: true,
    heading: { level: 2, id: 'use', html: 'Use this image' },
  });
  const history = `<section aria-labelledby="history">
<h2 id="history">History</h2>
<p class="muted">Record <code>${escapeHtml(line.record_file)}</code> · ${links.join(' · ')}</p>
<ol class="entries">
${line.entries.map(entryItem).join('\n')}
</ol>
</section>`;
  return page({
    title: `${name}: image changelog`,
    root: '../',
    description: `Every release of the ${name} image.`,
    feeds: hasFeeds ? [{ href: `../${lineFeedPath(line)}`, title: `${name} releases` }] : [],
    header,
    main: [box, history].filter((part) => part !== '').join('\n'),
    footer: footer(changelog, '../'),
  });
}
