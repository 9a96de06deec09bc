/**
 * Turns the blocks of an original catalog into records with `status: legacy`. Every value that can
 * be trusted is kept; every defect is reported with its line; a block that cannot become a record
 * is reported as not imported. Nothing is dropped silently. Pure.
 */
import type { Problem } from '../../lib/problems.js';
import { getValidator } from '../../lib/schema-check.js';
import type { ImageRecord } from '../record-files.js';
import { recordPath } from '../record-files.js';
import { epochOfImageDate } from '../stamp.js';
import {
  isDateShape,
  isStampShape,
  type LegacyBlock,
  type LegacyDefect,
  parseLegacyCatalog,
} from './parse-legacy.js';

export interface ImportedRecord {
  record: ImageRecord;
  /** The heading line of the block it came from. */
  line: number;
  heading: string;
}

export interface LegacyImportPlan {
  imported: ImportedRecord[];
  problems: Problem[];
  /** Blocks read, for the summary. */
  blocks: number;
}

const fieldNames = [
  'image_name',
  'image_version',
  'image_arch',
  'image_file',
  'image_stamp',
  'image_date',
  'recipe_name',
];

/** `2012.1.14` → `2012.01.14`; undefined when it is not a date-shaped version at all. */
export function padVersion(version: string): string | undefined {
  const match = /^(\d{4})\.(\d{1,2})\.(\d{1,2})$/.exec(version);
  if (!match) return undefined;
  return `${match[1]}.${(match[2] as string).padStart(2, '0')}.${(match[3] as string).padStart(2, '0')}`;
}

/** Splits `euca-centos-large-2011.07.02-i386.tgz` into its stem, version and arch. */
export function splitImageFile(file: string): { stem: string; version: string; arch: string } | undefined {
  const match = /^(.+?)-(\d{4}\.\d{1,2}\.\d{1,2})-(x86_64|i386|aarch64)\.(?:img|tgz|tar\.gz)$/.exec(file);
  if (!match) return undefined;
  return { stem: match[1] as string, version: match[2] as string, arch: match[3] as string };
}

/**
 * The line name of a legacy large image: `euca-large-<rest>` wherever "large" stood in the file
 * stem, so one line keeps one name across the catalog's history (its files were named both ways).
 */
export function largeLineName(stem: string): string {
  const parts = stem.split('-').filter((part) => part !== 'large');
  const [first, ...rest] = parts;
  return `${[first, 'large', ...rest].join('-')}-emi`;
}

export function planLegacyImport(file: string, text: string, sourceLabel = file): LegacyImportPlan {
  const blocks = parseLegacyCatalog(text);
  const problems: Problem[] = [];
  const imported: ImportedRecord[] = [];
  const byLine = new Map<string, ImportedRecord>();
  const usedFiles = new Set<string>();
  const listedFiles: { value: string; line: number; column: number; heading: string }[] = [];
  const report = (defect: LegacyDefect) =>
    problems.push({
      file,
      line: defect.line,
      column: defect.column,
      path: defect.field,
      message: defect.message,
    });

  for (const block of blocks) {
    for (const defect of block.defects) report(defect);
    const result = block.kind === 'files' ? fromShortForm(block) : fromFields(block);
    for (const defect of result.defects) report(defect);
    for (const listed of block.files) listedFiles.push({ ...listed, heading: block.heading.text });
    if (!result.record) {
      problems.push({
        file,
        line: block.heading.line,
        column: 1,
        path: '',
        message: `block "${block.heading.text}" not imported: ${result.reason}`,
      });
      continue;
    }
    const record: ImageRecord = {
      ...result.record,
      status: 'legacy',
      legacy_source: `${sourceLabel} line ${block.heading.line} (${block.heading.text})`,
    };
    const validate = getValidator('record');
    if (!validate(record)) {
      const detail = (validate.errors ?? [])
        .map((error) => `${error.instancePath.slice(1) || 'record'} ${error.message}`)
        .join('; ');
      problems.push({
        file,
        line: block.heading.line,
        column: 1,
        path: '',
        message: `block "${block.heading.text}" not imported: ${detail}`,
      });
      continue;
    }
    const key = recordPath(record);
    const earlier = byLine.get(key);
    if (earlier) {
      problems.push({
        file,
        line: block.heading.line,
        column: 1,
        path: 'image_name',
        message: `block "${block.heading.text}" not imported: it is the same line (${record.image_name} on ${record.image_arch}) as the block at line ${earlier.line}`,
      });
      continue;
    }
    const entry = { record, line: block.heading.line, heading: block.heading.text };
    byLine.set(key, entry);
    imported.push(entry);
    if (result.usedFile) usedFiles.add(result.usedFile);
  }
  for (const listed of listedFiles) {
    if (usedFiles.has(listed.value)) continue;
    problems.push({
      file,
      line: listed.line,
      column: listed.column,
      path: 'image_file',
      message: `${listed.value} is listed under "${listed.heading}" but no block gives its own date and stamp: not imported`,
    });
    usedFiles.add(listed.value);
  }
  problems.sort((a, b) => a.line - b.line || a.column - b.column);
  return { imported, problems, blocks: blocks.length };
}

