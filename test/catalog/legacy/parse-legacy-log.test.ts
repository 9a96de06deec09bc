import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLegacyLog, parseLogDate } from '../../../tools/catalog/legacy/parse-legacy-log.js';
import { legacyDataDir } from '../../helpers/legacy-data.js';

describe('parseLegacyLog', () => {
  it('reads the saved log of the original catalog', () => {
    const file = join(legacyDataDir(), 'history', 'git-log.txt');
    const { entries, problems } = parseLegacyLog(file, readFileSync(file, 'utf8'));
    expect(problems).toEqual([]);
    expect(
      entries.map((entry) => [entry.commit.slice(0, 7), entry.author, entry.email, entry.date, entry.line]),
    ).toEqual([
      ['e9b9c61', 'graziano obertelli', '', '2012-01-14T16:12:36-08:00', 1],
      ['1e4f096', 'graziano obertelli', '', '2011-12-28T17:47:41-08:00', 10],
      ['64cc943', 'graziano obertelli', '', '2011-12-28T15:45:01-08:00', 21],
      ['8d50869', 'Graziano Obertelli', '', '2011-10-23T14:33:50-07:00', 37],
      ['c585f1f', 'Graziano Obertelli', '', '2011-09-25T16:48:13-07:00', 47],
    ]);
    expect(entries[0]?.message).toBe(
      'Added udev rules and hostname setup\n\nAdded the scripts and udev rule to handle block devices (xvd* and vd*).\nrc.local now sets the hostname too. Closes #97 and #96.\n',
    );
    expect(entries[0]?.time).toBe(1326586356);
  });

  it("reads git's default format with indented messages and addresses", () => {
    const text = [
      'commit 0123456789abcdef0123456789abcdef01234567',
      'Merge: aaaaaaa bbbbbbb',
      'Author: Ann Example <ann@example.invalid>',
      'Date:   Sat Jan 14 16:12:36 2012 -0800',
      '',
      '    Subject',
      '',
      '    Body line',
      '        indented more',
      '',
    ].join('\n');
    const { entries, problems } = parseLegacyLog('log', text);
    expect(problems).toEqual([]);
    expect(entries[0]).toMatchObject({
      author: 'Ann Example',
      email: 'ann@example.invalid',
      date: '2012-01-14T16:12:36-08:00',
      message: 'Subject\n\nBody line\n    indented more\n',
    });
  });

  it('reports what it cannot read, with the line', () => {
    const { entries, problems } = parseLegacyLog(
      'log',
      'stray text\ncommit 0123456\nAuthor: A\nDate: 2011-02-30T10:00:00Z\n\nmessage\n',
    );
    expect(entries).toEqual([]);
    expect(problems.map((problem) => `${problem.line} ${problem.path} ${problem.message}`)).toEqual([
      '1  expected "commit <id>", found "stray text"',
      '4 Date "2011-02-30T10:00:00Z" is not a date (ISO 8601 or git\'s default format)',
      '2 Date commit 0123456 has no usable Date line',
    ]);
  });

  it('understands the date forms git writes', () => {
    expect(parseLogDate('2012-01-14 16:12:36 -0800')).toEqual({
      date: '2012-01-14T16:12:36-08:00',
      time: 1326586356,
    });
    expect(parseLogDate('2012-01-15T00:12:36Z')?.time).toBe(1326586356);
    expect(parseLogDate('yesterday')).toBeUndefined();
  });
});
