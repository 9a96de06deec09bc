import { isValidEpoch, maxEpoch, momentOf, type TimeZone } from '../catalog/stamp.js';
import { ExitCode, UsageError } from '../lib/errors.js';
import type { CommandRun } from './types.js';

export function parseEpochOption(value: string | undefined, now = Date.now()): number {
  if (value === undefined) return Math.floor(now / 1000);
  if (!/^[0-9]+$/.test(value))
    throw new UsageError(`--epoch must be a whole number of seconds (0 or more), not "${value}"`);
  const epoch = Number(value);
  if (!isValidEpoch(epoch)) throw new UsageError(`--epoch must be between 0 and ${maxEpoch}`);
  return epoch;
}

export const run: CommandRun = async (values, _positionals, context) => {
  const tz = (values.tz ?? 'utc') as string;
  if (tz !== 'utc' && tz !== 'local') throw new UsageError(`--tz must be utc or local, not "${tz}"`);
  const moment = momentOf(parseEpochOption(values.epoch as string | undefined), tz as TimeZone);
  if (values.json) context.out(`${JSON.stringify(moment)}\n`);
  else {
    context.out(
      `image_stamp="${moment.image_stamp}"\nimage_date="${moment.image_date}"\nimage_version="${moment.image_version}"\n`,
    );
  }
  return ExitCode.ok;
};
