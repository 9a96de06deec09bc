/**
 * The rules beyond the schema, checked over a whole catalog view (pure: no I/O here).
 * Legacy records are exempt from the rules their imported data cannot meet; each exemption is
 * returned as a note so it stays visible.
 */

import { imageIdsDir, recordsDir } from '../lib/paths.js';
import { formatPath, type Problem } from '../lib/problems.js';
import type { HistoryIndex } from './history.js';
import type { ParsedRecord } from './parse-record.js';
import {
  expectedImageFile,
  imageIdPath,
  packagesHeader,
  packagesPath,
  parsePackagesHeader,
  recordFileName,
  renderImageId,
  verifyReportName,
} from './record-files.js';
import { epochOfImageDate, stampOf } from './stamp.js';
import { compareVersions, isRealDay, parseVersion } from './version.js';

export interface CatalogView {
  records: ParsedRecord[];
  /** Contents of every file under image-ids/, by path. */
  imageIds: Map<string, string>;
  /** Recipe folders that hold a recipe.yaml. */
  recipes: Set<string>;
  history: HistoryIndex;
  /** Files under EMI-IDs/ that are not records (wrong extension, folders …). */
  strayRecordFiles: string[];
  /**
   * The image lines of each recipe that loaded (recipe → image_name → arches). A recipe missing
   * here (it does not load) is not checked for lines: its own problems say why.
   */
  recipeLines?: Map<string, Map<string, readonly string[]>>;
  /** Which of strayRecordFiles are symlinks (a record must be a file: git would store the link). */
  symlinks?: Set<string>;
  /** Record files that exist but did not parse (their own problems say why). */
  brokenRecords?: Set<string>;
}

export interface RuleFindings {
  problems: Problem[];
  notes: Problem[];
}

/** The command that regenerates image-ids/ from the records. */
export const refreshImageIdsCommand = 'npm run emi -- image-ids';

