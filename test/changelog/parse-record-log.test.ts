import { chmod, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRecordLog, type RecordLog, unquotePath } from '../../tools/changelog/parse-record-log.js';
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
