import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLegacyCatalog } from '../../../tools/catalog/legacy/parse-legacy.js';
import {
  largeLineName,
  padVersion,
  planLegacyImport,
} from '../../../tools/catalog/legacy/plan-legacy-import.js';
import { recordPath } from '../../../tools/catalog/record-files.js';
import { toolkitPath } from '../../../tools/lib/paths.js';

// A verbatim copy of the original catalog and its history (see test/fixtures/legacy/README.md).
const legacy = toolkitPath('test', 'fixtures', 'legacy');
const files = [
  join(legacy, 'EMI-IDs'),
  ...readdirSync(join(legacy, 'history'))
    .filter((name) => name.endsWith('.EMI-IDs'))
    .sort()
    .map((name) => join(legacy, 'history', name)),
];

describe('legacy import of the original catalog', () => {
  for (const file of files) {
    it(`imports or reports every block of ${file.split('/').slice(-2).join('/')}`, () => {
      const text = readFileSync(file, 'utf8');
      const plan = planLegacyImport(file, text);
      const headings = parseLegacyCatalog(text).map((block) => block.heading.line);
      const imported = plan.imported.map((entry) => entry.line);
      const reported = plan.problems
        .filter((problem) => /^block ".*" not imported/.test(problem.message))
        .map((problem) => problem.line);
      expect([...imported, ...reported].sort((a, b) => a - b)).toEqual(headings);
      expect(plan.blocks).toBe(headings.length);
      for (const entry of plan.imported) {
        expect(entry.record.status).toBe('legacy');
        expect(entry.record.legacy_source).toMatch(new RegExp(`line ${entry.line} \\(`));
      }
      expect(new Set(plan.imported.map((entry) => recordPath(entry.record))).size).toBe(plan.imported.length);
    });
  }

  it('reports each defect of the last catalog with its line', () => {
    const file = join(legacy, 'EMI-IDs');
    const plan = planLegacyImport(file, readFileSync(file, 'utf8'), 'EMI-IDs');
    const at = (line: number) =>
      plan.problems.filter((problem) => problem.line === line).map((problem) => problem.message);
    expect(at(53)).toEqual(['missing closing quote in recipe_name="debian-based']);
    expect(at(12)).toEqual(['unpadded version "2012.1.14": recorded as "2012.01.14"']);
    expect(at(22)).toEqual([
      'labelled date but "6e69-7565" is a stamp: the labels are swapped, recognised by shape',
    ]);
    expect(at(23)).toEqual([
      'labelled stamp but "20110716161844" is a date: the labels are swapped, recognised by shape',
    ]);
    expect(at(26)).toEqual([
      'image_name "euca-centos-emi" does not say large, but the heading and image_file "euca-large-centos-2012.1.14-x86_64.img" do: recorded as "euca-large-centos-emi"',
    ]);
    expect(at(42)).toEqual([
      'euca-debian-large-2011.07.02-i386.tgz is listed under "debian i386 6" but no block gives its own date and stamp: not imported',
    ]);
    expect(at(86)).toEqual([
      'image_file "euca-large-ubuntu-10.04-2012.1.14-x86_64.img" disagrees with image_name "euca-large-ubuntu-emi"',
    ]);
    expect(plan.problems.every((problem) => problem.line > 0 && problem.column > 0)).toBe(true);

    const byPath = Object.fromEntries(plan.imported.map((entry) => [recordPath(entry.record), entry.record]));
    expect(byPath['EMI-IDs/euca-debian-emi.x86_64.yaml']).toEqual({
      image_name: 'euca-debian-emi',
      image_version: '2012.01.14',
      image_arch: 'x86_64',
      image_file: 'euca-debian-2012.1.14-x86_64.img',
      image_stamp: '3752-f34a',
      image_date: '20120114152138',
      recipe_name: 'debian-based',
      status: 'legacy',
      legacy_source: 'EMI-IDs line 46 (debian x86_64 6)',
    });
    expect(byPath['EMI-IDs/euca-centos-emi.i386.yaml']).toMatchObject({
      image_version: '2011.07.02',
      image_file: 'euca-centos-2011.07.02-i386.tgz',
      image_stamp: '6e69-7565',
      image_date: '20110716161844',
      recipe_name: 'centos-based',
    });
    expect(Object.keys(byPath).sort()).toEqual([
      'EMI-IDs/euca-centos-emi.i386.yaml',
      'EMI-IDs/euca-centos-emi.x86_64.yaml',
      'EMI-IDs/euca-debian-emi.i386.yaml',
      'EMI-IDs/euca-debian-emi.x86_64.yaml',
      'EMI-IDs/euca-large-centos-emi.i386.yaml',
      'EMI-IDs/euca-large-centos-emi.x86_64.yaml',
      'EMI-IDs/euca-large-debian-emi.x86_64.yaml',
      'EMI-IDs/euca-large-ubuntu-emi.x86_64.yaml',
      'EMI-IDs/euca-ubuntu-10.04-emi.x86_64.yaml',
      'EMI-IDs/euca-ubuntu-emi.i386.yaml',
    ]);
  });

  it('keeps one line name for a large image across the catalog history', () => {
    const lineOf = (file: string, heading: string) =>
      planLegacyImport(file, readFileSync(file, 'utf8')).imported.find((entry) =>
        entry.heading.startsWith(heading),
      )?.record.image_name;
    expect(lineOf(join(legacy, 'history', '2011-09-25-c585f1f.EMI-IDs'), 'centos large x86_64')).toBe(
      'euca-large-centos-emi',
    );
    expect(lineOf(join(legacy, 'EMI-IDs'), 'centos large x86_64')).toBe('euca-large-centos-emi');
    expect(largeLineName('euca-centos-large')).toBe('euca-large-centos-emi');
    expect(largeLineName('euca-large-ubuntu-10.04')).toBe('euca-large-ubuntu-10.04-emi');
  });

  it('pads versions and refuses what is not a date', () => {
    expect(padVersion('2012.1.14')).toBe('2012.01.14');
    expect(padVersion('2012.12.28')).toBe('2012.12.28');
    expect(padVersion('latest')).toBeUndefined();
  });

  it('reports hostile or broken blocks instead of crashing', () => {
    const text = [
      'intro prose',
      '',
      'debian x86_64 6:',
      '\timage_name="euca-debian-emi"',
      '\timage_version="soon"',
      '',
      'weird block:',
      '\trm -rf /',
      '',
      'debian x86_64 7:',
      '\timage_name="$(reboot)-emi"',
      '\timage_version="2012.01.14"',
      '\timage_arch="x86_64"',
      '\timage_file="x-2012.01.14-x86_64.img"',
      '\timage_stamp="3752-f34a"',
      '\timage_date="20120114152138"',
      '\trecipe_name="debian-based"',
      '\tcolour="blue"',
      '',
    ].join('\n');
    const plan = planLegacyImport('old', text);
    expect(plan.imported).toEqual([]);
    const messages = plan.problems.map((problem) => `${problem.line}: ${problem.message}`);
    expect(messages).toContain(
      '3: block "debian x86_64 6" not imported: missing image_arch, image_file, image_stamp, image_date, recipe_name',
    );
    expect(messages).toContain('8: line not understood: "rm -rf /"');
    expect(messages).toContain(
      '7: block "weird block" not imported: missing image_name, image_version, image_arch, image_file, image_stamp, image_date, recipe_name',
    );
    expect(messages).toContain('18: unknown field colour: ignored');
    expect(
      messages.some((message) =>
        message.startsWith('10: block "debian x86_64 7" not imported: image_name must match'),
      ),
    ).toBe(true);
  });
});
