import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalogLockName } from '../../tools/catalog/apply-catalog-change.js';
import { type ImageRecord, renderRecord } from '../../tools/catalog/record-files.js';
import { momentOf } from '../../tools/catalog/stamp.js';
import { runCommand } from '../../tools/lib/exec.js';
import { getGitDir } from '../../tools/lib/git.js';
import { makeRecord, recipeFiles, recordFiles } from '../helpers/catalog-fixtures.js';
import { repoForTest } from '../helpers/fixtures.js';
import type { TempRepo } from '../helpers/git-repo.js';
import { emiBin, runEmi } from '../helpers/run-emi.js';

const epoch = 1764248400; // 2025-11-27 13:00:00 UTC

/** `emi new-emi` for the debian-based line of ARCH at the test's epoch, answering yes, as JSON. */
const newEmiArgs = (arch: string): string[] => [
  'new-emi',
  '--recipe',
  'debian-based',
  '--arch',
  arch,
  '--epoch',
  String(epoch),
  '--yes',
  '--json',
];

async function catalog(files: Record<string, string> = {}): Promise<TempRepo> {
  const created = await repoForTest();
  await created.commit({ ...recipeFiles, ...files });
  return created;
}

async function readRecord(dir: string, path: string): Promise<string> {
  return readFile(join(dir, path), 'utf8');
}

