/** Small catalogs for tests: a recipe folder and records made the way new-emi makes them. */
import {
  expectedImageFile,
  type ImageRecord,
  imageIdPath,
  recordPath,
  renderImageId,
  renderRecord,
} from '../../tools/catalog/record-files.js';
import { momentOf } from '../../tools/catalog/stamp.js';

export const testRecipe = `description: Test recipe
distribution: debian
release: bookworm
lines:
  - image_name: euca-debian-emi
    arches: [x86_64, i386]
    rootfs_size: 1300M
  - image_name: euca-large-debian-emi
    arches: [x86_64]
    rootfs_size: 4500M
kernel:
  x86_64: linux-image-amd64
  i386: linux-image-686
`;

export function makeRecord(options: {
  name?: string;
  arch?: ImageRecord['image_arch'];
  epoch: number;
  extra?: number;
  recipe?: string;
}): ImageRecord {
  const moment = momentOf(options.epoch);
  const name = options.name ?? 'euca-debian-emi';
  const arch = options.arch ?? 'x86_64';
  const version = options.extra ? `${moment.image_version}.${options.extra}` : moment.image_version;
  return {
    image_name: name,
    image_version: version,
    image_arch: arch,
    image_file: expectedImageFile({ image_name: name, image_version: version, image_arch: arch }),
    image_stamp: moment.image_stamp,
    image_date: moment.image_date,
    recipe_name: options.recipe ?? 'debian-based',
  };
}

/** The record file and its image-id file, ready for TempRepo.write/commit. */
export function recordFiles(record: ImageRecord): Record<string, string> {
  return { [recordPath(record)]: renderRecord(record), [imageIdPath(record)]: renderImageId(record) };
}

export const recipeFiles = { 'recipes/debian-based/recipe.yaml': testRecipe };
