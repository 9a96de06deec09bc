/** Gathers a catalog view (records, image-ids, recipes, history) from a working tree or the index. */

import { imageIdsDir, recordsDir } from '../lib/paths.js';
import type { Problem } from '../lib/problems.js';
import type { TreeReader } from '../lib/tree-reader.js';
import { checkAcrossRecipes, loadRecipes, type RecipeSet } from '../recipes/load-recipes.js';
import { emptyHistory, startHistoryLoad } from './history-cache.js';
import { type ParsedRecord, parseRecord } from './parse-record.js';
import { isRecordPath } from './record-files.js';
import type { CatalogView } from './rules.js';

/** Files that may sit in EMI-IDs/ beside the records. */
const allowedExtras = new Set([`${recordsDir}/README.md`, `${recordsDir}/.gitkeep`]);

export interface LoadedCatalog {
  view: CatalogView;
  recipeSet: RecipeSet;
  /** Problems that stop a file from being read at all (YAML, schema). */
  problems: Problem[];
}

export { isRecordPath };

export async function loadCatalog(
  reader: TreeReader,
  options: { history?: boolean } = {},
): Promise<LoadedCatalog> {
  // git answers about the history while this process lists, reads and parses the files.
  const history = options.history === false ? undefined : startHistoryLoad(reader.root);
  const [recordEntries, idEntries, recipeSet] = await Promise.all([
    reader.list(recordsDir),
    reader.list(imageIdsDir),
    loadRecipes(reader, undefined, { acrossRecipes: false }),
  ]);
  const pendingHistory = history?.finish();
  pendingHistory?.catch(() => {});

  const problems: Problem[] = [];
  const strayRecordFiles: string[] = [];
  const recordPaths: string[] = [];
  for (const entry of recordEntries) {
    if (allowedExtras.has(entry.path)) continue;
    if (entry.kind === 'file' && isRecordPath(entry.path)) recordPaths.push(entry.path);
    else strayRecordFiles.push(entry.path);
  }
  const idPaths = idEntries.filter((entry) => entry.kind === 'file').map((entry) => entry.path);
  for (const entry of idEntries) if (entry.kind !== 'file') strayRecordFiles.push(entry.path);

  const contents = await reader.read([...recordPaths, ...idPaths]);
  const records: ParsedRecord[] = [];
  const brokenRecords = new Set<string>();
  for (const path of recordPaths) {
    const parsed = parseRecord(path, contents.get(path) ?? '');
    if (parsed.ok) records.push(parsed.value);
    else {
      problems.push(...parsed.problems);
      brokenRecords.add(path);
    }
  }
  // Which recipe owns a line its recipes both claim: the one its records name.
  const owners = new Map<string, string>();
  for (const parsed of records)
    if (parsed.record.status !== 'legacy' || !owners.has(parsed.record.image_name))
      owners.set(parsed.record.image_name, parsed.record.recipe_name);
  recipeSet.problems.push(...checkAcrossRecipes(recipeSet.recipes, owners));
  const imageIds = new Map<string, string>();
  for (const path of idPaths) imageIds.set(path, (contents.get(path) ?? Buffer.alloc(0)).toString('utf8'));

  return {
    view: {
      records,
      imageIds,
      recipes: recipeSet.names,
      history: (await pendingHistory) ?? emptyHistory(),
      strayRecordFiles,
      brokenRecords,
      symlinks: new Set(
        [...recordEntries, ...idEntries]
          .filter((entry) => entry.kind === 'symlink')
          .map((entry) => entry.path),
      ),
      recipeLines: new Map(
        [...recipeSet.recipes].map(([name, loaded]) => [
          name,
          new Map(loaded.recipe.lines.map((line) => [line.image_name, line.arches as readonly string[]])),
        ]),
      ),
    },
    recipeSet,
    problems,
  };
}
