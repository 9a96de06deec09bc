/**
 * The original catalog kept as test data in the project's shared/ folder, which sits beside the
 * checkout (CI) or a few folders up (a developer's worktree): the nearest one above is used.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function legacyDataDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'shared', 'legacy');
    if (existsSync(join(candidate, 'history', 'git-log.txt'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error(
        'shared/legacy/history/git-log.txt not found above the checkout: the legacy test data is missing',
      );
    dir = parent;
  }
}
