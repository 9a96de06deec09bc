/**
 * `emi plan`: which images need building, and why. The decision compares each recipe's digest
 * (over the files git tracks at the planned commit) with `recipe_digest` in the line's current
 * record; it never looks at what the last push changed, so a cancelled or failed run, a force push
 * or a records-only commit cannot make it miss or repeat a build. Reads only.
 */
import { parseRecord } from '../catalog/parse-record.js';
import { packagesPath, recordPath } from '../catalog/record-files.js';
import { UserError } from '../lib/errors.js';
import {
  findLastChange,
  listTreeAt,
  listWorkingChanges,
  mergeTrees,
  requireRepoRoot,
  resolveCommit,
} from '../lib/git.js';
import { escapeMarkdown } from '../lib/markdown.js';
import { recipesDir } from '../lib/paths.js';
import { formatProblem } from '../lib/problems.js';
import { commitReader, type TreeReader } from '../lib/tree-reader.js';
import { commonDir, type LoadedRecipe, loadRecipes } from '../recipes/load-recipes.js';
import { recipeDigest, recipeInputEntries } from '../recipes/recipe-digest.js';
import { assertRecipeFolders, assertSelectionName } from '../recipes/recipe-names.js';
import type { Arch } from '../schemas/generated/recipe.js';
import {
  type CachedRecipe,
  type CachedRecord,
  type PlanCache,
  readPlanCache,
  recipesKey,
  writePlanCache,
} from './plan-cache.js';

export type Decision = 'new line' | 'recipe changed' | 'archive has updates' | 'forced' | 'up to date';

export interface InputChanges {
  added: string[];
  removed: string[];
  changed: string[];
}

export interface PackageUpdate {
  name: string;
  from: string;
  to: string;
  suite: string;
}

export interface PlannedImage {
  recipe: string;
  line: string;
  arch: Arch;
  decision: Decision;
  build: boolean;
  /** One sentence per reason, most important first. */
  reasons: string[];
  digest: string;
  record?: { version: string; digest?: string; commit?: string };
  inputs?: InputChanges;
  updates?: PackageUpdate[];
  /** --refresh could not read the archive for this line. */
  error?: string;
}

export interface RebuildPlan {
  /** The commit (or, with --base, the merged tree) the plan is for. */
  commit: string;
  base?: { ref: string; commit: string; tree: string };
  images: PlannedImage[];
  /** Recipe files that differ from HEAD in the working tree: not planned, and emi build refuses them. */
  uncommitted: string[];
}

/** What --refresh asks of the archive for one line (see archive-updates.ts). */
export type RefreshLine = (input: {
  recipe: LoadedRecipe;
  line: string;
  arch: Arch;
  manifest: string | undefined;
}) => Promise<PackageUpdate[]>;

export interface PlanRebuildsOptions {
  cwd: string;
  recipe?: string;
  line?: string;
  arch?: string;
  force?: boolean;
  /** --base REF: plan what merging HEAD into REF would rebuild. */
  base?: string;
  /** Read records (and recipes) from this reader instead of HEAD (emi build: the working tree). */
  reader?: TreeReader;
  /** Read recipes from this reader (emi build: only the files git tracks in the working tree). */
  recipeReader?: TreeReader;
  refresh?: RefreshLine;
}

export const maxMatrixEntries = 256;

function listPaths(paths: readonly string[], limit = 5): string {
  const shown = paths.slice(0, limit).join(', ');
  return paths.length > limit ? `${shown} and ${paths.length - limit} more` : shown;
}

export function describeInputChanges(changes: InputChanges): string {
  const parts: string[] = [];
  if (changes.changed.length > 0) parts.push(`changed ${listPaths(changes.changed)}`);
  if (changes.added.length > 0) parts.push(`added ${listPaths(changes.added)}`);
  if (changes.removed.length > 0) parts.push(`removed ${listPaths(changes.removed)}`);
  return parts.length > 0
    ? parts.join('; ')
    : 'no input changed since, so the recorded digest did not match its recipe even then';
}

export function describeUpdates(updates: readonly PackageUpdate[], limit = 3): string {
  const shown = updates
    .slice(0, limit)
    .map((update) => `${update.name} ${update.from} → ${update.to} (${update.suite})`)
    .join(', ');
  return updates.length > limit ? `${shown}, and ${updates.length - limit} more` : shown;
}

