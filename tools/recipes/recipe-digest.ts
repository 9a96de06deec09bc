/**
 * The recipe digest: one sha256 over every input of a recipe (its recipe.yaml, its overlays, its
 * hooks and everything under recipes/common/). Each file counts with its repository path, its kind
 * and executable bit (what git keeps) and its content, so the digest is the same in every checkout
 * of the same tree and changes when any input does. Records keep it; it decides what to rebuild.
 */
import { createHash } from 'node:crypto';
import type { TreeEntry, TreeReader } from '../lib/tree-reader.js';
import { commonDir, type LoadedRecipe } from './load-recipes.js';

export interface DigestInput {
  path: string;
  kind: 'file' | 'symlink';
  executable: boolean;
  content: Uint8Array;
}

const digestFormat = 'emi-recipe-digest 1';

/** The digest of a set of inputs, independent of the order they are given in. */
export function recipeDigest(inputs: readonly DigestInput[]): string {
  const lines = inputs
    .map((input) => {
      const mode = input.kind === 'symlink' ? '120000' : input.executable ? '100755' : '100644';
      const hash = createHash('sha256').update(input.content).digest('hex');
      return `${mode} ${hash} ${JSON.stringify(input.path)}`;
    })
    .sort((a, b) => {
      const pathA = a.slice(a.indexOf('"'));
      const pathB = b.slice(b.indexOf('"'));
      return pathA < pathB ? -1 : pathA > pathB ? 1 : 0;
    });
  const text = `${digestFormat}\n${lines.join('\n')}\n`;
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

/** The entries of the repository that are inputs of the recipe. */
export function recipeInputEntries(loaded: LoadedRecipe, common: readonly TreeEntry[]): TreeEntry[] {
  const base = `recipes/${loaded.name}`;
  const overlays = (loaded.recipe.overlays ?? []).map((overlay) => `${base}/${overlay.replace(/\/+$/, '')}/`);
  const hooks = new Set((loaded.recipe.hooks ?? []).map((hook) => `${base}/${hook}`));
  const own = loaded.entries.filter(
    (entry) =>
      entry.path === loaded.file ||
      hooks.has(entry.path) ||
      overlays.some((overlay) => entry.path.startsWith(overlay)),
  );
  return [...own, ...common.filter((entry) => entry.path.startsWith(`${commonDir}/`))];
}

/** Reads the inputs of a recipe through the reader and digests them. */
export async function computeRecipeDigest(
  reader: TreeReader,
  loaded: LoadedRecipe,
): Promise<{ digest: string; inputs: string[] }> {
  const common = await reader.list(commonDir, { modes: true });
  const entries = recipeInputEntries(loaded, common);
  const contents = await reader.read(entries.map((entry) => entry.path));
  const inputs = entries.map((entry) => ({
    path: entry.path,
    kind: entry.kind,
    executable: entry.executable ?? false,
    content: contents.get(entry.path) ?? new Uint8Array(),
  }));
  return { digest: recipeDigest(inputs), inputs: entries.map((entry) => entry.path).sort() };
}
