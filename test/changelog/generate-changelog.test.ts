import { readdir, readFile, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Element } from '@xmldom/xmldom';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateChangelog } from '../../tools/changelog/generate-changelog.js';
import { outputFormats } from '../../tools/changelog/render/render-outputs.js';
import { runCommand } from '../../tools/lib/exec.js';
import {
  type ChangelogFixture,
  createChangelogFixture,
  injectedScript,
} from '../helpers/changelog-fixture.js';
import { createTempDir } from '../helpers/git-repo.js';
import { htmlProblems, parseXml } from '../helpers/output-checks.js';

const atom = 'http://www.w3.org/2005/Atom';
let fixture: ChangelogFixture;
let out: string;
const allFormats = new Set(outputFormats);

async function listFiles(dir: string): Promise<string[]> {
  const names = (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)));
  return names.sort();
}

const read = (path: string) => readFile(join(out, path), 'utf8');

beforeAll(async () => {
  fixture = await createChangelogFixture();
  out = await createTempDir('emi-changelog-');
  await generateChangelog({ cwd: fixture.repo.dir, out, formats: allFormats });
});
afterAll(async () => {
  await fixture.repo.cleanup();
  await rm(out, { recursive: true, force: true });
});

describe('generateChangelog outputs', () => {
  it('writes every format', async () => {
    expect(await listFiles(out)).toEqual([
      'CHANGELOG.md',
      'changelog.json',
      'changelog.schema.json',
      'favicon.svg',
      'feed.atom',
      'feeds/euca-debian-emi.x86_64.atom',
      'feeds/euca-debian32-emi.i386.atom',
      'index.html',
      'latest.schema.json',
      'lines/euca-debian-emi.x86_64.html',
      'lines/euca-debian-emi.x86_64/latest.json',
      'lines/euca-debian32-emi.i386.html',
      'lines/euca-debian32-emi.i386/latest.json',
      'style.css',
    ]);
  });

  it('renders the same history to the same bytes, also from a fresh clone', async () => {
    const again = await createTempDir('emi-changelog-');
    const clone = await createTempDir('emi-clone-');
    const fromClone = await createTempDir('emi-changelog-');
    try {
      await generateChangelog({ cwd: fixture.repo.dir, out: again, formats: allFormats });
      await runCommand('git', ['clone', '--quiet', '--no-local', fixture.repo.dir, clone]);
      await runCommand('git', ['remote', 'remove', 'origin'], { cwd: clone });
      await generateChangelog({ cwd: clone, out: fromClone, formats: allFormats });
      const files = await listFiles(out);
      for (const dir of [again, fromClone]) {
        expect(await listFiles(dir)).toEqual(files);
        for (const file of files)
          expect(await readFile(join(dir, file)), file).toEqual(await readFile(join(out, file)));
      }
    } finally {
      for (const dir of [again, clone, fromClone]) await rm(dir, { recursive: true, force: true });
    }
  });

  it('writes JSON that validates against the schema written beside it', async () => {
    const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
    ajv.addSchema(JSON.parse(await read('latest.schema.json')) as object);
    const validate = ajv.compile(JSON.parse(await read('changelog.schema.json')) as object);
    const data = JSON.parse(await read('changelog.json')) as { lines: { id: string }[] };
    expect(validate(data), JSON.stringify(validate.errors)).toBe(true);
    expect(data.lines.map((line) => line.id)).toEqual(['euca-debian-emi.x86_64', 'euca-debian32-emi.i386']);
    // And the schema does reject what it should.
    expect(validate({ ...data, lines: [{ id: '../evil' }] })).toBe(false);
  });

  it('writes Atom feeds that parse as XML and carry the required elements', async () => {
    for (const [file, count] of [
      ['feed.atom', 6],
      ['feeds/euca-debian-emi.x86_64.atom', 3],
      ['feeds/euca-debian32-emi.i386.atom', 3],
    ] as const) {
      const doc = parseXml(await read(file));
      const feed = doc.documentElement;
      expect(feed?.localName).toBe('feed');
      expect(feed?.namespaceURI).toBe(atom);
      const child = (parent: Element, name: string) =>
        Array.from(parent.childNodes).filter(
          (node): node is Element =>
            node.nodeType === 1 &&
            (node as Element).localName === name &&
            (node as Element).namespaceURI === atom,
        );
      const root = feed as unknown as Element;
      for (const name of ['id', 'title', 'updated', 'author'])
        expect(child(root, name), `${file} feed ${name}`).toHaveLength(1);
      const entries = child(root, 'entry');
      expect(entries).toHaveLength(count);
      const updated = entries.map((entry) => Date.parse(child(entry, 'updated')[0]?.textContent ?? ''));
      expect([...updated].sort((a, b) => b - a)).toEqual(updated);
      expect(child(root, 'updated')[0]?.textContent).toBe(
        child(entries[0] as Element, 'updated')[0]?.textContent,
      );
      for (const entry of entries) {
        for (const name of ['id', 'title', 'updated', 'author', 'link', 'content'])
          expect(child(entry, name).length, `${file} entry ${name}`).toBeGreaterThan(0);
        expect(child(entry, 'id')[0]?.textContent).toMatch(/^urn:uuid:/);
      }
    }
    const all = await read('feed.atom');
    expect(all).not.toContain('<script');
    expect(all).toContain('&amp;lt;script&amp;gt;');
    expect(() => parseXml(all.replace('</feed>', ''))).toThrow(/XML/);
  });

  it('writes valid HTML5 pages with every piece of git text escaped', async () => {
    for (const file of [
      'index.html',
      'lines/euca-debian-emi.x86_64.html',
      'lines/euca-debian32-emi.i386.html',
    ]) {
      const html = await read(file);
      expect(await htmlProblems(html, file)).toEqual([]);
      expect(html).not.toMatch(/<script|<img/i);
    }
    const page = await read('lines/euca-debian-emi.x86_64.html');
    expect(page).toContain(
      '&lt;script&gt;window.__injected = true; document.title = &quot;pwned&quot;;&lt;/script&gt;',
    );
    expect(page).toContain('Tune rc.local &lt;b&gt;for all images&lt;/b&gt;');
    expect(page).toContain('Grüße aus Köln, 日本語, emoji 🚀');
    expect(page).toContain('Content-Security-Policy" content="default-src \'none\'');
  });

  it('writes CHANGELOG.md with entries newest first and no raw HTML from git', async () => {
    const markdown = await read('CHANGELOG.md');
    expect(markdown).not.toContain(injectedScript);
    expect(markdown).toContain('\\<script\\>window.\\_\\_injected');
    const headings = [...markdown.matchAll(/^#{2,3} .*$/gm)].map((match) => match[0]);
    expect(headings).toEqual([
      '## euca-debian-emi (x86\\_64)',
      '### 2024.02.10 (deprecated, 2024-03-05)',
      '### 2024.02.10 (release, 2024-02-10)',
      '### 2024.01.15 (first release, 2024-01-15)',
      '## euca-debian32-emi (i386)',
      '### Retired after 2024.02.01 (retired, 2024-03-10)',
      '### 2024.02.01 (renamed, 2024-03-01)',
      '### 2024.02.01 (first release, 2024-02-01)',
    ]);
    expect(markdown).toContain('  - upgraded: base-files `12.4` → `12.5`');
  });
});

describe('generateChangelog options', () => {
  it('writes only the formats asked for, and --since keeps later entries', async () => {
    const dir = await createTempDir('emi-changelog-');
    try {
      const result = await generateChangelog({
        cwd: fixture.repo.dir,
        out: dir,
        formats: new Set(['json', 'md'] as const),
        since: '2024-03-01',
        generatedAt: '2024-04-01T00:00:00Z',
      });
      expect(await listFiles(dir)).toEqual([
        'CHANGELOG.md',
        'changelog.json',
        'changelog.schema.json',
        'latest.schema.json',
        'lines/euca-debian-emi.x86_64/latest.json',
        'lines/euca-debian32-emi.i386/latest.json',
      ]);
      expect(result.entries).toBe(3);
      const data = JSON.parse(await readFile(join(dir, 'changelog.json'), 'utf8'));
      expect(data.since).toBe('2024-03-01');
      expect(data.generated_at).toBe('2024-04-01T00:00:00Z');
      expect(data.lines.map((line: { entries: unknown[] }) => line.entries.length)).toEqual([1, 2]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('writes nothing on a dry run', async () => {
    const dir = await createTempDir('emi-changelog-');
    try {
      const result = await generateChangelog({
        cwd: fixture.repo.dir,
        out: dir,
        formats: allFormats,
        dryRun: true,
      });
      expect(result.files.length).toBe(14);
      expect(await listFiles(dir)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