interface BlockResult {
  record?: Omit<ImageRecord, 'status' | 'legacy_source'>;
  reason?: string;
  defects: LegacyDefect[];
  usedFile?: string;
}

function fromFields(block: LegacyBlock): BlockResult {
  const defects: LegacyDefect[] = [];
  const get = (key: string) => block.fields.get(key);
  for (const [key, value] of block.fields) {
    if (!fieldNames.includes(key))
      defects.push({
        line: value.line,
        column: value.column,
        field: key,
        message: `unknown field ${key}: ignored`,
      });
  }
  const missing = fieldNames.filter((key) => !get(key));
  if (missing.length > 0) return { defects, reason: `missing ${missing.join(', ')}` };
  const value = (key: string) => (get(key) as { value: string }).value;
  const where = (key: string) => get(key) as { line: number; column: number };
  const defect = (key: string, message: string) => defects.push({ ...where(key), field: key, message });

  let stamp = value('image_stamp');
  let date = value('image_date');
  if (isDateShape(stamp) && isStampShape(date)) {
    defect(
      'image_stamp',
      `image_stamp and image_date are swapped ("${stamp}", "${date}"): recognised by their shape`,
    );
    [stamp, date] = [date, stamp];
  }
  if (!isStampShape(stamp)) return { defects, reason: `image_stamp "${stamp}" is not xxxx-xxxx hex` };
  if (!isDateShape(date) || epochOfImageDate(date) === undefined)
    return { defects, reason: `image_date "${date}" is not a real YYYYMMDDHHMMSS time` };

  const rawVersion = value('image_version');
  const version = padVersion(rawVersion);
  if (!version) return { defects, reason: `image_version "${rawVersion}" is not a YYYY.MM.DD date` };
  if (version !== rawVersion)
    defect('image_version', `unpadded version "${rawVersion}": recorded as "${version}"`);

  const arch = value('image_arch');
  if (block.heading.arch && block.heading.arch !== arch) {
    defect('image_arch', `image_arch "${arch}" disagrees with the heading "${block.heading.text}"`);
  }
  const imageFile = value('image_file');
  const parts = splitImageFile(imageFile);
  let name = value('image_name');
  if (!parts) defect('image_file', `image_file "${imageFile}" is not <name>-<version>-<arch>.img`);
  else {
    if (padVersion(parts.version) !== version) {
      defect(
        'image_file',
        `image_file "${imageFile}" says version ${parts.version}, image_version is ${rawVersion}`,
      );
    }
    if (parts.arch !== arch)
      defect('image_file', `image_file "${imageFile}" says arch ${parts.arch}, image_arch is ${arch}`);
    if (`${parts.stem}-emi` !== name) {
      if (block.heading.large && !name.includes('large') && parts.stem.includes('large')) {
        const corrected = largeLineName(parts.stem);
        defect(
          'image_name',
          `image_name "${name}" does not say large, but the heading and image_file "${imageFile}" do: recorded as "${corrected}"`,
        );
        name = corrected;
      } else {
        defect('image_file', `image_file "${imageFile}" disagrees with image_name "${name}"`);
      }
    }
  }
  return {
    defects,
    record: {
      image_name: name,
      image_version: version,
      image_arch: arch as ImageRecord['image_arch'],
      image_file: imageFile,
      image_stamp: stamp,
      image_date: date,
      recipe_name: value('recipe_name'),
    },
    usedFile: imageFile,
  };
}

