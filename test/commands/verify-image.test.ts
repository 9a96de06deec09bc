/** `emi verify-image` on the command line: its usage errors (the boots are in test/boot/verify-e2e). */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { artifactNames } from '../../tools/boot-check/artifact-dir.js';
import { parseTimeoutOption } from '../../tools/commands/verify-image.js';
import { makeRecord } from '../helpers/catalog-fixtures.js';
import { it } from '../helpers/fixtures.js';
import { runEmi } from '../helpers/run-emi.js';

describe('emi verify-image', () => {
  it('needs the artifact folder', async ({ tempDir: dir }) => {
    const run = await runEmi(['verify-image'], { cwd: dir });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toBe('emi: emi verify-image: wrong number of arguments (expected ARTIFACT_DIR)\n');
  });

  it('says when the folder is not an artifact folder, without a stack trace', async ({ tempDir: dir }) => {
    const missing = await runEmi(['verify-image', 'out/none'], { cwd: dir });
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toBe('emi: out/none is not a folder: give the artifact folder of a built image\n');
    const empty = await runEmi(['verify-image', '.'], { cwd: dir });
    expect(empty.exitCode).toBe(1);
    expect(empty.stderr).toMatch(
      /has no build\.json: give the image's record with --record EMI-IDs\/<line>\.yaml\n$/,
    );
  });

  it('says when --keep names something that is not a folder, and boots nothing', async ({ tempDir: dir }) => {
    const record = makeRecord({ epoch: 1767323045 });
    const artifacts = join(dir, 'artifacts');
    await mkdir(artifacts);
    for (const name of Object.values(artifactNames(record))) await writeFile(join(artifacts, name), 'x');
    await writeFile(join(artifacts, 'build.json'), JSON.stringify({ format: 1, record, steps: [] }));
    await writeFile(join(dir, 'a-file'), 'x');
    const run = await runEmi(['verify-image', 'artifacts', '--keep', 'a-file'], { cwd: dir });
    expect(run.stderr).toBe(`emi: --keep ${join(dir, 'a-file')}: not a folder\n`);
    expect(run.exitCode).toBe(1);
    expect((await readdir(artifacts)).sort()).toEqual(
      ['build.json', ...Object.values(artifactNames(record))].sort(),
    );
  });

  it('checks --timeout', async ({ tempDir: dir }) => {
    const run = await runEmi(['verify-image', '.', '--timeout', '10m'], { cwd: dir });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toBe('emi: --timeout must be a whole number of seconds (1 or more), not "10m"\n');
    expect(parseTimeoutOption(undefined)).toBe(600);
    expect(parseTimeoutOption('90')).toBe(90);
    expect(() => parseTimeoutOption('0')).toThrow(/1 or more/);
  });

  it('lists every check in its help', async ({ tempDir: dir }) => {
    const run = await runEmi(['verify-image', '--help'], { cwd: dir });
    expect(run.exitCode).toBe(0);
    for (const name of [
      'image-id',
      'hostname',
      'user-data',
      'ephemeral0',
      'udev-names',
      'host-keys',
      'agent-status',
      'systemd-units',
    ])
      expect(run.stdout).toContain(name);
  });
});
