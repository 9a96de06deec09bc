import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { toolkitPath } from '../../tools/lib/paths.js';
import { makeRecord, recordFiles } from '../helpers/catalog-fixtures.js';
import { it } from '../helpers/fixtures.js';
import { runEmi } from '../helpers/run-emi.js';

const legacyFile = toolkitPath('test', 'fixtures', 'legacy', 'EMI-IDs');

describe('emi import-legacy', () => {
  it('imports the original catalog into a repository that then validates, with notes for legacy exemptions', async ({
    makeRepo,
  }) => {
    const repo = await makeRepo();
    const result = await runEmi(['import-legacy', legacyFile, '--json'], { cwd: repo.dir });
    expect(result.exitCode).toBe(0);
    const out = JSON.parse(result.stdout) as {
      imported: { file: string; line: number }[];
      problems: { line: number; message: string }[];
      written: string[];
    };
    expect(out.imported).toHaveLength(10);
    expect(out.written).toHaveLength(20);
    expect(out.problems.length).toBeGreaterThan(10);
    expect(await readFile(join(repo.dir, 'image-ids/euca-debian-emi.x86_64'), 'utf8')).toBe(
      'image_name="euca-debian-emi"\nimage_version="2012.01.14"\nimage_arch="x86_64"\nimage_file="euca-debian-2012.1.14-x86_64.img"\nimage_stamp="3752-f34a"\nimage_date="20120114152138"\nrecipe_name="debian-based"\n',
    );
    const validate = await runEmi(['validate', '--json'], { cwd: repo.dir });
    expect(validate.exitCode).toBe(0);
    const report = JSON.parse(validate.stdout) as { notes: { path: string; message: string }[] };
    expect(report.notes.length).toBeGreaterThan(0);
    expect(report.notes.every((note) => note.message.startsWith('legacy record exempt from this rule'))).toBe(
      true,
    );

    const again = await runEmi(['import-legacy', legacyFile, '--json'], { cwd: repo.dir });
    expect(JSON.parse(again.stdout).written).toEqual([]);
  });

  it('--dry-run writes nothing; --out chooses the catalog', async ({ makeRepo }) => {
    const repo = await makeRepo();
    const dry = await runEmi(['import-legacy', legacyFile, '--dry-run'], { cwd: '/', env: {} });
    expect(dry.exitCode).toBe(0);
    expect(dry.stdout).toMatch(
      /^would write EMI-IDs\/euca-centos-emi\.x86_64\.yaml {2}\(line 10: centos x86_64 5\)$/m,
    );
    expect(dry.stderr).toBe('10 blocks: 10 imported, 0 not imported, 18 problems reported\n');
    const out = await runEmi(['import-legacy', legacyFile, '--out', repo.dir], { cwd: '/' });
    expect(out.exitCode).toBe(0);
    expect(await readFile(join(repo.dir, 'EMI-IDs/euca-ubuntu-emi.i386.yaml'), 'utf8')).toMatch(
      /status: "legacy"/,
    );
  });

  it('never overwrites a record that is not legacy', async ({ makeRepo }) => {
    const current = { ...makeRecord({ epoch: 1764248400 }), recipe_name: 'debian-based' };
    const repo = await makeRepo();
    await repo.commit(recordFiles(current));
    const result = await runEmi(['import-legacy', legacyFile, '--json'], { cwd: repo.dir });
    expect(result.exitCode).toBe(1);
    const out = JSON.parse(result.stdout) as { problems: { line: number; message: string }[] };
    expect(out.problems).toContainEqual(
      expect.objectContaining({
        line: 46,
        message:
          'block "debian x86_64 6" not imported: EMI-IDs/euca-debian-emi.x86_64.yaml already holds a record that is not legacy',
      }),
    );
  });

  it('reports an unreadable file', async () => {
    const result = await runEmi(['import-legacy', '/nonexistent/EMI-IDs'], { cwd: '/' });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^emi: cannot read \/nonexistent\/EMI-IDs: ENOENT/);
  });
});
