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
    name: 'recipe',
    summary: 'make a new recipe folder: emi recipe new NAME',
    args: 'new NAME',
    positionals: { min: 2, max: 2 },
    options: {
      from: { type: 'string', value: 'RECIPE', description: 'copy this recipe (its overlays and hooks too)' },
      line: {
        type: 'string',
        value: 'IMAGE_NAME',
        description: 'the first image line (default: euca-<NAME>-emi)',
      },
      arch: {
        type: 'string',
        value: 'A',
        multiple: true,
        description: 'an arch of the line (repeat for more; default: x86_64)',
      },
      'dry-run': { type: 'boolean', description: 'show the files, write nothing' },
      json,
    },
    description:
      'Writes recipes/NAME/ with a commented, schema-valid recipe.yaml, an overlay/ and a hooks/ folder and one image line, checked as `emi validate` would before anything is written; refuses a name that is taken or invalid, and prints the next steps (validate, plan, a local build and boot check, the pull request).',
    examples: [
      'emi recipe new debian-web --line euca-debian-web-emi --arch x86_64',
      'emi recipe new debian-small --from debian-based --line euca-debian-small-emi',
    ],
    load: () => import('./recipe.js'),
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
    name: 'plan',
    summary: 'say which images need building and why (new line, recipe changed, archive updates)',
    options: {
      recipe: {
        type: 'string',
        value: 'R',
        description: 'only this recipe (default: $EMI_RECIPE, else all)',
      },
      line: { type: 'string', value: 'NAME', description: 'only this image line (default: $EMI_LINE)' },
      arch: { type: 'string', value: 'A', description: 'only this arch (default: $EMI_ARCH)' },
      force: {
        type: 'boolean',
        description: 'build the selected images even when up to date ($EMI_FORCE=true)',
      },
      refresh: {
        type: 'boolean',
        description:
          'also rebuild lines whose packages have newer versions in the archive (reads the mirror)',
      },
      mirror: {
        type: 'string',
        value: 'URL',
        description: "--refresh: the mirror (default: $EMI_MIRROR, the recipe's, the host's apt one)",
      },
      keyring: {
        type: 'string',
        value: 'FILE',
        description: "--refresh: the keyring gpgv checks Release files with (default: the distribution's)",
      },
      base: {
        type: 'string',
        value: 'REF',
        description:
          'plan what merging HEAD into REF would rebuild (pull requests), against the records of REF',
      },
      matrix: {
        type: 'boolean',
        description: 'print the GitHub Actions matrix of the images to build ({"include":[…]})',
      },
      github: {
        type: 'boolean',
        description:
          'in a workflow: also write matrix= and count= to $GITHUB_OUTPUT and the plan to $GITHUB_STEP_SUMMARY',
      },
      json,
    },
    description:
      "Compares each recipe's digest (over the files git tracks at HEAD) with recipe_digest in the line's current record. Decisions: new line, recipe changed (naming the inputs added, removed and changed since the commit that wrote the record), archive has updates (--refresh), forced, up to date. Recipe folders with unsafe names and symlinked recipe folders are refused. More than 256 images for --matrix is an error.",
    examples: [
      'emi plan',
      'emi plan --matrix',
      'emi plan --refresh --recipe debian-based',
      'emi plan --base origin/main --json',
    ],
    load: () => import('./plan.js'),
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
      force: {
        type: 'boolean',
        description:
          'build even when the line is up to date (its record has this recipe digest; $EMI_FORCE=true)',
      },
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
      'Steps: plan, preflight, bootstrap (mmdebstrap: the package set in one apt run, cached), customise, clean, manifest, kernel, filesystem (mke2fs -d, exact size), pack (sparse tarball of a filesystem whose free space was never written), verify (boots the image under QEMU and checks it over ssh, as emi verify-image does, and adds its report <image>.verify.json; --no-verify skips it and needs --no-record), publish, record (the report is an artifact of the record: the evidence that the image booted). Needs root except with --plan. Outputs appear in <out>/<image>/ only when complete; the record is written last.',
    examples: [
      'npm run build-image -- debian-based',
      'emi build debian-based --line euca-large-debian-emi --arch i386 --zst',
      'emi build debian-based --plan --json',
    ],
    load: () => import('./build.js'),
  },
  {
    name: 'build-summary',
    summary: "render emi build's JSON progress as a Markdown job summary for GitHub Actions",
    args: 'PROGRESS_FILE',
    positionals: { min: 1, max: 1 },
    options: {},
    description:
      "Reads the JSON lines of `emi build --json` and prints Markdown: each image's steps with their times, the boot check's verdicts and boot times (from verify.json beside the artifacts), the artifact sizes and the record files written.",
    examples: ['emi build-summary "$RUNNER_TEMP/progress.jsonl" >> "$GITHUB_STEP_SUMMARY"'],
    load: () => import('./build-summary.js'),
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
    args: 'FILE | --history DIR --into REPO | --history DIR --changelog-data FILE',
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
      'changelog-data': {
        type: 'string',
        value: 'FILE',
        description:
          "replay mode: replay into a throw-away repository and write its changelog to FILE (data/legacy-history.json), which emi changelog shows as the legacy lines' history",
      },
      origin: {
        type: 'string',
        value: 'URL',
        description:
          'with --changelog-data: the original repository on GitHub, to link its commits (https://github.com/eucalyptus/Eucalyptus-Scripts)',
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
      'emi import-legacy --history ../shared/legacy/history --changelog-data data/legacy-history.json --origin https://github.com/eucalyptus/Eucalyptus-Scripts',
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
      'Boots the image (through a qcow2 overlay: the file is never modified) with its kernel and initrd, KVM when /dev/kvm is usable and TCG otherwise, as a fresh instance (new ed25519 key, instance-id, hostname, user-data that leaves a marker, ephemeral0 and swap disks), reboots it (a new QEMU on the same disks), then boots a second instance. Checks: boot, ssh-login, image-id, hostname, user-data, ephemeral0, swap, udev-names, host-keys, agent-status, systemd-units, artifact-unchanged. Exit 0 when every check passes, 1 otherwise; QEMU and the emulator are stopped on every way out (Ctrl-C too).',
    examples: [
      'emi verify-image out/euca-debian-2026.01.02-x86_64',
      'emi verify-image out/euca-debian-2026.01.02-x86_64 --json --keep /tmp/boot-logs',
      'emi verify-image downloads/euca-debian-2026.01.02-i386 --record EMI-IDs/euca-debian-emi.i386.yaml',
    ],
    load: () => import('./verify-image.js'),
  },
  {
    name: 'record',
    summary: "commit the record files of finished builds to main (the workflow's record job)",
    args: 'commit',
    positionals: { min: 1, max: 1 },
    options: {
      from: {
        type: 'string',
        value: 'DIR',
        description: 'bring in the EMI-IDs/ and image-ids/ files of this folder first (the build artifacts)',
      },
      'built-from': {
        type: 'string',
        value: 'COMMIT',
        description:
          'the commit the builds started from (default: HEAD); a record that moved on main since then is not overwritten',
      },
      remote: { type: 'string', value: 'NAME', description: 'the remote to push to (default: origin)' },
      branch: { type: 'string', value: 'NAME', description: 'the branch to push to (default: main)' },
      'no-push': { type: 'boolean', description: 'commit, but push nothing' },
      github: {
        type: 'boolean',
        description: 'commit: write commit= and recorded= (JSON) to $GITHUB_OUTPUT for the jobs that follow',
      },
      'copy-to': {
        type: 'string',
        value: 'DIR',
        description: 'check: copy the changed record files into DIR (new or empty), e.g. for an artifact',
      },
      json,
    },
    description:
      '`check` refuses a working tree with changes outside EMI-IDs/ and image-ids/ (naming them) or records that do not validate, and lists (or copies) the record files. `commit` stages only EMI-IDs/ and image-ids/ and refuses any other change in the working tree, naming it. Commits as github-actions[bot] (or $EMI_BOT_NAME and $EMI_BOT_EMAIL) with a subject naming the images and a body saying from which commit and recipe digest each was built. Pushes HEAD to the branch, never forced: when someone pushed first, it fetches, checks again that no recorded line moved on the branch since the build started, rebases and retries (at most 5 tries, waits with jitter).',
    examples: [
      'emi record check --copy-to "$RUNNER_TEMP/records"',
      'emi record commit --from records/ --built-from "$GITHUB_SHA"',
      'emi record commit --no-push',
    ],
    load: () => import('./record.js'),
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
        description:
          'only entries dated since DATE (releases by their build time, image_date; YYYY-MM-DD or ISO 8601 with a zone)',
      },
      repository: {
        type: 'string',
        value: 'OWNER/NAME',
        description:
          'the repository on GitHub whose commits and release downloads to link (default: the origin remote, when it is on GitHub)',
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
      'Every commit that changed a record in EMI-IDs/ (renames followed) is an entry: releases with their notes (the commit message), the recipe commits since the previous release, and the package changes from image-ids/<line>.packages; deprecated, legacy and retired lines are shown as such. Versions imported from the original catalog are dated by their image_date, and data/legacy-history.json (made by emi import-legacy --history --changelog-data) gives them their real history. Writes CHANGELOG.md, index.html, lines/<line>.html, style.css, favicon.svg, feed.atom, feeds/<line>.atom, changelog.json, lines/<line>/latest.json, lines/<line>/SHA256SUMS and the JSON schemas. Needs the whole history: fails on a shallow clone.',
    examples: [
      'npm run changelog',
      'emi changelog --out _site --site-url https://example.github.io/catalog/',
      'emi changelog --format md --line euca-debian-emi --since 2024-01-01',
      'emi changelog --out _site --repository "$GITHUB_REPOSITORY"',
    ],
    load: () => import('./changelog.js'),
  },
  {
    name: 'release',
    summary: 'publish recorded images as GitHub releases (draft, upload, verify, publish; safe to re-run)',
    options: {
      line: { type: 'string', value: 'L', description: 'the image line (<image_name>) to release' },
      arch: { type: 'string', value: 'A', description: 'its architecture (with --line)' },
      pending: { type: 'boolean', description: 'release every record that has no published release yet' },
      repo: {
        type: 'string',
        value: 'OWNER/NAME',
        description: 'the repository (default: $GITHUB_REPOSITORY, or the origin remote on github.com)',
      },
      from: {
        type: 'string',
        value: 'DIR',
        description: 'the folder holding the artifact folders <image_file without .img>/ (default: out/)',
      },
      'dry-run': {
        type: 'boolean',
        description: 'show what would be done, change nothing (no token needed)',
      },
      json,
    },
    description:
      "One release per recorded version, tagged <image_name>.<image_arch>-<image_version> at the commit that recorded it, with the tarball, the .img.zst when built, kernel, initrd, .packages, the boot check's report, build.json and SHA256SUMS, each checked against the record first (the raw .img is not an asset). The body is the version's changelog entry. Finds an existing release by listing (drafts too), creates a draft, uploads what is missing, replaces partial or mismatched assets of the draft, verifies size and sha256 of every asset, then publishes. A published release that differs from the record is an error and is never changed. Token from GITHUB_TOKEN or GH_TOKEN, API from GITHUB_API_URL (GitHub Enterprise Server works).",
    examples: [
      'emi release --line euca-debian-emi --arch x86_64 --from out --dry-run',
      'GITHUB_TOKEN=... emi release --pending --repo example/catalog --from artifacts --json',
    ],
    load: () => import('./release.js'),
  },
  {
    name: 'fetch',
    summary: 'download a recorded image from its GitHub release and verify it against the record',
    args: 'LINE',
    positionals: { min: 1, max: 1 },
    options: {
      arch: {
        type: 'string',
        value: 'A',
        description: 'the architecture (needed when the line has several)',
      },
      version: {
        type: 'string',
        value: 'V',
        description: 'an earlier version of the line (default: the current record)',
      },
      to: { type: 'string', value: 'DIR', description: 'where <image_file without .img>/ goes (default: .)' },
      repo: {
        type: 'string',
        value: 'OWNER/NAME',
        description: 'the repository (default: $GITHUB_REPOSITORY, or the origin remote on github.com)',
      },
      json,
    },
    description:
      "Reads the record from git, downloads the release's files (a progress display on a terminal) into a hidden folder inside DIR, checks each against the record's size and sha256 (build.json against SHA256SUMS, whose lines must equal the record), and renames the folder into place only when all match: a mismatch or Ctrl-C leaves nothing behind. No token needed for a public repository (GITHUB_TOKEN or GH_TOKEN is used when set); honours GITHUB_SERVER_URL and GITHUB_API_URL.",
    examples: [
      'emi fetch euca-debian-emi --arch x86_64 --to ~/images',
      'emi fetch euca-debian-emi.i386 --version 2026.11.27 --json',
    ],
    load: () => import('./fetch.js'),
  },
  {
    name: 'register',
    summary: 'upload a recorded release to an OpenStack cloud (Glance) and record the image IDs',
    args: 'LINE | --record-from FILE',
    positionals: { min: 0, max: 1 },
    options: {
      cloud: { type: 'string', value: 'NAME', description: 'the cloud in clouds.yaml (default: $OS_CLOUD)' },
      arch: { type: 'string', value: 'A', description: 'the architecture, when LINE is only an image_name' },
      version: {
        type: 'string',
        value: 'V',
        description: "check that the record's current version is V (only the current release is registered)",
      },
      from: {
        type: 'string',
        value: 'DIR',
        description: 'read the files from a build folder (out/<image>/: .img, .img.zst or .tgz)',
      },
      release: {
        type: 'boolean',
        description: "download the files from the line's GitHub release (the default)",
      },
      repo: {
        type: 'string',
        value: 'OWNER/NAME',
        description: 'the GitHub repository of the releases (default: $GITHUB_REPOSITORY)',
      },
      'server-url': {
        type: 'string',
        value: 'URL',
        description: 'the GitHub server (default: $GITHUB_SERVER_URL or https://github.com)',
      },
      visibility: {
        type: 'string',
        value: 'V',
        description: "public, community, shared or private (default: the cloud's; public needs an admin)",
      },
      'no-record': { type: 'boolean', description: 'register, but leave the record in EMI-IDs/ as it is' },
      'record-from': {
        type: 'string',
        value: 'FILE',
        description: 'only record the registrations in the result lines of earlier --json runs (no cloud)',
      },
      'dry-run': {
        type: 'boolean',
        description: 'show what would be deleted, uploaded, reused and hidden; write nothing',
      },
      json: { type: 'boolean', description: 'events and the result as JSON lines' },
    },
    description:
      "Uploads the kernel as an aki image, the initrd as an ari image and the root filesystem as an ami image with kernel_id and ramdisk_id, each named after image_file and carrying the record's fields as properties, streamed (never copied to a temp file) with SHA-512 computed on the way and compared with Glance's os_hash_value. Idempotent: active images of the same version and stamp are reused, ones left queued or saving by an interrupted run are deleted and uploaded again, and a re-run sends no write. The other versions of the line are hidden (os_hidden); a deprecated record's images too. Clouds come from clouds.yaml (OS_CLIENT_CONFIG_FILE, ./, ~/.config/openstack/, /etc/openstack/); secrets may come from OS_PASSWORD, OS_TOKEN or OS_APPLICATION_CREDENTIAL_SECRET and are never printed. See docs/register.md.",
    examples: [
      'emi register euca-debian-emi.x86_64 --cloud private --from out/euca-debian-2026.11.27-x86_64',
      'OS_CLOUD=private emi register euca-debian-emi --arch x86_64 --repo example/catalog',
      'emi register euca-debian-emi.x86_64 --cloud private --dry-run --json',
    ],
    load: () => import('./register.js'),
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
