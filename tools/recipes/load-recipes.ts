/**
 * Loads and checks the recipes of a catalog: recipes/<recipe_name>/recipe.yaml against the recipe
 * schema, plus the rules a schema cannot say (unique image names, a kernel for every arch, overlay
 * and hook paths that exist inside the recipe and do not leave it through a symlink).
 */

import { recipesDir } from '../lib/paths.js';
import { formatPath, type Problem } from '../lib/problems.js';
import { checkSchema } from '../lib/schema-check.js';
import type { TreeEntry, TreeReader } from '../lib/tree-reader.js';
import { parseYamlSource, type YamlSource } from '../lib/yaml-source.js';
import type { Recipe } from '../schemas/generated/recipe.js';
import { formatMiB, maxRootfsBytes, minRootfsBytes, parseSize } from './sizes.js';

export type { Recipe };

/** Files every image gets; not a recipe of its own. */
export const commonDir = `${recipesDir}/common`;
/** Mirrors the image root: the builder copies it into every image before the recipe's own overlays. */
export const commonOverlayDir = `${commonDir}/overlay`;
export const recipeNamePattern = /^[a-z0-9][a-z0-9._-]*$/;

export interface LoadedRecipe {
  name: string;
  /** recipes/<name>/recipe.yaml */
  file: string;
  recipe: Recipe;
  source: YamlSource;
  /** Every file and symlink under recipes/<name>/. */
  entries: TreeEntry[];
}

export interface RecipeSet {
  recipes: Map<string, LoadedRecipe>;
  /** Names of every folder that has a recipe.yaml, valid or not (records may name them). */
  names: Set<string>;
  problems: Problem[];
}

export async function loadRecipes(
  reader: TreeReader,
  only?: ReadonlySet<string>,
  options: { acrossRecipes?: boolean } = {},
): Promise<RecipeSet> {
  const all = await reader.list(recipesDir, { modes: true });
  const byRecipe = new Map<string, TreeEntry[]>();
  for (const entry of all) {
    const name = entry.path.split('/')[1] ?? '';
    if (entry.path === `${recipesDir}/${name}`) continue;
    byRecipe.set(name, [...(byRecipe.get(name) ?? []), entry]);
  }
  const names = new Set<string>();
  const problems: Problem[] = [];
  for (const [name, entries] of byRecipe) {
    if (`${recipesDir}/${name}` === commonDir) continue;
    const file = `${recipesDir}/${name}/recipe.yaml`;
    const recipeEntry = entries.find((entry) => entry.path === file);
    if (!recipeEntry) {
      problems.push({
        file: `${recipesDir}/${name}/`,
        line: 0,
        column: 0,
        path: '',
        message: 'recipe folder has no recipe.yaml',
      });
      continue;
    }
    names.add(name);
    if (!recipeNamePattern.test(name)) {
      problems.push({
        file,
        line: 0,
        column: 0,
        path: '',
        message: `recipe name "${name}" must match ${recipeNamePattern.source}`,
      });
    }
  }

  const recipes = new Map<string, LoadedRecipe>();
  const wanted = [...names].filter((name) => !only || only.has(name)).sort();
  const contents = await reader.read(wanted.map((name) => `${recipesDir}/${name}/recipe.yaml`));
  for (const name of wanted) {
    const file = `${recipesDir}/${name}/recipe.yaml`;
    const entries = byRecipe.get(name) ?? [];
    if (entries.find((entry) => entry.path === file)?.kind === 'symlink') {
      problems.push({
        file,
        line: 0,
        column: 0,
        path: '',
        message: 'recipe.yaml must be a file, not a symlink',
      });
      continue;
    }
    const parsed = parseYamlSource(file, contents.get(file) ?? '');
    if (!parsed.ok) {
      problems.push(...parsed.problems);
      continue;
    }
    const schemaProblems = checkSchema('recipe', parsed.value);
    if (schemaProblems.length > 0) {
      problems.push(...schemaProblems);
      continue;
    }
    const loaded: LoadedRecipe = {
      name,
      file,
      recipe: parsed.value.value as Recipe,
      source: parsed.value,
      entries,
    };
    problems.push(...checkRecipeRules(loaded));
    recipes.set(name, loaded);
  }
  problems.push(...(await checkHookScripts(reader, [...recipes.values()])));
  if (options.acrossRecipes !== false) problems.push(...checkAcrossRecipes(recipes));
  return { recipes, names, problems };
}

