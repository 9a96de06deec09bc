import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { readHistory } from '../../tools/changelog/read-history.js';
import { runCommand } from '../../tools/lib/exec.js';
import { it } from '../helpers/fixtures.js';
import { legacyDataDir } from '../helpers/legacy-data.js';
import { runEmi } from '../helpers/run-emi.js';

const historyDir = join(legacyDataDir(), 'history');

async function log(dir: string): Promise<string[]> {
  const result = await runCommand('git', ['log', '--format=%an|%ae|%aI|%cI|%s'], { cwd: dir });
  return result.stdout.trim().split('\n');
}

describe('emi import-legacy --history DIR --into REPO', () => {
  it('replays the dated versions as commits with the original author, date and message', async ({
    makeRepo,
  }) => {
    const repo = await makeRepo();
    await repo.commit(
      { 'README.md': 'A new catalog\n' },
      { message: 'Start the catalog\n', date: '2024-01-01T00:00:00Z' },
    );
    const result = await runEmi(['import-legacy', '--history', historyDir, '--into', repo.dir], {
      cwd: repo.dir,
    });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /^replayed 2011-09-25T16:48:13-07:00 c585f1f as [0-9a-f]{12} \(16 written, 0 removed\): Information for Eucalyptus provided images$/m,
    );
    expect(result.stderr).toMatch(/5 versions: 5 replayed into/);
    // The file names sort 1e4f096 before 64cc943; the log says 64cc943 came first.
    expect(await log(repo.dir)).toEqual([
      'graziano obertelli||2012-01-14T16:12:36-08:00|2012-01-14T16:12:36-08:00|Added udev rules and hostname setup',
      'graziano obertelli||2011-12-28T17:47:41-08:00|2011-12-28T17:47:41-08:00|Added Ubuntu images',
      'graziano obertelli||2011-12-28T15:45:01-08:00|2011-12-28T15:45:01-08:00|Added new IDs for new experimental images',
      'Graziano Obertelli||2011-10-23T14:33:50-07:00|2011-10-23T14:33:50-07:00|New single kernel candidate',
      'Graziano Obertelli||2011-09-25T16:48:13-07:00|2011-09-25T16:48:13-07:00|Information for Eucalyptus provided images',
      'Test Author|test@example.invalid|2024-01-01T00:00:00Z|2024-01-01T00:00:00Z|Start the catalog'.replace(
        /Z\|/g,
        '+00:00|',
      ),
    ]);
    const message = await runCommand('git', ['log', '-1', '--format=%B', 'HEAD~2'], { cwd: repo.dir });
    expect(message.stdout).toBe(
      "Added new IDs for new experimental images\n\nUploaded new images to the experimental bucket. The 4 new images are\ncentos, centos-large, debian and debian-large (all 64 bits). The changes\nare:\n\n- new rc.local (doesn't fail if acpiphp won't load)\n- new image-id\n- only modules for the 2.6.32 kernel (there were some old modules left\n  behind)\n- updated images (security updates mainly up to 12/28)\n\n",
    );
    const record = await readFile(join(repo.dir, 'EMI-IDs/euca-ubuntu-emi.i386.yaml'), 'utf8');
    expect(record).toContain('legacy_source: "EMI-IDs@c585f1f line 49 (ubuntu i386 10.04)"');
    expect(await readFile(join(repo.dir, 'image-ids/euca-debian-emi.x86_64'), 'utf8')).toContain(
      'image_version="2012.01.14"',
    );

    // The changelog reaches back to the first image: versions of the original catalog, imported.
    const { changelog } = await readHistory({ cwd: repo.dir });
    const versions = (id: string) =>
      changelog.lines
        .find((line) => line.id === id)
        ?.entries.map((entry) => `${entry.kind} ${entry.record.image_version}`);
    expect(versions('euca-debian-emi.x86_64')).toEqual([
      'imported 2012.01.14',
      'imported 2011.12.28',
      'imported 2011.10.23',
      'imported 2011.08.15',
    ]);
    expect(versions('euca-ubuntu-emi.i386')).toEqual(['imported 2011.08.11']);
    expect(versions('euca-ubuntu-emi.x86_64')).toEqual(['retired 2011.08.11', 'imported 2011.08.11']);
    expect(changelog.lines.filter((line) => line.status === 'legacy')).toHaveLength(10);

    // Run again: it recognises what it replayed and adds nothing.
    const again = await runEmi(['import-legacy', '--history', historyDir, '--into', repo.dir], {
      cwd: repo.dir,
    });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout.match(/^already replayed /gm)).toHaveLength(5);
    expect(await log(repo.dir)).toHaveLength(6);
  });

  it('shows the plan on a dry run and writes nothing', async ({ makeRepo }) => {
    const repo = await makeRepo();
    const result = await runEmi(
      ['import-legacy', '--history', historyDir, '--into', repo.dir, '--dry-run', '--json'],
      {
        cwd: repo.dir,
      },
    );
    expect(result.exitCode, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(
      report.versions.map(
        (version: { state: string; original_commit: string }) =>
          `${version.state} ${version.original_commit.slice(0, 7)}`,
      ),
    ).toEqual([
      'would replay c585f1f',
      'would replay 8d50869',
      'would replay 64cc943',
      'would replay 1e4f096',
      'would replay e9b9c61',
    ]);
    expect(report.versions[3].removed).toEqual([
      'EMI-IDs/euca-ubuntu-emi.x86_64.yaml',
      'image-ids/euca-ubuntu-emi.x86_64',
    ]);
    expect(report.blocking).toEqual([]);
    const status = await runCommand('git', ['status', '--porcelain'], { cwd: repo.dir });
    expect(status.stdout).toBe('');
  });

  it('refuses a repository that already holds records, and a dirty working tree', async ({ makeRepo }) => {
    const repo = await makeRepo();
    await repo.commit({ 'EMI-IDs/euca-x-emi.x86_64.yaml': 'image_name: "euca-x-emi"\n' });
    const held = await runEmi(['import-legacy', '--history', historyDir, '--into', repo.dir], {
      cwd: repo.dir,
    });
    expect(held.exitCode).toBe(1);
    expect(held.stderr).toMatch(/already holds records \(EMI-IDs\/euca-x-emi.x86_64.yaml\)/);
    await repo.write({ 'notes.txt': 'work in progress\n' });
    const dirty = await runEmi(['import-legacy', '--history', historyDir, '--into', repo.dir], {
      cwd: repo.dir,
    });
    expect(dirty.exitCode).toBe(1);
    expect(dirty.stderr).toMatch(/Working tree of .* is not clean: commit or stash first/);
  });

  it.each([
    [['FILE', '--history', 'DIR'], /give no FILE and no --out with it/],
    [['--history', 'DIR'], /--history needs --into REPO/],
    [['--into', 'REPO'], /--into, --changelog-data and --origin go with --history DIR/],
    [[], /give the catalog FILE to import, or --history DIR --into REPO/],
  ])('usage error for %j', async (args, message) => {
    const result = await runEmi(['import-legacy', ...args], { cwd: legacyDataDir() });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('keeps the single-file mode working', async ({ makeRepo }) => {
    const repo = await makeRepo();
    const result = await runEmi(['import-legacy', join(legacyDataDir(), 'EMI-IDs'), '--out', repo.dir], {
      cwd: repo.dir,
    });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/10 blocks: 10 imported, 0 not imported/);
    expect(await readFile(join(repo.dir, 'EMI-IDs/euca-debian-emi.x86_64.yaml'), 'utf8')).toContain(
      'legacy_source: "EMI-IDs line 46 (debian x86_64 6)"',
    );
  });
});

