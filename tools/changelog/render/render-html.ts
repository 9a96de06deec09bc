/** The static site's pages: an index of every line, and one page per line with its history. Pure. */
import type { Changelog, Line } from '../../schemas/generated/changelog.js';
import { escapeHtml, type Html, link, page, time } from './html.js';
import { entryBodyHtml } from './render-entry-html.js';
import { entryAnchor, lineFeedPath, linePagePath, newestFirst } from './site-map.js';
import { dayOf, imageDateIso, imageDateText, plural } from './text.js';
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

function lineCard(line: Line): Html {
  const { latest } = line;
  const facts: Html[] = [];
  if (latest.image_version !== null)
    facts.push(`<div><dt>Version</dt><dd>${escapeHtml(latest.image_version)}</dd></div>`);
  const built = imageDateText(latest.image_date);
  if (built !== null)
    facts.push(`<div><dt>Built</dt><dd>${time(imageDateIso(latest.image_date), built)}</dd></div>`);
  if (latest.image_file !== null)
    facts.push(`<div><dt>Download</dt><dd><code>${escapeHtml(latest.image_file)}</code></dd></div>`);
  return `<li class="line" id="line-${escapeHtml(line.id)}">
<h3>${link(linePagePath(line), escapeHtml(line.image_name))} <span class="arch">${escapeHtml(line.image_arch)}</span> ${badge(line.status)}</h3>
<dl class="facts">
${facts.join('\n')}
</dl>
</li>`;
}

function recentReleases(changelog: Changelog, count: number): Html {
  const releases = newestFirst(
    changelog.lines.flatMap((line) =>
      line.entries.filter((entry) => entry.kind === 'release').map((entry) => ({ line, entry })),
    ),
  ).slice(0, count);
  if (releases.length === 0) return '';
  const items = releases.map(
    ({ line, entry }) =>
      `<li class="release">${time(entry.commit_date, dayOf(entry.commit_date))} ${link(`${linePagePath(line)}#${entryAnchor(entry)}`, `${escapeHtml(line.image_name)} <span class="arch">${escapeHtml(line.image_arch)}</span> ${escapeHtml(titleOf(entry))}`)}: ${escapeHtml(entry.subject)}</li>`,
  );
  return `<section aria-labelledby="recent">
<h2 id="recent">Recent releases</h2>
<ol class="recent">
${items.join('\n')}
</ol>
</section>`;
}

export function renderIndexPage(changelog: Changelog, options: SiteOptions): string {
  const lines = [...changelog.lines].sort(statusOrder);
  const sections: Html[] = [];
  for (const status of ['current', 'deprecated', 'legacy', 'retired'] as const) {
    const group = lines.filter((line) => line.status === status);
    if (group.length === 0) continue;
    sections.push(`<section aria-labelledby="status-${status}">
<h2 id="status-${status}">${statusTitles[status]}</h2>
<ul class="lines">
${group.map(lineCard).join('\n')}
</ul>
</section>`);
  }
  if (sections.length === 0) sections.push('<p>No image line has a record yet.</p>');
  const hasFeeds = options.formats.has('atom');
  const other = hasFeeds ? [link('feed.atom', 'Atom feed')] : [];
  if (options.formats.has('json')) other.push(link('changelog.json', 'JSON'));
  if (options.formats.has('md')) other.push(link('CHANGELOG.md', 'CHANGELOG.md'));
  const since = changelog.since ? ` committed since ${escapeHtml(changelog.since)}` : '';
  const header = `<h1>Image changelog</h1>
<p>${plural(lines.length, 'image line')}: each release${since} with its notes, recipe changes and package changes. ${other.join(' · ')}</p>`;
  return page({
    title: 'Image changelog',
    root: '',
    description: 'Every release of every cloud starter image, from the catalog’s git history.',
    feeds: hasFeeds ? [{ href: 'feed.atom', title: 'All image releases' }] : [],
    header,
    main: [...sections, recentReleases(changelog, options.recent ?? 20)]
      .filter((part) => part !== '')
      .join('\n'),
    footer: footer(changelog, ''),
  });
}

export function renderLinePage(changelog: Changelog, line: Line, options: SiteOptions): string {
  const hasFeeds = options.formats.has('atom');
  const name = `${line.image_name} ${line.image_arch}`;
  const entries = line.entries.map(
    (entry) => `<li class="entry kind-${entry.kind}" id="${entryAnchor(entry)}">
<article>
<h2>${escapeHtml(titleOf(entry))} <span class="kind">${escapeHtml(kindLabel(entry))}</span></h2>
${entryBodyHtml(entry)}
</article>
</li>`,
  );
  const header = `<p class="muted">${link('../index.html', 'All images')}</p>
<h1>${escapeHtml(line.image_name)} <span class="arch">${escapeHtml(line.image_arch)}</span> ${badge(line.status)}</h1>
<p>Record <code>${escapeHtml(line.record_file)}</code> · ${plural(line.entries.length, 'entry', 'entries')}, newest first${hasFeeds ? ` · ${link(`../${lineFeedPath(line)}`, 'Atom feed')}` : ''}</p>`;
  return page({
    title: `${name}: image changelog`,
    root: '../',
    description: `Every release of the ${name} image.`,
    feeds: hasFeeds ? [{ href: `../${lineFeedPath(line)}`, title: `${name} releases` }] : [],
    header,
    main: `<ol class="entries">\n${entries.join('\n')}\n</ol>`,
    footer: footer(changelog, '../'),
  });
}