export function checkRecipeRules(loaded: LoadedRecipe): Problem[] {
  const { recipe, source, file, name, entries } = loaded;
  const problems: Problem[] = [];
  const at = (path: (string | number)[], message: string) =>
    problems.push({ file, ...source.locate(path), path: formatPath(path), message });
  const base = `${recipesDir}/${name}`;

  const seenNames = new Map<string, number>();
  for (const [index, line] of recipe.lines.entries()) {
    const earlier = seenNames.get(line.image_name);
    if (earlier !== undefined)
      at(['lines', index, 'image_name'], `"${line.image_name}" is already lines[${earlier}]`);
    seenNames.set(line.image_name, index);
    const bytes = parseSize(line.rootfs_size);
    if (bytes < minRootfsBytes || bytes > maxRootfsBytes)
      at(
        ['lines', index, 'rootfs_size'],
        `${line.rootfs_size} is outside ${formatMiB(minRootfsBytes)} to ${maxRootfsBytes / 1024 ** 3} GiB`,
      );
    for (const [archIndex, arch] of line.arches.entries()) {
      if (!recipe.kernel[arch]) {
        at(['lines', index, 'arches', archIndex], `no kernel package for ${arch}: add kernel.${arch}`);
      }
    }
  }
  if (recipe.packages?.add && recipe.packages.remove) {
    const removed = new Set(recipe.packages.remove);
    for (const [index, pkg] of recipe.packages.add.entries()) {
      if (removed.has(pkg)) at(['packages', 'add', index], `"${pkg}" is both added and removed`);
    }
  }
  for (const [arch, kernel] of Object.entries(recipe.kernel)) {
    if (recipe.packages?.remove?.includes(kernel))
      at(['kernel', arch], `the kernel package "${kernel}" is also in packages.remove`);
  }
  if (recipe.services?.enable && recipe.services.disable) {
    const disabled = new Set(recipe.services.disable);
    for (const [index, unit] of recipe.services.enable.entries()) {
      if (disabled.has(unit)) at(['services', 'enable', index], `"${unit}" is both enabled and disabled`);
    }
  }

  const throughSymlink = (path: string) =>
    entries.find(
      (entry) => entry.kind === 'symlink' && (path === entry.path || path.startsWith(`${entry.path}/`)),
    );
  for (const [index, overlay] of (recipe.overlays ?? []).entries()) {
    const full = `${base}/${overlay.replace(/\/+$/, '')}`;
    const link = throughSymlink(full);
    if (link)
      at(
        ['overlays', index],
        `"${overlay}" goes through the symlink ${link.path}: overlays must stay inside the recipe`,
      );
    else if (!entries.some((entry) => entry.path.startsWith(`${full}/`))) {
      at(['overlays', index], `overlay folder ${full}/ is missing or empty`);
    }
  }
  for (const [index, hook] of (recipe.hooks ?? []).entries()) {
    const full = `${base}/${hook}`;
    const link = throughSymlink(full);
    const entry = entries.find((candidate) => candidate.path === full);
    if (link)
      at(
        ['hooks', index],
        `"${hook}" goes through the symlink ${link.path}: hooks must stay inside the recipe`,
      );
    else if (!entry) at(['hooks', index], `hook ${full} does not exist`);
  }
  return problems;
}

/**
 * A hook is executed inside the image root, so it must name its interpreter. The hooks of every
 * recipe are read at once: one git run for a catalog of hundreds of recipes, not one each.
 */
async function checkHookScripts(
  reader: TreeReader,
  loadedRecipes: readonly LoadedRecipe[],
): Promise<Problem[]> {
  const hooksOf = (loaded: LoadedRecipe) =>
    (loaded.recipe.hooks ?? []).map((hook) => `${recipesDir}/${loaded.name}/${hook}`);
  const files = loadedRecipes.flatMap((loaded) =>
    hooksOf(loaded).filter((path) =>
      loaded.entries.some((entry) => entry.path === path && entry.kind === 'file'),
    ),
  );
  if (files.length === 0) return [];
  const contents = await reader.read(files);
  const problems: Problem[] = [];
  for (const loaded of loadedRecipes) {
    for (const [index, path] of hooksOf(loaded).entries()) {
      const content = contents.get(path);
      if (content === undefined || content.subarray(0, 2).toString('latin1') === '#!') continue;
      const at = ['hooks', index];
      problems.push({
        file: loaded.file,
        ...loaded.source.locate(at),
        path: formatPath(at),
        message: `hook ${path} must start with #! and its interpreter (it runs inside the image)`,
      });
    }
  }
  return problems;
}

/**
 * One recipe per image line. When two claim a line, the one the line's records name (`owners`:
 * image_name → recipe_name) keeps it and the other is the one in the wrong; without records, the
 * first by name keeps it.
 */
export function checkAcrossRecipes(
  recipes: Map<string, LoadedRecipe>,
  owners: ReadonlyMap<string, string> = new Map(),
): Problem[] {
  const problems: Problem[] = [];
  const claims = new Map<string, { loaded: LoadedRecipe; index: number }[]>();
  for (const loaded of recipes.values())
    for (const [index, line] of loaded.recipe.lines.entries())
      claims.set(line.image_name, [...(claims.get(line.image_name) ?? []), { loaded, index }]);
  for (const [imageName, claimants] of claims) {
    const distinct = new Set(claimants.map((claim) => claim.loaded.name));
    if (distinct.size < 2) continue;
    const recorded = owners.get(imageName);
    // Else a recipe that records name for any line (an established one), else the first by name.
    const established = new Set(owners.values());
    const owner =
      recorded !== undefined && distinct.has(recorded)
        ? recorded
        : ([...distinct].find((name) => established.has(name)) ??
          (claimants[0] as { loaded: LoadedRecipe }).loaded.name);

    for (const { loaded, index } of claimants) {
      if (loaded.name === owner) continue;
      const path = ['lines', index, 'image_name'];
      problems.push({
        file: loaded.file,
        ...loaded.source.locate(path),
        path: formatPath(path),
        message: `image line "${imageName}" already belongs to recipe ${owner}${recorded === owner ? ' (its records name it)' : ''}`,
      });
    }
  }
  return problems;
}
