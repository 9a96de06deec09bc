import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type LegacyVersionFile,
  planLegacyHistory,
} from '../../../tools/catalog/legacy/plan-legacy-history.js';
import { legacyDataDir } from '../../helpers/legacy-data.js';

const dir = join(legacyDataDir(), 'history');
const logText = readFileSync(join(dir, 'git-log.txt'), 'utf8');
const files: LegacyVersionFile[] = readdirSync(dir)
  .filter((name) => name.endsWith('.EMI-IDs'))
  .sort()
  .map((name) => ({ name, path: `history/${name}`, text: readFileSync(join(dir, name), 'utf8') }));

describe('planLegacyHistory', () => {
  const plan = planLegacyHistory('history/git-log.txt', logText, files);

  it('orders the versions by commit time, not by file name', () => {
    expect(plan.blocking).toEqual([]);
    expect(plan.versions.map((version) => version.source.name)).toEqual([
      '2011-09-25-c585f1f.EMI-IDs',
      '2011-10-23-8d50869.EMI-IDs',
      '2011-12-28-64cc943.EMI-IDs',
      '2011-12-28-1e4f096.EMI-IDs',
      '2012-01-14-e9b9c61.EMI-IDs',
    ]);
  });

  it('changes only the records whose image fields changed', () => {
    const changed = plan.versions.map((version) =>
      version.write.map((file) => file.path).filter((path) => path.startsWith('EMI-IDs/')),
    );
    expect(changed[1]).toEqual(['EMI-IDs/euca-debian-emi.x86_64.yaml']);
    expect(changed[2]).toEqual([
      'EMI-IDs/euca-centos-emi.x86_64.yaml',
      'EMI-IDs/euca-large-centos-emi.x86_64.yaml',
      'EMI-IDs/euca-debian-emi.x86_64.yaml',
      'EMI-IDs/euca-large-debian-emi.x86_64.yaml',
    ]);
    expect(plan.versions[3]?.remove).toEqual([
      'EMI-IDs/euca-ubuntu-emi.x86_64.yaml',
      'image-ids/euca-ubuntu-emi.x86_64',
    ]);
    // Unchanged records keep the line they first came from, though the blocks moved down the file.
    expect(plan.versions[4]?.state.get('EMI-IDs/euca-ubuntu-emi.i386.yaml')).toContain(
      'legacy_source: "EMI-IDs@c585f1f line 49 (ubuntu i386 10.04)"',
    );
  });

  it('reports the old data defects of every version with their file and line', () => {
    expect(plan.problems.length).toBeGreaterThan(0);
    expect(plan.problems).toContainEqual(
      expect.objectContaining({
        file: 'history/2011-09-25-c585f1f.EMI-IDs',
        line: 47,
        message: 'missing closing quote in recipe_name="debian-based',
      }),
    );
  });

  it('stops when versions and log entries do not match up', () => {
    const broken = planLegacyHistory('log', logText, [
      { ...(files[0] as LegacyVersionFile), name: '2011-09-26-c585f1f.EMI-IDs', path: 'a' },
      { name: 'notes.EMI-IDs', path: 'b', text: '' },
      { name: '2011-01-01-fffffff.EMI-IDs', path: 'c', text: '' },
    ]);
    expect(broken.blocking.map((problem) => `${problem.file}:${problem.line} ${problem.message}`)).toEqual([
      'a:0 the file is dated 2011-09-26, but log line 47 dates commit c585f1f 2011-09-25T16:48:13-07:00',
      'b:0 not a version file: expected <YYYY-MM-DD>-<commit>.EMI-IDs',
      'c:0 no commit fffffff in log',
      'log:1 commit e9b9c61 has no version file',
      'log:10 commit 1e4f096 has no version file',
      'log:21 commit 64cc943 has no version file',
      'log:37 commit 8d50869 has no version file',
    ]);
  });
});
