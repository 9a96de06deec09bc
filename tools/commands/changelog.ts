import { isAbsolute, relative, resolve } from 'node:path';
import { generateChangelog } from '../changelog/generate-changelog.js';
import { githubRepositoryOf } from '../changelog/github-remote.js';
import { type OutputFormat, outputFormats } from '../changelog/render/render-outputs.js';
import { ExitCode, UsageError } from '../lib/errors.js';
import type { Repository } from '../schemas/generated/changelog.js';
import type { CommandRun } from './types.js';

export function parseFormats(value: string | undefined): Set<OutputFormat> {
  if (value === undefined) return new Set(outputFormats);
  const formats = new Set<OutputFormat>();
  for (const part of value.split(',').map((item) => item.trim())) {
    if (!(outputFormats as readonly string[]).includes(part))
      throw new UsageError(`--format: "${part}" is not one of ${outputFormats.join(', ')}`);
    formats.add(part as OutputFormat);
  }
  return formats;
}

const isoTime = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;

export function parseDateOption(name: string, value: string): string {
  if (!isoTime.test(value) || Number.isNaN(Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value)))
    throw new UsageError(
      `--${name}: "${value}" is not YYYY-MM-DD or an ISO 8601 time with a zone (2024-05-01T12:00:00Z)`,
    );
  return value;
}

function parseSiteUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--site-url: "${value}" is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new UsageError(`--site-url: "${value}" must be an http or https URL`);
  return url.href.endsWith('/') ? url.href : `${url.href}/`;
}

/** `OWNER/NAME` (as GITHUB_REPOSITORY spells it) or a GitHub URL. */
export function parseRepositoryOption(value: string): Repository {
  const repository = githubRepositoryOf(
    /^[^/:@]+\/[^/]+$/.test(value) ? `https://github.com/${value}` : value,
  );
  if (repository === null)
    throw new UsageError(`--repository: "${value}" is not OWNER/NAME or a https://github.com/OWNER/NAME URL`);
  return repository;
}

export const run: CommandRun = async (values, _positionals, context) => {
  const out = values.out ? resolve(context.cwd, values.out as string) : undefined;
  const lines = values.line as string[] | undefined;
  const since = values.since === undefined ? undefined : parseDateOption('since', values.since as string);
  const generatedAt =
    values['generated-at'] === undefined
      ? undefined
      : values['generated-at'] === 'now'
        ? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')
        : parseDateOption('generated-at', values['generated-at'] as string);
  const result = await generateChangelog({
    cwd: context.cwd,
    ...(out === undefined ? {} : { out }),
    formats: parseFormats(values.format as string | undefined),
    ...(lines && lines.length > 0 ? { lines } : {}),
    ...(since === undefined ? {} : { since }),
    ...(values.repository === undefined
      ? {}
      : { repository: parseRepositoryOption(values.repository as string) }),
    ...(values['site-url'] === undefined ? {} : { siteUrl: parseSiteUrl(values['site-url'] as string) }),
    ...(generatedAt === undefined ? {} : { generatedAt }),
    dryRun: Boolean(values['dry-run']),
  });
  const shown = relative(context.cwd, result.out);
  const where = shown === '' ? '.' : shown.startsWith('..') || isAbsolute(shown) ? result.out : shown;
  if (values.json) {
    context.out(
      `${JSON.stringify({
        out: result.out,
        files: result.files.map((file) => file.path),
        lines: result.lines,
        entries: result.entries,
        warnings: result.warnings,
        timings: result.timings,
        written: !values['dry-run'],
      })}\n`,
    );
    return ExitCode.ok;
  }
  for (const warning of result.warnings)
    context.err(
      `warning: ${warning.where}${warning.line > 0 ? `:${warning.line}` : ''}  ${warning.message}\n`,
    );
  const { readMs, renderMs, writeMs } = result.timings;
  const verb = values['dry-run'] ? 'would write' : 'wrote';
  context.out(
    `${verb} ${result.files.length} files to ${where}: ${result.lines} lines, ${result.entries} entries (read ${Math.round(readMs)} ms, render ${Math.round(renderMs)} ms, write ${Math.round(writeMs)} ms)\n`,
  );
  return ExitCode.ok;
};
