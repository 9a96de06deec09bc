import { isAbsolute, relative, resolve } from 'node:path';
import { type ValidationReport, validateCatalog } from '../catalog/validate-catalog.js';
import { ExitCode, UsageError } from '../lib/errors.js';
import { requireRepoRoot } from '../lib/git.js';
import { formatAnnotation, formatProblem } from '../lib/problems.js';
import type { CommandContext, CommandRun } from './types.js';

export function printReport(report: ValidationReport, context: CommandContext, json: boolean): void {
  if (json) {
    context.out(
      `${JSON.stringify({ ok: report.ok, problems: report.problems, notes: report.notes, counts: report.counts })}\n`,
    );
    return;
  }
  const annotate = context.env.GITHUB_ACTIONS === 'true';
  for (const problem of report.problems) {
    context.out(`${formatProblem(problem)}\n`);
    if (annotate) context.out(`${formatAnnotation(problem)}\n`);
  }
  for (const note of report.notes)
    context.out(`${formatProblem({ ...note, message: `note: ${note.message}` })}\n`);
  if (report.scope?.length === 0) {
    context.out('ok: no records, recipes or image-ids staged\n');
    return;
  }
  const { records, recipes } = report.counts;
  const summary = report.ok
    ? `ok: ${records} record${records === 1 ? '' : 's'}, ${recipes} recipe${recipes === 1 ? '' : 's'}`
    : `${report.problems.length} problem${report.problems.length === 1 ? '' : 's'}`;
  const notes = report.notes.length
    ? `, ${report.notes.length} note${report.notes.length === 1 ? '' : 's'}`
    : '';
  (report.ok ? context.out : context.err)(`${summary}${notes}\n`);
}

export const run: CommandRun = async (values, positionals, context) => {
  const root = await requireRepoRoot(context.cwd);
  if (values.staged && positionals.length > 0)
    throw new UsageError('--staged checks what is staged: give no paths with it');
  const paths = positionals.map((path) => {
    const relativePath = relative(root, resolve(context.cwd, path));
    if (relativePath.startsWith('..') || isAbsolute(relativePath))
      throw new UsageError(`${path} is outside the repository ${root}`);
    return relativePath.split('\\').join('/') || '.';
  });
  const report = await validateCatalog({
    root,
    ...(paths.length > 0 && !paths.includes('.') ? { paths } : {}),
    staged: Boolean(values.staged),
    history: !values['no-history'],
  });
  printReport(report, context, Boolean(values.json));
  return report.ok ? ExitCode.ok : ExitCode.problems;
};
