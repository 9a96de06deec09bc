/* Generated from tools/schemas/record.schema.json by `npm run generate-types`: do not edit. */

/**
 * One image line (one image_name on one image_arch) in EMI-IDs/<image_name>.<image_arch>.yaml: the record of its current release. The seven image_* and recipe_name fields are what /etc/image-id holds inside the image.
 */
export interface ImageRecord {
  /**
   * The image line's name, lowercase, ending in -emi (e.g. euca-debian-emi).
   */
  image_name: string;
  /**
   * YYYY.MM.DD of the release day, with .N for the N-th extra release of the line on that day.
   */
  image_version: string;
  /**
   * The CPU architecture, as Eucalyptus names it.
   */
  image_arch: 'x86_64' | 'i386' | 'aarch64';
  /**
   * The image file: <image_name without -emi>-<image_version>-<image_arch>.img.
   */
  image_file: string;
  /**
   * xxxx-xxxx in lowercase hex: the first eight hex digits of md5("<epoch>\n") for image_date's moment.
   */
  image_stamp: string;
  /**
   * The build moment in UTC, YYYYMMDDHHMMSS.
   */
  image_date: string;
  /**
   * The folder recipes/<recipe_name>/ whose recipe.yaml builds this line.
   */
  recipe_name: string;
  /**
   * current (the default), deprecated (still offered, not recommended) or legacy (imported from the original catalog; exempt from the rules its data cannot meet).
   */
  status?: 'current' | 'deprecated' | 'legacy';
  /**
   * The content hash of every input of the recipe when this release was built.
   */
  recipe_digest?: string;
  /**
   * The files this release published, with their sizes and SHA-256 checksums.
   *
   * @maxItems 64
   */
  artifacts?: {
    name: string;
    sha256: string;
    size: number;
  }[];
  /**
   * Where this release is registered: one entry per cloud (a name in clouds.yaml), with the IDs that cloud gave the machine image and its kernel and ramdisk (as the original EMI-IDs listed each EMI with its EKI and ERI). Written by emi register.
   *
   * @maxItems 64
   */
  registrations?: {
    /**
     * The cloud's name, as in clouds.yaml.
     */
    cloud: string;
    /**
     * The machine image's ID in that cloud (Glance: a UUID).
     */
    image_id: string;
    /**
     * The kernel image's ID in that cloud.
     */
    kernel_id: string;
    /**
     * The ramdisk (initrd) image's ID in that cloud.
     */
    ramdisk_id: string;
    /**
     * When the images were registered, UTC, YYYY-MM-DDTHH:MM:SSZ.
     */
    registered_at: string;
  }[];
  /**
   * Only on a release recorded before 2026-12-01, when records did not yet carry the boot check's report: predates-reports says the image was boot-checked by emi build but the report was not kept. Such a record may lack the <image_file without .img>.verify.json artifact (validate shows a note); every later built record must list it.
   */
  boot_check_report?: 'predates-reports';
  /**
   * For imported records: where in the original catalog the block came from.
   */
  legacy_source?: string;
}
