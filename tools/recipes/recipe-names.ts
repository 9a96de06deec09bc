/**
 * Names that come from the repository (recipe folders, image lines, arches) end up in a GitHub
 * Actions matrix, in job names, artifact names and on command lines. A pull request can add any
 * folder name, so each is checked here before it is used anywhere: a clear error, never a name
 * passed on.
 */
import { UserError } from '../lib/errors.js';
import { recipesDir } from '../lib/paths.js';
import type { TreeEntry } from '../lib/tree-reader.js';
import { commonDir, recipeNamePattern } from './load-recipes.js';

export const maxRecipeNameLength = 64;
export const lineNamePattern = /^[a-z0-9][a-z0-9._-]{0,99}$/;
export const archNames = ['x86_64', 'i386', 'aarch64'] as const;

/** Shows a name with every unusual character escaped (a newline stays visible as \n). */
export function showName(name: string): string {
  return JSON.stringify(name.length > 80 ? `${name.slice(0, 40)}…${name.slice(-20)}` : name);
}

/** Why a recipe folder name is refused, or undefined when it is fine. */
export function recipeNameProblem(name: string): string | undefined {
  if (name.length > maxRecipeNameLength)
    return `recipe folder name ${showName(name)} is ${name.length} characters long (at most ${maxRecipeNameLength})`;
  if (name === '.' || name === '..' || !recipeNamePattern.test(name))
    return `recipe folder name ${showName(name)} is not allowed: use lowercase letters, digits, ".", "_" and "-", starting with a letter or digit`;
  return undefined;
}

/**
 * Every entry directly under recipes/ must be a folder with a usable name (files such as a README
 * are fine, symlinks are not: `recipes/evil -> /etc` would make the builder read outside the
 * repository). Throws one error naming every offender.
 */
export function assertRecipeFolders(entries: readonly TreeEntry[]): void {
  const problems = new Set<string>();
  for (const entry of entries) {
    const rest = entry.path.slice(recipesDir.length + 1);
    const slash = rest.indexOf('/');
    const name = slash < 0 ? rest : rest.slice(0, slash);
    if (slash < 0) {
      if (entry.kind === 'symlink')
        problems.add(
          `${recipesDir}/${showName(name).slice(1, -1)} is a symlink: a recipe must be a real folder`,
        );
      continue;
    }
    if (`${recipesDir}/${name}` === commonDir) continue;
    const problem = recipeNameProblem(name);
    if (problem) problems.add(problem);
  }
  if (problems.size > 0) throw new UserError([...problems].sort().join('\n'));
}

/** Checks a recipe, line or arch given on the command line or through the environment. */
export function assertSelectionName(kind: 'recipe' | 'line' | 'arch', value: string): void {
  const problem =
    kind === 'recipe'
      ? recipeNameProblem(value)
      : kind === 'line'
        ? lineNamePattern.test(value)
          ? undefined
          : `image line ${showName(value)} is not allowed: lowercase letters, digits, ".", "_" and "-"`
        : (archNames as readonly string[]).includes(value)
          ? undefined
          : `arch ${showName(value)} is not one of ${archNames.join(', ')}`;
  if (problem) throw new UserError(problem);
}
