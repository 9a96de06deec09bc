/**
 * Every `emi` subcommand: its help text and options, and a loader for its implementation.
 * Keep this file free of heavy imports: it is all that `emi --help` loads.
 */
import type { CommandSpec } from './types.js';

const json = { type: 'boolean', description: 'print the result as JSON' } as const;

export const commands: CommandSpec[] = [
  {
    name: 'stamp',
    summary: 'print image_stamp, image_date and image_version for a moment',
    options: {
      epoch: { type: 'string', value: 'N', description: 'seconds since 1970-01-01 UTC (default: now)' },
      tz: {
        type: 'string',
        value: 'utc|local',
        description: 'time zone of image_date and image_version (default: utc)',
      },
      json,
    },
    description:
      "image_stamp is what `date +%s | md5sum | sed 's/\\(....\\)\\(....\\).*/\\1-\\2/'` prints at that second.",
    examples: ['emi stamp', 'emi stamp --epoch 1326553503 --json'],
    load: () => import('./stamp.js'),
  },
  {
    name: 'new-emi',
    summary:
      'plan the next release of an image line by hand: its record, before it is built (npm run new-emi)',
    options: {
      recipe: { type: 'string', value: 'R', description: 'the recipe (a folder under recipes/)' },
      arch: { type: 'string', value: 'A', description: 'the architecture: x86_64, i386 …' },
      name: {
        type: 'string',
        value: 'NAME',
        description: 'the image line, when the recipe has several for the arch',
      },
      epoch: { type: 'string', value: 'N', description: 'the moment of the release (default: now)' },
      'dry-run': { type: 'boolean', description: 'show the record, write nothing' },
      yes: { type: 'boolean', short: 'y', description: 'write without asking' },
      json,
    },
    description:
      "emi build makes the record of each image it builds and boot-checks; new-emi is for planning a release by hand: it reserves the next version (YYYY.MM.DD, .N for extra releases that day), stamp, date and file name in a record with no artifacts, which `emi build RECIPE --record EMI-IDs/<name>.<arch>.yaml` then builds (adding the artifacts and the boot check's report). It shows the record, asks before writing on a terminal, then writes EMI-IDs/<name>.<arch>.yaml and image-ids/<name>.<arch> atomically and removes the line's image-ids/<name>.<arch>.packages, the package manifest of the previous build. Refuses a shallow clone, where it cannot check that the stamp was not used before (git fetch --unshallow fetches the whole history).",
    examples: [
      'npm run new-emi -- --recipe debian-based --arch x86_64',
      'emi new-emi --recipe debian-based --arch i386 --name euca-large-debian-emi --yes',
    ],
    load: () => import('./new-emi.js'),
  },
  {
    name: 'validate',
    summary: 'check records, recipes and image-ids/ (npm run validate)',
    args: '[paths…]',
    positionals: { min: 0, max: Number.POSITIVE_INFINITY },
    options: {
      staged: {
        type: 'boolean',
        description: 'check what is staged for the next commit (the pre-commit hook)',
      },
      'no-history': {
        type: 'boolean',
        description: 'skip the rules that read the git history (for a shallow clone)',
      },
      json,
    },
    description:
      'Prints each problem as `file:line:column  field  message` (and as a GitHub annotation under Actions). Exit 0 when clean, 1 on problems, 2 on usage errors. The history rules (a stamp or version used by an earlier release) read the git history: in a shallow clone validate fails unless given --no-history; git fetch --unshallow fetches the rest.',
    examples: ['npm run validate', 'emi validate EMI-IDs/euca-debian-emi.x86_64.yaml', 'emi validate --json'],
    load: () => import('./validate.js'),
  },
  {
    name: 'build',
    summary: 'build the images of a recipe (npm run build-image)',
    args: 'RECIPE',
    positionals: { min: 1, max: 1 },
    options: {
      line: {
        type: 'string',
        value: 'NAME',
        description: "the image line (default: the recipe's first for the arch)",
      },
      arch: {
        type: 'string',
        value: 'A',
        description: "the architecture (default: this machine's, e.g. x86_64)",
      },
      all: { type: 'boolean', description: 'build every line on every arch of the recipe' },
      out: { type: 'string', value: 'DIR', description: 'where the artifact folders go (default: out/)' },
      cache: {
        type: 'string',
        value: 'DIR',
        description: 'the package and tree cache (default: $EMI_CACHE_DIR or .cache/emi-build/)',
      },
      mirror: {
        type: 'string',
        value: 'URL',
        description: "the package mirror (default: $EMI_MIRROR, the recipe's, or the host's apt one)",
      },
      record: { type: 'string', value: 'FILE', description: 'build this record instead of a new release' },
      epoch: { type: 'string', value: 'N', description: 'the moment of the new release (default: now)' },
      zst: { type: 'boolean', description: 'also write <image>.img.zst' },
      'no-record': { type: 'boolean', description: 'write no record in EMI-IDs/ and image-ids/' },
      'no-verify': {
        type: 'boolean',
        description:
          'skip the boot check (emi verify-image); only with --no-record: an image that was not booted gets no record',
      },
      plan: { type: 'boolean', description: 'show the plan (recipe, digest, records, outputs) and stop' },
      json: { type: 'boolean', description: 'progress and result as JSON lines (with --plan: the plan)' },
    },
    description:
      'Steps: plan, preflight, bootstrap (debootstrap and the package set, cached), customise, clean, manifest, kernel, filesystem (mke2fs -d, exact size), pack (zerofree, sparse tarball), verify (boots the image under QEMU and checks it over ssh, as emi verify-image does, and adds its report <image>.verify.json; --no-verify skips it and needs --no-record), publish, record (the report is an artifact of the record: the evidence that the image booted). Needs root except with --plan. Outputs appear in <out>/<image>/ only when complete; the record is written last.',
    examples: [
      'npm run build-image -- debian-based',
      'emi build debian-based --line euca-large-debian-emi --arch i386 --zst',
      'emi build debian-based --plan --json',
    ],
    load: () => import('./build.js'),
  },
  {
    name: 'image-ids',
    summary: "regenerate image-ids/ (each image's /etc/image-id) from the records",
    options: {
      check: { type: 'boolean', description: 'only report what is out of date (exit 1), write nothing' },
      json,
    },
    examples: ['npm run emi -- image-ids'],
    load: () => import('./image-ids.js'),
  },
  {
    name: 'import-legacy',
    summary: 'import records from the original single-file EMI-IDs catalog, or replay its history as commits',
    args: 'FILE | --history DIR --into REPO',
    positionals: { min: 0, max: 1 },
    options: {
      out: {
        type: 'string',
        value: 'DIR',
        description: 'FILE mode: the catalog repository to write into (default: this one)',
      },
      history: {
        type: 'string',
        value: 'DIR',
        description: 'replay mode: dated versions <YYYY-MM-DD>-<commit>.EMI-IDs and their git-log.txt',
      },
      into: {
        type: 'string',
        value: 'REPO',
        description: 'replay mode: the catalog repository to commit into (it must hold no records yet)',
      },
      'dry-run': { type: 'boolean', description: 'report what would be imported, write nothing' },
      json,
    },
    description:
      'FILE mode reads key="value" blocks and the older short-form blocks (.tgz files with date and stamp lines), writes records with status: legacy and their image-ids files, and reports every defect with its line. Replay mode (--history, --into) imports each dated version of the file the same way, in commit order, and commits the changed records with the original author, date and message, so the changelog reaches back to the first image; run again, it resumes where it stopped.',
    examples: [
      'emi import-legacy test/fixtures/legacy/EMI-IDs --dry-run',
      'emi import-legacy old/EMI-IDs --json',
      'emi import-legacy --history test/fixtures/legacy/history --into ../new-catalog',
    ],
    load: () => import('./import-legacy.js'),
  },
  {
    name: 'metadata-server',
    summary: 'serve an EC2 metadata service for one instance on loopback (test an image or a script)',
    options: {
      config: {
        type: 'string',
        value: 'FILE',
        description: 'the instance file (instance.yaml; default: an instance with no key and no user-data)',
      },
      port: { type: 'string', value: 'N', description: 'the port (default: 8169; 0 picks a free one)' },
      bind: { type: 'string', value: 'ADDR', description: 'the address to listen on (default: 127.0.0.1)' },
      quiet: { type: 'boolean', short: 'q', description: 'do not print a line per request' },
    },
    description:
      'Answers like EC2 (version list, meta-data indexes, public-keys/ as N=name, user-data, the identity document) with IMDSv2 tokens optional, required, disabled or eucalyptus, and the faults the file asks for. Prints one line per request (time, status, method, path, token, fault) until Ctrl-C.',
    examples: [
      'emi metadata-server --config instance.yaml --port 8169',
      'curl http://127.0.0.1:8169/latest/meta-data/public-keys/',
      'EMI_METADATA_URL=http://127.0.0.1:8169 EMI_ROOT=/tmp/root sh recipes/common/overlay/usr/sbin/emi-agent',
    ],
    load: () => import('./metadata-server.js'),
  },
  {
    name: 'verify-image',
    summary: 'boot a built image under QEMU against the metadata emulator and check it over ssh',
    args: 'ARTIFACT_DIR',
    positionals: { min: 1, max: 1 },
    options: {
      timeout: {
        type: 'string',
        value: 'S',
        description: 'the longest wait for each boot to reach a working ssh login (default: 600)',
      },
      keep: {
        type: 'string',
        value: 'DIR',
        description:
          'keep the serial logs, known_hosts and report.json in DIR (default: only when a check fails)',
      },
      record: {
        type: 'string',
        value: 'FILE',
        description: "the record to compare /etc/image-id with (default: the folder's build.json)",
      },
      json,
    },
    description:
      'Boots the image (snapshot mode: the file is never modified) with its kernel and initrd, KVM when /dev/kvm is usable and TCG otherwise, as a fresh instance (new ed25519 key, instance-id, hostname, user-data that leaves a marker, ephemeral0 and swap disks), reboots it, then boots a second instance. Checks: boot, ssh-login, image-id, hostname, user-data, ephemeral0, swap, udev-names, host-keys, agent-status, systemd-units, artifact-unchanged. Exit 0 when every check passes, 1 otherwise; QEMU and the emulator are stopped on every way out (Ctrl-C too).',
    examples: [
      'emi verify-image out/euca-debian-2026.01.02-x86_64',
      'emi verify-image out/euca-debian-2026.01.02-x86_64 --json --keep /tmp/boot-logs',
      'emi verify-image downloads/euca-debian-2026.01.02-i386 --record EMI-IDs/euca-debian-emi.i386.yaml',
    ],
    load: () => import('./verify-image.js'),
  },
  {
    name: 'changelog',
    summary:
      'render the image changelog from git: Markdown, a static site, Atom feeds, JSON (npm run changelog)',
    options: {
      out: {
        type: 'string',
        value: 'DIR',
        description: 'the output folder (default: out/changelog in the repository)',
      },
      format: {
        type: 'string',
        value: 'LIST',
        description: 'comma-separated formats: md, html, atom, json (default: all)',
      },
      line: {
        type: 'string',
        multiple: true,
        value: 'NAME',
        description:
          'only this line (<image_name>.<image_arch>, or an image_name for all its arches); repeatable',
      },
      since: {
        type: 'string',
        value: 'DATE',
        description: 'only entries committed since DATE (YYYY-MM-DD or ISO 8601 with a zone)',
      },
      'site-url': {
        type: 'string',
        value: 'URL',
        description: "the site's address, for absolute links in the Atom feeds",
      },
      'generated-at': {
        type: 'string',
        value: 'TIME|now',
        description:
          'write this time into the outputs (default: none, so the same history gives the same bytes)',
      },
      'dry-run': { type: 'boolean', description: 'render everything, write nothing' },
      json,
    },
    description:
      'Every commit that changed a record in EMI-IDs/ (renames followed) is an entry: releases with their notes (the commit message), the recipe commits since the previous release, and the package changes from image-ids/<line>.packages; deprecated, legacy and retired lines are shown as such. Writes CHANGELOG.md, index.html, lines/<line>.html, style.css, feed.atom, feeds/<line>.atom, changelog.json and changelog.schema.json. Needs the whole history: fails on a shallow clone.',
    examples: [
      'npm run changelog',
      'emi changelog --out _site --site-url https://example.github.io/catalog/',
      'emi changelog --format md --line euca-debian-emi --since 2024-01-01',
    ],
    load: () => import('./changelog.js'),
  },
  {
    name: 'commit-msg',
    summary: 'git hook: refuse a commit that changes EMI-IDs/ without a message body',
    args: 'MSG_FILE',
    positionals: { min: 1, max: 1 },
    options: {},
    description: "The body of such a commit becomes the image's changelog entry.",
    examples: ['emi commit-msg .git/COMMIT_EDITMSG'],
    load: () => import('./commit-msg.js'),
  },
];

export function findCommand(name: string): CommandSpec | undefined {
  return commands.find((command) => command.name === name);
}
