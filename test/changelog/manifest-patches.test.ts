import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffReleaseManifests, parseManifestPatches } from '../../tools/changelog/manifest-patches.js';
import { diffManifests, parseManifest } from '../../tools/changelog/package-changes.js';
import { readManifestPatchLog, readObjects } from '../../tools/lib/git.js';
import { createRepo, type TempRepo } from '../helpers/git-repo.js';

const path = 'image-ids/euca-x-emi.x86_64.packages';
const versions = [
  'base-files\t12.4\ncurl\t7.88.1-10\nlibc6\t2.36-9\n',
  'base-files\t12.5\nlibc6\t2.36-8\nopenssh-server\t1:9.2p1-2\n',
  // Changed twice between two releases: no single patch joins them.
  'base-files\t12.5\nlibc6\t2.36-8\nopenssh-server\t1:9.2p1-2\nvim\t2:9.0\n',
  'base-files\t12.6\nlibc6\t2.36-8\nopenssh-server\t1:9.2p1-2\nvim\t2:9.1\nzsh\t5.9\n',
  // A malformed line: compared from the blobs, which report it.
  'base-files\t12.6\nbroken line\nlibc6\t2.36-8\n',
];
let repo: TempRepo;
const blobIds: string[] = [];

beforeAll(async () => {
  repo = await createRepo();
  for (const [index, text] of versions.entries()) {
    const commit = await repo.commit({ [path]: text }, { date: `2024-01-0${index + 1}T00:00:00Z` });
    blobIds.push(
      (await readObjects(repo.dir, [`${commit}:${path}`])).get(`${commit}:${path}`)?.oid as string,
    );
  }
});
afterAll(() => repo.cleanup());

describe('manifest patches', () => {
  it('reads which blob each commit left and the lines that changed', async () => {
    const { byBlobs, blobsByCommit } = parseManifestPatches(await readManifestPatchLog(repo.dir));
    expect([...blobsByCommit.values()].map((paths) => paths.get(path)).sort()).toEqual([...blobIds].sort());
    expect(byBlobs.get(`${blobIds[0]}..${blobIds[1]}`)).toEqual({
      added: [
        { name: 'base-files', version: '12.5' },
        { name: 'libc6', version: '2.36-8' },
        { name: 'openssh-server', version: '1:9.2p1-2' },
      ],
      removed: [
        { name: 'base-files', version: '12.4' },
        { name: 'curl', version: '7.88.1-10' },
        { name: 'libc6', version: '2.36-9' },
      ],
    });
    expect(byBlobs.get(`..${blobIds[0]}`)?.added).toHaveLength(3);
    expect(byBlobs.has(`${blobIds[3]}..${blobIds[4]}`)).toBe(false);
  });

  it('gives the same changes as comparing the blobs, reading only what the patches cannot tell', async () => {
    const { byBlobs } = parseManifestPatches(await readManifestPatchLog(repo.dir));
    // Releases at versions 0, 1, 3 and 4 (version 2 was an intermediate commit).
    const releases = [0, 1, 3, 4].map((index) => ({ manifestPath: path, oid: blobIds[index] }));
    const needed = new Set<string>();
    diffReleaseManifests(releases, byBlobs, new Map(), needed);
    expect([...needed].sort()).toEqual([blobIds[1], blobIds[3], blobIds[4]].sort());
    const blobs = new Map([...needed].map((oid) => [oid, versions[blobIds.indexOf(oid)] as string]));
    const { changes, defects } = diffReleaseManifests(releases, byBlobs, blobs, needed);
    const expected = [0, 1, 3, 4].map((version, index, all) =>
      diffManifests(
        path,
        parseManifest(versions[version] as string),
        index === 0 ? undefined : parseManifest(versions[all[index - 1] as number] as string),
      ),
    );
    expect(changes).toEqual(expected);
    expect(changes[1]).toMatchObject({
      total: 3,
      previous_total: 3,
      added: [{ name: 'openssh-server', version: '1:9.2p1-2' }],
      removed: [{ name: 'curl', version: '7.88.1-10' }],
      upgraded: [{ name: 'base-files', from: '12.4', to: '12.5' }],
      downgraded: [{ name: 'libc6', from: '2.36-9', to: '2.36-8' }],
    });
    expect(defects).toEqual([
      { index: 3, defect: { line: 2, message: 'not a name<TAB>version line: ignored' } },
    ]);
  });

  it('has nothing to compare for a release without a manifest', () => {
    const { changes } = diffReleaseManifests(
      [{ manifestPath: path, oid: undefined }],
      new Map(),
      new Map(),
      new Set(),
    );
    expect(changes).toEqual([null]);
  });
});

