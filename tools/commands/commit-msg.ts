import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { checkCommitMessage } from '../catalog/commit-message.js';
import { ExitCode } from '../lib/errors.js';
import { listStagedChanges, requireRepoRoot } from '../lib/git.js';
import { recordsDir } from '../lib/paths.js';
import type { CommandRun } from './types.js';

export const run: CommandRun = async (_values, positionals, context) => {
  const root = await requireRepoRoot(context.cwd);
  const message = await readFile(resolve(context.cwd, positionals[0] as string), 'utf8');
  const changes = await listStagedChanges(root, [`${recordsDir}/`]);
  const problem = checkCommitMessage(
    message,
    changes.map((change) => change.path),
  );
  if (problem) {
    context.err(`commit refused: ${problem}\n`);
    return ExitCode.problems;
  }
  return ExitCode.ok;
};
