import { refreshImageIds } from '../catalog/refresh-image-ids.js';
import { ExitCode } from '../lib/errors.js';
import { requireRepoRoot } from '../lib/git.js';
import type { CommandRun } from './types.js';

export const run: CommandRun = async (values, _positionals, context) => {
  const root = await requireRepoRoot(context.cwd);
  const check = Boolean(values.check);
  const result = await refreshImageIds({ root, check });
  if (values.json) context.out(`${JSON.stringify(result)}\n`);
  else {
    for (const path of result.written) context.out(`${check ? 'out of date' : 'wrote'} ${path}\n`);
    for (const path of result.removed) context.out(`${check ? 'orphan' : 'removed'} ${path}\n`);
    for (const path of result.skipped)
      context.err(`skipped ${path}: the record cannot be read (run emi validate)\n`);
    if (result.written.length + result.removed.length === 0) context.out('image-ids/ is up to date\n');
  }
  return check && result.written.length + result.removed.length > 0 ? ExitCode.problems : ExitCode.ok;
};
