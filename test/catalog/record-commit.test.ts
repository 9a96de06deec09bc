import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { commitRecords, recordCommitMessage } from '../../tools/catalog/record-commit.js';
import { builderRecipeFiles } from '../helpers/build-fixtures.js';
import { makeRecord, recordFiles } from '../helpers/catalog-fixtures.js';
import { commitAll, createOrigin, git, type Origin, writeFiles } from '../helpers/origin-repo.js';
import { runEmi } from '../helpers/run-emi.js';

const origins: Origin[] = [];
afterEach(async () => {
  for (const origin of origins.splice(0)) await origin.cleanup();
});

const digest = `sha256:${'a'.repeat(64)}`;
const built = (name: string, epoch: number) => ({
  ...makeRecord({ name, epoch }),
  recipe_digest: digest,
});

async function setup(): Promise<{ origin: Origin; worker: string; start: string }> {
  const origin = await createOrigin({
    ...builderRecipeFiles,
    ...recordFiles(makeRecord({ name: 'euca-large-debian-emi', epoch: 1780000000 })),
  });
  origins.push(origin);
  const worker = await origin.clone('worker');
  return { origin, worker, start: await git(worker, ['rev-parse', 'HEAD']) };
}

const mainLog = (origin: Origin) => git(origin.bare, ['log', '--format=%s', 'main']);

