/** CHANGELOG.md: a table of the lines, then per line its entries, newest first. Pure. */
import type { Changelog, Entry, Line, PackageChanges } from '../../schemas/generated/changelog.js';
import { markdownBlocks, markdownCode, markdownLink, markdownText } from './markdown-text.js';
import { notesOf } from './notes.js';
import { dayOf, imageDateText } from './text.js';
import { kindLabel, packageSummary, statusOrder, titleOf } from './wording.js';

function facts(entry: Entry): string[] {
  const { record } = entry;
  const rows: string[] = [];
  if (record.image_file !== null) rows.push(`- Image file: ${markdownCode(record.image_file)}`);
  const built = imageDateText(record.image_date);
  if (built !== null || record.image_stamp !== null) {
    const parts = [
      ...(built === null ? [] : [`built ${markdownText(built)}`]),
      ...(record.image_stamp === null ? [] : [`stamp ${markdownCode(record.image_stamp)}`]),
    ];
    rows.push(`- Image: ${parts.join(', ')}`);
  }
  if (record.recipe_name !== null) rows.push(`- Recipe: ${markdownCode(record.recipe_name)}`);
  rows.push(
    `- Status: ${markdownText(entry.kind === 'retired' ? 'retired' : record.status)}${
      entry.previous_status ? ` (was ${markdownText(entry.previous_status)})` : ''
    }`,
  );
  if (entry.renamed_from !== null)
    rows.push(`- Record renamed: ${markdownCode(entry.renamed_from)} → ${markdownCode(entry.record_file)}`);
  return rows;
}

function recipeSection(entry: Entry): string[] {
  if (entry.kind !== 'release' || entry.previous_release === null) return [];
  const since = entry.previous_release.image_version ?? entry.previous_release.commit.slice(0, 12);
  if (entry.recipe_changes.length === 0) return [`- Recipe changes since ${markdownText(since)}: none`];
  return [
    `- Recipe changes since ${markdownText(since)}:`,
    ...entry.recipe_changes.map(
      (change) => `  - ${markdownLink(change.short_commit, change.url)} ${markdownText(change.subject)}`,
    ),
  ];
}

function packageSection(packages: PackageChanges | null): string[] {
  if (packages === null) return [];
  const rows = [`- Packages: ${markdownText(packageSummary(packages))}`];
  const list = (label: string, items: string[]) => {
    if (items.length > 0) rows.push(`  - ${label}: ${items.join(', ')}`);
  };
  list(
    'added',
    packages.added.map((p) => `${markdownText(p.name)} ${markdownCode(p.version)}`),
  );
  list(
    'in this image',
    packages.initial.map((p) => `${markdownText(p.name)} ${markdownCode(p.version)}`),
  );
  list(
    'removed',
    packages.removed.map((p) => `${markdownText(p.name)} ${markdownCode(p.version)}`),
  );
  for (const [label, changes] of [
    ['upgraded', packages.upgraded],
    ['downgraded', packages.downgraded],
  ] as const) {
    list(
      label,
      changes.map((p) => `${markdownText(p.name)} ${markdownCode(p.from)} → ${markdownCode(p.to)}`),
    );
  }
  return rows;
}

function entrySection(entry: Entry): string {
  const heading = `### ${markdownText(titleOf(entry))} (${markdownText(kindLabel(entry))}, ${dayOf(entry.date)})`;
  const by = `${markdownLink(entry.short_commit, entry.url)} by ${markdownText(entry.author || 'unknown')}, committed ${markdownText(entry.commit_date)}`;
  const parts = [heading, `**${markdownText(entry.subject) || 'no subject'}**`];
  parts.push(...markdownBlocks(notesOf(entry.body)));
  parts.push(
    [...facts(entry), ...recipeSection(entry), ...packageSection(entry.packages), `- Commit: ${by}`].join(
      '\n',
    ),
  );
  return parts.join('\n\n');
}

/** The newest files of a line that lists them: name, size, sha256 and download link. */
function filesSection(line: Line): string[] {
  const { latest } = line;
  if (latest.artifacts.length === 0) return [];
  const rows = latest.artifacts.map(
    (artifact) =>
      `| ${artifact.url ? markdownLink(artifact.name, artifact.url) : markdownCode(artifact.name)} | ${artifact.size} | ${markdownCode(artifact.sha256)} |`,
  );
  const parts = [
    `Files of ${markdownText(latest.image_version ?? '')}${latest.release_url ? ` (${markdownLink(latest.release_tag ?? 'release', latest.release_url)})` : ''}:`,
    ['| File | Bytes | sha256 |', '| --- | ---: | --- |', ...rows].join('\n'),
  ];
  if (latest.fetch_command) parts.push(`\`${latest.fetch_command}\``);
  return parts;
}

function lineSection(line: Line): string {
  const heading = `## ${markdownText(line.image_name)} (${markdownText(line.image_arch)})`;
  const base = line.latest.base ? ` · ${markdownText(line.latest.base.title)}` : '';
  const size = line.latest.root_size ? ` · ${markdownText(line.latest.root_size)} root` : '';
  const about = `Status: **${markdownText(line.status)}**${base}${size} · record ${markdownCode(line.record_file)} · ${line.entries.length} ${line.entries.length === 1 ? 'entry' : 'entries'}`;
  return [heading, about, ...filesSection(line), ...line.entries.map((entry) => entrySection(entry))].join(
    '\n\n',
  );
}

export function renderMarkdown(changelog: Changelog): string {
  const lines = [...changelog.lines].sort(statusOrder);
  const parts = ['# Image changelog'];
  const intro = changelog.since
    ? `Entries dated since ${markdownText(changelog.since)} (releases by build time), rendered from the git history of EMI-IDs/.`
    : 'Every release of every image line, rendered from the git history of EMI-IDs/.';
  parts.push(intro);
  if (lines.length === 0) parts.push('No image line has a record yet.');
  else {
    const table = [
      '| Line | Arch | Status | Version | Built | Image file |',
      '| --- | --- | --- | --- | --- | --- |',
      ...lines
        .map((line) =>
          [
            markdownText(line.image_name),
            markdownText(line.image_arch),
            markdownText(line.status),
            markdownText(line.latest.image_version ?? ''),
            markdownText(imageDateText(line.latest.image_date) ?? ''),
            markdownText(line.latest.image_file ?? ''),
          ].join(' | '),
        )
        .map((row) => `| ${row} |`),
    ];
    parts.push(table.join('\n'));
  }
  if (changelog.generated_at) parts.push(`Generated ${markdownText(changelog.generated_at)}.`);
  for (const line of lines) parts.push(lineSection(line));
  return `${parts.join('\n\n')}\n`;
}
