/**
 * Where tests keep what a person looks at after the run (screenshots): EMI_TEST_OUTPUT when set,
 * else the repository's test-output/ when this user can write there, else a folder of this user's
 * own in the system temp folder (a user running the suite in a checkout owned by root, as
 * `nobody` or on a shared machine). The caller says which folder it chose.
 */
import { accessSync, constants, mkdirSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { toolkitPath } from '../../tools/lib/paths.js';

function writable(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** The folder chosen as above, created; `sub` is a folder inside it. */
export function testOutputDir(sub = '', env: NodeJS.ProcessEnv = process.env): string {
  const wanted = env.EMI_TEST_OUTPUT;
  if (wanted) {
    const dir = join(wanted, sub);
    if (!writable(dir)) throw new Error(`EMI_TEST_OUTPUT=${wanted}: cannot create or write ${dir}`);
    return dir;
  }
  const own = join(toolkitPath('test-output'), sub);
  if (writable(own)) return own;
  const fallback = join(tmpdir(), `emi-test-output-${userInfo().uid}`, sub);
  mkdirSync(fallback, { recursive: true, mode: 0o700 });
  if (!writable(fallback)) throw new Error(`cannot write test output to ${own} or ${dirname(fallback)}`);
  return fallback;
}