function fromShortForm(block: LegacyBlock): BlockResult {
  const defects: LegacyDefect[] = [];
  const { heading } = block;
  const candidates = block.files.filter((file) => file.value.includes('large') === heading.large);
  const chosen = candidates[0];
  if (!chosen) return { defects, reason: `no listed file matches the heading "${heading.text}"` };
  if (candidates.length > 1) {
    return {
      defects,
      reason: `several listed files match the heading: ${candidates.map((file) => file.value).join(', ')}`,
    };
  }
  const parts = splitImageFile(chosen.value);
  if (!parts) return { defects, reason: `${chosen.value} is not <name>-<version>-<arch>.tgz` };
  const version = padVersion(parts.version);
  if (!version) return { defects, reason: `${chosen.value} has no YYYY.MM.DD version` };
  if (heading.arch && heading.arch !== parts.arch) {
    defects.push({
      line: chosen.line,
      column: chosen.column,
      field: 'image_arch',
      message: `${chosen.value} is ${parts.arch}, the heading says ${heading.arch}`,
    });
  }

  let stamp: string | undefined;
  let date: string | undefined;
  for (const { label, value } of block.labelled) {
    const shape = isStampShape(value.value) ? 'stamp' : isDateShape(value.value) ? 'date' : undefined;
    if (!shape) {
      defects.push({
        line: value.line,
        column: value.column,
        field: `image_${label}`,
        message: `"${value.value}" is neither a stamp nor a date`,
      });
      continue;
    }
    if (shape !== label) {
      defects.push({
        line: value.line,
        column: value.column,
        field: `image_${shape}`,
        message: `labelled ${label} but "${value.value}" is a ${shape}: the labels are swapped, recognised by shape`,
      });
    }
    if (shape === 'stamp') stamp ??= value.value;
    else date ??= value.value;
  }
  if (!stamp) return { defects, reason: 'no stamp line' };
  if (!date || epochOfImageDate(date) === undefined) return { defects, reason: 'no real date line' };

  const name = parts.stem.includes('large') ? largeLineName(parts.stem) : `${parts.stem}-emi`;
  if (name !== `${parts.stem}-emi`) {
    defects.push({
      line: chosen.line,
      column: chosen.column,
      field: 'image_name',
      message: `line name "${name}" derived from ${chosen.value}`,
    });
  }
  const recipe = heading.distro ? `${heading.distro}-based` : undefined;
  if (!recipe)
    return {
      defects,
      reason: `the heading "${heading.text}" names no distribution to take recipe_name from`,
    };
  defects.push({
    line: heading.line,
    column: 1,
    field: 'recipe_name',
    message: `short-form block has no recipe_name: "${recipe}" taken from the heading`,
  });
  return {
    defects,
    record: {
      image_name: name,
      image_version: version,
      image_arch: parts.arch as ImageRecord['image_arch'],
      image_file: chosen.value,
      image_stamp: stamp,
      image_date: date,
      recipe_name: recipe,
    },
    usedFile: chosen.value,
  };
}
