import { describe, expect, it } from 'vitest';
import type { ImageRecord } from '../../tools/catalog/record-files.js';
import type { GlanceImage } from '../../tools/cloud/glance-client.js';
import { planRegistration, planWritesNothing } from '../../tools/cloud/plan-registration.js';

const record: ImageRecord = {
  image_name: 'euca-debian-emi',
  image_version: '2026.12.01',
  image_arch: 'x86_64',
  image_file: 'euca-debian-2026.12.01-x86_64.img',
  image_stamp: '9d26-388d',
  image_date: '20261201022035',
  recipe_name: 'debian-based',
};

let serial = 0;
function image(format: string, fields: Partial<GlanceImage> & Record<string, unknown> = {}): GlanceImage {
  serial += 1;
  return {
    id: `id-${format}-${serial}`,
    name: `x.${format}`,
    status: 'active',
    disk_format: format,
    container_format: format,
    size: 1,
    os_hidden: false,
    os_hash_algo: 'sha512',
    os_hash_value: 'f'.repeat(128),
    visibility: 'shared',
    created_at: `2026-12-01T02:00:${String(serial % 60).padStart(2, '0')}Z`,
    image_name: record.image_name,
    image_arch: record.image_arch,
    image_version: record.image_version,
    image_stamp: record.image_stamp,
    ...fields,
  };
}

function registered(): GlanceImage[] {
  const kernel = image('aki');
  const ramdisk = image('ari');
  return [kernel, ramdisk, image('ami', { kernel_id: kernel.id, ramdisk_id: ramdisk.id })];
}

describe('planRegistration', () => {
  it('uploads all three parts into an empty cloud', () => {
    const plan = planRegistration(record, 'c', []);
    expect(Object.values(plan.parts).map((part) => part.action)).toEqual(['upload', 'upload', 'upload']);
    expect(planWritesNothing(plan)).toBe(false);
  });

  it('reuses a complete registration and writes nothing', () => {
    const plan = planRegistration(record, 'c', registered());
    expect(Object.values(plan.parts).map((part) => part.action)).toEqual(['reuse', 'reuse', 'reuse']);
    expect(planWritesNothing(plan)).toBe(true);
  });

  it('deletes leftovers of an interrupted run and uploads that part again', () => {
    const [kernel, ramdisk] = registered();
    const leftover = image('ami', { status: 'saving' });
    const queued = image('ami', { status: 'queued' });
    const plan = planRegistration(record, 'c', [
      kernel as GlanceImage,
      ramdisk as GlanceImage,
      leftover,
      queued,
    ]);
    expect(plan.deletes).toEqual([
      { id: leftover.id, role: 'machine', status: 'saving' },
      { id: queued.id, role: 'machine', status: 'queued' },
    ]);
    expect(plan.parts.machine.action).toBe('upload');
    expect(plan.parts.kernel.action).toBe('reuse');
  });

  it('relinks a reused machine image to a kernel uploaded again', () => {
    const [, ramdisk, machine] = registered();
    const plan = planRegistration(record, 'c', [ramdisk as GlanceImage, machine as GlanceImage]);
    expect(plan.parts.kernel.action).toBe('upload');
    const part = plan.parts.machine;
    expect(part.action === 'reuse' && part.patch).toEqual([
      { op: 'replace', path: '/kernel_id', value: null },
    ]);
  });

  it('hides the visible images of other versions, and leaves others’ leftovers alone', () => {
    const older = image('ami', { image_version: '2026.11.27', image_stamp: 'aaaa-bbbb' });
    const olderHidden = image('aki', {
      image_version: '2026.11.20',
      image_stamp: 'cccc-dddd',
      os_hidden: true,
    });
    const otherRun = image('ami', {
      image_version: '2026.12.02',
      image_stamp: 'eeee-ffff',
      status: 'saving',
    });
    const plan = planRegistration(record, 'c', [...registered(), older, olderHidden, otherRun]);
    expect(plan.hide).toEqual([{ id: older.id, name: older.name, version: '2026.11.27' }]);
    expect(plan.deletes).toEqual([]);
  });

  it('hides the record’s own images when it is deprecated', () => {
    const plan = planRegistration({ ...record, status: 'deprecated' }, 'c', registered());
    expect(plan.hidden).toBe(true);
    for (const part of Object.values(plan.parts))
      expect(part.action === 'reuse' && part.patch).toEqual([
        { op: 'replace', path: '/os_hidden', value: true },
      ]);
  });

  it('stops at a deactivated image: an operator decided about it', () => {
    expect(() => planRegistration(record, 'c', [image('ami', { status: 'deactivated' })])).toThrow(
      /deactivated/,
    );
  });

  it('reuses the oldest of two active copies and notes the other', () => {
    const [kernel, ramdisk, machine] = registered();
    const copy = image('ami', { kernel_id: kernel?.id, ramdisk_id: ramdisk?.id });
    const plan = planRegistration(record, 'c', [copy, kernel, ramdisk, machine] as GlanceImage[]);
    const part = plan.parts.machine;
    expect(part.action === 'reuse' && part.image.id).toBe(machine?.id);
    expect(plan.notes).toHaveLength(1);
  });
});
