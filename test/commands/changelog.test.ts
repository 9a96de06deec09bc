import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../tools/lib/exec.js';
import { type ChangelogFixture, createChangelogFixture, setOrigin } from '../helpers/changelog-fixture.js';
import { createTempDir } from '../helpers/git-repo.js';
import { runEmi } from '../helpers/run-emi.js';

let fixture: ChangelogFixture;
const temps: string[] = [];
const tempDir = async () => {
  const dir = await createTempDir('emi-cli-');
  temps.push(dir);
  return dir;
};

beforeAll(async () => {
  fixture = await createChangelogFixture();
  await setOrigin(fixture.repo, 'https://github.com/example/catalog.git');
});
afterAll(async () => {
  await fixture.repo.cleanup();
  for (const dir of temps) await rm(dir, { recursive: true, force: true });
});

describe('emi changelog', () => {
  it('writes into out/changelog by default and says what it wrote', async () => {
    const result = await runEmi(['changelog'], { cwd: join(fixture.repo.dir, 'EMI-IDs') });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^wrote 14 files to .*out\/changelog: 2 lines, 6 entries \(read \d+ ms/);
    const json = JSON.parse(await readFile(join(fixture.repo.dir, 'out/changelog/changelog.json'), 'utf8'));
    expect(json.repository).toEqual({
      url: 'https://github.com/example/catalog',
      commit_url: 'https://github.com/example/catalog/commit/',
    });
    await rm(join(fixture.repo.dir, 'out'), { recursive: true });
  });

  it('takes --line, --since, --format and --site-url', async () => {
    const out = await tempDir();
    const result = await runEmi(
      [
        'changelog',
        '--out',
        out,
        '--format',
        'atom,json',
        '--line',
        'euca-debian-emi.x86_64',
        '--since',
        '2024-02-01T00:00:00Z',
        '--site-url',
        'https://example.github.io/catalog',
        '--json',
      ],
      { cwd: fixture.repo.dir },
    );
    expect(result.exitCode, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ lines: 1, entries: 2, written: true });
    expect(summary.files).toEqual([
      'feed.atom',
      'feeds/euca-debian-emi.x86_64.atom',
      'changelog.json',
      'changelog.schema.json',
      'latest.schema.json',
      'lines/euca-debian-emi.x86_64/latest.json',
    ]);
    const feed = await readFile(join(out, 'feeds/euca-debian-emi.x86_64.atom'), 'utf8');
    expect(feed).toContain(
      '<link rel="self" type="application/atom+xml" href="https://example.github.io/catalog/feeds/euca-debian-emi.x86_64.atom"/>',
    );
    expect(feed).toContain('href="https://example.github.io/catalog/lines/euca-debian-emi.x86_64.html#c-');
  });

  it('links the repository given by --repository (as GITHUB_REPOSITORY spells it), and refuses a bad one', async () => {
    const out = await tempDir();
    const result = await runEmi(
      ['changelog', '--out', out, '--format', 'json', '--repository', 'acme/images'],
      {
        cwd: fixture.repo.dir,
      },
    );
    expect(result.exitCode, result.stderr).toBe(0);
    const json = JSON.parse(await readFile(join(out, 'changelog.json'), 'utf8'));
    expect(json.repository).toEqual({
      url: 'https://github.com/acme/images',
      commit_url: 'https://github.com/acme/images/commit/',
    });
    for (const bad of ['acme', 'https://gitlab.com/acme/images', 'a/b/c']) {
      const refused = await runEmi(['changelog', '--out', out, '--repository', bad], {
        cwd: fixture.repo.dir,
      });
      expect(refused.exitCode, bad).toBe(2);
      expect(refused.stderr).toContain(`--repository: "${bad}" is not OWNER/NAME`);
    }
  });

  it('fails clearly on a shallow clone, without a stack trace', async () => {
    const clone = await tempDir();
    await runCommand('git', ['clone', '--quiet', '--depth', '2', `file://${fixture.repo.dir}`, clone]);
    const result = await runEmi(['changelog', '--out', join(clone, 'site')], { cwd: clone });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /^emi: .* is a shallow clone, so its history is cut short .*fetch-depth: 0/,
    );
    expect(result.stderr).not.toContain('    at ');
  });

  it('says so outside a git repository', async () => {
    const result = await runEmi(['changelog'], { cwd: await tempDir() });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^emi: .* is not inside a git repository/);
  });

  it.each([
    [['--format', 'md,pdf'], /--format: "pdf" is not one of md, html, atom, json/],
    [['--since', 'yesterday'], /--since: "yesterday" is not YYYY-MM-DD/],
    [['--site-url', 'ftp://x'], /--site-url: "ftp:\/\/x" must be an http or https URL/],
    [['--line', 'euca-nope-emi'], /no image line "euca-nope-emi"/],
  ])('refuses %j', async (args, message) => {
    const result = await runEmi(['changelog', '--dry-run', ...args], { cwd: fixture.repo.dir });
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toMatch(message);
  });

  it('is listed in emi --help', async () => {
    const result = await runEmi(['--help'], { cwd: fixture.repo.dir });
    expect(result.stdout).toMatch(/changelog\s+render the image changelog from git/);
  });
});
