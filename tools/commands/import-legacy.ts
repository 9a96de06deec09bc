import { relative, resolve } from 'node:path';
import { importLegacy } from '../catalog/legacy/import-legacy.js';
import { replayLegacyHistory } from '../catalog/legacy/replay-legacy-history.js';
import { recordPath } from '../catalog/record-files.js';
import { githubRepositoryOf } from '../changelog/github-remote.js';
import { replayLegacyChangelog } from '../changelog/legacy-history.js';
import { renderJson } from '../changelog/render/render-json.js';
import { writeFileAtomic } from '../lib/atomic-write.js';
import { ExitCode, UsageError } from '../lib/errors.js';
import { findRepoRoot } from '../lib/git.js';
import { formatProblem } from '../lib/problems.js';
import type { CommandContext, CommandRun, ParsedValues } from './types.js';

/** --history DIR --changelog-data FILE: the replayed history as a changelog data file. */
async function changelogData(values: ParsedValues, context: CommandContext) {
  const file = resolve(context.cwd, values['changelog-data'] as string);
  let origin = null;
  if (values.origin !== undefined) {
    origin = githubRepositoryOf(values.origin as string);
    if (origin === null)
      throw new UsageError(
        `--origin: "${values.origin}" is not a repository on GitHub (https://github.com/OWNER/NAME)`,
      );
  }
  const result = await replayLegacyChangelog({
    history: resolve(context.cwd, values.history as string),
    origin,
  });
  const entries = result.changelog.lines.reduce((sum, line) => sum + line.entries.length, 0);
  if (!values['dry-run']) await writeFileAtomic(file, renderJson(result.changelog));
  if (values.json) {
    context.out(
      `${JSON.stringify({ file, versions: result.versions, lines: result.changelog.lines.length, entries, problems: result.problems, written: !values['dry-run'] })}\n`,
    );
  } else {
    for (const problem of result.problems) context.out(`${formatProblem(problem)}\n`);
    context.err(
      `${result.versions} versions replayed: ${result.changelog.lines.length} lines, ${entries} entries ${values['dry-run'] ? 'would be written to' : 'written to'} ${relative(context.cwd, file) || file}\n`,
    );
  }
  return ExitCode.ok;
}

async function replay(values: ParsedValues, context: CommandContext) {
  if (values['changelog-data'] !== undefined) {
    if (values.into !== undefined)
      throw new UsageError('--changelog-data replays into a throw-away repository: give no --into with it');
    return changelogData(values, context);
  }
  if (values.origin !== undefined) throw new UsageError('--origin goes with --changelog-data FILE');
  if (values.into === undefined)
    throw new UsageError(
      '--history needs --into REPO (the catalog repository to commit into) or --changelog-data FILE',
    );
  const dryRun = Boolean(values['dry-run']);
  const result = await replayLegacyHistory({
    history: resolve(context.cwd, values.history as string),
    into: resolve(context.cwd, values.into as string),
    dryRun,
  });
  const notImported = result.versions.reduce((sum, entry) => sum + entry.version.notImported, 0);
  if (values.json) {
    context.out(
      `${JSON.stringify({
        repository: result.root,
        versions: result.versions.map(({ version, state, commit }) => ({
          file: version.source.path,
          original_commit: version.commit.commit,
          author: version.commit.author,
          date: version.commit.date,
          state,
          commit: commit ?? null,
          written: version.write.map((file) => file.path),
          removed: version.remove,
        })),
        problems: result.problems,
        blocking: result.blocking,
      })}\n`,
    );
  } else {
    for (const problem of result.blocking) context.out(`${formatProblem(problem)}\n`);
    for (const problem of result.problems) context.out(`${formatProblem(problem)}\n`);
    for (const { version, state, commit } of result.versions) {
      const changes = `${version.write.length} written, ${version.remove.length} removed`;
      const subject = version.commit.message.split('\n')[0];
      const target = commit ? ` as ${commit.slice(0, 12)}` : '';
      context.out(
        `${state} ${version.commit.date} ${version.commit.commit.slice(0, 7)}${target} (${changes}): ${subject}\n`,
      );
    }
    if (result.blocking.length > 0)
      context.err(
        `${result.blocking.length} problems stop the replay: the versions and the log must match up\n`,
      );
    else
      context.err(
        `${result.versions.length} versions: ${result.versions.filter((entry) => entry.state === 'replayed').length} replayed into ${result.root}, ${result.problems.length} problems reported\n`,
      );
  }
  return result.blocking.length > 0 || notImported > 0 ? ExitCode.problems : ExitCode.ok;
}

export const run: CommandRun = async (values, positionals, context) => {
  if (values.history !== undefined) {
    if (positionals.length > 0 || values.out !== undefined)
      throw new UsageError(
        '--history replays a folder of versions: give no FILE and no --out with it (use --into)',
      );
    return replay(values, context);
  }
  if (values.into !== undefined || values['changelog-data'] !== undefined || values.origin !== undefined)
    throw new UsageError(
      '--into, --changelog-data and --origin go with --history DIR (FILE mode writes to --out)',
    );
  if (positionals.length === 0)
    throw new UsageError(
      'give the catalog FILE to import, or --history DIR --into REPO to replay its history',
    );
  const file = resolve(context.cwd, positionals[0] as string);
  const out = values.out
    ? resolve(context.cwd, values.out as string)
    : ((await findRepoRoot(context.cwd)) ?? context.cwd);
  const result = await importLegacy({ file, out, dryRun: Boolean(values['dry-run']) });
  const notImported = result.blocks - result.imported.length;
  if (values.json) {
    context.out(
      `${JSON.stringify({
        imported: result.imported.map((entry) => ({
          file: recordPath(entry.record),
          line: entry.line,
          record: entry.record,
        })),
        problems: result.problems,
        written: result.written,
      })}\n`,
    );
  } else {
    for (const problem of result.problems) context.out(`${formatProblem(problem)}\n`);
    for (const entry of result.imported) {
      const state = result.unchanged.includes(recordPath(entry.record))
        ? 'unchanged'
        : values['dry-run']
          ? 'would write'
          : 'wrote';
      context.out(`${state} ${recordPath(entry.record)}  (line ${entry.line}: ${entry.heading})\n`);
    }
    context.err(
      `${result.blocks} blocks: ${result.imported.length} imported, ${notImported} not imported, ${result.problems.length} problems reported\n`,
    );
  }
  return notImported > 0 ? ExitCode.problems : ExitCode.ok;
};
