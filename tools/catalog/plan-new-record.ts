/**
 * `new-emi`, the pure part: from a recipe, an arch, the line's current record and every stamp the
 * catalog has used, the next record of the line and the files to write.
 */
import { UserError } from '../lib/errors.js';
import type { Recipe } from '../schemas/generated/recipe.js';
import {
  expectedImageFile,
  type ImageRecord,
  imageIdPath,
  recordPath,
  renderImageId,
  renderRecord,
} from './record-files.js';
import { epochOfImageDate, isValidEpoch, maxEpoch, momentOf } from './stamp.js';
import { nextVersion, parseVersion } from './version.js';

export interface NewRecordInput {
  recipeName: string;
  arch: string;
  /** The image line (default: the recipe's first line for the arch). */
  name?: string;
  epoch: number;
  /** Recipes that exist, by name. */
  recipes: ReadonlyMap<string, Recipe>;
  /** The current record at the line's path, if there is one. */
  current?: ImageRecord;
  /** Every stamp in the catalog and its history. */
  usedStamps: ReadonlySet<string>;
}

export interface NewRecordPlan {
  record: ImageRecord;
  recordPath: string;
  imageIdPath: string;
  files: { path: string; content: string }[];
  /** Seconds the moment moved forward to avoid a stamp that was already used. */
  skippedSeconds: number;
  previousVersion?: string;
}

export function linesFor(recipe: Recipe, arch?: string): string[] {
  return recipe.lines
    .filter((line) => arch === undefined || (line.arches as string[]).includes(arch))
    .map((line) => line.image_name);
}

export function archesOf(recipe: Recipe): string[] {
  return [...new Set(recipe.lines.flatMap((line) => line.arches as string[]))].sort();
}

export interface LineChoice {
  recipeName: string;
  arch: string;
  name?: string;
  recipes: ReadonlyMap<string, Recipe>;
}

/** The image line that new-emi makes a record for: checks the recipe, the arch and the name. */
export function resolveLine(input: LineChoice): string {
  const recipe = input.recipes.get(input.recipeName);
  if (!recipe) {
    const known = [...input.recipes.keys()].sort();
    throw new UserError(
      `unknown recipe "${input.recipeName}": known recipes are ${known.length ? known.join(', ') : '(none: add recipes/<name>/recipe.yaml)'}`,
    );
  }
  const arches = archesOf(recipe);
  if (!arches.includes(input.arch)) {
    throw new UserError(
      `recipe ${input.recipeName} has no line for arch "${input.arch}": known arches are ${arches.join(', ')}`,
    );
  }
  const candidates = linesFor(recipe, input.arch);
  // Without a name, the recipe's first line for the arch: recipes list the standard line first.
  if (input.name === undefined) return candidates[0] as string;
  if (!candidates.includes(input.name)) {
    throw new UserError(
      `recipe ${input.recipeName} has no line "${input.name}" for ${input.arch}: its lines are ${candidates.join(', ')}`,
    );
  }
  return input.name;
}

export function planNewRecord(input: NewRecordInput): NewRecordPlan {
  const name = resolveLine(input);
  if (!isValidEpoch(input.epoch))
    throw new UserError(`epoch ${input.epoch} is out of range (0 to ${maxEpoch})`);

  const line = { image_name: name, image_arch: input.arch };
  const current = input.current;
  if (current) {
    if (current.image_name !== name || current.image_arch !== input.arch) {
      throw new UserError(
        `${recordPath(line)} holds the record of ${current.image_name} on ${current.image_arch}: fix it before making a new record`,
      );
    }
    if (current.recipe_name !== input.recipeName && current.status !== 'legacy') {
      throw new UserError(
        `${recordPath(line)} belongs to recipe ${current.recipe_name}, not ${input.recipeName}`,
      );
    }
  }

  let epoch = input.epoch;
  // A release comes after the line's current one: later the same day, the new record is dated
  // after it. (Its stamp may not be in history at all: a record written by new-emi and replaced
  // by the next new-emi before any commit is known to nobody, and its second must not come back.)
  const currentEpoch =
    current && current.status !== 'legacy' ? epochOfImageDate(current.image_date) : undefined;
  if (
    currentEpoch !== undefined &&
    currentEpoch >= epoch &&
    momentOf(currentEpoch).image_version === momentOf(epoch).image_version
  )
    epoch = currentEpoch + 1;
  while (input.usedStamps.has(momentOf(epoch).image_stamp)) {
    if (epoch >= maxEpoch) throw new UserError('no unused stamp left before the end of year 9999');
    epoch++;
  }
  const moment = momentOf(epoch);
  const previous = current?.image_version;
  const previousDay = previous === undefined ? undefined : parseVersion(previous)?.day;
  if (previousDay !== undefined && previousDay > moment.image_version) {
    throw new UserError(
      `${recordPath(line)} is at version ${previous}, later than today (${moment.image_version}) in UTC: is the clock right?`,
    );
  }
  const version = nextVersion(moment.image_version, previous);
  const record: ImageRecord = {
    image_name: name,
    image_version: version,
    image_arch: input.arch as ImageRecord['image_arch'],
    image_file: expectedImageFile({
      image_name: name,
      image_version: version,
      image_arch: input.arch as ImageRecord['image_arch'],
    }),
    image_stamp: moment.image_stamp,
    image_date: moment.image_date,
    recipe_name: input.recipeName,
  };
  const files = [
    { path: recordPath(line), content: renderRecord(record) },
    { path: imageIdPath(line), content: renderImageId(record) },
  ];
  return {
    record,
    recordPath: recordPath(line),
    imageIdPath: imageIdPath(line),
    files,
    skippedSeconds: epoch - input.epoch,
    ...(previous === undefined ? {} : { previousVersion: previous }),
  };
}