describe('emi record commit', () => {
  it('commits only the record files as the bot, with what was built from which commit, and pushes', async () => {
    const { origin, worker, start } = await setup();
    await writeFiles(worker, recordFiles(built('euca-debian-emi', 1785000000)));
    await writeFile(join(worker, 'image-ids/euca-debian-emi.x86_64.packages'), 'bash\t5.2.15-2+b7\n');
    const result = await runEmi(['record', 'commit', '--built-from', start, '--json'], {
      cwd: worker,
      env: { GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'o/r', GITHUB_RUN_ID: '42' },
    });
    expect(result.stderr).toContain('pushed ');
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      attempts: 1,
      lines: [{ path: 'EMI-IDs/euca-debian-emi.x86_64.yaml', version: '2026.07.25', previous: null }],
    });
    const message = await git(origin.bare, ['log', '-1', '--format=%an <%ae>|%cn|%B', 'main']);
    expect(message).toBe(
      `github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>|github-actions[bot]|Record euca-debian-emi 2026.07.25 (x86_64)\n\n- euca-debian-emi.x86_64 2026.07.25, the first of its line: built and boot-checked from commit ${start}, recipe debian-based (${digest}).\n\nWorkflow run: https://github.com/o/r/actions/runs/42`,
    );
    expect((await git(origin.bare, ['show', '--name-only', '--format=', 'main'])).split('\n')).toEqual([
      'EMI-IDs/euca-debian-emi.x86_64.yaml',
      'image-ids/euca-debian-emi.x86_64',
      'image-ids/euca-debian-emi.x86_64.packages',
    ]);
    const again = await runEmi(['record', 'commit'], { cwd: worker });
    expect(again.stdout).toBe('nothing to record\n');
  });

  it('refuses any change outside EMI-IDs/ and image-ids/, naming it, and commits nothing', async () => {
    const { origin, worker } = await setup();
    await writeFiles(worker, {
      ...recordFiles(built('euca-debian-emi', 1785000000)),
      'recipes/debian-based/hooks/tune.sh': '#!/bin/sh\nchanged by the build\n',
      '.github/workflows/build.yml': 'name: planted\n',
    });
    const result = await runEmi(['record', 'commit'], { cwd: worker });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(
      'emi: refusing to commit: only EMI-IDs/ and image-ids/ may change, and these did:\n  recipes/debian-based/hooks/tune.sh (modified)\n  .github/workflows/build.yml (untracked)\n',
    );
    expect(await mainLog(origin)).toBe('Add the recipes');
    expect(await git(worker, ['rev-list', '--count', 'HEAD'])).toBe('1');
  });

  it('brings in the files of an artifact folder, refusing anything that is not a record file', async () => {
    const { origin, worker, start } = await setup();
    const artifact = join(origin.home, 'artifact');
    await writeFiles(artifact, recordFiles(built('euca-debian-emi', 1785000000)));
    const ok = await runEmi(['record', 'commit', '--from', artifact, '--built-from', start], { cwd: worker });
    expect(ok.exitCode).toBe(0);
    expect(await mainLog(origin)).toBe('Record euca-debian-emi 2026.07.25 (x86_64)\nAdd the recipes');
    await writeFiles(artifact, { 'recipes/debian-based/hooks/tune.sh': 'planted\n' });
    const refused = await runEmi(['record', 'commit', '--from', artifact], { cwd: worker });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain(
      'holds files that are not records or image-id files: recipes/debian-based/hooks/tune.sh',
    );
  });

  it('rebases onto a push that raced it and retries: both land, never forced', async () => {
    const { origin, worker, start } = await setup();
    // Someone else's commit, made ready on a side branch of origin; origin's hook moves main to it
    // while our push is being received, the way a merge landing at that moment would.
    const other = await origin.clone('other');
    await commitAll(other, { 'docs/notes.md': 'a racing commit\n' }, 'Racing commit\n\nlands first\n');
    await git(other, ['push', '-q', 'origin', 'HEAD:refs/heads/racer']);
    await writeFiles(worker, recordFiles(built('euca-debian-emi', 1785000000)));
    const hook = join(origin.bare, 'hooks', 'pre-receive');
    await mkdir(join(origin.bare, 'hooks'), { recursive: true });
    await writeFile(
      hook,
      `#!/bin/sh\nif [ ! -e "$GIT_DIR/raced" ]; then touch "$GIT_DIR/raced"; env -u GIT_QUARANTINE_PATH git update-ref refs/heads/main refs/heads/racer; fi\nexit 0\n`,
    );
    await chmod(hook, 0o755);
    const result = await commitRecords({ cwd: worker, builtFrom: start, backoffMs: 10 });
    expect(result.attempts).toBe(2);
    expect(await mainLog(origin)).toBe(
      'Record euca-debian-emi 2026.07.25 (x86_64)\nRacing commit\nAdd the recipes',
    );
    expect(await git(origin.bare, ['rev-parse', 'main'])).toBe(result.commit);
  });

  it('lets two lines recorded at the same moment both land', async () => {
    const { origin, start } = await setup();
    const a = await origin.clone('a');
    const b = await origin.clone('b');
    await writeFiles(a, recordFiles(built('euca-debian-emi', 1785000000)));
    await writeFiles(
      b,
      recordFiles({
        ...makeRecord({ name: 'euca-debian-emi', arch: 'i386', epoch: 1785000000 }),
        recipe_digest: digest,
      }),
    );
    const results = await Promise.all([
      commitRecords({ cwd: a, builtFrom: start, backoffMs: 10 }),
      commitRecords({ cwd: b, builtFrom: start, backoffMs: 10 }),
    ]);
    expect(results.map((r) => r.lines.length)).toEqual([1, 1]);
    const files = await git(origin.bare, ['ls-tree', '-r', '--name-only', 'main', 'EMI-IDs']);
    expect(files.split('\n')).toEqual([
      'EMI-IDs/euca-debian-emi.i386.yaml',
      'EMI-IDs/euca-debian-emi.x86_64.yaml',
      'EMI-IDs/euca-large-debian-emi.x86_64.yaml',
    ]);
  });

  it('refuses to record over a line whose record changed on main since the build started', async () => {
    const { origin, worker, start } = await setup();
    const other = await origin.clone('other');
    await commitAll(
      other,
      recordFiles(makeRecord({ name: 'euca-large-debian-emi', epoch: 1786000000 })),
      'Release euca-large-debian-emi\n\nreleased by hand meanwhile\n',
    );
    await git(other, ['push', '-q', 'origin', 'main']);
    await writeFiles(worker, recordFiles(built('euca-large-debian-emi', 1785000000)));
    const result = await runEmi(['record', 'commit', '--built-from', start], { cwd: worker });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      'refusing to record over a newer record (the build is left unrecorded):\n  EMI-IDs/euca-large-debian-emi.x86_64.yaml changed on the main branch since the build started: it now holds 2026.08.06',
    );
    expect(await mainLog(origin)).toBe('Release euca-large-debian-emi\nAdd the recipes');
  });

  it('writes one subject for several images', () => {
    const message = recordCommitMessage(
      [
        { path: 'EMI-IDs/a.yaml', record: built('euca-debian-emi', 1785000000), previous: '2026.01.01' },
        { path: 'EMI-IDs/b.yaml', record: built('euca-large-debian-emi', 1785000000) },
      ],
      'c0ffee',
    );
    expect(message.split('\n')[0]).toBe(
      'Record 2 images: euca-debian-emi 2026.07.25 (x86_64), euca-large-debian-emi 2026.07.25 (x86_64)',
    );
    expect(message).toContain('2026.07.25, replacing 2026.01.01: built and boot-checked from commit c0ffee');
  });
});
