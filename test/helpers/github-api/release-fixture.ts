/**
 * A small recorded image for release tests: a catalog repository (a temp git repo) whose committed
 * record lists synthetic artifacts with their real sizes and sha256, and the artifact folder the
 * build would have left (the files, build.json, SHA256SUMS and the boot check's verify.json).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageRecord } from '../../../tools/catalog/record-files.js';
import { artifactBase } from '../../../tools/github/release-assets.js';
import { renderSha256Sums } from '../../../tools/image-build/checksums.js';
import { makeRecord, recipeFiles, recordFiles } from '../catalog-fixtures.js';
import { createRepo, createTempDir, type TempRepo } from '../git-repo.js';

export interface ReleaseFixture {
  repo: TempRepo;
  record: ImageRecord;
  /** The --from folder. */
  outDir: string;
  /** The artifact folder, <outDir>/<image_file without .img>. */
  dir: string;
  /** The content of every file in the artifact folder. */
  files: Map<string, Buffer>;
  commit: string;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

export async function makeReleaseFixture(
  options: {
    epoch?: number;
    /** Only the tarball beside the raw image: three release assets (tarball, build.json, SHA256SUMS). */
    minimal?: boolean;
    /** Bytes of the tarball (default 300 kB). */
    tarballBytes?: number;
    /** The boot check's report as today's build leaves it (verify.json); default true unless minimal. */
    report?: boolean;
    notes?: string;
  } = {},
): Promise<ReleaseFixture> {
  const base = makeRecord({ epoch: options.epoch ?? 1764248400 });
  const stem = artifactBase(base);
  const content = new Map<string, Buffer>();
  content.set(`${stem}.img`, randomBytes(64 * 1024));
  content.set(`${stem}.tgz`, randomBytes(options.tarballBytes ?? 300_000));
  if (!options.minimal) {
    content.set(`${stem}.vmlinuz`, randomBytes(40_000));
    content.set(`${stem}.initrd`, randomBytes(50_000));
    content.set(`${stem}.packages`, Buffer.from('base-files\t12.4+deb12u5\nbash\t5.2.15-2+b2\n'));
  }
  const artifacts = [...content].map(([name, bytes]) => ({
    name,
    sha256: sha256(bytes),
    size: bytes.length,
  }));
  const record: ImageRecord = { ...base, recipe_digest: `sha256:${'a'.repeat(64)}`, artifacts };
  const manifest = Buffer.from(
    `${JSON.stringify({ format: 1, record: { ...base, recipe_digest: record.recipe_digest }, artifacts }, null, 2)}\n`,
  );
  const files = new Map(content);
  files.set('build.json', manifest);
  files.set(
    'SHA256SUMS',
    Buffer.from(renderSha256Sums([...artifacts, { name: 'build.json', sha256: sha256(manifest) }])),
  );
  if (options.report ?? !options.minimal)
    files.set(
      'verify.json',
      Buffer.from(
        `${JSON.stringify({
          ok: true,
          image_file: record.image_file,
          image_arch: record.image_arch,
          accel: 'tcg',
          qemu: 'QEMU emulator version 7.2.19',
          boots: [
            {
              name: 'first-boot',
              instance_id: 'i-0123',
              hostname: 'h',
              agent_done_s: 31.2,
              ssh_login_s: 35.9,
              serial_log: 's.log',
            },
          ],
          checks: [{ name: 'boot', result: 'pass', detail: 'ok' }],
          failed: [],
          work_dir: null,
        })}\n`,
      ),
    );

  const outDir = await createTempDir('emi-release-out-');
  const dir = join(outDir, stem);
  await mkdir(dir);
  for (const [name, bytes] of files) await writeFile(join(dir, name), bytes);

  const repo = await createRepo();
  await repo.commit(recipeFiles, { message: 'recipes\n\nthe test recipe\n' });
  const commit = await repo.commit(recordFiles(record), {
    message: `${record.image_name} ${record.image_arch} ${record.image_version}\n\n${options.notes ?? 'First release of the line, for the release tests.'}\n`,
  });
  return { repo, record, outDir, dir, files, commit };
}
