/**
 * The layout is the pipeline: each folder of tools/ is a stage, and a stage imports only from the
 * stages below it. This test reads every import of tools/ and fails on an import that runs upward
 * and on any import cycle between files.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { stageLayers } from '../tools/lib/layers.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tools = join(root, 'tools');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** Relative imports of a file, resolved to tools/-relative paths of .ts files. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => m[1] ?? '');
  return specs.map((spec) =>
    relative(tools, normalize(join(dirname(file), spec.replace(/\.js$/, '.ts').replace(/\.json$/, '.json')))),
  );
}

function stageOf(path: string): string {
  return path.includes('/') ? (path.split('/')[0] ?? '') : path;
}

const files = sourceFiles(tools).map((file) => relative(tools, file));
const graph = new Map(files.map((file) => [file, importsOf(join(tools, file))]));
const rank = new Map(stageLayers.flatMap((layer, index) => layer.map((stage) => [stage, index] as const)));

describe('the layout of tools/', () => {
  it('has every folder in a layer', () => {
    const stages = new Set(files.map(stageOf));
    expect([...stages].filter((stage) => !rank.has(stage))).toEqual([]);
  });

  it('imports only from its own stage or the stages below', () => {
    const upward: string[] = [];
    for (const [file, imports] of graph) {
      for (const target of imports) {
        const from = rank.get(stageOf(file)) ?? -1;
        const to = rank.get(stageOf(target)) ?? Number.POSITIVE_INFINITY;
        if (to > from) upward.push(`${file} imports ${target}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('has no import cycle', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (file: string): void => {
      state.set(file, 'open');
      stack.push(file);
      for (const target of graph.get(file) ?? []) {
        if (!graph.has(target)) continue;
        if (state.get(target) === 'open')
          cycles.push([...stack.slice(stack.indexOf(target)), target].join(' → '));
        else if (!state.has(target)) visit(target);
      }
      stack.pop();
      state.set(file, 'done');
    };
    for (const file of graph.keys()) if (!state.has(file)) visit(file);
    expect(cycles).toEqual([]);
  });

  it('finds an upward import and a cycle when there is one', () => {
    // The checks above would pass on an empty graph: make sure the parser sees real imports.
    const load = graph.get('recipes/load-recipes.ts') ?? [];
    expect(load).toContain('recipes/sizes.ts');
    expect(load).toContain('lib/paths.ts');
    expect(rank.get('commands')).toBeGreaterThan(rank.get('catalog') ?? 99);
  });
});
