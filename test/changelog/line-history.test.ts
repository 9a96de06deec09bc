/**
 * draftLines and registrations (emi register): a release shows where it is registered, from the
 * newest record of its version; the commit that registered it is an update that reports what it
 * added; a new version starts unregistered.
 */
import { describe, expect, it } from 'vitest';
import { addedRegistrations, draftLines, recordSpec } from '../../tools/changelog/line-history.js';
import type { LineTrace } from '../../tools/changelog/trace-lines.js';
import type { Registration } from '../../tools/schemas/generated/changelog.js';

const path = 'EMI-IDs/euca-debian-emi.x86_64.yaml';
const sha = (n: number) => n.toString(16).padStart(40, '0');
const registration = (cloud: string, n: number): Registration => ({
  cloud,
  image_id: `image-${n}`,
  kernel_id: `kernel-${n}`,
  ramdisk_id: `ramdisk-${n}`,
  registered_at: `2026-12-0${n}T02:00:00Z`,
});

/** One line whose commits hold these versions and registrations, oldest first. */
function draft(commits: { version: string; registrations?: Registration[]; deleted?: boolean }[]) {
  const trace: LineTrace = {
    path,
    changes: commits.map((commit, index) => ({
      commit: sha(index + 1),
      path,
      deleted: commit.deleted ?? false,
      renamedFrom: null,
      oid: null,
      order: index,
    })),
  };
  const fields = new Map<string, Record<string, string>>();
  const registrations = new Map<string, Registration[]>();
  commits.forEach((commit, index) => {
    const spec = recordSpec(sha(index + 1), path);
    fields.set(spec, { image_name: 'euca-debian-emi', image_arch: 'x86_64', image_version: commit.version });
    if (commit.registrations) registrations.set(spec, commit.registrations);
  });
  const { lines, warnings } = draftLines([trace], fields, new Map(), registrations);
  expect(warnings).toEqual([]);
  return lines[0]?.entries ?? [];
}

describe('draftLines with registrations', () => {
  it('gives a release the registrations a later commit of the same version added', () => {
    const a = registration('private', 1);
    const b = registration('public', 2);
    const entries = draft([
      { version: '2026.12.01' },
      { version: '2026.12.01', registrations: [a] },
      { version: '2026.12.01', registrations: [a, b] },
    ]);
    expect(entries.map((entry) => entry.kind)).toEqual(['release', 'update', 'update']);
    expect(entries[0]?.registrations).toEqual([a, b]);
    expect(entries[0]?.record.registrations).toEqual([]);
    expect(entries[1]?.registered).toEqual([a]);
    expect(entries[2]?.registered).toEqual([b]);
  });

  it('starts a new version unregistered and keeps the old release’s registrations', () => {
    const old = registration('private', 1);
    const fresh = registration('private', 3);
    const entries = draft([
      { version: '2026.12.01' },
      { version: '2026.12.01', registrations: [old] },
      { version: '2026.12.03' },
      { version: '2026.12.03', registrations: [fresh] },
    ]);
    expect(entries.map((entry) => entry.kind)).toEqual(['release', 'update', 'release', 'update']);
    expect(entries[0]?.registrations).toEqual([old]);
    expect(entries[2]?.registrations).toEqual([fresh]);
    expect(entries[2]?.registered).toEqual([]);
    // Registered again in the same cloud: new IDs count as registered.
    expect(entries[3]?.registered).toEqual([fresh]);
  });

  it('takes a release’s registrations from its own commit, and a retirement keeps the last ones', () => {
    const a = registration('private', 1);
    const entries = draft([
      { version: '2026.12.01', registrations: [a] },
      { version: '', deleted: true },
    ]);
    expect(entries[0]).toMatchObject({ kind: 'release', registrations: [a], registered: [a] });
    expect(entries[1]).toMatchObject({ kind: 'retired', registrations: [a], registered: [] });
  });

  it('compares registrations by every field', () => {
    const a = registration('private', 1);
    expect(addedRegistrations([a], [a])).toEqual([]);
    expect(addedRegistrations([a], [{ ...a, kernel_id: 'other' }])).toEqual([{ ...a, kernel_id: 'other' }]);
    expect(addedRegistrations([a], [])).toEqual([]);
  });
});
