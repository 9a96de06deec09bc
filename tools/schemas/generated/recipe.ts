/* Generated from tools/schemas/recipe.schema.json by `npm run generate-types`: do not edit. */

export type Arch = 'x86_64' | 'i386' | 'aarch64';
/**
 * A size in mebibytes or gibibytes, e.g. 1300M or 4G.
 */
export type Size = string;
/**
 * A Debian package name: lowercase letters, digits and + - . , at least two characters, starting with a letter or digit.
 */
export type PackageName = string;
/**
 * A path inside the recipe folder: relative, no '..' segment.
 */
export type RelativePath = string;
/**
 * A systemd unit name such as ssh.service or systemd-networkd.service.
 */
export type UnitName = string;

/**
 * recipes/<recipe_name>/recipe.yaml: how the image lines of one recipe are built.
 */
export interface Recipe {
  description: string;
  distribution: 'debian' | 'ubuntu';
  release: string;
  /**
   * The package mirror. Default: the one the build host's apt configuration uses for this distribution; --mirror and EMI_MIRROR override it.
   */
  mirror?: string;
  /**
   * Also install from <release>-updates (same mirror as the release) and <release>-security (security_mirror), so the image ships with current fixes.
   */
  updates?: boolean;
  /**
   * The mirror of <release>-security when updates is true. Default: the one the build host's apt configuration uses for that suite; EMI_SECURITY_MIRROR overrides it.
   */
  security_mirror?: string;
  /**
   * @minItems 1
   */
  components?: [string, ...string[]];
  /**
   * mmdebstrap's variant: minbase (Priority: required and apt), buildd (minbase and build-essential) or standard (Priority: standard and above).
   */
  variant?: 'minbase' | 'buildd' | 'standard';
  /**
   * The image lines this recipe produces.
   *
   * @minItems 1
   * @maxItems 20
   */
  lines: [
    {
      /**
       * The image line's name, lowercase, ending in -emi (e.g. euca-debian-emi).
       */
      image_name: string;
      /**
       * @minItems 1
       */
      arches: [Arch, ...Arch[]];
      rootfs_size: Size;
    },
    ...{
      /**
       * The image line's name, lowercase, ending in -emi (e.g. euca-debian-emi).
       */
      image_name: string;
      /**
       * @minItems 1
       */
      arches: [Arch, ...Arch[]];
      rootfs_size: Size;
    }[]
  ];
  packages?: {
    add?: PackageName[];
    remove?: PackageName[];
  };
  /**
   * The kernel package for each arch; its kernel and initrd are exported beside the image.
   */
  kernel: {
    [k: string]: PackageName;
  };
  filesystem?: {
    type?: 'ext4' | 'ext3' | 'ext2';
    label?: string;
  };
  /**
   * Folders copied over the image root, in order, after recipes/common/.
   */
  overlays?: RelativePath[];
  /**
   * Scripts run inside the image root, in order, after the overlays.
   */
  hooks?: RelativePath[];
  /**
   * systemd units to enable or disable in the image after the overlays (the units the overlays ship in etc/systemd/system/ are enabled anyway).
   */
  services?: {
    enable?: UnitName[];
    disable?: UnitName[];
  };
}