describe('emi new-emi', () => {
  it('writes a record and its image-id file that validate; a second run that day is .1 with another stamp', async () => {
    const repo = await catalog();
    const first = await runEmi(
      ['new-emi', '--recipe', 'debian-based', '--arch', 'x86_64', '--yes', '--json'],
      { cwd: repo.dir },
    );
    expect(first.stderr).toBe('');
    expect(first.exitCode).toBe(0);
    const one = JSON.parse(first.stdout) as { written: boolean; record: ImageRecord; files: string[] };
    expect(one.written).toBe(true);
    expect(one.files).toEqual(['EMI-IDs/euca-debian-emi.x86_64.yaml', 'image-ids/euca-debian-emi.x86_64']);
    const today = momentOf(Math.floor(Date.now() / 1000)).image_version;
    expect(one.record.image_version).toBe(today);
    expect(one.record.image_file).toBe(`euca-debian-${today}-x86_64.img`);
    expect(await readRecord(repo.dir, one.files[0] as string)).toBe(renderRecord(one.record));
    expect(await readRecord(repo.dir, one.files[1] as string)).toBe(
      `image_name="euca-debian-emi"\nimage_version="${today}"\nimage_arch="x86_64"\nimage_file="euca-debian-${today}-x86_64.img"\nimage_stamp="${one.record.image_stamp}"\nimage_date="${one.record.image_date}"\nrecipe_name="debian-based"\n`,
    );
    // The image-id file is what sh sources.
    const sourced = await runCommand('sh', [
      '-c',
      '. "$1" && printf %s "$image_stamp"',
      'sh',
      join(repo.dir, one.files[1] as string),
    ]);
    expect(sourced.stdout).toBe(one.record.image_stamp);
    expect((await runEmi(['validate'], { cwd: repo.dir })).exitCode).toBe(0);

    const second = await runEmi(
      ['new-emi', '--recipe', 'debian-based', '--arch', 'x86_64', '--yes', '--json'],
      { cwd: repo.dir },
    );
    const two = JSON.parse(second.stdout) as { record: ImageRecord };
    expect(two.record.image_version).toBe(`${today}.1`);
    expect(two.record.image_stamp).not.toBe(one.record.image_stamp);
    expect((await runEmi(['validate'], { cwd: repo.dir })).exitCode).toBe(0);
  });

  it('moves to the next second rather than reuse a stamp from the catalog or its history', async () => {
    const taken = makeRecord({ epoch, arch: 'i386' });
    const repo = await catalog(recordFiles(taken));
    // A stamp that only history remembers: the i386 line moved on since.
    const historic = makeRecord({ epoch: epoch + 1, name: 'euca-large-debian-emi' });
    await repo.commit(recordFiles(historic));
    await repo.commit(recordFiles(makeRecord({ epoch: epoch + 7200, name: 'euca-large-debian-emi' })));
    const result = await runEmi(newEmiArgs('x86_64'), { cwd: repo.dir });
    expect(result.exitCode).toBe(0);
    const { record, skipped_seconds } = JSON.parse(result.stdout) as {
      record: ImageRecord;
      skipped_seconds: number;
    };
    expect(skipped_seconds).toBe(2);
    expect(record).toMatchObject(momentOf(epoch + 2));
  });

  it('three runs in a row with the same --epoch, nothing committed: each dated after the last, no stamp back', async () => {
    const repo = await catalog();
    const records: ImageRecord[] = [];
    for (let run = 0; run < 3; run++) {
      const result = await runEmi(newEmiArgs('i386'), { cwd: repo.dir });
      expect(result.exitCode).toBe(0);
      records.push((JSON.parse(result.stdout) as { record: ImageRecord }).record);
    }
    // The first record was replaced before any commit, so no history knows its stamp: the third
    // run must still not take it again.
    expect(records.map((record) => record.image_date)).toEqual(
      [0, 1, 2].map((second) => momentOf(epoch + second).image_date),
    );
    expect(new Set(records.map((record) => record.image_stamp)).size).toBe(3);
  });

  it('refuses an unknown recipe or arch with the list of known ones', async () => {
    const repo = await catalog();
    const recipe = await runEmi(['new-emi', '--recipe', 'centos', '--arch', 'x86_64', '--yes'], {
      cwd: repo.dir,
    });
    expect(recipe.exitCode).toBe(1);
    expect(recipe.stderr).toBe('emi: unknown recipe "centos": known recipes are debian-based\n');
    const arch = await runEmi(['new-emi', '--recipe', 'debian-based', '--arch', 'aarch64', '--yes'], {
      cwd: repo.dir,
    });
    expect(arch.stderr).toBe(
      'emi: recipe debian-based has no line for arch "aarch64": known arches are i386, x86_64\n',
    );
    expect(arch.exitCode).toBe(1);
    const name = await runEmi(
      ['new-emi', '--recipe', 'debian-based', '--arch', 'i386', '--name', 'euca-large-debian-emi', '--yes'],
      { cwd: repo.dir },
    );
    expect(name.stderr).toBe(
      'emi: recipe debian-based has no line "euca-large-debian-emi" for i386: its lines are euca-debian-emi\n',
    );
    const several = await runEmi(
      ['new-emi', '--recipe', 'debian-based', '--arch', 'x86_64', '--name', 'nope-emi', '--yes'],
      { cwd: repo.dir },
    );
    expect(several.stderr).toMatch(/its lines are euca-debian-emi, euca-large-debian-emi/);
  });

  it('without a terminal, anything missing is a usage error and writing needs --yes', async () => {
    const repo = await catalog();
    const missing = await runEmi(['new-emi', '--recipe', 'debian-based'], { cwd: repo.dir });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toBe(
      'emi: missing --arch (not on a terminal, so nothing is asked): choose one of i386, x86_64\n',
    );
    const noYes = await runEmi(['new-emi', '--recipe', 'debian-based', '--arch', 'i386'], { cwd: repo.dir });
    expect(noYes.exitCode).toBe(2);
    expect(noYes.stderr).toMatch(/pass --yes/);
    const dry = await runEmi(['new-emi', '--recipe', 'debian-based', '--arch', 'i386', '--dry-run'], {
      cwd: repo.dir,
    });
    expect(dry.exitCode).toBe(0);
    expect(dry.stdout).toMatch(/^image_name: "euca-debian-emi"\n/);
    const status = await runCommand('git', ['status', '--porcelain'], { cwd: repo.dir });
    expect(status.stdout).toBe('');
  });

  it('asks for what is missing and for confirmation on a terminal', async () => {
    const repo = await catalog();
    // `script` gives the command a pseudo-terminal; the answers arrive as typed lines.
    const answers = 'x86_64\neuca-large-debian-emi\ny\n';
    const command = `${process.execPath} ${emiBin} new-emi --recipe debian-based`;
    const result = await runCommand('script', ['-qefc', command, '/dev/null'], {
      cwd: repo.dir,
      input: answers,
      reject: false,
      timeoutMs: 30_000,
      env: { TERM: 'dumb' },
    });
    expect(result.stdout).toMatch(/Arch \(i386, x86_64\):/);
    expect(result.stdout).toMatch(/Image line \(euca-debian-emi, euca-large-debian-emi\):/);
    expect(result.stdout).toMatch(
      /Write EMI-IDs\/euca-large-debian-emi\.x86_64\.yaml and image-ids\/euca-large-debian-emi\.x86_64\? \[y\/N\]/,
    );
    expect(result.exitCode).toBe(0);
    expect(await readRecord(repo.dir, 'EMI-IDs/euca-large-debian-emi.x86_64.yaml')).toMatch(
      /^image_name: "euca-large-debian-emi"/,
    );
  });

  it('refuses to write over a record that holds another line, and replaces a legacy record with a newer one', async () => {
    const other = makeRecord({ epoch, arch: 'i386' });
    const repo = await catalog({ 'EMI-IDs/euca-debian-emi.x86_64.yaml': renderRecord(other) });
    const refused = await runEmi(['new-emi', '--recipe', 'debian-based', '--arch', 'x86_64', '--yes'], {
      cwd: repo.dir,
    });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toBe(
      'emi: EMI-IDs/euca-debian-emi.x86_64.yaml holds the record of euca-debian-emi on i386: fix it before making a new record\n',
    );
    expect(await readRecord(repo.dir, 'EMI-IDs/euca-debian-emi.x86_64.yaml')).toBe(renderRecord(other));

    const legacy: ImageRecord = {
      ...makeRecord({ epoch: 1326554498 }),
      image_file: 'euca-debian-2012.1.14-x86_64.img',
      status: 'legacy',
    };
    await writeFile(join(repo.dir, 'EMI-IDs/euca-debian-emi.x86_64.yaml'), renderRecord(legacy));
    const replaced = await runEmi(newEmiArgs('x86_64'), { cwd: repo.dir });
    expect(replaced.exitCode).toBe(0);
    expect(JSON.parse(replaced.stdout).record).toMatchObject({ image_version: '2025.11.27' });
    expect(await readRecord(repo.dir, 'EMI-IDs/euca-debian-emi.x86_64.yaml')).not.toMatch(/legacy/);
  });

  it('refuses when the line is already at a later day than the clock', async () => {
    const repo = await catalog(recordFiles(makeRecord({ epoch: epoch + 86400 })));
    const result = await runEmi(
      ['new-emi', '--recipe', 'debian-based', '--arch', 'x86_64', '--epoch', String(epoch), '--yes'],
      { cwd: repo.dir },
    );
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/is at version 2025\.11\.28, later than today \(2025\.11\.27\) in UTC/);
  });

  it('holds a lock: a live holder stops a second run, a stale lock is taken over', async () => {
    const repo = await catalog();
    const lock = join(await getGitDir(repo.dir), catalogLockName);
    await writeFile(lock, `${process.pid}\n`);
    const locked = await runEmi(['new-emi', '--recipe', 'debian-based', '--arch', 'i386', '--yes'], {
      cwd: repo.dir,
    });
    expect(locked.exitCode).toBe(1);
    expect(locked.stderr).toBe(
      `emi: emi new-emi is already running (pid ${process.pid}, lock ${lock}): wait for it to finish, or if process ${process.pid} is not emi new-emi, remove ${lock}\n`,
    );

    await writeFile(lock, '999999999\n');
    const stale = await runEmi(['new-emi', '--recipe', 'debian-based', '--arch', 'i386', '--yes'], {
      cwd: repo.dir,
    });
    expect(stale.exitCode).toBe(0);
  });

  it('two runs at once never both write the same release', async () => {
    const repo = await catalog();
    const dir = repo.dir;
    const runs = await Promise.all([0, 1, 2, 3].map(() => runEmi(newEmiArgs('i386'), { cwd: dir })));
    const written = runs
      .filter((run) => run.exitCode === 0)
      .map((run) => (JSON.parse(run.stdout) as { record: ImageRecord }).record);
    const refused = runs.filter((run) => run.exitCode !== 0);
    expect(written.length).toBeGreaterThan(0);
    // A run that finds the lock held stops at once; one that comes after another run wrote finds
    // the line moved on from what it planned.
    for (const run of refused)
      expect(run.stderr).toMatch(/already running|changed since emi new-emi planned/);
    expect(new Set(written.map((record) => record.image_version)).size).toBe(written.length);
    expect(new Set(written.map((record) => record.image_stamp)).size).toBe(written.length);
    const final = await readRecord(dir, 'EMI-IDs/euca-debian-emi.i386.yaml');
    const latest = written
      .map((record) => record.image_version)
      .sort()
      .at(-1);
    expect(final).toContain(`image_version: "${latest}"`);
    expect((await runEmi(['validate'], { cwd: dir })).exitCode).toBe(0);
  });
});

