import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { artifactNames, readImageArtifacts } from '../../tools/boot-check/artifact-dir.js';
import { type ImageRecord, renderRecord } from '../../tools/catalog/record-files.js';
import { it as base } from '../helpers/fixtures.js';

const record: ImageRecord = {
  image_name: 'euca-debian-emi',
  image_version: '2026.01.02',
  image_arch: 'x86_64',
  image_file: 'euca-debian-2026.01.02-x86_64.img',
  image_stamp: 'a753-2f9e',
  image_date: '20260102030405',
  recipe_name: 'debian-based',
};

/** A folder holding an artifact folder with the files the record names (build.json is up to each test). */
const it = base.extend<{ folder: { dir: string; artifacts: string } }>({
  folder: async ({ makeTempDir }, use) => {
    const dir = await makeTempDir('emi-artifacts-');
    const artifacts = join(dir, 'euca-debian-2026.01.02-x86_64');
    await mkdir(artifacts);
    for (const name of Object.values(artifactNames(record))) await writeFile(join(artifacts, name), 'x');
    await use({ dir, artifacts });
  },
});

describe('readImageArtifacts', () => {
  it('finds the record in build.json and the image, kernel and initrd it names', async ({
    folder: { dir, artifacts },
  }) => {
    await writeFile(join(artifacts, 'build.json'), JSON.stringify({ format: 1, record, steps: [] }));
    const found = await readImageArtifacts('euca-debian-2026.01.02-x86_64', { cwd: dir });
    expect(found).toEqual({
      dir: artifacts,
      record,
      recordSource: join(artifacts, 'build.json'),
      image: join(artifacts, 'euca-debian-2026.01.02-x86_64.img'),
      kernel: join(artifacts, 'euca-debian-2026.01.02-x86_64.vmlinuz'),
      initrd: join(artifacts, 'euca-debian-2026.01.02-x86_64.initrd'),
    });
  });

  it('takes a record file instead when given one', async ({ folder: { dir, artifacts } }) => {
    await writeFile(join(dir, 'line.yaml'), renderRecord(record));
    const found = await readImageArtifacts(artifacts, { cwd: dir, recordFile: 'line.yaml' });
    expect(found.record).toEqual(record);
    expect(found.recordSource).toBe(join(dir, 'line.yaml'));
  });

  it('says what is wrong: no folder, no build.json, a bad record, a missing file, a tarball record', async ({
    folder: { dir, artifacts },
  }) => {
    await expect(readImageArtifacts('nowhere', { cwd: dir })).rejects.toThrow(
      'nowhere is not a folder: give the artifact folder of a built image',
    );
    await expect(readImageArtifacts(artifacts, { cwd: dir })).rejects.toThrow(
      /has no build.json: give the image's record with --record/,
    );
    await writeFile(
      join(artifacts, 'build.json'),
      JSON.stringify({ record: { ...record, image_arch: 'sparc' } }),
    );
    await expect(readImageArtifacts(artifacts, { cwd: dir })).rejects.toThrow(
      /build\.json \(record\) is not a valid record:\n.*image_arch/,
    );
    await writeFile(join(artifacts, 'build.json'), JSON.stringify({ record }));
    await rm(join(artifacts, 'euca-debian-2026.01.02-x86_64.initrd'));
    await expect(readImageArtifacts(artifacts, { cwd: dir })).rejects.toThrow(
      /lacks what .*build\.json names: .*euca-debian-2026\.01\.02-x86_64\.initrd$/,
    );
    await writeFile(
      join(artifacts, 'build.json'),
      JSON.stringify({ record: { ...record, image_file: 'euca-debian-2026.01.02-x86_64.tgz' } }),
    );
    await expect(readImageArtifacts(artifacts, { cwd: dir })).rejects.toThrow(
      /is not a disk image \(\.img\)/,
    );
  });
});
