/**
 * Registers a record's image in one cloud: list what the cloud holds of the line, plan, then apply
 * in an order that never shows a half-registered image: delete leftovers, upload (or reuse) the
 * kernel, then the ramdisk, then the machine image linked to both, and only then hide the other
 * versions. A plan that writes nothing sends only the two list requests.
 */
import type { ImageRecord } from '../catalog/record-files.js';
import type { GlanceClient, GlanceImage, JsonPatchOperation } from './glance-client.js';
import { createFields, type OsInfo } from './image-properties.js';
import { type ImageParts, type PartRole, partRoles } from './image-sources.js';
import type { RegistrationPlan } from './plan-registration.js';
import { type UploadProgress, uploadPart } from './upload-part.js';

export interface Registration {
  cloud: string;
  image_id: string;
  kernel_id: string;
  ramdisk_id: string;
  registered_at: string;
}

export type RegisterEvent =
  | { type: 'delete'; role: PartRole; id: string; status: string }
  | { type: 'reuse'; role: PartRole; id: string; patched: boolean }
  | { type: 'upload'; role: PartRole; id: string; bytes: number; ms: number; origin: string }
  | ({ type: 'progress' } & UploadProgress)
  | { type: 'hide'; id: string; version: string };

/** Every image of a line, visible and hidden (Glance lists hidden ones only when asked). */
export async function listLineImages(glance: GlanceClient, record: ImageRecord): Promise<GlanceImage[]> {
  const filters = { image_name: record.image_name, image_arch: record.image_arch };
  const visible = await glance.listImages({ ...filters, os_hidden: 'false' });
  const hidden = await glance.listImages({ ...filters, os_hidden: 'true' });
  return [...visible, ...hidden];
}

/** Glance's created_at (2026-12-01T02:11:20Z, sometimes with fractions) in the record's form. */
export function registeredAt(createdAt: string): string {
  const date = new Date(createdAt);
  if (Number.isNaN(date.getTime())) throw new Error(`Glance gave an unreadable created_at: ${createdAt}`);
  return `${date.toISOString().slice(0, 19)}Z`;
}

export interface ApplyOptions {
  record: ImageRecord;
  parts: ImageParts;
  os: OsInfo;
  visibility?: string;
  signal?: AbortSignal;
  onEvent?: (event: RegisterEvent) => void;
}

export async function applyRegistration(
  glance: GlanceClient,
  plan: RegistrationPlan,
  options: ApplyOptions,
): Promise<Registration> {
  const emit = options.onEvent ?? (() => {});
  for (const leftover of plan.deletes) {
    await glance.deleteImage(leftover.id);
    emit({ type: 'delete', ...leftover });
  }
  const ids = {} as Record<PartRole, string>;
  let machine: GlanceImage | undefined;
  for (const role of partRoles) {
    const action = plan.parts[role];
    if (action.action === 'reuse') {
      // The machine's links to an uploaded kernel or ramdisk are filled in now their ids are known.
      const patch: JsonPatchOperation[] = action.patch.map((operation) =>
        operation.op !== 'remove' && operation.path === '/kernel_id'
          ? { ...operation, value: ids.kernel }
          : operation.op !== 'remove' && operation.path === '/ramdisk_id'
            ? { ...operation, value: ids.ramdisk }
            : operation,
      );
      const image = patch.length ? await glance.patchImage(action.image.id, patch) : action.image;
      emit({ type: 'reuse', role, id: image.id, patched: patch.length > 0 });
      ids[role] = image.id;
      if (role === 'machine') machine = image;
      continue;
    }
    const part = options.parts[role];
    const fields = createFields(options.record, role, part.file, {
      os: options.os,
      hidden: plan.hidden,
      ...(part.expected ? { expected: part.expected } : {}),
      ...(options.visibility ? { visibility: options.visibility } : {}),
    });
    if (role === 'machine') Object.assign(fields, { kernel_id: ids.kernel, ramdisk_id: ids.ramdisk });
    const uploaded = await uploadPart(glance, part, fields, {
      ...(options.signal ? { signal: options.signal } : {}),
      onProgress: (progress) => emit({ type: 'progress', ...progress }),
    });
    emit({
      type: 'upload',
      role,
      id: uploaded.image.id,
      bytes: uploaded.bytes,
      ms: uploaded.ms,
      origin: part.origin,
    });
    ids[role] = uploaded.image.id;
    if (role === 'machine') machine = uploaded.image;
  }
  for (const other of plan.hide) {
    await glance.patchImage(other.id, [{ op: 'replace', path: '/os_hidden', value: true }]);
    emit({ type: 'hide', id: other.id, version: other.version });
  }
  return {
    cloud: plan.cloud,
    image_id: ids.machine,
    kernel_id: ids.kernel,
    ramdisk_id: ids.ramdisk,
    registered_at: registeredAt((machine as GlanceImage).created_at),
  };
}
