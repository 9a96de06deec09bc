import { describe, expect, it } from 'vitest';
import {
  dayVersionOf,
  epochOfImageDate,
  imageDateOf,
  maxEpoch,
  momentOf,
  stampOf,
} from '../../tools/catalog/stamp.js';
import { runCommand } from '../../tools/lib/exec.js';
import { createTempDir } from '../helpers/git-repo.js';
import { runEmi } from '../helpers/run-emi.js';

/** The original pipeline, run by the real shell and coreutils for every epoch at once. */
async function shellStamps(
  epochs: number[],
  tz = 'UTC',
): Promise<{ stamp: string; utc: string; local: string }[]> {
  const script = `
for n in "$@"; do
  s=$(date -d "@$n" +%s | md5sum | sed 's/\\(....\\)\\(....\\).*/\\1-\\2/')
  printf '%s %s %s\\n' "$s" "$(date -u -d "@$n" +%Y%m%d%H%M%S)" "$(date -d "@$n" +%Y%m%d%H%M%S)"
done`;
  const { stdout } = await runCommand('sh', ['-c', script, 'sh', ...epochs.map(String)], { env: { TZ: tz } });
  return stdout
    .trim()
    .split('\n')
    .map((line) => {
      const [stamp = '', utc = '', local = ''] = line.split(' ');
      return { stamp, utc, local };
    });
}

// 0, the 32-bit boundary and beyond 2038, leap days, the last second image_date can hold, and a
// spread of pseudo-random moments.
const epochs = [
  0, 1, 9, 10, 99, 1000, 1326553503, 1326586143, 2147483647, 2147483648, 4294967295, 4294967296, 951782400,
  4107542400, 253402300799,
];
let seed = 42;
for (let i = 0; i < 200; i++) {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  epochs.push(Math.floor((seed / 2 ** 31) * 5_000_000_000));
}

describe('stamp', () => {
  it('equals `date +%s | md5sum | sed …` and `date -u +%Y%m%d%H%M%S` for every moment', async () => {
    const expected = await shellStamps(epochs);
    expect(expected).toHaveLength(epochs.length);
    for (const [index, epoch] of epochs.entries()) {
      const shell = expected[index];
      expect({ epoch, stamp: stampOf(epoch), date: imageDateOf(epoch) }).toEqual({
        epoch,
        stamp: shell?.stamp,
        date: shell?.utc,
      });
    }
  });

  it('uses the local time zone only when asked', async () => {
    const sample = [0, 1326553503, 2147483648, 4107542400];
    const shell = await shellStamps(sample, 'America/Los_Angeles');
    const result = await runCommand(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { imageDateOf } = await import(${JSON.stringify(new URL('../../dist/tools/catalog/stamp.js', import.meta.url).href)});
         process.stdout.write(JSON.stringify(${JSON.stringify(sample)}.map((n) => imageDateOf(n, 'local'))));`,
      ],
      { env: { TZ: 'America/Los_Angeles' } },
    );
    expect(JSON.parse(result.stdout)).toEqual(shell.map((row) => row.local));
  });

  it('gives the version of the day and reads image_date back', () => {
    expect(momentOf(1326553503)).toEqual({
      image_stamp: stampOf(1326553503),
      image_date: '20120114150503',
      image_version: '2012.01.14',
    });
    expect(dayVersionOf(maxEpoch)).toBe('9999.12.31');
    for (const epoch of epochs) expect(epochOfImageDate(imageDateOf(epoch))).toBe(epoch);
    expect(epochOfImageDate('20230230120000')).toBeUndefined();
    expect(epochOfImageDate('20231301120000')).toBeUndefined();
    expect(epochOfImageDate('20230101250000')).toBeUndefined();
    expect(epochOfImageDate('20230101126000')).toBeUndefined();
    expect(epochOfImageDate('2023010112000')).toBeUndefined();
  });
});

describe('emi stamp', () => {
  it('prints the JSON object for --epoch and agrees with the shell', async () => {
    const cwd = await createTempDir();
    for (const epoch of [0, 2147483648, 4294967296, 1326553503]) {
      const [shell] = await shellStamps([epoch]);
      const result = await runEmi(['stamp', '--epoch', String(epoch), '--json'], { cwd });
      expect(result.exitCode).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual({
        image_stamp: shell?.stamp,
        image_date: shell?.utc,
        image_version: `${shell?.utc.slice(0, 4)}.${shell?.utc.slice(4, 6)}.${shell?.utc.slice(6, 8)}`,
      });
    }
  });

  it('prints sh-sourceable lines by default and the current moment without --epoch', async () => {
    const cwd = await createTempDir();
    const before = Math.floor(Date.now() / 1000);
    const result = await runEmi(['stamp'], { cwd });
    const after = Math.floor(Date.now() / 1000);
    expect(result.exitCode).toBe(0);
    const values = Object.fromEntries(
      result.stdout
        .trim()
        .split('\n')
        .map((line) => /^(\w+)="(.*)"$/.exec(line)?.slice(1, 3) as [string, string]),
    );
    const candidates = [];
    for (let epoch = before; epoch <= after; epoch++) candidates.push(momentOf(epoch));
    expect(candidates).toContainEqual(values);
  });

  it('refuses bad options with a usage error', async () => {
    const cwd = await createTempDir();
    for (const args of [
      ['--epoch', '-5'],
      ['--epoch', 'soon'],
      ['--epoch', '253402300800'],
      ['--tz', 'mars'],
      ['--bogus'],
    ]) {
      const result = await runEmi(['stamp', ...args], { cwd });
      expect(result.exitCode, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(/^emi: /);
      expect(result.stderr).not.toMatch(/at .*\.js:\d+/);
    }
  });
});
