/**
 * The registration plan (pure): from the record and the images of its line that Glance already
 * holds, what to delete, upload, reuse, relink and hide. An image is the record's when its
 * image_version and image_stamp are the record's; its part is its disk format (aki, ari, ami).
 * - active: reused (the oldest, if an earlier race left two);
 * - queued, saving, uploading, importing, killed: left by an interrupted run: deleted, uploaded again;
 * - deactivated: an operator's decision: the run stops and says so.
 * Every other version of the line that is visible gets os_hidden (still bootable by ID); the
 * record's own images are hidden too when the record is deprecated.
 */
import type { ImageRecord } from '../catalog/record-files.js';
import { UserError } from '../lib/errors.js';
import type { GlanceImage, JsonPatchOperation } from './glance-client.js';
import { roleOfDiskFormat } from './image-properties.js';
import { type PartRole, partRoles } from './image-sources.js';

export type PartAction =
  | { action: 'reuse'; image: GlanceImage; patch: JsonPatchOperation[] }
  | { action: 'upload' };

export interface RegistrationPlan {
  cloud: string;
  /** os_hidden of the record's images: true when the record is deprecated. */
  hidden: boolean;
  deletes: { id: string; role: PartRole; status: string }[];
  parts: Record<PartRole, PartAction>;
  /** Active images of other versions of the line, to hide. */
  hide: { id: string; name: string | null; version: string }[];
  notes: string[];
}

const leftoverStatuses = new Set(['queued', 'saving', 'uploading', 'importing', 'killed']);

const byCreation = (a: GlanceImage, b: GlanceImage) =>
  a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id < b.id ? -1 : 1;

export function planRegistration(
  record: ImageRecord,
  cloud: string,
  images: readonly GlanceImage[],
): RegistrationPlan {
  const hidden = record.status === 'deprecated';
  const isCurrent = (image: GlanceImage) =>
    image.image_name === record.image_name &&
    image.image_arch === record.image_arch &&
    image.image_version === record.image_version &&
    image.image_stamp === record.image_stamp;
  const plan: RegistrationPlan = {
    cloud,
    hidden,
    deletes: [],
    parts: { kernel: { action: 'upload' }, ramdisk: { action: 'upload' }, machine: { action: 'upload' } },
    hide: [],
    notes: [],
  };
  const unique = [...new Map(images.map((image) => [image.id, image])).values()].sort(byCreation);
  for (const role of partRoles) {
    const mine = unique.filter((image) => isCurrent(image) && roleOfDiskFormat(image.disk_format) === role);
    const deactivated = mine.find((image) => image.status === 'deactivated');
    if (deactivated)
      throw new UserError(
        `${cloud}: the ${role} image ${deactivated.id} of ${record.image_name}.${record.image_arch} ${record.image_version} is deactivated: reactivate or delete it first`,
      );
    for (const image of mine.filter((candidate) => leftoverStatuses.has(candidate.status)))
      plan.deletes.push({ id: image.id, role, status: image.status });
    const active = mine.filter((image) => image.status === 'active');
    const [reuse, ...extra] = active;
    if (reuse) {
      const patch: JsonPatchOperation[] =
        reuse.os_hidden === hidden ? [] : [{ op: 'replace', path: '/os_hidden', value: hidden }];
      plan.parts[role] = { action: 'reuse', image: reuse, patch };
    }
    for (const image of extra)
      plan.notes.push(`${role} image ${image.id} is a second active copy of ${reuse?.id}: left as it is`);
  }
  // A reused machine image must point at the kernel and ramdisk of this registration.
  const machine = plan.parts.machine;
  if (machine.action === 'reuse') {
    for (const [role, property] of [
      ['kernel', 'kernel_id'],
      ['ramdisk', 'ramdisk_id'],
    ] as const) {
      const part = plan.parts[role];
      const current = machine.image[property];
      if (part.action === 'reuse' && current === part.image.id) continue;
      // The id of a new upload is not known yet: the apply step fills the value in.
      machine.patch.push({
        op: current === undefined ? 'add' : 'replace',
        path: `/${property}`,
        value: null,
      });
    }
  }
  for (const image of unique) {
    if (isCurrent(image) || image.status !== 'active' || image.os_hidden) continue;
    if (image.image_name !== record.image_name || image.image_arch !== record.image_arch) continue;
    plan.hide.push({ id: image.id, name: image.name, version: String(image.image_version ?? '?') });
  }
  return plan;
}

/** Whether applying the plan changes nothing in the cloud. */
export function planWritesNothing(plan: RegistrationPlan): boolean {
  return (
    plan.deletes.length === 0 &&
    plan.hide.length === 0 &&
    partRoles.every((role) => {
      const part = plan.parts[role];
      return part.action === 'reuse' && part.patch.length === 0;
    })
  );
}
