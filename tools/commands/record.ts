import { appendFile } from 'node:fs/promises';
import { checkRecordChanges, commitRecords } from '../catalog/record-commit.js';
import { ExitCode, UsageError } from '../lib/errors.js';
import type { CommandRun } from './types.js';

/** The link to this workflow run, from the variables GitHub Actions sets (checked, never trusted blindly). */
function runUrl(env: NodeJS.ProcessEnv): string | undefined {
  const server = env.GITHUB_SERVER_URL ?? '';
  const repository = env.GITHUB_REPOSITORY ?? '';
  const id = env.GITHUB_RUN_ID ?? '';
  if (!/^https:\/\/[\w.-]+$/.test(server) || !/^[\w.-]+\/[\w.-]+$/.test(repository) || !/^\d+$/.test(id))
    return undefined;
  return `${server}/${repository}/actions/runs/${id}`;
}

export const run: CommandRun = async (values, positionals, context) => {
  const string = (name: string) => values[name] as string | undefined;
  if (positionals[0] === 'check') {
    const copyTo = string('copy-to');
    const paths = await checkRecordChanges({ cwd: context.cwd, ...(copyTo === undefined ? {} : { copyTo }) });
    if (values.json) context.out(`${JSON.stringify({ files: paths })}\n`);
    else context.out(paths.length > 0 ? `${paths.join('\n')}\n` : 'no record files changed\n');
    return ExitCode.ok;
  }
  if (positionals[0] !== 'commit')
    throw new UsageError(`unknown record action ${JSON.stringify(positionals[0])}: use "check" or "commit"`);
  const botName = context.env.EMI_BOT_NAME;
  const botEmail = context.env.EMI_BOT_EMAIL;
  const url = runUrl(context.env);
  const result = await commitRecords({
    cwd: context.cwd,
    ...(string('from') === undefined ? {} : { from: string('from') }),
    ...(string('built-from') === undefined ? {} : { builtFrom: string('built-from') }),
    ...(string('remote') === undefined ? {} : { remote: string('remote') }),
    ...(string('branch') === undefined ? {} : { branch: string('branch') }),
    ...(botName && botEmail ? { bot: { name: botName, email: botEmail } } : {}),
    ...(url ? { runUrl: url } : {}),
    ...(values['no-push'] ? { noPush: true } : {}),
    ...(context.env.EMI_PUSH_BACKOFF_MS && /^\d+$/.test(context.env.EMI_PUSH_BACKOFF_MS)
      ? { backoffMs: Number(context.env.EMI_PUSH_BACKOFF_MS) }
      : {}),
    log: (line) => context.err(`${line}\n`),
  });
  if (values.github) {
    // A workflow step: what the release and registration jobs need, as step outputs.
    const output = context.env.GITHUB_OUTPUT;
    if (!output)
      throw new UsageError('--github writes to $GITHUB_OUTPUT, which is not set (run it in a workflow)');
    const recorded = result.lines.map((line) => ({
      record: line.path,
      image_name: line.record.image_name,
      image_arch: line.record.image_arch,
      image_version: line.record.image_version,
    }));
    await appendFile(output, `commit=${result.commit ?? ''}\nrecorded=${JSON.stringify(recorded)}\n`);
  }
  if (values.json) {
    context.out(
      `${JSON.stringify({
        commit: result.commit ?? null,
        attempts: result.attempts,
        lines: result.lines.map((line) => ({
          path: line.path,
          version: line.record.image_version,
          previous: line.previous ?? null,
        })),
      })}\n`,
    );
  } else if (result.commit) {
    context.out(`${result.commit}\n`);
    for (const line of result.lines) context.out(`  ${line.path} ${line.record.image_version}\n`);
  } else context.out('nothing to record\n');
  return ExitCode.ok;
};
