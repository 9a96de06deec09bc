/**
 * Checks plain data against the JSON Schemas in tools/schemas/ (draft 2020-12, compiled by ajv)
 * and turns ajv's errors into located problems with sentences a person can act on.
 *
 * The schemas are precompiled (tools/schemas/generated/validators.ts, ajv's standalone code made
 * by `npm run generate-types` with the options of createAjv; a test keeps it current), so a
 * command does not load and compile ajv at every start. ajv itself loads only for a schema that
 * is not precompiled, and for the tests that check the schemas.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Ajv2020, ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import * as precompiled from '../schemas/generated/validators.js';
import { toolkitPath } from './paths.js';
import { formatPath, type Problem } from './problems.js';
import type { YamlSource } from './yaml-source.js';

export type SchemaName = 'record' | 'recipe' | (string & {});

let ajv: Ajv2020 | undefined;
const compiled = new Map<string, ValidateFunction>();

/**
 * One ajv for every schema of tools/schemas/. The schemas themselves are checked against the
 * draft 2020-12 meta-schema by the test suite (test/schemas/), so that check is not paid again at
 * every start of the command (it costs more than compiling a schema).
 */
export function createAjv(options: { validateSchemas?: boolean } = {}): Ajv2020 {
  const { Ajv2020: Ajv } = createRequire(import.meta.url)(
    'ajv/dist/2020.js',
  ) as typeof import('ajv/dist/2020.js');
  const instance = new Ajv({
    allErrors: true,
    verbose: true,
    strict: true,
    allowUnionTypes: true,
    validateSchema: options.validateSchemas ?? false,
  });
  // An annotation of ours: what a pattern allows, in words, for the error message.
  instance.addKeyword({ keyword: 'x-allowed', schemaType: 'string' });
  const folder = toolkitPath('tools', 'schemas');
  for (const name of readdirSync(folder)
    .filter((file) => file.endsWith('.schema.json'))
    .sort()) {
    instance.addSchema(JSON.parse(readFileSync(`${folder}/${name}`, 'utf8')) as object, name);
  }
  return instance;
}

function getAjv(): Ajv2020 {
  ajv ??= createAjv();
  return ajv;
}

export function getValidator(schema: SchemaName): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    const found =
      (precompiled as unknown as Record<string, ValidateFunction | undefined>)[schema] ??
      getAjv().getSchema(`${schema}.schema.json`);
    if (!found) throw new Error(`no schema tools/schemas/${schema}.schema.json`);
    validate = found;
    compiled.set(schema, validate);
  }
  return validate;
}

/** Validates the parsed YAML against a schema; returns one problem per distinct error. */
export function checkSchema(schema: SchemaName, source: YamlSource): Problem[] {
  const validate = getValidator(schema);
  if (validate(source.value)) return [];
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const error of validate.errors ?? []) {
    // `if`/`anyOf` wrappers repeat what their inner errors already say.
    if (error.keyword === 'if' || error.keyword === 'anyOf' || error.keyword === 'oneOf') continue;
    const problem = toProblem(source, error);
    const key = `${problem.path}\0${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
  }
  return problems;
}

export function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^(0|[1-9][0-9]*)$/.test(part) ? Number(part) : part));
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function describe(error: ErrorObject): string | undefined {
  const parent = error.parentSchema as { description?: string } | undefined;
  return parent?.description;
}

function toProblem(source: YamlSource, error: ErrorObject): Problem {
  const path = pointerToPath(error.instancePath);
  const params = error.params as Record<string, unknown>;
  let fieldPath = path;
  let locatePath = path;
  let which: 'value' | 'key' = 'value';
  let message: string;
  switch (error.keyword) {
    case 'required':
      // Located at the mapping that lacks the field; the path names the missing field.
      fieldPath = [...path, String(params.missingProperty)];
      message = `missing required field ${formatPath(fieldPath)}`;
      break;
    case 'additionalProperties':
      fieldPath = locatePath = [...path, String(params.additionalProperty)];
      which = 'key';
      message = `unknown field "${String(params.additionalProperty)}" (allowed: ${Object.keys(
        (error.parentSchema as { properties?: object }).properties ?? {},
      ).join(', ')})`;
      break;
    case 'propertyNames':
      message = `unknown key "${String(params.propertyName)}"`;
      fieldPath = locatePath = [...path, String(params.propertyName)];
      which = 'key';
      break;
    case 'type': {
      if (typeof error.data === 'number' && !Number.isFinite(error.data)) {
        message = `must be ${String(params.type)}: this number is too large to hold (it reads as ${error.data})`;
        break;
      }
      const hint =
        params.type === 'string' && typeof error.data === 'number'
          ? ': quote it, YAML reads it as a number'
          : '';
      message = `must be ${String(params.type)}, not ${error.data === null ? 'empty' : typeof error.data} ${show(error.data)}${hint}`;
      break;
    }
    case 'enum':
      message = `${show(error.data)} is not one of ${(params.allowedValues as unknown[]).map(show).join(', ')}`;
      break;
    case 'pattern': {
      // Say what is allowed: the schema's x-allowed, else a description that is a format, else
      // the pattern itself.
      const allowed = (error.parentSchema as { 'x-allowed'?: string } | undefined)?.['x-allowed'];
      const what = describe(error);
      message = allowed
        ? `${show(error.data)} is not allowed here: ${allowed}`
        : `${show(error.data)} has the wrong format${what ? `: ${what}` : ` (must match ${String(params.pattern)})`}`;
      break;
    }
    case 'const':
      message = `must be ${show(params.allowedValue)}`;
      break;
    default:
      message = `${error.message ?? 'is invalid'}${error.data === undefined ? '' : ` (got ${show(error.data)})`}`;
  }
  const { line, column } = source.locate(locatePath, which);
  return { file: source.file, line, column, path: formatPath(fieldPath), message };
}
