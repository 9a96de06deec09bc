/**
 * End to end, the negative case: an image whose agent cannot reach the metadata service (a recipe
 * whose hook removes curl) fails the boot check in `emi build`, which then names the failed check,
 * keeps the serial log, and publishes and records nothing. The build shares the standard image's
 * package cache (its package set is debian-based's): it waits for the cache's tree, not for the
 * standard image's boot check, so only the image's own steps and its one boot add to a test run.
 */
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { VerifyReport } from '../../tools/boot-check/verify-image.js';
import { runCommand } from '../../tools/lib/exec.js';
import { toolkitPath } from '../../tools/lib/paths.js';
import { isolatedGitEnv } from '../helpers/git-repo.js';
import { describeAsRoot } from '../helpers/root-tests.js';
import { runEmi } from '../helpers/run-emi.js';
import { buildCache, makeCatalog, testOutput } from '../helpers/standard-image.js';

const removeCurl = `#!/bin/sh
# The boot check's negative case: without curl the agent cannot reach the metadata service.
set -eu
dpkg --purge curl
`;

/** The catalog with a recipe `debian-no-curl`: debian-based, another line, plus the hook. */
async function noCurlCatalog(dir: string): Promise<string> {
  const catalog = join(dir, 'catalog');
  await makeCatalog(catalog);
  const recipe = join(catalog, 'recipes', 'debian-no-curl');
  await cp(toolkitPath('recipes', 'debian-based'), recipe, { recursive: true });
  const yaml = (await readFile(join(recipe, 'recipe.yaml'), 'utf8'))
    .replace(/image_name: euca-debian-emi\n/, 'image_name: euca-nocurl-emi\n')
    .replace(/\n {2}- image_name: euca-large-debian-emi\n(?: {4}.*\n)+/, '\n')
    .replace(/\nhooks:\n/, '\nhooks:\n  - hooks/remove-curl.sh\n');
  expect(yaml).toContain('image_name: euca-nocurl-emi');
  expect(yaml).toContain('  - hooks/remove-curl.sh\n');
  await writeFile(join(recipe, 'recipe.yaml'), yaml);
  await writeFile(join(recipe, 'hooks', 'remove-curl.sh'), removeCurl, { mode: 0o755 });
  const env = isolatedGitEnv(catalog);
  await runCommand('git', ['add', '--all'], { cwd: catalog, env });
  await runCommand('git', ['commit', '--quiet', '-m', 'debian-no-curl\n\nthe boot check must fail it\n'], {
    cwd: catalog,
    env,
  });
  return catalog;
}

describeAsRoot('an image whose agent cannot reach the metadata service', () => {
  it(
    'fails the boot check: the build names the check, keeps the serial log, and publishes and records nothing',
    async () => {
      const dir = await mkdtemp(join(testOutput, 'verify-negative-'));
      try {
        const catalog = await noCurlCatalog(dir);
        const out = join(dir, 'out');
        const run = await runEmi(
          ['build', 'debian-no-curl', '--arch', 'x86_64', '--out', out, '--cache', buildCache],
          { cwd: catalog, timeoutMs: 30 * 60 * 1000 },
        );
        expect(run.exitCode).toBe(1);
        // The message names the failed checks and why.
        expect(run.stderr).toMatch(
          /euca-nocurl-emi\.x86_64 verify: FAILED after .*: boot check failed \(failed: ssh-login, agent-status; \d+ could not run\)/,
        );
        expect(run.stderr).toContain(
          '\n  agent-status (first boot): from the console: the agent stopped at once: configuration error: curl is not installed\n',
        );
        expect(run.stderr).toMatch(
          /\n {2}ssh-login \(first boot\): no ssh login \d+ s after the boot ended: /,
        );
        expect(run.stderr).toMatch(
          /\n {2}not run \(first boot, no ssh login\): image-id, hostname, user-data, /,
        );
        // Only the kept logs are in the output folder: no artifact folder was published.
        expect(await readdir(out)).toEqual(['verify-failed']);
        const [kept] = await readdir(join(out, 'verify-failed'));
        expect(kept).toMatch(/^euca-nocurl-\d{4}\.\d{2}\.\d{2}(\.\d+)?-x86_64$/);
        const logs = join(out, 'verify-failed', kept as string);
        expect(run.stderr).toContain(`serial logs in ${logs}`);
        expect(await readFile(join(logs, 'first-instance.serial.log'), 'utf8')).toContain(
          'emi-agent: configuration error: curl is not installed',
        );
        const report = JSON.parse(await readFile(join(logs, 'report.json'), 'utf8')) as VerifyReport;
        expect(report.ok).toBe(false);
        expect(report.work_dir).toBe(logs);
        // Nothing recorded.
        expect(await readdir(catalog)).not.toContain('EMI-IDs');
        console.log(`negative boot check: failed as expected (${report.failed.length} checks not passed)`);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    40 * 60 * 1000,
  );
});
