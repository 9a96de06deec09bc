import { describe, expect, it } from 'vitest';
import { traceLines } from '../../tools/changelog/trace-lines.js';
import type { CommitPathChanges } from '../../tools/lib/git.js';

const summary = (log: CommitPathChanges[]) =>
  traceLines(log).map((trace) => ({
    path: trace.path,
    changes: trace.changes.map((change) =>
      [change.commit, change.path, change.deleted ? 'D' : change.renamedFrom ? `R<${change.renamedFrom}` : '']
        .join(' ')
        .trim(),
    ),
  }));

describe('traceLines', () => {
  it('follows a rename and ends a line at its deletion', () => {
    expect(
      summary([
        { commit: 'c1', changes: [{ status: 'A', path: 'EMI-IDs/a.x86_64.yaml' }] },
        {
          commit: 'c2',
          changes: [{ status: 'R', from: 'EMI-IDs/a.x86_64.yaml', path: 'EMI-IDs/b.x86_64.yaml' }],
        },
        { commit: 'c3', changes: [{ status: 'M', path: 'EMI-IDs/b.x86_64.yaml' }] },
        { commit: 'c4', changes: [{ status: 'D', path: 'EMI-IDs/b.x86_64.yaml' }] },
      ]),
    ).toEqual([
      {
        path: 'EMI-IDs/b.x86_64.yaml',
        changes: [
          'c1 EMI-IDs/a.x86_64.yaml',
          'c2 EMI-IDs/b.x86_64.yaml R<EMI-IDs/a.x86_64.yaml',
          'c3 EMI-IDs/b.x86_64.yaml',
          'c4 EMI-IDs/b.x86_64.yaml D',
        ],
      },
    ]);
  });

  it('keeps a rename and a new file of the old name apart in one commit', () => {
    expect(
      summary([
        { commit: 'c1', changes: [{ status: 'A', path: 'EMI-IDs/a.i386.yaml' }] },
        {
          commit: 'c2',
          changes: [
            { status: 'A', path: 'EMI-IDs/a.i386.yaml' },
            { status: 'R', from: 'EMI-IDs/a.i386.yaml', path: 'EMI-IDs/b.i386.yaml' },
          ],
        },
      ]),
    ).toEqual([
      { path: 'EMI-IDs/a.i386.yaml', changes: ['c2 EMI-IDs/a.i386.yaml'] },
      {
        path: 'EMI-IDs/b.i386.yaml',
        changes: ['c1 EMI-IDs/a.i386.yaml', 'c2 EMI-IDs/b.i386.yaml R<EMI-IDs/a.i386.yaml'],
      },
    ]);
  });

  it('continues a retired line that comes back, and ignores files that are not records', () => {
    expect(
      summary([
        {
          commit: 'c1',
          changes: [
            { status: 'A', path: 'EMI-IDs/a.x86_64.yaml' },
            { status: 'A', path: 'EMI-IDs/README.md' },
            { status: 'A', path: 'EMI-IDs/old/z.x86_64.yaml' },
          ],
        },
        { commit: 'c2', changes: [{ status: 'D', path: 'EMI-IDs/a.x86_64.yaml' }] },
        { commit: 'c3', changes: [{ status: 'A', path: 'EMI-IDs/a.x86_64.yaml' }] },
        {
          commit: 'c4',
          changes: [{ status: 'R', from: 'EMI-IDs/a.x86_64.yaml', path: 'EMI-IDs/attic/a.x86_64.yaml' }],
        },
      ]),
    ).toEqual([
      {
        path: 'EMI-IDs/a.x86_64.yaml',
        changes: [
          'c1 EMI-IDs/a.x86_64.yaml',
          'c2 EMI-IDs/a.x86_64.yaml D',
          'c3 EMI-IDs/a.x86_64.yaml',
          'c4 EMI-IDs/a.x86_64.yaml D',
        ],
      },
    ]);
  });
});
