import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toolkitPath } from '../../tools/lib/paths.js';
import { createAjv } from '../../tools/lib/schema-check.js';

describe('the JSON Schemas of tools/schemas/', () => {
  const names = readdirSync(toolkitPath('tools', 'schemas')).filter((name) => name.endsWith('.schema.json'));

  it('are valid draft 2020-12 schemas and compile in strict mode', () => {
    // The command skips the meta-schema check at start-up; this is where it happens.
    const ajv = createAjv({ validateSchemas: true });
    expect(names.length).toBeGreaterThanOrEqual(2);
    for (const name of names) {
      expect(ajv.validateSchema(ajv.getSchema(name)?.schema as object), name).toBe(true);
      expect(ajv.getSchema(name), name).toBeTypeOf('function');
    }
  });
});
