/**
 * pushHead against a local bare origin: a push that git refuses because the branch moved on is
 * reported as `rejected` (for the caller to fetch, rebase and retry), whichever way git says it: the
 * porcelain status on stdout when the client sees the move first, the remote's ref-lock error when
 * both pushes meet there. A push the remote declines is a plain failure with its reason.
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pushHead } from '../../tools/lib/git.js';
import { commitAll, createOrigin, git, type Origin } from '../helpers/origin-repo.js';

const origins: Origin[] = [];
afterEach(async () => {
  for (const origin of origins.splice(0)) await origin.cleanup();
});

describe('pushHead', () => {
  it('pushes a fast-forward, and reports a branch that moved on since the fetch as rejected', async () => {
    const origin = await createOrigin({ 'README.md': 'catalog\n' });
    origins.push(origin);
    const first = await origin.clone('first');
    const second = await origin.clone('second');
    const pushed = await commitAll(first, { 'a.txt': 'a\n' }, 'First\n');
    expect(await pushHead(first, 'origin', 'main')).toEqual({ ok: true });
    expect(await git(origin.bare, ['rev-parse', 'main'])).toBe(pushed);

    // second has not fetched first's commit: git refuses before sending ("fetch first").
    await commitAll(second, { 'b.txt': 'b\n' }, 'Second\n');
    const refused = await pushHead(second, 'origin', 'main');
    expect(refused).toMatchObject({ ok: false, rejected: true });
    expect(refused.ok ? '' : refused.message).toContain('[rejected] (fetch first)');
    expect(await git(origin.bare, ['rev-parse', 'main'])).toBe(pushed);
  });

  it('reports a push the remote declined as a failure that no retry mends, with its reason', async () => {
    const origin = await createOrigin({ 'README.md': 'catalog\n' });
    origins.push(origin);
    const clone = await origin.clone('clone');
    await commitAll(clone, { 'a.txt': 'a\n' }, 'First\n');
    const hook = join(origin.bare, 'hooks', 'pre-receive');
    await mkdir(dirname(hook), { recursive: true });
    await writeFile(hook, '#!/bin/sh\necho "main is protected" >&2\nexit 1\n');
    await chmod(hook, 0o755);
    const result = await pushHead(clone, 'origin', 'main');
    expect(result).toMatchObject({ ok: false, rejected: false });
    expect(result.ok ? '' : result.message).toContain('[remote rejected] (pre-receive hook declined)');
  });
});
