// Precompiles the JSON Schemas of tools/schemas/ into tools/schemas/generated/validators.ts with
// ajv's standalone code, so `emi` starts without loading and compiling ajv (half of the start-up of
// `emi new-emi` went there). The options are tools/lib/schema-check.ts's (ajvOptions), so the
// validators and their errors are exactly what ajv compiles at run time. Called by
// generate-types.mjs (`npm run generate-types`; with --check it only compares).
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);

/** The module's text: one exported validate function per schema, named after it. */
export function validatorsSource(schemaFolder) {
  const { Ajv2020 } = require('ajv/dist/2020.js');
  const standaloneCode = require('ajv/dist/standalone/index.js').default;
  const ajv = new Ajv2020({
    allErrors: true,
    verbose: true,
    strict: true,
    allowUnionTypes: true,
    validateSchema: false,
    code: { source: true, esm: true, lines: false },
  });
  ajv.addKeyword({ keyword: 'x-allowed', schemaType: 'string' });
  const files = readdirSync(schemaFolder)
    .filter((file) => file.endsWith('.schema.json'))
    .sort();
  for (const file of files) ajv.addSchema(JSON.parse(readFileSync(join(schemaFolder, file), 'utf8')), file);
  const exports = Object.fromEntries(files.map((file) => [file.replace(/\.schema\.json$/, ''), file]));
  let code = standaloneCode(ajv, exports);
  // ajv's ESM output still require()s its runtime helpers (CommonJS): give the module a require.
  const required = [...code.matchAll(/require\("([^"]+)"\)/g)].map((match) => match[1]);
  if (required.some((path) => !path.startsWith('ajv/dist/runtime/')))
    throw new Error(`ajv standalone code requires a module not expected here: ${required.join(', ')}`);
  code = code.replace(/^"use strict";/, '');
  return [
    '// @ts-nocheck',
    '/* Generated from tools/schemas/*.schema.json by `npm run generate-types` (ajv standalone code): do not edit. */',
    "import { createRequire } from 'node:module';",
    'const require = createRequire(import.meta.url);',
    code,
    '',
  ].join('\n');
}
