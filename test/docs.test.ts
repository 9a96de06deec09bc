/**
 * The documentation stays true to the repository: every relative link of README.md and docs/*.md
 * reaches a file (and, for #anchors, a heading of it, as GitHub names headings), and every command
 * `emi --help` lists has a row in the README's command table.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { commands } from '../tools/commands/registry.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const pages = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`),
];

/** The page's lines outside fenced code blocks, with their line numbers. */
function proseLines(text: string): { line: number; text: string }[] {
  const lines: { line: number; text: string }[] = [];
  let fence: string | undefined;
  text.split('\n').forEach((line, index) => {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker !== undefined && (fence === undefined || marker.startsWith(fence))) {
      fence = fence === undefined ? marker : undefined;
      return;
    }
    if (fence === undefined) lines.push({ line: index + 1, text: line });
  });
  return lines;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, each space a hyphen. */
function headingAnchor(heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

function anchorsOf(path: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text } of proseLines(readFileSync(path, 'utf8'))) {
    const heading = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(text)?.[1];
    if (heading === undefined) continue;
    const base = headingAnchor(heading);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

interface Link {
  page: string;
  line: number;
  target: string;
}

function relativeLinks(page: string): Link[] {
  const links: Link[] = [];
  for (const { line, text } of proseLines(readFileSync(join(root, page), 'utf8'))) {
    const withoutCode = text.replace(/`[^`]*`/g, '');
    for (const match of withoutCode.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      const target = match[1] as string;
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: …
      links.push({ page, line, target });
    }
  }
  return links;
}

function brokenReason({ page, target }: Link): string | undefined {
  const [path = '', anchor] = target.split('#', 2);
  const file = path === '' ? join(root, page) : resolve(dirname(join(root, page)), decodeURIComponent(path));
  if (!relative(root, file) || relative(root, file).startsWith('..')) return 'points outside the repository';
  if (!existsSync(file)) return `${relative(root, file)} does not exist`;
  if (anchor === undefined || anchor === '') return undefined;
  if (!statSync(file).isFile() || !file.endsWith('.md')) return `#${anchor} on a file that is not Markdown`;
  if (!anchorsOf(file).has(anchor)) return `${relative(root, file)} has no heading #${anchor}`;
  return undefined;
}

describe('the documentation', () => {
  test('headings get the anchors GitHub gives them', () => {
    expect(headingAnchor('Booting and checking an image: `emi verify-image`')).toBe(
      'booting-and-checking-an-image-emi-verify-image',
    );
    expect(headingAnchor("Migrating the old catalog's history")).toBe('migrating-the-old-catalogs-history');
    expect(headingAnchor('Set-up: two commands')).toBe('set-up-two-commands');
    expect(headingAnchor('[The catalog](x.md) bench -- catalog')).toBe('the-catalog-bench----catalog');
  });

  test.each(pages)('%s: every relative link resolves, to a heading for #anchors', (page) => {
    const broken = relativeLinks(page).flatMap((link) => {
      const reason = brokenReason(link);
      return reason === undefined ? [] : [`${link.page}:${link.line}: (${link.target}) ${reason}`];
    });
    expect(broken).toEqual([]);
  });

  test('the pages under docs/ are linked from the README', () => {
    const linked = new Set(relativeLinks('README.md').map((link) => link.target.split('#')[0]));
    expect(pages.filter((page) => page !== 'README.md' && !linked.has(page))).toEqual([]);
  });

  test("every command of `emi --help` has a row in the README's command table", () => {
    const rows = readFileSync(join(root, 'README.md'), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('| `emi '));
    // A row starts with `emi NAME …`: its first word, and its first two for commands like `recipe new`.
    const documented = new Set(
      rows.flatMap((row) => {
        const words = /^\| `emi ([a-z][a-z0-9-]*)(?: ([a-z][a-z0-9-]*))?/.exec(row);
        return words?.[1] === undefined ? [] : [words[1], `${words[1]} ${words[2] ?? ''}`.trim()];
      }),
    );
    const missing = commands
      .map((command) => command.name)
      .filter((name) => !documented.has(name))
      .map(
        (name) =>
          `emi ${name}: add a row "| \`emi ${name}\` | what it does | [details](docs/…) |" to README.md`,
      );
    expect(missing).toEqual([]);
  });
});
