import { spawn } from 'node:child_process';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commands } from '../tools/commands/registry.js';
import { runCommand } from '../tools/lib/exec.js';
import { testRecipe } from './helpers/catalog-fixtures.js';
import { createChangelogFixture } from './helpers/changelog-fixture.js';
import { createRepo, createTempDir } from './helpers/git-repo.js';
import { emiBin, runEmi } from './helpers/run-emi.js';

describe('emi CLI', () => {
  it('--help lists every subcommand', async () => {
    const cwd = await createTempDir();
    const result = await runEmi(['--help'], { cwd });
    expect(result.exitCode).toBe(0);
    for (const command of commands)
      expect(result.stdout).toMatch(
        new RegExp(`^  ${command.name} +${command.summary.replace(/[()]/g, '\\$&')}$`, 'm'),
      );
    const bare = await runEmi([], { cwd });
    expect(bare.exitCode).toBe(2);
    expect(bare.stdout).toBe(result.stdout);
  });

  it('<command> --help shows usage, options and examples for every command', async () => {
    const cwd = await createTempDir();
    for (const command of commands) {
      const result = await runEmi([command.name, '--help'], { cwd });
      expect(result.exitCode, command.name).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^Usage: emi ${command.name}`));
      for (const option of Object.keys(command.options)) expect(result.stdout).toContain(`--${option}`);
      for (const example of command.examples) expect(result.stdout).toContain(example);
      const viaHelp = await runEmi(['help', command.name], { cwd });
      expect(viaHelp.stdout).toBe(result.stdout);
    }
  });

  it('answers an unknown command or option with a usage error and exit 2', async () => {
    const cwd = await createTempDir();
    const unknown = await runEmi(['frobnicate'], { cwd });
    expect(unknown).toMatchObject({
      exitCode: 2,
      stderr: 'emi: unknown command "frobnicate": run emi --help for the list\n',
    });
    const option = await runEmi(['validate', '--frob'], { cwd });
    expect(option.exitCode).toBe(2);
    expect(option.stderr).toMatch(/^emi: emi validate: Unknown option '--frob'/);
    const args = await runEmi(['commit-msg'], { cwd });
    expect(args).toMatchObject({
      exitCode: 2,
      stderr: 'emi: emi commit-msg: wrong number of arguments (expected MSG_FILE)\n',
    });
    const legacy = await runEmi(['import-legacy'], { cwd });
    expect(legacy.exitCode).toBe(2);
  });

  it('prints its version', async () => {
    const result = await runEmi(['--version'], { cwd: await createTempDir() });
    expect(result.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});

describe('emi CLI: errors of the environment, signals and --json', () => {
  const temps: string[] = [];
  afterAll(async () => {
    for (const dir of temps) await rm(dir, { recursive: true, force: true });
  });
  const tempDir = async () => {
    const dir = await createTempDir('emi-cli-env-');
    temps.push(dir);
    return dir;
  };

  it('changelog --out refuses /, a file, /dev/null, a folder it did not write and "" (never exit 70)', async () => {
    const fixture = await createChangelogFixture();
    try {
      const cwd = fixture.repo.dir;
      const dir = await tempDir();
      await writeFile(join(dir, 'file'), 'x');
      await mkdir(join(dir, 'src'));
      await writeFile(join(dir, 'src', 'keep.c'), 'x');
      const cases: [string, number, RegExp][] = [
        ['/', 1, /output folder \/ is not empty and was not written by emi changelog/],
        [join(dir, 'file'), 1, /output folder .*file exists and is not a folder/],
        ['/dev/null', 1, /output folder \/dev\/null exists and is not a folder/],
        [join(dir, 'src'), 1, /src is not empty and was not written by emi changelog/],
        [join(dir, 'file', 'sub'), 1, /file\/sub: a part of the path is not a folder/],
        ['', 2, /--out: give a folder/],
      ];
      for (const [out, code, message] of cases) {
        const result = await runEmi(['changelog', '--out', out], { cwd });
        expect(result.exitCode, `${out}: ${result.stderr}`).toBe(code);
        expect(result.stderr).toMatch(message);
      }
      expect(await readdir(join(dir, 'src'))).toEqual(['keep.c']);
      // A folder it wrote is replaced on the next run.
      const site = join(dir, 'site');
      expect((await runEmi(['changelog', '--out', site], { cwd })).exitCode).toBe(0);
      expect((await runEmi(['changelog', '--out', site, '--format', 'md'], { cwd })).exitCode).toBe(0);
      expect((await readdir(site)).sort()).toEqual(['.emi-outputs.json', 'CHANGELOG.md']);
    } finally {
      await fixture.repo.cleanup();
    }
  });

  it('changelog --out /proc/self/… ends at once with a clear error instead of spinning', async () => {
    const fixture = await createChangelogFixture();
    try {
      const result = await runEmi(['changelog', '--out', '/proc/self/emi-out/x'], {
        cwd: fixture.repo.dir,
        timeoutMs: 20_000,
      });
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toMatch(
        /^emi: cannot create the folder \/proc\/self\/emi-out: it does not exist/,
      );
    } finally {
      await fixture.repo.cleanup();
    }
  });

  it('commit-msg on a missing file names the file (exit 1, not 70)', async () => {
    const repo = await createRepo({ 'README.md': 'x\n' });
    try {
      const result = await runEmi(['commit-msg', 'no-such-message'], { cwd: repo.dir });
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toBe(
        `emi: cannot open ${join(repo.dir, 'no-such-message')}: it does not exist (ENOENT)\n`,
      );
    } finally {
      await repo.cleanup();
    }
  });

  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)('a second %s ends a command that is stuck at once (a shell sees %i)', async (signal, code) => {
    const repo = await createRepo({ 'README.md': 'x\n' });
    try {
      // Reading a FIFO that nobody writes blocks for ever and does not notice the first signal.
      const fifo = join(repo.dir, 'message.fifo');
      await runCommand('mkfifo', [fifo]);
      const child = spawn(process.execPath, [emiBin, 'commit-msg', fifo], { cwd: repo.dir });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const exited = new Promise<string>((resolve) =>
        child.on('exit', (exit, by) => resolve(by ? `signal ${by}` : `exit ${exit}`)),
      );
      const until = async (text: string) => {
        for (let i = 0; i < 200 && !stderr.includes(text); i++) await new Promise((r) => setTimeout(r, 50));
      };
      await new Promise((r) => setTimeout(r, 700));
      child.kill(signal);
      await until('stopping and cleaning up');
      expect(stderr).toContain(`${signal} received, stopping and cleaning up (again to quit at once)`);
      child.kill(signal);
      // It ends by the signal itself (the shell's status is then 128 + its number).
      expect(await exited).toBe(`signal ${signal}`);
      expect(128 + (signal === 'SIGTERM' ? 15 : 2)).toBe(code);
      expect(stderr).toContain(`${signal} received again, quitting at once`);
    } finally {
      await repo.cleanup();
    }
  });

  it('with --json, errors are one JSON document on stdout too', async () => {
    const outside = await tempDir();
    const validate = await runEmi(['validate', '--json'], { cwd: outside });
    expect(validate.exitCode).toBe(1);
    expect(JSON.parse(validate.stdout)).toEqual({
      ok: false,
      error: {
        kind: 'error',
        exit_code: 1,
        message: `${outside} is not inside a git repository: run this in a clone of the catalog`,
      },
    });
    const verify = await runEmi(['verify-image', join(outside, 'missing'), '--json'], { cwd: outside });
    expect(verify.exitCode).toBe(1);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: false, error: { kind: 'error', exit_code: 1 } });
    const usage = await runEmi(['stamp', '--epoch', 'x', '--json'], { cwd: outside });
    expect(usage.exitCode).toBe(2);
    expect(JSON.parse(usage.stdout)).toMatchObject({ ok: false, error: { kind: 'usage', exit_code: 2 } });
  });
});

describe('emi CLI: every command driven into file-system errors exits 1 or 2, never 70', () => {
  it('an existing file, /dev/null, a missing path, a path through a file, /proc/self', async () => {
    const repo = await createRepo({ 'README.md': 'x\n' });
    const dir = await createTempDir('emi-cli-fs-');
    try {
      await writeFile(join(dir, 'file'), 'x\n');
      const file = join(dir, 'file');
      const missing = join(dir, 'missing');
      const throughFile = join(dir, 'file', 'sub');
      const legacy = join(process.cwd(), 'test', 'fixtures', 'legacy', 'EMI-IDs');
      const cases: string[][] = [];
      for (const out of [file, '/dev/null', throughFile, '/proc/self/emi-x']) {
        cases.push(['changelog', '--out', out]);
        cases.push(['import-legacy', legacy, '--out', out]);
        cases.push(['verify-image', dir, '--keep', out]);
      }
      for (const path of [missing, throughFile, dir, '/dev/null']) {
        // An empty message is fine for a commit that does not touch EMI-IDs/.
        if (path !== '/dev/null') cases.push(['commit-msg', path]);
        cases.push(['import-legacy', path]);
        cases.push(['import-legacy', '--history', path, '--into', repo.dir]);
        cases.push(['metadata-server', '--config', path, '--port', '0']);
        cases.push(['verify-image', path]);
        cases.push(['validate', path]);
        cases.push(['build', 'debian-based', '--plan', '--record', path]);
      }
      for (const args of cases) {
        const result = await runEmi(args, { cwd: repo.dir, timeoutMs: 30_000 });
        expect([1, 2], `emi ${args.join(' ')}: ${result.stderr}`).toContain(result.exitCode);
        expect(result.stderr, args.join(' ')).not.toContain('internal error');
      }
    } finally {
      await repo.cleanup();
      await rm(dir, { recursive: true, force: true });
    }
  }, 300_000);
});

describe('emi CLI: plain messages for negative numbers, unknown arches and printed-once failures', () => {
  it('says plainly that --epoch -1, --port -1 and --timeout -5 are not allowed (exit 2)', async () => {
    const cwd = await createTempDir();
    const cases: [string[], string][] = [
      [['stamp', '--epoch', '-1'], 'emi: --epoch must be a whole number of seconds (0 or more), not "-1"\n'],
      [['metadata-server', '--port', '-1'], 'emi: --port must be a number from 0 to 65535, not "-1"\n'],
      [
        ['verify-image', cwd, '--timeout', '-5'],
        'emi: --timeout must be a whole number of seconds (1 or more), not "-5"\n',
      ],
    ];
    for (const [args, stderr] of cases) {
      const result = await runEmi(args, { cwd });
      expect(result, args.join(' ')).toMatchObject({ exitCode: 2, stderr });
    }
  });

  it('answers an unknown --arch with exit 2, and prints a failed plan once', async () => {
    const repo = await createRepo();
    try {
      // Committed: emi build reads only what git tracks.
      await repo.commit({ 'recipes/debian-based/recipe.yaml': testRecipe });
      for (const args of [
        ['new-emi', '--recipe', 'debian-based', '--arch', 'sparc', '--dry-run'],
        ['build', 'debian-based', '--plan', '--arch', 'sparc'],
      ]) {
        const result = await runEmi(args, { cwd: repo.dir });
        expect(result, args.join(' ')).toMatchObject({
          exitCode: 2,
          stderr: 'emi: --arch: "sparc" is not an architecture emi knows (x86_64, i386, aarch64)\n',
        });
      }
      const plan = await runEmi(['build', 'debian-based', '--plan', '--record', 'missing.yaml'], {
        cwd: repo.dir,
        env: { EMI_MIRROR: 'http://mirror.example/debian', EMI_SECURITY_MIRROR: 'http://mirror.example/s' },
      });
      expect(plan.exitCode).toBe(1);
      expect(plan.stderr.match(/missing\.yaml/g)).toHaveLength(1);
      expect(plan.stderr).toMatch(
        /^plan: started\nplan: FAILED after [0-9.]+ s: cannot read --record .*missing\.yaml/,
      );
    } finally {
      await repo.cleanup();
    }
  });

  it('names a lock file that holds garbage and says how to remove it', async () => {
    const repo = await createRepo({ 'recipes/debian-based/recipe.yaml': testRecipe });
    try {
      const lock = join(repo.dir, '.git', 'emi-catalog.lock');
      await writeFile(lock, 'not a pid\n');
      const result = await runEmi(['new-emi', '--recipe', 'debian-based', '--arch', 'x86_64', '--yes'], {
        cwd: repo.dir,
      });
      expect(result).toMatchObject({
        exitCode: 1,
        stderr: `emi: the lock file ${lock} holds "not a pid", not a process id: if no emi new-emi is running, remove it (rm ${lock})\n`,
      });
    } finally {
      await repo.cleanup();
    }
  });
});
