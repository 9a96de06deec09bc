import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderRecord } from '../../tools/catalog/record-files.js';
import { addPaths } from '../../tools/lib/git.js';
import { makeRecord, recipeFiles, recordFiles } from '../helpers/catalog-fixtures.js';
import { repoForTest } from '../helpers/fixtures.js';
import type { TempRepo } from '../helpers/git-repo.js';
import { runEmi } from '../helpers/run-emi.js';

const epoch = 1764201600;

async function cleanCatalog(): Promise<TempRepo> {
  const created = await repoForTest();
  await created.commit({
    ...recipeFiles,
    ...recordFiles(makeRecord({ epoch })),
    ...recordFiles(makeRecord({ epoch: epoch + 1, arch: 'i386' })),
  });
  return created;
}

describe('emi validate', () => {
  it('blames the recipe that claims a line its records do not name, not the recipe that owns it', async () => {
    const repo = await cleanCatalog();
    // "a-copy" sorts before debian-based: the first claimant by name is the new, wrong one.
    await repo.write({ 'recipes/a-copy/recipe.yaml': recipeFiles['recipes/debian-based/recipe.yaml'] });
    const result = await runEmi(['validate'], { cwd: repo.dir });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain(
      'recipes/a-copy/recipe.yaml:5:17  lines[0].image_name  image line "euca-debian-emi" already belongs to recipe debian-based (its records name it)',
    );
    expect(result.stdout).not.toMatch(/^recipes\/debian-based\/recipe\.yaml:.*already belongs/m);
  });

  it('refuses a path that does not exist or is not a record, an image-id file or a recipe', async () => {
    const repo = await cleanCatalog();
    await repo.write({ 'README.md': '# catalog\n', 'tools/x.ts': 'x\n' });
    for (const [path, message] of [
      ['missing.yaml', 'missing.yaml  -  does not exist'],
      ['README.md', 'README.md  -  not a record (EMI-IDs/<image_name>.<image_arch>.yaml), an image-id file'],
      ['tools/', 'tools  -  not a record (EMI-IDs/<image_name>.<image_arch>.yaml), an image-id file'],
    ] as const) {
      const result = await runEmi(['validate', path], { cwd: repo.dir });
      expect(result.exitCode, path).toBe(1);
      expect(result.stdout).toContain(message);
      expect(result.stderr).toBe('1 problem\n');
    }
    for (const path of ['EMI-IDs/', 'recipes/debian-based', 'image-ids/euca-debian-emi.x86_64', '.'])
      expect((await runEmi(['validate', path], { cwd: repo.dir })).exitCode, path).toBe(0);
  });

  it('says a symlinked record is a symlink, and gives no image-ids advice for a broken record', async () => {
    const repo = await cleanCatalog();
    const record = makeRecord({ epoch: epoch + 5, name: 'euca-large-debian-emi' });
    await mkdir(join(repo.dir, 'elsewhere'));
    await writeFile(join(repo.dir, 'elsewhere', 'r.yaml'), renderRecord(record));
    await symlink('../elsewhere/r.yaml', join(repo.dir, 'EMI-IDs/euca-large-debian-emi.x86_64.yaml'));
    const linked = await runEmi(['validate'], { cwd: repo.dir });
    expect(linked.exitCode).toBe(1);
    expect(linked.stdout).toContain(
      'EMI-IDs/euca-large-debian-emi.x86_64.yaml  -  is a symlink: records must be plain files',
    );
    await rm(join(repo.dir, 'EMI-IDs/euca-large-debian-emi.x86_64.yaml'));
    // A record broken by hand: its own problem is reported, not "run npm run emi -- image-ids".
    await writeFile(join(repo.dir, 'EMI-IDs/euca-debian-emi.x86_64.yaml'), 'image_name: [\n');
    const broken = await runEmi(['validate'], { cwd: repo.dir });
    expect(broken.exitCode).toBe(1);
    expect(broken.stdout).toMatch(/^EMI-IDs\/euca-debian-emi\.x86_64\.yaml:/);
    expect(broken.stdout).not.toContain('image-ids');
  });

  it('passes a clean catalog with exit 0', async () => {
    const repo = await cleanCatalog();
    const result = await runEmi(['validate'], { cwd: repo.dir });
    expect(result.stdout).toBe('ok: 2 records, 1 recipe\n');
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const json = await runEmi(['validate', '--json'], { cwd: repo.dir });
    expect(JSON.parse(json.stdout)).toEqual({
      ok: true,
      problems: [],
      notes: [],
      counts: { records: 2, recipes: 1 },
    });
  });

  it('reports each planted defect as file:line:column  field  message, and as data with --json', async () => {
    const repo = await cleanCatalog();
    const record = makeRecord({ epoch });
    await repo.write({
      // A version that is not a day, and an image_file that no longer follows.
      'EMI-IDs/euca-debian-emi.x86_64.yaml': renderRecord({ ...record, image_version: '2025.13.01' }),
      // A duplicate key.
      'EMI-IDs/euca-large-debian-emi.x86_64.yaml':
        'image_name: "euca-large-debian-emi"\nimage_name: "again"\n',
      // An unknown field.
      'EMI-IDs/euca-debian-emi.i386.yaml': `${renderRecord(makeRecord({ epoch: epoch + 1, arch: 'i386' }))}colour: "blue"\n`,
      'EMI-IDs/notes.txt': 'hello\n',
    });
    const result = await runEmi(['validate'], { cwd: repo.dir });
    expect(result.exitCode).toBe(1);
    expect(result.stdout.trim().split('\n')).toEqual([
      'EMI-IDs/euca-debian-emi.i386.yaml:8:1  colour  unknown field "colour" (allowed: image_name, image_version, image_arch, image_file, image_stamp, image_date, recipe_name, status, recipe_digest, artifacts, registrations, boot_check_report, legacy_source)',
      'EMI-IDs/euca-debian-emi.x86_64.yaml:2:16  image_version  "2025.13.01" has the wrong format: YYYY.MM.DD of the release day, with .N for the N-th extra release of the line on that day.',
      'EMI-IDs/euca-large-debian-emi.x86_64.yaml:2:1  -  YAML: duplicate key: each field may appear once',
      'EMI-IDs/notes.txt  -  not a record: EMI-IDs/ holds only <image_name>.<image_arch>.yaml files',
    ]);
    expect(result.stderr).toBe('4 problems\n');

    const json = await runEmi(['validate', '--json'], { cwd: repo.dir });
    expect(json.exitCode).toBe(1);
    const report = JSON.parse(json.stdout) as {
      ok: boolean;
      problems: { file: string; line: number; column: number; path: string; message: string }[];
    };
    expect(report.ok).toBe(false);
    expect(report.problems[1]).toEqual({
      file: 'EMI-IDs/euca-debian-emi.x86_64.yaml',
      line: 2,
      column: 16,
      path: 'image_version',
      message:
        '"2025.13.01" has the wrong format: YYYY.MM.DD of the release day, with .N for the N-th extra release of the line on that day.',
    });
  });

  it('reports an out-of-date image-ids file with the command that refreshes it, which then fixes it', async () => {
    const repo = await cleanCatalog();
    await repo.write({ 'image-ids/euca-debian-emi.x86_64': 'image_name="tampered"\n' });
    const result = await runEmi(['validate', 'image-ids/euca-debian-emi.x86_64'], { cwd: repo.dir });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe(
      'image-ids/euca-debian-emi.x86_64:1:1  -  out of date with EMI-IDs/euca-debian-emi.x86_64.yaml: run npm run emi -- image-ids\n',
    );
    const check = await runEmi(['image-ids', '--check'], { cwd: repo.dir });
    expect(check.exitCode).toBe(1);
    expect(check.stdout).toBe('out of date image-ids/euca-debian-emi.x86_64\n');
    const refresh = await runEmi(['image-ids'], { cwd: repo.dir });
    expect(refresh.stdout).toBe('wrote image-ids/euca-debian-emi.x86_64\n');
    expect((await runEmi(['validate'], { cwd: repo.dir })).exitCode).toBe(0);
  });

  it('prints GitHub annotations under Actions', async () => {
    const repo = await cleanCatalog();
    await repo.write({
      'EMI-IDs/euca-debian-emi.x86_64.yaml': renderRecord({
        ...makeRecord({ epoch }),
        image_stamp: 'ffff-ffff',
      }),
    });
    const result = await runEmi(['validate'], { cwd: repo.dir, env: { GITHUB_ACTIONS: 'true' } });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain(
      `::error file=EMI-IDs/euca-debian-emi.x86_64.yaml,line=5,col=14::image_stamp: image_stamp "ffff-ffff" is not the stamp of image_date ${makeRecord({ epoch }).image_date}`,
    );
  });

  it('gives a problem with its location for empty, binary and huge files, never a stack trace', async () => {
    const repo = await cleanCatalog();
    await mkdir(join(repo.dir, 'EMI-IDs'), { recursive: true });
    await writeFile(join(repo.dir, 'EMI-IDs/empty-emi.x86_64.yaml'), '');
    await writeFile(
      join(repo.dir, 'EMI-IDs/binary-emi.x86_64.yaml'),
      Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1]),
    );
    await writeFile(join(repo.dir, 'EMI-IDs/huge-emi.x86_64.yaml'), Buffer.alloc(20 * 1024 * 1024, 0x61));
    const result = await runEmi(['validate', 'EMI-IDs'], { cwd: repo.dir });
    expect(result.exitCode).toBe(1);
    expect(result.stdout.trim().split('\n')).toEqual([
      'EMI-IDs/binary-emi.x86_64.yaml:1:1  -  file is binary (NUL bytes or invalid UTF-8), not YAML text',
      'EMI-IDs/empty-emi.x86_64.yaml:1:1  -  file is empty',
      'EMI-IDs/huge-emi.x86_64.yaml:1:1  -  file is 20.0 MiB: far too large for this format (limit 1024 KiB)',
    ]);
    expect(result.stderr).not.toMatch(/\bat .*:\d+:\d+/);
  });

  it('checks recipes too', async () => {
    const repo = await cleanCatalog();
    await repo.write({
      'recipes/broken/recipe.yaml':
        'description: x\ndistribution: debian\nrelease: bookworm\nlines: []\nkernel: {}\nmirror: "ftp://x"\n',
      'recipes/empty-folder/notes.md': 'no recipe here\n',
    });
    const result = await runEmi(['validate', 'recipes'], { cwd: repo.dir });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain(
      'recipes/broken/recipe.yaml:4:8  lines  must NOT have fewer than 1 items',
    );
    expect(result.stdout).toContain('recipes/broken/recipe.yaml:6:9  mirror  "ftp://x" has the wrong format');
    expect(result.stdout).toContain('recipes/empty-folder/  -  recipe folder has no recipe.yaml');
  });

  it('--staged checks only what is staged, read from the index', async () => {
    const repo = await cleanCatalog();
    // A broken file that is not staged is not the commit's business.
    await repo.write({ 'EMI-IDs/euca-debian-emi.i386.yaml': 'broken: [\n' });
    const record = makeRecord({ epoch: epoch + 86400 });
    await repo.write(recordFiles(record));
    await addPaths(repo.dir, ['EMI-IDs/euca-debian-emi.x86_64.yaml', 'image-ids/euca-debian-emi.x86_64']);
    const clean = await runEmi(['validate', '--staged'], { cwd: repo.dir });
    expect(clean.stdout).toBe('ok: 2 records, 1 recipe\n');
    expect(clean.exitCode).toBe(0);

    // Stage a record whose image-id file is not staged with it: the index is what gets committed.
    const next = makeRecord({ epoch: epoch + 2 * 86400 });
    await repo.write(recordFiles(next));
    await addPaths(repo.dir, ['EMI-IDs/euca-debian-emi.x86_64.yaml']);
    const stale = await runEmi(['validate', '--staged'], { cwd: repo.dir });
    expect(stale.exitCode).toBe(1);
    expect(stale.stdout).toBe(
      'image-ids/euca-debian-emi.x86_64:2:1  -  out of date with EMI-IDs/euca-debian-emi.x86_64.yaml: run npm run emi -- image-ids\n',
    );
  });

  it('separates usage errors (exit 2) from problems (exit 1)', async () => {
    const repo = await cleanCatalog();
    const outside = await runEmi(['validate', '/etc'], { cwd: repo.dir });
    expect(outside.exitCode).toBe(2);
    expect(outside.stderr).toBe(`emi: /etc is outside the repository ${repo.dir}\n`);
    const both = await runEmi(['validate', '--staged', 'EMI-IDs'], { cwd: repo.dir });
    expect(both.exitCode).toBe(2);
    const notRepo = await runEmi(['validate'], { cwd: '/' });
    expect(notRepo.exitCode).toBe(1);
    expect(notRepo.stderr).toBe(
      'emi: / is not inside a git repository: run this in a clone of the catalog\n',
    );
  });
});
