import { chmod, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  parseRecordLog,
  parseRecordRegistrations,
  type RecordLog,
  unquotePath,
} from '../../tools/changelog/parse-record-log.js';
import { readRecordLog } from '../../tools/lib/git.js';
import { createRepo, type TempRepo } from '../helpers/git-repo.js';

const record = (version: string) =>
  `image_name: "euca-a-emi"\nimage_version: "${version}"\nimage_arch: "x86_64"\n`;
let repo: TempRepo;
let commits: string[];
let log: RecordLog;

beforeAll(async () => {
  repo = await createRepo();
  const dir = (path: string) => join(repo.dir, path);
  commits = [
    await repo.commit({
      'EMI-IDs/euca-a-emi.x86_64.yaml': record('2024.01.01'),
      'EMI-IDs/we"ird\tname.yaml': 'image_version: "1"\n',
    }),
    await repo.commit({ 'EMI-IDs/euca-a-emi.x86_64.yaml': record('2024.02.01') }),
  ];
  // A pure rename carries no patch: the fields stay those of the old path.
  await rename(dir('EMI-IDs/euca-a-emi.x86_64.yaml'), dir('EMI-IDs/euca-b-emi.x86_64.yaml'));
  commits.push(await repo.commit({}));
  // A mode change carries no patch either.
  await chmod(dir('EMI-IDs/euca-b-emi.x86_64.yaml'), 0o755);
  commits.push(await repo.commit({}));
  await rm(dir('EMI-IDs/we"ird\tname.yaml'));
  commits.push(await repo.commit({}));
  log = parseRecordLog(await readRecordLog(repo.dir));
});
afterAll(() => repo.cleanup());

describe('parseRecordLog', () => {
  it('lists each commit oldest first with its changes, renames and quoted names included', () => {
    expect(
      log.commits.map(({ commit, changes }) => [commit, changes.map(({ oid, ...rest }) => rest)]),
    ).toEqual([
      [
        commits[0],
        [
          { status: 'A', path: 'EMI-IDs/euca-a-emi.x86_64.yaml' },
          { status: 'A', path: 'EMI-IDs/we"ird\tname.yaml' },
        ],
      ],
      [commits[1], [{ status: 'M', path: 'EMI-IDs/euca-a-emi.x86_64.yaml' }]],
      [
        commits[2],
        [{ status: 'R', from: 'EMI-IDs/euca-a-emi.x86_64.yaml', path: 'EMI-IDs/euca-b-emi.x86_64.yaml' }],
      ],
      [commits[3], [{ status: 'M', path: 'EMI-IDs/euca-b-emi.x86_64.yaml' }]],
      [commits[4], [{ status: 'D', path: 'EMI-IDs/we"ird\tname.yaml' }]],
    ]);
    expect(log.commits[0]?.changes[0]?.oid).toMatch(/^[0-9a-f]{40}$/);
  });

  it('gives the fields after each change, carried over where git shows no patch', () => {
    expect(log.fields.get(`${commits[0]}:EMI-IDs/euca-a-emi.x86_64.yaml`)?.image_version).toBe('2024.01.01');
    expect(log.fields.get(`${commits[1]}:EMI-IDs/euca-a-emi.x86_64.yaml`)?.image_version).toBe('2024.02.01');
    expect(log.fields.get(`${commits[2]}:EMI-IDs/euca-b-emi.x86_64.yaml`)?.image_version).toBe('2024.02.01');
    expect(log.fields.get(`${commits[3]}:EMI-IDs/euca-b-emi.x86_64.yaml`)?.image_name).toBe('euca-a-emi');
    expect(log.fields.get(`${commits[0]}:EMI-IDs/we"ird\tname.yaml`)).toEqual({ image_version: '1' });
  });

  it('unquotes C-quoted paths, octal bytes included', () => {
    expect(unquotePath('"EMI-IDs/a\\tb\\"c\\\\d.yaml"')).toBe('EMI-IDs/a\tb"c\\d.yaml');
    expect(unquotePath('"caf\\303\\251"')).toBe('café');
    expect(unquotePath('plain')).toBe('plain');
  });
});

describe('parseRecordRegistrations', () => {
  const text = (body: string) => `image_name: "euca-a-emi"\nimage_version: "2024.01.01"\n${body}`.split('\n');

  it('reads every well-formed registration of a record, in order', () => {
    const lines = text(
      [
        'registrations:',
        '  - cloud: "private"',
        '    image_id: "4990b7df-cc51-4c84-bf7b-9aa5ade7ac40"',
        '    kernel_id: "0b1e3f3c-8f0e-4c55-9a51-2f6a3e0d7c11"',
        '    ramdisk_id: "7d6c2a90-5e4b-4f3a-8c2d-1a0b9e8f7d66"',
        '    registered_at: "2026-12-01T02:11:20Z"',
        '  - cloud: "public"',
        '    image_id: "ami-0123"',
        '    kernel_id: "aki-0123"',
        '    ramdisk_id: "ari-0123"',
        '    registered_at: "2026-12-01T03:00:00Z"',
      ].join('\n'),
    );
    expect(parseRecordRegistrations(lines)).toEqual([
      {
        cloud: 'private',
        image_id: '4990b7df-cc51-4c84-bf7b-9aa5ade7ac40',
        kernel_id: '0b1e3f3c-8f0e-4c55-9a51-2f6a3e0d7c11',
        ramdisk_id: '7d6c2a90-5e4b-4f3a-8c2d-1a0b9e8f7d66',
        registered_at: '2026-12-01T02:11:20Z',
      },
      {
        cloud: 'public',
        image_id: 'ami-0123',
        kernel_id: 'aki-0123',
        ramdisk_id: 'ari-0123',
        registered_at: '2026-12-01T03:00:00Z',
      },
    ]);
  });

  it('leaves out malformed items and gives none for a record without the list or not YAML', () => {
    const lines = text(
      [
        'registrations:',
        '  - cloud: "no-kernel"',
        '    image_id: "i"',
        '    ramdisk_id: "r"',
        '    registered_at: "2026-12-01T02:11:20Z"',
        '  - cloud: 7',
        '    image_id: "i"',
        '    kernel_id: "k"',
        '    ramdisk_id: "r"',
        '    registered_at: "2026-12-01T02:11:20Z"',
        '  - "just text"',
        '  - cloud: "ok"',
        '    image_id: "i"',
        '    kernel_id: "k"',
        '    ramdisk_id: "r"',
        '    registered_at: "2026-12-01T02:11:20Z"',
      ].join('\n'),
    );
    expect(parseRecordRegistrations(lines).map((entry) => entry.cloud)).toEqual(['ok']);
    expect(parseRecordRegistrations(text('status: "current"'))).toEqual([]);
    expect(parseRecordRegistrations(text('registrations: [unclosed'))).toEqual([]);
    expect(parseRecordRegistrations(text('registrations: "none"'))).toEqual([]);
  });
});
