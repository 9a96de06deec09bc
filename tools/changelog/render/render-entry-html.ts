/** One changelog entry as an HTML fragment: on a line's page and, escaped once more, in the feeds. Pure. */
import type { Entry, PackageChanges } from '../../schemas/generated/changelog.js';
import { isSecuritySuite } from '../package-changes.js';
import { escapeHtml, type Html, link, time } from './html.js';
import { type NoteBlock, notesOf } from './notes.js';
import { dayOf, imageDateIso, imageDateText, plural } from './text.js';
import { packageSummary } from './wording.js';

export function notesHtml(blocks: readonly NoteBlock[]): Html {
  return blocks
    .map((block) => {
      if (block.kind === 'paragraph') return `<p>${escapeHtml(block.text)}</p>`;
      if (block.kind === 'code') return `<pre>${escapeHtml(block.text)}</pre>`;
      const tag = block.ordered ? 'ol' : 'ul';
      return `<${tag}>${block.items.map((item) => `<li>${escapeHtml(item)}</li>`).join('')}</${tag}>`;
    })
    .join('\n');
}

export function commitLink(shortCommit: string, url: string | null): Html {
  const label = `<code>${escapeHtml(shortCommit)}</code>`;
  return url ? link(url, label) : label;
}

function fact(term: string, value: Html): Html {
  return `<div><dt>${term}</dt><dd>${value}</dd></div>`;
}

/** The facts first: when it was built, the file and stamp, the recipe, the status, the commit. */
function factsHtml(entry: Entry): Html {
  const { record } = entry;
  const rows: Html[] = [];
  const built = imageDateText(record.image_date);
  if (built !== null && entry.kind !== 'retired')
    rows.push(fact('Built', time(imageDateIso(record.image_date), built)));
  if (record.image_file !== null)
    rows.push(fact('Image file', `<code>${escapeHtml(record.image_file)}</code>`));
  if (record.image_stamp !== null) rows.push(fact('Stamp', `<code>${escapeHtml(record.image_stamp)}</code>`));
  if (record.recipe_name !== null)
    rows.push(fact('Recipe', `<code>${escapeHtml(record.recipe_name)}</code>`));
  const status = entry.kind === 'retired' ? 'retired' : record.status;
  const was = entry.previous_status === null ? '' : ` (was ${escapeHtml(entry.previous_status)})`;
  rows.push(fact('Status', `<span class="status-${status}">${status}</span>${was}`));
  if (entry.renamed_from !== null)
    rows.push(fact('Renamed from', `<code>${escapeHtml(entry.renamed_from)}</code>`));
  rows.push(
    fact(
      entry.kind === 'imported' ? 'Original commit' : 'Committed',
      `${time(entry.commit_date, dayOf(entry.commit_date))} by <span class="author">${escapeHtml(entry.author || 'unknown')}</span> · ${commitLink(entry.short_commit, entry.url)}`,
    ),
  );
  return `<dl class="facts">\n${rows.join('\n')}\n</dl>`;
}

function recipeHtml(entry: Entry): Html {
  if (entry.kind !== 'release' || entry.previous_release === null) return '';
  const since = escapeHtml(
    entry.previous_release.image_version ?? entry.previous_release.commit.slice(0, 12),
  );
  if (entry.recipe_changes.length === 0)
    return `<p class="recipe-summary"><span class="label">Recipe</span> no changes since ${since}</p>`;
  const items = entry.recipe_changes.map(
    (change) =>
      `<li>${commitLink(change.short_commit, change.url)} ${escapeHtml(change.subject)} <span class="muted">(${escapeHtml(change.author)}, ${time(change.commit_date, dayOf(change.commit_date))})</span></li>`,
  );
  return `<details class="recipe">
<summary><span class="label">Recipe</span> ${plural(entry.recipe_changes.length, 'commit')} since ${since}</summary>
<ul class="recipe-changes">
${items.join('\n')}
</ul>
</details>`;
}

function packagesHtml(packages: PackageChanges | null): Html {
  if (packages === null) return '';
  const groups: Html[] = [];
  const group = (title: string, items: Html[]) => {
    if (items.length > 0)
      groups.push(`<h4>${title} (${items.length})</h4>\n<ul class="packages">${items.join('')}</ul>`);
  };
  const code = (text: string) => `<code>${escapeHtml(text)}</code>`;
  const suite = (name: string | undefined) =>
    name === undefined
      ? ''
      : ` <span class="suite${isSecuritySuite(name) ? ' security' : ''}">${escapeHtml(name)}</span>`;
  const pkg = (name: string, version: Html, from: string | undefined) =>
    `<li>${escapeHtml(name)} ${version}${suite(from)}</li>`;
  group(
    'Upgraded',
    packages.upgraded.map((p) => pkg(p.name, `${code(p.from)} → ${code(p.to)}`, p.suite)),
  );
  group(
    'Added',
    packages.added.map((p) => pkg(p.name, code(p.version), p.suite)),
  );
  group(
    'Removed',
    packages.removed.map((p) => pkg(p.name, code(p.version), undefined)),
  );
  group(
    'Downgraded',
    packages.downgraded.map((p) => pkg(p.name, `${code(p.from)} → ${code(p.to)}`, p.suite)),
  );
  group(
    'In this image',
    packages.initial.map((p) => pkg(p.name, code(p.version), p.suite)),
  );
  const summary = `<span class="label">Packages</span> ${escapeHtml(packageSummary(packages))}`;
  const manifest = packages.manifest_url
    ? `<p class="manifest">${link(packages.manifest_url, `The package list (${escapeHtml(packages.manifest.replace(/^.*\//, ''))}, ${plural(packages.total, 'package')})`)}</p>`
    : `<p class="manifest muted">The package list: <code>${escapeHtml(packages.manifest)}</code> at this commit.</p>`;
  if (groups.length === 0) return `<div class="package-summary"><p>${summary}</p>\n${manifest}</div>`;
  return `<details class="packages">\n<summary>${summary}</summary>\n${groups.join('\n')}\n${manifest}\n</details>`;
}

const rendered = new WeakMap<Entry, Html>();

/** The body of an entry: facts, package and recipe changes, then the notes (the commit message). */
export function entryBodyHtml(entry: Entry): Html {
  // Line pages and feeds show the same entries: render each once.
  let html = rendered.get(entry);
  if (html === undefined) {
    html = renderEntryBody(entry);
    rendered.set(entry, html);
  }
  return html;
}

function renderEntryBody(entry: Entry): Html {
  const subject =
    entry.subject === ''
      ? '<p class="subject muted">No subject.</p>'
      : `<p class="subject">${escapeHtml(entry.subject)}</p>`;
  return [
    factsHtml(entry),
    packagesHtml(entry.packages),
    recipeHtml(entry),
    `<div class="notes">\n${subject}\n${notesHtml(notesOf(entry.body))}\n</div>`,
  ]
    .filter((part) => part !== '')
    .join('\n');
}
