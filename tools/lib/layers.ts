/**
 * The stages of tools/, lowest first. A file may import from its own stage and from the stages
 * below it, never from one above (test/layout.test.ts checks every import). The pipeline reads
 * bottom-up: what to build (recipes), the record it will carry (catalog: the build writes the
 * record into the image as /etc/image-id, so the record format sits below the builder), the build,
 * the boot check, publishing (GitHub releases, cloud registration), telling people (changelog),
 * and the thin commands and CLI on top.
 */
export const stageLayers: readonly (readonly string[])[] = [
  ['schemas'],
  ['lib'],
  ['recipes'],
  ['catalog'],
  ['image-build'],
  ['boot-check'],
  ['github'],
  ['cloud'],
  ['changelog'],
  ['commands'],
  ['cli.ts'],
];