/** Input paths and blob ids of a recipe at a commit or tree. */
async function inputBlobs(root: string, treeish: string, loaded: LoadedRecipe): Promise<Map<string, string>> {
  const listed = await listTreeAt(root, treeish, [`${recipesDir}/${loaded.name}`, commonDir]);
  const entries = listed.map((entry) => ({
    path: entry.path,
    kind: entry.mode === '120000' ? ('symlink' as const) : ('file' as const),
  }));
  const inputs = new Set(
    recipeInputEntries(
      { ...loaded, entries: entries.filter((e) => !e.path.startsWith(`${commonDir}/`)) },
      entries,
    ).map((entry) => entry.path),
  );
  return new Map(
    listed
      .filter((entry) => inputs.has(entry.path))
      .map((entry) => [entry.path, `${entry.mode} ${entry.oid}`]),
  );
}

/** The inputs added, removed and changed between the commit that wrote the record and now. */
async function compareInputs(
  root: string,
  treeish: string,
  loadedNow: LoadedRecipe,
  recordCommit: string,
): Promise<InputChanges> {
  const thenSet = await loadRecipes(commitReader(root, recordCommit), new Set([loadedNow.name]));
  const loadedThen = thenSet.recipes.get(loadedNow.name);
  const now = await inputBlobs(root, treeish, loadedNow);
  const then = loadedThen ? await inputBlobs(root, recordCommit, loadedThen) : new Map<string, string>();
  const changes: InputChanges = { added: [], removed: [], changed: [] };
  for (const [path, blob] of now) {
    const before = then.get(path);
    if (before === undefined) changes.added.push(path);
    else if (before !== blob) changes.changed.push(path);
  }
  for (const path of then.keys()) if (!now.has(path)) changes.removed.push(path);
  return changes;
}

/**
 * The records of the given lines (only those: a catalog has many more records, of lines whose
 * recipes are gone, than lines to plan).
 */
async function readRecords(
  reader: TreeReader,
  paths: readonly string[],
  cached?: { root: string; treeish: string; cache: PlanCache },
): Promise<Map<string, CachedRecord>> {
  const records = new Map<string, CachedRecord>();
  let missing = [...paths];
  const oids = new Map<string, string>();
  if (cached && paths.length > 0) {
    for (const entry of await listTreeAt(cached.root, cached.treeish, [...paths]))
      if (entry.type === 'blob') oids.set(entry.path, entry.oid);
    missing = [];
    for (const path of paths) {
      const oid = oids.get(path);
      if (oid === undefined) continue;
      const hit = cached.cache.records[oid];
      if (hit) records.set(path, hit);
      else missing.push(path);
    }
  }
  const contents = await reader.read(missing);
  for (const path of missing) {
    const content = contents.get(path);
    if (content === undefined) continue;
    const parsed = parseRecord(path, content);
    if (!parsed.ok) throw new UserError(`cannot plan:\n${parsed.problems.map(formatProblem).join('\n')}`);
    const { image_version, recipe_name, recipe_digest } = parsed.value.record;
    const fields: CachedRecord = { image_version, recipe_name, ...(recipe_digest ? { recipe_digest } : {}) };
    records.set(path, fields);
    const oid = oids.get(path);
    if (cached && oid) cached.cache.records[oid] = fields;
  }
  return records;
}

/** Digests of many recipes through one listing and one read. */
async function digestRecipes(
  reader: TreeReader,
  recipes: readonly LoadedRecipe[],
): Promise<Map<string, { digest: string; inputs: string[] }>> {
  const common = await reader.list(commonDir, { modes: true });
  const perRecipe = recipes.map((loaded) => ({ loaded, entries: recipeInputEntries(loaded, common) }));
  const contents = await reader.read([
    ...new Set(perRecipe.flatMap((item) => item.entries.map((e) => e.path))),
  ]);
  const result = new Map<string, { digest: string; inputs: string[] }>();
  for (const { loaded, entries } of perRecipe) {
    const digest = recipeDigest(
      entries.map((entry) => ({
        path: entry.path,
        kind: entry.kind,
        executable: entry.executable ?? false,
        content: contents.get(entry.path) ?? new Uint8Array(),
      })),
    );
    result.set(loaded.name, { digest, inputs: entries.map((entry) => entry.path).sort() });
  }
  return result;
}

