import { describe, expect, it } from 'vitest';
import { createAjv, getValidator } from '../../tools/lib/schema-check.js';
import * as precompiled from '../../tools/schemas/generated/validators.js';

// The precompiled validators (ajv standalone code, tools/schemas/generated/validators.ts) must
// answer exactly as the schemas compiled by ajv at run time, errors included: the messages of
// `emi validate` are made from those errors.
const samples: Record<string, unknown[]> = {
  record: [
    {
      image_name: 'euca-debian-emi',
      image_version: '2024.05.01',
      image_arch: 'x86_64',
      image_file: 'euca-debian-2024.05.01-x86_64.img',
      image_stamp: 'abcd-0123',
      image_date: '20240501120000',
      recipe_name: 'debian-based',
    },
    { image_name: 'Bad Name', image_version: 7, image_arch: 'arm', extra: true },
    {},
    null,
    'text',
  ],
  recipe: [
    {
      description: 'd',
      distribution: 'debian',
      release: 'bookworm',
      lines: [{ image_name: 'euca-debian-emi', arches: ['x86_64'], rootfs_size: '1300M' }],
      kernel: { x86_64: 'linux-image-amd64' },
    },
    { description: 1, distribution: 'plan9', lines: [{ image_name: 'x', arches: ['x86_64', 'x86_64'] }] },
    { lines: [] },
  ],
  instance: [{}, { 'instance-id': 5 }],
  latest: [{}, []],
  changelog: [{}, { lines: 'none' }],
};

describe('precompiled schema validators', () => {
  const ajv = createAjv();
  for (const [schema, values] of Object.entries(samples)) {
    it(`${schema}: same answers and errors as ajv compiling the schema`, () => {
      const compiled = ajv.getSchema(`${schema}.schema.json`);
      const standalone = (precompiled as unknown as Record<string, typeof compiled>)[schema];
      expect(compiled).toBeDefined();
      expect(standalone).toBeDefined();
      expect(getValidator(schema)).toBe(standalone);
      for (const value of values) {
        const ok = compiled?.(value);
        expect(standalone?.(value)).toBe(ok);
        expect(standalone?.errors ?? null).toEqual(compiled?.errors ?? null);
      }
    });
  }
});
