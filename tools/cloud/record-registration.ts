/**
 * The record's side of a registration: the line's record gains (or updates) its entry for the
 * cloud. `withRegistration` is the pure change; `writeRegistration` is the one place that writes
 * it, under the catalog's lock, only while the record is still the release that was registered,
 * validated as `emi validate` would, atomically, and not at all when nothing changes.
 * (When tools/catalog/apply-catalog-change.ts lands, writeRegistration becomes a call to it.)
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseRecord } from '../catalog/parse-record.js';
import { type ImageRecord, recordPath, renderRecord } from '../catalog/record-files.js';
import { validatePlannedFiles } from '../catalog/validate-catalog.js';
import { writeFilesAtomic } from '../lib/atomic-write.js';
import { UserError } from '../lib/errors.js';
import { getGitDir } from '../lib/git.js';
import { acquireLock } from '../lib/lock.js';
import { formatProblem } from '../lib/problems.js';
import type { Registration } from './register-images.js';

/** The record with this cloud's entry set (other clouds kept, entries sorted by cloud). */
export function withRegistration(record: ImageRecord, registration: Registration): ImageRecord {
  const others = (record.registrations ?? []).filter((entry) => entry.cloud !== registration.cloud);
  const previous = record.registrations?.find((entry) => entry.cloud === registration.cloud);
  // The same images registered again keep their first date: a re-run changes nothing.
  const entry =
    previous &&
    previous.image_id === registration.image_id &&
    previous.kernel_id === registration.kernel_id &&
    previous.ramdisk_id === registration.ramdisk_id
      ? previous
      : { ...registration };
  const registrations = [...others, entry].sort((a, b) =>
    a.cloud < b.cloud ? -1 : a.cloud > b.cloud ? 1 : 0,
  );
  return { ...record, registrations };
}

export interface WriteRegistrationResult {
  path: string;
  written: boolean;
  record: ImageRecord;
}

export async function writeRegistration(
  root: string,
  registered: ImageRecord,
  registration: Registration,
): Promise<WriteRegistrationResult> {
  const path = recordPath(registered);
  const release = await acquireLock(join(await getGitDir(root), 'emi-new-emi.lock'), 'emi register');
  try {
    const text = await readFile(join(root, path), 'utf8').catch(() => undefined);
    const now = text === undefined ? undefined : parseRecord(path, text);
    if (!now?.ok) throw new UserError(`${path} cannot be read any more: the registration is not recorded`);
    const current = now.value.record;
    if (current.image_version !== registered.image_version || current.image_stamp !== registered.image_stamp)
      throw new UserError(
        `${path} changed during the registration (${registered.image_version} → ${current.image_version}): the registration is not recorded`,
      );
    const record = withRegistration(current, registration);
    const content = renderRecord(record);
    if (content === text) return { path, written: false, record };
    const report = await validatePlannedFiles(root, [{ path, content }]);
    if (!report.ok)
      throw new UserError(`the record would not validate:\n${report.problems.map(formatProblem).join('\n')}`);
    await writeFilesAtomic([{ path: join(root, path), content }]);
    return { path, written: true, record };
  } finally {
    await release();
  }
}
