/**
 * Fuzzing validate (records, recipes, image-id files, package manifests) and import-legacy with
 * seeded mutations of valid inputs: every input gets a result (ok or located problems) or a user
 * error, i.e. an exit code in {0, 1, 2}; never an internal error (70), never a hang, and nothing is
 * written outside the repository. A fixed seed here; `npm run bench -- fuzz` runs many more inputs
 * with a new seed (EMI_FUZZ_RUNS, EMI_FUZZ_SEED).
 */
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importLegacy } from '../../tools/catalog/legacy/import-legacy.js';
import {
  imageIdPath,
  packagesPath,
  recordPath,
  renderImageId,
  renderRecord,
} from '../../tools/catalog/record-files.js';
import { validateCatalog } from '../../tools/catalog/validate-catalog.js';
import { isUserError } from '../../tools/lib/errors.js';
import { toolkitPath } from '../../tools/lib/paths.js';
import { makeRecord, recipeFiles, testRecipe } from '../helpers/catalog-fixtures.js';
import { mulberry32, mutate } from '../helpers/fuzz-input.js';
import { createRepo, createTempDir, type TempRepo } from '../helpers/git-repo.js';
import { runEmi } from '../helpers/run-emi.js';

const seed = Number(process.env.EMI_FUZZ_SEED ?? 20261201);
const runs = Number(process.env.EMI_FUZZ_RUNS ?? 120);
/** Far beyond what any input needs: a hang shows as a failure, not as a stuck test run. */
const perInputMs = 15_000;

async function bounded<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hang: ${what} took over ${perInputMs} ms`)), perInputMs);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Every path under dir (folders end in /), .git left out. */
async function listTree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .map((entry) => {
      const parent = (entry as { parentPath?: string }).parentPath ?? entry.path;
      return relative(dir, join(parent, entry.name)) + (entry.isDirectory() ? '/' : '');
    })
    .filter((path) => path !== '.git/' && !path.startsWith('.git/'))
    .sort();
}

const record = makeRecord({ epoch: 1764201600 });
const i386 = makeRecord({ epoch: 1764201601, arch: 'i386' });
const seeds: Record<string, string> = {
  [recordPath(record)]: renderRecord(record),
  [recordPath(i386)]: renderRecord(i386),
  [imageIdPath(record)]: renderImageId(record),
  [packagesPath(record)]: 'bash\t5.2.15-2+b2\nlibc6\t2.36-9+deb12u4\n',
  'recipes/debian-based/recipe.yaml': testRecipe,
};
const targets = Object.keys(seeds);

type Outcome = { kind: 'result'; ok: boolean } | { kind: 'user-error'; message: string };

let parent: string;
let repo: TempRepo;
beforeAll(async () => {
  repo = await createRepo();
  await repo.commit({ ...recipeFiles, ...seeds });
  parent = await createTempDir('emi-fuzz-');
});
afterAll(async () => {
  await repo.cleanup();
  await rm(parent, { recursive: true, force: true });
});

describe(`fuzz (seed ${seed}, ${runs} inputs each)`, () => {
  it('validate: a result or a located problem for any record, recipe, image-id file or manifest', async () => {
    const random = mulberry32(seed);
    const before = await listTree(repo.dir);
    const seen = { result: 0, problems: 0, userError: 0 };
    for (let index = 0; index < runs; index++) {
      const target = targets[Math.floor(random() * targets.length)] as string;
      const input = mutate(random, seeds[target] as string);
      await writeFile(join(repo.dir, target), input);
      let outcome: Outcome;
      try {
        const report = await bounded(validateCatalog({ root: repo.dir }), `validate of ${target}`);
        for (const problem of report.problems) {
          expect(problem.file, `seed ${seed} input ${index}`).not.toBe('');
          expect(problem.line).toBeGreaterThanOrEqual(0);
          expect(problem.message).not.toBe('');
        }
        outcome = { kind: 'result', ok: report.ok };
      } catch (error) {
        if (!isUserError(error))
          throw new Error(
            `seed ${seed} input ${index} (${target}): internal error ${(error as Error).stack}`,
          );
        outcome = { kind: 'user-error', message: error.message };
      }
      if (outcome.kind === 'result') seen[outcome.ok ? 'result' : 'problems']++;
      else seen.userError++;
      // Now and then the same input through the CLI: the exit code is 0, 1 or 2.
      if (index % 40 === 0) {
        const cli = await runEmi(['validate', '--json'], { cwd: repo.dir });
        expect([0, 1, 2], `seed ${seed} input ${index}: ${cli.stderr}`).toContain(cli.exitCode);
        expect(() => JSON.parse(cli.stdout)).not.toThrow();
      }
      await writeFile(join(repo.dir, target), seeds[target] as string);
    }
    // validate writes nothing: the tree is as it was, and nothing appeared beside it.
    expect(await listTree(repo.dir)).toEqual(before);
    expect(await readdir(parent)).toEqual([]);
    expect(seen.problems, JSON.stringify(seen)).toBeGreaterThan(runs / 4);
  }, 600_000);

  it('import-legacy: records or located problems for any catalog, written only into the repository', async () => {
    const random = mulberry32(seed + 1);
    const legacy = await readFile(toolkitPath('test', 'fixtures', 'legacy', 'EMI-IDs'), 'utf8');
    const input = join(parent, 'EMI-IDs');
    const out = await createRepo();
    try {
      const seen = { imported: 0, refused: 0 };
      for (let index = 0; index < runs; index++) {
        await writeFile(input, mutate(random, legacy));
        try {
          const result = await bounded(importLegacy({ file: input, out: out.dir }), 'import-legacy');
          for (const path of result.written)
            expect(path, `seed ${seed} input ${index}`).toMatch(/^(EMI-IDs\/[^/]+\.yaml|image-ids\/[^/]+)$/);
          for (const problem of result.problems) expect(problem.line).toBeGreaterThanOrEqual(0);
          seen.imported++;
        } catch (error) {
          if (!isUserError(error))
            throw new Error(`seed ${seed} input ${index}: internal error ${(error as Error).stack}`);
          seen.refused++;
        }
        if (index % 40 === 0) {
          const cli = await runEmi(['import-legacy', input, '--dry-run', '--json'], { cwd: out.dir });
          expect([0, 1, 2], `seed ${seed} input ${index}: ${cli.stderr}`).toContain(cli.exitCode);
        }
        for (const path of await listTree(out.dir))
          expect(path, `seed ${seed} input ${index}`).toMatch(/^(EMI-IDs|image-ids)\//);
      }
      expect(await readdir(parent)).toEqual(['EMI-IDs']);
      expect(seen.imported, JSON.stringify(seen)).toBeGreaterThan(0);
    } finally {
      await out.cleanup();
    }
  }, 600_000);
});
