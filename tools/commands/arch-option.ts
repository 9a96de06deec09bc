/** --arch: one of the architectures a record or recipe may name (the schema's list), else a usage error. */
import { readFileSync } from 'node:fs';
import { UsageError } from '../lib/errors.js';
import { toolkitPath } from '../lib/paths.js';

let known: string[] | undefined;

/** The schema's enum of arches (tools/schemas/record.schema.json, image_arch). */
export function knownArches(): string[] {
  known ??= (
    JSON.parse(readFileSync(toolkitPath('tools', 'schemas', 'record.schema.json'), 'utf8')) as {
      properties: { image_arch: { enum: string[] } };
    }
  ).properties.image_arch.enum;
  return known;
}

export function checkArchOption(value: string | undefined): void {
  if (value !== undefined && !knownArches().includes(value))
    throw new UsageError(`--arch: "${value}" is not an architecture emi knows (${knownArches().join(', ')})`);
}
