/**
 * `emi import-legacy`, the applying part: hands the planned legacy records and their image-id files
 * to the catalog writer (lock, each record still as planned, validated, written atomically).
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { UserError } from '../../lib/errors.js';
import type { Problem } from '../../lib/problems.js';
import { worktreeReader } from '../../lib/tree-reader.js';
import { applyCatalogChange } from '../apply-catalog-change.js';
import { parseRecord } from '../parse-record.js';
import { imageIdPath, recordPath, renderImageId, renderRecord } from '../record-files.js';
import { type LegacyImportPlan, planLegacyImport } from './plan-legacy-import.js';

export interface LegacyImportOptions {
  /** The original catalog file. */
  file: string;
  /** The catalog repository root to write into. */
  out: string;
  dryRun?: boolean;
  /** How the source is named in each record's legacy_source (default: the file's name). */
  sourceLabel?: string;
}

export interface LegacyImportResult extends LegacyImportPlan {
  /** Paths written (records and image-id files), relative to out. */
  written: string[];
  /** Records already identical in the catalog. */
  unchanged: string[];
}

export async function importLegacy(options: LegacyImportOptions): Promise<LegacyImportResult> {
  let text: string;
  try {
    text = await readFile(options.file, 'utf8');
  } catch (error) {
    throw new UserError(`cannot read ${options.file}: ${(error as Error).message}`);
  }
  const plan = planLegacyImport(options.file, text, options.sourceLabel ?? basename(options.file));
  const reader = worktreeReader(options.out);
  const paths = plan.imported.map((entry) => recordPath(entry.record));
  const existing = await reader.read(paths);
  const files: { path: string; content: string }[] = [];
  const unchanged: string[] = [];
  const problems: Problem[] = [...plan.problems];
  const imported = [];
  const expect: Record<string, string | null> = {};
  for (const entry of plan.imported) {
    const path = recordPath(entry.record);
    const content = renderRecord(entry.record);
    const current = existing.get(path);
    let seen: string | null = null;
    if (current !== undefined) {
      const parsed = parseRecord(path, current);
      if (!parsed.ok || parsed.value.record.status !== 'legacy') {
        problems.push({
          file: options.file,
          line: entry.line,
          column: 1,
          path: '',
          message: `block "${entry.heading}" not imported: ${path} already holds a record that is not legacy`,
        });
        continue;
      }
      seen = parsed.value.record.image_version;
      if (current.toString('utf8') === content) {
        unchanged.push(path);
        imported.push(entry);
        continue;
      }
    }
    imported.push(entry);
    expect[path] = seen;
    files.push({ path, content }, { path: imageIdPath(entry.record), content: renderImageId(entry.record) });
  }
  if (!options.dryRun && files.length > 0) {
    await applyCatalogChange({
      root: options.out,
      change: { write: files },
      expect,
      what: 'emi import-legacy',
    });
  }
  return {
    ...plan,
    imported,
    problems,
    written: options.dryRun ? [] : files.map((file) => file.path),
    unchanged,
  };
}
