/**
 * changelog.json: one entry per text line, so a new release shows as a few added lines in a diff,
 * and the file stays a fraction of the size of fully indented JSON. Pure.
 */
import type { Changelog, Line } from '../../schemas/generated/changelog.js';
import type { LatestFile } from '../../schemas/generated/latest.js';

export function renderJson(changelog: Changelog): string {
  const { lines, ...head } = changelog;
  const out = ['{'];
  for (const [key, value] of Object.entries(head))
    out.push(`  ${JSON.stringify(key)}: ${JSON.stringify(value)},`);
  out.push('  "lines": [');
  lines.forEach((line, lineIndex) => {
    const { entries, ...about } = line;
    out.push(`    ${JSON.stringify(about).slice(0, -1)},"entries":[`);
    entries.forEach((entry, index) => {
      out.push(`      ${JSON.stringify(entry)}${index < entries.length - 1 ? ',' : ''}`);
    });
    out.push(`    ]}${lineIndex < lines.length - 1 ? ',' : ''}`);
  });
  out.push('  ]', '}');
  return `${out.join('\n')}\n`;
}

/** lines/<line>/latest.json: the line's `latest`, indented, for scripts and people alike. */
export function renderLatestJson(line: Line): string {
  const file: LatestFile = {
    $schema: '../../latest.schema.json',
    format_version: 1,
    line: line.id,
    latest: line.latest,
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** The SHA256SUMS of the line's newest files, as sha256sum prints them; null when it lists none. */
export function renderSha256Sums(line: Line): string | null {
  const { artifacts } = line.latest;
  if (artifacts.length === 0 || line.latest.sha256sums_url === null) return null;
  // A name with a newline or a backslash cannot be written plainly; records never hold one.
  const safe = artifacts.filter((artifact) => !/[\n\r\\]/.test(artifact.name));
  return safe.map((artifact) => `${artifact.sha256}  ${artifact.name}\n`).join('');
}
