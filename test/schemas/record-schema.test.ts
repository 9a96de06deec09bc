import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseRecord } from '../../tools/catalog/parse-record.js';

const fixtures = fileURLToPath(new URL('../fixtures/records/', import.meta.url));
const read = (kind: string, name: string) => readFileSync(join(fixtures, kind, name));

describe('record schema: valid fixtures', () => {
  for (const name of readdirSync(join(fixtures, 'valid'))) {
    it(`accepts ${name}`, () => {
      const result = parseRecord(name, read('valid', name));
      expect(result.ok ? [] : result.problems).toEqual([]);
    });
  }
});

/** Each invalid fixture: the exact field path, its line, and a phrase of the message. */
const expectations: Record<string, { path: string; line: number; message: RegExp }> = {
  'missing-date.yaml': { path: 'image_date', line: 1, message: /missing required field image_date/ },
  'unknown-field.yaml': { path: 'image_colour', line: 8, message: /unknown field "image_colour"/ },
  'date-as-number.yaml': { path: 'image_date', line: 6, message: /must be string.*quote it/ },
  'unpadded-version.yaml': {
    path: 'image_version',
    line: 2,
    message: /"2026\.1\.6" has the wrong format: YYYY\.MM\.DD/,
  },
  'uppercase-stamp.yaml': {
    path: 'image_stamp',
    line: 5,
    message: /"A753-2F9E" has the wrong format: xxxx-xxxx in lowercase hex/,
  },
  'unknown-arch.yaml': {
    path: 'image_arch',
    line: 3,
    message: /"sparc" is not one of "x86_64", "i386", "aarch64"/,
  },
  'name-without-emi.yaml': { path: 'image_name', line: 1, message: /ending in -emi/ },
  'bad-status.yaml': {
    path: 'status',
    line: 8,
    message: /"retired" is not one of "current", "deprecated", "legacy"/,
  },
  'bad-artifact.yaml': {
    path: 'artifacts[0].sha256',
    line: 10,
    message: /^"not-a-hash" is not allowed here: 64 lowercase hex digits$/,
  },
  // Says what is allowed, not what the field is for.
  'recipe-with-slash.yaml': {
    path: 'recipe_name',
    line: 7,
    message:
      /is not allowed here: a folder name under recipes\/: lowercase letters, digits, '\.', '_' and '-', starting with a letter or digit \(no '\/'\)$/,
  },
  'date-too-short.yaml': {
    path: 'image_date',
    line: 6,
    message: /"2026112623" has the wrong format: The build moment in UTC/,
  },
  'bad-registration.yaml': {
    path: 'registrations[0].registered_at',
    line: 13,
    message: /"yesterday" has the wrong format: When the images were registered/,
  },
  'registration-without-kernel.yaml': {
    path: 'registrations[0].kernel_id',
    line: 9,
    message: /missing required field registrations\[0\]\.kernel_id/,
  },
  'shell-in-file.yaml': { path: 'image_file', line: 4, message: /"\$\(reboot\)\.img" has the wrong format/ },
};

describe('record schema: numbers YAML cannot hold', () => {
  it('says a size of 1e400 is too large, not "number null"', () => {
    const text = readFileSync(join(fixtures, 'valid', 'full.yaml'), 'utf8');
    const withArtifact = text.replace(/size: \d+/, 'size: 1e400');
    expect(withArtifact).toContain('size: 1e400');
    const result = parseRecord('r.yaml', withArtifact);
    expect(
      result.ok ? [] : result.problems.map((problem) => `${problem.path}: ${problem.message}`),
    ).toContain(
      'artifacts[0].size: must be integer: this number is too large to hold (it reads as Infinity)',
    );
  });
});

describe('record schema: invalid fixtures', () => {
  it('has an expectation for every invalid fixture', () => {
    expect(readdirSync(join(fixtures, 'invalid')).sort()).toEqual(Object.keys(expectations).sort());
  });
  for (const [name, expected] of Object.entries(expectations)) {
    it(`rejects ${name} at ${expected.path}`, () => {
      const result = parseRecord(`EMI-IDs/${name}`, read('invalid', name));
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.problems).toHaveLength(1);
      const [problem] = result.problems;
      expect(problem).toMatchObject({ file: `EMI-IDs/${name}`, path: expected.path, line: expected.line });
      expect(problem?.message).toMatch(expected.message);
      expect(problem?.column).toBeGreaterThan(0);
    });
  }
});

describe('record files that are not YAML records', () => {
  const cases: [string, string | Uint8Array, RegExp, number][] = [
    ['empty', '', /file is empty/, 1],
    ['blank lines', '\n \n', /file is empty/, 1],
    ['binary', new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2]), /binary/, 1],
    ['invalid UTF-8', new Uint8Array([0x69, 0x6d, 0xff, 0xfe]), /binary/, 1],
    ['many megabytes', 'a'.repeat(3 * 1024 * 1024), /3\.0 MiB: far too large/, 1],
    ['a list', '- a\n- b\n', /expected a mapping/, 1],
    // An unclosed quote runs to the end of the file, where the parser notices it.
    ['malformed', 'image_name: "euca-debian-emi\nimage_arch: x86_64\n', /YAML:.*(quote|end)/i, 3],
    ['duplicate key', 'image_name: a\nimage_arch: x86_64\nimage_name: b\n', /duplicate key/, 3],
    ['bad indentation', 'image_name: a\n  image_arch: x86_64\n', /YAML: Nested mappings/, 1],
  ];
  for (const [label, content, message, line] of cases) {
    it(`reports ${label} with its location`, () => {
      const result = parseRecord('EMI-IDs/x.yaml', content);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.problems[0]?.message).toMatch(message);
      expect(result.problems[0]?.line).toBe(line);
    });
  }
});