describe('manifests with a header line', () => {
  it('skip the `# emi-packages` header in git’s patches, which still join the two releases', async () => {
    const headed = await createRepo();
    try {
      const oids: string[] = [];
      for (const [index, text] of [
        '# emi-packages euca-x-emi x86_64 2026.01.01 aaaa-bbbb\nbash\t5.2\ncurl\t7.88\n',
        '# emi-packages euca-x-emi x86_64 2026.02.01 cccc-dddd\nbash\t5.2\ncurl\t7.89\tbookworm-security\n',
      ].entries()) {
        const commit = await headed.commit({ [path]: text }, { date: `2026-0${index + 1}-01T00:00:00Z` });
        oids.push(
          (await readObjects(headed.dir, [`${commit}:${path}`])).get(`${commit}:${path}`)?.oid as string,
        );
      }
      const { byBlobs } = parseManifestPatches(await readManifestPatchLog(headed.dir));
      expect(byBlobs.get(`${oids[0]}..${oids[1]}`)).toEqual({
        added: [{ name: 'curl', version: '7.89', suite: 'bookworm-security' }],
        removed: [{ name: 'curl', version: '7.88' }],
        header: '# emi-packages euca-x-emi x86_64 2026.02.01 cccc-dddd',
        headerRemoved: true,
      });
      const needed = new Set<string>();
      const { changes } = diffReleaseManifests(
        oids.map((oid) => ({ manifestPath: path, oid })),
        byBlobs,
        new Map(),
        needed,
      );
      expect(needed.size).toBe(0);
      expect(changes[0]).toMatchObject({ total: 2, previous_total: null });
      expect(changes[1]).toMatchObject({
        total: 2,
        upgraded: [{ name: 'curl', from: '7.88', to: '7.89', suite: 'bookworm-security' }],
        security: 1,
      });
    } finally {
      await headed.cleanup();
    }
  });
});

describe('manifests tied to their release by their header', () => {
  const headed = (version: string, body: string) =>
    `# emi-packages euca-x-emi x86_64 ${version} ab12-cd34\n${body}`;
  const texts = [
    headed('2026.12.01', 'base-files\t12.4\nlibc6\t2.36-9\n'),
    headed('2026.12.02', 'base-files\t12.5\nlibc6\t2.36-9\n'),
  ];
  let headedRepo: TempRepo;
  const oids: string[] = [];
  beforeAll(async () => {
    headedRepo = await createRepo();
    for (const [index, text] of texts.entries()) {
      const commit = await headedRepo.commit({ [path]: text }, { date: `2024-02-0${index + 1}T00:00:00Z` });
      oids.push(
        (await readObjects(headedRepo.dir, [`${commit}:${path}`])).get(`${commit}:${path}`)?.oid as string,
      );
    }
  });
  afterAll(() => headedRepo.cleanup());

  it('skips the header in patches and blobs, and claims no changes for a manifest of another release', async () => {
    const { byBlobs } = parseManifestPatches(await readManifestPatchLog(headedRepo.dir));
    expect(byBlobs.get(`${oids[0]}..${oids[1]}`)).toMatchObject({
      added: [{ name: 'base-files', version: '12.5' }],
      removed: [{ name: 'base-files', version: '12.4' }],
      header: '# emi-packages euca-x-emi x86_64 2026.12.02 ab12-cd34',
    });
    expect(parseManifest(texts[0] as string)).toMatchObject({
      defects: [],
      header: { image_version: '2026.12.01' },
    });
    const releases = [
      { manifestPath: path, oid: oids[0], version: '2026.12.01' },
      { manifestPath: path, oid: oids[1], version: '2026.12.02' },
      // new-emi made 2026.12.03 and the manifest of 2026.12.02 stayed: not this release's.
      { manifestPath: path, oid: oids[1], version: '2026.12.03' },
      // A manifest whose header names another release, read from its blob.
      { manifestPath: path, oid: oids[0], version: '2026.12.04' },
    ];
    const needed = new Set<string>();
    diffReleaseManifests(releases, byBlobs, new Map(), needed);
    const blobs = new Map([...needed].map((oid) => [oid, texts[oids.indexOf(oid)] as string]));
    const { changes } = diffReleaseManifests(releases, byBlobs, blobs, needed);
    expect(changes[0]).toMatchObject({ total: 2 });
    expect(changes[1]).toMatchObject({ upgraded: [{ name: 'base-files', from: '12.4', to: '12.5' }] });
    expect(changes[2]).toBeNull();
    expect(changes[3]).toBeNull();
  });
});