export function checkRules(view: CatalogView): RuleFindings {
  const problems: Problem[] = [];
  const notes: Problem[] = [];

  const stampOwners = new Map<string, ParsedRecord[]>();
  for (const parsed of view.records) {
    const owners = stampOwners.get(parsed.record.image_stamp) ?? [];
    owners.push(parsed);
    stampOwners.set(parsed.record.image_stamp, owners);
  }
  const currentFiles = new Set(view.records.map((parsed) => parsed.file));

  for (const parsed of view.records) {
    const { record, source, file } = parsed;
    const legacy = record.status === 'legacy';
    const at = (path: (string | number)[], message: string): Problem => ({
      file,
      ...source.locate(path),
      path: formatPath(path),
      message,
    });
    const exempt = (path: string, message: string) =>
      notes.push(at([path], `legacy record exempt from this rule: ${message}`));

    const expectedName = `${recordsDir}/${recordFileName(record)}`;
    if (file !== expectedName) {
      problems.push(at(['image_name'], `file name must be ${expectedName} (<image_name>.<image_arch>.yaml)`));
    }

    const imageFile = expectedImageFile(record);
    if (record.image_file !== imageFile) {
      const message = `image_file is "${record.image_file}", expected "${imageFile}"`;
      if (legacy) exempt('image_file', message);
      else problems.push(at(['image_file'], message));
    }

    const version = parseVersion(record.image_version);
    if (version && !isRealDay(version.day)) {
      problems.push(at(['image_version'], `"${record.image_version}" is not a real calendar day`));
    }

    const epoch = epochOfImageDate(record.image_date);
    if (epoch === undefined) {
      problems.push(at(['image_date'], `"${record.image_date}" is not a real UTC time (YYYYMMDDHHMMSS)`));
    } else {
      const expectedStamp = stampOf(epoch);
      if (record.image_stamp !== expectedStamp) {
        const message = `image_stamp "${record.image_stamp}" is not the stamp of image_date ${record.image_date} ("${expectedStamp}")`;
        if (legacy) exempt('image_stamp', message);
        else problems.push(at(['image_stamp'], message));
      }
      if (version && !legacy && !record.image_date.startsWith(version.day.replaceAll('.', ''))) {
        problems.push(
          at(
            ['image_version'],
            `version day ${version.day} is not the day of image_date ${record.image_date}`,
          ),
        );
      }
    }

    const owners = stampOwners.get(record.image_stamp) ?? [];
    if (owners.length > 1) {
      const others = owners.filter((other) => other !== parsed).map((other) => other.file);
      problems.push(
        at(['image_stamp'], `stamp "${record.image_stamp}" is also used by ${others.join(', ')}`),
      );
    }
    for (const release of view.history.stampReleases.get(record.image_stamp) ?? []) {
      const sameRelease = release.version === record.image_version;
      // A release whose record file was renamed (moved) keeps its stamp.
      if (sameRelease && (release.file === file || !currentFiles.has(release.file))) continue;
      problems.push(
        at(
          ['image_stamp'],
          `stamp "${record.image_stamp}" was already used by ${release.file} version ${release.version || '?'} in commit ${release.commit.slice(0, 12)}`,
        ),
      );
      break;
    }

    checkBootEvidence(parsed, legacy, at, notes, problems);

    if (!view.recipes.has(record.recipe_name)) {
      const message = `recipes/${record.recipe_name}/recipe.yaml does not exist`;
      if (legacy) exempt('recipe_name', message);
      else problems.push(at(['recipe_name'], message));
    } else {
      const lines = view.recipeLines?.get(record.recipe_name);
      const arches = lines?.get(record.image_name);
      const recipeFile = `recipes/${record.recipe_name}/recipe.yaml`;
      if (lines && !arches) {
        const known = [...lines.keys()];
        const message = `"${record.image_name}" is not a line of ${recipeFile} (its lines: ${known.length ? known.join(', ') : 'none'})`;
        if (legacy) exempt('image_name', message);
        else problems.push(at(['image_name'], message));
      } else if (arches && !arches.includes(record.image_arch)) {
        const message = `${recipeFile} builds ${record.image_name} for ${arches.join(', ')}, not ${record.image_arch}`;
        if (legacy) exempt('image_arch', message);
        else problems.push(at(['image_arch'], message));
      }
    }

    const versions = view.history.versionsByFile.get(file) ?? [];
    for (let i = 1; i < versions.length; i++) {
      const before = versions[i - 1];
      const after = versions[i];
      if (before && after && (compareVersions(after.version, before.version) ?? 0) < 0) {
        problems.push(
          at(
            ['image_version'],
            `version went backwards in history: ${before.version} (${before.commit.slice(0, 12)}) then ${after.version} (${after.commit.slice(0, 12)})`,
          ),
        );
      }
    }
    const last = versions.at(-1);
    if (last && (compareVersions(record.image_version, last.version) ?? 0) < 0) {
      problems.push(
        at(
          ['image_version'],
          `version ${record.image_version} is older than ${last.version}, committed in ${last.commit.slice(0, 12)}: a line's version never goes backwards`,
        ),
      );
    }

    const idPath = imageIdPath(record);
    const expected = renderImageId(record);
    const actual = view.imageIds.get(idPath);
    if (actual === undefined) {
      problems.push({
        file: idPath,
        line: 0,
        column: 0,
        path: '',
        message: `missing: run ${refreshImageIdsCommand}`,
      });
    } else if (actual !== expected) {
      problems.push({
        file: idPath,
        line: firstDifferentLine(actual, expected),
        column: 1,
        path: '',
        message: `out of date with ${file}: run ${refreshImageIdsCommand}`,
      });
    }
  }

  for (const parsed of view.records) {
    const manifest = packagesPath(parsed.record);
    const text = view.imageIds.get(manifest);
    if (text !== undefined) checkPackagesManifest(manifest, text, parsed, notes, problems);
  }

  const expectedIds = new Set(view.records.map((parsed) => imageIdPath(parsed.record)));
  for (const path of view.imageIds.keys()) {
    const base = path.endsWith('.packages') ? path.slice(0, -'.packages'.length) : path;
    const recordFile = `${recordsDir}/${base.slice(imageIdsDir.length + 1)}.yaml`;
    // The record is there but broken: its problems are the ones to fix; image-ids cannot help.
    if (!expectedIds.has(base) && !view.brokenRecords?.has(recordFile)) {
      problems.push({
        file: path,
        line: 0,
        column: 0,
        path: '',
        message: `no record ${recordsDir}/${base.slice(imageIdsDir.length + 1)}.yaml belongs to this file: run ${refreshImageIdsCommand}`,
      });
    }
  }
  for (const stray of view.strayRecordFiles) {
    problems.push({
      file: stray,
      line: 0,
      column: 0,
      path: '',
      message: view.symlinks?.has(stray)
        ? `is a symlink: ${stray.startsWith(`${imageIdsDir}/`) ? 'image-id files' : 'records'} must be plain files (copy the file instead of linking it)`
        : `not a record: ${recordsDir}/ holds only <image_name>.<image_arch>.yaml files`,
    });
  }
  return { problems, notes };
}

