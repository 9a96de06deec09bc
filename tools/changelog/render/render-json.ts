/**
 * changelog.json: one entry per text line, so a new release shows as a few added lines in a diff,
 * and the file stays a fraction of the size of fully indented JSON. Pure.
 */
import type { Changelog } from '../../schemas/generated/changelog.js';

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