export async function planRebuilds(options: PlanRebuildsOptions): Promise<RebuildPlan> {
  if (options.recipe !== undefined) assertSelectionName('recipe', options.recipe);
  if (options.line !== undefined) assertSelectionName('line', options.line);
  if (options.arch !== undefined) assertSelectionName('arch', options.arch);
  const root = await requireRepoRoot(options.cwd);
  const head = await resolveCommit(root, 'HEAD');
  if (!head) throw new UserError(`${root} has no commits yet: commit the recipes first`);

  let treeish = head;
  let history = head;
  let base: RebuildPlan['base'];
  if (options.base !== undefined) {
    const baseCommit = await resolveCommit(root, options.base);
    if (!baseCommit)
      throw new UserError(
        `--base ${JSON.stringify(options.base)} names no commit here: fetch it first (git fetch origin)`,
      );
    const merged = await mergeTrees(root, baseCommit, head);
    if (merged.conflicts.length > 0)
      throw new UserError(
        `HEAD does not merge cleanly into ${options.base}: conflicts in ${listPaths(merged.conflicts)}`,
      );
    treeish = merged.tree;
    history = baseCommit;
    base = { ref: options.base, commit: baseCommit, tree: merged.tree };
  }
  const reader = options.reader ?? commitReader(root, treeish);
  const recipeReader = options.recipeReader ?? reader;
  // The cache serves plans of committed trees (emi plan), not of a working tree (emi build).
  const cacheable = options.reader === undefined && options.recipeReader === undefined;
  const cache = cacheable ? await readPlanCache(root) : undefined;
  const listing = cacheable ? await listTreeAt(root, treeish, [recipesDir]) : undefined;
  const key = listing ? recipesKey(listing) : undefined;

  let catalogRecipes: CachedRecipe[];
  let names: Set<string>;
  const loadedRecipes = new Map<string, LoadedRecipe>();
  if (cache?.recipes && cache.recipes.key === key && !options.refresh) {
    catalogRecipes = cache.recipes.recipes;
    names = new Set(cache.recipes.names);
  } else {
    assertRecipeFolders(await recipeReader.list(recipesDir));
    const recipeSet = await loadRecipes(recipeReader);
    names = recipeSet.names;
    const problems = recipeSet.problems.filter(
      (problem) =>
        options.recipe === undefined || problem.file.startsWith(`${recipesDir}/${options.recipe}/`),
    );
    if (problems.length > 0)
      throw new UserError(`the recipes have problems:\n${problems.map(formatProblem).join('\n')}`);
    const all = [...recipeSet.recipes.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
    const digests = await digestRecipes(recipeReader, all);
    catalogRecipes = all.map((loaded) => ({
      name: loaded.name,
      lines: loaded.recipe.lines.map((line) => ({ image_name: line.image_name, arches: [...line.arches] })),
      digest: digests.get(loaded.name)?.digest ?? '',
    }));
    for (const loaded of all) loadedRecipes.set(loaded.name, loaded);
    if (cache && key && recipeSet.problems.length === 0)
      cache.recipes = { key, names: [...names].sort(), recipes: catalogRecipes };
  }
  if (options.recipe !== undefined && !names.has(options.recipe)) {
    const known = [...names].sort();
    throw new UserError(
      `unknown recipe "${options.recipe}": known recipes are ${known.length > 0 ? known.join(', ') : '(none)'}`,
    );
  }
  const wanted = catalogRecipes.filter(
    (item) => options.recipe === undefined || item.name === options.recipe,
  );
  /** The loaded recipe, read again only where a changed line or --refresh needs it. */
  const loadedRecipe = async (name: string): Promise<LoadedRecipe> => {
    const known = loadedRecipes.get(name);
    if (known) return known;
    const loaded = (await loadRecipes(recipeReader, new Set([name]))).recipes.get(name);
    if (!loaded) throw new UserError(`recipe ${name} cannot be read again`);
    loadedRecipes.set(name, loaded);
    return loaded;
  };

  const linePaths = wanted.flatMap((item) =>
    item.lines.flatMap((line) =>
      line.arches.map((arch) => recordPath({ image_name: line.image_name, image_arch: arch })),
    ),
  );
  const records = await readRecords(reader, linePaths, cache ? { root, treeish, cache } : undefined);
  if (cache) await writePlanCache(root, cache);
  const manifests = options.refresh
    ? await reader.read(
        wanted.flatMap((item) =>
          item.lines.flatMap((line) =>
            line.arches.map((arch) => packagesPath({ image_name: line.image_name, image_arch: arch })),
          ),
        ),
      )
    : undefined;

  const images: PlannedImage[] = [];
  let matchedLine = options.line === undefined;
  for (const item of wanted) {
    const { digest } = item;
    for (const line of item.lines) {
      if (options.line !== undefined && line.image_name !== options.line) continue;
      matchedLine = true;
      for (const arch of line.arches) {
        if (options.arch !== undefined && arch !== options.arch) continue;
        const path = recordPath({ image_name: line.image_name, image_arch: arch });
        const record = records.get(path);
        const image: PlannedImage = {
          recipe: item.name,
          line: line.image_name,
          arch,
          decision: 'up to date',
          build: false,
          reasons: [],
          digest,
        };
        const decisions: Decision[] = [];
        if (!record) {
          decisions.push('new line');
          image.reasons.push(`new line: ${path} does not exist yet`);
        } else {
          image.record = {
            version: record.image_version,
            ...(record.recipe_digest ? { digest: record.recipe_digest } : {}),
          };
          if (record.recipe_name !== item.name) {
            decisions.push('recipe changed');
            image.reasons.push(
              `recipe changed: ${record.image_version} was built from recipe ${record.recipe_name}, the line is now in ${item.name}`,
            );
          } else if (record.recipe_digest !== digest) {
            decisions.push('recipe changed');
            if (!record.recipe_digest) {
              image.reasons.push(
                `recipe changed: ${record.image_version} has no recipe_digest (built before digests)`,
              );
            } else {
              // Only a changed line needs the history: an up-to-date plan runs no git log.
              const commit = await findLastChange(root, history, path);
              if (commit) image.record.commit = commit;
              const since = commit
                ? ` since ${commit.slice(0, 12)}, which recorded ${record.image_version}`
                : '';
              if (commit)
                image.inputs = await compareInputs(root, treeish, await loadedRecipe(item.name), commit);
              image.reasons.push(
                `recipe changed${since}: ${image.inputs ? describeInputChanges(image.inputs) : 'its inputs differ'}`,
              );
            }
          }
        }
        // The archive is asked only about lines that are otherwise up to date.
        if (options.refresh && decisions.length === 0) {
          try {
            const updates = await options.refresh({
              recipe: await loadedRecipe(item.name),
              line: line.image_name,
              arch,
              manifest: record
                ? manifests
                    ?.get(packagesPath({ image_name: line.image_name, image_arch: arch }))
                    ?.toString('utf8')
                : undefined,
            });
            if (updates.length > 0) {
              image.updates = updates;
              decisions.push('archive has updates');
              image.reasons.push(`archive has updates: ${describeUpdates(updates)}`);
            }
          } catch (error) {
            if (!(error instanceof UserError)) throw error;
            image.error = error.message;
          }
        }
        if (options.force) {
          decisions.push('forced');
          image.reasons.push('forced: --force');
        }
        image.decision = decisions[0] ?? 'up to date';
        image.build = decisions.length > 0;
        if (!image.build) image.reasons.push(`up to date: ${path} has ${digest}`);
        images.push(image);
      }
    }
  }
  if (!matchedLine) throw new UserError(`no recipe has the image line "${options.line}"`);
  if (images.length === 0 && options.arch !== undefined)
    throw new UserError(
      `nothing is built for arch ${options.arch}${options.recipe ? ` in recipe ${options.recipe}` : ''}`,
    );

  const uncommitted =
    options.base === undefined && options.reader === undefined
      ? (await listWorkingChanges(root, [recipesDir], { ignored: true })).map((entry) => entry.path)
      : [];
  return { commit: treeish, ...(base ? { base } : {}), images, uncommitted };
}

/** The GitHub Actions matrix of the images to build; more than a workflow run allows is an error. */
export function planMatrix(plan: RebuildPlan): {
  include: { recipe: string; line: string; arch: Arch; reasons: string[]; force: boolean }[];
} {
  // force: the build job must build the entry even where its own look at the recipe alone would
  // call it up to date (archive updates, --force).
  const include = plan.images
    .filter((image) => image.build)
    .map((image) => ({
      recipe: image.recipe,
      line: image.line,
      arch: image.arch,
      reasons: image.reasons,
      force: image.decision === 'archive has updates' || image.decision === 'forced',
    }));
  if (include.length > maxMatrixEntries)
    throw new UserError(
      `the plan has ${include.length} images to build, more than the ${maxMatrixEntries} jobs a workflow run allows: narrow it with --recipe, --line or --arch`,
    );
  return { include };
}

/** The plan as a Markdown job summary. */
export function renderPlanMarkdown(plan: RebuildPlan): string {
  const toBuild = plan.images.filter((image) => image.build);
  const lines = [
    `## emi plan: ${toBuild.length === 0 ? 'nothing to build' : `${toBuild.length} image${toBuild.length === 1 ? '' : 's'} to build`}`,
    '',
  ];
  if (plan.images.length > 0) {
    lines.push('| image | recipe | decision | why |', '|---|---|---|---|');
    for (const image of plan.images)
      lines.push(
        `| ${escapeMarkdown(`${image.line}.${image.arch}`)} | ${escapeMarkdown(image.recipe)} | ${image.error ? 'error' : image.decision} | ${escapeMarkdown(image.error ?? image.reasons.join('; '))} |`,
      );
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}