describe('emi import-legacy --history DIR --changelog-data FILE', () => {
  it('writes the replayed history as changelog data, with links to the original repository', async ({
    makeRepo,
  }) => {
    const repo = await makeRepo();
    const result = await runEmi(
      [
        'import-legacy',
        '--history',
        historyDir,
        '--changelog-data',
        'data/legacy.json',
        '--origin',
        'git@github.com:eucalyptus/Eucalyptus-Scripts.git',
        '--json',
      ],
      { cwd: repo.dir },
    );
    expect(result.exitCode, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ versions: 5, lines: 11, entries: 22, written: true });
    const data = JSON.parse(await readFile(join(repo.dir, 'data/legacy.json'), 'utf8'));
    expect(data.repository.url).toBe('https://github.com/eucalyptus/Eucalyptus-Scripts');
    // Nothing was committed where it ran: the replay happened in a throw-away repository.
    expect((await runCommand('git', ['status', '--porcelain'], { cwd: repo.dir })).stdout.trim()).toBe(
      '?? data/',
    );
  });

  it('refuses --into with it, --origin without it, and an origin off GitHub (usage errors)', async ({
    makeRepo,
  }) => {
    const repo = await makeRepo();
    for (const [args, message] of [
      [['--changelog-data', 'x.json', '--into', '.'], /give no --into/],
      [['--into', '.', '--origin', 'https://github.com/a/b'], /--origin goes with --changelog-data/],
      [['--changelog-data', 'x.json', '--origin', 'https://gitlab.com/a/b'], /is not a repository on GitHub/],
    ] as const) {
      const result = await runEmi(['import-legacy', '--history', historyDir, ...args], { cwd: repo.dir });
      expect(result.exitCode, result.stderr).toBe(2);
      expect(result.stderr).toMatch(message);
    }
  });
});
