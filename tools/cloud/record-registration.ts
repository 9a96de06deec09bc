/**
 * The record's side of a registration: the line's record gains (or updates) its entry for the
 * cloud. `withRegistration` is the pure change; `writeRegistration` hands it to the catalog's one
 * writer (applyCatalogChange).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { applyCatalogChange } from '../catalog/apply-catalog-change.js';
import { parseRecord } from '../catalog/parse-record.js';
import { type ImageRecord, recordPath, renderRecord } from '../catalog/record-files.js';
import { UserError } from '../lib/errors.js';
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

/**
 * Records the registration through the one catalog writer (its lock, its check that the record is
 * still the registered version, its validation, its atomic write). No write when nothing changes.
 */
export async function writeRegistration(
  root: string,
  registered: ImageRecord,
  registration: Registration,
): Promise<WriteRegistrationResult> {
  const path = recordPath(registered);
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
  await applyCatalogChange({
    root,
    change: { write: [{ path, content }] },
    expect: { [path]: registered.image_version },
    what: 'emi register',
  });
  return { path, written: true, record };
}
