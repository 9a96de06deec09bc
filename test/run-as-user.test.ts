/**
 * `npm test` as a normal user (a workstation, a GitHub-hosted runner): the root groups are skipped
 * with their reason instead of failing. Run here as `nobody` with a temp home, through runuser, for
 * the root and unit groups (the integration group as a user is run by hand: see
 * docs/development.md); needs root to switch users, so as a user this file is skipped too.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runCommand } from '../tools/lib/exec.js';
import { toolkitPath } from '../tools/lib/paths.js';
import { describeAsRoot } from './helpers/root-tests.js';

describeAsRoot('the suite run as a user', () => {
  it('skips the root groups, says why, and passes', async () => {
    const home = await mkdtemp(join(tmpdir(), 'emi-user-home-'));
    await chmod(home, 0o777);
    try {
      const vitest = toolkitPath('node_modules', 'vitest', 'vitest.mjs');
      const run = await runCommand(
        'runuser',
        [
          '-u',
          'nobody',
          '--',
          process.execPath,
          vitest,
          'run',
          // The default config loader writes a bundle under node_modules/, which a user cannot.
          '--configLoader',
          'runner',
          '--project',
          'root',
          '--project',
          'unit',
        ],
        {
          cwd: toolkitPath(),
          env: { HOME: home, PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' },
          extendEnv: false,
          reject: false,
          timeoutMs: 300_000,
        },
      );
      const output = `${run.stdout}\n${run.stderr}`;
      expect(run.exitCode, output.slice(-3000)).toBe(0);
      expect(output).toContain('the root test groups are skipped: not root');
      expect(output).toMatch(/build-e2e\.test\.ts .*skipped/);
      expect(output).toMatch(/Tests .*passed.*skipped/);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  }, 320_000);
});