describe('emi new-emi and the package manifest of the previous build', () => {
  it('removes the stale manifest, so validate passes and the changelog claims no package changes', async () => {
    const built = makeRecord({ epoch: Date.UTC(2026, 11, 2, 10) / 1000 });
    const manifest = `# emi-packages euca-debian-emi x86_64 ${built.image_version} ${built.image_stamp}\nbash\t5.2.15-2\n`;
    const repo = await catalog({
      ...recordFiles(built),
      'image-ids/euca-debian-emi.x86_64.packages': manifest,
    });
    const result = await runEmi(
      [
        'new-emi',
        '--recipe',
        'debian-based',
        '--arch',
        'x86_64',
        '--yes',
        '--epoch',
        String(Date.UTC(2026, 11, 3, 10) / 1000),
      ],
      { cwd: repo.dir },
    );
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      'removed image-ids/euca-debian-emi.x86_64.packages: the package manifest of the previous build (the new release is not built yet)\n',
    );
    await expect(readFile(join(repo.dir, 'image-ids/euca-debian-emi.x86_64.packages'))).rejects.toThrow(
      /ENOENT/,
    );
    expect((await runEmi(['validate'], { cwd: repo.dir })).exitCode).toBe(0);
    await repo.commit({}, { message: 'euca-debian-emi 2026.12.03\n\nPlanned by hand.' });
    const out = join(repo.dir, 'site');
    expect((await runEmi(['changelog', '--out', out, '--format', 'json'], { cwd: repo.dir })).exitCode).toBe(
      0,
    );
    const data = JSON.parse(await readFile(join(out, 'changelog.json'), 'utf8')) as {
      lines: { entries: { kind: string; record: { image_version: string }; packages: unknown }[] }[];
    };
    const entries = data.lines[0]?.entries ?? [];
    const byVersion = new Map(entries.map((entry) => [entry.record.image_version, entry.packages]));
    expect(byVersion.get(built.image_version)).toMatchObject({ total: 1 });
    expect(byVersion.get('2026.12.03')).toBeNull();
  });
});
