/**
 * `emi changelog`: read the catalog's history, render every requested format in memory, then
 * write all files in one atomic step, so a failure leaves the output folder as it was.
 */
import { join } from 'node:path';
import { writeFilesAtomic } from '../lib/atomic-write.js';
import type { Repository } from '../schemas/generated/changelog.js';
import { keepSince } from './build-changelog.js';
import { mergeLegacyHistory, readLegacyHistory } from './legacy-history.js';
import type { HistoryWarning } from './line-history.js';
import { readHistory } from './read-history.js';
import { type OutputFile, type OutputFormat, renderOutputs } from './render/render-outputs.js';

export interface GenerateOptions {
  cwd: string;
  /** The output folder (absolute); default out/changelog in the repository. */
  out?: string;
  formats: ReadonlySet<OutputFormat>;
  lines?: readonly string[];
  /** YYYY-MM-DD or an ISO 8601 time: leave out entries dated before it (releases by image date). */
  since?: string;
  /** The repository on GitHub to link (commits, release downloads); default: the origin remote's. */
  repository?: Repository;
  /** The site's absolute URL, for the feeds' links. */
  siteUrl?: string;
  /** Written into the outputs only when given: otherwise the same history gives the same bytes. */
  generatedAt?: string;
  dryRun?: boolean;
}

export const defaultOutDir = 'out/changelog';

export interface GenerateResult {
  root: string;
  out: string;
  files: OutputFile[];
  lines: number;
  entries: number;
  warnings: HistoryWarning[];
  timings: { readMs: number; renderMs: number; writeMs: number };
}

export async function generateChangelog(options: GenerateOptions): Promise<GenerateResult> {
  const started = performance.now();
  const history = await readHistory({
    cwd: options.cwd,
    ...(options.lines ? { lines: options.lines } : {}),
    ...(options.repository ? { repository: options.repository } : {}),
  });
  const legacy = await readLegacyHistory(history.root);
  const read = performance.now();
  let changelog = legacy ? mergeLegacyHistory(history.changelog, legacy, options.lines) : history.changelog;
  if (options.since !== undefined) changelog = keepSince(changelog, options.since);
  if (options.generatedAt !== undefined) changelog = { ...changelog, generated_at: options.generatedAt };
  const files = renderOutputs(changelog, {
    formats: options.formats,
    ...(options.siteUrl === undefined ? {} : { siteUrl: options.siteUrl }),
  });
  const rendered = performance.now();
  const out = options.out ?? join(history.root, defaultOutDir);
  if (!options.dryRun) {
    await writeFilesAtomic(files.map((file) => ({ path: join(out, file.path), content: file.content })));
  }
  const written = performance.now();
  return {
    root: history.root,
    out,
    files,
    lines: changelog.lines.length,
    entries: changelog.lines.reduce((sum, line) => sum + line.entries.length, 0),
    warnings: history.warnings,
    timings: { readMs: read - started, renderMs: rendered - read, writeMs: written - rendered },
  };
}
