import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readHistory } from '../../tools/changelog/read-history.js';
import { runCommand } from '../../tools/lib/exec.js';
import type { Changelog, Line } from '../../tools/schemas/generated/changelog.js';
import { type ChangelogFixture, createChangelogFixture, setOrigin } from '../helpers/changelog-fixture.js';
import { createRepo, createTempDir } from '../helpers/git-repo.js';

let fixture: ChangelogFixture;
let changelog: Changelog;

const lineById = (id: string) => changelog.lines.find((line) => line.id === id) as Line;

beforeAll(async () => {
  fixture = await createChangelogFixture();
  await setOrigin(fixture.repo, 'git@github.com:example/catalog.git');
  changelog = (await readHistory({ cwd: fixture.repo.dir })).changelog;
});
afterAll(() => fixture.repo.cleanup());

describe('readHistory', () => {
  it('makes one line per record file, renames followed, sorted by id', () => {
    expect(changelog.lines.map((line) => [line.id, line.status])).toEqual([
      ['euca-debian-emi.x86_64', 'deprecated'],
      ['euca-debian32-emi.i386', 'retired'],
    ]);
  });

  it('lists every commit that changed a record, newest first, and no merge commit', () => {
    const { commits } = fixture;
    expect(lineById('euca-debian-emi.x86_64').entries.map((entry) => [entry.kind, entry.commit])).toEqual([
      ['update', commits.deprecated],
      ['release', commits.secondRelease],
      ['release', commits.firstRelease],
    ]);
    expect(lineById('euca-debian32-emi.i386').entries.map((entry) => [entry.kind, entry.commit])).toEqual([
      ['retired', commits.retired],
      ['update', commits.renamed],
      ['release', commits.i386Release],
    ]);
    const all = changelog.lines.flatMap((line) => line.entries.map((entry) => entry.commit));
    expect(all).not.toContain(commits.merge);
  });

  it('gives each release its record, notes, author and dates in their own zones', () => {
    const [, second, first] = lineById('euca-debian-emi.x86_64').entries;
    expect(first?.author).toBe('Zoë Ångström');
    expect(first?.subject).toBe('First Debian image: bookworm 12.4');
    expect(first?.body).toContain('<script>window.__injected = true;');
    expect(first?.body).toContain('Grüße aus Köln, 日本語, emoji 🚀');
    expect(second?.commit_date).toBe('2024-02-10T10:00:00-05:00');
    expect(second?.record).toMatchObject({
      image_version: '2024.02.10',
      image_file: 'euca-debian-2024.02.10-x86_64.img',
      recipe_name: 'debian-based',
      status: 'current',
    });
    expect(second?.previous_release).toEqual({
      commit: fixture.commits.firstRelease,
      image_version: '2024.01.15',
    });
    expect(second?.url).toBe(`https://github.com/example/catalog/commit/${fixture.commits.secondRelease}`);
  });

  it('lists the recipe and common commits since the previous release, side branch included', () => {
    const [, second, first] = lineById('euca-debian-emi.x86_64').entries;
    const { commits } = fixture;
    expect(second?.recipe_changes.map((change) => change.commit)).toEqual([
      commits.branchMirror,
      commits.commonTune,
      commits.recipeCurl,
    ]);
    expect(second?.recipe_changes[1]?.subject).toBe('Tune rc.local <b>for all images</b>');
    expect(first?.recipe_changes).toEqual([]);
  });

  it('compares the package manifests of the two releases', () => {
    const [, second, first] = lineById('euca-debian-emi.x86_64').entries;
    expect(second?.packages).toEqual({
      manifest: 'image-ids/euca-debian-emi.x86_64.packages',
      total: 3,
      previous_total: 3,
      added: [{ name: 'openssh-server', version: '1:9.2p1-2' }],
      removed: [{ name: 'curl', version: '7.88.1-10' }],
      upgraded: [{ name: 'base-files', from: '12.4', to: '12.5' }],
      downgraded: [{ name: 'libc6', from: '2.36-9', to: '2.36-8' }],
      security: null,
      initial: [],
      // The manifest at the release's commit on GitHub (the record lists no .packages asset).
      manifest_url: `https://github.com/example/catalog/blob/${second?.commit}/image-ids/euca-debian-emi.x86_64.packages`,
    });
    expect(first?.packages?.previous_total).toBeNull();
    // The first manifest is listed whole (read from git's patch of the new file).
    expect(first?.packages?.initial).toEqual([
      { name: 'base-files', version: '12.4' },
      { name: 'curl', version: '7.88.1-10' },
      { name: 'libc6', version: '2.36-9' },
    ]);
    expect(lineById('euca-debian32-emi.i386').entries.at(-1)?.packages).toBeNull();
  });

  it('shows a deprecation, a rename and a retirement as such', () => {
    const [deprecation] = lineById('euca-debian-emi.x86_64').entries;
    expect(deprecation).toMatchObject({ kind: 'update', previous_status: 'current' });
    expect(deprecation?.record.status).toBe('deprecated');
    const [retired, renamed] = lineById('euca-debian32-emi.i386').entries;
    expect(renamed?.renamed_from).toBe('EMI-IDs/euca-debian-emi.i386.yaml');
    expect(renamed?.record.image_name).toBe('euca-debian32-emi');
    expect(retired).toMatchObject({ kind: 'retired', previous_status: 'current' });
    expect(retired?.record.image_version).toBe('2024.02.01');
    expect(lineById('euca-debian32-emi.i386').latest.image_name).toBe('euca-debian32-emi');
  });

  it('reads only the lines asked for, by full id or by image_name', async () => {
    const only = await readHistory({ cwd: fixture.repo.dir, lines: ['euca-debian32-emi'] });
    expect(only.changelog.lines.map((line) => line.id)).toEqual(['euca-debian32-emi.i386']);
    await expect(readHistory({ cwd: fixture.repo.dir, lines: ['euca-nope-emi'] })).rejects.toThrow(
      /no image line "euca-nope-emi" .*known lines are euca-debian-emi.x86_64, euca-debian32-emi.i386/,
    );
  });

  it('refuses a shallow clone', async () => {
    const dir = await createTempDir();
    await runCommand('git', ['clone', '--quiet', '--depth', '1', `file://${fixture.repo.dir}`, dir]);
    await expect(readHistory({ cwd: dir })).rejects.toThrow(/shallow clone.*fetch-depth: 0/);
    await rm(dir, { recursive: true, force: true });
  });
});

describe('readHistory on a young catalog', () => {
  it('gives no lines for a repository without commits or without records', async () => {
    const repo = await createRepo();
    try {
      expect((await readHistory({ cwd: repo.dir })).changelog.lines).toEqual([]);
      await repo.commit({ 'README.md': 'catalog\n' });
      const { changelog: young } = await readHistory({ cwd: repo.dir });
      expect(young).toMatchObject({ lines: [], repository: null });
    } finally {
      await repo.cleanup();
    }
  });
});
