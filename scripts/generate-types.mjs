#!/usr/bin/env node
// Generates tools/schemas/generated/*.ts from the JSON Schemas, so the TypeScript types follow the
// schemas (the one definition of each format), and validators.ts, the schemas precompiled by ajv
// (generate-validators.mjs). `npm run generate-types` refreshes them; a test
// fails when they are out of date. With --check it only compares.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile } from 'json-schema-to-typescript';
import { validatorsSource } from './generate-validators.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const folder = join(root, 'tools', 'schemas');
const check = process.argv.includes('--check');
let stale = 0;
for (const file of readdirSync(folder)
  .filter((name) => name.endsWith('.schema.json'))
  .sort()) {
  const schema = JSON.parse(readFileSync(join(folder, file), 'utf8'));
  const ts = await compile(schema, schema.title, {
    cwd: folder,
    bannerComment: `/* Generated from tools/schemas/${file} by \`npm run generate-types\`: do not edit. */`,
    additionalProperties: false,
    unknownAny: true,
    maxItems: -1,
    style: { singleQuote: true, printWidth: 110 },
    $refOptions: { resolve: { external: true } },
  });
  const target = join(folder, 'generated', file.replace('.schema.json', '.ts'));
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {}
  if (current === ts) continue;
  if (check) {
    console.error(`${target} is out of date: run npm run generate-types`);
    stale++;
  } else {
    writeFileSync(target, ts);
    console.log(`wrote ${target}`);
  }
}
{
  const target = join(folder, 'generated', 'validators.ts');
  const source = validatorsSource(folder);
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {}
  if (current !== source) {
    if (check) {
      console.error(`${target} is out of date: run npm run generate-types`);
      stale++;
    } else {
      writeFileSync(target, source);
      console.log(`wrote ${target}`);
    }
  }
}
process.exit(stale ? 1 : 0);
