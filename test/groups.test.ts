import childProcess from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { rootTests, unitTests } from './groups.js';

const root = fileURLToPath(new URL('..', import.meta.url));

function testFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return entry.name === 'fixtures' ? [] : testFiles(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('the test groups (test/groups.ts)', () => {
  test('name test files that exist, each in one group at most', () => {
    const missing = [...unitTests, ...rootTests].filter((file) => !existsSync(join(root, file)));
    expect(missing, 'listed in test/groups.ts but not found (renamed or removed?)').toEqual([]);
    expect(unitTests.filter((file) => rootTests.includes(file))).toEqual([]);
  });

  test('put every test that needs root in the root group', () => {
    const asRoot = testFiles('test').filter((file) =>
      /\bdescribeAsRoot\(/.test(readFileSync(join(root, file), 'utf8')),
    );
    expect(
      asRoot.filter((file) => !rootTests.includes(file)),
      'these use describeAsRoot: add them to rootTests',
    ).toEqual([]);
    expect(
      rootTests.filter((file) => !asRoot.includes(file)),
      'these do not use describeAsRoot',
    ).toEqual([]);
  });

  test('the unit group starts no programs', () => {
    expect(relative(root, fileURLToPath(import.meta.url))).toBe('test/groups.test.ts');
    expect(() => childProcess.spawnSync('true')).toThrow(/unit tests start no programs.*"true"/);
    expect(() => childProcess.execFile('true')).toThrow(/move the test file .* test\/groups\.ts/);
  });
});
