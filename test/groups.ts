/**
 * The three test groups (vitest projects, see vitest.config.ts and docs/development.md):
 *
 * - `unit`: the files listed here. They start no programs (test/helpers/no-child-processes.ts makes
 *   every child_process call throw) and reach no network beyond servers they start on loopback.
 *   `npm run test:unit`, a few seconds: run it after every edit.
 * - `root`: the files listed here. They build images, boot them and test the build's containment,
 *   as root (describeAsRoot). `npm run test:root`, minutes.
 * - `integration`: every other test file: temporary git repositories, the compiled CLI, the boot
 *   agent under sh and busybox, the metadata emulator, the browser. `npm run test:integration`.
 *
 * A new test file lands in `integration`, where it may do anything; move it to `unitTests` when it
 * starts no programs (the unit setup file tells you if it does), or to `rootTests` when it needs root.
 */
export const unitTests = [
  'test/boot-check/artifact-dir.test.ts',
  'test/boot-check/build-summary.test.ts',
  'test/boot-check/checks.test.ts',
  'test/boot-check/console-log.test.ts',
  'test/boot-check/metadata/instance.test.ts',
  'test/boot-check/qemu-command.test.ts',
  'test/boot-check/render-report.test.ts',
  'test/browser-discovery.test.ts',
  'test/catalog/commit-message.test.ts',
  'test/catalog/legacy/parse-legacy-log.test.ts',
  'test/catalog/legacy/plan-legacy-history.test.ts',
  'test/catalog/legacy/plan-legacy-import.test.ts',
  'test/catalog/rules.test.ts',
  'test/catalog/version.test.ts',
  'test/changelog/github-remote.test.ts',
  'test/changelog/line-history.test.ts',
  'test/changelog/package-changes.test.ts',
  'test/changelog/render/escaping.test.ts',
  'test/changelog/render/notes.test.ts',
  'test/changelog/render/registrations.test.ts',
  'test/changelog/trace-lines.test.ts',
  'test/cloud/clouds-config.test.ts',
  'test/cloud/keystone.test.ts',
  'test/cloud/plan-registration.test.ts',
  'test/commands/build-progress.test.ts',
  'test/docs.test.ts',
  'test/groups.test.ts',
  'test/helpers/fixtures.test.ts',
  'test/image-build/apt-sources.test.ts',
  'test/image-build/events.test.ts',
  'test/image-build/image-files.test.ts',
  'test/image-build/install-packages.test.ts',
  'test/image-build/kernel.test.ts',
  'test/image-build/package-cache.test.ts',
  'test/image-build/package-manifest.test.ts',
  'test/image-build/root-paths.test.ts',
  'test/layout.test.ts',
  'test/lib/atomic-write.test.ts',
  'test/lib/debian-version.test.ts',
  'test/lib/parse-commit.test.ts',
  'test/recipes/sizes.test.ts',
  'test/schemas/meta-schema.test.ts',
  'test/schemas/record-schema.test.ts',
  'test/workflows.test.ts',
  'test/workflows/actionlint.test.ts',
  'test/workflows/check-workflow.test.ts',
  'test/workflows/pages-workflow.test.ts',
];

export const rootTests = [
  'test/boot-check/verify-e2e.test.ts',
  'test/boot-check/verify-negative.test.ts',
  'test/cloud/register-standard-image.test.ts',
  'test/image-build/build-e2e.test.ts',
  'test/image-build/build-interrupt.test.ts',
  'test/image-build/build-verify.test.ts',
  'test/boot-check/metadata/ec2-metadata.test.ts',
  'test/github/release-standard-image.test.ts',
  'test/recipes/scaffold-build.test.ts',
  'test/run-as-user.test.ts',
  'test/image-build/contained.test.ts',
  'test/image-build/filesystem-pack.test.ts',
];

export const allTests = 'test/**/*.test.ts';