/** Records dated before this carry no boot-check report and may say so (boot_check_report). */
export const reportsRequiredFrom = '20261201000000';

/**
 * A built record (one with artifacts) is the claim that the image boots: it lists the boot check's
 * report among its artifacts. Records made before reports were kept say so with
 * `boot_check_report: predates-reports` (a note); a record without artifacts is a planned release
 * that no build has made yet (new-emi), and legacy records predate the boot check.
 */
function checkBootEvidence(
  parsed: ParsedRecord,
  legacy: boolean,
  at: (path: (string | number)[], message: string) => Problem,
  notes: Problem[],
  problems: Problem[],
): void {
  const { record } = parsed;
  const report = verifyReportName(record);
  const marked = record.boot_check_report === 'predates-reports';
  if (marked && record.image_date >= reportsRequiredFrom) {
    problems.push(
      at(
        ['boot_check_report'],
        `predates-reports is only for releases recorded before ${reportsRequiredFrom.slice(0, 8)}: list the boot check's report ${report} among the artifacts instead`,
      ),
    );
    return;
  }
  if (legacy || !record.artifacts || record.artifacts.length === 0) return;
  if (record.artifacts.some((artifact) => artifact.name === report)) return;
  if (marked) {
    notes.push(
      at(
        ['boot_check_report'],
        `recorded before boot-check reports were kept: no ${report} among the artifacts`,
      ),
    );
    return;
  }
  problems.push(
    at(
      ['artifacts'],
      `a built record lists the boot check's report ${report} among its artifacts (emi build adds it when the image passes the boot check)`,
    ),
  );
}

const packageLine = /^[a-z0-9][a-z0-9+.-]+(:[a-z0-9-]+)?\t[A-Za-z0-9.+~:-]+$/;

/**
 * image-ids/<line>.packages: a header naming the record's release, then one name<TAB>version line
 * per package. A manifest of another release is one left over from an earlier build.
 */
function checkPackagesManifest(
  file: string,
  text: string,
  parsed: ParsedRecord,
  notes: Problem[],
  problems: Problem[],
): void {
  const { record } = parsed;
  const problem = (line: number, message: string) =>
    problems.push({ file, line, column: line > 0 ? 1 : 0, path: '', message });
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const header = parsePackagesHeader(lines[0] ?? '');
  const expected = packagesHeader(record).trimEnd();
  if (!header) {
    if (record.status === 'legacy' || record.image_date < reportsRequiredFrom)
      notes.push({
        file,
        line: 0,
        column: 0,
        path: '',
        message: `made before manifests carried a header: not checked against ${parsed.file}`,
      });
    else problem(1, `the first line must be "${expected}", the release this manifest was made for`);
  } else if (
    header.image_name !== record.image_name ||
    header.image_arch !== record.image_arch ||
    header.image_version !== record.image_version ||
    header.image_stamp !== record.image_stamp
  ) {
    problem(
      1,
      `this is the manifest of ${header.image_name}.${header.image_arch} ${header.image_version} (${header.image_stamp}), not of ${parsed.file}'s release ${record.image_version} (${record.image_stamp}): a manifest belongs to the build that made it; remove it, or build the release`,
    );
    return;
  }
  for (const [index, line] of lines.entries()) {
    if (index === 0 && header) continue;
    if (!packageLine.test(line)) {
      problem(index + 1, `not a "name<TAB>version" line: ${JSON.stringify(line.slice(0, 80))}`);
      return;
    }
  }
}

function firstDifferentLine(actual: string, expected: string): number {
  const a = actual.split('\n');
  const b = expected.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) return i + 1;
  return 1;
}
