/**
 * The project's own catalog rendered as the Pages workflow renders it: changelog.json and each
 * lines/<line>/latest.json validate against their schemas, latest.json lists the record's artifacts
 * with their release URLs, imported versions are dated by image_date (also for --since and in the
 * feeds), and the Atom ids stay the same when the history grows.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateChangelog } from '../../tools/changelog/generate-changelog.js';
import { outputFormats } from '../../tools/changelog/render/render-outputs.js';
import { releaseAssetUrl, releasePageUrl, releaseTag } from '../../tools/github/release-tag.js';
import { runCommand } from '../../tools/lib/exec.js';
import { toolkitPath } from '../../tools/lib/paths.js';
import type { Changelog } from '../../tools/schemas/generated/changelog.js';
import type { LatestFile } from '../../tools/schemas/generated/latest.js';
import { createTempDir, isolatedGitEnv } from '../helpers/git-repo.js';
import { htmlProblems, parseXml } from '../helpers/output-checks.js';
import { copyRealCatalog, type RealCatalog, type RealRecord, readRecords } from '../helpers/real-catalog.js';

const repository = { owner: 'emi-toolkit', name: 'emi-catalog' };
const github = {
  url: `https://github.com/${repository.owner}/${repository.name}`,
  commit_url: `https://github.com/${repository.owner}/${repository.name}/commit/`,
};
let catalog: RealCatalog;
let out: string;
let records: Map<string, RealRecord>;
let changelog: Changelog;
const read = (path: string) => readFile(join(out, path), 'utf8');

beforeAll(async () => {
  catalog = await copyRealCatalog();
  out = await createTempDir('emi-real-site-');
  await generateChangelog({ cwd: catalog.dir, out, formats: new Set(outputFormats), repository: github });
  records = await readRecords(catalog.dir);
  changelog = JSON.parse(await read('changelog.json')) as Changelog;
});
afterAll(async () => {
  for (const dir of [out, catalog?.dir]) if (dir) await rm(dir, { recursive: true, force: true });
});

const currentLines = () => [...records].filter(([, record]) => (record.artifacts ?? []).length > 0);

describe('the real catalog’s pages', () => {
  it('are valid HTML with no script', async () => {
    for (const file of ['index.html', ...changelog.lines.map((line) => `lines/${line.id}.html`)]) {
      const html = await read(file);
      expect(await htmlProblems(html, file), file).toEqual([]);
      expect(html).not.toMatch(/<script/i);
    }
  });
});

describe('the real catalog’s changelog.json and latest.json', () => {
  it('validate against their schemas', async () => {
    const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
    ajv.addSchema(JSON.parse(await read('latest.schema.json')) as object);
    const validateChangelog = ajv.compile(JSON.parse(await read('changelog.schema.json')) as object);
    expect(validateChangelog(changelog), JSON.stringify(validateChangelog.errors)).toBe(true);
    const validateLatest = ajv.getSchema('https://emi-toolkit.invalid/schemas/latest.schema.json');
    expect(validateLatest).toBeDefined();
    expect(changelog.lines.length).toBeGreaterThanOrEqual(records.size);
    for (const line of changelog.lines) {
      const latest = JSON.parse(await read(`lines/${line.id}/latest.json`));
      expect(validateLatest?.(latest), `${line.id}: ${JSON.stringify(validateLatest?.errors)}`).toBe(true);
      expect((latest as LatestFile).latest).toEqual(line.latest);
    }
  });

  it('list each current record’s artifacts with their release URLs, SHA256SUMS and the fetch command', async () => {
    expect(currentLines().length).toBeGreaterThan(0);
    for (const [id, record] of currentLines()) {
      const { latest } = JSON.parse(await read(`lines/${id}/latest.json`)) as LatestFile;
      expect(latest.image_version).toBe(record.image_version);
      expect(latest.built_at?.replace(/\D/g, '')).toBe(record.image_date);
      expect(latest.artifacts.map(({ name, sha256, size }) => ({ name, sha256, size }))).toEqual(
        record.artifacts,
      );
      for (const artifact of latest.artifacts)
        expect(artifact.url).toBe(releaseAssetUrl(repository, record, artifact.name));
      expect(latest.release_tag).toBe(releaseTag(record));
      expect(latest.release_url).toBe(releasePageUrl(repository, record));
      expect(latest.fetch_command).toBe(
        `emi fetch ${record.image_name} --arch ${record.image_arch} --version ${record.image_version}`,
      );
      expect(latest.base?.title).toMatch(/^(Debian|Ubuntu) /);
      expect(latest.root_size).toMatch(/^\d+[KMGT]$/);
      expect(await read(latest.sha256sums_url as string)).toBe(
        (record.artifacts ?? []).map((artifact) => `${artifact.sha256}  ${artifact.name}\n`).join(''),
      );
    }
  });

  it('shows the legacy records as imported versions dated by image_date, with the original history', () => {
    const legacy = [...records].filter(([, record]) => record.legacy_source !== undefined);
    expect(legacy.length).toBeGreaterThan(0);
    for (const [id, record] of legacy) {
      const line = changelog.lines.find((candidate) => candidate.id === id);
      const imported = line?.entries.filter((entry) => entry.kind === 'imported') ?? [];
      expect(imported.length, id).toBeGreaterThan(0);
      const newest = imported[0];
      expect(newest?.record.image_version).toBe(record.image_version);
      expect(newest?.date.replace(/\D/g, '')).toBe(record.image_date);
      for (const entry of imported) expect(entry.date.slice(0, 4) < '2013', `${id} ${entry.date}`).toBe(true);
    }
    // With data/legacy-history.json the old catalog's own commits, authors and messages come back.
    const entries = changelog.lines.flatMap((line) =>
      line.entries.filter((entry) => entry.kind === 'imported'),
    );
    expect(new Set(entries.map((entry) => entry.author))).toContain('Graziano Obertelli');
    expect(entries.map((entry) => entry.subject)).toContain('Added udev rules and hostname setup');
    expect(entries.every((entry) => !entry.subject.startsWith('Catalog skeleton'))).toBe(true);
    expect(entries.find((entry) => entry.short_commit === 'e9b9c61d4663')?.url).toBe(
      'https://github.com/eucalyptus/Eucalyptus-Scripts/commit/e9b9c61d4663bea349c5fc8ccc8ba4d1067c6a0d',
    );
  });

  it('filters --since by the image date, so the 2011 and 2012 images stay out of a 2024 changelog', async () => {
    const dir = await createTempDir('emi-real-since-');
    try {
      await generateChangelog({
        cwd: catalog.dir,
        out: dir,
        formats: new Set(['json'] as const),
        since: '2024-01-01',
      });
      const since = JSON.parse(await readFile(join(dir, 'changelog.json'), 'utf8')) as Changelog;
      const kept = since.lines.flatMap((line) => line.entries);
      expect(kept.length).toBeGreaterThan(0);
      expect(kept.filter((entry) => entry.kind === 'imported')).toEqual([]);
      for (const entry of kept) expect(entry.date >= '2024').toBe(true);
      expect(since.lines.map((line) => line.id).sort()).toEqual(
        currentLines()
          .map(([id]) => id)
          .sort(),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

function feedEntries(xml: string): Map<string, { id: string; published: string; updated: string }> {
  const doc = parseXml(xml);
  const entries = new Map<string, { id: string; published: string; updated: string }>();
  for (const entry of Array.from(doc.getElementsByTagName('entry'))) {
    const text = (name: string) => entry.getElementsByTagName(name)[0]?.textContent ?? '';
    const href = entry.getElementsByTagName('link')[0]?.getAttribute('href') ?? '';
    entries.set(href, { id: text('id'), published: text('published'), updated: text('updated') });
  }
  return entries;
}

describe('the real catalog’s Atom feeds', () => {
  it('publish an imported version at its image date', async () => {
    const line = changelog.lines.find((candidate) =>
      candidate.entries.some((entry) => entry.kind === 'imported'),
    );
    const imported = line?.entries.find((entry) => entry.kind === 'imported');
    expect(imported).toBeDefined();
    const entries = feedEntries(await read(`feeds/${line?.id}.atom`));
    const item = entries.get(`../lines/${line?.id}.html#c-${imported?.short_commit}`);
    const record = imported?.record.image_date as string;
    expect(item?.published).toBe(
      `${record.slice(0, 4)}-${record.slice(4, 6)}-${record.slice(6, 8)}T${record.slice(8, 10)}:${record.slice(10, 12)}:${record.slice(12, 14)}Z`,
    );
    expect(Date.parse(item?.updated ?? '')).toBeGreaterThanOrEqual(Date.parse(item?.published ?? ''));
  });

  it('keep every entry’s id when the history grows and the site is rendered again', async () => {
    const before = feedEntries(await read('feed.atom'));
    const lineFeeds = new Map<string, Map<string, { id: string }>>();
    for (const line of changelog.lines)
      lineFeeds.set(line.id, feedEntries(await read(`feeds/${line.id}.atom`)));
    // A new commit on the catalog: one current line is deprecated.
    const [id] = currentLines()[0] as [string, RealRecord];
    const file = join(catalog.dir, 'EMI-IDs', `${id}.yaml`);
    await writeFile(
      file,
      (await readFile(file, 'utf8')).replace(/^recipe_name: .*$/m, '$&\nstatus: "deprecated"'),
    );
    const env = isolatedGitEnv(catalog.dir);
    await runCommand('git', ['add', '-A'], { cwd: catalog.dir, env });
    await runCommand(
      'git',
      [
        '-c',
        'commit.gpgsign=false',
        'commit',
        '--quiet',
        '--no-verify',
        '-m',
        `Deprecate ${id}\n\nA newer line replaces it.`,
      ],
      { cwd: catalog.dir, env },
    );
    const again = await createTempDir('emi-real-again-');
    try {
      await generateChangelog({
        cwd: catalog.dir,
        out: again,
        formats: new Set(['atom'] as const),
        repository: github,
      });
      const after = feedEntries(await readFile(join(again, 'feed.atom'), 'utf8'));
      expect(after.size).toBeGreaterThan(0);
      let shared = 0;
      for (const [href, entry] of before) {
        const now = after.get(href);
        if (now === undefined) continue; // pushed out of the feed's newest 50
        shared++;
        expect(now.id, href).toBe(entry.id);
      }
      expect(shared).toBeGreaterThan(0);
      for (const [lineId, entries] of lineFeeds) {
        const now = feedEntries(await readFile(join(again, `feeds/${lineId}.atom`), 'utf8'));
        for (const [href, entry] of entries) expect(now.get(href)?.id, href).toBe(entry.id);
      }
      // The ids are unique.
      expect(new Set([...after.values()].map((entry) => entry.id)).size).toBe(after.size);
    } finally {
      await rm(again, { recursive: true, force: true });
    }
  });
});

describe('data/legacy-history.json', () => {
  it('is what import-legacy --history --changelog-data makes of the original catalog’s history', async () => {
    const dir = await createTempDir('emi-legacy-data-');
    try {
      const file = join(dir, 'legacy-history.json');
      const result = await runCommand(
        process.execPath,
        [
          toolkitPath('bin', 'emi.js'),
          'import-legacy',
          '--history',
          toolkitPath('test', 'fixtures', 'legacy', 'history'),
          '--changelog-data',
          file,
          '--origin',
          'https://github.com/eucalyptus/Eucalyptus-Scripts',
        ],
        { cwd: dir, reject: false },
      );
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.stderr).toMatch(
        /^5 versions replayed: 11 lines, 22 entries written to legacy-history.json$/m,
      );
      expect(await readFile(file, 'utf8')).toBe(
        await readFile(toolkitPath('data', 'legacy-history.json'), 'utf8'),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
