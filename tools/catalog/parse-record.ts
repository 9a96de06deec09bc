import type { Problem, Result } from '../lib/problems.js';
import { checkSchema } from '../lib/schema-check.js';
import { parseYamlSource, type YamlSource } from '../lib/yaml-source.js';
import type { ImageRecord } from './record-files.js';

export interface ParsedRecord {
  file: string;
  record: ImageRecord;
  source: YamlSource;
}

/** Reads one record file: YAML, then the schema. Problems carry file, line and field. */
export function parseRecord(file: string, content: string | Uint8Array): Result<ParsedRecord> {
  const parsed = parseYamlSource(file, content);
  if (!parsed.ok) return parsed;
  const problems: Problem[] = checkSchema('record', parsed.value);
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, value: { file, record: parsed.value.value as ImageRecord, source: parsed.value } };
}
