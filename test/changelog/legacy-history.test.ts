/**
 * The merge of the original catalog's replayed history into the changelog (pure), and reading
 * data/legacy-history.json: a file that does not match the schema is refused with its path.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latestOf } from '../../tools/changelog/build-changelog.js';
import {
  inOriginalTerms,
  legacyHistoryFile,
  mergeLegacyHistory,
  readLegacyHistory,
} from '../../tools/changelog/legacy-history.js';
import { emptySnapshot } from '../../tools/changelog/line-history.js';
import { UserError } from '../../tools/lib/errors.js';
import type { Changelog, Entry, Line } from '../../tools/schemas/generated/changelog.js';
import { createTempDir } from '../helpers/git-repo.js';

const sha = (n: number) => n.toString(16).padStart(40, '0');

function entry(
  kind: Entry['kind'],
  n: number,
  version: string,
  date: string,
  previous?: [number, string],
): Entry {
  const record = {
    ...emptySnapshot,
    image_name: 'euca-debian-emi',
    image_arch: 'x86_64',
    image_version: version,
  };
  return {
    kind,
    commit: sha(n),
    short_commit: sha(n).slice(0, 12),
    url: null,
    author: `author ${n}`,
    date,
    author_date: date,
    commit_date: date,
    subject: `commit ${n}`,
    body: '',
    record_file: 'EMI-IDs/euca-debian-emi.x86_64.yaml',
    renamed_from: null,
    previous_status: null,
    record,
    previous_release: previous ? { commit: sha(previous[0]), image_version: previous[1] } : null,
    recipe_changes: [],
    packages: null,
  };
}

function line(id: string, entries: Entry[], status: Line['status'] = 'legacy'): Line {
  const [name = id, arch = ''] = [id.slice(0, id.lastIndexOf('.')), id.slice(id.lastIndexOf('.') + 1)];
  return {
    id,
    image_name: name,
    image_arch: arch,
    record_file: `EMI-IDs/${id}.yaml`,
    status,
    latest: latestOf(id, entries[0]?.record ?? emptySnapshot, status, null, undefined),
    entries,
  };
}

const changelog = (lines: Line[]): Changelog => ({
  $schema: 'changelog.schema.json',
  format_version: 1,
  repository: null,
  generated_at: null,
  since: null,
  lines,
});

describe('mergeLegacyHistory', () => {
  // This repository: the import commit (1) brought 2012.01.14 in, then a release (2) followed it.
  const main = changelog([
    line(
      'euca-debian-emi.x86_64',
      [
        entry('release', 2, '2026.11.27', '2026-11-27T02:39:34Z', [1, '2012.01.14']),
        entry('imported', 1, '2012.01.14', '2012-01-14T15:21:38Z'),
      ],
      'current',
    ),
    line('euca-centos-emi.i386', [entry('imported', 1, '2011.07.02', '2011-07-16T16:18:44Z')]),
  ]);
  // The original catalog's history of the same lines, and a line that only it had.
  const legacy = changelog([
    line('euca-debian-emi.x86_64', [
      entry('imported', 0xe9, '2012.01.14', '2012-01-14T15:21:38Z', [0x8d, '2011.10.23']),
      entry('imported', 0x8d, '2011.10.23', '2011-10-23T14:24:51Z'),
    ]),
    line('euca-centos-emi.i386', [entry('imported', 0xc5, '2011.07.02', '2011-07-16T16:18:44Z')]),
    line(
      'euca-ubuntu-emi.x86_64',
      [entry('retired', 0x1e, '2011.08.11', '2011-12-28T17:47:41-08:00')],
      'retired',
    ),
  ]);

  it('puts the original entries in place of the import commit’s, under this repository’s releases', () => {
    const merged = mergeLegacyHistory(main, legacy);
    expect(merged.lines.map((l) => l.id)).toEqual([
      'euca-centos-emi.i386',
      'euca-debian-emi.x86_64',
      'euca-ubuntu-emi.x86_64',
    ]);
    const debian = merged.lines[1] as Line;
    expect(debian.entries.map((e) => [e.kind, e.commit])).toEqual([
      ['release', sha(2)],
      ['imported', sha(0xe9)],
      ['imported', sha(0x8d)],
    ]);
    // The release now follows the original commit of the version it replaced.
    expect(debian.entries[0]?.previous_release).toEqual({ commit: sha(0xe9), image_version: '2012.01.14' });
    expect(debian.status).toBe('current');
    expect(merged.lines[0]?.entries.map((e) => e.commit)).toEqual([sha(0xc5)]);
  });

  it('keeps to the lines asked for', () => {
    const merged = mergeLegacyHistory(changelog([main.lines[0] as Line]), legacy, ['euca-debian-emi']);
    expect(merged.lines.map((l) => l.id)).toEqual(['euca-debian-emi.x86_64']);
  });
});

describe('inOriginalTerms', () => {
  it('swaps the replay’s commit ids for the original ones and links the original repository', () => {
    const replayed = changelog([
      line('euca-debian-emi.x86_64', [
        entry('imported', 7, '2012.01.14', '2012-01-14T15:21:38Z', [6, '2011.10.23']),
      ]),
    ]);
    const origin = {
      url: 'https://github.com/eucalyptus/Eucalyptus-Scripts',
      commit_url: 'https://github.com/eucalyptus/Eucalyptus-Scripts/commit/',
    };
    const original = new Map([
      [sha(7), 'e9b9c61d4663bea349c5fc8ccc8ba4d1067c6a0d'],
      [sha(6), '8d50869634c4beb220e007fc9ea892be5eb83967'],
    ]);
    const result = inOriginalTerms(replayed, original, origin);
    const only = result.lines[0]?.entries[0];
    expect(only?.commit).toBe('e9b9c61d4663bea349c5fc8ccc8ba4d1067c6a0d');
    expect(only?.short_commit).toBe('e9b9c61d4663');
    expect(only?.url).toBe(`${origin.commit_url}e9b9c61d4663bea349c5fc8ccc8ba4d1067c6a0d`);
    expect(only?.previous_release?.commit).toBe('8d50869634c4beb220e007fc9ea892be5eb83967');
    expect(result.repository).toEqual(origin);
  });
});

describe('readLegacyHistory', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await createTempDir('emi-legacy-read-');
    await mkdir(join(dir, 'data'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads nothing when the repository has no such file', async () => {
    const empty = await createTempDir('emi-legacy-none-');
    try {
      expect(await readLegacyHistory(empty)).toBeUndefined();
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('refuses a file that is not JSON or does not match the schema, naming it and the field', async () => {
    await writeFile(join(dir, legacyHistoryFile), '{ nope');
    await expect(readLegacyHistory(dir)).rejects.toThrow(/^data\/legacy-history\.json: not JSON/);
    const bad = changelog([
      line('euca-centos-emi.i386', [entry('imported', 1, '2011.07.02', '2011-07-16T16:18:44Z')]),
    ]);
    (bad.lines[0]?.entries[0] as { kind: string }).kind = 'invented';
    await writeFile(join(dir, legacyHistoryFile), JSON.stringify(bad));
    const error = await readLegacyHistory(dir).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(/^data\/legacy-history\.json at \/lines\/0\/entries\/0\/kind: /);
  });

  it('reads a valid file', async () => {
    const good = changelog([
      line('euca-centos-emi.i386', [entry('imported', 1, '2011.07.02', '2011-07-16T16:18:44Z')]),
    ]);
    await writeFile(join(dir, legacyHistoryFile), JSON.stringify(good));
    expect(await readLegacyHistory(dir)).toEqual(good);
  });
});
